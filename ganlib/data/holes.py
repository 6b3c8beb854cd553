"""Holed digits, the inputs of ``"digits-inpaint"``: padding digits to 32×32 and cutting square holes."""

from __future__ import annotations

import numpy as np

from ganlib.data.pipelines import as_model_input

#: Side of the padded digits of ``"digits-inpaint"``.
DIGIT_SIDE = 32
#: Hole sides (smallest, largest) of the training inputs of ``"digits-inpaint"``.
TRAIN_HOLES = (8, 16)
#: Hole side of the validation inputs of ``"digits-inpaint"`` (the benchmark's).
VALIDATION_HOLE = 14
#: Where validation holes lie: ``(top, left, height, width)`` of the 28×28 digit inside the 32×32 frame, so
#: no hole falls wholly on the empty border a learner never draws on.
DIGIT_AREA = (2, 2, 28, 28)


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

