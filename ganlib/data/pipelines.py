"""From image arrays to model input: the [-1, 1] pixel range and the shuffled, batched ``tf.data`` pipeline."""

from __future__ import annotations

import numpy as np

from ganlib import _checks


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


