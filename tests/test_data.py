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
    monkeypatch.setattr(data, "MNIST_SHA256", digest)
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

    monkeypatch.setattr(data, "_open_url", unreachable)
    images, labels = data.load_mnist()
    assert images.shape == (5000, 28, 28)
    assert "not reachable" in capsys.readouterr().out


def test_open_url_gives_up_on_a_hanging_server(monkeypatch):
    import time
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: time.sleep(5))
    start = time.perf_counter()
    with pytest.raises(data.DownloadError, match="no answer"):
        data._open_url("https://example.invalid/x", timeout=0.2)
    assert time.perf_counter() - start < 2


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
    assert data.sha256sum(cached) == data.MNIST_SHA256


def test_checksum_mismatch_is_a_clear_error_and_leaves_no_file(online_mirror, monkeypatch):
    monkeypatch.setattr(data, "MNIST_SHA256", "0" * 64)
    with pytest.raises(data.DownloadError, match="SHA-256"):
        data.load_mnist(source="keras")
    assert list(config.data_dir().iterdir()) == []


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
