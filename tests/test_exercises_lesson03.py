"""Lesson 3's exercises: each check passes ganlib's piece and another correct way of writing it, names the usual
mistakes, and waits for an unwritten one; and what the lesson trains with the learner's pieces — the U-Net from
their blocks, their discriminator, their loss in ``Pix2Pix`` — is what ganlib trains by default."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import exercises, losses, models, recipes, widgets
from ganlib.exercises import lesson03
from ganlib.models import pix2pix

NORMAL = keras.initializers.RandomNormal


def _todo(*args, **kwargs):
    raise NotImplementedError


# ------------------------------------------------------------------------ learner-style answers (correct)


def functional_down(x, filters, batch_norm=True, seed=None):
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not batch_norm,
                            kernel_initializer=NORMAL(0.0, 0.02, seed=seed))(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return keras.layers.LeakyReLU(negative_slope=0.2)(x)


def sequential_down(x, filters, batch_norm=True, seed=None):
    layers = [keras.layers.Conv2D(filters, 4, 2, "same", use_bias=not batch_norm, kernel_initializer=NORMAL(0.0, 0.02, seed))]
    layers += [keras.layers.BatchNormalization(momentum=0.9)] if batch_norm else []
    return keras.Sequential([*layers, keras.layers.LeakyReLU(0.2)])(x)


def functional_up(x, skip, filters, dropout=0.0, seed=None):
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                                     kernel_initializer=NORMAL(0.0, 0.02, seed=seed))(x)
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    if dropout:
        x = keras.layers.Dropout(dropout, seed=seed)(x)
    x = keras.layers.ReLU()(x)
    return keras.layers.Concatenate()([x, skip])


def sequential_up_with_ops(x, skip, filters, dropout=0.0, seed=None):
    """ReLU before dropout (the same thing), a Sequential, and keras.ops.concatenate."""
    block = keras.Sequential([
        keras.layers.Conv2DTranspose(filters, 4, 2, "same", use_bias=False, kernel_initializer=NORMAL(0.0, 0.02, seed)),
        keras.layers.BatchNormalization(momentum=0.9),
        keras.layers.ReLU(),
        keras.layers.Dropout(dropout, seed=seed),
    ])
    return keras.ops.concatenate([block(x), skip], axis=-1)


def learners_patchgan(image_shape, target_channels, receptive_field, base_filters, seed=0, down=functional_down,
                      momentum=0.9, bias=False, seed_shift=0):
    """Right by default; ``momentum``, ``bias`` (on the convolutions batch norm follows) and ``seed_shift`` (added
    to every seed) plant a mistake."""
    seed = seed + seed_shift

    def normal(s):
        return NORMAL(0.0, 0.02, seed=s)

    def conv(x, filters, kernel, s, batch_norm=True):
        x = keras.layers.Conv2D(filters, kernel, use_bias=bias or not batch_norm, kernel_initializer=normal(s))(x)
        x = keras.layers.BatchNormalization(momentum=momentum)(x) if batch_norm else x
        return keras.layers.LeakyReLU(negative_slope=0.2)(x)

    image = keras.Input(image_shape)
    target = keras.Input((*image_shape[:2], target_channels))
    x = keras.layers.Concatenate()([image, target])
    halvings = pix2pix.RECEPTIVE_FIELDS[receptive_field]
    if halvings is None:
        x = conv(conv(x, base_filters, 1, seed, batch_norm=False), 2 * base_filters, 1, seed + 1)
        return keras.Model([image, target], keras.layers.Conv2D(1, 1, kernel_initializer=normal(seed + 2))(x))
    for i in range(halvings):
        x = down(x, min(base_filters * 2**i, 8 * base_filters), batch_norm=i > 0, seed=seed + i)
    x = conv(keras.layers.ZeroPadding2D(1)(x), min(base_filters * 2**halvings, 8 * base_filters), 4, seed + halvings)
    x = keras.layers.ZeroPadding2D(1)(x)
    return keras.Model([image, target], keras.layers.Conv2D(1, 4, kernel_initializer=normal(seed + halvings + 1))(x))


def softplus_loss(fake_logits, targets, outputs, l1_weight):
    return keras.ops.mean(keras.ops.softplus(-fake_logits)) + l1_weight * keras.ops.mean(keras.ops.abs(targets - outputs))


def keras_losses_loss(fake_logits, targets, outputs, l1_weight):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(tf.ones_like(fake_logits), fake_logits) + l1_weight * keras.losses.MeanAbsoluteError()(targets, outputs)


# ------------------------------------------------------------------------ ganlib's default build is unchanged


def _fingerprint(model) -> float:
    """Σ over the weights of Σ w·(index mod 7 + 1), in float64: moves with any weight."""
    return sum(float(np.sum(np.asarray(w, np.float64).ravel() * (np.arange(np.size(w)) % 7 + 1))) for w in model.get_weights())


def _weighted(values) -> float:
    values = np.asarray(values, np.float64)
    return float(np.sum(values * np.arange(values.size).reshape(values.shape)))


X16 = np.linspace(-1, 1, 2 * 16 * 16).reshape(2, 16, 16, 1).astype(np.float32)


def test_default_pix2pix_networks_and_step_are_those_before_the_blocks_became_pieces():
    # Computed before build_unet_generator took down_block/up_block and Pix2Pix.compile took g_loss_fn.
    generator = models.build_unet_generator((16, 16, 1), 4, seed=0)
    assert _fingerprint(generator) == pytest.approx(604.6348039436684, abs=1e-9)
    assert generator.count_params() == 24597
    assert [layer.name for layer in generator.layers if layer.name.startswith(("encoder", "decoder"))] == [
        "encoder1", "encoder2", "encoder3", "encoder4", "decoder1", "decoder2", "decoder3"]
    assert _weighted(generator(X16, training=False)) == pytest.approx(71.17346059080228, abs=1e-6)
    assert _weighted(generator(X16, training=True)) == pytest.approx(-304.73034754227047, abs=1e-6)  # dropout seeds kept
    colorizer = models.build_unet_generator((16, 16, 1), 4, colorize=True, max_chroma=0.5, seed=3)
    assert _fingerprint(colorizer) == pytest.approx(612.8637191134598, abs=1e-9)
    for field, fingerprint, params in ((1, 58.07029223330028, 85), (16, 61.20871554632686, 805), (34, 178.76259351354753, 3045)):
        assert _fingerprint(models.build_patchgan_discriminator((16, 16, 1), 1, field, 4, seed=1000)) == pytest.approx(fingerprint, abs=1e-9)
        assert models.build_patchgan_discriminator((16, 16, 1), 1, field, 4, seed=1000).count_params() == params
    tf.random.set_seed(0)
    model = recipes.build_pix2pix("digits-inpaint", image_shape=(16, 16, 1), seed=0, base_filters=4, d_base_filters=4,
                                  receptive_field=16)
    step = model.train_step((tf.constant(X16), tf.constant(np.clip(X16 + 0.3, -1, 1))))
    assert float(step["g_loss"]) == pytest.approx(52.99715805053711, rel=1e-6)
    assert float(step["d_loss"]) == pytest.approx(0.6901118755340576, rel=1e-6)
    assert float(step["g_gan"]) == pytest.approx(0.6928309202194214, rel=1e-6)
    assert _fingerprint(model.generator) == pytest.approx(575.7025926645151, abs=1e-6)
    assert _fingerprint(model.discriminator) == pytest.approx(56.87498046365363, abs=1e-6)
    assert model.custom_losses == {}


def test_ganlibs_pieces_passed_explicitly_train_the_default_run():
    """What the committed lesson does while its exercises are open: ganlib's pieces come back from
    exercises.use and are passed in; the model, and the run folder it trains in, are those from before."""
    from ganlib import data, runs

    targets = np.random.default_rng(0).uniform(-1, 1, (16, 16, 16, 1)).astype(np.float32)
    dataset = data.make_pair_dataset(data.corrupt_digits(targets, hole=6, seed=0), targets, 8, shuffle=False)
    tiny = {"base_filters": 4, "d_base_filters": 4, "receptive_field": 16}
    pieces = {"down_block": pix2pix.unet_down_block, "up_block": pix2pix.unet_up_block,
              "discriminator": models.build_patchgan_discriminator, "g_loss_fn": losses.pix2pix_generator_loss}
    for given in ({}, pieces):
        model = recipes.build_pix2pix("digits-inpaint", image_shape=(16, 16, 1), seed=0, **tiny, **given)
        assert runs.run_folder("base", model, dataset, {"seed": 0}).name == "b5de67328c60"  # as before the hooks
        assert _fingerprint(model.generator) == pytest.approx(604.6348039436684, abs=1e-9)


def test_unet_from_the_learners_blocks_has_ganlibs_weights_and_outputs():
    default = models.build_unet_generator((16, 16, 1), 4, seed=0)
    for down, up in ((functional_down, functional_up), (sequential_down, sequential_up_with_ops)):
        mine = models.build_unet_generator((16, 16, 1), 4, seed=0, down_block=down, up_block=up)
        assert mine.count_params() == default.count_params()
        for a, b in zip(mine.get_weights(), default.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)  # same seeds, same initialisers: the same network
        np.testing.assert_allclose(mine(X16, training=False), default(X16, training=False), atol=1e-6)
    colorizer = models.build_unet_generator((16, 16, 1), 4, colorize=True, seed=0, down_block=functional_down, up_block=functional_up)
    assert colorizer.output_shape == (None, 16, 16, 3)


def test_ganlibs_blocks_are_the_references_and_their_shapes():
    x, skip = keras.Input((8, 8, 3)), keras.Input((8, 8, 5))
    assert tuple(pix2pix.unet_down_block(x, 16, batch_norm=False, seed=1).shape) == (None, 4, 4, 16)
    assert tuple(pix2pix.unet_up_block(keras.Input((4, 4, 16)), skip, 7, dropout=0.5, seed=1).shape) == (None, 8, 8, 12)
    assert exercises.lesson03.check_unet_down_block(pix2pix.unet_down_block) is True
    assert exercises.lesson03.check_unet_up_block(pix2pix.unet_up_block) is True


def test_unet_refuses_blocks_that_do_not_halve_or_double():
    def no_halving(x, filters, batch_norm=True, seed=None):
        return keras.layers.Conv2D(filters, 4, padding="same")(x)

    def no_skip(x, skip, filters, dropout=0.0, seed=None):
        return keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same")(x)

    with pytest.raises(ValueError, match=r"Expected `down_block` to return a tensor of shape \(batch, 8, 8, 4\)"):
        models.build_unet_generator((16, 16, 1), 4, down_block=no_halving)
    with pytest.raises(ValueError, match=r"Expected `up_block` to return a tensor of shape \(batch, 2, 2, 32\)"):
        models.build_unet_generator((16, 16, 1), 4, up_block=no_skip)
    with pytest.raises(ValueError, match="Expected `down_block` to be a function"):
        models.build_unet_generator((16, 16, 1), 4, down_block="conv")


def _step(model):
    tf.random.set_seed(0)
    return model.train_step((tf.constant(X16), tf.constant(np.clip(X16 + 0.3, -1, 1))))


@pytest.mark.parametrize("gan_weight", [1.0, 0.3])
def test_pix2pix_trains_with_the_learners_loss_and_reports_its_two_parts(gan_weight):
    def build(**pieces):
        return recipes.build_pix2pix("digits-inpaint", image_shape=(16, 16, 1), seed=0, base_filters=4, d_base_filters=4,
                                     receptive_field=16, gan_weight=gan_weight, dropout=0.0, **pieces)

    # No dropout: the learner's blocks seed theirs with the block's seed, ganlib's with seed + 1.
    default, mine = build(), build(g_loss_fn=softplus_loss, discriminator=learners_patchgan,
                                   down_block=functional_down, up_block=functional_up)
    assert mine.pix2pix_loss_fn is softplus_loss
    assert mine.custom_losses == {"g_loss_fn": f"{__name__}.softplus_loss"}
    want, got = _step(default), _step(mine)
    for name in ("g_loss", "g_l1", "d_loss"):  # g_loss = w·g_gan + λ·g_l1 either way
        assert float(got[name]) == pytest.approx(float(want[name]), rel=1e-5), name
    # g_gan is what the learner's loss adds to λ·g_l1: (g_loss − λ·g_l1) / w, to float32 round-off of g_loss ≈ 53
    assert float(got["g_gan"]) == pytest.approx(float(want["g_gan"]), abs=5e-5)
    assert float(got["g_loss"]) == pytest.approx(gan_weight * float(got["g_gan"]) + 100 * float(got["g_l1"]), rel=1e-5)
    for a, b in zip(mine.generator.get_weights(), default.generator.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_ganlibs_own_loss_as_g_loss_fn_is_the_default_step():
    model = recipes.build_pix2pix("digits-inpaint", image_shape=(16, 16, 1), seed=0, base_filters=4, d_base_filters=4,
                                  g_loss_fn=losses.pix2pix_generator_loss)
    assert model.pix2pix_loss_fn is None and model.custom_losses == {}
    hinge = recipes.build_pix2pix("digits-inpaint", image_shape=(16, 16, 1), base_filters=4, d_base_filters=4,
                                  loss="hinge", g_loss_fn=softplus_loss)
    assert hinge.pix2pix_loss_fn is None  # another family trains with its own generator loss
    with pytest.raises(ValueError, match="Expected `g_loss_fn` to be a function"):
        model.compile(keras.optimizers.Adam(), keras.optimizers.Adam(), g_loss_fn="l1")


def test_the_learners_loss_keeps_lambda_a_live_knob_in_the_lab(pairs_for_lab):
    lab = widgets.training_lab("pix2pix", pairs_for_lab[0], validation=pairs_for_lab[1], base_filters=4, d_base_filters=4,
                               batch_size=16, down_block=functional_down, up_block=functional_up,
                               discriminator=learners_patchgan, g_loss_fn=softplus_loss)
    try:
        assert lab.model.pix2pix_loss_fn is softplus_loss
        lab.run_for(steps=2)
        lab.controls["l1_weight"].value = 10.0
        lab.run_for(steps=2)
        history = lab.live.history
        for step, g_loss, g_gan, g_l1 in zip(*(history[k] for k in ("step", "g_loss", "g_gan", "g_l1")), strict=True):
            weight = 100.0 if step <= lab.live.markers[0][0] else 10.0
            assert g_loss == pytest.approx(g_gan + weight * g_l1, rel=1e-4)
        assert 0.1 < history["g_gan"][-1] < 5.0  # the GAN part of the learner's loss, about log 2 at the start
    finally:
        lab.close()


@pytest.fixture(scope="module")
def pairs_for_lab():
    """32×32 pairs (the lab punches its own holes into the targets): smooth noise is enough to train on."""
    targets = np.tanh(np.random.default_rng(0).standard_normal((32, 32, 32, 1))).astype(np.float32)
    return (targets, targets), (targets[:4], targets[:4])


# ------------------------------------------------------------------------ the checks: the down block


def test_down_block_check_accepts_any_correct_form_and_waits_for_an_unwritten_one():
    assert lesson03.check_unet_down_block(pix2pix.unet_down_block) is True
    assert lesson03.check_unet_down_block(functional_down) is True
    assert lesson03.check_unet_down_block(sequential_down) is True
    assert lesson03.check_unet_down_block(_todo) is False
    assert lesson03.check_unet_down_block(None) is False


def _down(batch_norm_always=False, bias=None, strides=2, slope=0.2, activation="leaky", bn_after=False, momentum=0.9,
          init="normal", seed_used=True, as_layer=False):
    def block(x, filters, batch_norm=True, seed=None):
        norm = batch_norm or batch_norm_always
        initializer = NORMAL(0.0, 0.02, seed=seed if seed_used else 0) if init == "normal" else "glorot_uniform"
        conv = keras.layers.Conv2D(filters, 4, strides=strides, padding="same",
                                   use_bias=(not norm) if bias is None else bias, kernel_initializer=initializer)
        act = {"leaky": keras.layers.LeakyReLU(slope), "relu": keras.layers.ReLU()}[activation]
        norms = [keras.layers.BatchNormalization(momentum=momentum)] if norm else []
        layers = [conv, act, *norms] if bn_after else [conv, *norms, act]
        if as_layer:
            return keras.Sequential(layers)
        for layer in layers:
            x = layer(x)
        return x

    return block


@pytest.mark.parametrize(("wrong", "hint"), [
    (_down(batch_norm_always=True), "batch_norm=False the block has no batch norm"),
    (_down(bias=True), "Leave out the convolution's bias"),
    (_down(bias=False), "Without batch norm the convolution keeps its bias"),
    (_down(strides=1), "halve the size"),
    (_down(slope=0.3), "slopes by 0.3 by default"),
    (_down(activation="relu"), "not ReLU"),
    (_down(bn_after=True), "Batch norm comes before the activation"),
    (_down(momentum=0.99), r"momentum=0\.9"),
    (_down(init="glorot"), r"N\(0, 0\.02\)"),
    (_down(seed_used=False), "ignores `seed`"),
    (_down(as_layer=True), r"output \*tensor\*"),
])
def test_down_block_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson03.check_unet_down_block(wrong)


# ------------------------------------------------------------------------ the up block


def test_up_block_check_accepts_any_correct_form_and_waits_for_an_unwritten_one():
    assert lesson03.check_unet_up_block(pix2pix.unet_up_block) is True
    assert lesson03.check_unet_up_block(functional_up) is True
    assert lesson03.check_unet_up_block(sequential_up_with_ops) is True
    assert lesson03.check_unet_up_block(_todo) is False


def _up(join="concat", strides=2, activation="relu", dropout_at="after_norm", always_drop=False, bias=False,
        momentum=0.9, dropout_seeded=True):
    def block(x, skip, filters, dropout=0.0, seed=None):
        x = keras.layers.Conv2DTranspose(filters, 4, strides=strides, padding="same", use_bias=bias,
                                         kernel_initializer=NORMAL(0.0, 0.02, seed=seed))(x)
        x = keras.layers.BatchNormalization(momentum=momentum)(x)
        if dropout and dropout_at == "after_norm":
            always = keras.layers.Lambda(lambda t: tf.nn.dropout(t, dropout, seed=1))  # ignores the mode
            x = always(x) if always_drop else keras.layers.Dropout(dropout, seed=seed if dropout_seeded else None)(x)
        x = keras.layers.LeakyReLU(0.2)(x) if activation == "leaky" else keras.layers.ReLU()(x)
        joined = {"concat": lambda: keras.layers.Concatenate()([x, skip]), "swapped": lambda: keras.layers.Concatenate()([skip, x]),
                  "add": lambda: keras.layers.Add()([x, skip]), "none": lambda: x}[join]()
        if dropout and dropout_at == "after_concat":
            joined = keras.layers.Dropout(dropout)(joined)
        return joined

    return block


@pytest.mark.parametrize(("wrong", "hint"), [
    (_up(join="swapped"), "The skip comes second"),
    (_up(join="add"), "Concatenate the skip, don't add it"),
    (_up(join="none"), "The skip connection is missing"),
    (_up(strides=1), "must double the size"),
    (_up(activation="leaky"), "The decoder uses ReLU"),
    (_up(dropout_at="nowhere"), "should drop units in training"),
    (_up(dropout_at="after_concat"), "Dropout belongs before the concatenation"),
    (_up(always_drop=True), "Dropout must be off at inference"),
    (_up(bias=True), "Leave out the transposed convolution's bias"),
    (_up(momentum=0.99), r"BatchNormalization\(momentum=0\.9\)"),
    (_up(dropout_seeded=False), r"Two blocks built with seed=3 drop different units: seed the dropout too"),
])
def test_up_block_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson03.check_unet_up_block(wrong)


# ------------------------------------------------------------------------ the receptive field


def test_receptive_field_check():
    assert lesson03.check_receptive_field(pix2pix.receptive_field) is True
    assert lesson03.check_receptive_field(lambda k, s: 1 + sum((ki - 1) * math.prod(s[:i]) for i, ki in enumerate(k))) is True
    with pytest.raises(AssertionError, match="strides"):
        lesson03.check_receptive_field(lambda kernels, strides: 1 + sum(k - 1 for k in kernels))
    with pytest.raises(AssertionError, match="Start from 1"):
        lesson03.check_receptive_field(lambda k, s: sum((ki - 1) * math.prod(s[:i]) for i, ki in enumerate(k)))
    with pytest.raises(AssertionError, match=r"strides \*before\* it"):
        lesson03.check_receptive_field(lambda k, s: 1 + sum((ki - 1) * math.prod(s[: i + 1]) for i, ki in enumerate(k)))
    assert lesson03.check_receptive_field(_todo) is False


# ------------------------------------------------------------------------ the PatchGAN


def test_patchgan_check_accepts_any_correct_form_and_waits_for_an_unwritten_one():
    assert lesson03.check_patchgan_discriminator(models.build_patchgan_discriminator) is True
    assert lesson03.check_patchgan_discriminator(learners_patchgan) is True
    assert lesson03.check_patchgan_discriminator(lambda *a, seed=0: learners_patchgan(*a, seed=seed, down=sequential_down)) is True
    assert lesson03.check_patchgan_discriminator(_todo) is False


def test_the_learners_patchgan_has_ganlibs_weights():
    for field in (1, 16, 34):
        mine = learners_patchgan((16, 16, 1), 1, field, 4, seed=1000)
        assert _fingerprint(mine) == pytest.approx(_fingerprint(models.build_patchgan_discriminator((16, 16, 1), 1, field, 4, seed=1000)))


def _patchgan(order="input_first", first_norm=False, sigmoid=False, same_padding=False, pixelgan=True):
    def build(image_shape, target_channels, receptive_field, base_filters, seed=0):
        if receptive_field == 1 and not pixelgan:
            raise TypeError("'NoneType' object cannot be interpreted as an integer")
        if receptive_field == 1:
            return learners_patchgan(image_shape, target_channels, 1, base_filters, seed)
        image, target = keras.Input(image_shape), keras.Input((*image_shape[:2], target_channels))
        x = keras.layers.Concatenate()([image, target] if order == "input_first" else [target, image])
        halvings = pix2pix.RECEPTIVE_FIELDS[receptive_field]
        for i in range(halvings):
            x = functional_down(x, min(base_filters * 2**i, 8 * base_filters), batch_norm=first_norm or i > 0, seed=seed + i)
        pad = (lambda t: t) if same_padding else keras.layers.ZeroPadding2D(1)
        x = keras.layers.Conv2D(min(base_filters * 2**halvings, 8 * base_filters), 4, padding="same" if same_padding else "valid",
                                use_bias=False, kernel_initializer=NORMAL(0.0, 0.02, seed + halvings))(pad(x))
        x = keras.layers.LeakyReLU(0.2)(keras.layers.BatchNormalization(momentum=0.9)(x))
        logits = keras.layers.Conv2D(1, 4, padding="same" if same_padding else "valid",
                                     kernel_initializer=NORMAL(0.0, 0.02, seed + halvings + 1))(pad(x))
        return keras.Model([image, target], keras.layers.Activation("sigmoid")(logits) if sigmoid else logits)

    return build


def _target_only(image_shape, target_channels, receptive_field, base_filters, seed=0):
    image, target = keras.Input(image_shape), keras.Input((*image_shape[:2], target_channels))
    inner = learners_patchgan(image_shape, target_channels, receptive_field, base_filters, seed)
    return keras.Model([image, target], inner([keras.ops.zeros_like(image), target]))


@pytest.mark.parametrize(("wrong", "hint"), [
    (_patchgan(order="target_first"), "Concatenate the input image first"),
    (_patchgan(first_norm=True), "No batch norm on the first layer"),
    (_patchgan(sigmoid=True), "Return logits: no sigmoid"),
    (_patchgan(same_padding=True), r"ZeroPadding2D\(1\)"),
    (_patchgan(pixelgan=False), "receptive_field=1 is the PixelGAN"),
    (_target_only, "D must see the input image too"),
    # mistakes in the PixelGAN only (receptive_field=1, the last case the check builds)
    (lambda shape, c, field, base, seed=0: learners_patchgan(shape, c, field, base, seed=seed, bias=field == 1),
     r"\(16, 16, 1\), 1, 1, 4\) has 8 parameters too many: the second 1×1 Conv2D's 8 biases"),
    (lambda shape, c, field, base, seed=0: learners_patchgan(shape, c, field, base, seed=seed,
                                                             momentum=0.99 if field == 1 else 0.9),
     r"BatchNormalization\(momentum=0\.9\)"),
    (lambda *a, seed=0: learners_patchgan(*a, seed=seed, seed_shift=1),
     r"convolution 0 \(from 0\) got seed \+ 1: the i-th convolution gets seed \+ i"),
])
def test_patchgan_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson03.check_patchgan_discriminator(wrong)


# ------------------------------------------------------------------------ the generator loss


def test_pix2pix_generator_loss_check_accepts_any_correct_form():
    assert lesson03.check_pix2pix_generator_loss(losses.pix2pix_generator_loss) is True
    assert lesson03.check_pix2pix_generator_loss(softplus_loss) is True
    assert lesson03.check_pix2pix_generator_loss(keras_losses_loss) is True
    assert lesson03.check_pix2pix_generator_loss(_todo) is False
    assert lesson03.check_pix2pix_generator_loss(None) is False


def _gan(f):
    return keras.ops.mean(keras.ops.softplus(-f))


def _l1(t, o):
    return keras.ops.mean(keras.ops.abs(t - o))


@pytest.mark.parametrize(("wrong", "hint"), [
    (lambda f, t, o, w: _gan(f) + w * keras.ops.mean((t - o) ** 2), "squared"),
    (lambda f, t, o, w: _gan(f) + _l1(t, o), "Multiply the L1 term by `l1_weight`"),
    (lambda f, t, o, w: w * _gan(f) + _l1(t, o), "λ weighs the L1 term"),
    (lambda f, t, o, w: w * _l1(t, o), "Add the adversarial part"),
    (lambda f, t, o, w: _gan(f) + w * keras.ops.sum(keras.ops.abs(t - o)), "mean, not sum"),
    (lambda f, t, o, w: keras.ops.mean(-keras.ops.softplus(f)) + w * _l1(t, o), "minimax"),
    (lambda f, t, o, w: keras.ops.mean(keras.ops.softplus(f)) + w * _l1(t, o), "target 1"),
    (lambda f, t, o, w: np.mean(np.logaddexp(0.0, -np.asarray(f))) + w * np.mean(np.abs(np.asarray(t) - np.asarray(o))), "not NumPy"),
    (lambda f, t, o, w: _gan(tf.stop_gradient(f)) + w * _l1(t, tf.stop_gradient(o)), "wrong gradients"),
    (lambda f, t, o, w: keras.ops.softplus(-f) + w * _l1(t, o), "Return one number"),
])
def test_pix2pix_generator_loss_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson03.check_pix2pix_generator_loss(wrong)


# ------------------------------------------------------------------------ PSNR


def test_psnr_check():
    assert lesson03.check_psnr(lambda t, o: 10 * math.log10(1 / np.mean(((t - o) / 2) ** 2))) is True
    assert lesson03.check_psnr(lambda t, o: -10 * np.log10(np.mean(((t + 1) / 2 - (o + 1) / 2) ** 2))) is True
    with pytest.raises(AssertionError, match="Scale"):
        lesson03.check_psnr(lambda t, o: 10 * math.log10(1 / np.mean((t - o) ** 2)))
    with pytest.raises(AssertionError, match="sign is flipped"):
        lesson03.check_psnr(lambda t, o: 10 * math.log10(np.mean(((t - o) / 2) ** 2)))
    with pytest.raises(AssertionError, match="not 20"):
        lesson03.check_psnr(lambda t, o: 20 * math.log10(1 / np.mean(((t - o) / 2) ** 2)))
    assert lesson03.check_psnr(_todo) is False


def test_every_lesson03_check_is_reexported():
    for name in lesson03.__all__:
        assert getattr(exercises, name) is getattr(lesson03, name)
