"""Lesson 7's players (ganlib.models.toy): sizes, spectral normalisation against hand values, NumPy's SVD and
keras.layers.SpectralNormalization, the minibatch standard deviation by hand, and saving."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import models, storage
from ganlib.models import toy


def test_builders_take_every_size_and_are_seeded():
    generator = models.build_toy_generator(3, (8, 5), seed=0)
    assert generator.input_shape == (None, 3) and generator.output_shape == (None, 2)
    assert generator.count_params() == (3 * 8 + 8) + (8 * 5 + 5) + (5 * 2 + 2)
    discriminator = models.build_toy_discriminator((8, 5), seed=1)
    assert discriminator.output_shape == (None, 1)
    assert discriminator.count_params() == (2 * 8 + 8) + (8 * 5 + 5) + (5 + 1)
    again = models.build_toy_generator(3, (8, 5), seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(generator.get_weights(), again.get_weights(), strict=True))
    with pytest.raises(ValueError, match="minibatch_std"):
        models.build_toy_discriminator((8,), minibatch_std=-1)
    with pytest.raises(ValueError, match="spectral_norm=True"):
        models.build_toy_discriminator((8,), power_iteration_fn=toy.power_iteration)


def test_one_power_iteration_by_hand():
    kernel = tf.constant([[3.0, 0.0], [4.0, 5.0], [0.0, 0.0]])  # (fan_in 3, units 2)
    sigma, u = toy.power_iteration(kernel, tf.constant([[1.0, 0.0]]))
    # u·Wᵀ = (3, 4, 0) → v = (0.6, 0.8, 0); v·W = (5, 4) → u = (5, 4)/√41; σ = v·W·uᵀ = √41
    assert float(sigma) == pytest.approx(np.sqrt(41.0), rel=1e-6)
    np.testing.assert_allclose(u.numpy(), [[5 / np.sqrt(41), 4 / np.sqrt(41)]], rtol=1e-6)


def test_power_iteration_matches_keras_spectral_normalization():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(6, 4)).astype(np.float32)
    wrapped = keras.layers.SpectralNormalization(keras.layers.Dense(4))
    wrapped.build((None, 6))
    wrapped.layer.kernel.assign(kernel)
    u = wrapped.vector_u.numpy()
    keras_u, keras_kernel = wrapped.normalized_weights()
    sigma, ours_u = toy.power_iteration(tf.constant(kernel), tf.constant(u))
    np.testing.assert_allclose(ours_u.numpy(), keras_u.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(kernel / float(sigma), keras_kernel.numpy(), rtol=1e-5, atol=1e-6)


def test_spectral_dense_divides_by_the_largest_singular_value_and_learns_u():
    layer = toy.SpectralDense(3, seed=0)
    layer.build((None, 5))
    w = layer.kernel.numpy()
    top = np.linalg.svd(w, compute_uv=False)[0]
    x = np.eye(5, dtype=np.float32)
    u_before = layer.u.numpy().copy()
    layer(x, training=False)
    assert np.array_equal(layer.u.numpy(), u_before)  # inference mode keeps u
    for _ in range(60):
        out = layer(x, training=True)
    assert not np.array_equal(layer.u.numpy(), u_before)
    # eye(5) · (W/σ) + 0 = W/σ: after 60 warm-started iterations σ is W's largest singular value
    np.testing.assert_allclose(out.numpy(), w / top, rtol=1e-4, atol=1e-6)
    assert np.linalg.svd(out.numpy(), compute_uv=False)[0] == pytest.approx(1.0, rel=1e-4)


def test_spectral_dense_differentiates_through_sigma():
    """∂/∂W of Σ(x·W/σ(W)) with σ = v·W·uᵀ (u, v constant): 1ᵀx/σ − (Σ x·W)/σ² · vᵀu, checked numerically."""
    layer = toy.SpectralDense(2, seed=1)
    layer.build((None, 3))
    x = tf.constant([[1.0, -2.0, 0.5]])
    u = layer.u.numpy()
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(x, training=False))
    gradient = tape.gradient(total, layer.kernel).numpy()
    w = layer.kernel.numpy().astype(np.float64)
    v = u @ w.T / np.linalg.norm(u @ w.T)
    u1 = v @ w / np.linalg.norm(v @ w)
    sigma = float((v @ w @ u1.T)[0, 0])
    expected = np.outer(x.numpy()[0], np.ones(2)) / sigma - float(np.sum(x.numpy() @ w)) / sigma**2 * np.outer(v, u1)
    np.testing.assert_allclose(gradient, expected, rtol=1e-4, atol=1e-6)


def test_minibatch_std_by_hand():
    # group 1: feature 0 = (0, 2, 0, 2) → std 1; feature 1 = (1, 1, 1, 1) → std 0 (+1e-8 inside the root: 1e-4)
    # → mean (1 + 0.0001)/2 = 0.50005; group 2: both features (0, 0, 0, 4) → std √3 each → √3
    x = np.array([[0, 1], [2, 1], [0, 1], [2, 1], [0, 0], [0, 0], [0, 0], [4, 4]], np.float32)
    out = toy.MinibatchStdDev(4)(x).numpy()
    assert out.shape == (8, 3)
    np.testing.assert_allclose(out[:, :2], x)
    np.testing.assert_allclose(out[:4, 2], 0.50005, rtol=1e-5)
    np.testing.assert_allclose(out[4:, 2], np.sqrt(3.0), rtol=1e-5)
    collapsed = toy.MinibatchStdDev(4)(np.ones((4, 2), np.float32)).numpy()[:, 2]
    np.testing.assert_allclose(collapsed, 1e-4, rtol=1e-3)  # identical samples: only the 1e-8 under the root


def test_stabilised_discriminators_save_and_load(tmp_path):
    discriminator = models.build_toy_discriminator((8, 8), spectral_norm=True, minibatch_std=4, seed=0)
    layers = [type(layer).__name__ for layer in discriminator.layers]
    assert layers.count("SpectralDense") == 3 and layers.count("MinibatchStdDev") == 1
    assert layers[layers.index("MinibatchStdDev") + 1:] == ["SpectralDense", "LeakyReLU", "SpectralDense"]  # before the
    # last hidden layer
    x = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    discriminator(x, training=True)
    storage.save_model_atomically(discriminator, tmp_path / "d.keras")
    loaded = storage.load_model(tmp_path / "d.keras")
    np.testing.assert_allclose(loaded(x, training=False), discriminator(x, training=False), rtol=1e-5, atol=1e-6)
