"""The building blocks the convolutional builders share: DCGAN's weight initialiser, batch-norm momentum,
and the down- and up-sampling blocks of :mod:`ganlib.models.dcgan` and :mod:`ganlib.models.pix2pix`."""

from __future__ import annotations

import keras

#: Batch norm's moving-average momentum (PyTorch's 0.1): ``moving = 0.9·moving + 0.1·batch_statistic``.
BATCH_NORM_MOMENTUM = 0.9


def normal_init(next_seed):
    """The DCGAN paper's initialiser, N(0, 0.02), seeded by the next seed of ``next_seed``."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02, seed=next_seed())


def down_block(x, filters, kernel_size, next_seed, *, strides=2, padding="same", batch_norm=True, name=None):
    """``Conv2D → [BatchNorm] → LeakyReLU(0.2)``: a discriminator's or an encoder's layer.

    The convolution has no bias when batch norm follows (the norm's shift ``beta`` replaces it).
    """
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=not batch_norm,
        kernel_initializer=normal_init(next_seed),
        name=name,
    )(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(x)
    return keras.layers.LeakyReLU(negative_slope=0.2)(x)


def up_block(x, filters, kernel_size, next_seed, *, dropout=0.0, name=None):
    """``Conv2DTranspose(stride 2, no bias) → BatchNorm → [Dropout] → ReLU``: a generator's or a decoder's layer."""
    x = keras.layers.Conv2DTranspose(
        filters,
        kernel_size,
        strides=2,
        padding="same",
        use_bias=False,
        kernel_initializer=normal_init(next_seed),
        name=name,
    )(x)
    x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(x)
    if dropout:
        x = keras.layers.Dropout(dropout, seed=next_seed())(x)
    return keras.layers.ReLU()(x)
