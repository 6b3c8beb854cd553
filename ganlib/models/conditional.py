"""Class-conditional generator and discriminators: ask for a digit, judge an ``(image, label)`` pair.

The lesson-4 players. An unconditional generator maps noise ``z`` to *some* digit; which one is decided by
``z`` in a way nobody chose. A conditional generator takes the class too, ``G(z, y)``, and the
discriminator judges whether an image is a real example *of that class*, so the generator is rewarded only
for drawing the digit it was asked for. The generator here gets the label through a learned embedding
concatenated to ``z`` before its first layer. The discriminator can get it in three classic ways
(``form=``):

* ``"concat"`` — input concatenation (after Mirza & Osindero 2014, arXiv:1411.1784, whose MNIST discriminator
  passed the image and the label through separate maxout layers and joined them after): the one-hot label is joined to the input, as 10 constant image channels for a
  convolutional D, as 10 more inputs for an MLP.
* ``"projection"`` — the projection discriminator (Miyato & Koyama 2018, arXiv:1802.05637): features
  ``h = φ(x)`` of the image alone, then ``logit = w·h + b + embed(y)·h``. The inner product with a learned
  class vector asks "how much does this image look like class ``y``", the term ``w·h + b`` "how real does
  it look".
* ``"acgan"`` — an auxiliary classifier (AC-GAN, Odena, Olah & Shlens 2017, arXiv:1610.09585): D sees the
  image alone and returns a real/fake logit *and* 10 class logits; the label enters only through the loss
  (D and G both want the class logits to name ``y``, see :class:`ganlib.conditional.ConditionalGAN`).

The places where the label enters are pieces the builders take as arguments (lesson 4's exercises write
them; ganlib's own, below, are the defaults): :func:`label_embedding` joins ``embed(y)`` to ``z`` in G,
:func:`label_channels` makes the ``"concat"`` discriminator's label planes, and :class:`ProjectionHead` is the
``"projection"`` discriminator's head.

Labels are integer class indices of shape ``(batch,)``. The ``"concat"`` and ``"projection"`` models take
``[images, labels]`` and return ``(batch, 1)`` logits; the ``"acgan"`` model takes ``images`` and returns
``(batch, 1 + num_classes)``: column 0 the real/fake logit, the rest the class logits. Only built-in Keras
layers and :class:`ProjectionHead` (registered with Keras) are used, so saved models load in Keras' safe mode.

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


def _expect_shape(what: str, tensor, shape) -> None:
    """Refuse a piece whose output is not ``(batch, *shape)``, in one line."""
    got = tuple(tensor.shape)
    if len(got) != 1 + len(shape) or tuple(got[1:]) != tuple(shape):
        raise ValueError(f"Expected {what} of shape (batch, {', '.join(map(str, shape))}). Received: shape {got}")


# ------------------------------------------------------------------------------------ the pieces


def label_embedding(z, labels, num_classes: int, embedding_dim: int, seed: int | None = None):
    """The label's way into the generator: ``[z, embed(y)]``, a learned vector per class joined to the noise.

    ``embed`` is a lookup table of ``num_classes × embedding_dim`` weights drawn from N(0, 1) (so at the start
    the label moves G's first layer as much as the noise does); row ``y`` is concatenated after ``z``.

    Args:
        z: noise, ``(batch, latent_dim)`` (a Keras tensor while a model is built).
        labels: int class indices, ``(batch,)``.
        num_classes: number of classes.
        embedding_dim: numbers per class vector.
        seed: seed of the table's initialiser.

    Returns:
        ``(batch, latent_dim + embedding_dim)``: ``z``, then the label's vector (layer ``"z_and_label"``).
    """
    embedded = keras.layers.Embedding(
        num_classes,
        embedding_dim,
        embeddings_initializer=keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=seed),
        name="label_embedding",
    )(labels)
    return keras.layers.Concatenate(name="z_and_label")([z, embedded])


def label_channels(labels, height: int, width: int, num_classes: int):
    """Input concatenation's label planes: ``num_classes`` constant channels, 1 in the label's, 0 elsewhere.

    Args:
        labels: int class indices, ``(batch,)`` (a Keras tensor while a model is built, or NumPy).
        height, width: the image's size.
        num_classes: number of classes (and of planes).

    Returns:
        float32 ``(batch, height, width, num_classes)`` (layer ``"label_channels"``): ``one_hot(y)`` repeated
        at every pixel.
    """
    one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(labels)
    maps = keras.layers.RepeatVector(height * width)(one_hot)
    return keras.layers.Reshape((height, width, num_classes), name="label_channels")(maps)


@keras.saving.register_keras_serializable(package="ganlib")
class ProjectionHead(keras.layers.Layer):
    """The projection discriminator's head (Miyato & Koyama 2018): ``logit = w·h + b + embed(y)·h``.

    Called on ``[h, y]``: features ``(batch, D)`` and int labels ``(batch,)``; returns ``(batch, 1)``.
    ``ψ(h) = w·h + b`` (a ``Dense(1)``, sublayer ``unconditional_logit``) says how real ``h`` looks;
    the inner product with the label's class vector (an ``Embedding(num_classes, D)``, sublayer
    ``class_embedding``) how much it looks like class ``y``. Weights: ``D + 1 + num_classes·D``, all drawn
    from N(0, 0.02) (``w`` with ``seed``, the class vectors with ``seed + 1``).

    Args:
        num_classes: number of classes.
        seed: seed of the initialisers.
        **kwargs: ``keras.layers.Layer`` arguments (``name``, ``dtype``).
    """

    def __init__(self, num_classes: int, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = _checks.positive_int("num_classes", num_classes)
        self.seed = _checks.seed(seed, allow_none=True)
        self.unconditional = keras.layers.Dense(
            1, kernel_initializer=keras.initializers.RandomNormal(mean=0.0, stddev=0.02, seed=seed),
            name="unconditional_logit",
        )
        self.class_embedding = None  # its width is the features', known at build
        self.projection = keras.layers.Dot(axes=1, name="projection")  # embed(y)·h, one number per row

    def build(self, input_shape):
        features_shape, labels_shape = input_shape
        self.unconditional.build(features_shape)
        self.class_embedding = keras.layers.Embedding(
            self.num_classes, int(features_shape[-1]), name="class_embedding",
            embeddings_initializer=keras.initializers.RandomNormal(
                mean=0.0, stddev=0.02, seed=None if self.seed is None else self.seed + 1
            ),
        )
        self.class_embedding.build(labels_shape)
        self.projection.build([features_shape, features_shape])  # built here, as Keras' fit under tf.distribute checks

    def call(self, inputs):
        features, labels = inputs
        return self.unconditional(features) + self.projection([self.class_embedding(labels), features])

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], 1)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "seed": self.seed}


#: ganlib's pieces, what the builders use when they are given none.
_DEFAULT_PIECES = {"label_embedding": label_embedding, "label_channels": label_channels, "head": ProjectionHead}


def _piece(name: str, given):
    if given is None:
        return _DEFAULT_PIECES[name]
    if not callable(given):
        raise ValueError(f"Expected `{name}` to be callable (a function or a layer class). Received: {name}={given!r}")
    return given


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
    label_embedding=None,
) -> keras.Model:
    """Build a conditional generator ``(z, label) -> image``.

    The label is embedded (a learned vector of ``embedding_dim`` numbers per class) and concatenated to
    ``z`` (:func:`label_embedding`, or the piece given); the rest is lesson 2's DCGAN generator (``kind="conv"``) or lesson 1's MLP generator
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
        label_embedding: the piece that joins the label to ``z``, with :func:`label_embedding`'s signature
            (called on the model's ``z`` and ``labels`` inputs with the first seed of the builder);
            default :func:`label_embedding`.

    Returns:
        A ``keras.Model`` named ``"generator"``: ``[(batch, latent_dim) float, (batch,) int] -> (batch,
        *image_shape)`` in [-1, 1].
    """
    latent_dim = _checks.positive_int("latent_dim", latent_dim)
    num_classes = _checks.positive_int("num_classes", num_classes)
    image_shape = _checks.image_shape(image_shape)
    kind = _choice("kind", kind, KINDS)
    embedding_dim = _checks.positive_int("embedding_dim", embedding_dim)
    join = _piece("label_embedding", label_embedding)
    next_seed = _checks.seed_stream(_checks.seed(seed, allow_none=True))

    z = keras.Input(shape=(latent_dim,), name="z")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    x = join(z, labels, num_classes, embedding_dim, seed=next_seed())
    if len(x.shape) != 2:
        raise ValueError(f"Expected `label_embedding` to return (batch, features). Received: shape {tuple(x.shape)}")
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
    head=None,
    label_channels=None,
) -> keras.Model:
    """Build a conditional discriminator in one of the three classic forms (see the module docstring).

    The body is lesson 2's DCGAN discriminator (``kind="conv"``: strided convolutions, LeakyReLU(0.2),
    batch norm after all but the first) or lesson 1's MLP discriminator (``kind="mlp"``), ending in a
    layer named ``"features"``, the vector ``h``. Then, by ``form``:

    * ``"concat"``: the one-hot label joins the input (10 constant channels from :func:`label_channels`, or
      10 inputs for an MLP); ``logit = Dense(1)(h)``.
    * ``"projection"``: ``logit = w·h + b + embed(y)·h``, a :class:`ProjectionHead`, the last layer.
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
        head: ``"projection"`` only: a layer class with :class:`ProjectionHead`'s signature, called as
            ``head(num_classes, seed=…)`` and then on ``[h, labels]`` for ``(batch, 1)`` logits; default
            :class:`ProjectionHead`. Ignored by the other forms.
        label_channels: ``"concat"`` with ``kind="conv"`` only: a function with :func:`label_channels`'s
            signature; default :func:`label_channels`. Ignored otherwise.

    Returns:
        A ``keras.Model`` named ``"discriminator"``: ``[images, labels] -> (batch, 1)`` logits, or for
        ``"acgan"`` ``images -> (batch, 1 + num_classes)``.
    """
    form = _choice("form", form, FORMS)
    image_shape = _checks.image_shape(image_shape)
    num_classes = _checks.positive_int("num_classes", num_classes)
    kind = _choice("kind", kind, KINDS)
    dropout = _checks.fraction("dropout", dropout)
    head = _piece("head", head)
    make_channels = _piece("label_channels", label_channels)
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
        if kind == "conv":  # one constant channel per class, 1 where the class is the label
            height, width, _ = image_shape
            maps = make_channels(labels, height, width, num_classes)
            _expect_shape("`label_channels`' planes", maps, (height, width, num_classes))
            joined = keras.layers.Concatenate(name="image_and_label")([images, maps])
        else:
            one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(labels)
            flat = keras.layers.Flatten()(images)
            joined = keras.layers.Concatenate(name="image_and_label")([flat, one_hot])
        features = _features(joined, *body)
        logits = keras.layers.Dense(1, kernel_initializer=normal_init(next_seed), name="logits")(features)
        return keras.Model([images, labels], logits, name="discriminator")

    features = _features(images, *body)
    logits = head(num_classes, seed=next_seed())([features, labels])
    _expect_shape("the projection `head`'s logits", logits, (1,))
    return keras.Model([images, labels], logits, name="discriminator")
