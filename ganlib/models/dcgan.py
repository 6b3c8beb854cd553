"""Deep convolutional generator and discriminator (DCGAN, Radford, Metz & Chintala 2015, arXiv:1511.06434).

The lesson-2 players. The DCGAN paper turned a set of architecture guidelines into the first convolutional
GANs that trained reliably; both builders here follow them:

* **Strided convolutions instead of pooling.** The discriminator halves the image size with
  ``Conv2D(strides=2)`` and the generator doubles it with ``Conv2DTranspose(strides=2)``, so each network
  learns its own down- or up-sampling instead of using a fixed pooling or resizing rule.
* **Batch normalisation** in the generator (every layer but the output) and in the discriminator (every
  layer but the first). Normalising each layer's activations keeps signals and gradients at a healthy
  scale through the deep stack; the paper found it critical to get deep generators to start learning.
  Applied to every layer it made samples oscillate and training unstable, which leaving it out of the
  generator's output layer and the discriminator's input layer avoided (Radford et al., section 3).
* **No fully connected hidden layers**: the generator's only ``Dense`` layer projects ``z`` to a small
  stack of feature maps; the discriminator's only one turns its last feature maps into a logit.
* **ReLU in the generator** (``tanh`` at the output, for images in [-1, 1]) and **LeakyReLU(0.2) in the
  discriminator**, which the paper found to work well. A ReLU passes no gradient for negative inputs; the
  leaky slope keeps every unit passing some gradient back to the image, and so to the generator. (It does
  not help when the *loss* saturates, i.e. when the sigmoid of a confidently rejected fake is flat: that
  is what the non-saturating loss of :mod:`ganlib.losses` is for.)
* **Weights drawn from N(0, 0.02)**, the paper's initialisation.

The batch-norm layers use ``momentum=0.9`` (PyTorch's 0.1): after each training-mode batch Keras updates
``moving = 0.9·moving + 0.1·batch_statistic`` for the mean and the variance, so the moving statistics, used
when sampling with ``training=False``, keep up with a generator that changes quickly during a short run.

Sizes: 28×28 images grow from a 7×7 map (two upsamplings: 7→14→28); 32×32 and 64×64 images from a 4×4 map
(three or four upsamplings). The number of filters halves at each upsampling, ending at ``base_filters``
before the output layer; the discriminator mirrors this, doubling from ``base_filters``.

The hidden layers are blocks, :func:`up_block` in the generator and :func:`down_block` in the
discriminator, and both builders take another block with the same signature (``up_block=``,
``down_block=``): lesson 2's learner writes their own and trains the networks built from them (see
:mod:`ganlib.exercises.lesson02`).
"""

from __future__ import annotations

import keras

from ganlib import _checks
from ganlib.models import layers as _layers
from ganlib.models import stabilisers
from ganlib.models.layers import BATCH_NORM_MOMENTUM, normal_init

#: Supported image sizes (height == width) and the side of the generator's first feature map.
START_SIZES = {28: 7, 32: 4, 64: 4}


def doublings(image_shape, hint: str = "(e.g. (28, 28, 1) or (64, 64, 3))") -> int:
    """Number of stride-2 layers between the first feature map and an image of ``image_shape``; ``hint``
    ends the error for other shapes."""
    height, width, _ = image_shape
    if height != width or height not in START_SIZES:
        raise ValueError(
            f"Expected `image_shape` with height == width in {sorted(START_SIZES)} {hint}. "
            f"Received: image_shape={tuple(image_shape)!r}"
        )
    side, start, count = height, START_SIZES[height], 0
    while side > start:
        side //= 2
        count += 1
    return count


def up_block(x, filters: int, kernel_size: int, seed: int | None = None):
    """The DCGAN generator's hidden layer: ``Conv2DTranspose(stride 2, "same", no bias) → BatchNorm → ReLU``.

    The transposed convolution doubles the height and the width of ``x``; it has no bias because batch norm
    follows (the norm's shift β replaces it), so the block has ``kernel_size² · in_channels · filters``
    weights plus ``4 · filters`` in batch norm (γ and β, trained; the moving mean and variance, not trained).
    Batch norm uses the batch's statistics in training mode and its moving averages (momentum
    :data:`~ganlib.models.layers.BATCH_NORM_MOMENTUM`) in inference mode.

    Args:
        x: a ``(batch, height, width, channels)`` Keras tensor.
        filters: channels of the output.
        kernel_size: side of the transposed convolution's kernel.
        seed: seed of the kernel's N(0, 0.02) initialiser.

    Returns:
        The ``(batch, 2·height, 2·width, filters)`` output tensor.
    """
    return _layers.up_block(x, filters, kernel_size, lambda: seed)


def down_block(x, filters: int, kernel_size: int, seed: int | None = None, batch_norm: bool = True):
    """The DCGAN discriminator's hidden layer: ``Conv2D(stride 2, "same") → [BatchNorm] → LeakyReLU(0.2)``.

    The strided convolution halves the height and the width of ``x``. With ``batch_norm`` the convolution
    has no bias (batch norm's shift β replaces it); the discriminator's first block has no batch norm (the
    DCGAN paper leaves it out of D's input layer), and its convolution keeps its bias.

    Args:
        x: a ``(batch, height, width, channels)`` Keras tensor.
        filters: channels of the output.
        kernel_size: side of the convolution's kernel.
        seed: seed of the kernel's N(0, 0.02) initialiser.
        batch_norm: whether batch norm follows the convolution.

    Returns:
        The ``(batch, height / 2, width / 2, filters)`` output tensor (sizes rounded up).
    """
    return _layers.down_block(x, filters, kernel_size, lambda: seed, batch_norm=batch_norm)


#: ganlib's own blocks, used when a builder is given none.
_DEFAULT_BLOCKS = {"up_block": up_block, "down_block": down_block}


def _block(name: str, block):
    """``block`` if it is a function (a learner's block), ganlib's own block ``name`` when it is ``None``."""
    if block is None:
        return _DEFAULT_BLOCKS[name]
    if not callable(block):
        raise ValueError(
            f"Expected `{name}` to be a function like ganlib.models.dcgan.{name}. Received: {name}={block!r}"
        )
    return block


def _expect_shape(name: str, x, side: int, filters: int):
    """Raise a ValueError naming ``name`` when the block's output ``x`` is not ``(side, side, filters)``."""
    shape = tuple(getattr(x, "shape", ()))[1:]
    if shape != (side, side, filters):
        raise ValueError(
            f"Expected `{name}` to return a tensor of shape (batch, {side}, {side}, {filters}) here. "
            f"Received: shape {tuple(getattr(x, 'shape', ()))}"
        )
    return x


def upsample_to_image(x, image_shape, base_filters: int, kernel_size: int, next_seed, upsamplings: int,
                      up_block=None):
    """The DCGAN generator's body on a vector ``x``: project and reshape it onto a small stack of feature
    maps, then ``upsamplings`` stride-2 transposed convolutions (halving the filters each time; all but the
    last are ``up_block``s, :func:`up_block` by default) to a tanh image of ``image_shape`` (layer
    ``"images"``)."""
    up_block = _block("up_block", up_block)
    side = START_SIZES[image_shape[0]]
    filters = base_filters * 2 ** (upsamplings - 1)
    # Project and reshape: the one fully connected layer, onto a small stack of feature maps.
    x = keras.layers.Dense(side * side * filters, use_bias=False, kernel_initializer=normal_init(next_seed))(x)
    x = keras.layers.Reshape((side, side, filters))(x)
    x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(x)
    x = keras.layers.ReLU()(x)
    for _ in range(upsamplings - 1):
        filters //= 2
        side *= 2
        x = _expect_shape("up_block", up_block(x, filters, kernel_size, next_seed()), side, filters)
    return keras.layers.Conv2DTranspose(
        image_shape[-1],
        kernel_size,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=normal_init(next_seed),
        name="images",
    )(x)


def build_dcgan_generator(
    latent_dim: int,
    image_shape=(28, 28, 1),
    base_filters: int = 64,
    kernel_size: int = 4,
    seed: int | None = None,
    up_block=None,
) -> keras.Model:
    """Build a DCGAN generator ``z -> image``.

    Layers, for 28×28×1 images and ``base_filters=64``::

        z (latent_dim) -> Dense(7·7·128) -> Reshape(7, 7, 128) -> BatchNorm -> ReLU
          -> Conv2DTranspose(64, stride 2) -> BatchNorm -> ReLU          # 14×14×64
          -> Conv2DTranspose(1, stride 2, tanh)                           # 28×28×1

    Layers followed by batch normalisation have no bias: the norm's own shift ``beta`` replaces it.

    Args:
        latent_dim: size of the noise vector ``z``.
        image_shape: ``(height, width, channels)`` of the images made; height == width, one of 28, 32 or 64,
            with any number of channels.
        base_filters: filters of the last hidden layer; each earlier layer has twice as many as the next
            (the paper's 64×64 generator is ``base_filters=128``: 1024 → 512 → 256 → 128 → 3).
        kernel_size: side of the transposed-convolution kernels. 4 is divisible by the stride 2, so the
            kernels overlap evenly, which removes one cause of checkerboard artefacts (Odena et al. 2016,
            "Deconvolution and Checkerboard Artifacts").
        seed: seed of the weight initialisers, for a repeatable model.
        up_block: the hidden layers' block, a function ``up_block(x, filters, kernel_size, seed)`` returning
            ``x`` upsampled twice with ``filters`` channels (default: :func:`up_block`; lesson 2 passes the
            learner's). Each call gets the next seed of the builder's stream.

    Returns:
        A ``keras.Model`` named ``"generator"``: ``(batch, latent_dim) -> (batch, *image_shape)`` in [-1, 1].

    Raises:
        ValueError: for a non-positive size, an image size other than 28, 32 or 64 (square), or an
            ``up_block`` that is not a function or does not double the size to ``filters`` channels.
    """
    latent_dim = _checks.positive_int("latent_dim", latent_dim)
    image_shape = _checks.image_shape(image_shape)
    base_filters = _checks.positive_int("base_filters", base_filters)
    kernel_size = _checks.positive_int("kernel_size", kernel_size)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))
    upsamplings = doublings(image_shape)
    z = keras.Input(shape=(latent_dim,), name="z")
    images = upsample_to_image(z, image_shape, base_filters, kernel_size, next_seed, upsamplings, up_block)
    return keras.Model(z, images, name="generator")


def build_dcgan_discriminator(
    image_shape=(28, 28, 1),
    base_filters: int = 64,
    kernel_size: int = 4,
    dropout: float = 0.0,
    batch_norm: bool = True,
    seed: int | None = None,
    down_block=None,
    spectral_norm: bool = False,
    minibatch_std: int = 0,
    power_iteration_fn=None,
) -> keras.Model:
    """Build a DCGAN discriminator ``image -> logit``.

    Layers, for 28×28×1 images and ``base_filters=64``::

        image (28, 28, 1) -> Conv2D(64, stride 2) -> LeakyReLU(0.2)            # 14×14×64, no batch norm
          -> Conv2D(128, stride 2) -> BatchNorm -> LeakyReLU(0.2)               # 7×7×128
          -> Flatten -> Dense(1)                                                # one logit per image

    The output is one unbounded logit per image, ``D(x) = sigmoid(logit)`` being the estimated probability
    that ``x`` is real (the losses in :mod:`ganlib.losses` take logits).

    Args:
        image_shape: ``(height, width, channels)`` of the images judged; height == width, one of 28, 32
            or 64, with any number of channels.
        base_filters: filters of the first convolution; each later one has twice as many.
        kernel_size: side of the convolution kernels.
        dropout: dropout rate after each hidden layer (0, the paper's setting, turns it off).
        batch_norm: batch norm after every convolution but the first (the paper's setting). Without it,
            D judges each image on its own rather than with the statistics of its batch.
        seed: seed of the weight initialisers and dropout, for a repeatable model.
        down_block: the hidden layers' block, a function ``down_block(x, filters, kernel_size, seed,
            batch_norm=…)`` returning ``x`` halved with ``filters`` channels (default: :func:`down_block`;
            lesson 2 passes the learner's). The first block gets ``batch_norm=False``; each call gets the next
            seed of the builder's stream.
        spectral_norm: lesson 7: every convolution a :class:`~ganlib.models.stabilisers.SpectralConv2D` and the
            logit a :class:`~ganlib.models.stabilisers.SpectralDense`, without batch norm (Miyato et al. 2018's
            discriminators have none); ``down_block`` is then not used.
        minibatch_std: lesson 7: group size of a :class:`~ganlib.models.stabilisers.MinibatchStdDev` layer before
            the last block (0: none).
        power_iteration_fn: the spectral layers' power iteration (default
            :func:`ganlib.models.stabilisers.power_iteration`).

    Returns:
        A ``keras.Model`` named ``"discriminator"``: ``(batch, *image_shape) -> (batch, 1)`` logits.

    Raises:
        ValueError: for a non-positive size, a dropout outside [0, 1), an image size other than 28, 32
            or 64 (square), or a ``down_block`` that is not a function or does not halve the size to
            ``filters`` channels.
    """
    image_shape = _checks.image_shape(image_shape)
    base_filters = _checks.positive_int("base_filters", base_filters)
    kernel_size = _checks.positive_int("kernel_size", kernel_size)
    dropout = _checks.fraction("dropout", dropout)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))
    downsamplings = doublings(image_shape)
    block = _block("down_block", down_block)
    if spectral_norm and down_block is not None:
        raise ValueError("Expected `down_block=None` with `spectral_norm=True`: the spectral blocks are ganlib's.")
    if power_iteration_fn is not None and not spectral_norm:
        raise ValueError("Expected `spectral_norm=True` with `power_iteration_fn`: only spectral layers use it.")
    if isinstance(minibatch_std, bool) or not isinstance(minibatch_std, int) or minibatch_std < 0:
        raise ValueError(f"Expected `minibatch_std` >= 0 (a group size; 0 for none). Received: minibatch_std={minibatch_std!r}")

    if spectral_norm:
        def block(x, filters, kernel_size, seed, batch_norm=True):  # noqa: F811 (SN-GAN's: no batch norm)
            conv = stabilisers.SpectralConv2D(filters, kernel_size, strides=2, seed=seed,
                                              power_iteration_fn=power_iteration_fn)
            return keras.layers.LeakyReLU(negative_slope=0.2)(conv(x))

    images = keras.Input(shape=image_shape, name="images")
    x = images
    filters, side = base_filters, image_shape[0]
    for index in range(downsamplings):
        side = -(-side // 2)
        if minibatch_std and index == downsamplings - 1:
            x = stabilisers.MinibatchStdDev(minibatch_std)(x)
        x = block(x, filters, kernel_size, next_seed(), batch_norm=batch_norm and index > 0)
        x = _expect_shape("down_block", x, side, filters)
        if dropout:
            x = keras.layers.Dropout(dropout, seed=next_seed())(x)
        filters *= 2
    x = keras.layers.Flatten()(x)
    if spectral_norm:
        logits = stabilisers.SpectralDense(1, seed=next_seed(), power_iteration_fn=power_iteration_fn, name="logits")(x)
    else:
        logits = keras.layers.Dense(1, name="logits", kernel_initializer=normal_init(next_seed))(x)
    return keras.Model(images, logits, name="discriminator")
