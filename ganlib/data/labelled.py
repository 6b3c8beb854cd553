"""Labelled images for lesson 4: ``(images, labels)`` datasets, balanced subsets and a held-out split.

:func:`make_labelled_dataset` is :func:`ganlib.data.make_image_dataset` with the labels carried along (the
conditional GAN trains on ``(images, labels)`` batches). :func:`split_train_test` and
:func:`balanced_subset` make the augmentation experiment's data: a held-out test set that no model ever
sees, and N training digits with the same number of each class.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks
from ganlib.data.pipelines import as_model_input


def _labels(labels, n: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"Expected integer `labels` of shape ({n},), one per image. Received: shape={labels.shape}, "
            f"dtype={labels.dtype}"
        )
    if n and labels.min() < 0:
        raise ValueError(f"Expected `labels` >= 0. Received: min={labels.min()}")
    return labels.astype(np.int32)


def make_labelled_dataset(images, labels, batch_size: int, shuffle: bool = True, seed: int | None = None):
    """Return a shuffled, batched, prefetched ``tf.data.Dataset`` of ``(images, labels)``.

    Args:
        images: uint8 ``(N, H, W)`` / ``(N, H, W, C)`` in 0..255, or floats already in [-1, 1].
        labels: integer class of each image, ``(N,)``.
        batch_size: pairs per batch; the last, incomplete batch is dropped.
        shuffle: reshuffle every epoch (images and labels together).
        seed: shuffle seed.

    Returns:
        A dataset of ``(float32 (batch_size, H, W, C) in [-1, 1], int32 (batch_size,))``.
    """
    import tensorflow as tf

    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.seed(seed, allow_none=True)
    images = as_model_input(images)
    _checks.finite_values("images", images)
    labels = _labels(labels, len(images))
    if batch_size > len(images):
        raise ValueError(
            f"Expected `batch_size` <= the number of images ({len(images)}). Received: batch_size={batch_size}"
        )
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def split_train_test(images, labels, n_test: int, seed: int = 0):
    """Hold out ``n_test`` random images (the same for a given ``seed``).

    Returns:
        ``(train_images, train_labels, test_images, test_labels)``.
    """
    images = np.asarray(images)
    labels = _labels(labels, len(images))
    n_test = _checks.positive_int("n_test", n_test)
    if n_test >= len(images):
        raise ValueError(f"Expected `n_test` < the number of images ({len(images)}). Received: n_test={n_test}")
    order = np.random.default_rng(seed).permutation(len(images))
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def balanced_subset(images, labels, n: int, num_classes: int = 10, seed: int = 0):
    """Pick ``n`` images, ``n / num_classes`` of each class, at random (repeatable by ``seed``).

    Raises:
        ValueError: ``n`` is not a multiple of ``num_classes``, or a class has too few images.
    """
    images = np.asarray(images)
    labels = _labels(labels, len(images))
    n = _checks.positive_int("n", n)
    if n % num_classes:
        raise ValueError(f"Expected `n` to be a multiple of num_classes={num_classes}. Received: n={n}")
    rng = np.random.default_rng(seed)
    chosen = []
    for label in range(num_classes):
        members = np.flatnonzero(labels == label)
        if len(members) < n // num_classes:
            raise ValueError(f"Class {label} has {len(members)} images; {n // num_classes} are needed for n={n}")
        chosen.append(rng.choice(members, n // num_classes, replace=False))
    chosen = rng.permutation(np.concatenate(chosen))
    return images[chosen], labels[chosen]
