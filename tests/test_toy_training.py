"""Lesson 7's stabilisers in the trainer: the penalties by hand (a critic with a known gradient, the norm at 0,
ε uniform per example), weight clipping, what GAN.compile adds to the discriminator's loss, the run's identity,
and a stabilised toy run that saves and resumes."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import data, losses, recipes, runs
from ganlib.runs import identity

#: The smallest toy recipe: the plumbing is under test, not the model.
TINY = {"g_hidden": (8,), "d_hidden": (8,), "latent_dim": 2}


def _linear(w1, w2, b=0.0):
    critic = keras.layers.Dense(1)
    critic.build((None, 2))
    critic.set_weights([np.array([[w1], [w2]], np.float32), np.array([b], np.float32)])
    return critic


class _Recorder:
    def __init__(self):
        self.inputs = None

    def __call__(self, x, training=None):
        self.inputs = np.asarray(x)
        return tf.reduce_sum(x, axis=1, keepdims=True)


# ------------------------------------------------------------------------------------ the penalties by hand


def test_gradient_penalty_of_a_critic_with_a_known_gradient():
    real, fake = np.ones((3, 2), np.float32), np.zeros((3, 2), np.float32)
    # C(x) = 3·x₁ + 4·x₂: ‖∇C‖ = 5 everywhere → (5 − 1)² = 16, whatever the interpolation weights
    assert float(losses.gradient_penalty(_linear(3.0, 4.0), real, fake, seed=1)) == pytest.approx(16.0, rel=1e-6)
    # C(x) = 0.6·x₁ + 0.8·x₂: ‖∇C‖ = 1 → 0
    assert float(losses.gradient_penalty(_linear(0.6, 0.8), real, fake, seed=1)) == pytest.approx(0.0, abs=1e-10)


def test_gradient_penalty_is_finite_where_the_gradient_is_zero():
    critic = _linear(0.0, 0.0)
    real, fake = np.ones((4, 2), np.float32), np.zeros((4, 2), np.float32)
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(critic, real, fake, epsilon=np.full((4, 1), 0.5, np.float32))
    gradient = tape.gradient(penalty, critic.trainable_weights[0])  # the kernel w (the bias does not reach ∇C)
    assert float(penalty) == pytest.approx(1.0, abs=1e-5)  # (sqrt(0 + 1e-12) − 1)² = (1e-6 − 1)²
    # d/dw (sqrt(‖w‖² + 1e-12) − 1)² = 2·(n − 1)·w/n = 0 at w = 0 (a bare sqrt gives 0·∞ = NaN)
    np.testing.assert_array_equal(np.asarray(gradient), np.zeros((2, 1)))


def test_gradient_penalty_draws_one_uniform_weight_per_example():
    recorder = _Recorder()
    n = 4000
    losses.gradient_penalty(recorder, np.ones((n, 2), np.float32), np.zeros((n, 2), np.float32), seed=5)
    weights = recorder.inputs  # x̂ = ε·1 + (1 − ε)·0 = ε, in both coordinates
    np.testing.assert_array_equal(weights[:, 0], weights[:, 1])  # one ε per example, not one per number
    eps = weights[:, 0]
    assert eps.min() >= 0.0 and eps.max() <= 1.0  # a normal draw would leave [0, 1]
    assert eps.mean() == pytest.approx(0.5, abs=0.02) and eps.std() == pytest.approx(np.sqrt(1 / 12), abs=0.01)
    assert np.histogram(eps, bins=4, range=(0, 1))[0] == pytest.approx([1000] * 4, abs=120)


def test_r1_penalty_by_hand():
    real = np.array([[1.0, 2.0], [3.0, 0.0]], np.float32)
    assert float(losses.r1_penalty(_linear(3.0, 4.0), real)) == pytest.approx(25.0)  # ‖(3, 4)‖²
    # D(x) = ½‖x‖²: ∇D = x → (‖(1, 2)‖² + ‖(3, 0)‖²)/2 = (5 + 9)/2 = 7
    half_square = lambda x, training=None: 0.5 * tf.reduce_sum(tf.square(x), axis=1, keepdims=True)  # noqa: E731
    assert float(losses.r1_penalty(half_square, real)) == pytest.approx(7.0)
    critic = _linear(0.0, 0.0)
    with tf.GradientTape() as tape:
        penalty = losses.r1_penalty(critic, real)
    assert float(penalty) == 0.0
    assert np.allclose(tape.gradient(penalty, critic.trainable_weights[0]), 0.0)  # d/dw ‖w‖² = 2w = 0, finite


def test_clip_weights_clips_every_weight():
    critic = _linear(0.5, -0.003, b=-2.0)
    losses.clip_weights(critic.trainable_weights, 0.01)
    np.testing.assert_allclose(critic.get_weights()[0].ravel(), [0.01, -0.003])
    np.testing.assert_allclose(critic.get_weights()[1], [-0.01])
    with pytest.raises(ValueError, match="clip_value"):
        losses.clip_weights(critic.trainable_weights, 0.0)


# ------------------------------------------------------------------------------------ in the trainer


def _toy(**overrides):
    return recipes.build_toy_gan(seed=0, **{**TINY, **overrides})


def test_r1_adds_half_gamma_times_the_penalty_to_the_discriminator_loss():
    real = tf.constant(data.toy_mixture("ring", 16, seed=0)[0])
    plain, with_r1 = _toy(), _toy(r1_weight=4.0)
    expected_penalty = float(losses.r1_penalty(with_r1.discriminator, real))
    d_plain = float(plain.update_discriminator(real)["d_loss"])
    d_r1 = float(with_r1.update_discriminator(real)["d_loss"])  # same seeds: the same fakes, weights and logits
    assert d_r1 - d_plain == pytest.approx(0.5 * 4.0 * expected_penalty, rel=1e-4)


def test_clipped_critic_stays_in_the_box_after_its_updates():
    gan = _toy(loss="wasserstein", clip_weights=0.01, optimizer="rmsprop", d_lr=0.5)
    assert gan.gradient_penalty_weight == 0.0  # clipping replaces WGAN-GP's default penalty
    real = tf.constant(data.toy_mixture("ring", 16, seed=0)[0])
    for _ in range(2):
        gan.update_discriminator(real)
    assert max(float(np.abs(w).max()) for w in gan.discriminator.get_weights()) <= 0.01 + 1e-7


def test_new_knobs_are_part_of_the_run_only_when_used():
    assert not {"r1_weight", "clip_weights"} & set(_toy().run_settings())
    assert _toy(r1_weight=0.5).run_settings()["r1_weight"] == 0.5
    assert _toy(loss="wasserstein", clip_weights=0.01).run_settings()["clip_weights"] == 0.01
    fingerprints = {identity.fingerprint(identity.settings_of(g)) for g in (
        _toy(), _toy(r1_weight=0.5), _toy(spectral_norm=True), _toy(minibatch_std=0), _toy(gradient_penalty_weight=0.1))}
    assert len(fingerprints) == 5


def test_learners_penalties_train_and_are_named_in_the_run():
    def my_gp(critic, real, fake, epsilon=None, seed=None):
        return losses.gradient_penalty(critic, real, fake, epsilon=epsilon, seed=seed)

    gan = recipes.build_toy_gan(seed=0, gradient_penalty_fn=my_gp, gradient_penalty_weight=0.1, **TINY)
    assert gan.gradient_penalty_fn is my_gp and "gradient_penalty_fn" in gan.run_settings()["custom_losses"]
    ganlibs = recipes.build_toy_gan(seed=0, gradient_penalty_weight=0.1, **TINY)
    assert "custom_losses" not in ganlibs.run_settings()
    real = tf.constant(data.toy_mixture("ring", 16, seed=0)[0])
    assert float(gan.update_discriminator(real)["d_loss"]) == pytest.approx(
        float(ganlibs.update_discriminator(real)["d_loss"]), rel=1e-6)
    with pytest.raises(ValueError, match="r1_penalty_fn"):
        recipes.build_toy_gan(seed=0, r1_penalty_fn="r1", **TINY)


def test_compile_refuses_negative_weights_and_a_bad_optimizer():
    with pytest.raises(ValueError, match="r1_weight"):
        _toy(r1_weight=-1.0)
    with pytest.raises(ValueError, match="clip_weights"):
        _toy(clip_weights=0.0)
    with pytest.raises(ValueError, match="optimizer"):
        _toy(optimizer="sgd")


def test_a_stabilised_toy_run_saves_and_resumes_exactly(tmp_path):
    """Spectral norm's u, the minibatch-std discriminator and R1: a checkpoint holds everything the next step needs."""
    points, _ = data.toy_mixture("grid", 512, seed=0)
    settings = {"r1_weight": 0.5, "spectral_norm": True, "minibatch_std": 4, "loss": "hinge"}

    def fresh():
        return runs.open_run(tmp_path / "run", _toy(**settings), data.make_toy_dataset(points, 64, seed=0))

    with fresh() as run:
        runs.train(run, steps=3)
        u = [layer.u.numpy().copy() for layer in run.model.discriminator.layers if hasattr(layer, "u")]
        assert len(u) == 2 and run.model.step == 3
        continuing = [w.copy() for w in run.model.discriminator.get_weights()]
    with fresh() as resumed:
        assert resumed.resumed_from == 3
        restored = [layer.u.numpy() for layer in resumed.model.discriminator.layers if hasattr(layer, "u")]
        assert all(np.array_equal(a, b) for a, b in zip(u, restored, strict=True))
        assert all(np.array_equal(a, b) for a, b in zip(continuing, resumed.model.discriminator.get_weights(), strict=True))
        runs.train(resumed, steps=5)
        assert resumed.model.step == 5
    with pytest.raises(runs.OtherSettingsError, match="r1_weight"):
        runs.open_run(tmp_path / "run", _toy(**{**settings, "r1_weight": 1.0}), data.make_toy_dataset(points, 64, seed=0))


@pytest.mark.parametrize("method", sorted(recipes.TOY_METHODS))
def test_every_method_of_the_lesson_builds_and_trains_a_step(method):
    gan = _toy(**recipes.TOY_METHODS[method])
    gan.run_eagerly = True
    points, _ = data.toy_mixture("ring", 256, seed=0)
    gan.fit(data.make_toy_dataset(points, 64, seed=0), epochs=1, steps_per_epoch=1, verbose=0)
    assert gan.step == 1
    assert np.all(np.isfinite(gan.generate(16, seed=0)))
