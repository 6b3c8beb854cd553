"""Tests of ganlib.models.mlp: shapes, names, output ranges, parameter counts, seeding and argument checks.

Expected parameter counts are worked out here by hand (``Dense = in·out + out``, no bias before batch norm,
``BatchNormalization = 4·units``: γ, β, moving mean, moving variance), never read from the model.
"""

import keras
import numpy as np
import pytest

from ganlib.models import build_mlp_discriminator, build_mlp_generator

LATENT = 8
HIDDEN = (16,)


def _generator(**kwargs):
    return build_mlp_generator(kwargs.pop("latent_dim", LATENT), kwargs.pop("hidden_units", HIDDEN), **kwargs)


def _discriminator(**kwargs):
    return build_mlp_discriminator(hidden_units=kwargs.pop("hidden_units", HIDDEN), **kwargs)


def _noise(n, latent_dim=LATENT, scale=1.0, seed=0):
    return (scale * np.random.default_rng(seed).standard_normal((n, latent_dim))).astype(np.float32)


def _images(n, shape=(28, 28, 1), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype(np.float32)


def _dense_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


# ------------------------------------------------------------------------------------ shapes and names


def test_generator_shape_and_name():
    generator = _generator(seed=0)
    assert generator.name == "generator"
    assert generator.input_shape == (None, LATENT)
    assert generator.output_shape == (None, 28, 28, 1)
    assert generator(_noise(5), training=False).shape == (5, 28, 28, 1)


def test_discriminator_shape_and_name():
    discriminator = _discriminator(seed=0)
    assert discriminator.name == "discriminator"
    assert discriminator.input_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    assert discriminator(_images(5), training=False).shape == (5, 1)


def test_generator_output_is_tanh_bounded():
    generator = _generator(seed=0)
    assert _dense_layers(generator)[-1].activation is keras.activations.tanh
    # Huge noise drives the pre-activations far from 0: a tanh output saturates at ±1 but never passes it.
    images = keras.ops.convert_to_numpy(generator(_noise(32, scale=1e3), training=False))
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert np.abs(images).max() > 0.99


def test_discriminator_returns_unbounded_logits():
    discriminator = _discriminator(dropout=0.0, seed=0)
    assert _dense_layers(discriminator)[-1].activation is keras.activations.linear
    # Scale every weight up: a sigmoid output would stay in [0, 1], a logit goes far outside it.
    discriminator.set_weights([50.0 * w for w in discriminator.get_weights()])
    logits = keras.ops.convert_to_numpy(discriminator(_images(16), training=False))
    assert np.abs(logits).max() > 1.0
    assert logits.min() < 0.0 or logits.max() > 1.0


# ------------------------------------------------------------------------------------ parameter counts


def test_generator_parameter_count_with_batch_norm():
    generator = _generator(seed=0)
    pixels = 28 * 28 * 1
    dense_hidden = LATENT * 16  # use_bias=False: the batch norm's β plays the bias
    batch_norm = 4 * 16  # γ, β trainable; moving mean and variance not
    dense_out = 16 * pixels + pixels
    assert generator.count_params() == dense_hidden + batch_norm + dense_out == 13_520
    trainable = sum(int(np.prod(w.shape)) for w in generator.trainable_weights)
    assert trainable == dense_hidden + 2 * 16 + dense_out
    assert len(generator.non_trainable_weights) == 2  # moving mean, moving variance


def test_generator_parameter_count_without_batch_norm():
    generator = _generator(batch_norm=False, seed=0)
    pixels = 28 * 28
    assert generator.count_params() == (LATENT * 16 + 16) + (16 * pixels + pixels) == 13_472
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in generator.layers)


def test_two_hidden_layer_parameter_counts():
    generator = build_mlp_generator(4, (8, 12), seed=0)
    assert generator.count_params() == (4 * 8 + 4 * 8) + (8 * 12 + 4 * 12) + (12 * 784 + 784)
    discriminator = build_mlp_discriminator(hidden_units=(12, 8), seed=0)
    assert discriminator.count_params() == (784 * 12 + 12) + (12 * 8 + 8) + (8 * 1 + 1)


def test_discriminator_parameter_count():
    discriminator = _discriminator(seed=0)
    assert discriminator.count_params() == (784 * 16 + 16) + (16 * 1 + 1) == 12_577
    # dropout adds no parameters
    assert _discriminator(dropout=0.0, seed=0).count_params() == 12_577


# ------------------------------------------------------------------------------------ other image shapes


def test_rgb_image_shape():
    shape = (32, 32, 3)
    generator = _generator(image_shape=shape, seed=0)
    discriminator = _discriminator(image_shape=shape, seed=0)
    images = generator(_noise(3), training=False)
    assert images.shape == (3, 32, 32, 3)
    assert discriminator(images, training=False).shape == (3, 1)
    pixels = 32 * 32 * 3
    assert generator.count_params() == LATENT * 16 + 4 * 16 + 16 * pixels + pixels
    assert discriminator.count_params() == pixels * 16 + 16 + 16 + 1


def test_image_shape_given_as_list():
    generator = _generator(image_shape=[8, 6, 2], seed=0)
    assert generator.output_shape == (None, 8, 6, 2)


# ------------------------------------------------------------------------------------ seeding


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(np.array_equal(x, y) for x, y in zip(wa, wb, strict=True))


@pytest.mark.parametrize("build", [_generator, _discriminator], ids=["generator", "discriminator"])
def test_same_seed_same_weights_different_seed_different_weights(build):
    assert _same_weights(build(seed=7), build(seed=7))
    assert not _same_weights(build(seed=7), build(seed=8))


def test_seeded_generators_give_same_images():
    noise = _noise(4)
    a = keras.ops.convert_to_numpy(_generator(seed=3)(noise, training=False))
    b = keras.ops.convert_to_numpy(_generator(seed=3)(noise, training=False))
    np.testing.assert_array_equal(a, b)


def test_seeded_discriminator_dropout_is_repeatable():
    images = _images(8)
    a = keras.ops.convert_to_numpy(_discriminator(dropout=0.5, seed=3)(images, training=True))
    b = keras.ops.convert_to_numpy(_discriminator(dropout=0.5, seed=3)(images, training=True))
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------------------------ argument checks


@pytest.mark.parametrize("latent_dim", [-3, 0, 2.5, True, "8"])
def test_bad_latent_dim_raises(latent_dim):
    with pytest.raises(ValueError, match="latent_dim") as info:
        build_mlp_generator(latent_dim, HIDDEN)
    assert repr(latent_dim) in str(info.value)


def test_negative_latent_dim_message_names_value():
    with pytest.raises(ValueError) as info:
        build_mlp_generator(-3)
    assert "latent_dim" in str(info.value) and "-3" in str(info.value)


@pytest.mark.parametrize(
    "image_shape", [(28, 28), (28, 28, 1, 1), (28, -1, 1), (28, 0, 1), (28.0, 28, 1), 28, "abc"]
)
@pytest.mark.parametrize("build", [_generator, _discriminator], ids=["generator", "discriminator"])
def test_bad_image_shape_raises(build, image_shape):
    with pytest.raises(ValueError, match="image_shape"):
        build(image_shape=image_shape)


@pytest.mark.parametrize("hidden_units", [(), [], (16, 0), (-4,), (16.0,)])
@pytest.mark.parametrize("build", [_generator, _discriminator], ids=["generator", "discriminator"])
def test_bad_hidden_units_raises(build, hidden_units):
    with pytest.raises(ValueError, match="hidden_units"):
        build(hidden_units=hidden_units)


def test_single_int_hidden_units_is_one_layer():
    generator = _generator(hidden_units=16, seed=0)
    assert generator.count_params() == _generator(hidden_units=(16,), seed=0).count_params()


@pytest.mark.parametrize("dropout", [1.0, 1.5, -0.1, "0.3"])
def test_bad_dropout_raises(dropout):
    with pytest.raises(ValueError, match="dropout") as info:
        _discriminator(dropout=dropout)
    assert repr(dropout) in str(info.value)


@pytest.mark.parametrize("build", [_generator, _discriminator], ids=["generator", "discriminator"])
def test_bad_negative_slope_raises(build):
    with pytest.raises(ValueError, match="negative_slope"):
        build(negative_slope=1.5)
