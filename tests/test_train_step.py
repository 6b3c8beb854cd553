"""What reaches ``d_loss`` in ``GAN.train_step``, computed by hand on a GAN small enough to do so.

The generator ignores its noise (zero kernel, bias ``(0, 3)``), so every fake is the point ``(0, 3)``;
the discriminator is linear, ``D(x) = w·x + b``. Two real points ``(2, 5)`` and ``(−1, 7)`` then give fixed
logits, and the first step's reported ``d_loss`` (computed before the update) has a closed form.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import training

REAL = np.array([[2.0, 5.0], [-1.0, 7.0]], dtype=np.float32)
FAKE = np.array([0.0, 3.0], dtype=np.float32)


def _linear_gan(w, b=0.0, **compile_kwargs):
    generator = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(FAKE))]
    )
    discriminator = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(
                1,
                kernel_initializer=keras.initializers.Constant(np.array(w, dtype=np.float32)[:, None]),
                bias_initializer=keras.initializers.Constant(b),
            ),
        ]
    )
    gan = training.GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1), **compile_kwargs)
    return gan


def _first_step(gan) -> dict:
    return {name: float(value) for name, value in gan.train_step(tf.constant(REAL)).items()}


def _softplus(x):
    return np.log1p(np.exp(x))


# D(x) = x₁: real logits 2 and −1, fake logit 0.
CROSS_ENTROPY_W = [1.0, 0.0]


@pytest.mark.parametrize("loss", ["minimax", "non_saturating"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_label_smoothing_reaches_the_cross_entropy_d_loss(loss, smoothing):
    real_logits, fake_logit = np.array([2.0, -1.0]), 0.0
    # BCE(logit, target) = softplus(logit) − target·logit; d_loss = ½ (BCE(real, 1 − s) + BCE(fake, 0)).
    real_part = np.mean(_softplus(real_logits) - (1.0 - smoothing) * real_logits)
    expected = 0.5 * (real_part + _softplus(fake_logit))
    logs = _first_step(_linear_gan(CROSS_ENTROPY_W, loss=loss, label_smoothing=smoothing))
    assert logs["d_loss"] == pytest.approx(expected, rel=1e-5)
    assert logs["d_real"] == pytest.approx(np.mean(1 / (1 + np.exp(-real_logits))), rel=1e-5)
    assert logs["d_fake"] == pytest.approx(0.5, rel=1e-6)


def test_label_smoothing_reaches_the_least_squares_d_loss():
    # ½ mean((real − (1 − s))²) + ½ fake²: ½ · ((2 − 0.9)² + (−1 − 0.9)²) / 2 + 0 = 1.205; 1.25 without.
    smoothed = _first_step(_linear_gan(CROSS_ENTROPY_W, loss="least_squares", label_smoothing=0.1))
    plain = _first_step(_linear_gan(CROSS_ENTROPY_W, loss="least_squares"))
    assert smoothed["d_loss"] == pytest.approx(1.205, rel=1e-5)
    assert plain["d_loss"] == pytest.approx(1.25, rel=1e-5)


@pytest.mark.parametrize("weight, expected", [(0.0, -13.5), (2.5, 26.5), (10.0, 146.5)])
def test_the_gradient_penalty_reaches_the_wasserstein_d_loss(weight, expected):
    # D(x) = 3·x₁ + 4·x₂: real scores 26 and 25, fake score 12, so mean(fake) − mean(real) = −13.5. A linear
    # critic's gradient is w everywhere, ‖w‖ = 5, so the penalty (‖∇D‖ − 1)² is 16 wherever it is taken.
    gan = _linear_gan([3.0, 4.0], loss="wasserstein", gradient_penalty_weight=weight)
    assert _first_step(gan)["d_loss"] == pytest.approx(expected, rel=1e-5)


def test_the_gradient_penalty_is_on_by_default_for_wasserstein_only():
    assert _first_step(_linear_gan([3.0, 4.0], loss="wasserstein"))["d_loss"] == pytest.approx(146.5, rel=1e-5)
    # hinge: mean(relu(1 − real)) + relu(1 + fake) = mean(0, 0) + 13, no penalty
    assert _first_step(_linear_gan([3.0, 4.0], loss="hinge"))["d_loss"] == pytest.approx(13.0, rel=1e-5)
