import hashlib
import io

import numpy as np
import pytest

from ganlib import config, data


def _fake_keras_npz(path, n_train=12, n_test=4):
    """Write a small archive in the Keras ``mnist.npz`` layout and return its SHA-256."""
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, n_train).astype(np.uint8),
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, n_test).astype(np.uint8),
    )
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


@pytest.fixture
def online_mirror(tmp_path, monkeypatch):
    """A local file:// 'mirror' of the Keras download, with its checksum patched in."""
    mirror = tmp_path / "mirror.npz"
    digest = _fake_keras_npz(mirror)
    monkeypatch.delenv("GANLIB_OFFLINE")
    monkeypatch.setenv("GANLIB_MNIST_URL", mirror.as_uri())
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no-keras-home"))
    monkeypatch.setattr(data.mnist, "MNIST_SHA256", digest)
    return mirror


def test_offline_flag_gives_the_bundled_digits(capsys):
    images, labels = data.load_mnist()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert images.max() == 255 and images.min() == 0
    assert np.bincount(labels).tolist() == [500] * 10
    out = capsys.readouterr().out
    assert "bundled" in out and "5,000" in out and "GANLIB_OFFLINE" in out


def test_auto_falls_back_when_the_network_is_unreachable(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("GANLIB_OFFLINE")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no-keras-home"))

    def unreachable(url, timeout):
        raise data.DownloadError(f"could not reach {url}: simulated outage")

    monkeypatch.setattr(data.downloads, "_open_url", unreachable)
    images, labels = data.load_mnist()
    assert images.shape == (5000, 28, 28)
    assert "not reachable" in capsys.readouterr().out


def test_open_url_gives_up_on_a_hanging_server(monkeypatch):
    import time
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: time.sleep(5))
    with pytest.raises(data.DownloadError, match="no answer"):
        data.downloads._open_url("https://example.invalid/x", timeout=0.2)


def test_keras_source_is_downloaded_checked_and_cached(online_mirror, capsys):
    images, labels = data.load_mnist(source="keras")
    assert images.shape == (12, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64
    assert (config.data_dir() / "mnist.npz").is_file()
    test_images, _ = data.load_mnist(source="keras", split="test")
    assert test_images.shape == (4, 28, 28)
    online_mirror.unlink()  # the cache must now be enough
    again, _ = data.load_mnist(source="auto")
    np.testing.assert_array_equal(again, images)
    assert "Keras download" in capsys.readouterr().out


def test_corrupt_cache_is_detected_and_fetched_again(online_mirror, capsys):
    cached = config.data_dir() / "mnist.npz"
    cached.write_bytes(b"not an npz, a truncated download")
    images, _ = data.load_mnist(source="keras")
    assert images.shape == (12, 28, 28)
    assert "corrupt" in capsys.readouterr().out
    assert data.sha256sum(cached) == data.mnist.MNIST_SHA256


def test_checksum_mismatch_is_a_clear_error_and_leaves_no_file(online_mirror, monkeypatch):
    monkeypatch.setattr(data.mnist, "MNIST_SHA256", "0" * 64)
    with pytest.raises(data.DownloadError, match="SHA-256"):
        data.load_mnist(source="keras")
    assert list(config.data_dir().iterdir()) == []


def _mnist_file(path, n=20, **changes):
    """A small file in the Keras mnist.npz layout, with ``changes`` to some arrays (``None`` drops one)."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "y_train": np.arange(n, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "y_test": np.arange(4, dtype=np.uint8),
    }
    arrays.update(changes)
    np.savez(path, **{key: value for key, value in arrays.items() if value is not None})
    return arrays


def test_local_mnist_file_is_used_and_named(tmp_path, monkeypatch, capsys):
    path = tmp_path / "mnist.npz"
    arrays = _mnist_file(path)
    monkeypatch.setenv("GANLIB_MNIST_FILE", str(path))  # wins over GANLIB_OFFLINE=1 (set by conftest)
    for source in ("auto", "keras"):
        images, labels = data.load_mnist(source)
        np.testing.assert_array_equal(images, arrays["x_train"])
        assert labels.dtype == np.int64 and labels.tolist() == [i % 10 for i in range(20)]
        assert capsys.readouterr().out.strip() == (
            f"MNIST source: the local file {path} (20 train digits; GANLIB_MNIST_FILE is set)."
        )
    images, labels = data.load_mnist(split="test", verbose=False)
    assert images.shape == (4, 28, 28) and labels.tolist() == [0, 1, 2, 3]
    assert len(data.load_mnist("bundled", verbose=False)[0]) == 5000  # an explicit "bundled" still is


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"y_test": None}, r"missing array\(s\) \['y_test'\]"),
        ({"x_train": np.zeros((20, 28, 28), np.float32)}, "x_train has dtype float32, expected uint8"),
        ({"x_train": np.zeros((20, 32, 32), np.uint8)}, r"x_train has shape \(20, 32, 32\), expected \(N, 28, 28\)"),
        ({"y_train": np.zeros(20, np.float64)}, "y_train has dtype float64, expected integers"),
        ({"y_train": np.zeros(19, np.uint8)}, r"y_train has shape \(19,\), expected \(20,\)"),
        ({"y_train": np.full(20, 10, np.uint8)}, "y_train holds labels 10..10, expected 0..9"),
    ],
)
def test_a_wrong_local_mnist_file_is_one_clear_error(tmp_path, monkeypatch, changes, message):
    path = tmp_path / "mnist.npz"
    _mnist_file(path, **changes)
    monkeypatch.setenv("GANLIB_MNIST_FILE", str(path))
    with pytest.raises(ValueError, match=f"GANLIB_MNIST_FILE={path}: {message}") as raised:
        data.load_mnist()
    assert "\n" not in str(raised.value)


def test_a_local_mnist_file_that_is_not_an_npz_is_one_clear_error(tmp_path, monkeypatch):
    text, array, missing = tmp_path / "mnist.txt", tmp_path / "mnist.npy", tmp_path / "nowhere.npz"
    text.write_text("not an archive")
    np.save(array, np.zeros((3, 28, 28), np.uint8))
    for path, message in (
        (text, r"is not an .npz archive \(not a zip file\)"),
        (array, "is a single .npy array, not an .npz archive"),
        (missing, "no such file"),
    ):
        monkeypatch.setenv("GANLIB_MNIST_FILE", str(path))
        with pytest.raises(ValueError, match=message) as raised:
            data.load_mnist()
        assert str(path) in str(raised.value) and "\n" not in str(raised.value)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="source"):
        data.load_mnist(source="web")
    with pytest.raises(ValueError, match="split"):
        data.load_mnist(split="validation")
    with pytest.raises(ValueError, match="training digits only"):
        data.load_mnist(source="bundled", split="test")


def test_scaling_round_trip():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    unit = data.scale_to_unit(pixels)
    assert unit.dtype == np.float32
    assert unit.min() == -1.0 and unit.max() == 1.0
    np.testing.assert_array_equal(data.scale_to_uint8(unit), pixels)
    assert data.scale_to_uint8(np.array([-3.0, 3.0])).tolist() == [0, 255]


def test_make_image_dataset_shapes_ranges_and_batches(mnist):
    images = mnist[0][:100]
    dataset = data.make_image_dataset(images, batch_size=32, seed=1)
    batches = list(dataset)
    assert len(batches) == 3  # 100 // 32, the remainder dropped
    for batch in batches:
        assert batch.shape == (32, 28, 28, 1) and batch.dtype.name == "float32"
        assert -1.0 <= float(batch.numpy().min()) and float(batch.numpy().max()) <= 1.0
    ordered = next(iter(data.make_image_dataset(images, batch_size=8, shuffle=False)))
    np.testing.assert_allclose(ordered.numpy()[..., 0], data.scale_to_unit(images[:8]))


def test_make_image_dataset_rejects_bad_batch_size(mnist):
    with pytest.raises(ValueError, match="batch_size"):
        data.make_image_dataset(mnist[0][:10], batch_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        data.make_image_dataset(mnist[0][:10], batch_size=11)
