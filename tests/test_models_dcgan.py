"""Tests of ganlib.models.dcgan: shapes, DCGAN guidelines, parameter counts, initialisation, seeds, checks.

Expected parameter counts are worked out here by hand, never read from the model: a convolution (plain or
transposed) has ``k·k·in·out`` weights ``+ out`` biases (no bias before batch norm),
``Dense = in·out (+ out)`` and ``BatchNormalization = 4·channels`` (γ, β, moving mean, moving variance).
"""

import keras
import numpy as np
import pytest

from ganlib.models import build_dcgan_discriminator, build_dcgan_generator

LATENT = 16
FILTERS = 8


def _noise(n, latent_dim=LATENT, scale=1.0, seed=0):
    return (scale * np.random.default_rng(seed).standard_normal((n, latent_dim))).astype(np.float32)


def _images(n, shape=(28, 28, 1), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype(np.float32)


def _layers(model, kind):
    return [layer for layer in model.layers if type(layer) is kind]


def _numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


# ------------------------------------------------------------------------------------ shapes and names


@pytest.mark.parametrize("image_shape, upsamplings", [((28, 28, 1), 2), ((32, 32, 3), 3), ((64, 64, 3), 4)])
def test_shapes_and_names(image_shape, upsamplings):
    generator = build_dcgan_generator(LATENT, image_shape, base_filters=FILTERS, seed=0)
    discriminator = build_dcgan_discriminator(image_shape, base_filters=FILTERS, seed=1)
    assert generator.name == "generator" and discriminator.name == "discriminator"
    assert generator.output_shape == (None, *image_shape)
    assert generator(_noise(2), training=False).shape == (2, *image_shape)
    assert discriminator.output_shape == (None, 1)
    assert discriminator(_images(3, image_shape), training=False).shape == (3, 1)
    # Sizes: the first map is 7×7 (28) or 4×4 (32, 64), each transposed convolution doubles it.
    transposed = _layers(generator, keras.layers.Conv2DTranspose)
    convolutions = _layers(discriminator, keras.layers.Conv2D)
    assert len(transposed) == len(convolutions) == upsamplings
    start = 7 if image_shape[0] == 28 else 4
    assert _layers(generator, keras.layers.Reshape)[0].output.shape[1:3] == (start, start)
    # Filters halve towards the image in G, ending at base_filters; they double from base_filters in D.
    g_filters = [layer.filters for layer in transposed]
    assert g_filters == [FILTERS * 2**i for i in reversed(range(upsamplings - 1))] + [image_shape[-1]]
    assert [layer.filters for layer in convolutions] == [FILTERS * 2**i for i in range(upsamplings)]


def test_dcgan_guidelines():
    generator = build_dcgan_generator(LATENT, (32, 32, 3), base_filters=FILTERS, seed=0)
    discriminator = build_dcgan_discriminator((32, 32, 3), base_filters=FILTERS, seed=1)
    # Strided convolutions, no pooling.
    for model in (generator, discriminator):
        assert not [layer for layer in model.layers if "Pooling" in type(layer).__name__]
    for layer in _layers(generator, keras.layers.Conv2DTranspose) + _layers(
        discriminator, keras.layers.Conv2D
    ):
        assert layer.strides == (2, 2) and layer.padding == "same"
    # Batch norm in G after every layer but the output; in D after every convolution but the first.
    assert len(_layers(generator, keras.layers.BatchNormalization)) == 3
    assert len(_layers(discriminator, keras.layers.BatchNormalization)) == 2
    assert (
        discriminator.layers[2].__class__ is keras.layers.LeakyReLU
    )  # input, conv, then straight to LeakyReLU
    # ReLU in G with a tanh output; LeakyReLU(0.2) in D and a linear (logit) output.
    assert len(_layers(generator, keras.layers.ReLU)) == 3
    assert _layers(generator, keras.layers.Conv2DTranspose)[-1].activation is keras.activations.tanh
    assert all(
        layer.negative_slope == pytest.approx(0.2) for layer in _layers(discriminator, keras.layers.LeakyReLU)
    )
    assert len(_layers(discriminator, keras.layers.LeakyReLU)) == 3
    assert _layers(discriminator, keras.layers.Dense)[-1].activation is keras.activations.linear


def test_generator_output_is_tanh_bounded():
    generator = build_dcgan_generator(LATENT, base_filters=FILTERS, seed=0)
    # Scaled-up weights drive the pre-activations far from 0: tanh saturates at ±1 but never passes it.
    generator.set_weights([20.0 * w for w in generator.get_weights()])
    images = _numpy(generator(_noise(8, scale=10.0), training=False))
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert np.abs(images).max() > 0.99


def test_discriminator_returns_one_unbounded_logit_per_image():
    discriminator = build_dcgan_discriminator(base_filters=FILTERS, seed=0)
    discriminator.set_weights([50.0 * w for w in discriminator.get_weights()])
    logits = _numpy(discriminator(_images(8), training=False))
    assert logits.shape == (8, 1)
    assert logits.min() < 0.0 or logits.max() > 1.0  # a sigmoid output would stay inside [0, 1]


# ------------------------------------------------------------------------------------ parameter counts


def test_generator_parameter_count_pinned():
    generator = build_dcgan_generator(LATENT, (28, 28, 1), base_filters=FILTERS, kernel_size=4, seed=0)
    expected = (
        LATENT * 7 * 7 * 16  # Dense: z (16) -> 7·7·16 = 784 units, no bias (batch norm follows): 12,544
        + 4 * 16  # BatchNormalization over the 16 channels of the 7×7 map: 64
        + 4 * 4 * 16 * 8  # Conv2DTranspose 16 -> 8 channels, 4×4 kernel, no bias (7 -> 14): 2,048
        + 4 * 8  # BatchNormalization over 8 channels: 32
        + 4 * 4 * 8 * 1
        + 1  # Conv2DTranspose 8 -> 1 channel with bias, tanh output (14 -> 28): 129
    )
    assert expected == 14_817
    assert generator.count_params() == expected
    # Half of each batch norm (moving mean and variance) is not trained.
    assert sum(int(np.prod(w.shape)) for w in generator.non_trainable_weights) == 2 * 16 + 2 * 8


def test_discriminator_parameter_count_pinned():
    discriminator = build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, kernel_size=4, seed=0)
    expected = (
        4 * 4 * 1 * 8
        + 8  # Conv2D 1 -> 8 channels with bias, no batch norm on the first layer (28 -> 14): 136
        + 4 * 4 * 8 * 16  # Conv2D 8 -> 16 channels, no bias (batch norm follows) (14 -> 7): 2,048
        + 4 * 16  # BatchNormalization over 16 channels: 64
        + 7 * 7 * 16
        + 1  # Dense: flattened 7·7·16 = 784 features -> 1 logit, with bias: 785
    )
    assert expected == 3_033
    assert discriminator.count_params() == expected


def test_dropout_adds_layers_but_no_parameters():
    plain = build_dcgan_discriminator(base_filters=FILTERS, seed=0)
    with_dropout = build_dcgan_discriminator(base_filters=FILTERS, dropout=0.3, seed=0)
    assert len(_layers(with_dropout, keras.layers.Dropout)) == 2 and not _layers(plain, keras.layers.Dropout)
    assert with_dropout.count_params() == plain.count_params()


# ------------------------------------------------------------------------------------ initialisation, seeds


def test_initial_weights_follow_normal_0_002():
    generator = build_dcgan_generator(LATENT, (32, 32, 3), base_filters=32, seed=0)
    kernel = _numpy(_layers(generator, keras.layers.Dense)[0].kernel)  # 16 × (4·4·128) = 32,768 weights
    assert abs(kernel.mean()) < 1e-3
    assert kernel.std() == pytest.approx(0.02, rel=0.03)
    discriminator = build_dcgan_discriminator((32, 32, 3), base_filters=32, seed=1)
    kernel = _numpy(_layers(discriminator, keras.layers.Conv2D)[-1].kernel)  # 4·4·64·128 = 131,072 weights
    assert kernel.std() == pytest.approx(0.02, rel=0.03)


def test_seeds_are_reproducible():
    def weights(model):
        return [np.array(w) for w in model.get_weights()]

    for build in (
        lambda seed: build_dcgan_generator(LATENT, base_filters=FILTERS, seed=seed),
        lambda seed: build_dcgan_discriminator(base_filters=FILTERS, dropout=0.3, seed=seed),
    ):
        first, again, other = weights(build(3)), weights(build(3)), weights(build(4))
        assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
        assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


# ------------------------------------------------------------------------------------ argument checks


@pytest.mark.parametrize("image_shape", [(30, 30, 1), (28, 32, 1), (16, 16, 3), (128, 128, 3)])
def test_unsupported_image_sizes_raise(image_shape):
    for build in (
        lambda: build_dcgan_generator(LATENT, image_shape, base_filters=FILTERS),
        lambda: build_dcgan_discriminator(image_shape, base_filters=FILTERS),
    ):
        with pytest.raises(ValueError, match=r"image_shape.*\[28, 32, 64\]"):
            build()


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"base_filters": 0}, "base_filters"),
        ({"kernel_size": 2.5}, "kernel_size"),
        ({"image_shape": (28, 28)}, "image_shape"),
        ({"seed": -1}, "seed"),
    ],
)
def test_generator_bad_arguments_raise(kwargs, name):
    arguments = {"latent_dim": LATENT, "base_filters": FILTERS, **kwargs}
    with pytest.raises(ValueError, match=name):
        build_dcgan_generator(**arguments)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"base_filters": -8}, "base_filters"),
        ({"kernel_size": 0}, "kernel_size"),
        ({"dropout": 1.0}, "dropout"),
        ({"image_shape": (28, 28, 0)}, "image_shape"),
    ],
)
def test_discriminator_bad_arguments_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        build_dcgan_discriminator(**{"base_filters": FILTERS, **kwargs})


# ------------------------------------------------------------------------------------ the blocks (lesson 2)


def _pinned_models(**blocks):
    generator = build_dcgan_generator(8, (28, 28, 1), base_filters=4, kernel_size=4, seed=0, up_block=blocks.get("up"))
    discriminator = build_dcgan_discriminator(
        (28, 28, 1), base_filters=4, kernel_size=4, seed=1000, down_block=blocks.get("down")
    )
    return generator, discriminator


def test_the_default_build_gives_the_same_weights_and_outputs_as_before_the_blocks_were_pluggable():
    # Measured with the builders as they were before `up_block=` / `down_block=` existed (commit c982dda).
    generator, discriminator = _pinned_models()
    assert generator.count_params() == 3_761  # 8·7·7·8 + 4·8 + 4·4·8·4 + 4·4 + 4·4·4·1 + 1 (see above)
    assert discriminator.count_params() == 1_005  # 4·4·1·4 + 4 + 4·4·4·8 + 4·8 + 7·7·8 + 1
    sums = [float(np.sum(w, dtype=np.float64)) for w in generator.get_weights()]
    before = [0.1287622761, 8.0, 0.0, 0.0, 8.0, -0.4667242193, 4.0, 0.0, 0.0, 4.0, -0.0704291814, 0.0]
    np.testing.assert_allclose(sums, before, rtol=1e-6, atol=1e-9)
    sums = [float(np.sum(w, dtype=np.float64)) for w in discriminator.get_weights()]
    before = [0.1124396057, 0.0, 1.0254221141, 8.0, 0.0, 0.0, 8.0, 0.0746418758, 0.0]
    np.testing.assert_allclose(sums, before, rtol=1e-6, atol=1e-9)
    z = np.linspace(-1, 1, 16, dtype="float32").reshape(2, 8)
    x = np.linspace(-1, 1, 2 * 28 * 28, dtype="float32").reshape(2, 28, 28, 1)
    np.testing.assert_allclose(
        _numpy(generator(z, training=False))[:, 10:12, 13, 0],
        [[-1.1048591e-04, -9.9501318e-05], [1.2422710e-04, -3.5858975e-05]], rtol=1e-4, atol=1e-9,
    )
    np.testing.assert_allclose(_numpy(discriminator(x, training=False)).ravel(), [6.757673e-4, -6.288989e-4], rtol=1e-4)


def test_ganlibs_blocks_passed_explicitly_build_the_default_networks():
    from ganlib.models import dcgan

    default = [w for model in _pinned_models() for w in model.get_weights()]
    explicit = [w for model in _pinned_models(up=dcgan.up_block, down=dcgan.down_block) for w in model.get_weights()]
    assert all(np.array_equal(a, b) for a, b in zip(default, explicit, strict=True))


def test_the_blocks_alone():
    from ganlib.models import dcgan

    x = keras.Input((7, 7, 16))
    up = keras.Model(x, dcgan.up_block(x, 8, 4, seed=0))
    assert up.output_shape == (None, 14, 14, 8)
    assert up.count_params() == 4 * 4 * 16 * 8 + 4 * 8  # no bias: 2,048 + batch norm's 32
    assert [type(layer).__name__ for layer in up.layers[1:]] == ["Conv2DTranspose", "BatchNormalization", "ReLU"]
    first = keras.Model(x, dcgan.down_block(x, 8, 4, seed=0, batch_norm=False))
    assert first.output_shape == (None, 4, 4, 8)
    assert first.count_params() == 4 * 4 * 16 * 8 + 8  # with its bias, no batch norm
    assert [type(layer).__name__ for layer in first.layers[1:]] == ["Conv2D", "LeakyReLU"]
    later = keras.Model(x, dcgan.down_block(x, 8, 4, seed=0))
    assert later.count_params() == 4 * 4 * 16 * 8 + 4 * 8
    assert [type(layer).__name__ for layer in later.layers[1:]] == ["Conv2D", "BatchNormalization", "LeakyReLU"]


def test_the_builders_train_another_block():
    """A learner's Sequential blocks end up in the networks (nested), with their own layers and seeds."""
    calls = []

    def up_block(x, filters, kernel_size, seed):
        calls.append(("up", filters, kernel_size, seed))
        return keras.Sequential([
            keras.layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same", use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
        ])(x)

    def down_block(x, filters, kernel_size, seed, batch_norm=True):
        calls.append(("down", filters, kernel_size, seed, batch_norm))
        x = keras.layers.Conv2D(filters, kernel_size, strides=2, padding="same", use_bias=not batch_norm)(x)
        x = keras.layers.BatchNormalization()(x) if batch_norm else x
        return keras.layers.LeakyReLU(0.2)(x)

    generator = build_dcgan_generator(LATENT, (32, 32, 3), base_filters=4, kernel_size=3, seed=10, up_block=up_block)
    discriminator = build_dcgan_discriminator((32, 32, 3), base_filters=4, kernel_size=3, seed=20, down_block=down_block)
    # 32 px: a 4×4 map of 16 channels, two up-blocks (8, then 4 channels), the output layer; D: 4, 8, 16 channels.
    # Seeds: the Dense takes 10, the blocks 11 and 12; D's blocks 20, 21, 22 (the first without batch norm).
    assert calls == [
        ("up", 8, 3, 11), ("up", 4, 3, 12),
        ("down", 4, 3, 20, False), ("down", 8, 3, 21, True), ("down", 16, 3, 22, True),
    ]
    assert sum(isinstance(layer, keras.Sequential) for layer in generator.layers) == 2
    assert generator.output_shape == (None, 32, 32, 3) and discriminator.output_shape == (None, 1)


def test_a_block_that_does_not_double_or_is_not_a_function_is_refused():
    def keeps_the_size(x, filters, kernel_size, seed):
        return keras.layers.Conv2D(filters, kernel_size, padding="same")(x)

    with pytest.raises(ValueError, match=r"`up_block` to return a tensor of shape \(batch, 14, 14, 4\)"):
        build_dcgan_generator(LATENT, base_filters=4, up_block=keeps_the_size)
    with pytest.raises(ValueError, match=r"`down_block` to return a tensor of shape \(batch, 14, 14, 4\)"):
        build_dcgan_discriminator(base_filters=4, down_block=lambda x, f, k, seed, batch_norm: keeps_the_size(x, f, k, seed))
    with pytest.raises(ValueError, match="Expected `down_block` to be a function"):
        build_dcgan_discriminator(base_filters=4, down_block="conv")
