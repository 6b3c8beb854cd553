"""Lesson 7's stabilisers as options of lesson 2's DCGAN: ``build_dcgan_discriminator(spectral_norm=,
minibatch_std=, power_iteration_fn=)`` and ``recipes.build_dcgan(r1_weight=, spectral_norm=, minibatch_std=)``.

Singular values are checked against NumPy's SVD; the minibatch standard deviation and the R1 term by hand."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import losses, recipes
from ganlib.models import build_dcgan_discriminator, stabilisers

FILTERS = 8


def _images(n, shape=(28, 28, 1), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype(np.float32)


def _spectral_layers(model):
    return [layer for layer in model.layers if isinstance(layer, (stabilisers.SpectralConv2D, stabilisers.SpectralDense))]


def test_spectral_norm_discriminator_has_every_kernel_at_largest_singular_value_one():
    discriminator = build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, seed=1, spectral_norm=True)
    spectral = _spectral_layers(discriminator)
    # Two stride-2 convolutions (28 → 14 → 7) and the logit; no batch norm (SN-GAN's discriminator has none).
    assert [type(layer).__name__ for layer in spectral] == ["SpectralConv2D", "SpectralConv2D", "SpectralDense"]
    assert not [layer for layer in discriminator.layers if isinstance(layer, keras.layers.BatchNormalization)]
    images = _images(4)
    for _ in range(60):  # each call in training mode is one power iteration, warm-started from the last u
        discriminator(images, training=True)
    for layer in spectral:
        kernel = keras.ops.convert_to_numpy(layer.kernel)
        matrix = kernel.reshape(-1, kernel.shape[-1])  # (k·k·channels, filters), as the power iteration sees it
        top = np.linalg.svd(matrix, compute_uv=False)[0]
        sigma, _ = stabilisers.power_iteration(layer.kernel, layer.u)
        assert float(sigma) == pytest.approx(top, rel=1e-3), layer.name
        # The kernel the layer applies, W / σ(W), has its largest singular value ≈ 1.
        assert np.linalg.svd(matrix / float(sigma), compute_uv=False)[0] == pytest.approx(1.0, rel=1e-3), layer.name


def test_spectral_norm_layers_use_the_power_iteration_given():
    calls = []

    def counting(kernel, u):
        calls.append(tuple(kernel.shape))
        return stabilisers.power_iteration(kernel, u)

    discriminator = build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, seed=1, spectral_norm=True,
                                              power_iteration_fn=counting)
    calls.clear()
    discriminator(_images(2), training=True)
    assert calls == [(4, 4, 1, 8), (4, 4, 8, 16), (7 * 7 * 16, 1)]


def test_spectral_norm_refuses_a_down_block_and_minibatch_std_must_be_a_group_size():
    with pytest.raises(ValueError, match="down_block"):
        build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, spectral_norm=True,
                                  down_block=lambda x, *a, **k: x)
    with pytest.raises(ValueError, match="spectral_norm=True"):
        build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, power_iteration_fn=stabilisers.power_iteration)
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="minibatch_std"):
            build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, minibatch_std=bad)


def test_minibatch_std_adds_one_channel_before_the_last_block():
    discriminator = build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, seed=1, minibatch_std=4)
    (layer,) = [layer for layer in discriminator.layers if isinstance(layer, stabilisers.MinibatchStdDev)]
    assert layer.group_size == 4
    # Before the second (last) block: the first block's 14×14×8 map, plus one channel.
    assert tuple(layer.input.shape) == (None, 14, 14, FILTERS)
    assert tuple(layer.output.shape) == (None, 14, 14, FILTERS + 1)
    assert discriminator(_images(8), training=True).shape == (8, 1)
    # One conv of the second block sees one more input channel: 4·4·1 more weights per filter (16 filters).
    plain = build_dcgan_discriminator((28, 28, 1), base_filters=FILTERS, seed=1)
    assert discriminator.count_params() - plain.count_params() == 4 * 4 * 1 * 16


def test_minibatch_std_on_feature_maps_by_hand():
    # Group 1: every value of example i is i (i = 0..3): variance over the group 1.25 at every position, so the
    # statistic is sqrt(1.25 + 1e-8) ≈ 1.1180. Group 2: four equal examples: sqrt(0 + 1e-8) = 1e-4.
    first = np.stack([np.full((2, 2, 3), i, np.float32) for i in range(4)])
    second = np.full((4, 2, 2, 3), 7.0, np.float32)
    out = keras.ops.convert_to_numpy(stabilisers.MinibatchStdDev(4)(np.concatenate([first, second])))
    assert out.shape == (8, 2, 2, 4)
    np.testing.assert_allclose(out[..., :3], np.concatenate([first, second]))
    np.testing.assert_allclose(out[:4, ..., 3], np.sqrt(1.25), rtol=1e-6)
    np.testing.assert_allclose(out[4:, ..., 3], 1e-4, rtol=1e-3)


def test_build_dcgan_passes_r1_weight_to_compile_and_the_run_settings():
    plain = recipes.build_dcgan(seed=0, base_filters=8, d_base_filters=8)
    assert plain.r1_weight == 0.0 and "r1_weight" not in plain.run_settings()
    gan = recipes.build_dcgan(seed=0, base_filters=8, d_base_filters=8, r1_weight=2.0)
    assert gan.r1_weight == 2.0 and gan.run_settings()["r1_weight"] == 2.0
    # The same weights and data: the R1 run's d_loss is the plain one plus (γ/2)·E‖∇D(x)‖², taken before the step.
    real = tf.constant(_images(8))
    penalty = float(losses.r1_penalty(gan.discriminator, real))
    assert penalty > 0
    with_r1 = float(gan.update_discriminator(real)["d_loss"])
    without = float(plain.update_discriminator(real)["d_loss"])
    assert with_r1 - without == pytest.approx(0.5 * 2.0 * penalty, rel=1e-3)


def test_build_dcgan_builds_the_stabilised_discriminator_with_the_pieces_given():
    calls = []

    def my_power_iteration(kernel, u):
        calls.append("power")
        return stabilisers.power_iteration(kernel, u)

    def my_r1(discriminator, real_images):
        calls.append("r1")
        return losses.r1_penalty(discriminator, real_images)

    gan = recipes.build_dcgan(seed=0, base_filters=8, d_base_filters=8, loss="hinge", spectral_norm=True,
                              minibatch_std=4, r1_weight=1.0, power_iteration_fn=my_power_iteration,
                              r1_penalty_fn=my_r1)
    assert gan.r1_penalty_fn is my_r1 and "r1_penalty_fn" in gan.run_settings()["custom_losses"]
    assert len(_spectral_layers(gan.discriminator)) == 3
    assert [layer for layer in gan.discriminator.layers if isinstance(layer, stabilisers.MinibatchStdDev)]
    calls.clear()
    logs = gan.train_step(tf.constant(_images(8)))
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))
    assert "r1" in calls and calls.count("power") >= 3  # traced: each spectral layer calls the learner's iteration
