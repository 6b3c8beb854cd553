"""Data augmentation for a classifier with few labels: classic distortions, or a conditional GAN's samples.

Lesson 4's experiment asks whether digits drawn by a conditional GAN help a small classifier that has only
``N`` labelled digits, against what a careful engineer tries first. :func:`run_arm` trains one classifier
on the ``N`` real digits plus extra images made by one of four arms:

* ``"none"`` — nothing added;
* ``"classic"`` — distorted copies of the real digits (:func:`classic_augment`: a small random shift and
  rotation, then an elastic distortion as in Simard, Steinkraus & Platt 2003);
* ``"gan"`` — digits drawn by a conditional GAN trained on **the same N digits only** (trained on more,
  it would smuggle in information the classifier was not given), as many of each class;
* ``"gan+classic"`` — both sets of extra images.

Every arm trains the same classifier (:func:`ganlib.metrics.build_judge`'s architecture) for the same number
of steps, and is scored on held-out digits that neither the GAN nor the classifier saw.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks, data

ARMS = ("none", "classic", "gan", "gan+classic")


def _smooth_field(rng, shape, sigma):
    from scipy import ndimage

    return ndimage.gaussian_filter(rng.uniform(-1, 1, shape), sigma, mode="constant")


def classic_augment(images, seed: int = 0, shift: float = 2.0, rotation: float = 10.0, alpha: float = 8.0,
                    sigma: float = 3.0) -> np.ndarray:
    """Return one randomly distorted copy of each image (float32 in [-1, 1], same shape).

    Each image is shifted by up to ``shift`` pixels and rotated by up to ``rotation`` degrees (uniformly at
    random), then elastically distorted: every pixel moves by a random displacement field: uniform noise in
    [-1, 1] smoothed by a Gaussian of ``sigma`` pixels, then multiplied by ``alpha`` (Simard et al. 2003's
    scaling factor; they used α = 34, σ = 4; α = 8, σ = 3 moves pixels about 0.5 px on average, at most
    about 2 px), with bilinear
    interpolation; outside the image is background (-1).

    Args:
        images: uint8 ``(N, H, W)`` / floats in [-1, 1] ``(N, H, W, C)``.
        seed: seed of the random distortions.
        shift: largest shift, in pixels.
        rotation: largest rotation, in degrees.
        alpha: scaling factor of the smoothed displacement field (0: none); not a displacement in pixels.
        sigma: smoothness of the elastic distortion, in pixels.
    """
    from scipy import ndimage

    images = data.as_model_input(images)
    rng = np.random.default_rng(_checks.seed(seed))
    height, width = images.shape[1:3]
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    centre = np.array([(height - 1) / 2, (width - 1) / 2])
    out = np.empty_like(images)
    for index, image in enumerate(images):
        angle = np.deg2rad(rng.uniform(-rotation, rotation))
        offset = rng.uniform(-shift, shift, 2)
        cos, sin = np.cos(angle), np.sin(angle)
        # Where each output pixel comes from: rotate about the centre, shift, then the elastic field.
        r, c = rows - centre[0] - offset[0], cols - centre[1] - offset[1]
        source_r = cos * r - sin * c + centre[0]
        source_c = sin * r + cos * c + centre[1]
        if alpha:
            source_r = source_r + alpha * _smooth_field(rng, (height, width), sigma)
            source_c = source_c + alpha * _smooth_field(rng, (height, width), sigma)
        for channel in range(image.shape[-1]):
            out[index, ..., channel] = ndimage.map_coordinates(
                image[..., channel], [source_r, source_c], order=1, mode="constant", cval=-1.0
            )
    return out


def train_classifier(images, labels, steps: int = 300, batch_size: int = 64, seed: int = 0):
    """Train a fresh classifier (the judge's architecture) for ``steps`` steps; return the Keras model."""
    import keras
    import tensorflow as tf

    from ganlib import metrics

    keras.utils.set_random_seed(seed)
    model = metrics.build_judge(seed=seed)
    model.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    images = data.as_model_input(images)
    dataset = (
        tf.data.Dataset.from_tensor_slices((images, np.asarray(labels, np.int32)))
        .shuffle(len(images), seed=seed)
        .repeat()
        .batch(min(batch_size, len(images)))
    )
    # shuffle=False: the dataset shuffles itself (Keras ignores, with a warning, shuffle=True on a tf.data.Dataset)
    model.fit(dataset, steps_per_epoch=_checks.positive_int("steps", steps), epochs=1, verbose=0, shuffle=False)
    return model


def accuracy(model, images, labels) -> float:
    """Share of ``images`` the classifier labels correctly."""
    logits = model.predict(data.as_model_input(images), batch_size=500, verbose=0)
    return float(np.mean(logits.argmax(axis=1) == np.asarray(labels)))


def train_gan_on(images, labels, seconds: float | None = None, steps: int | None = None, seed: int = 0, **overrides):
    """Train lesson 4's conditional GAN on ``(images, labels)`` only, for ``seconds`` or ``steps``; return it."""
    from ganlib import callbacks, recipes

    gan = recipes.build_cgan(seed=seed, **overrides)
    batch_size = min(recipes.CGAN["batch_size"], len(images))
    dataset = data.make_labelled_dataset(images, labels, batch_size, seed=seed).repeat()
    budget = [callbacks.TimeBudget(seconds)] if seconds else []
    gan.fit(dataset, epochs=1, steps_per_epoch=steps or 10**9, verbose=0, callbacks=budget)
    return gan


def extra_images(arm: str, images, labels, n_extra: int, gan=None, seed: int = 0):
    """The images (and labels) ``arm`` adds to ``(images, labels)``: ``n_extra`` for ``"classic"`` and
    ``"gan"``, ``2·n_extra`` for ``"gan+classic"``, none for ``"none"``."""
    if arm not in ARMS:
        raise ValueError(f"Expected `arm` to be one of {ARMS}. Received: arm={arm!r}")
    parts = []
    if "classic" in arm:
        picks = np.random.default_rng(seed).integers(0, len(images), n_extra)
        parts.append((classic_augment(np.asarray(images)[picks], seed=seed), np.asarray(labels)[picks]))
    if "gan" in arm:
        if gan is None:
            raise ValueError(f"Arm {arm!r} needs a trained conditional GAN: pass `gan=`.")
        wanted = (np.arange(n_extra) % gan.num_classes).astype(np.int32)
        parts.append((gan.generate(n_extra, labels=wanted, seed=seed), wanted))
    if not parts:
        return np.zeros((0, *data.as_model_input(images[:1]).shape[1:]), np.float32), np.zeros(0, np.int32)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]).astype(np.int32)


def run_arm(arm, images, labels, test_images, test_labels, n_extra, gan=None, steps=300, seed=0) -> float:
    """Train a classifier on the real ``(images, labels)`` plus ``arm``'s extra images; return its test accuracy."""
    added, added_labels = extra_images(arm, images, labels, n_extra, gan=gan, seed=seed)
    pool = np.concatenate([data.as_model_input(images), added])
    pool_labels = np.concatenate([np.asarray(labels, np.int32), added_labels])
    return accuracy(train_classifier(pool, pool_labels, steps=steps, seed=seed), test_images, test_labels)
