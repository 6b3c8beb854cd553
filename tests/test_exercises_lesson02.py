"""Lesson 2's build-a-block exercises (ganlib.exercises.lesson02): each check accepts ganlib's piece and other
correct ways to write it, names the usual mistakes, and says "not attempted" for an open exercise; the hooks
through which the lesson trains the learner's pieces (builders, recipe, the trainer's EMA step, the run's
fingerprint).

The hand computations behind the checks' numbers are written out in the checks themselves.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import exercises, models, recipes
from ganlib.exercises import lesson02
from ganlib.models import dcgan
from ganlib.runs import identity
from ganlib.training.steps import ema_update


def _init(seed):
    return keras.initializers.RandomNormal(0.0, 0.02, seed=seed)


def unattempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check",
    [lesson02.check_up_block, lesson02.check_down_block, lesson02.check_generator, lesson02.check_ema_update],
)
@pytest.mark.parametrize("answer", [None, ..., unattempted])
def test_an_open_exercise_is_not_attempted(check, answer, capsys):
    assert check(answer) is False
    assert "Not attempted yet" in capsys.readouterr().out


def test_the_checks_are_exported_with_the_others():
    assert exercises.check_up_block is lesson02.check_up_block
    assert {"check_up_block", "check_down_block", "check_generator", "check_ema_update"} <= set(
        lesson02.__all__
    )


# ------------------------------------------------------------------------------------------ up_block


def up_block(x, filters, kernel_size, seed):  # the lesson's solution
    x = keras.layers.Conv2DTranspose(
        filters, kernel_size, strides=2, padding="same", use_bias=False, kernel_initializer=_init(seed)
    )(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return keras.layers.ReLU()(x)


def up_block_sequential(x, filters, kernel_size, seed):
    return keras.Sequential(
        [
            keras.layers.Conv2DTranspose(
                filters, kernel_size, 2, "same", use_bias=False, kernel_initializer=_init(seed)
            ),
            keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5),  # PyTorch's epsilon: still right
            keras.layers.Activation("relu"),
        ]
    )(x)


def up_block_ops(x, filters, kernel_size, seed):
    x = keras.layers.Conv2DTranspose(
        filters, kernel_size, strides=(2, 2), padding="same", use_bias=False, kernel_initializer=_init(seed)
    )(x)
    return keras.ops.relu(keras.layers.BatchNormalization(momentum=0.9)(x))


class _ForcedMode(keras.layers.BatchNormalization):
    """Batch norm stuck in one mode, whatever mode the model is called in."""

    def __init__(self, mode, **kwargs):
        super().__init__(momentum=0.9, **kwargs)
        self.mode = mode

    def call(self, inputs, training=None):
        return super().call(inputs, training=self.mode)


def _up(
    conv=None, norm=True, activation="relu", relu_first=False, forced_mode=None, init=True, seed_used=True,
    momentum=0.9,
):
    def block(x, filters, kernel_size, seed):
        options = {"strides": 2, "padding": "same", "use_bias": False, **(conv or {})}
        if init:
            options["kernel_initializer"] = _init(seed if seed_used else None)
        x = keras.layers.Conv2DTranspose(filters, kernel_size, **options)(x)
        act = keras.layers.LeakyReLU(0.2) if activation == "leaky" else keras.layers.ReLU()
        if relu_first:
            x = act(x)
        if norm:
            x = (keras.layers.BatchNormalization(momentum=momentum) if forced_mode is None else _ForcedMode(forced_mode))(x)
        return x if relu_first or activation is None else act(x)

    return block


@pytest.mark.parametrize("answer", [up_block, up_block_sequential, up_block_ops, dcgan.up_block])
def test_up_block_accepts_any_correct_block(answer, capsys):
    assert lesson02.check_up_block(answer) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_up(conv={"use_bias": True}), "Bias left on before batch norm"),
        (_up(activation="leaky"), "LeakyReLU is the discriminator's"),
        (_up(relu_first=True), "ReLU before batch norm"),
        (_up(norm=False), "Batch norm is missing"),
        (_up(forced_mode=True), "In inference mode `up_block` still normalises with the batch"),
        (_up(forced_mode=False), "In training mode `up_block` normalises with the moving averages"),
        (_up(activation=None), "The ReLU is missing"),
        (_up(conv={"strides": 1}), "did not double"),
        (_up(conv={"padding": "valid"}), "padding='valid'"),
        (_up(conv={"activation": "relu"}), "No activation inside the Conv2DTranspose"),
        (_up(init=False), "standard deviation"),
        (_up(seed_used=False), "Pass `seed` to the Conv2DTranspose's initialiser"),
        (_up(momentum=0.99), r"In `up_block`: batch norm with momentum 0.99; use BatchNormalization\(momentum=0.9\)"),
        (lambda x, f, k, s: keras.layers.Conv2DTranspose(f, k, 2, "same"), "returned a layer"),
    ],
)
def test_up_block_names_the_usual_mistakes(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson02.check_up_block(answer)


# ------------------------------------------------------------------------------------------ down_block


def down_block(x, filters, kernel_size, seed, batch_norm=True):  # the lesson's solution
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=2,
        padding="same",
        use_bias=not batch_norm,
        kernel_initializer=_init(seed),
    )(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return keras.layers.LeakyReLU(negative_slope=0.2)(x)


def down_block_sequential(x, filters, kernel_size, seed, batch_norm=True):
    layers = [
        keras.layers.Conv2D(
            filters, kernel_size, 2, "same", use_bias=not batch_norm, kernel_initializer=_init(seed)
        )
    ]
    layers += [keras.layers.BatchNormalization(momentum=0.9)] if batch_norm else []
    return keras.Sequential([*layers, keras.layers.ReLU(negative_slope=0.2)])(x)


def down_block_ops(x, filters, kernel_size, seed, batch_norm=True):
    x = keras.layers.Conv2D(
        filters, kernel_size, 2, "same", use_bias=not batch_norm, kernel_initializer=_init(seed)
    )(x)
    return keras.ops.leaky_relu(keras.layers.BatchNormalization(momentum=0.9)(x) if batch_norm else x, negative_slope=0.2)


def _down(
    norm="after", bias="auto", activation="leaky", slope=0.2, leaky_first=False, conv=keras.layers.Conv2D,
    momentum=0.9,
):
    def block(x, filters, kernel_size, seed, batch_norm=True):
        use_norm = norm == "always" or (batch_norm and norm in ("after", "before"))
        if use_norm and norm == "before":
            x = keras.layers.BatchNormalization(momentum=momentum)(x)
        use_bias = not batch_norm if bias == "auto" else bias
        x = conv(
            filters, kernel_size, strides=2, padding="same", use_bias=use_bias, kernel_initializer=_init(seed)
        )(x)
        act = keras.layers.LeakyReLU(slope) if activation == "leaky" else keras.layers.ReLU()
        if leaky_first:
            x = act(x)
        if use_norm and norm != "before":
            x = keras.layers.BatchNormalization(momentum=momentum)(x)
        return x if leaky_first else act(x)

    return block


@pytest.mark.parametrize("answer", [down_block, down_block_sequential, down_block_ops, dcgan.down_block])
def test_down_block_accepts_any_correct_block(answer, capsys):
    assert lesson02.check_down_block(answer) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, hint",
    [
        (
            _down(norm="always"),
            "Batch norm after the first block's convolution: with batch_norm=False there is none",
        ),
        (_down(norm="before"), "Batch norm before the convolution"),
        (_down(norm="none"), "With batch_norm=True one batch norm follows the convolution"),
        (_down(bias=True), "Bias left on before batch norm"),
        (_down(bias=False), "Without batch norm the convolution keeps its bias"),
        (_down(slope=0.3), "slopes 0.3 by default"),
        (_down(activation="relu"), "ReLU is G's activation"),
        (_down(leaky_first=True), "LeakyReLU before batch norm"),
        (_down(conv=keras.layers.Conv2DTranspose), "The size doubled"),
        (_down(momentum=0.99), r"In `down_block`: batch norm with momentum 0.99; use BatchNormalization\(momentum=0.9\)"),
    ],
)
def test_down_block_names_the_usual_mistakes(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson02.check_down_block(answer)


def test_batch_norm_everywhere_and_no_bias_anywhere_get_one_hint_for_both():
    def always_normalised(x, filters, kernel_size, seed, batch_norm=True):
        x = keras.layers.Conv2D(filters, kernel_size, 2, "same", use_bias=False, kernel_initializer=_init(seed))(x)
        return keras.layers.LeakyReLU(0.2)(keras.layers.BatchNormalization(momentum=0.9)(x))

    with pytest.raises(AssertionError, match=r"with batch_norm=False there is none\..* keeps its bias"):
        lesson02.check_down_block(always_normalised)


def test_batch_norm_on_the_images_before_the_first_conv_is_named():
    def normalises_the_images(x, filters, kernel_size, seed, batch_norm=True):
        x = keras.layers.BatchNormalization()(x)
        return down_block(x, filters, kernel_size, seed, batch_norm)

    with pytest.raises(AssertionError, match="Batch norm before the first block's convolution"):
        lesson02.check_down_block(normalises_the_images)


# ------------------------------------------------------------------------------------------ build_generator


def build_generator(
    latent_dim, image_shape, base_filters, kernel_size, seed, up_block
):  # the lesson's solution
    side = dcgan.START_SIZES[image_shape[0]]
    n = dcgan.doublings(image_shape)
    filters = base_filters * 2 ** (n - 1)
    z = keras.Input(shape=(latent_dim,))
    x = keras.layers.Dense(side * side * filters, use_bias=False, kernel_initializer=_init(seed))(z)
    x = keras.layers.Reshape((side, side, filters))(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.ReLU()(x)
    for i in range(1, n):
        filters //= 2
        x = up_block(x, filters, kernel_size, seed + i)
    images = keras.layers.Conv2DTranspose(
        image_shape[-1],
        kernel_size,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=_init(seed + n),
    )(x)
    return keras.Model(z, images, name="generator")


def build_generator_other_style(latent_dim, image_shape, base_filters, kernel_size, seed, up_block):
    """Sizes worked out with a while loop, keras.ops.relu and a separate tanh, no `doublings`."""
    side, blocks = image_shape[0], 0
    while side not in (4, 7):
        side, blocks = side // 2, blocks + 1
    filters = base_filters * 2 ** (blocks - 1)
    z = keras.Input(shape=(latent_dim,))
    x = keras.layers.Dense(side * side * filters, use_bias=False, kernel_initializer=_init(seed))(z)
    x = keras.ops.relu(keras.layers.BatchNormalization(momentum=0.9)(keras.layers.Reshape((side, side, filters))(x)))
    for i in range(blocks - 1):
        filters //= 2
        x = up_block(x, filters, kernel_size, seed=seed + 1 + i)
    x = keras.layers.Conv2DTranspose(
        image_shape[-1], kernel_size, 2, "same", kernel_initializer=_init(seed + blocks)
    )(x)
    return keras.Model(z, keras.layers.Activation("tanh")(x))


def _generator(
    bias=False, norm=True, activation="tanh", use_up_block=True, extra_block=False, fixed_start=None,
    momentum=0.9, dense_seed=0, block_seed=1, output_seed="n", output_init=_init,
):
    def build(latent_dim, image_shape, base_filters, kernel_size, seed, up_block):
        side = fixed_start or dcgan.START_SIZES[image_shape[0]]
        n = dcgan.doublings(image_shape) if not fixed_start else 2
        filters = base_filters * 2 ** (n - 1)
        z = keras.Input(shape=(latent_dim,))
        x = keras.layers.Dense(side * side * filters, use_bias=bias, kernel_initializer=_init(seed + dense_seed))(z)
        x = keras.layers.Reshape((side, side, filters))(x)
        x = keras.layers.BatchNormalization(momentum=momentum)(x) if norm else x
        x = keras.layers.ReLU()(x)
        for i in range(1, n + extra_block):
            filters //= 2
            x = (
                up_block(x, filters, kernel_size, seed + block_seed + i - 1)
                if use_up_block
                else dcgan.up_block(x, filters, 4, seed + i)
            )
        last = seed + (n if output_seed == "n" else output_seed)
        images = keras.layers.Conv2DTranspose(
            image_shape[-1], kernel_size, 2, "same", activation=activation, kernel_initializer=output_init(last)
        )(x)
        return keras.Model(z, images)

    return build


@pytest.mark.parametrize(
    "answer", [build_generator, build_generator_other_style, models.build_dcgan_generator]
)
def test_generator_accepts_any_correct_builder(answer, capsys):
    assert lesson02.check_generator(answer) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_generator(bias=True), r"Dense\(…, use_bias=False\)"),
        (_generator(norm=False), "Batch norm after the reshape is missing"),
        (_generator(activation="sigmoid"), "tanh, not sigmoid"),
        (_generator(activation=None), "tanh is missing"),
        (_generator(use_up_block=False), "with the `up_block` you are given"),
        (_generator(extra_block=True), "one doubling too many"),
        (_generator(fixed_start=7), "For 28×28 digits it works, but for 32×32×3"),
        (_generator(momentum=0.99), r"After the projection: batch norm with momentum 0.99; use BatchNormalization\(momentum=0.9\)"),
        # the learner's walk-through: the Dense layer seeded seed + 7, the up-blocks from `seed`
        (_generator(dense_seed=7, block_seed=0), r"The Dense layer's initialiser got seed \+ 7: ganlib's builder gives it `seed`"),
        (_generator(block_seed=0), r"The up-block got seed=0 .* the first gets seed \+ 1"),
        (_generator(block_seed=2), r"The up-block got seed=2"),
        (_generator(output_seed=0), r"The output layer's initialiser got `seed`: give it seed \+ n"),
        (_generator(output_seed=1), r"The output layer's initialiser got seed \+ 1"),
        (_generator(output_init=lambda seed: keras.initializers.GlorotUniform(seed)),
         r"The output layer's weights have standard deviation 0\.\d+: initialise it from N\(0, 0\.02\)"),
    ],
)
def test_generator_names_the_usual_mistakes(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson02.check_generator(answer)


def test_the_lessons_generator_is_ganlibs_layer_for_layer():
    """Same layers, same seeds: the solution builds the very weights of models.build_dcgan_generator."""
    mine = build_generator(8, (28, 28, 1), 4, 4, seed=3, up_block=up_block)
    ganlibs = models.build_dcgan_generator(8, (28, 28, 1), 4, 4, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(mine.get_weights(), ganlibs.get_weights(), strict=True))


# ------------------------------------------------------------------------------------------ ema_update


def ema_update_solution(ema_weights, weights, t, max_decay):  # the lesson's solution
    decay = keras.ops.minimum(max_decay, (1.0 + t) / (10.0 + t))
    for ema_weight, weight in zip(ema_weights, weights, strict=True):
        ema_weight.assign(decay * ema_weight + (1.0 - decay) * weight)


def ema_update_lerp(ema_weights, weights, t, max_decay):
    """The same step as a move of (1 − d) of the way towards w."""
    decay = tf.minimum(tf.cast(max_decay, tf.float32), (1 + t) / (10 + t))
    for average, weight in zip(ema_weights, weights, strict=True):
        average.assign_sub((1 - decay) * (average - weight))


def _ema(rule="right", ramp="min", offset=0.0, target="ema", assign=True, python_min=False):
    def update(ema_weights, weights, t, max_decay):
        ramp_value = (1.0 + t + offset) / (10.0 + t + offset)
        if ramp == "none":
            decay = max_decay
        elif python_min:
            decay = min(max_decay, ramp_value)
        else:
            decay = (tf.minimum if ramp == "min" else tf.maximum)(max_decay, ramp_value)
        new = []
        for average, weight in zip(ema_weights, weights, strict=True):
            value = (
                decay * average + (1 - decay) * weight
                if rule == "right"
                else (1 - decay) * average + decay * weight
            )
            new.append(value)
            if assign:
                (average if target == "ema" else weight).assign(value)
        return new

    return update


@pytest.mark.parametrize("answer", [ema_update_solution, ema_update_lerp, ema_update])
def test_ema_update_accepts_any_correct_step(answer, capsys):
    assert lesson02.check_ema_update(answer) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_ema(rule="swapped"), "d and 1 − d are swapped"),
        (_ema(ramp="none"), "The ramp is missing"),
        (_ema(ramp="max"), "max instead of min"),
        (_ema(offset=1.0), "t already counts this update"),
        (_ema(assign=False), "The averages did not move"),
        (_ema(target="weights"), "The generator's weights changed"),
        (_ema(python_min=True), "inside a compiled step"),
    ],
)
def test_ema_update_names_the_usual_mistakes(answer, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson02.check_ema_update(answer)


# ------------------------------------------------------------------------------------------ the hooks the lesson trains through


def _tiny_dcgan(**pieces):
    return recipes.build_dcgan(seed=0, latent_dim=4, base_filters=4, d_base_filters=2, **pieces)


def _digits(n=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def test_ganlibs_ema_update_by_hand():
    ema, weights = (
        [keras.Variable([0.0, 1.0]), keras.Variable(4.0)],
        [keras.Variable([1.0, 1.0]), keras.Variable(-7.0)],
    )
    ema_update(ema, weights, tf.constant(1.0), 0.999)
    # d = min(0.999, 2/11) = 2/11: [0, 1] → 2/11·[0, 1] + 9/11·[1, 1] = [9/11, 1]; 4 → 2/11·4 − 9/11·7 = −5
    np.testing.assert_allclose(ema[0].numpy(), [9 / 11, 1.0], rtol=1e-6)
    np.testing.assert_allclose(ema[1].numpy(), -5.0, rtol=1e-6)
    ema_update(ema, weights, tf.constant(1000.0), 0.99)  # 1001/1010 ≈ 0.991 > 0.99: d = 0.99
    np.testing.assert_allclose(ema[1].numpy(), 0.99 * -5.0 + 0.01 * -7.0, rtol=1e-6)


def test_the_trainer_takes_each_ema_step_with_the_given_function():
    calls = []

    def my_ema(ema_weights, weights, t, max_decay):
        calls.append(max_decay)  # traced once per compiled step function
        ema_update(ema_weights, weights, t, max_decay)

    gan = _tiny_dcgan(ema_update_fn=my_ema)
    reference = _tiny_dcgan()
    for model in (gan, reference):
        model.fit(tf.data.Dataset.from_tensor_slices(_digits()).batch(4), epochs=1, verbose=0)
    assert calls and calls[0] == pytest.approx(0.999)
    assert float(gan.ema_updates.numpy()) == 2.0
    # The same step written by the learner gives the same average as ganlib's.
    for mine, ganlibs in zip(
        gan.ema_generator.get_weights(), reference.ema_generator.get_weights(), strict=True
    ):
        np.testing.assert_allclose(mine, ganlibs, rtol=1e-5, atol=1e-7)


def test_a_learners_ema_function_gets_its_own_run_folder_and_ganlibs_keeps_the_old_one():
    def my_ema(ema_weights, weights, t, max_decay):
        ema_update(ema_weights, weights, t, max_decay)

    default, explicit, mine = (
        _tiny_dcgan(),
        _tiny_dcgan(ema_update_fn=ema_update),
        _tiny_dcgan(ema_update_fn=my_ema),
    )
    assert default.custom_ema == explicit.custom_ema == {}
    assert "custom_ema" not in identity.settings_of(default)
    assert mine.custom_ema == {"ema_update_fn": f"{__name__}.{my_ema.__qualname__}"}
    assert identity.settings_of(mine)["custom_ema"] == mine.custom_ema
    fingerprints = [identity.fingerprint(identity.settings_of(gan)) for gan in (default, explicit, mine)]
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]
    # Without an EMA generator the function is never called: the run is ganlib's.
    assert _tiny_dcgan(ema_decay=None, ema_update_fn=my_ema).custom_ema == {}
    with pytest.raises(ValueError, match="Expected `ema_update_fn` to be a function"):
        _tiny_dcgan(ema_update_fn=0.999)


def test_build_dcgan_passes_the_learners_pieces_through():
    calls = []

    def my_up_block(x, filters, kernel_size, seed):
        calls.append("up")
        return dcgan.up_block(x, filters, kernel_size, seed)

    def my_down_block(x, filters, kernel_size, seed, batch_norm=True):
        calls.append("down")
        return dcgan.down_block(x, filters, kernel_size, seed, batch_norm)

    def my_generator(latent_dim, image_shape, base_filters, kernel_size, seed, up_block):
        calls.append("generator")
        return models.build_dcgan_generator(
            latent_dim, image_shape, base_filters, kernel_size, seed, up_block
        )

    gan = _tiny_dcgan(up_block=my_up_block, down_block=my_down_block, build_generator=my_generator)
    assert calls == ["generator", "up", "down", "down"]
    # ganlib's blocks, wrapped: the very same networks as the default build, so the same run folder.
    assert identity.settings_of(gan) == identity.settings_of(_tiny_dcgan())
