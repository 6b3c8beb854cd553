"""Tests of ganlib.losses: values against hand-written formulas, shapes, gradient signs, WGAN-GP, registry.

Expected values are computed here with NumPy in float64, from the textbook formulas written out with
``D = 1 / (1 + exp(−logit))`` — never by calling the function under test.
"""

import math

import numpy as np
import pytest
import tensorflow as tf

from ganlib import losses

REAL = [2.0, -1.0, 0.5]
FAKE = [-3.0, 0.0, 1.0]
RTOL = 1e-5
LOG2 = math.log(2.0)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _value(tensor):
    """A loss as a Python float, after checking that it is a float32 scalar."""
    assert tensor.dtype == tf.float32
    assert tensor.shape == ()
    return float(tensor)


def _grad(loss_fn, *inputs, wrt):
    """Gradient of ``loss_fn(*inputs)`` with respect to ``inputs[wrt]``, as a NumPy array."""
    tensors = [tf.constant(x, dtype=tf.float32) for x in inputs]
    with tf.GradientTape() as tape:
        tape.watch(tensors[wrt])
        loss = loss_fn(*tensors)
    return tape.gradient(loss, tensors[wrt]).numpy()


# ------------------------------------------------------------------------------------ hand-computed values


def _expected_bce_discriminator(real, fake, smoothing=0.0):
    d_real, d_fake = _sigmoid(real), _sigmoid(fake)
    target = 1.0 - smoothing
    real_term = -np.mean(target * np.log(d_real) + (1.0 - target) * np.log(1.0 - d_real))
    fake_term = -np.mean(np.log(1.0 - d_fake))
    return 0.5 * (real_term + fake_term)


@pytest.mark.parametrize(
    "loss_fn", [losses.minimax_discriminator_loss, losses.non_saturating_discriminator_loss]
)
def test_cross_entropy_discriminator_loss_matches_formula(loss_fn):
    np.testing.assert_allclose(
        _value(loss_fn(REAL, FAKE)), _expected_bce_discriminator(REAL, FAKE), rtol=RTOL
    )


def test_minimax_generator_loss_matches_formula():
    expected = np.mean(np.log(1.0 - _sigmoid(FAKE)))  # E[log(1 − D(G(z)))], negative
    np.testing.assert_allclose(_value(losses.minimax_generator_loss(FAKE)), expected, rtol=RTOL)


def test_non_saturating_generator_loss_matches_formula():
    expected = -np.mean(np.log(_sigmoid(FAKE)))  # −E[log D(G(z))]
    np.testing.assert_allclose(_value(losses.non_saturating_generator_loss(FAKE)), expected, rtol=RTOL)


def test_least_squares_losses_match_formula():
    real, fake = np.array(REAL), np.array(FAKE)
    expected_d = 0.5 * np.mean((real - 1.0) ** 2) + 0.5 * np.mean(fake**2)
    expected_g = 0.5 * np.mean((fake - 1.0) ** 2)
    np.testing.assert_allclose(
        _value(losses.least_squares_discriminator_loss(REAL, FAKE)), expected_d, rtol=RTOL
    )
    np.testing.assert_allclose(_value(losses.least_squares_generator_loss(FAKE)), expected_g, rtol=RTOL)


def test_wasserstein_losses_match_formula():
    expected_d = np.mean(FAKE) - np.mean(REAL)
    np.testing.assert_allclose(
        _value(losses.wasserstein_discriminator_loss(REAL, FAKE)), expected_d, rtol=RTOL
    )
    np.testing.assert_allclose(_value(losses.wasserstein_generator_loss(FAKE)), -np.mean(FAKE), rtol=RTOL)


def test_hinge_losses_match_formula():
    real, fake = np.array(REAL), np.array(FAKE)
    expected_d = np.mean(np.maximum(0.0, 1.0 - real)) + np.mean(np.maximum(0.0, 1.0 + fake))
    np.testing.assert_allclose(_value(losses.hinge_discriminator_loss(REAL, FAKE)), expected_d, rtol=RTOL)
    np.testing.assert_allclose(_value(losses.hinge_generator_loss(FAKE)), -np.mean(fake), rtol=RTOL)


def test_cross_entropy_is_stable_for_extreme_logits():
    real, fake = [100.0, -100.0], [-100.0, 100.0]
    # softplus(100) = 100 to float precision; the confident-right halves cost 0.
    np.testing.assert_allclose(
        _value(losses.minimax_discriminator_loss(real, fake)), 0.5 * (50.0 + 50.0), rtol=RTOL
    )
    np.testing.assert_allclose(_value(losses.non_saturating_generator_loss([-100.0])), 100.0, rtol=RTOL)


def test_equilibrium_gives_log_2():
    zeros = np.zeros(4, dtype=np.float32)
    for loss_fn in (losses.minimax_discriminator_loss, losses.non_saturating_discriminator_loss):
        np.testing.assert_allclose(_value(loss_fn(zeros, zeros)), LOG2, rtol=RTOL)
    np.testing.assert_allclose(_value(losses.non_saturating_generator_loss(zeros)), LOG2, rtol=RTOL)
    np.testing.assert_allclose(_value(losses.minimax_generator_loss(zeros)), -LOG2, rtol=RTOL)


# ------------------------------------------------------------------------------------------ label smoothing


def test_label_smoothing_changes_only_the_real_term_of_cross_entropy():
    smoothing = 0.1
    loss = _value(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=smoothing))
    np.testing.assert_allclose(loss, _expected_bce_discriminator(REAL, FAKE, smoothing), rtol=RTOL)
    # The change is ½·s·E[log D(r) − log(1 − D(r))] = ½·s·E[r]: only the real logits enter it.
    plain = _value(losses.minimax_discriminator_loss(REAL, FAKE))
    np.testing.assert_allclose(loss - plain, 0.5 * smoothing * np.mean(REAL), rtol=1e-4)
    other_fake = _value(losses.minimax_discriminator_loss(REAL, [5.0, 5.0], label_smoothing=smoothing))
    other_fake_plain = _value(losses.minimax_discriminator_loss(REAL, [5.0, 5.0]))
    np.testing.assert_allclose(other_fake - other_fake_plain, loss - plain, rtol=1e-4)


def test_label_smoothing_moves_the_least_squares_real_target():
    smoothing = 0.2
    real, fake = np.array(REAL), np.array(FAKE)
    expected = 0.5 * np.mean((real - 0.8) ** 2) + 0.5 * np.mean(fake**2)
    loss = losses.least_squares_discriminator_loss(REAL, FAKE, label_smoothing=smoothing)
    np.testing.assert_allclose(_value(loss), expected, rtol=RTOL)
    # A real output exactly at the smoothed target costs nothing.
    np.testing.assert_allclose(
        _value(losses.least_squares_discriminator_loss([0.8], [0.0], 0.2)), 0.0, atol=1e-7
    )


@pytest.mark.parametrize("family", losses.SUPPORTS_LABEL_SMOOTHING)
@pytest.mark.parametrize("bad", [1.0, 1.5, -0.1, float("nan"), "0.1", None, True])
def test_bad_label_smoothing_raises(family, bad):
    _, discriminator_loss = losses.get(family)
    with pytest.raises(ValueError, match="label_smoothing") as error:
        discriminator_loss(REAL, FAKE, label_smoothing=bad)
    assert f"Received: label_smoothing={bad!r}" in str(error.value)


def test_label_smoothing_accepts_zero_int_and_numpy_float():
    np.testing.assert_allclose(
        _value(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=0)),
        _value(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=np.float32(0.0))),
        rtol=RTOL,
    )


# ------------------------------------------------------------------------------------------ shapes, inputs


def _all_losses(real, fake):
    """Every loss of every family, evaluated on the same logits."""
    values = []
    for family in losses.FAMILIES:
        generator_loss, discriminator_loss = losses.get(family)
        values += [_value(generator_loss(fake)), _value(discriminator_loss(real, fake))]
    return values


def test_patch_shaped_logits_give_the_same_value_as_flat_ones():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2, 3, 3, 1)).astype(np.float32)
    fake = rng.normal(size=(2, 3, 3, 1)).astype(np.float32)
    flat = _all_losses(real.reshape(-1), fake.reshape(-1))
    np.testing.assert_allclose(_all_losses(real, fake), flat, rtol=RTOL)
    np.testing.assert_allclose(_all_losses(real.reshape(-1, 1), fake.reshape(-1, 1)), flat, rtol=RTOL)


def test_numpy_lists_and_other_dtypes_are_accepted():
    as_lists = _all_losses(REAL, FAKE)
    as_float64 = _all_losses(np.array(REAL), np.array(FAKE))
    as_tensors = _all_losses(tf.constant(REAL, tf.float16), tf.constant(FAKE, tf.float64))
    np.testing.assert_allclose(as_float64, as_lists, rtol=RTOL)
    np.testing.assert_allclose(as_tensors, as_lists, rtol=1e-3)  # these logits are exact in float16
    # Integer logits are cast, not rejected.
    np.testing.assert_allclose(_value(losses.wasserstein_generator_loss([1, 2, 3])), -2.0, rtol=RTOL)


def test_real_and_fake_batches_may_differ_in_size():
    # Each half is its own mean, so a long real batch does not outweigh a short fake one.
    loss = _value(losses.minimax_discriminator_loss([0.0] * 8, [0.0, 0.0]))
    np.testing.assert_allclose(loss, LOG2, rtol=RTOL)


# ------------------------------------------------------------------------------------------ gradient signs

# Logits where every loss is in its active region: real < 1 (hinge, least squares), fake in (0, 1)
# (least squares pulls fake outputs towards 0, so a negative fake output would be pushed *up*).
SIGN_REAL = [0.5, -0.25, 0.0]
SIGN_FAKE = [0.25, 0.5, 0.75]


@pytest.mark.parametrize("family", losses.FAMILIES)
def test_generator_loss_falls_as_fake_logits_rise(family):
    generator_loss, _ = losses.get(family)
    assert np.all(_grad(generator_loss, SIGN_FAKE, wrt=0) < 0)


@pytest.mark.parametrize("family", losses.FAMILIES)
def test_discriminator_loss_raises_real_and_lowers_fake_logits(family):
    _, discriminator_loss = losses.get(family)
    assert np.all(_grad(discriminator_loss, SIGN_REAL, SIGN_FAKE, wrt=0) < 0)
    assert np.all(_grad(discriminator_loss, SIGN_REAL, SIGN_FAKE, wrt=1) > 0)


def test_minimax_generator_saturates_where_non_saturating_does_not():
    """THE teaching point: when D confidently rejects the samples, the minimax generator gets no signal."""
    rejected = [-10.0, -10.0, -10.0]
    n = len(rejected)
    minimax = _grad(losses.minimax_generator_loss, rejected, wrt=0)
    non_saturating = _grad(losses.non_saturating_generator_loss, rejected, wrt=0)
    assert np.all(np.abs(minimax) < 1e-3)
    assert np.all(np.abs(non_saturating) > 0.5 / n)
    # The analytic gradients: −sigmoid(f)/n and −(1 − sigmoid(f))/n.
    np.testing.assert_allclose(minimax, -_sigmoid(rejected) / n, rtol=1e-4)
    np.testing.assert_allclose(non_saturating, -(1.0 - _sigmoid(rejected)) / n, rtol=1e-4)


def test_hinge_discriminator_has_no_gradient_beyond_the_margin():
    assert np.all(_grad(losses.hinge_discriminator_loss, [2.0, 3.0], [-2.0, -3.0], wrt=0) == 0)
    assert np.all(_grad(losses.hinge_discriminator_loss, [2.0, 3.0], [-2.0, -3.0], wrt=1) == 0)


# ------------------------------------------------------------------------------------------ gradient penalty


def _linear_critic(weights, patch=False):
    """``C(x) = Σ w·x`` per example, so ∇_x C = w everywhere; ``patch`` returns the products unsummed."""
    calls = []

    def critic(x, training=False):
        calls.append(training)
        products = x * weights
        if patch:
            return products  # patch-shaped: (B, H, W, C) scores whose sum is Σ w·x
        return tf.reduce_sum(products, axis=[1, 2, 3])[:, None]

    critic.calls = calls
    return critic


def _weights_with_norm(norm, shape=(4, 4, 1), seed=0):
    w = np.random.default_rng(seed).normal(size=shape)
    return tf.constant(w * norm / np.linalg.norm(w), dtype=tf.float32)


def _image_batches(batch=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, 4, 4, 1)).astype(np.float32), rng.normal(size=(batch, 4, 4, 1)).astype(
        np.float32
    )


@pytest.mark.parametrize("epsilon", [None, 0.0, 1.0, [0.1, 0.5, 0.9], np.full((3, 1, 1, 1), 0.3)])
@pytest.mark.parametrize("patch", [False, True])
def test_gradient_penalty_of_linear_critic_depends_only_on_its_norm(epsilon, patch):
    real, fake = _image_batches()
    critic = _linear_critic(_weights_with_norm(2.0), patch=patch)
    penalty = losses.gradient_penalty(critic, real, fake, epsilon=epsilon, seed=3)
    np.testing.assert_allclose(_value(penalty), 1.0, rtol=RTOL)  # (‖w‖ − 1)² = (2 − 1)²
    assert critic.calls == [True]
    unit = losses.gradient_penalty(_linear_critic(_weights_with_norm(1.0), patch=patch), real, fake, epsilon)
    np.testing.assert_allclose(_value(unit), 0.0, atol=1e-6)


def test_gradient_penalty_uses_epsilon_per_example():
    # C(x) = Σ x², so ∇C(x̂) = 2·x̂; with real = 1 and fake = 0, x̂ = ε and ‖∇C‖ = 2·ε·√(number of pixels).
    real, fake = np.ones((3, 2, 2, 1), np.float32), np.zeros((3, 2, 2, 1), np.float32)
    epsilon = np.array([0.25, 0.5, 1.0])

    def critic(x, training=False):
        return tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

    expected = np.mean((2.0 * epsilon * math.sqrt(4) - 1.0) ** 2)
    penalty = losses.gradient_penalty(critic, real, fake, epsilon=epsilon.reshape(3, 1, 1, 1))
    np.testing.assert_allclose(_value(penalty), expected, rtol=RTOL)
    # A plain vector of length B is read as one weight per example, too.
    np.testing.assert_allclose(
        _value(losses.gradient_penalty(critic, real, fake, epsilon=epsilon)), expected, rtol=RTOL
    )


def test_gradient_penalty_is_differentiable_in_the_critic_weights():
    # penalty = (‖w‖ − 1)², so ∂penalty/∂w = 2·(‖w‖ − 1)·w/‖w‖ = w when ‖w‖ = 2.
    real, fake = _image_batches()
    weights = tf.Variable(_weights_with_norm(2.0))
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(_linear_critic(weights), real, fake, seed=0)
    np.testing.assert_allclose(tape.gradient(penalty, weights).numpy(), weights.numpy(), rtol=1e-4, atol=1e-6)


def test_losses_and_penalty_run_inside_tf_function():
    real, fake = _image_batches()
    critic = _linear_critic(_weights_with_norm(2.0))

    @tf.function
    def step(real_images, fake_images):
        real_scores, fake_scores = critic(real_images), critic(fake_images)
        d_loss = losses.wasserstein_discriminator_loss(real_scores, fake_scores)
        d_loss += 10.0 * losses.gradient_penalty(critic, real_images, fake_images, seed=1)
        return d_loss, losses.non_saturating_discriminator_loss(real_scores, fake_scores, label_smoothing=0.1)

    wgan, bce = step(tf.constant(real), tf.constant(fake))
    # The penalty of a critic with ‖w‖ = 2 is exactly 1, whatever ε the graph draws.
    eager_w = _value(losses.wasserstein_discriminator_loss(critic(real), critic(fake)))
    np.testing.assert_allclose(_value(wgan), eager_w + 10.0, rtol=1e-4)
    assert np.isfinite(_value(bce))


# ------------------------------------------------------------------------------------------------- registry


def test_label_smoothing_families_are_families():
    assert set(losses.SUPPORTS_LABEL_SMOOTHING) <= set(losses.FAMILIES)


def test_get_returns_the_pair_of_each_family():
    assert losses.get("minimax") == (losses.minimax_generator_loss, losses.minimax_discriminator_loss)
    assert losses.get("non_saturating") == (
        losses.non_saturating_generator_loss,
        losses.non_saturating_discriminator_loss,
    )
    assert losses.get("least_squares") == (
        losses.least_squares_generator_loss,
        losses.least_squares_discriminator_loss,
    )
    assert losses.get("wasserstein") == (
        losses.wasserstein_generator_loss,
        losses.wasserstein_discriminator_loss,
    )
    assert losses.get("hinge") == (losses.hinge_generator_loss, losses.hinge_discriminator_loss)


@pytest.mark.parametrize("name", ["foo", "Minimax", "", None, ["hinge"]])
def test_get_rejects_unknown_families(name):
    with pytest.raises(ValueError, match="Unknown loss family") as error:
        losses.get(name)
    assert "Expected one of: minimax, non_saturating, least_squares, wasserstein, hinge" in str(error.value)
    assert repr(name) in str(error.value)


# ------------------------------------------------------------------------------------ CycleGAN's terms


def test_cycle_loss_is_the_mean_absolute_error_of_the_round_trip():
    real = np.array([0.5, -1.0, 1.0, 0.0]).reshape(1, 2, 2, 1)
    cycled = np.array([0.0, -1.0, 0.5, 0.5]).reshape(1, 2, 2, 1)
    # |0 − 0.5| + |−1 + 1| + |0.5 − 1| + |0.5 − 0| = 1.5, over 4 pixels
    assert _value(losses.cycle_loss(real, cycled)) == pytest.approx(0.375, rel=RTOL)
    assert _value(losses.cycle_loss(real, real)) == 0.0


def test_identity_loss_feeds_each_generator_its_target_domain():
    g = lambda x: 0.5 * x  # noqa: E731  (A → B, given B pictures)
    f = lambda x: x + 0.1  # noqa: E731  (B → A, given A pictures)
    a = np.array([0.5, -1.0, 1.0, 0.0]).reshape(1, 2, 2, 1)
    b = np.array([-0.5, 0.25, 0.75, 0.5]).reshape(1, 2, 2, 1)
    # E|F(a) − a| = 0.1; E|G(b) − b| = ½·E|b| = ½·(0.5 + 0.25 + 0.75 + 0.5)/4 = 0.25
    assert _value(losses.identity_loss(g, f, a, b)) == pytest.approx(0.35, rel=RTOL)


def test_cyclegan_generator_loss_adds_the_weighted_terms():
    fake_b_logits = np.array([0.5, 1.5]).reshape(2, 1, 1, 1)   # (D_B(G(a)) − 1)²: 0.25, 0.25 -> 0.25
    fake_a_logits = np.array([0.0, 2.0, 1.0, 1.0]).reshape(1, 2, 2, 1)  # 1, 1, 0, 0 -> 0.5
    # 0.25 + 0.5 + 3·0.2 + 1·0.6 + 5·0.3 = 3.45
    loss = losses.cyclegan_generator_loss(fake_b_logits, fake_a_logits, 0.2, 0.6, 0.3, 3.0, 1.0, 5.0)
    assert _value(loss) == pytest.approx(3.45, rel=RTOL)
    # λ_A = λ_B = 10, no identity: 0.75 + 2 + 6
    assert _value(losses.cyclegan_generator_loss(fake_b_logits, fake_a_logits, 0.2, 0.6, 0.3, 10.0, 10.0, 0.0)) == (
        pytest.approx(8.75, rel=RTOL))


def test_cyclegan_terms_run_inside_tf_function_and_pass_gradients():
    real, cycled = (tf.constant(x, tf.float32) for x in _image_batches())

    @tf.function
    def step(real_images, cycled_images):
        with tf.GradientTape() as tape:
            tape.watch(cycled_images)
            cycle = losses.cycle_loss(real_images, cycled_images)
            identity = losses.identity_loss(lambda x: 0.5 * x, lambda x: -x, real_images, cycled_images)
            total = losses.cyclegan_generator_loss(cycled_images, real_images, cycle, cycle, identity, 3.0, 1.0, 5.0)
        return total, tape.gradient(total, cycled_images)

    total, gradient = step(real, cycled)
    assert np.isfinite(_value(total)) and np.abs(gradient.numpy()).sum() > 0
