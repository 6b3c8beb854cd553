"""The CycleGAN players (Zhu, Park, Isola & Efros 2017, arXiv:1703.10593), from lesson 3's building blocks.

CycleGAN has two generators, ``G_ab: A -> B`` and ``G_ba: B -> A``, and two discriminators, ``D_a`` (real
A or not?) and ``D_b``. Here the generators are lesson 3's U-Net (:func:`ganlib.models.build_unet_generator`)
without dropout (CycleGAN has no noise source: each picture has one translation), and the discriminators
are PatchGANs that judge **one** image, not a pair: there is no input to pair the output with.
"""

from __future__ import annotations

import keras

from ganlib import _checks
from ganlib.models.layers import BATCH_NORM_MOMENTUM, normal_init
from ganlib.models.pix2pix import KERNEL_SIZE, RECEPTIVE_FIELDS, build_unet_generator, check_patches_fit

#: The names the two generators and discriminators carry (inside a saved pair, see ganlib.training.cyclegan).
GENERATOR_NAMES = {"a2b": "generator_a2b", "b2a": "generator_b2a"}
DISCRIMINATOR_NAMES = {"a": "discriminator_a", "b": "discriminator_b"}


def build_cycle_generator(
    image_shape=(32, 32, 3),
    base_filters: int = 16,
    depth: int | None = None,
    max_filters: int | None = None,
    name: str = "generator_a2b",
    seed: int | None = None,
) -> keras.Model:
    """Build one CycleGAN generator: a U-Net ``(batch, H, W, C) -> (batch, H, W, C)`` in [-1, 1], no dropout.

    Args:
        image_shape: ``(height, width, channels)``, the same for both domains.
        base_filters: filters of the first encoder layer (doubling up to ``max_filters``).
        depth: encoder layers (default: down to 1×1).
        max_filters: cap on a layer's filters (default ``8 * base_filters``).
        name: the model's name (:data:`GENERATOR_NAMES`).
        seed: seed of the initialisers.
    """
    unet = build_unet_generator(
        image_shape, base_filters, depth=depth, dropout=0.0, max_filters=max_filters, seed=seed
    )
    # The one input and output as tensors, not one-element lists: a model built on lists expects a list, and
    # Keras warns at every call with a plain batch of pictures.
    return keras.Model(unet.input, unet.output, name=name)


def build_patch_discriminator(
    image_shape=(32, 32, 3),
    receptive_field: int = 34,
    base_filters: int = 32,
    batch_norm: bool = True,
    name: str = "discriminator_a",
    seed: int | None = None,
) -> keras.Model:
    """Build a PatchGAN that judges single images: ``(batch, H, W, C) -> (batch, rows, cols, 1)`` logits.

    The layers of :func:`ganlib.models.build_patchgan_discriminator` (4×4 convolutions, ``receptive_field``
    from :data:`ganlib.models.pix2pix.RECEPTIVE_FIELDS` except the 1-pixel PixelGAN, LeakyReLU(0.2), batch
    norm after all but the first and the last convolution), on one image instead of an ``(input, output)``
    pair. For 32×32 images and ``receptive_field=34``: ``C32(s2) C64(s2) C128(s1) C1(s1)``, 6×6 logits.

    Args:
        image_shape: ``(height, width, channels)`` of the images judged.
        receptive_field: pixels each logit sees: 16, 34, 70, 142 or 286.
        base_filters: filters of the first layer; each next one doubles, up to ``8 * base_filters``.
        batch_norm: batch norm after every convolution but the first and the last.
        name: the model's name (:data:`DISCRIMINATOR_NAMES`).
        seed: seed of the initialisers.
    """
    image_shape = _checks.image_shape(image_shape)
    base_filters = _checks.positive_int("base_filters", base_filters)
    downsamplings = RECEPTIVE_FIELDS.get(receptive_field)
    if downsamplings is None:
        choices = sorted(field for field, layers in RECEPTIVE_FIELDS.items() if layers)
        raise ValueError(f"Expected `receptive_field` in {choices}. Received: receptive_field={receptive_field!r}")
    check_patches_fit(image_shape, downsamplings, receptive_field)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))
    inputs = keras.Input(shape=image_shape, name="image")
    x = inputs
    for index in range(downsamplings + 1):
        stride = 2 if index < downsamplings else 1
        if stride == 1:
            x = keras.layers.ZeroPadding2D(1)(x)
        x = keras.layers.Conv2D(
            min(base_filters * 2**index, 8 * base_filters),
            KERNEL_SIZE,
            strides=stride,
            padding="same" if stride == 2 else "valid",
            use_bias=index == 0 or not batch_norm,
            kernel_initializer=normal_init(next_seed),
        )(x)
        if batch_norm and index > 0:
            x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(x)
        x = keras.layers.LeakyReLU(negative_slope=0.2)(x)
    x = keras.layers.ZeroPadding2D(1)(x)
    logits = keras.layers.Conv2D(1, KERNEL_SIZE, kernel_initializer=normal_init(next_seed), name="logits")(x)
    return keras.Model(inputs, logits, name=name)
