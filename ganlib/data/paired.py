"""Paired images for image-to-image translation (lesson 3): which pairs each dataset holds, and the
augmented ``tf.data`` pipeline that trains on them.

:func:`load_pairs` gives aligned ``(inputs, targets)`` for ``"digits-inpaint"`` (MNIST digits with holes,
:mod:`ganlib.data.holes`), ``"photos-colorize"`` (grey → colour crops of the photographs bundled with
scikit-image, :mod:`ganlib.data.lab`) and ``"facades"`` (:mod:`ganlib.data.facades`);
:func:`make_pair_dataset` batches and augments them.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks, config
from ganlib.data import facades, mnist
from ganlib.data.holes import DIGIT_AREA, DIGIT_SIDE, TRAIN_HOLES, VALIDATION_HOLE, corrupt_digits, pad_digits
from ganlib.data.lab import to_grey
from ganlib.data.pipelines import scale_to_unit

#: The paired datasets of :func:`load_pairs`.
PAIRED_DATASETS = ("digits-inpaint", "photos-colorize", "facades")
PAIR_SPLITS = ("train", "validation")
#: Random affine distortion of the training digits of ``"digits-inpaint"``: rotation (degrees), scale
#: (relative), shear and shift (pixels), each drawn uniformly in ±value. The default only shifts: with
#: rotation ±12°, scale ±12% and shear ±0.2 as well (:data:`WRITER_DISTORTION`) the restorations of held-out
#: digits were worse at equal steps (``benchmarks/RESULTS.md``, lesson 3).
DIGIT_DISTORTION = {"rotation": 0.0, "scale": 0.0, "shear": 0.0, "shift": 2.0}
#: A stronger distortion that imitates other writers' slant and size; pass it as ``distortion=`` to try it.
WRITER_DISTORTION = {"rotation": 12.0, "scale": 0.12, "shear": 0.2, "shift": 2.0}
#: How many of the 5,000 bundled digits are held out for validation (the rest train).
BUNDLED_VALIDATION_DIGITS = 2000
#: The colour photographs that ship inside the scikit-image wheel, by split (different photographs).
PHOTOS = {
    "train": ("astronaut", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina"),
    "validation": ("chelsea",),
}


def _check_pair_args(name: str, split: str) -> None:
    if name not in PAIRED_DATASETS:
        raise ValueError(f"Expected `name` to be one of {PAIRED_DATASETS}. Received: name={name!r}")
    if split not in PAIR_SPLITS:
        raise ValueError(f"Expected `split` to be one of {PAIR_SPLITS}. Received: split={split!r}")


def _digit_split(split: str, verbose: bool) -> tuple[np.ndarray, np.ndarray]:
    """Digits and labels of a split; training and validation digits are always different digits."""
    images, labels = mnist.load_mnist(split="train", verbose=verbose)
    if len(images) > BUNDLED_VALIDATION_DIGITS * 5:  # the 60,000 Keras digits: validate on the test split
        if split == "train":
            return images, labels
        return mnist.load_mnist(split="test", verbose=verbose)
    # a fixed random order: the bundled digits are sorted by class, and a split's first images should not all be 0s
    order = np.random.default_rng(2024).permutation(len(images))
    chosen = order[BUNDLED_VALIDATION_DIGITS:] if split == "train" else order[:BUNDLED_VALIDATION_DIGITS]
    if verbose:
        print(
            f"digits-inpaint: {len(chosen):,} of the {len(images):,} digits for {split} "
            f"(the other {len(images) - len(chosen):,} for the other split)."
        )
    return images[chosen], labels[chosen]


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

    * ``"digits-inpaint"`` — real MNIST digits (:func:`ganlib.data.mnist.load_mnist`) padded to 32×32; the input is the digit
      with a square hole on the 28×28 digit (:func:`corrupt_digits`: sides 8–16 px for training, 14 px for
      validation). With
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
            return corrupt_digits(targets, hole=TRAIN_HOLES, seed=seed, within=DIGIT_AREA), targets
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
    count = facades.FACADES_PAIRS[split] if n is None else min(n, facades.FACADES_PAIRS[split])
    _checks.fits_in_memory("the facades pairs", 2 * facades.FACADES_PAIRS[split] * size * size * 6 * 4, f"size={size}, n={count}")
    inputs, targets = facades.load_facades(split, size, timeout)
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
    within=DIGIT_AREA,
    distortion: dict | None = None,
):
    """Return a shuffled, batched ``tf.data.Dataset`` of ``(inputs, targets)`` pairs, augmented for ``name``.

    Augmentation (training only; pass ``name=None`` for none) is the same for input and target:

    * ``"digits-inpaint"`` — every epoch a fresh random affine distortion of each target digit
      (:data:`DIGIT_DISTORTION`: a shift of up to 2 px) and a fresh random hole (sides ``holes``,
      inside ``within``); the given ``inputs`` are not used (only their shape is checked).
    * ``"photos-colorize"`` — random mirroring.
    * ``"facades"`` — pix2pix's jitter: resize up by 12%, crop back at a random place, random mirroring.

    Args:
        inputs, targets: float32 arrays ``(N, H, W, C)`` in [-1, 1], as :func:`load_pairs` returns.
        batch_size: pairs per batch (the last incomplete batch is dropped).
        name: which augmentation to apply (a name of :data:`PAIRED_DATASETS`), or ``None``.
        shuffle: reshuffle every epoch.
        seed: seed of the shuffling and the augmentation.
        holes: digits only: ``(smallest, largest)`` hole side of the training inputs.
        within: digits only: ``(top, left, height, width)`` of the box the training holes lie in (default
            :data:`DIGIT_AREA`, the 28×28 digit, where the validation holes lie too); ``None`` for the whole
            frame.
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

    box_top, box_left, box_height, box_width = (0, 0, height, width) if within is None else within
    if name == "digits-inpaint" and not (
        0 <= box_top and 0 <= box_left and box_top + box_height <= height and box_left + box_width <= width
        and largest <= min(box_height, box_width)
    ):
        raise ValueError(
            f"Expected `within` (top, left, height, width) inside the {height}x{width} frame and no smaller than "
            f"the largest hole ({largest} px). Received: within={within!r}"
        )

    def distort(targets):
        """A fresh random affine distortion of each digit of the batch ``targets`` ``(B, H, W, C)``."""
        if not any(spread.values()):
            return targets
        count = tf.shape(targets)[0]
        angle, scale, shear = (rng.uniform([count], -1.0, 1.0) * spread[k] for k in ("rotation", "scale", "shear"))
        angle, scale = angle * np.pi / 180.0, 1.0 + scale
        shift_x, shift_y = tf.unstack(rng.uniform([2, count], -1.0, 1.0) * spread["shift"])
        cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale  # output → input: rotate, scale and shear
        a, b, c, d = cos, -sin + shear * cos, sin, cos + shear * sin
        cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
        zero = tf.zeros_like(a)
        matrices = tf.stack([a, b, cx - a * cx - b * cy + shift_x, c, d, cy - c * cx - d * cy + shift_y, zero, zero], 1)
        warped = tf.raw_ops.ImageProjectiveTransformV3(
            images=targets, transforms=matrices, output_shape=tf.constant([height, width]),
            fill_value=-1.0, interpolation="BILINEAR", fill_mode="CONSTANT",
        )
        return tf.ensure_shape(warped, targets.shape)

    def inpaint(_, targets):
        """Distort a batch of digits and cut one fresh square hole (filled with -1) into each."""
        targets = distort(targets)
        count = tf.shape(targets)[0]
        side = rng.uniform([count], smallest, largest + 1, dtype=tf.int32)

        def place(extent):  # a uniform offset in [0, extent - side] for each digit
            room = tf.cast(extent - side + 1, tf.float32)
            return tf.minimum(tf.cast(tf.floor(rng.uniform([count]) * room), tf.int32), extent - side)

        top, left = box_top + place(box_height), box_left + place(box_width)
        top, left, bottom, right = (v[:, None, None, None] for v in (top, left, top + side, left + side))
        rows, cols = tf.range(height)[None, :, None, None], tf.range(width)[None, None, :, None]
        hole = (rows >= top) & (rows < bottom) & (cols >= left) & (cols < right)
        return tf.where(hole, -1.0, targets), targets

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

    augment = {"photos-colorize": mirror, "facades": jitter}.get(name)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets))
    if shuffle:
        dataset = dataset.shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
    if augment is not None:
        dataset = dataset.map(augment)
    dataset = dataset.batch(batch_size, drop_remainder=True)
    if name == "digits-inpaint":  # a whole batch at a time: one op per batch, not per digit
        dataset = dataset.map(inpaint)
    return dataset.prefetch(tf.data.AUTOTUNE)
