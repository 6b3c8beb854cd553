"""The lessons' default settings, in one place, so the notebooks, the CLI and the benchmarks agree.

A recipe is a plain dict of hyper-parameters; :func:`build_mlp_gan` turns one into a compiled
:class:`ganlib.training.GAN`. Change a value by passing it: ``build_mlp_gan(d_lr=2e-3)``.
"""

from __future__ import annotations

import keras

from ganlib import models, training

#: Lesson 1: the fully connected GAN on 28×28 digits, tuned for quality per CPU-minute.
MLP_GAN = {
    "latent_dim": 64,
    "g_hidden": (256, 512),
    "d_hidden": (512, 256),
    "dropout": 0.3,
    "batch_size": 64,
    "g_lr": 2e-4,
    "d_lr": 2e-4,
    "beta_1": 0.5,
    "loss": "non_saturating",
    "d_steps": 1,
    "label_smoothing": 0.1,
}


def settings(recipe: dict, **overrides) -> dict:
    """Return a copy of ``recipe`` with ``overrides`` applied; unknown names are an error."""
    unknown = sorted(set(overrides) - set(recipe))
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown}. Expected some of: {sorted(recipe)}")
    return {**recipe, **overrides}


def build_mlp_gan(seed: int | None = 0, image_shape=(28, 28, 1), **overrides) -> training.GAN:
    """Build and compile the lesson-1 GAN from :data:`MLP_GAN` (with ``overrides``).

    Args:
        seed: seeds the weights of both players and the training noise.
        image_shape: shape of the images.
        **overrides: any key of :data:`MLP_GAN` (``batch_size`` is for the dataset and ignored here).

    Returns:
        A compiled :class:`ganlib.training.GAN`.
    """
    hp = settings(MLP_GAN, **overrides)
    offset = 0 if seed is None else seed
    generator = models.build_mlp_generator(
        hp["latent_dim"], hp["g_hidden"], image_shape, seed=None if seed is None else offset
    )
    discriminator = models.build_mlp_discriminator(
        image_shape, hp["d_hidden"], dropout=hp["dropout"], seed=None if seed is None else offset + 1000
    )
    gan = training.GAN(generator, discriminator, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(hp["d_lr"], beta_1=hp["beta_1"]),
        g_optimizer=keras.optimizers.Adam(hp["g_lr"], beta_1=hp["beta_1"]),
        loss=hp["loss"],
        d_steps=hp["d_steps"],
        label_smoothing=hp["label_smoothing"],
    )
    return gan
