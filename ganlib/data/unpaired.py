"""Unpaired image domains for CycleGAN (lesson 5): two sets of pictures, and no pairs between them.

* ``"digits-photos"`` (offline, the default) — domain A: MNIST digits (:func:`ganlib.data.load_mnist`), padded
  to 32×32 and repeated into 3 channels; domain B: digits in the style of MNIST-M (Ganin & Lempitsky 2015),
  each blended with a random crop of a colour photograph as ``|crop − digit|`` per channel
  (:func:`blend_with_photos`), with the photographs that ship in scikit-image. The training digits are cut
  in two: one half makes domain A, the other half domain B, so no digit of A has its counterpart in B.
  The validation digits are digits that neither training domain holds; there A[i] and B[i] are the *same*
  digit (plain and blended, with crops of another photograph), so a translation B → A can be measured
  against the truth. The labels are kept aside (:func:`digit_labels`), only to measure whether a
  translation kept the digit.
* ``"horse2zebra"``, ``"summer2winter_yosemite"``, ``"monet2photo"`` — the CycleGAN authors' unpaired sets,
  downloaded once into :func:`ganlib.config.data_dir`. ``GANLIB_CYCLEGAN_URL`` names a mirror (a folder
  holding ``<name>.zip``). The authors publish no checksums: unless ``GANLIB_<NAME>_SHA256`` pins one
  (e.g. ``GANLIB_HORSE2ZEBRA_SHA256``), the digest of the first complete download is recorded beside it
  (``<name>.zip.sha256``) and checked from then on.

Images are float32 ``(N, size, size, 3)`` in [-1, 1].
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ganlib import _checks, config
from ganlib.data import downloads, holes, paired, pipelines

DIGITS = "digits-photos"
REAL_DATASETS = ("horse2zebra", "summer2winter_yosemite", "monet2photo")
UNPAIRED_DATASETS = (DIGITS, *REAL_DATASETS)
SPLITS = ("train", "validation")
#: Side of the digits of ``"digits-photos"``.
DIGIT_SIDE = holes.DIGIT_SIDE
#: Default side of the real sets (the paper trains at 256; 128 keeps horse2zebra's 2,401 training
#: pictures in about 0.5 GB).
REAL_SIDE = 128
CYCLEGAN_URL = "https://efrosgans.eecs.berkeley.edu/cyclegan/datasets"
URL_ENV = "GANLIB_CYCLEGAN_URL"
#: Folders of each split inside the authors' archives.
_FOLDERS = {"train": ("trainA", "trainB"), "validation": ("testA", "testB")}
#: What each domain of the real sets holds (A, B).
DOMAINS = {
    DIGITS: ("MNIST digits", "digits blended with photographs"),
    "horse2zebra": ("horses", "zebras"),
    "summer2winter_yosemite": ("Yosemite in summer", "Yosemite in winter"),
    "monet2photo": ("Monet paintings", "photographs"),
}


def _check_args(name: str, split: str) -> None:
    if name not in UNPAIRED_DATASETS:
        raise ValueError(f"Expected `name` to be one of {UNPAIRED_DATASETS}. Received: name={name!r}")
    if split not in SPLITS:
        raise ValueError(f"Expected `split` to be one of {SPLITS}. Received: split={split!r}")


# ------------------------------------------------------------------------------------ digits ↔ digits on photos


def blend_with_photos(digits, crops) -> np.ndarray:
    """Blend digits into photographs as MNIST-M does: ``|crop − digit|`` per channel, in [0, 1] terms.

    Where the digit is black (background) the crop shows unchanged; where it is white, the crop's colours
    are inverted. The digit stays visible as an edge of inverted colour, its colour depends on the photo.

    Args:
        digits: ``(N, H, W, 1)`` or ``(N, H, W)`` floats in [-1, 1] (white digit on black).
        crops: ``(N, H, W, 3)`` floats in [-1, 1].

    Returns:
        float32 ``(N, H, W, 3)`` in [-1, 1].
    """
    digits = np.asarray(digits, dtype=np.float32)
    crops = np.asarray(crops, dtype=np.float32)
    if digits.ndim == 3:
        digits = digits[..., None]
    if digits.ndim != 4 or digits.shape[-1] != 1 or crops.ndim != 4 or crops.shape[-1] != 3:
        raise ValueError(
            "Expected `digits` (N, H, W, 1) and `crops` (N, H, W, 3). "
            f"Received: digits.shape={digits.shape}, crops.shape={crops.shape}"
        )
    if digits.shape[:3] != crops.shape[:3]:
        raise ValueError(
            f"Expected one crop per digit, of the digits' size. Received: {digits.shape[:3]} and {crops.shape[:3]}"
        )
    blended = np.abs((crops + 1.0) / 2.0 - (digits + 1.0) / 2.0)
    return (blended * 2.0 - 1.0).astype(np.float32)


def to_rgb(images) -> np.ndarray:
    """Repeat one-channel images into three (domain A of ``"digits-photos"`` is grey, stored as RGB)."""
    images = np.asarray(images, dtype=np.float32)
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


def to_one_channel(images) -> np.ndarray:
    """The mean of the three channels, ``(N, H, W, 1)``: a domain-A output as the judge reads it."""
    images = np.asarray(images, dtype=np.float32)
    return images.mean(axis=-1, keepdims=True)


def photo_crops(split: str, size: int, n: int, seed: int) -> np.ndarray:
    """``n`` random square crops (side ``size`` up to twice that) of the scikit-image colour photographs of
    ``split`` (:data:`ganlib.data.PHOTOS`: training and validation use different photographs), resized to
    ``size``; float32 ``(n, size, size, 3)`` in [-1, 1]."""
    import skimage.data
    from PIL import Image

    rng = np.random.default_rng(seed)
    photos = [np.asarray(getattr(skimage.data, name)())[..., :3] for name in paired.PHOTOS[split]]
    crops = np.empty((n, size, size, 3), dtype=np.uint8)
    for index in range(n):
        photo = photos[int(rng.integers(len(photos)))]
        height, width = photo.shape[:2]
        side = int(rng.integers(size, min(2 * size, height, width) + 1))
        top, left = int(rng.integers(0, height - side + 1)), int(rng.integers(0, width - side + 1))
        crop = Image.fromarray(photo[top : top + side, left : left + side])
        crops[index] = np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR))
    return pipelines.scale_to_unit(crops)


def _digit_halves(split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(digits_a, labels_a, digits_b, labels_b)``: uint8 28×28 digits of each domain.

    Training: the training digits in a fixed random order, the first half for A, the second for B. Validation:
    the validation digits (never in training), the same ones for both domains.
    """
    digits, labels = paired.digits_of_pairs(split, verbose=False)
    if split == "validation":
        return digits, labels, digits, labels
    order = np.random.default_rng(5).permutation(len(digits))
    half = len(digits) // 2
    a, b = order[:half], order[half:]
    return digits[a], labels[a], digits[b], labels[b]


def digit_labels(split: str = "validation", n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The labels of ``load_unpaired("digits-photos", split, n=n)``'s two domains, in the same order."""
    _check_args(DIGITS, split)
    _, labels_a, _, labels_b = _digit_halves(split)
    return labels_a[:n], labels_b[:n]


def _digits_photos(split: str, n: int | None, seed: int, verbose: bool) -> tuple[np.ndarray, np.ndarray]:
    digits_a, _, digits_b, _ = _digit_halves(split)
    digits_a, digits_b = digits_a[:n], digits_b[:n]
    domain_a = to_rgb(holes.pad_digits(pipelines.scale_to_unit(digits_a)[..., None], DIGIT_SIDE))
    padded_b = holes.pad_digits(pipelines.scale_to_unit(digits_b)[..., None], DIGIT_SIDE)
    crops = photo_crops(split, DIGIT_SIDE, len(padded_b), seed + (0 if split == "train" else 1))
    if verbose:
        kept = "disjoint halves of the training digits" if split == "train" else "the same held-out digits"
        print(
            f"digits-photos {split}: A {len(domain_a):,} digits, B {len(padded_b):,} digits blended with crops "
            f"of {', '.join(paired.PHOTOS[split])} ({kept})."
        )
    return domain_a, blend_with_photos(padded_b, crops)


# ------------------------------------------------------------------------------------ the authors' real sets


def sha256_variable(name: str) -> str:
    """The environment variable that pins the archive's digest, e.g. ``GANLIB_HORSE2ZEBRA_SHA256``."""
    return f"GANLIB_{name.upper()}_SHA256"


def _archive(name: str, timeout: float) -> Path:
    """The verified ``<name>.zip`` in the data folder, downloaded first when needed."""
    path = config.data_dir() / f"{name}.zip"
    record = path.with_name(path.name + ".sha256")
    expected = os.environ.get(sha256_variable(name)) or (record.read_text().strip() if record.is_file() else None)
    if path.is_file():
        if expected is None or downloads.sha256sum(path) == expected:
            return path
        print(f"{name}: the cached file {path} is corrupt or truncated (checksum mismatch); fetching it again.")
        path.unlink()
    if config.offline():
        raise downloads.DownloadError(f"{name}: GANLIB_OFFLINE=1 is set and {path.name} is not cached; unset it to download.")
    url = f"{os.environ.get(URL_ENV, CYCLEGAN_URL).rstrip('/')}/{name}.zip"
    downloads.download(url, path, sha256=expected, timeout=timeout)
    if expected is None:
        record.write_text(downloads.sha256sum(path) + "\n")
    return path


def _folder(name: str, timeout: float) -> Path:
    """The extracted ``<name>/`` folder with its ``trainA`` … ``testB`` sub-folders."""
    import zipfile

    root = config.data_dir()
    folder = root / name
    if all((folder / sub).is_dir() for pair in _FOLDERS.values() for sub in pair):
        return folder
    archive = _archive(name, timeout)
    try:
        with zipfile.ZipFile(archive) as opened:
            for member in opened.namelist():
                target = (root / member).resolve()
                if root.resolve() not in target.parents and target != root.resolve():
                    raise downloads.DownloadError(f"{name}: {archive} holds a path outside its folder ({member}).")
            opened.extractall(root)
    except zipfile.BadZipFile:
        raise downloads.DownloadError(f"{name}: {archive} is not a zip archive. Delete it and run again.") from None
    missing = [sub for pair in _FOLDERS.values() for sub in pair if not (folder / sub).is_dir()]
    if missing:
        raise downloads.DownloadError(f"{name}: {archive} holds no {name}/{missing[0]} folder. Delete it and run again.")
    return folder


def _read_folder(folder: Path, size: int, n: int | None) -> np.ndarray:
    from PIL import Image

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))[:n]
    if not files:
        raise downloads.DownloadError(f"No .jpg or .png pictures in {folder}.")
    images = np.empty((len(files), size, size, 3), dtype=np.uint8)
    for index, path in enumerate(files):
        with Image.open(path) as opened:
            images[index] = np.asarray(opened.convert("RGB").resize((size, size), Image.Resampling.BICUBIC))
    return pipelines.scale_to_unit(images)


# ------------------------------------------------------------------------------------ loading and batching


def load_unpaired(
    name: str = DIGITS,
    split: str = "train",
    size: int | None = None,
    n: int | None = None,
    seed: int = 0,
    timeout: float = 30.0,
    verbose: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the two domains of an unpaired dataset: ``(images_a, images_b)``, float32 RGB in [-1, 1].

    Args:
        name: one of :data:`UNPAIRED_DATASETS`.
        split: ``"train"`` or ``"validation"`` (the real sets' ``test`` folders).
        size: image side (32 for digits, the only size; default :data:`REAL_SIDE` for the real sets).
        n: at most this many images per domain (default: all).
        seed: seed of the photo crops of ``"digits-photos"``.
        timeout: seconds to wait for a download server.
        verbose: print one line naming the data.

    Returns:
        ``(images_a, images_b)``: ``(N_a, size, size, 3)`` and ``(N_b, size, size, 3)``.

    Raises:
        ganlib.data.DownloadError: a real set that is neither cached nor downloadable, or a broken archive.
    """
    _check_args(name, split)
    if n is not None:
        n = _checks.positive_int("n", n)
    seed = _checks.seed(seed)
    timeout = _checks.positive_number("timeout", timeout)
    if name == DIGITS:
        if size not in (None, DIGIT_SIDE):
            raise ValueError(f"Expected `size` = {DIGIT_SIDE} for {DIGITS}. Received: size={size!r}")
        return _digits_photos(split, n, seed, verbose)
    size = REAL_SIDE if size is None else _checks.positive_int("size", size)
    folder = _folder(name, timeout)
    domains = tuple(_read_folder(folder / sub, size, n) for sub in _FOLDERS[split])
    if verbose:
        a, b = DOMAINS[name]
        print(f"{name} {split}: A {len(domains[0]):,} {a}, B {len(domains[1]):,} {b}, {size}x{size}, from {folder}.")
    return domains


def make_unpaired_dataset(images_a, images_b, batch_size: int, *, shuffle: bool = True, seed: int | None = None,
                          mirror: bool = False):
    """Return a ``tf.data.Dataset`` of ``(batch_a, batch_b)``: each domain shuffled on its own, every epoch.

    An epoch is ``min(N_a, N_b) // batch_size`` batches (the last incomplete batch is dropped).

    Args:
        images_a, images_b: float32 ``(N, H, W, C)`` in [-1, 1], same ``H``, ``W`` and ``C``.
        batch_size: images of each domain per batch.
        shuffle: reshuffle every epoch.
        seed: seed of the shuffling and mirroring.
        mirror: flip each image left-right with probability 1/2 (photos; not digits).
    """
    import tensorflow as tf

    images_a, images_b = np.asarray(images_a, np.float32), np.asarray(images_b, np.float32)
    if images_a.ndim != 4 or images_a.shape[1:] != images_b.shape[1:]:
        raise ValueError(
            "Expected two domains of shape (N, H, W, C) with the same H, W and C. "
            f"Received: images_a.shape={images_a.shape}, images_b.shape={images_b.shape}"
        )
    if not isinstance(batch_size, int) or not 0 < batch_size <= min(len(images_a), len(images_b)):
        raise ValueError(
            f"Expected 0 < `batch_size` <= the smaller domain ({min(len(images_a), len(images_b))}). "
            f"Received: batch_size={batch_size!r}"
        )
    base = 0 if seed is None else seed
    steps = min(len(images_a), len(images_b)) // batch_size

    def domain(images, offset):
        dataset = tf.data.Dataset.from_tensor_slices(images)
        if shuffle:
            dataset = dataset.shuffle(len(images), seed=base + offset, reshuffle_each_iteration=True)
        if mirror:
            dataset = dataset.map(lambda x: tf.image.random_flip_left_right(x, seed=base + offset + 2))
        return dataset.batch(batch_size, drop_remainder=True).take(steps)

    return tf.data.Dataset.zip((domain(images_a, 0), domain(images_b, 1))).prefetch(tf.data.AUTOTUNE)
