"""Tests of lesson 3: paired data, the U-Net and PatchGAN builders, Pix2Pix training, translation metrics,
``translate_image``, the CLI's ``train pix2pix`` / ``translate`` and the translation viewer."""

import io
import tarfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from ganlib import checkpoints, cli, config, data, losses, metrics, models, recipes, training
from ganlib.models import pix2pix
from ganlib.translate import translate_image, translate_images


@pytest.fixture
def few_digits(mnist, monkeypatch):
    """load_mnist gives the first 500 bundled digits (200 validate, 300 train)."""
    images, labels = mnist
    monkeypatch.setattr(data.mnist, "load_mnist", lambda *a, **k: (images[:500], labels[:500]))
    monkeypatch.setattr(data.paired, "BUNDLED_VALIDATION_DIGITS", 200)


# ------------------------------------------------------------------------------------------- data


def test_corrupt_digits_cuts_one_background_square_reproducibly():
    images = np.ones((50, 32, 32, 1), dtype=np.float32)
    holed = data.corrupt_digits(images, hole=14, seed=3)
    assert holed.shape == images.shape and holed.dtype == images.dtype
    missing = (holed == -1.0)[..., 0]
    assert (missing.sum(axis=(1, 2)) == 14 * 14).all()  # the hole lies wholly inside the image
    rows = missing.any(axis=2)
    assert (rows.sum(axis=1) == 14).all()
    np.testing.assert_array_equal(holed, data.corrupt_digits(images, hole=14, seed=3))
    assert not np.array_equal(holed, data.corrupt_digits(images, hole=14, seed=4))
    assert np.array_equal(images, np.ones_like(images))  # input untouched


def test_corrupt_digits_random_sides_and_errors():
    holed = data.corrupt_digits(np.ones((200, 32, 32)), hole=(8, 16), seed=0)
    sides = np.sqrt((holed == -1).sum(axis=(1, 2)))
    assert sides.min() >= 8 and sides.max() <= 16 and len(set(sides)) > 3
    with pytest.raises(ValueError, match="hole"):
        data.corrupt_digits(np.ones((2, 32, 32)), hole=40)
    with pytest.raises(ValueError, match="shape"):
        data.corrupt_digits(np.ones((32, 32)))


def test_corrupt_digits_within_a_box_keeps_holes_on_the_digit():
    images = np.ones((300, 32, 32, 1), dtype=np.float32)
    holed = data.corrupt_digits(images, hole=14, seed=0, within=data.DIGIT_AREA)
    missing = (holed == -1.0)[..., 0]
    assert (missing.sum(axis=(1, 2)) == 14 * 14).all()
    rows, cols = np.nonzero(missing.any(axis=0))[0], np.nonzero(missing.any(axis=1))[1]
    assert rows.min() == 2 and rows.max() == 29 and cols.min() == 2 and cols.max() == 29  # the box 2..29, all used
    assert not missing[:, :2].any() and not missing[:, 30:].any()
    with pytest.raises(ValueError, match="within"):
        data.corrupt_digits(images, hole=14, within=(2, 2, 31, 28))
    with pytest.raises(ValueError, match="hole"):
        data.corrupt_digits(images, hole=20, within=(0, 0, 16, 16))


def test_validation_holes_lie_on_the_digit_area(few_digits):
    val_in, val_out = data.load_pairs("digits-inpaint", "validation", verbose=False)
    missing = (val_in != val_out)[..., 0]
    assert not missing[:, :2].any() and not missing[:, 30:].any()
    assert not missing[:, :, :2].any() and not missing[:, :, 30:].any()


def test_digits_of_pairs_are_the_training_digits_and_disjoint_from_validation(few_digits):
    digits, labels = data.digits_of_pairs("train")
    _, train_out = data.load_pairs("digits-inpaint", "train", verbose=False)
    _, val_out = data.load_pairs("digits-inpaint", "validation", verbose=False)
    assert digits.dtype == np.uint8 and digits.shape == (300, 28, 28) and labels.shape == (300,)
    np.testing.assert_array_equal(data.pad_digits(digits), train_out)
    assert not {d.tobytes() for d in data.pad_digits(digits)} & {d.tobytes() for d in val_out}


def test_cut_holes_at_given_places():
    out = data.cut_holes(np.zeros((1, 8, 8, 1)), tops=2, lefts=3, sides=2, fill=-1.0)
    expected = np.zeros((8, 8))
    expected[2:4, 3:5] = -1
    np.testing.assert_array_equal(out[0, ..., 0], expected)


def test_digit_pairs_are_padded_aligned_and_splits_disjoint(few_digits, mnist):
    train_in, train_out = data.load_pairs("digits-inpaint", "train", verbose=False)
    val_in, val_out = data.load_pairs("digits-inpaint", "validation", verbose=False)
    assert train_in.shape == train_out.shape == (300, 32, 32, 1)
    assert val_in.shape == (200, 32, 32, 1)
    assert train_out.min() == -1.0 and train_out.max() == 1.0
    # the digit sits in the centre; outside the hole input and target agree
    np.testing.assert_array_equal(
        train_out[:, 2:30, 2:30, 0], data.scale_to_unit(mnist[0][:500])[np.random.default_rng(2024).permutation(500)[200:]]
    )
    differs = val_in != val_out
    assert (val_in[differs] == -1.0).all()
    train_keys = {d.tobytes() for d in train_out}
    assert not train_keys & {d.tobytes() for d in val_out}
    labels = data.labels_of_pairs("validation")
    assert labels.shape == (200,)


def test_validation_digits_come_in_mixed_order():
    """The bundled digits are sorted by class; a split's first digits (previews, the viewer) are not."""
    labels = data.labels_of_pairs("validation")
    assert len(labels) == 2000 and len(set(labels[:20].tolist())) >= 5


def test_load_pairs_rejects_unknown_names_and_sizes():
    with pytest.raises(ValueError, match="name"):
        data.load_pairs("horses")
    with pytest.raises(ValueError, match="split"):
        data.load_pairs("digits-inpaint", "test")
    with pytest.raises(ValueError, match="size"):
        data.load_pairs("digits-inpaint", size=64)


def test_photo_pairs_grey_to_colour_from_different_photographs():
    grey, colour = data.load_pairs("photos-colorize", "train", size=32, n=12, verbose=False)
    assert grey.shape == (12, 32, 32, 1) and colour.shape == (12, 32, 32, 3)
    assert -1 <= colour.min() and colour.max() <= 1
    np.testing.assert_allclose(grey, data.to_grey(colour), atol=1e-6)
    assert not set(data.PHOTOS["train"]) & set(data.PHOTOS["validation"])


def test_lab_round_trip_and_layer_match_skimage():
    _, colour = data.load_pairs("photos-colorize", "validation", size=16, n=3, verbose=False)
    lab = data.rgb_to_lab(colour)
    np.testing.assert_allclose(data.lab_to_rgb(lab), colour, atol=1e-4)
    layer_rgb = keras.ops.convert_to_numpy(pix2pix.LabToRGB()([lab[..., :1], lab[..., 1:]]))
    np.testing.assert_allclose(layer_rgb, colour, atol=1e-3)


def test_make_pair_dataset_digits_draws_fresh_holes(few_digits):
    inputs, targets = data.load_pairs("digits-inpaint", "train", verbose=False)
    dataset = data.make_pair_dataset(inputs, targets, 32, name="digits-inpaint", seed=0, shuffle=False)
    first = [x.numpy() for x, _ in dataset.take(2)]
    second = [x.numpy() for x, _ in dataset.take(2)]
    assert first[0].shape == (32, 32, 32, 1)
    assert not np.array_equal(first[0], second[0])  # new holes every pass
    for batch_in, batch_out in dataset.take(1):
        batch_in, batch_out = batch_in.numpy(), batch_out.numpy()
        assert (batch_in[batch_in != batch_out] == -1).all()


def test_make_pair_dataset_distortion_knobs():
    target = -np.ones((4, 32, 32, 1), np.float32)
    target[:, 8:24, 14:18] = 1.0  # a vertical bar
    plain = data.make_pair_dataset(target, target, 4, name="digits-inpaint", seed=0, shuffle=False,
                                   distortion={}, holes=(1, 1))
    _, out = next(iter(plain))
    np.testing.assert_array_equal(out.numpy(), target)  # no distortion: the target is untouched
    shifted = data.make_pair_dataset(target, target, 4, name="digits-inpaint", seed=0, shuffle=False,
                                     distortion={"rotation": 30.0}, holes=(1, 1))
    _, out = next(iter(shifted))
    out = out.numpy()
    assert not np.allclose(out, target) and out.min() >= -1.0 - 1e-6 and out.max() <= 1.0 + 1e-6
    # a rotation about the centre keeps the bar's centre and roughly its ink
    assert abs(out.sum() - target.sum()) / abs(target.sum()) < 0.1
    with pytest.raises(ValueError, match="distortion"):
        data.make_pair_dataset(target, target, 4, name="digits-inpaint", distortion={"twist": 1.0})
    with pytest.raises(ValueError, match="holes"):
        data.make_pair_dataset(target, target, 4, name="digits-inpaint", holes=(10, 40))


def test_make_pair_dataset_holes_lie_within_the_box():
    target = np.ones((64, 32, 32, 1), np.float32)  # all ink: every hole pixel shows as -1
    dataset = data.make_pair_dataset(target, target, 64, name="digits-inpaint", seed=3, distortion={},
                                     holes=(4, 6), within=(2, 5, 10, 12))
    holed = np.concatenate([x.numpy() for x, _ in dataset.repeat(4)]) == -1
    assert holed.any(axis=(1, 2, 3)).all()  # one hole per digit
    outside = holed.copy()
    outside[:, 2:12, 5:17] = False
    assert not outside.any()  # rows 2..11, columns 5..16 only
    assert holed[:, 2].any() and holed[:, 11].any() and holed[:, :, 5].any() and holed[:, :, 16].any()
    with pytest.raises(ValueError, match="within"):
        data.make_pair_dataset(target, target, 4, name="digits-inpaint", holes=(4, 6), within=(0, 0, 5, 40))
    with pytest.raises(ValueError, match="within"):
        data.make_pair_dataset(target, target, 4, name="digits-inpaint", holes=(4, 16), within=(2, 2, 12, 12))


def test_make_pair_dataset_mirrors_input_and_target_together():
    x = np.tile(np.linspace(-1, 1, 8, dtype=np.float32)[None, None, :, None], (64, 8, 1, 1))
    y = np.concatenate([x, -x, x], axis=-1)
    for name in ("photos-colorize", "facades"):
        batch_in, batch_out = next(iter(data.make_pair_dataset(x, y, 64, name=name, seed=1)))
        np.testing.assert_allclose(batch_out.numpy()[..., :1], batch_in.numpy())
        flipped = batch_in.numpy()[:, 0, 0, 0] > batch_in.numpy()[:, 0, -1, 0]
        assert 0 < flipped.sum() < 64


def test_make_pair_dataset_checks_shapes():
    with pytest.raises(ValueError, match="aligned"):
        data.make_pair_dataset(np.zeros((4, 8, 8, 1)), np.zeros((4, 6, 6, 1)), 2)
    with pytest.raises(ValueError, match="batch_size"):
        data.make_pair_dataset(np.zeros((4, 8, 8, 1)), np.zeros((4, 8, 8, 1)), 5)


def _facades_archive(path, n_train=3, n_val=2):
    """A tiny archive in the pix2pix layout: facades/{train,val}/N.jpg, each `photo | label` side by side."""
    rng = np.random.default_rng(0)
    with tarfile.open(path, "w:gz") as tar:
        for split, count in (("train", n_train), ("val", n_val)):
            for index in range(1, count + 1):
                pair = np.concatenate(
                    [rng.integers(0, 255, (20, 20, 3)), np.full((20, 20, 3), 40 * index)], axis=1
                ).astype(np.uint8)
                buffer = io.BytesIO()
                Image.fromarray(pair).save(buffer, format="JPEG")
                info = tarfile.TarInfo(f"facades/{split}/{index}.jpg")
                info.size = buffer.tell()
                buffer.seek(0)
                tar.addfile(info, buffer)


def test_facades_download_checksum_and_layouts(tmp_path, monkeypatch):
    archive = tmp_path / "mirror" / "facades.tar.gz"
    archive.parent.mkdir()
    _facades_archive(archive)
    monkeypatch.delenv("GANLIB_OFFLINE")
    monkeypatch.setenv("GANLIB_FACADES_URL", archive.as_uri())
    labels, photos = data.load_pairs("facades", "train", size=16, verbose=False)
    assert labels.shape == photos.shape == (3, 16, 16, 3)
    assert np.median(np.abs(labels[0] - (40 / 127.5 - 1))) < 0.05  # the right half: the label map is the input
    cached = config.data_dir() / "facades.tar.gz"
    assert (cached.parent / "facades.tar.gz.sha256").read_text().strip() == data.sha256sum(archive)
    val_labels, _ = data.load_pairs("facades", "validation", size=16, verbose=False)
    assert len(val_labels) == 2

    # the keras.utils.get_file(extract=True) layout is found as it is
    root = config.data_dir()
    (root / "facades_extracted").mkdir()
    (root / "facades").rename(root / "facades_extracted" / "facades")
    cached.unlink()
    assert data.load_pairs("facades", "train", size=16, verbose=False)[0].shape == (3, 16, 16, 3)


def test_facades_corrupt_archive_is_fetched_again(tmp_path, monkeypatch):
    archive = tmp_path / "facades.tar.gz"
    _facades_archive(archive)
    monkeypatch.delenv("GANLIB_OFFLINE")
    monkeypatch.setenv("GANLIB_FACADES_URL", archive.as_uri())
    monkeypatch.setenv("GANLIB_FACADES_SHA256", data.sha256sum(archive))
    cached = config.data_dir() / "facades.tar.gz"
    cached.write_bytes(b"half a download")
    assert data.load_pairs("facades", "train", size=8, verbose=False)[0].shape == (3, 8, 8, 3)
    assert data.sha256sum(cached) == data.sha256sum(archive)
    monkeypatch.setenv("GANLIB_FACADES_SHA256", "0" * 64)  # a mirror serving the wrong file
    cached.unlink()
    import shutil

    shutil.rmtree(config.data_dir() / "facades")
    with pytest.raises(data.DownloadError, match="SHA-256"):
        data.load_pairs("facades", "train", size=8, verbose=False)
    assert not cached.exists()


def test_facades_offline_says_so():
    with pytest.raises(data.DownloadError, match="OFFLINE"):
        data.load_pairs("facades", "train", verbose=False)


# ------------------------------------------------------------------------------------------- models


@pytest.mark.parametrize("side, depth", [(32, 5), (64, 6), (256, 8)])
def test_unet_depth_is_derived_from_the_size(side, depth):
    assert pix2pix.default_depth((side, side, 1)) == depth


def test_unet_shapes_skips_and_errors():
    generator = models.build_unet_generator((32, 32, 1), base_filters=8, seed=0)
    assert generator.output_shape == (None, 32, 32, 1)
    assert generator.get_layer("encoder5").output.shape[1:3] == (1, 1)
    assert sum(isinstance(layer, keras.layers.Concatenate) for layer in generator.layers) == 4
    assert models.build_unet_generator((32, 32, 3), 8, depth=3, out_channels=2).output_shape == (None, 32, 32, 2)
    colorizer = models.build_unet_generator((16, 16, 1), 4, colorize=True, seed=0)
    assert colorizer.output_shape == (None, 16, 16, 3)
    with pytest.raises(ValueError, match="divisible"):
        models.build_unet_generator((30, 30, 1), 8)
    with pytest.raises(ValueError, match="one-channel"):
        models.build_unet_generator((16, 16, 3), 8, colorize=True)
    with pytest.raises(ValueError, match="base_filters"):
        models.build_unet_generator((16, 16, 1), 0)


def test_unet_parameter_count_is_pinned():
    assert models.build_unet_generator((32, 32, 1), base_filters=16).count_params() == 1_043_537  # counted by hand: see the U-Net docstring layers


def test_colorizer_keeps_the_input_lightness():
    colorizer = models.build_unet_generator((16, 16, 1), 4, colorize=True, seed=0)
    grey = np.random.default_rng(0).uniform(-0.6, 0.6, (2, 16, 16, 1)).astype(np.float32)
    rgb = colorizer(grey, training=False).numpy()
    np.testing.assert_allclose(data.to_grey(rgb), grey, atol=0.05)  # only colour is predicted


def test_colorizer_max_chroma_scales_the_colour_it_can_paint():
    full = models.build_unet_generator((16, 16, 1), 4, colorize=True, seed=0)
    capped = models.build_unet_generator((16, 16, 1), 4, colorize=True, max_chroma=0.25, seed=0)
    grey = np.random.default_rng(0).uniform(-0.6, 0.6, (2, 16, 16, 1)).astype(np.float32)
    ab_full = keras.Model(full.input, full.get_layer("ab").output)(grey).numpy()
    ab_capped = keras.Model(capped.input, capped.get_layer("ab").output)(grey).numpy()
    np.testing.assert_allclose(ab_capped, 0.25 * ab_full, atol=1e-6)  # same weights (same seed), a quarter
    assert np.abs(ab_capped).max() <= 0.25
    with pytest.raises(ValueError, match="max_chroma"):
        models.build_unet_generator((16, 16, 1), 4, colorize=True, max_chroma=0.0)


@pytest.mark.parametrize("field, patches", [(1, 64), (16, 30), (34, 14), (70, 6)])
def test_patchgan_receptive_field_and_output_grid(field, patches):
    discriminator = models.build_patchgan_discriminator((64, 64, 1), receptive_field=field, base_filters=4, seed=0)
    assert discriminator.output_shape == (None, patches, patches, 1)
    kernels = [layer.kernel_size[0] for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    strides = [layer.strides[0] for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert pix2pix.receptive_field(kernels, strides) == field


def test_patchgan_receptive_field_measured_by_gradients():
    """One logit in the middle depends on exactly a 34×34 patch of the target image."""
    discriminator = models.build_patchgan_discriminator((96, 96, 1), receptive_field=34, base_filters=4, seed=0)
    inputs = tf.zeros((1, 96, 96, 1))
    target = tf.Variable(tf.random.normal((1, 96, 96, 1), seed=1))
    with tf.GradientTape() as tape:
        logits = discriminator([inputs, target], training=False)
        middle = logits[0, logits.shape[1] // 2, logits.shape[2] // 2, 0]
    gradient = tape.gradient(middle, target).numpy()[0, ..., 0]
    rows, cols = np.nonzero(np.abs(gradient) > 0)
    assert rows.max() - rows.min() + 1 == 34
    assert cols.max() - cols.min() + 1 == 34


def test_patchgan_errors():
    with pytest.raises(ValueError, match="receptive_field"):
        models.build_patchgan_discriminator((32, 32, 1), receptive_field=50)
    with pytest.raises(ValueError, match="too small"):
        models.build_patchgan_discriminator((8, 8, 1), receptive_field=286, base_filters=2)


# ------------------------------------------------------------------------------------------- training


def _pairs(n=16, side=16, seed=0):
    rng = np.random.default_rng(seed)
    targets = rng.uniform(-1, 1, (n, side, side, 1)).astype(np.float32)
    return data.corrupt_digits(targets, hole=6, seed=seed), targets


def test_pix2pix_step_changes_both_networks_and_reports_losses(tiny_pix2pix):
    model = tiny_pix2pix()
    inputs, targets = _pairs()
    g_before = [w.copy() for w in model.generator.get_weights()]
    d_before = [w.copy() for w in model.discriminator.get_weights()]
    logs = model.fit(data.make_pair_dataset(inputs, targets, 8), epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "g_gan", "g_l1", "d_real", "d_fake"}
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, model.generator.get_weights(), strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, model.discriminator.get_weights(), strict=True))
    g_loss, g_gan, g_l1 = logs["g_loss"][-1], logs["g_gan"][-1], logs["g_l1"][-1]
    assert g_loss == pytest.approx(g_gan + 100 * g_l1, rel=1e-4)


@pytest.mark.parametrize("gan_weight", [1.0, 0.0])
def test_pix2pix_ema_generator_follows_the_formula(tiny_pix2pix, gan_weight):
    model = tiny_pix2pix(ema_decay=0.9, gan_weight=gan_weight)
    assert model.sampler is model.ema_generator and model.ema_generator is not model.generator
    inputs, targets = _pairs()
    start = [w.copy() for w in model.generator.get_weights()]
    model.fit(data.make_pair_dataset(inputs[:8], targets[:8], 8), epochs=1, verbose=0)  # one step
    decay = min(0.9, 2.0 / 11.0)  # the ramp (1 + t) / (10 + t) at t = 1
    for w0, w1, ema in zip(start, model.generator.get_weights(), model.ema_generator.get_weights(), strict=True):
        np.testing.assert_allclose(ema, decay * w0 + (1 - decay) * w1, rtol=1e-5, atol=1e-6)
    preview = model.preview(inputs[:2])
    np.testing.assert_allclose(preview[:, :, 16:], keras.ops.convert_to_numpy(model.ema_generator(inputs[:2])), atol=1e-6)
    plain = tiny_pix2pix(ema_decay=None)
    assert plain.ema_generator is None and plain.sampler is plain.generator


def test_l1_only_leaves_the_discriminator_alone(tiny_pix2pix):
    model = tiny_pix2pix(gan_weight=0.0)
    inputs, targets = _pairs()
    d_before = [w.copy() for w in model.discriminator.get_weights()]
    logs = model.fit(data.make_pair_dataset(inputs, targets, 8), epochs=1, verbose=0).history
    for a, b in zip(d_before, model.discriminator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert logs["g_gan"][-1] == 0 and logs["g_loss"][-1] == pytest.approx(100 * logs["g_l1"][-1], rel=1e-5)


@pytest.mark.parametrize("loss", losses.FAMILIES)
def test_pix2pix_step_follows_each_loss_family(tiny_pix2pix, loss):
    """One step reports the family's losses on the logits of the weights before it, and moves both players."""
    model = tiny_pix2pix(loss=loss, dropout=0.0)
    inputs, targets = (tf.constant(x[:8]) for x in _pairs())
    outputs = model.generator(inputs, training=True)
    real_logits = model.discriminator([inputs, targets], training=True)
    fake_logits = model.discriminator([inputs, outputs], training=True)
    g_loss_fn, d_loss_fn = losses.get(loss)
    g_gan, d_loss = float(g_loss_fn(fake_logits)), float(d_loss_fn(real_logits, fake_logits))
    g_l1 = float(np.mean(np.abs(targets.numpy() - outputs.numpy())))
    g_before, d_before = model.generator.get_weights(), model.discriminator.get_weights()
    logs = {name: float(value) for name, value in model.train_step((inputs, targets)).items()}
    assert logs["d_loss"] == pytest.approx(d_loss, rel=1e-5, abs=1e-6)
    assert logs["g_gan"] == pytest.approx(g_gan, rel=1e-5, abs=1e-6)
    assert logs["g_l1"] == pytest.approx(g_l1, rel=1e-5)
    assert logs["g_loss"] == pytest.approx(g_gan + 100 * g_l1, rel=1e-5)
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, model.generator.get_weights(), strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, model.discriminator.get_weights(), strict=True))


def test_pix2pix_learns_to_restore_digits(tiny_pix2pix, mnist):
    """Sixty steps of L1 on 32 holed digits bring the outputs much closer to the intact digits."""
    model = tiny_pix2pix(image_shape=(32, 32, 1), gan_weight=0.0, g_lr=3e-3)
    targets = data.pad_digits(mnist[0][:32])
    inputs = data.corrupt_digits(targets, hole=10, seed=0)
    start = metrics.l1_error(targets, metrics.translate_batches(model.generator, inputs))
    model.fit(data.make_pair_dataset(inputs, targets, 16).repeat(30), verbose=0)
    end = metrics.l1_error(targets, metrics.translate_batches(model.generator, inputs))
    assert end < 0.5 * start


def test_pix2pix_argument_errors():
    generator = models.build_unet_generator((16, 16, 1), 4)
    discriminator = models.build_patchgan_discriminator((16, 16, 1), receptive_field=16, base_filters=4)
    with pytest.raises(ValueError, match="l1_weight"):
        training.Pix2Pix(generator, discriminator, l1_weight=-1)
    with pytest.raises(ValueError, match="both 0"):
        training.Pix2Pix(generator, discriminator, l1_weight=0, gan_weight=0)
    with pytest.raises(ValueError, match="dataset"):
        recipes.build_pix2pix("horses")


def test_pix2pix_checkpoint_round_trip(tiny_pix2pix, tmp_path):
    inputs, targets = _pairs()
    model = tiny_pix2pix()
    model.fit(data.make_pair_dataset(inputs, targets, 8), epochs=1, verbose=0)
    checkpoints.save_checkpoint(model, tmp_path, arrays={"fixed_inputs": inputs[:4]})
    restored = tiny_pix2pix()
    meta = checkpoints.restore_checkpoint(restored, tmp_path)
    assert meta["step"] == 2
    for a, b in zip(model.generator.get_weights(), restored.generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.ema_generator.get_weights(), restored.ema_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the recipe's moving average resumes too
    for a, b in zip(model.d_optimizer.variables, restored.d_optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(meta["fixed_inputs"], inputs[:4])
    loaded = training.load_model(tmp_path / "generator.keras")  # the sampler: the moving average
    np.testing.assert_allclose(loaded(inputs[:2]), model.ema_generator(inputs[:2], training=False), atol=1e-6)


def test_dashboard_and_grid_show_input_and_output(tiny_pix2pix):
    from ganlib import callbacks

    model = tiny_pix2pix()
    inputs, targets = _pairs()
    grid = callbacks.SampleGrid(inputs=inputs[:4])
    dashboard = callbacks.LiveDashboard(inputs=inputs[:4])
    model.fit(data.make_pair_dataset(inputs, targets, 8), epochs=1, verbose=0, callbacks=[grid, dashboard])
    assert grid.frames[-1][1].shape == (2 * 16 + 1, 2 * 32 + 1)  # 2×2 tiles of input | output
    figure = dashboard.figure()
    assert any(line.get_label() == "g_l1 (right)" for ax in figure.axes for line in ax.lines)
    with pytest.raises(ValueError, match="inputs="):
        model.fit(data.make_pair_dataset(inputs, targets, 8), epochs=1, verbose=0, callbacks=[callbacks.SampleGrid()])


# ------------------------------------------------------------------------------------------- metrics


def test_translation_metrics_against_hand_computed_values():
    targets = np.zeros((2, 16, 16, 1), dtype=np.float32)
    outputs = targets.copy()
    outputs[0] += 0.2  # |Δ| = 0.1 on the [0, 1] scale: MSE 0.01, PSNR 20 dB
    outputs[1] -= 0.4  # 0.2 on [0, 1]: MSE 0.04, PSNR 10·log10(25) = 13.98 dB
    assert metrics.l1_error(targets, outputs) == pytest.approx(0.3)
    assert metrics.psnr(targets, outputs) == pytest.approx((20 + 10 * np.log10(25)) / 2, abs=1e-4)
    assert metrics.psnr(targets, targets) == 100.0
    assert metrics.ssim(targets, targets) == pytest.approx(1.0)
    noisy = targets + np.random.default_rng(0).normal(0, 0.5, targets.shape).astype(np.float32)
    assert metrics.ssim(targets + 0.5, noisy + 0.5) < 0.9
    with pytest.raises(ValueError, match="same shape"):
        metrics.l1_error(targets, targets[:1])


def test_unpad_digits_takes_the_centre():
    digits = np.arange(2 * 32 * 32, dtype=np.float32).reshape(2, 32, 32, 1) / 4096 - 0.5
    np.testing.assert_array_equal(metrics.unpad_digits(digits), digits[:, 2:30, 2:30])


def test_evaluate_translator_scores_the_outputs_of_the_generator(mnist):
    targets = data.pad_digits(mnist[0][:12])
    inputs = data.corrupt_digits(targets, hole=10, seed=0)
    halve = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(0.5, offset=-0.5)])
    outputs = 0.5 * inputs - 0.5  # what the "generator" makes
    mse = np.mean(((targets - outputs) / 2) ** 2, axis=(1, 2, 3))
    result = metrics.evaluate_translator(halve, inputs, targets)
    assert set(result) == {"l1", "psnr", "ssim"}
    assert result["l1"] == pytest.approx(np.mean(np.abs(targets - outputs)), rel=1e-5)
    assert result["psnr"] == pytest.approx(np.mean(10 * np.log10(1 / mse)), rel=1e-5)
    assert result["ssim"] == pytest.approx(metrics.ssim(targets, outputs), rel=1e-5)

    judge = metrics.Judge(metrics.build_judge(seed=0))  # untrained: what is checked is what it is shown
    labels, reference = mnist[1][:12], data.pad_digits(mnist[0][100:140])
    scored = metrics.evaluate_translator(halve, inputs, targets, judge=judge, labels=labels, reference_digits=reference)
    shown = metrics.unpad_digits(outputs)
    assert scored["accuracy"] == pytest.approx(np.mean(judge.predict_labels(shown) == labels))
    assert scored["fid"] == pytest.approx(metrics.fid(judge, metrics.unpad_digits(reference), shown), rel=1e-5)
    with pytest.raises(ValueError, match="labels"):
        metrics.evaluate_translator(halve, inputs, targets, judge=judge)


# ------------------------------------------------------------------------------------------- translate


@pytest.fixture(scope="module")
def grey_generator():
    return models.build_unet_generator((16, 16, 1), 4, seed=0)


@pytest.mark.parametrize(
    "shape, dtype",
    [((16, 16), np.uint8), ((23, 41), np.uint8), ((23, 41, 1), np.float32), ((3, 9, 17), np.float32),
     ((2, 40, 20, 1), np.uint8)],
)
def test_translate_image_keeps_size_and_dtype(grey_generator, shape, dtype):
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, shape).astype(np.uint8) if dtype == np.uint8 else rng.uniform(-1, 1, shape)
    image = image.astype(dtype)
    out = translate_image(grey_generator, image)
    assert out.shape == shape and out.dtype == dtype  # (3, 9, 17) is a batch and stays (3, 9, 17)
    if dtype != np.uint8:
        assert -1 <= out.min() and out.max() <= 1


def test_translate_image_from_a_file_and_pil(grey_generator, tmp_path):
    path = tmp_path / "picture.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (30, 50, 3), dtype=np.uint8)).save(path)
    out = translate_image(grey_generator, path)
    assert out.shape == (30, 50) and out.dtype == np.uint8
    assert translate_image(grey_generator, Image.open(path)).shape == (30, 50)


def test_translate_image_bad_inputs(grey_generator, tmp_path):
    with pytest.raises(ValueError, match="channel"):
        translate_image(grey_generator, np.zeros((16, 16, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="non-empty"):
        translate_image(grey_generator, np.zeros((0, 16), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        translate_image(grey_generator, np.full((16, 16), 200.0))
    with pytest.raises(FileNotFoundError):
        translate_image(grey_generator, tmp_path / "missing.png")
    with pytest.raises(ValueError, match="channel"):
        translate_images(grey_generator, np.zeros((2, 16, 16, 2), dtype=np.float32))


def test_translate_colorizer_keeps_full_resolution_lightness():
    colorizer = models.build_unet_generator((16, 16, 1), 4, colorize=True, seed=0)
    grey = np.random.default_rng(0).integers(30, 220, (48, 40), dtype=np.uint8)
    out = translate_image(colorizer, grey)
    assert out.shape == (48, 40, 3) and out.dtype == np.uint8
    lightness = data.to_grey(data.scale_to_unit(out)[None])[0, ..., 0]
    assert np.abs(data.scale_to_uint8(lightness).astype(int) - grey).mean() < 4


# ------------------------------------------------------------------------------------------- CLI, viewer


def test_cli_trains_pix2pix_and_translates(tiny_pix2pix, few_digits, tmp_path, capsys, monkeypatch):
    real_build = recipes.build_pix2pix
    monkeypatch.setattr(recipes, "build_pix2pix", lambda *a, **k: real_build(*a, **{**k, **tiny_pix2pix.settings}))
    out = tmp_path / "run"
    assert cli.main(["train", "pix2pix", "--epochs", "1", "--batch-size", "50", "--out", str(out)]) == 0
    assert (out / "generator.keras").is_file() and (out / "history.json").is_file()
    assert "Training pix2pix on digits-inpaint" in capsys.readouterr().out

    holed, _ = data.load_pairs("digits-inpaint", "validation", n=3, verbose=False)
    picture = tmp_path / "holed.png"
    Image.fromarray(data.scale_to_uint8(holed[0, ..., 0])).save(picture)
    assert cli.main(["translate", str(out), str(picture), "--out", str(tmp_path / "restored.png")]) == 0
    assert np.asarray(Image.open(tmp_path / "restored.png")).shape == (32, 32)
    np.save(tmp_path / "batch.npy", holed)
    assert cli.main(["translate", str(out), str(tmp_path / "batch.npy"), "--out", str(tmp_path / "r.npy")]) == 0
    restored = np.load(tmp_path / "r.npy")
    assert restored.shape == holed.shape and restored.dtype == np.float32
    assert cli.main(["translate", str(out), str(tmp_path / "batch.npy"), "--out", str(tmp_path / "r.txt")]) == 2
    assert cli.main(["translate", str(tmp_path), str(picture), "--out", str(tmp_path / "x.png")]) == 2
    assert "no generator.keras" in capsys.readouterr().err


def test_translation_viewer_moves_the_hole_and_switches_models():
    from ganlib import widgets

    inputs, targets = _pairs(n=4)
    generators = {"a": models.build_unet_generator((16, 16, 1), 4, seed=0),
                  "b": models.build_unet_generator((16, 16, 1), 4, seed=1)}
    viewer = widgets.translation_viewer(generators, inputs, targets, holes=True)
    first = viewer.render()
    picture = viewer.picture.value
    viewer.hole_left.value = 0
    moved = viewer.render()
    assert not np.array_equal(first["input"], moved["input"])
    assert (moved["input"][0, :, :2][moved["input"][0, :, :2] != targets[0, :, :2]] == -1).all()
    viewer.model.value = "b"
    assert viewer.picture.value != picture
    viewer.index.value = 3
    assert "L1" in viewer.caption.value
