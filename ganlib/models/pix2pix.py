"""U-Net generator and PatchGAN discriminator of pix2pix (Isola, Zhu, Zhou & Efros 2017, arXiv:1611.07004).

The lesson-3 players. pix2pix is a *conditional* GAN: the generator maps an input image ``x`` to an output
image, and the discriminator judges **pairs** ``(x, y)``: is ``y`` the real counterpart of ``x`` or the
generator's attempt?

* **U-Net generator.** An encoder halves the image ``depth`` times with strided convolutions (down to 1×1
  for the default depth), a decoder doubles it back with transposed convolutions, and **skip connections**
  concatenate each encoder layer's output onto the decoder layer of the same size. Input and output share
  their layout (the edges of a digit, the outline of a face), and the skips carry it across directly
  instead of squeezing it through the bottleneck. Dropout in the first decoder layers is the paper's source
  of noise.
* **PatchGAN discriminator.** Instead of one logit per image, a fully convolutional stack gives a grid of
  logits, each judging one ``receptive_field``×``receptive_field`` patch of the pair. The L1 term already
  gets the low frequencies (where things are) right; D only has to demand sharp, realistic texture, which
  is a local property. "70×70" is the side of the patch each logit sees: three stride-2 4×4 convolutions,
  then two stride-1 ones, give ``1 + 3·(1 + 2 + 4 + 8 + 8) = 70`` pixels.

Both follow the paper's details: 4×4 kernels, batch norm (not on the first encoder / discriminator layer),
LeakyReLU(0.2) in the encoder and discriminator, ReLU in the decoder, ``tanh`` output, N(0, 0.02) weights.

The U-Net's two blocks are public, :func:`unet_down_block` and :func:`unet_up_block`: lesson 3's learner writes
their own (and their own discriminator, and the loss) and :func:`build_unet_generator` builds the U-Net from them
(``down_block=``, ``up_block=``).
"""

from __future__ import annotations

import inspect
import math

import keras
from keras import ops

from ganlib import _checks
from ganlib.data.lab import LAB_AB_SCALE
from ganlib.models.layers import down_block, normal_init, up_block

KERNEL_SIZE = 4
#: PatchGAN receptive fields (pixels) and the stride-2 layers that give them (paper: 1, 16, 70, 286).
RECEPTIVE_FIELDS = {1: None, 16: 1, 34: 2, 70: 3, 142: 4, 286: 5}


def unet_down_block(x, filters: int, batch_norm: bool = True, seed: int | None = None, *, name: str | None = None):
    """One encoder layer of the U-Net: ``Conv2D(4×4, stride 2) → [BatchNorm] → LeakyReLU(0.2)``; halves the size.

    The convolution (``padding="same"``, N(0, 0.02) weights) has no bias when batch norm follows (the norm's
    shift replaces it); batch norm keeps moving averages with momentum
    :data:`ganlib.models.layers.BATCH_NORM_MOMENTUM` (0.9). pix2pix's first encoder layer has no batch norm.

    Args:
        x: the input tensor ``(batch, H, W, C)`` (a Keras tensor of the functional API).
        filters: channels of the output.
        batch_norm: batch norm between the convolution and the activation.
        seed: seed of the convolution's initialiser (``None``: unseeded).
        name: name of the convolution layer.

    Returns:
        The output tensor ``(batch, H/2, W/2, filters)``.
    """
    return down_block(x, filters, KERNEL_SIZE, lambda: seed, batch_norm=batch_norm, name=name)


def unet_up_block(x, skip, filters: int, dropout: float = 0.0, seed: int | None = None, *, name: str | None = None):
    """One decoder layer of the U-Net and its skip connection: ``Conv2DTranspose(4×4, stride 2) → BatchNorm →
    [Dropout] → ReLU``, then ``concatenate([output, skip])`` on channels; doubles the size.

    The transposed convolution (``padding="same"``, N(0, 0.02) weights, no bias) is followed by batch norm
    (momentum 0.9). The concatenation puts the decoder's output first and the encoder's ``skip`` second (as the
    TensorFlow pix2pix tutorial does); either order trains as well, but the next layer's weights follow it.

    Args:
        x: the input tensor ``(batch, H, W, C)``.
        skip: the encoder's output of the doubled size, ``(batch, 2H, 2W, C_skip)``.
        filters: channels of the transposed convolution.
        dropout: dropout rate after batch norm (0: no dropout layer); active in training only.
        seed: seed of the initialiser; the dropout's is ``seed + 1`` (``None``: unseeded).
        name: name of the transposed convolution layer.

    Returns:
        The output tensor ``(batch, 2H, 2W, filters + C_skip)``.
    """
    seeds = iter((seed, None if seed is None else seed + 1))
    x = up_block(x, filters, KERNEL_SIZE, lambda: next(seeds), dropout=dropout, name=name)
    return keras.layers.Concatenate()([x, skip])


def _accepts_name(block) -> bool:
    """Whether ``block`` takes a ``name`` argument (ganlib's blocks name their layers ``encoder1``, …)."""
    try:
        return "name" in inspect.signature(block).parameters
    except (TypeError, ValueError):
        return False


def _checked(output, block: str, want: tuple, got_from: str):
    """``output`` of a learner's ``block`` if its shape is ``(batch,) + want``; else a ValueError saying so."""
    shape = tuple(getattr(output, "shape", ()) or ())
    if shape[1:] != want:
        raise ValueError(
            f"Expected `{block}` to return a tensor of shape (batch, {', '.join(map(str, want))}) for {got_from}. "
            f"Received: {shape if shape else type(output).__name__}"
        )
    return output


def receptive_field(kernel_sizes, strides) -> int:
    """Return the receptive field (pixels) of a stack of convolutions: ``1 + Σ (k_i − 1) · Π_{j<i} s_j``."""
    field, jump = 1, 1
    for kernel, stride in zip(kernel_sizes, strides, strict=True):
        field += (kernel - 1) * jump
        jump *= stride
    return field


def default_depth(image_shape) -> int:
    """Encoder layers that bring an image of ``image_shape`` down to 1×1 (e.g. 5 for 32, 8 for 256)."""
    side = min(image_shape[:2])
    return max(1, int(math.log2(side)))


@keras.saving.register_keras_serializable(package="ganlib")
class LabToRGB(keras.layers.Layer):
    """Combine lightness and predicted colour into RGB: ``[L, ab] -> RGB``, all in [-1, 1].

    ``L`` is Lab lightness scaled as ``L/50 − 1`` and ``ab`` the two colour channels scaled by 1/110 (as
    :func:`ganlib.data.rgb_to_lab` makes them). The conversion is the CIE Lab → XYZ (D65) → sRGB formula,
    differentiable, so a colouriser can predict only colour and still be trained and judged in RGB: its
    output keeps the input's lightness exactly (up to colours outside the RGB gamut, which are clipped).
    """

    def call(self, inputs):
        lightness, ab = inputs
        lightness = (lightness + 1.0) * 50.0
        fy = (lightness + 16.0) / 116.0
        fx = fy + ab[..., :1] * (LAB_AB_SCALE / 500.0)
        fz = fy - ab[..., 1:2] * (LAB_AB_SCALE / 200.0)
        delta = 6.0 / 29.0

        def finv(t):
            return ops.where(t > delta, t**3, 3.0 * delta**2 * (t - 4.0 / 29.0))

        x, y, z = 0.95047 * finv(fx), finv(fy), 1.08883 * finv(fz)
        r = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z
        g = -0.9692660 * x + 1.8760108 * y + 0.0415560 * z
        b = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z
        linear = ops.clip(ops.concatenate([r, g, b], axis=-1), 0.0, 1.0)
        safe = ops.maximum(linear, 0.0031308)  # keeps the power's gradient finite near 0
        srgb = ops.where(linear > 0.0031308, 1.055 * safe ** (1.0 / 2.4) - 0.055, 12.92 * linear)
        return srgb * 2.0 - 1.0

    def compute_output_shape(self, input_shapes):
        return tuple(input_shapes[0][:-1]) + (3,)


def build_unet_generator(
    image_shape=(32, 32, 1),
    base_filters: int = 32,
    depth: int | None = None,
    out_channels: int | None = None,
    dropout: float = 0.5,
    dropout_layers: int = 3,
    max_filters: int | None = None,
    colorize: bool = False,
    max_chroma: float = 1.0,
    seed: int | None = None,
    down_block=None,
    up_block=None,
) -> keras.Model:
    """Build a U-Net generator ``input image -> output image`` of the same height and width.

    Layers, for 32×32×1 images, ``base_filters=32`` (``depth`` 5)::

        input 32×32×1 -> e1 Conv(32, s2) LReLU            16×16×32
                      -> e2 Conv(64, s2) BN LReLU         8×8×64
                      -> e3 Conv(128, s2) BN LReLU        4×4×128
                      -> e4 Conv(256, s2) BN LReLU        2×2×256
                      -> e5 Conv(256, s2) BN LReLU        1×1×256      (the bottleneck)
                      -> d1 ConvT(256, s2) BN Dropout ReLU, concat e4    2×2×512
                      -> d2 ConvT(128, s2) BN Dropout ReLU, concat e3    4×4×256
                      -> d3 ConvT(64, s2) BN Dropout ReLU, concat e2     8×8×128
                      -> d4 ConvT(32, s2) BN ReLU, concat e1             16×16×64
                      -> ConvT(out_channels, s2) tanh                    32×32×1

    Args:
        image_shape: ``(height, width, channels)`` of the input; height and width divisible by
            ``2**depth``.
        base_filters: filters of the first encoder layer; each next one doubles, up to ``max_filters``.
        depth: encoder layers (stride-2 halvings); default: down to 1×1 (:func:`default_depth`).
        out_channels: channels of the output (default: as the input; 3 with ``colorize``).
        dropout: dropout rate in the first ``dropout_layers`` decoder layers (the paper: 0.5 in three).
        dropout_layers: how many decoder layers get dropout.
        max_filters: cap on the filters of a layer (default ``8 * base_filters``, the paper's 64 → 512).
        colorize: predict only colour: the network outputs Lab's a and b (layer ``"ab"``), and
            :class:`LabToRGB` combines them with the input, taken as Lab lightness, into RGB. Needs a
            one-channel input.
        max_chroma: with ``colorize``: the largest colour the network can paint, as a share of the full
            ``ab`` range (±110): its tanh output is scaled by this (layer ``"ab"``). A cap below 1 bounds
            how wrong a confident colour can be where the training photographs gave no evidence.
        seed: seed of the initialisers and dropout, for a repeatable model.
        down_block: the encoder's block, ``down_block(x, filters, batch_norm=…, seed=…)`` (default
            :func:`unet_down_block`); it must halve the height and width.
        up_block: the decoder's block with its skip connection, ``up_block(x, skip, filters, dropout=…,
            seed=…)`` (default :func:`unet_up_block`); it must double the height and width and concatenate
            ``skip``. Each block gets its own seed from ``seed, seed + 1, …``; a decoder block with dropout
            gets two (its ``seed`` and ``seed + 1``). Blocks that take a ``name`` get ``encoder1``, … and
            ``decoder1``, …

    Returns:
        A ``keras.Model`` named ``"unet_generator"``: ``(batch, H, W, C_in) -> (batch, H, W, out_channels)``
        in [-1, 1].
    """
    image_shape = _checks.image_shape(image_shape)
    base_filters = _checks.positive_int("base_filters", base_filters)
    depth = default_depth(image_shape) if depth is None else _checks.positive_int("depth", depth)
    max_filters = 8 * base_filters if max_filters is None else _checks.positive_int("max_filters", max_filters)
    dropout = _checks.fraction("dropout", dropout)
    if not isinstance(dropout_layers, int) or dropout_layers < 0:
        raise ValueError(f"Expected `dropout_layers` >= 0. Received: dropout_layers={dropout_layers!r}")
    if colorize:
        if image_shape[-1] != 1:
            raise ValueError(
                "Expected a one-channel (lightness) input with `colorize=True`. "
                f"Received: image_shape={image_shape!r}"
            )
        if out_channels not in (None, 3):
            raise ValueError(f"Expected `out_channels` 3 with `colorize=True`. Received: out_channels={out_channels!r}")
    max_chroma = float(max_chroma)
    if not 0.0 < max_chroma <= 1.0:
        raise ValueError(f"Expected 0 < `max_chroma` <= 1. Received: max_chroma={max_chroma!r}")
    out_channels = (3 if colorize else image_shape[-1]) if out_channels is None else out_channels
    out_channels = _checks.positive_int("out_channels", out_channels)
    height, width, _ = image_shape
    if height % 2**depth or width % 2**depth:
        raise ValueError(
            f"Expected height and width divisible by 2**depth = {2**depth}. "
            f"Received: image_shape={image_shape!r}, depth={depth}"
        )
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))
    filters = [min(base_filters * 2**i, max_filters) for i in range(depth)]

    down_block = unet_down_block if down_block is None else down_block
    up_block = unet_up_block if up_block is None else up_block
    for role, block in (("down_block", down_block), ("up_block", up_block)):
        if not callable(block):
            raise ValueError(f"Expected `{role}` to be a function. Received: {role}={block!r}")
    down_named, up_named = _accepts_name(down_block), _accepts_name(up_block)

    inputs = keras.Input(shape=image_shape, name="input_image")
    x, skips, side = inputs, [], (height, width)
    for index, units in enumerate(filters):
        named = {"name": f"encoder{index + 1}"} if down_named else {}
        given, side = tuple(x.shape[1:]), (side[0] // 2, side[1] // 2)
        x = down_block(x, units, batch_norm=index > 0, seed=next_seed(), **named)
        skips.append(_checked(x, "down_block", (*side, units), f"filters={units} and an input of shape {given}"))
    for index, (units, skip) in enumerate(zip(filters[-2::-1], skips[-2::-1], strict=True)):
        rate = dropout if index < dropout_layers else 0.0
        block_seed = next_seed()
        if rate:
            next_seed()  # the dropout's seed: block_seed + 1
        named = {"name": f"decoder{index + 1}"} if up_named else {}
        x = up_block(x, skip, units, dropout=rate, seed=block_seed, **named)
        want = (*skip.shape[1:3], units + skip.shape[-1])
        x = _checked(x, "up_block", want, f"filters={units} and a skip of shape {tuple(skip.shape[1:])}")
    head = keras.layers.Conv2DTranspose(
        2 if colorize else out_channels,
        KERNEL_SIZE,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=normal_init(next_seed),
        name="ab_unit" if colorize else "output_image",
    )(x)
    if not colorize:
        return keras.Model(inputs, head, name="unet_generator")
    ab = keras.layers.Rescaling(max_chroma, name="ab")(head)
    outputs = LabToRGB(name="lab_to_rgb")([inputs, ab])
    return keras.Model(inputs, outputs, name="unet_generator")


def check_patches_fit(image_shape, downsamplings: int, receptive_field: int) -> None:
    """Refuse images too small for a PatchGAN with ``downsamplings`` stride-2 layers (its two 4×4 stride-1
    layers need at least one logit left)."""
    side = min(image_shape[:2])
    for _ in range(downsamplings):
        side = -(-side // 2)
    if side - 2 < 1:
        raise ValueError(
            f"Images of {image_shape[0]}×{image_shape[1]} are too small for receptive_field={receptive_field}: "
            "choose a smaller one."
        )


def build_patchgan_discriminator(
    image_shape=(32, 32, 1),
    target_channels: int | None = None,
    receptive_field: int = 70,
    base_filters: int = 64,
    batch_norm: bool = True,
    seed: int | None = None,
) -> keras.Model:
    """Build a PatchGAN discriminator ``(input image, target or output image) -> grid of logits``.

    For ``receptive_field=70`` (the paper's default) and 256×256 images: ``C64(s2) C128(s2) C256(s2)
    C512(s1) C1(s1)``, all 4×4, giving 30×30 logits. Fewer stride-2 layers give the smaller patches
    (16: one, 34: two), more the larger ones (142: four, 286: five); ``1`` is the paper's *PixelGAN*
    (1×1 convolutions, one logit per pixel).

    Args:
        image_shape: ``(height, width, channels)`` of the input image.
        target_channels: channels of the target/output image (default: as the input).
        receptive_field: pixels each logit sees, one of :data:`RECEPTIVE_FIELDS`.
        base_filters: filters of the first layer; each next one doubles, up to ``8 * base_filters``.
        batch_norm: batch norm after every convolution but the first and the last.
        seed: seed of the initialisers, for a repeatable model.

    Returns:
        A ``keras.Model`` named ``"patchgan_discriminator"`` with inputs ``[input_image, target_image]``
        and output ``(batch, rows, cols, 1)`` logits.
    """
    image_shape = _checks.image_shape(image_shape)
    target_channels = image_shape[-1] if target_channels is None else target_channels
    target_channels = _checks.positive_int("target_channels", target_channels)
    base_filters = _checks.positive_int("base_filters", base_filters)
    if receptive_field not in RECEPTIVE_FIELDS:
        raise ValueError(
            f"Expected `receptive_field` in {sorted(RECEPTIVE_FIELDS)}. Received: receptive_field={receptive_field!r}"
        )
    downsamplings = RECEPTIVE_FIELDS[receptive_field]
    if downsamplings is not None:
        check_patches_fit(image_shape, downsamplings, receptive_field)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))
    inputs = keras.Input(shape=image_shape, name="input_image")
    targets = keras.Input(shape=image_shape[:2] + (target_channels,), name="target_image")
    x = keras.layers.Concatenate()([inputs, targets])

    def block(x, units, kernel, stride, index, pad):
        if pad:
            x = keras.layers.ZeroPadding2D(1)(x)
        padding = "same" if stride == 2 else "valid"
        return down_block(x, units, kernel, next_seed, strides=stride, padding=padding, batch_norm=batch_norm and index > 0)

    if downsamplings is None:  # PixelGAN
        x = block(x, base_filters, 1, 1, 0, pad=False)
        x = block(x, 2 * base_filters, 1, 1, 1, pad=False)
        kernel, pad = 1, False
    else:
        for index in range(downsamplings):
            x = block(x, min(base_filters * 2**index, 8 * base_filters), KERNEL_SIZE, 2, index, pad=False)
        x = block(x, min(base_filters * 2**downsamplings, 8 * base_filters), KERNEL_SIZE, 1, downsamplings, pad=True)
        kernel, pad = KERNEL_SIZE, True
    if pad:
        x = keras.layers.ZeroPadding2D(1)(x)
    logits = keras.layers.Conv2D(1, kernel, kernel_initializer=normal_init(next_seed), name="logits")(x)
    return keras.Model([inputs, targets], logits, name="patchgan_discriminator")
