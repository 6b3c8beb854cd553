"""Class-conditional generator and discriminators: ask for a digit, judge an ``(image, label)`` pair.

The lesson-4 players. An unconditional generator maps noise ``z`` to *some* digit; which one is decided by
``z`` in a way nobody chose. A conditional generator takes the class too, ``G(z, y)``, and the
discriminator judges whether an image is a real example *of that class*, so the generator is rewarded only
for drawing the digit it was asked for. The generator here gets the label through a learned embedding
concatenated to ``z`` before its first layer. The discriminator can get it in three classic ways
(``form=``):

* ``"concat"`` — input concatenation (after Mirza & Osindero 2014, arXiv:1411.1784, whose MLPs joined the
  image and the label): the one-hot label is joined to the input, as 10 constant image channels for a
  convolutional D, as 10 more inputs for an MLP.
* ``"projection"`` — the projection discriminator (Miyato & Koyama 2018, arXiv:1802.05637): features
  ``h = φ(x)`` of the image alone, then ``logit = w·h + b + embed(y)·h``. The inner product with a learned
  class vector asks "how much does this image look like class ``y``", the term ``w·h + b`` "how real does
  it look".
* ``"acgan"`` — an auxiliary classifier (AC-GAN, Odena, Olah & Shlens 2017, arXiv:1610.09585): D sees the
  image alone and returns a real/fake logit *and* 10 class logits; the label enters only through the loss
  (D and G both want the class logits to name ``y``, see :class:`ganlib.conditional.ConditionalGAN`).

Labels are integer class indices of shape ``(batch,)``. The ``"concat"`` and ``"projection"`` models take
``[images, labels]`` and return ``(batch, 1)`` logits; the ``"acgan"`` model takes ``images`` and returns
``(batch, 1 + num_classes)``: column 0 the real/fake logit, the rest the class logits. Only built-in Keras
layers are used, so saved models load in Keras' safe mode.

``kind="conv"`` builds DCGAN-style convolutional players (:mod:`ganlib.models.dcgan`'s guidelines and
:mod:`ganlib.models.layers`' blocks; 28, 32 or 64 px), ``kind="mlp"`` fully connected ones
(:mod:`ganlib.models.mlp`'s; any size).
"""

from __future__ import annotations

import math

import keras

from ganlib import _checks
from ganlib.models.dcgan import doublings, upsample_to_image
from ganlib.models.layers import BATCH_NORM_MOMENTUM, down_block, normal_init

FORMS = ("concat", "projection", "acgan")
KINDS = ("conv", "mlp")


def _choice(name: str, value, options) -> str:
    if value not in options:
        raise ValueError(f"Expected `{name}` to be one of {options}. Received: {name}={value!r}")
    return value


def _doublings(image_shape) -> int:
    """Stride-2 layers between the first feature map and a square image of 28, 32 or 64 px."""
    return doublings(image_shape, hint="for kind='conv' (use kind='mlp' for other sizes)")


def build_conditional_generator(
    latent_dim: int,
    num_classes: int = 10,
    image_shape=(28, 28, 1),
    kind: str = "conv",
    base_filters: int = 64,
    kernel_size: int = 4,
    hidden_units=(256, 512),
    embedding_dim: int = 16,
    seed: int | None = None,
) -> keras.Model:
    """Build a conditional generator ``(z, label) -> image``.

    The label is embedded (a learned vector of ``embedding_dim`` numbers per class) and concatenated to
    ``z``; the rest is lesson 2's DCGAN generator (``kind="conv"``) or lesson 1's MLP generator
    (``kind="mlp"``)::

        [z (latent_dim), Embedding(label) (embedding_dim)] -> Dense(7·7·128) -> Reshape -> BatchNorm -> ReLU
          -> Conv2DTranspose(64, stride 2) -> BatchNorm -> ReLU -> Conv2DTranspose(1, stride 2, tanh)

    Args:
        latent_dim: size of the noise vector ``z``.
        num_classes: number of classes (labels ``0..num_classes - 1``).
        image_shape: ``(height, width, channels)`` of the images made.
        kind: ``"conv"`` (28, 32 or 64 px) or ``"mlp"``.
        base_filters: ``"conv"``: filters of the last hidden layer (doubling towards the first).
        kernel_size: ``"conv"``: side of the transposed-convolution kernels.
        hidden_units: ``"mlp"``: widths of the hidden layers.
        embedding_dim: size of the label embedding.
        seed: seed of the weight initialisers.

    Returns:
        A ``keras.Model`` named ``"generator"``: ``[(batch, latent_dim) float, (batch,) int] -> (batch,
        *image_shape)`` in [-1, 1].
    """
    latent_dim = _checks.positive_int("latent_dim", latent_dim)
    num_classes = _checks.positive_int("num_classes", num_classes)
    image_shape = _checks.image_shape(image_shape)
    kind = _choice("kind", kind, KINDS)
    embedding_dim = _checks.positive_int("embedding_dim", embedding_dim)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))

    z = keras.Input(shape=(latent_dim,), name="z")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    embedded = keras.layers.Embedding(
        num_classes,
        embedding_dim,
        embeddings_initializer=keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=next_seed()),
        name="label_embedding",
    )(labels)
    x = keras.layers.Concatenate(name="z_and_label")([z, embedded])
    if kind == "mlp":
        for units in _checks.units("hidden_units", hidden_units):
            x = keras.layers.Dense(units, use_bias=False, kernel_initializer=normal_init(next_seed))(x)
            x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)(x)
            x = keras.layers.LeakyReLU(negative_slope=0.2)(x)
        x = keras.layers.Dense(math.prod(image_shape), activation="tanh", kernel_initializer=normal_init(next_seed))(x)
        return keras.Model([z, labels], keras.layers.Reshape(image_shape, name="images")(x), name="generator")

    base_filters = _checks.positive_int("base_filters", base_filters)
    kernel_size = _checks.positive_int("kernel_size", kernel_size)
    images = upsample_to_image(x, image_shape, base_filters, kernel_size, next_seed, _doublings(image_shape))
    return keras.Model([z, labels], images, name="generator")


def _features(x, kind, base_filters, kernel_size, hidden_units, batch_norm, dropout, doublings, next_seed):
    """The discriminator's body: image (with label channels, for "concat") to a feature vector."""
    if kind == "mlp":
        x = keras.layers.Flatten()(x) if len(x.shape) > 2 else x
        for units in _checks.units("hidden_units", hidden_units):
            x = keras.layers.Dense(units, kernel_initializer=normal_init(next_seed))(x)
            x = keras.layers.LeakyReLU(negative_slope=0.2)(x)
            if dropout:
                x = keras.layers.Dropout(dropout, seed=next_seed())(x)
        return keras.layers.Identity(name="features")(x)
    filters = _checks.positive_int("base_filters", base_filters)
    kernel_size = _checks.positive_int("kernel_size", kernel_size)
    for index in range(doublings):
        x = down_block(x, filters, kernel_size, next_seed, batch_norm=batch_norm and index > 0)  # none on the image
        if dropout:
            x = keras.layers.Dropout(dropout, seed=next_seed())(x)
        filters *= 2
    return keras.layers.Flatten(name="features")(x)


def build_conditional_discriminator(
    form: str = "projection",
    image_shape=(28, 28, 1),
    num_classes: int = 10,
    kind: str = "conv",
    base_filters: int = 16,
    kernel_size: int = 4,
    hidden_units=(512, 256),
    batch_norm: bool = True,
    dropout: float = 0.0,
    seed: int | None = None,
) -> keras.Model:
    """Build a conditional discriminator in one of the three classic forms (see the module docstring).

    The body is lesson 2's DCGAN discriminator (``kind="conv"``: strided convolutions, LeakyReLU(0.2),
    batch norm after all but the first) or lesson 1's MLP discriminator (``kind="mlp"``), ending in a
    layer named ``"features"``, the vector ``h``. Then, by ``form``:

    * ``"concat"``: the one-hot label joins the input (10 constant channels, or 10 inputs for an MLP);
      ``logit = Dense(1)(h)``.
    * ``"projection"``: ``logit = Dense(1)(h) + Embedding(label)·h`` (layers ``"unconditional_logit"``,
      ``"class_embedding"``, ``"projection"``).
    * ``"acgan"``: ``Dense(1 + num_classes)(h)``: the real/fake logit, then the class logits.

    Args:
        form: ``"concat"``, ``"projection"`` or ``"acgan"``.
        image_shape: ``(height, width, channels)`` of the images judged.
        num_classes: number of classes.
        kind: ``"conv"`` (28, 32 or 64 px) or ``"mlp"``.
        base_filters: ``"conv"``: filters of the first convolution (doubling after).
        kernel_size: ``"conv"``: side of the kernels.
        hidden_units: ``"mlp"``: widths of the hidden layers.
        batch_norm: ``"conv"``: batch norm after every convolution but the first.
        dropout: dropout rate after each hidden layer (0: none).
        seed: seed of the weight initialisers and dropout.

    Returns:
        A ``keras.Model`` named ``"discriminator"``: ``[images, labels] -> (batch, 1)`` logits, or for
        ``"acgan"`` ``images -> (batch, 1 + num_classes)``.
    """
    form = _choice("form", form, FORMS)
    image_shape = _checks.image_shape(image_shape)
    num_classes = _checks.positive_int("num_classes", num_classes)
    kind = _choice("kind", kind, KINDS)
    dropout = _checks.fraction("dropout", dropout)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))
    doublings = _doublings(image_shape) if kind == "conv" else 0
    body = (kind, base_filters, kernel_size, hidden_units, batch_norm, dropout, doublings, next_seed)

    images = keras.Input(shape=image_shape, name="images")
    if form == "acgan":
        features = _features(images, *body)
        outputs = keras.layers.Dense(1 + num_classes, kernel_initializer=normal_init(next_seed), name="logits")(features)
        return keras.Model(images, outputs, name="discriminator")

    labels = keras.Input(shape=(), dtype="int32", name="label")
    if form == "concat":
        one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(labels)
        if kind == "conv":  # one constant channel per class, 1 where the class is the label
            height, width, _ = image_shape
            maps = keras.layers.RepeatVector(height * width)(one_hot)
            maps = keras.layers.Reshape((height, width, num_classes), name="label_channels")(maps)
            joined = keras.layers.Concatenate(name="image_and_label")([images, maps])
        else:
            flat = keras.layers.Flatten()(images)
            joined = keras.layers.Concatenate(name="image_and_label")([flat, one_hot])
        features = _features(joined, *body)
        logits = keras.layers.Dense(1, kernel_initializer=normal_init(next_seed), name="logits")(features)
        return keras.Model([images, labels], logits, name="discriminator")

    features = _features(images, *body)
    unconditional = keras.layers.Dense(1, kernel_initializer=normal_init(next_seed), name="unconditional_logit")(features)
    class_vectors = keras.layers.Embedding(
        num_classes, features.shape[-1], embeddings_initializer=normal_init(next_seed), name="class_embedding"
    )(labels)
    projection = keras.layers.Dot(axes=1, name="projection")([class_vectors, features])
    logits = keras.layers.Add(name="logits")([unconditional, projection])
    return keras.Model([images, labels], logits, name="discriminator")
