"""Lesson 1's exercises: each check accepts ganlib's piece and a differently written correct one, names the
usual mistakes in its hints, and treats an unattempted exercise as "to do"; ganlib's reference training step
is one SGD step of D then one of G."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import exercises, losses, models
from ganlib.exercises import lesson01
from ganlib.exercises.checking import FAKE_LOGITS, REAL_LOGITS, ExerciseError, learner_error
from ganlib.training import by_hand


def unattempted(*args, **kwargs):
    raise NotImplementedError


def passes(check, answer, capsys) -> str:
    assert check(answer) is True
    out = capsys.readouterr().out
    assert "✅ Correct" in out
    return out


# ----------------------------------------------------------------------------------- the losses


def softplus_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    t = 1.0 - label_smoothing
    real = t * tf.nn.softplus(-real_logits) + (1 - t) * tf.nn.softplus(real_logits)
    return 0.5 * (tf.reduce_mean(real) + tf.reduce_mean(tf.nn.softplus(fake_logits)))


def keras_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Keras' cross-entropy, one-sided: the smoothed targets given by hand (no `label_smoothing=` to Keras)."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return 0.5 * (bce(tf.fill(tf.shape(real_logits), 1.0 - label_smoothing), real_logits)
                  + bce(tf.zeros_like(fake_logits), fake_logits))


def keras_two_sided_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    bce = keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=label_smoothing)
    return 0.5 * (bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits))


def with_real_target(real_target, fake_target=lambda s: 0.0, real_first_term_only=False):
    def d_loss(real_logits, fake_logits, label_smoothing=0.0):
        t, u = real_target(label_smoothing), fake_target(label_smoothing)
        real = t * tf.nn.softplus(-real_logits)
        if not real_first_term_only:
            real += (1 - t) * tf.nn.softplus(real_logits)
        fake = u * tf.nn.softplus(-fake_logits) + (1 - u) * tf.nn.softplus(fake_logits)
        return 0.5 * (tf.reduce_mean(real) + tf.reduce_mean(fake))

    return d_loss


def test_the_hand_computed_losses_are_ganlibs():
    assert float(losses.non_saturating_discriminator_loss(REAL_LOGITS, FAKE_LOGITS)) == pytest.approx(0.6011, abs=1e-4)
    assert float(losses.non_saturating_discriminator_loss(REAL_LOGITS, FAKE_LOGITS, 0.2)) == pytest.approx(0.6911, abs=1e-4)
    assert float(keras_two_sided_d_loss(REAL_LOGITS, FAKE_LOGITS, 0.2)) == pytest.approx(0.6686, abs=1e-4)
    assert float(losses.non_saturating_generator_loss(FAKE_LOGITS)) == pytest.approx(1.1210, abs=1e-4)


@pytest.mark.parametrize("answer", [losses.non_saturating_discriminator_loss, softplus_d_loss, keras_d_loss])
def test_discriminator_loss_accepts_any_correct_form(answer, capsys):
    assert "0.6011 without smoothing and 0.6911 with 0.2" in passes(lesson01.check_discriminator_loss, answer, capsys)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda r, f, label_smoothing=0.0: 2 * softplus_d_loss(r, f, label_smoothing), "average the real and the fake"),
        (lambda r, f, label_smoothing=0.0: -softplus_d_loss(r, f, label_smoothing), "sign is flipped"),
        (lambda r, f, label_smoothing=0.0: tf.reduce_mean(tf.nn.softplus(-r)), "Only the real half"),
        (lambda r, f, label_smoothing=0.0: 5 * softplus_d_loss(r, f, label_smoothing) * 2, "Sums over the batch"),
        (lambda r, f: softplus_d_loss(r, f), "third argument `label_smoothing"),
        (lambda r, f, label_smoothing=0.0: softplus_d_loss(r, f), "changes nothing"),
        (keras_two_sided_d_loss, "two-sided"),
        (with_real_target(lambda s: 1 - s, fake_target=lambda s: s), "fake target stays 0"),
        (with_real_target(lambda s: s if s else 1.0), "not label_smoothing itself"),
        (with_real_target(lambda s: 1 - s, real_first_term_only=True), r"t·softplus\(−ℓ\) \+ \(1 − t\)"),
        (with_real_target(lambda s: 1 - 2 * s), "expected 0.6911"),
    ],
)
def test_discriminator_loss_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson01.check_discriminator_loss(wrong)


def keras_g_loss(fake_logits):
    return keras.losses.BinaryCrossentropy(from_logits=True)(tf.ones_like(fake_logits), fake_logits)


@pytest.mark.parametrize("answer", [losses.non_saturating_generator_loss, keras_g_loss,
                                    lambda f: tf.reduce_mean(tf.math.softplus(-tf.convert_to_tensor(f)))])
def test_generator_loss_accepts_any_correct_form(answer, capsys):
    assert "1.1210" in passes(lesson01.check_generator_loss, answer, capsys)


def test_far_logits_by_hand():
    # softplus(200) = 200 (to float precision) and softplus(0) = log 2: both losses are (200 + 0.6931) / 2.
    assert lesson01._FAR_LOSS == pytest.approx(100.3466, abs=1e-4)
    assert float(losses.non_saturating_generator_loss(lesson01._FAR_REAL)) == pytest.approx(100.3466, abs=1e-3)
    far_d = losses.non_saturating_discriminator_loss(lesson01._FAR_REAL, lesson01._FAR_FAKE)
    assert float(far_d) == pytest.approx(100.3466, abs=1e-3)
    assert not np.isfinite(float(-tf.reduce_mean(tf.math.log(tf.sigmoid(tf.constant(lesson01._FAR_REAL))))))


def naive_d_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Right on moderate logits, but log(sigmoid(ℓ)) is log 0 for ℓ = −200 in float32."""
    t = 1.0 - label_smoothing
    d_real, d_fake = tf.sigmoid(real_logits), tf.sigmoid(fake_logits)
    real = -tf.reduce_mean(t * tf.math.log(d_real) + (1 - t) * tf.math.log(1 - d_real))
    return 0.5 * (real - tf.reduce_mean(tf.math.log(1 - d_fake)))


def test_discriminator_loss_must_stay_finite_far_from_zero():
    with pytest.raises(AssertionError, match="never take the log of 0"):
        lesson01.check_discriminator_loss(naive_d_loss)


def test_a_wrong_answer_shows_its_hint_alone_in_a_notebook():
    """The checks raise ExerciseError: an AssertionError that IPython renders as its hint, without the frames of
    the check's code (IPython calls _render_traceback_ instead of formatting the traceback)."""
    with pytest.raises(ExerciseError) as raised:
        lesson01.check_generator_loss(losses.minimax_generator_loss)
    assert isinstance(raised.value, AssertionError)
    (line,) = raised.value._render_traceback_()
    assert "That is the minimax loss" in line and "lesson01.py" not in line and "raise" not in line


def test_learner_error_names_the_line_of_the_learners_code():
    def build(seed=None):
        return seed_ + 1  # noqa: F821 (the typo under test)

    try:
        build()
    except NameError as error:
        described = learner_error(error)
    assert described.startswith("NameError: name 'seed_' is not defined")
    assert "(in `build`, line" in described and "`return seed_ + 1" in described


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (losses.minimax_generator_loss, "minimax"),
        (lambda f: -losses.non_saturating_generator_loss(f), "sign is flipped"),
        (lambda f: tf.reduce_mean(tf.nn.softplus(f)), "D's loss on the fakes"),
        (lambda f: tf.reduce_sum(tf.nn.softplus(-f)), "sum over the batch"),
        (lambda f: tf.reduce_mean(tf.nn.softplus(-f)) / 2, "Expected 1.1210"),
        (lambda f: -tf.reduce_mean(tf.math.log(tf.sigmoid(f))), "never take the log of 0"),
        (lambda f: -np.mean(np.log(1 / (1 + np.exp(-np.asarray(f))))), "never take the log of 0"),
        (lambda f: -tf.reduce_mean(tf.math.log(tf.clip_by_value(tf.sigmoid(f), 1e-7, 1.0))), "clipping D"),
        (lambda f: keras.losses.BinaryCrossentropy()(tf.ones_like(f), tf.sigmoid(f)), "clipping D"),
    ],
)
def test_generator_loss_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson01.check_generator_loss(wrong)


# --------------------------------------------------------------------------------- the players


def generator(latent_dim, hidden_units, image_shape=(28, 28, 1), seed=None, *, bias=False, batch_norm=True,
              order="dense bn act", act=lambda: keras.layers.LeakyReLU(0.2), out="tanh", reshape=True,
              bn=keras.layers.BatchNormalization, first=True, honour_seed=True, functional=False):
    """A learner's generator, right by default; each keyword plants one usual mistake."""
    if seed is not None and honour_seed:
        keras.utils.set_random_seed(seed)
    layers = [keras.Input((latent_dim,))] if first else []
    for units in hidden_units:
        block = {"dense": keras.layers.Dense(units, use_bias=bias), "act": act()}
        if batch_norm:
            block["bn"] = bn(momentum=0.8)
        layers += [block[name] for name in order.split() if name in block]
    layers += [keras.layers.Dense(math.prod(image_shape)), keras.layers.Activation(out) if out else None]
    layers += [keras.layers.Reshape(image_shape if reshape is True else reshape) if reshape else None]
    layers = [layer for layer in layers if layer is not None]
    if not functional:
        return keras.Sequential(layers)
    x = z = layers[0]
    for layer in layers[1:]:
        x = layer(x)
    return keras.Model(z, x)


def in_mode(layer_class, training: bool):
    """``layer_class`` always called in one mode, whatever the model is called with (e.g. a learner's own layer)."""

    class Fixed(layer_class):
        def call(self, inputs, training=None):
            return super().call(inputs, training=training_mode)

    training_mode = training
    return Fixed


@pytest.mark.parametrize("answer", [models.build_mlp_generator, generator,
                                    lambda *a, **k: generator(*a, functional=True, **k)])
def test_generator_check_accepts_ganlibs_sequential_and_functional(answer, capsys):
    assert "2,416 parameters" in passes(lesson01.check_mlp_generator, answer, capsys)


def mistake(builder, **planted):
    return lambda *args, **kwargs: builder(*args, **kwargs, **planted)


@pytest.mark.parametrize(
    "planted, hint",
    [
        ({"bias": True}, "biases of the Dense layers before batch norm"),
        ({"batch_norm": False}, "No batch norm in G"),
        ({"order": "dense act bn"}, "Dense → BatchNormalization → LeakyReLU"),
        ({"act": keras.layers.ReLU}, "ReLU"),
        ({"act": keras.layers.LeakyReLU}, "default is 0.3"),
        ({"out": None}, "end with tanh"),
        ({"out": "sigmoid"}, "a sigmoid"),
        ({"reshape": False}, "reshape them to image_shape"),
        ({"reshape": (4, 12, 1)}, r"expected images of shape \(4, 6, 4, 2\)"),
        ({"first": False}, r"keras.Input\(shape=\(latent_dim,\)\)"),
        ({"honour_seed": False}, "different weights"),
        ({"bn": in_mode(keras.layers.BatchNormalization, True)}, "In inference mode"),
        ({"bn": in_mode(keras.layers.BatchNormalization, False)}, "In training mode"),
        ({"batch_norm": False, "bias": True}, "No batch norm in G"),
        ({"bn": lambda momentum: keras.layers.BatchNormalization()}, r"momentum 0.99: use BatchNormalization\(momentum=0.8\)"),
        ({"bn": lambda momentum: keras.layers.BatchNormalization(momentum=0.9)}, "momentum 0.9: use"),
    ],
)
def test_generator_check_names_the_usual_mistakes(planted, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson01.check_mlp_generator(mistake(generator, **planted))


def test_generator_check_counts_the_parameters_by_hand():
    # 8·16 + 4·16 + 16·32 + 4·32 + (32·48 + 48) = 2416: what ganlib's builder gives too.
    assert models.build_mlp_generator(8, (16, 32), image_shape=(6, 4, 2)).count_params() == 2416
    with pytest.raises(AssertionError, match="Expected 2,416 parameters"):
        lesson01.check_mlp_generator(lambda latent_dim, hidden_units, **k: generator(latent_dim, (16, 16), **k))


def discriminator(image_shape=(28, 28, 1), hidden_units=(512, 256), dropout=0.3, seed=None, *, flatten=True,
                  out=None, units_out=1, rate=None, drop=True, drop_layer=keras.layers.Dropout, batch_norm=False,
                  functional=False):
    """A learner's discriminator, right by default; each keyword plants one usual mistake."""
    if seed is not None:
        keras.utils.set_random_seed(seed)
    layers = [keras.layers.Flatten()] if flatten else []
    for units in hidden_units:
        layers += [keras.layers.Dense(units)] + ([keras.layers.BatchNormalization()] if batch_norm else [])
        layers += [keras.layers.LeakyReLU(0.2)] + ([drop_layer(rate or dropout)] if drop else [])
    layers.append(keras.layers.Dense(units_out, activation=out))
    if not functional:
        return keras.Sequential([keras.Input(image_shape), *layers])
    x = images = keras.Input(image_shape)
    for layer in layers:
        x = layer(x)
    return keras.Model(images, x)


@pytest.mark.parametrize("answer", [models.build_mlp_discriminator, discriminator,
                                    lambda **k: discriminator(functional=True, **k)])
def test_discriminator_check_accepts_ganlibs_sequential_and_functional(answer, capsys):
    assert "929 parameters" in passes(lesson01.check_mlp_discriminator, answer, capsys)


@pytest.mark.parametrize(
    "planted, hint",
    [
        ({"out": "sigmoid"}, "squashing function"),
        ({"flatten": False}, "flatten each image"),
        ({"units_out": 2}, "one logit per image"),
        ({"drop": False}, "two Dropout"),
        ({"rate": 0.3}, "Use the `dropout` argument"),
        ({"drop_layer": in_mode(keras.layers.Dropout, True)}, "In inference mode"),
        ({"drop_layer": in_mode(keras.layers.Dropout, False)}, "In training mode"),
        ({"batch_norm": True}, "no batch norm"),
        ({"hidden_units": (16, 16)}, "Expected 929 parameters"),
    ],
)
def test_discriminator_check_names_the_usual_mistakes(planted, hint):
    def answer(**kwargs):
        return discriminator(**{**kwargs, **planted})

    with pytest.raises(AssertionError, match=hint):
        lesson01.check_mlp_discriminator(answer)


def test_discriminator_check_sees_a_sigmoid_in_any_layer():
    def answer(**kwargs):
        d = discriminator(**kwargs)
        return keras.Sequential([d, keras.layers.Lambda(tf.sigmoid)])

    with pytest.raises(AssertionError, match="all lie in"):
        lesson01.check_mlp_discriminator(answer)


# ------------------------------------------------------------------------------- the training step


def concatenating_step(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn, real_images,
                       d_noise, g_noise, label_smoothing=0.0):
    """Correct, written differently: fakes drawn inside the tape, one D call on real and fakes together,
    ``optimizer.apply``."""
    n = tf.shape(real_images)[0]
    with tf.GradientTape() as tape:
        logits = discriminator(tf.concat([real_images, generator(d_noise, training=True)], 0), training=True)
        d_loss = d_loss_fn(logits[:n], logits[n:], label_smoothing)
    d_optimizer.apply(tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
    with tf.GradientTape() as tape:
        g_loss = g_loss_fn(discriminator(generator(g_noise, training=True), training=True))
    g_optimizer.apply(tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
    return d_loss, g_loss


def step_with(*, both_in_d_step=False, g_moves_d=None, d_sign=1, g_sign=1, smooth=True, simultaneous=False,
              swap=False, g_uses_d_noise=False, training=True, own_losses=False, returns="both", numpy=False):
    """A learner's step, right by default; each keyword plants one usual mistake."""

    def step(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn, real_images, d_noise,
             g_noise, label_smoothing=0.0):
        if own_losses:
            g_loss_fn, d_loss_fn = losses.non_saturating_generator_loss, losses.non_saturating_discriminator_loss
        if swap:
            g_optimizer, d_optimizer = d_optimizer, g_optimizer
        mode = {"training": True} if training else {}
        with tf.GradientTape(persistent=True) as g_tape:
            g_loss = g_loss_fn(discriminator(generator(g_noise, **mode), **mode))
        with tf.GradientTape() as tape:
            fakes = generator(d_noise, **mode)
            d_loss = d_loss_fn(discriminator(real_images, **mode), discriminator(fakes, **mode),
                               label_smoothing=label_smoothing if smooth else 0.0)
        weights = discriminator.trainable_weights + (generator.trainable_weights if both_in_d_step else [])
        d_optimizer.apply_gradients(zip([d_sign * g for g in tape.gradient(d_loss, weights)], weights, strict=True))
        if not simultaneous:
            with tf.GradientTape(persistent=True) as g_tape:
                g_loss = g_loss_fn(discriminator(generator(d_noise if g_uses_d_noise else g_noise, **mode), **mode))
        weights = generator.trainable_weights + (discriminator.trainable_weights if g_moves_d == "g" else [])
        g_optimizer.apply_gradients(zip([g_sign * g for g in g_tape.gradient(g_loss, weights)], weights, strict=True))
        if g_moves_d == "d":
            weights = discriminator.trainable_weights
            d_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, weights), weights, strict=True))
        if numpy:
            d_loss, g_loss = d_loss.numpy(), g_loss.numpy()
        return {"both": (d_loss, g_loss), "swapped": (g_loss, d_loss), "none": None}[returns]

    return step


@pytest.mark.parametrize("answer", [by_hand.train_step, concatenating_step, step_with()])
def test_train_step_check_accepts_any_correct_form(answer, capsys):
    assert "same weights as ganlib's step" in passes(lesson01.check_train_step, answer, capsys)


@pytest.mark.parametrize(
    "planted, hint",
    [
        ({"both_in_d_step": True}, "The D step moved G's weights too"),
        ({"g_moves_d": "g"}, "The G step changed D's weights"),
        ({"g_moves_d": "d"}, "The G step changed D's weights"),
        ({"swap": True}, "optimizers are swapped"),
        ({"d_sign": -1}, "D climbed its loss"),
        ({"g_sign": -1}, "G climbed its loss"),
        ({"smooth": False}, "ignores label smoothing"),
        ({"simultaneous": True}, r"\*before\* its update"),
        ({"g_uses_d_noise": True}, "from `g_noise`"),
        ({"training": False}, "inference mode: call both players with training=True"),
        ({"own_losses": True}, "use the `d_loss_fn` and `g_loss_fn`"),
        ({"returns": "swapped"}, "come back swapped"),
        ({"returns": "none"}, "Return the two losses"),
        ({"numpy": True}, "fails inside tf.function"),
    ],
)
def test_train_step_check_names_the_usual_mistakes(planted, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson01.check_train_step(step_with(**planted))


def fakes_made_once(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn, real_images, d_noise,
                    g_noise, label_smoothing=0.0):
    """The D step's fakes, made outside both tapes, reused in the G step: G's tape never sees G's weights."""
    fakes = generator(d_noise, training=True)
    with tf.GradientTape() as tape:
        d_loss = d_loss_fn(discriminator(real_images, training=True), discriminator(fakes, training=True),
                           label_smoothing=label_smoothing)
    grads = tape.gradient(d_loss, discriminator.trainable_weights)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_weights, strict=True))
    with tf.GradientTape() as tape:
        g_loss = g_loss_fn(discriminator(fakes, training=True))
    grads = tape.gradient(g_loss, generator.trainable_weights)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_weights, strict=True))
    return d_loss, g_loss


def d_loss_outside_the_tape(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn, real_images,
                            d_noise, g_noise, label_smoothing=0.0):
    d_loss = d_loss_fn(discriminator(real_images, training=True),
                       discriminator(generator(d_noise, training=True), training=True), label_smoothing=label_smoothing)
    with tf.GradientTape() as tape:
        pass
    grads = tape.gradient(d_loss, discriminator.trainable_weights)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_weights, strict=True))
    return d_loss, d_loss


@pytest.mark.parametrize("step, hint", [(fakes_made_once, "G's fakes must be made under G's tape"),
                                        (d_loss_outside_the_tape, "d_loss must be computed under D's tape")])
def test_train_step_check_says_which_step_got_no_gradient(step, hint):
    with pytest.raises(AssertionError, match=hint) as raised:
        lesson01.check_train_step(step)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_ganlibs_step_is_one_sgd_step_of_d_then_one_of_g():
    """By hand: D's weights go down ∇ of L_D at the start, G's down ∇ of L_G against the *updated* D."""
    generator = models.build_mlp_generator(3, (4,), image_shape=(2, 2, 1), seed=0)
    discriminator = models.build_mlp_discriminator((2, 2, 1), (4,), dropout=0.0, seed=1)
    real = tf.random.stateless_uniform((4, 2, 2, 1), (0, 1), -1, 1)
    d_noise, g_noise = tf.random.stateless_normal((4, 3), (0, 2)), tf.random.stateless_normal((4, 3), (0, 3))
    g0, d0 = generator.get_weights(), discriminator.get_weights()

    with tf.GradientTape() as tape:
        d_loss = losses.non_saturating_discriminator_loss(
            discriminator(real, training=True), discriminator(generator(d_noise, training=True), training=True), 0.1)
    d_grads = tape.gradient(d_loss, discriminator.trainable_weights)
    d1 = [w - 0.5 * g for w, g in zip(d0, d_grads, strict=True)]  # D has no non-trainable weights
    discriminator.set_weights(d1)
    with tf.GradientTape() as tape:
        g_loss = losses.non_saturating_generator_loss(discriminator(generator(g_noise, training=True), training=True))
    g_grads = dict(zip([w.path for w in generator.trainable_weights],
                       tape.gradient(g_loss, generator.trainable_weights), strict=True))
    g1 = [w.numpy() - 0.25 * g_grads[w.path] for w in generator.trainable_weights]

    generator.set_weights(g0)
    discriminator.set_weights(d0)
    got = by_hand.train_step(generator, discriminator, keras.optimizers.SGD(0.25), keras.optimizers.SGD(0.5),
                             losses.non_saturating_generator_loss, losses.non_saturating_discriminator_loss,
                             real, d_noise, g_noise, 0.1)
    np.testing.assert_allclose([float(got[0]), float(got[1])], [float(d_loss), float(g_loss)], rtol=1e-6)
    for want, weight in zip(d1, discriminator.get_weights(), strict=True):
        np.testing.assert_allclose(weight, want, atol=1e-6)
    for want, weight in zip(g1, generator.trainable_weights, strict=True):
        np.testing.assert_allclose(weight.numpy(), want, atol=1e-6)
    assert not np.allclose(discriminator.get_weights()[0], d0[0]) and not np.allclose(generator.get_weights()[0], g0[0])


# ------------------------------------------------------------------------- unattempted, and the questions


@pytest.mark.parametrize(
    "check",
    [
        lesson01.check_mlp_generator,
        lesson01.check_mlp_discriminator,
        lesson01.check_discriminator_loss,
        lesson01.check_generator_loss,
        lesson01.check_train_step,
        lesson01.check_least_squares_discriminator_loss,
        lesson01.check_optimal_discriminator,
        lesson01.check_equilibrium_loss,
    ],
)
@pytest.mark.parametrize("answer", [None, ..., unattempted])
def test_an_unattempted_exercise_prints_what_to_do(check, answer, capsys):
    assert check(answer) is False
    assert "Not attempted yet" in capsys.readouterr().out


def test_every_lesson01_check_is_exported():
    for name in ("check_mlp_generator", "check_mlp_discriminator", "check_discriminator_loss",
                 "check_generator_loss", "check_train_step"):
        assert getattr(exercises, name) is getattr(lesson01, name)


@pytest.mark.parametrize(
    "check, right, wrong, hint",
    [
        (
            lesson01.check_least_squares_discriminator_loss,
            lambda r, f: 0.5 * tf.reduce_mean((r - 1) ** 2) + 0.5 * tf.reduce_mean(f**2),
            lambda r, f: 0.5 * tf.reduce_mean((tf.sigmoid(r) - 1) ** 2) + 0.5 * tf.reduce_mean(tf.sigmoid(f) ** 2),
            "no sigmoid",
        ),
        (
            lesson01.check_least_squares_discriminator_loss,
            lambda r, f: np.mean((np.asarray(r) - 1) ** 2) / 2 + np.mean(np.asarray(f) ** 2) / 2,
            lambda r, f: tf.reduce_mean((r - 1) ** 2) + tf.reduce_mean(f**2),
            "factor ½",
        ),
        (lesson01.check_optimal_discriminator, lambda p, q: p / (p + q), lambda p, q: q / (p + q), "real"),
        (lesson01.check_optimal_discriminator, lambda p, q: p / (p + q),
         lambda p, q: np.divide(p, q, out=np.full_like(p, np.inf), where=q > 0), "ratio"),
        (lesson01.check_optimal_discriminator, lambda p, q: 1 / (1 + q / np.maximum(p, 1e-300)),
         lambda p, q: 0.9 * p / (p + q), "without smoothing"),
        (lesson01.check_equilibrium_loss, math.log(2), 0.5, "output"),
        (lesson01.check_equilibrium_loss, lambda: np.log(2), math.log(4), "averages"),
        (lesson01.check_equilibrium_loss, lambda: -np.log(0.5), lambda: 0.5, "output"),
    ],
)
def test_question_checks_accept_the_answer_and_name_the_mistake(check, right, wrong, hint, capsys):
    passes(check, right, capsys)
    with pytest.raises(AssertionError, match=hint):
        check(wrong)


def test_missing_digits_takes_a_list_or_a_function(capsys):
    shares = np.array([0.1] * 8 + [0.02, 0.18])
    assert lesson01.check_missing_digits([8], shares) is True
    assert lesson01.check_missing_digits(lambda s: [int(d) for d in np.flatnonzero(s < 0.05)], shares) is True
    assert lesson01.check_missing_digits([], np.full(10, 0.1)) is True
    with pytest.raises(AssertionError, match="below 5%"):
        lesson01.check_missing_digits([9], shares)
    with pytest.raises(AssertionError, match="below 5%"):
        lesson01.check_missing_digits(lambda s: [int(d) for d in np.flatnonzero(s <= 0.05)], np.array([0.05] + [0.95 / 9] * 9))
    with pytest.raises(AssertionError, match="list of digits"):
        lesson01.check_missing_digits(8, shares)
    capsys.readouterr()
    assert lesson01.check_missing_digits(None, shares) is False
    assert lesson01.check_missing_digits(unattempted, shares) is False
    assert "Not attempted yet" in capsys.readouterr().out
