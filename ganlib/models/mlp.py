"""Fully connected (multi-layer perceptron) generator and discriminator for small images.

The lesson-1 players: the generator maps a noise vector ``z`` to an image through a few ``Dense`` layers
and a ``tanh`` output in [-1, 1]; the discriminator flattens an image and returns one **logit** per image
(no sigmoid: the losses in :mod:`ganlib.losses` take logits).
"""

from __future__ import annotations

import math

import keras

from ganlib import _checks


def build_mlp_generator(
    latent_dim: int,
    hidden_units=(256, 512),
    image_shape=(28, 28, 1),
    batch_norm: bool = True,
    negative_slope: float = 0.2,
    seed: int | None = None,
) -> keras.Model:
    """Build an MLP generator ``z -> image``.

    Each hidden block is ``Dense -> [BatchNormalization] -> LeakyReLU``; the output is
    ``Dense(prod(image_shape), tanh)`` reshaped to ``image_shape``.

    Args:
        latent_dim: size of the noise vector ``z``.
        hidden_units: widths of the hidden layers, in order.
        image_shape: ``(height, width, channels)`` of the images made.
        batch_norm: normalise each hidden layer (steadier training of a deep generator).
        negative_slope: slope of ``LeakyReLU`` for negative inputs.
        seed: seed of the weight initialisers, for a repeatable model.

    Returns:
        A ``keras.Model`` named ``"generator"``: ``(batch, latent_dim) -> (batch, *image_shape)`` in [-1, 1].
    """
    _checks.positive_int("latent_dim", latent_dim)
    hidden_units = _checks.units("hidden_units", hidden_units)
    image_shape = _checks.image_shape(image_shape)
    negative_slope = _checks.fraction("negative_slope", negative_slope, upper_inclusive=True)
    next_seed = _checks.seed_stream(seed)

    def init():
        return keras.initializers.GlorotUniform(seed=next_seed())

    z = keras.Input(shape=(latent_dim,), name="z")
    x = z
    for units in hidden_units:
        x = keras.layers.Dense(units, use_bias=not batch_norm, kernel_initializer=init())(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=0.8)(x)
        x = keras.layers.LeakyReLU(negative_slope=negative_slope)(x)
    x = keras.layers.Dense(math.prod(image_shape), activation="tanh", kernel_initializer=init())(x)
    images = keras.layers.Reshape(image_shape, name="images")(x)
    return keras.Model(z, images, name="generator")


def build_mlp_discriminator(
    image_shape=(28, 28, 1),
    hidden_units=(512, 256),
    dropout: float = 0.3,
    negative_slope: float = 0.2,
    seed: int | None = None,
) -> keras.Model:
    """Build an MLP discriminator ``image -> logit``.

    Each hidden block is ``Dense -> LeakyReLU -> [Dropout]``; the output is one unbounded logit per image,
    ``D(x) = sigmoid(logit)`` being the estimated probability that ``x`` is real.

    Args:
        image_shape: ``(height, width, channels)`` of the images judged.
        hidden_units: widths of the hidden layers, in order.
        dropout: dropout rate after each hidden layer (0 turns it off); it makes memorising the
            training images harder for D.
        negative_slope: slope of ``LeakyReLU`` for negative inputs.
        seed: seed of the weight initialisers and dropout, for a repeatable model.

    Returns:
        A ``keras.Model`` named ``"discriminator"``: ``(batch, *image_shape) -> (batch, 1)`` logits.
    """
    image_shape = _checks.image_shape(image_shape)
    hidden_units = _checks.units("hidden_units", hidden_units)
    dropout = _checks.fraction("dropout", dropout)
    negative_slope = _checks.fraction("negative_slope", negative_slope, upper_inclusive=True)
    next_seed = _checks.seed_stream(seed)

    images = keras.Input(shape=image_shape, name="images")
    x = keras.layers.Flatten()(images)
    for units in hidden_units:
        x = keras.layers.Dense(units, kernel_initializer=keras.initializers.GlorotUniform(seed=next_seed()))(x)
        x = keras.layers.LeakyReLU(negative_slope=negative_slope)(x)
        if dropout:
            x = keras.layers.Dropout(dropout, seed=next_seed())(x)
    logits = keras.layers.Dense(1, name="logits", kernel_initializer=keras.initializers.GlorotUniform(seed=next_seed()))(x)
    return keras.Model(images, logits, name="discriminator")
