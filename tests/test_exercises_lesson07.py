"""Lesson 7's exercises: each check passes ganlib's reference and a differently written answer, names the usual
mistakes in its hints and tells "not attempted" apart; the lesson's GAN trains the learner's pieces. Expected
values are worked out by hand in ganlib/exercises/lesson07.py; every model here is tiny."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from ganlib import data, exercises, losses, recipes
from ganlib.exercises import lesson07
from ganlib.models import toy


def _open(*args, **kwargs):
    raise NotImplementedError


def _interpolates(real, fake, epsilon, seed):
    if epsilon is None:
        epsilon = tf.random.uniform((tf.shape(real)[0], 1), seed=seed)
    return epsilon * real + (1.0 - epsilon) * fake


def _gp(norm, epsilon_fn=None, reduce=tf.reduce_mean, target=1.0, power=2, sum_scores=True):
    """A gradient penalty with one thing changed (the usual mistakes)."""

    def penalty(critic, real, fake, epsilon=None, seed=None):
        if epsilon is None and epsilon_fn is not None:
            epsilon = epsilon_fn(real, seed)
        x = _interpolates(real, fake, epsilon, seed)
        with tf.GradientTape() as tape:
            tape.watch(x)
            scores = critic(x, training=True)
            total = tf.reduce_sum(scores) if sum_scores else tf.reduce_mean(scores)
        g = tape.gradient(total, x)
        return reduce((norm(g) - target) ** power)

    return penalty


def _safe_norm(g):
    return tf.sqrt(tf.reduce_sum(tf.square(g), axis=1) + 1e-12)


# ------------------------------------------------------------------------------------ the gradient penalty


def test_gradient_penalty_check_accepts_any_correct_form(capsys):
    assert lesson07.check_gradient_penalty(None) is False
    assert lesson07.check_gradient_penalty(_open) is False
    assert "Not attempted yet" in capsys.readouterr().out
    assert lesson07.check_gradient_penalty(losses.gradient_penalty)
    assert lesson07.check_gradient_penalty(_gp(_safe_norm))  # written out with tf

    def keras_ops_version(critic, real, fake, epsilon=None, seed=None):  # keras.ops, ε from keras.random
        if epsilon is None:
            epsilon = keras.random.uniform((ops.shape(real)[0], 1), seed=seed)
        x = epsilon * real + (1 - epsilon) * fake
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(critic(x, training=True))
        slopes = ops.sqrt(ops.maximum(ops.sum(ops.square(tape.gradient(total, x)), axis=-1), 1e-12))
        return ops.mean(ops.square(slopes - 1))

    assert lesson07.check_gradient_penalty(keras_ops_version)
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (_gp(_safe_norm, power=1), "Square the distance to 1"),
    (_gp(lambda g: tf.reduce_sum(tf.square(g), axis=1)), "not the squared norm"),
    (_gp(_safe_norm, target=0.0), "towards 1"),
    (_gp(_safe_norm, reduce=lambda v: v), "One penalty per example"),
    (_gp(_safe_norm, sum_scores=False), r"\*sum\*"),
    (_gp(lambda g: tf.norm(g, axis=1)), "square root's derivative is infinite"),  # the keras-io bug: NaN at 0
    (_gp(_safe_norm, epsilon_fn=lambda real, seed: tf.random.normal((tf.shape(real)[0], 1), seed=seed)), "uniform"),
    (_gp(_safe_norm, epsilon_fn=lambda real, seed: tf.random.uniform(tf.shape(real), seed=seed)), "one per number"),
    (_gp(_safe_norm, epsilon_fn=lambda real, seed: tf.fill((tf.shape(real)[0], 1), 0.5)), "not one for the whole batch"),
])
def test_gradient_penalty_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson07.check_gradient_penalty(wrong)


def test_gradient_penalty_check_catches_the_weights_swapped_and_numpy():
    def swapped(critic, real, fake, epsilon=None, seed=None):
        return _gp(_safe_norm)(critic, fake, real, epsilon=epsilon, seed=seed)

    with pytest.raises(AssertionError, match="weighs the real example"):
        lesson07.check_gradient_penalty(swapped)

    def numpy_norm(critic, real, fake, epsilon=None, seed=None):
        x = _interpolates(real, fake, epsilon, seed)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(critic(x, training=True))
        g = tape.gradient(total, x).numpy()
        return float(np.mean((np.sqrt((g**2).sum(axis=1) + 1e-12) - 1) ** 2))

    with pytest.raises(AssertionError, match="not NumPy"):
        lesson07.check_gradient_penalty(numpy_norm)


# ------------------------------------------------------------------------------------ the power iteration


def test_power_iteration_check_accepts_any_correct_form(capsys):
    assert lesson07.check_power_iteration(None) is False
    assert lesson07.check_power_iteration(_open) is False
    assert lesson07.check_power_iteration(toy.power_iteration)

    def with_tf(kernel, u):  # tf.linalg, σ as the norm of v·W (equal to v·W·uᵀ for the new u)
        w = tf.reshape(kernel, (-1, kernel.shape[-1]))
        v = tf.stop_gradient(tf.math.l2_normalize(tf.matmul(u, w, transpose_b=True)))
        vw = tf.matmul(v, w)
        new_u = tf.stop_gradient(tf.math.l2_normalize(vw))
        return tf.reduce_sum(vw * new_u), new_u

    assert lesson07.check_power_iteration(with_tf)
    assert "√45" in capsys.readouterr().out


def _iteration(normalise_v=True, stop=True, u_shape=None):
    def fn(kernel, u):
        w = ops.reshape(kernel, (-1, ops.shape(kernel)[-1]))
        v = ops.matmul(u, ops.transpose(w))
        if normalise_v:
            v = v / ops.norm(v)
        new_u = ops.matmul(v, w)
        new_u = new_u / ops.norm(new_u)
        if stop:
            v, new_u = ops.stop_gradient(v), ops.stop_gradient(new_u)
        sigma = ops.matmul(ops.matmul(v, w), ops.transpose(new_u))[0, 0]
        return sigma, new_u if u_shape is None else ops.reshape(new_u, u_shape)

    return fn


@pytest.mark.parametrize("wrong, hint", [
    (_iteration(normalise_v=False), "Normalise v"),
    (_iteration(stop=False), "constant"),
    (_iteration(u_shape=(2,)), r"\(1, units\)"),
    (lambda kernel, u: (tf.norm(kernel), u), "expected σ = √41"),
    (lambda kernel, u: tf.norm(kernel), "Return two things"),
    (lambda kernel, u: (1.0, ops.matmul(u, kernel)), "failed on a"),  # (1, 2)·(3, 2): the transposes mixed up
])
def test_power_iteration_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson07.check_power_iteration(wrong)


# ------------------------------------------------------------------------------------ the R1 penalty


def _r1(square=True, reduce=tf.reduce_mean, factor=1.0, sum_scores=True, via_norm=False, gp_form=False):
    def penalty(discriminator, real_images):
        x = tf.convert_to_tensor(real_images)
        with tf.GradientTape() as tape:
            tape.watch(x)
            scores = discriminator(x, training=True)
            total = tf.reduce_sum(scores) if sum_scores else tf.reduce_mean(scores)
        g = tape.gradient(total, x)
        if via_norm:
            per_example = tf.norm(g, axis=1) ** 2
        else:
            per_example = tf.reduce_sum(tf.square(g), axis=1)
            per_example = per_example if square else tf.sqrt(per_example)
        if gp_form:
            per_example = (tf.sqrt(per_example + 1e-12) - 1) ** 2
        return factor * reduce(per_example)

    return penalty


def test_r1_check_accepts_any_correct_form(capsys):
    assert lesson07.check_r1_penalty(None) is False
    assert lesson07.check_r1_penalty(_open) is False
    assert lesson07.check_r1_penalty(losses.r1_penalty)
    assert lesson07.check_r1_penalty(_r1())

    def with_keras_ops(discriminator, real_images):
        x = ops.convert_to_tensor(real_images)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(discriminator(x, training=True))
        return ops.mean(ops.sum(tape.gradient(total, x) ** 2, axis=-1))

    assert lesson07.check_r1_penalty(with_keras_ops)
    assert lesson07.check_r1_penalty(_r1(via_norm=True))  # tf.norm(g)**2: TensorFlow keeps its gradient finite at 0
    assert "25" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (_r1(square=False), r"\*squared\* norm"),
    (_r1(factor=0.5), "multiplies it by γ/2"),
    (_r1(reduce=tf.reduce_sum), "don't sum them"),
    (_r1(reduce=lambda v: v), "One value per example"),
    (_r1(sum_scores=False), r"\*sum\*"),
    (_r1(gp_form=True), "zero-centred"),
])
def test_r1_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson07.check_r1_penalty(wrong)


# ------------------------------------------------------------------------------------ the lesson trains them


def test_use_returns_the_learners_piece_once_the_check_passes(capsys):
    mine = _gp(_safe_norm)
    assert exercises.use(mine, lesson07.check_gradient_penalty, losses.gradient_penalty) is mine
    assert "using your `penalty`" in capsys.readouterr().out
    assert exercises.use(_open, lesson07.check_r1_penalty, losses.r1_penalty) is losses.r1_penalty
    assert re.search(r"using ganlib's `losses\.(penalties\.)?r1_penalty` \(your exercise is not done yet\)",
                     capsys.readouterr().out)
    assert exercises.check_power_iteration is lesson07.check_power_iteration  # re-exported


def test_the_toy_gan_trains_the_learners_three_pieces():
    calls = {"gp": 0, "r1": 0, "power": 0}

    def my_gp(critic, real, fake, epsilon=None, seed=None):
        calls["gp"] += 1
        return losses.gradient_penalty(critic, real, fake, epsilon=epsilon, seed=seed)

    def my_r1(discriminator, real_images):
        calls["r1"] += 1
        return losses.r1_penalty(discriminator, real_images)

    def my_power(kernel, u):
        calls["power"] += 1
        return toy.power_iteration(kernel, u)

    gan = recipes.build_toy_gan(seed=0, g_hidden=(8,), d_hidden=(8,), gradient_penalty_weight=0.1, r1_weight=0.1,
                                spectral_norm=True, gradient_penalty_fn=my_gp, r1_penalty_fn=my_r1,
                                power_iteration_fn=my_power)
    gan.run_eagerly = True
    points, _ = data.toy_mixture("ring", 64, seed=0)
    gan.fit(data.make_toy_dataset(points, 32, seed=0), epochs=1, steps_per_epoch=2, verbose=0)
    assert calls["gp"] == 2 and calls["r1"] == 2 and calls["power"] > 0
    custom = gan.run_settings()["custom_losses"]
    assert set(custom) == {"gradient_penalty_fn", "r1_penalty_fn"}
    # the power iteration is part of the architecture the run records: ganlib's and the learner's give one layer type
    assert [type(layer).__name__ for layer in gan.discriminator.layers].count("SpectralDense") == 2
