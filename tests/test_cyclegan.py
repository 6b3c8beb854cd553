"""CycleGAN (lesson 5): the domains, the players, the losses against hand computations, the image pool, the
learning-rate decay, runs (resume, step counter, fingerprint), and the real datasets' download path with a tiny
archive made here. Every model here is tiny: the whole module trains a few steps in all."""

from __future__ import annotations

import hashlib
import io
import zipfile

import keras
import numpy as np
import pytest
from PIL import Image

from ganlib import data, recipes, runs
from ganlib.data import unpaired
from ganlib.metrics import cyclegan as cyclegan_scores
from ganlib.models import cyclegan as cyclegan_models
from ganlib.training import cyclegan
from ganlib.training.image_pool import ImagePool


@pytest.fixture(autouse=True, scope="module")
def _digits_read_once():
    """The bundled digits, read once for the module (each read takes seconds)."""
    from ganlib.data import paired

    original, cache = paired._digit_split, {}

    def cached(split, verbose):
        if split not in cache:
            cache[split] = original(split, verbose)
        return cache[split]

    paired._digit_split = cached
    yield
    paired._digit_split = original


# ------------------------------------------------------------------------------------ the digits ↔ photos domains


def test_blend_inverts_the_photo_under_the_digit_and_keeps_it_elsewhere():
    digits = np.array([-1.0, 1.0, 0.0], np.float32).reshape(1, 1, 3, 1)  # black, white, grey
    crops = np.array([[0.2, -0.6, 1.0]] * 3, np.float32).reshape(1, 1, 3, 3)  # in [0, 1]: 0.6, 0.2, 1.0
    blended = unpaired.blend_with_photos(digits, crops)
    # black: the crop as it is; white: |c − 1| = 0.4, 0.8, 0.0 -> -0.2, 0.6, -1; grey 0.5: |c − 0.5| = 0.1, 0.3, 0.5
    expected = np.array([[0.2, -0.6, 1.0], [-0.2, 0.6, -1.0], [-0.8, -0.4, 0.0]], np.float32)
    np.testing.assert_allclose(blended[0, 0], expected, atol=1e-6)


def test_blend_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="one crop per digit"):
        unpaired.blend_with_photos(np.zeros((2, 4, 4, 1)), np.zeros((3, 4, 4, 3)))


def _keys(digits):
    return {hashlib.sha256(d.tobytes()).hexdigest() for d in digits}


def test_the_domains_hold_disjoint_digits_and_validation_digits_are_in_neither():
    train_a, _, train_b, _ = unpaired._digit_halves("train")
    val_a, val_labels_a, val_b, val_labels_b = unpaired._digit_halves("validation")
    a, b, val = _keys(train_a), _keys(train_b), _keys(val_a)
    assert len(a) > 1000 and len(b) > 1000 and len(val) >= 1000
    assert not a & b and not a & val and not b & val
    np.testing.assert_array_equal(val_a, val_b)  # validation: the same digits, plain and on photos
    np.testing.assert_array_equal(val_labels_a, val_labels_b)


def test_digits_photos_shapes_ranges_and_labels():
    images_a, images_b = unpaired.load_unpaired("digits-photos", "validation", n=6, verbose=False)
    assert images_a.shape == images_b.shape == (6, 32, 32, 3)
    assert images_a.dtype == images_b.dtype == np.float32
    np.testing.assert_array_equal(images_a[..., 0], images_a[..., 2])  # grey, as RGB
    assert -1 <= images_b.min() and images_b.max() <= 1
    assert images_b.std(axis=-1).mean() > 0.01  # colour
    labels_a, labels_b = unpaired.digit_labels("validation", n=6)
    digits, labels = data.digits_of_pairs("validation")
    np.testing.assert_array_equal(labels_a, labels[:6])
    # where the digit is, B is the photo's colours inverted: B = |crop − digit| = 1 − crop at white pixels
    white = data.pad_digits(data.scale_to_unit(digits[:6])[..., None])[..., 0] > 0.99
    assert white.any()


def test_unknown_dataset_and_size_are_refused():
    with pytest.raises(ValueError, match="Expected `name`"):
        unpaired.load_unpaired("apples2oranges")
    with pytest.raises(ValueError, match="size"):
        unpaired.load_unpaired("digits-photos", size=64)


def test_unpaired_dataset_batches_both_domains():
    a = np.zeros((10, 4, 4, 3), np.float32)
    b = np.ones((7, 4, 4, 3), np.float32)
    dataset = unpaired.make_unpaired_dataset(a, b, 3, seed=0)
    assert int(dataset.cardinality()) == 2
    batches = list(dataset)
    assert len(batches) == 2
    for batch_a, batch_b in batches:
        assert batch_a.shape == batch_b.shape == (3, 4, 4, 3)
        assert float(np.max(batch_a)) == 0.0 and float(np.min(batch_b)) == 1.0
    with pytest.raises(ValueError, match="batch_size"):
        unpaired.make_unpaired_dataset(a, b, 8)


# ------------------------------------------------------------------------------------ players


def test_players_shapes():
    generator = cyclegan_models.build_cycle_generator((32, 32, 3), base_filters=4, name="generator_b2a", seed=0)
    assert generator.name == "generator_b2a"
    assert generator.output_shape == (None, 32, 32, 3)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in generator.layers)
    discriminator = cyclegan_models.build_patch_discriminator((32, 32, 3), receptive_field=34, base_filters=4, seed=0)
    assert discriminator.output_shape == (None, 6, 6, 1)
    assert cyclegan_models.build_patch_discriminator((32, 32, 3), 16, 4).output_shape == (None, 14, 14, 1)
    with pytest.raises(ValueError, match="receptive_field"):
        cyclegan_models.build_patch_discriminator((32, 32, 3), receptive_field=1)
    with pytest.raises(ValueError, match="too small"):
        cyclegan_models.build_patch_discriminator((32, 32, 3), receptive_field=142)


def _linear(name, kernel, bias=0.0, out_channels=3):
    """A 1×1 convolution with fixed weights: a player whose output is known in closed form."""
    inputs = keras.Input((4, 4, 3))
    layer = keras.layers.Conv2D(out_channels, 1)
    model = keras.Model(inputs, layer(inputs), name=name)
    layer.set_weights([np.asarray(kernel, np.float32).reshape(1, 1, 3, out_channels),
                       np.full(out_channels, bias, np.float32)])
    return model


def _tiny_cyclegan(identity_weight=5.0, pool_size=0, cycle_weight_b=None):
    model = cyclegan.CycleGAN(
        _linear("generator_a2b", 0.5 * np.eye(3)),
        _linear("generator_b2a", np.eye(3), bias=0.1),
        _linear("discriminator_a", np.full((3, 1), 0.2), out_channels=1),
        _linear("discriminator_b", np.full((3, 1), 0.1), out_channels=1),
        cycle_weight=10.0,
        identity_weight=identity_weight,
        pool_size=pool_size,
        seed=0,
        cycle_weight_b=cycle_weight_b,
    )
    model.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return model


def _hand_losses(a, b, identity_weight, cycle_weight_b=10.0):
    g_ab = lambda x: 0.5 * x  # noqa: E731
    g_ba = lambda x: x + 0.1  # noqa: E731
    d_a = lambda x: 0.2 * x.sum(-1)  # noqa: E731
    d_b = lambda x: 0.1 * x.sum(-1)  # noqa: E731
    fake_b, fake_a = g_ab(a), g_ba(b)
    g_gan = np.mean((d_b(fake_b) - 1) ** 2) + np.mean((d_a(fake_a) - 1) ** 2)
    cycle_a, cycle_b = np.mean(np.abs(g_ba(fake_b) - a)), np.mean(np.abs(g_ab(fake_a) - b))
    g_identity = np.mean(np.abs(g_ba(a) - a)) + np.mean(np.abs(g_ab(b) - b)) if identity_weight else 0.0
    d_loss = sum(
        0.5 * np.mean((d(real) - 1) ** 2) + 0.5 * np.mean(d(fake) ** 2) for d, real, fake in ((d_a, a, fake_a), (d_b, b, fake_b))
    )
    return {"g_gan": g_gan, "g_cycle": cycle_a + cycle_b, "g_identity": g_identity, "d_loss": d_loss,
            "g_loss": g_gan + 10.0 * cycle_a + cycle_weight_b * cycle_b + identity_weight * g_identity}


@pytest.mark.parametrize("identity_weight", [5.0, 0.0])
@pytest.mark.parametrize("pool_size", [0, 8])  # a filling pool shows the newest fakes: same first step
def test_one_step_reports_the_hand_computed_losses(identity_weight, pool_size):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (4, 4, 4, 3)).astype(np.float32)
    b = rng.uniform(-1, 1, (4, 4, 4, 3)).astype(np.float32)
    model = _tiny_cyclegan(identity_weight, pool_size)
    logs = {k: float(v) for k, v in model.train_step((a, b)).items()}
    for name, value in _hand_losses(a.astype(np.float64), b.astype(np.float64), identity_weight).items():
        assert logs[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name
    # the step trained both generators and both discriminators
    assert not np.allclose(model.generator_a2b.get_weights()[0].reshape(3, 3), 0.5 * np.eye(3))
    assert not np.allclose(model.discriminator_b.get_weights()[0].ravel(), 0.1)


@pytest.mark.parametrize("cycle_weight_b", [1.0, 0.0])
def test_the_b_cycle_can_weigh_apart_from_the_a_cycle(cycle_weight_b):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (4, 4, 4, 3)).astype(np.float32)
    b = rng.uniform(-1, 1, (4, 4, 4, 3)).astype(np.float32)
    model = _tiny_cyclegan(cycle_weight_b=cycle_weight_b)
    assert (model.cycle_weight, model.cycle_weight_b) == (10.0, cycle_weight_b)
    logs = {k: float(v) for k, v in model.train_step((a, b)).items()}
    hand = _hand_losses(a.astype(np.float64), b.astype(np.float64), 5.0, cycle_weight_b)
    for name, value in hand.items():
        assert logs[name] == pytest.approx(value, rel=1e-5, abs=1e-6), name
    # with the weights of the split the total differs from λ = 10 on both cycles (g_cycle reports both unweighted)
    assert hand["g_loss"] != pytest.approx(_hand_losses(a.astype(np.float64), b.astype(np.float64), 5.0)["g_loss"])
    assert _tiny_cyclegan().cycle_weight_b == 10.0  # None: the same as cycle_weight


def test_identity_loss_needs_equal_channels():
    with pytest.raises(ValueError, match="identity_weight=0"):
        cyclegan.CycleGAN(
            _linear("generator_a2b", np.ones((3, 1)), out_channels=1),
            keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(3, 1)]),
            _linear("discriminator_a", np.ones((3, 1)), out_channels=1),
            _linear("discriminator_b", np.ones((3, 1)), out_channels=1),
        )


def test_bad_weights_are_refused():
    with pytest.raises(ValueError, match="cycle_weight"):
        cyclegan.CycleGAN(*(_linear(f"m{i}", np.eye(3)) for i in range(4)), cycle_weight=-1.0)
    with pytest.raises(ValueError, match="cycle_weight_b"):
        cyclegan.CycleGAN(*(_linear(f"m{i}", np.eye(3)) for i in range(4)), cycle_weight_b=-0.5)
    with pytest.raises(ValueError, match="pool_size"):
        cyclegan.CycleGAN(*(_linear(f"m{i}", np.eye(3)) for i in range(4)), pool_size=-2)


# ------------------------------------------------------------------------------------ the image pool


def _batch(values):
    return np.asarray(values, np.float32).reshape(-1, 1, 1, 1)


def _pooled(pool):
    return sorted(float(v) for v in np.asarray(pool.images).ravel()[: int(pool.count)])


def test_pool_shows_new_fakes_while_filling_and_stores_what_fits():
    pool = ImagePool(3, (1, 1, 1))
    seeds = keras.random.SeedGenerator(0)
    np.testing.assert_array_equal(np.asarray(pool(_batch([1, 2]), seed_generator=seeds)).ravel(), [1, 2])
    assert _pooled(pool) == [1, 2]
    shown = np.asarray(pool(_batch([3, 4]), seed_generator=seeds)).ravel().tolist()
    assert shown[0] == 3 and int(pool.count) == 3  # 3 took the last free slot
    if shown[1] == 4:  # 4 met the full pool and its coin kept it out
        assert _pooled(pool) == [1, 2, 3]
    else:  # or swapped it for a stored fake, which is shown
        assert shown[1] in (1, 2, 3) and _pooled(pool) == sorted({1, 2, 3, 4} - {shown[1]})


def test_full_pool_swaps_about_half_and_keeps_every_image_once():
    pool = ImagePool(4, (1, 1, 1))
    seeds = keras.random.SeedGenerator(1)
    pool(_batch([1, 2, 3, 4]), seed_generator=seeds)
    swaps, total, next_value = 0, 0, 5
    for _ in range(100):
        before = _pooled(pool)
        new = [next_value, next_value + 1]
        next_value += 2
        shown = np.asarray(pool(_batch(new), seed_generator=seeds)).ravel().tolist()
        after = _pooled(pool)
        for fresh, seen in zip(new, shown, strict=True):
            total += 1
            if seen == fresh:  # shown as it is: not stored
                assert fresh not in after
            else:  # an old fake shown instead, and the new one took its place
                swaps += 1
                assert seen in before and seen not in after and fresh in after
        assert len(after) == 4
    assert 0.4 < swaps / total < 0.6  # probability 1/2 (200 draws: ±0.1 is five standard deviations)


# ------------------------------------------------------------------------------------ learning rate, checkpoints


def test_linear_decay_is_constant_then_linear_to_zero():
    schedule = cyclegan.LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    values = [float(schedule(step)) for step in (0, 100, 125, 150, 400)]
    assert values == pytest.approx([2e-4, 2e-4, 1e-4, 0.0, 0.0])
    assert cyclegan.LinearDecay.from_config(schedule.get_config()).decay_steps == 50


def test_recipe_builds_with_decay_and_refuses_unknown_settings():
    model = recipes.build_cyclegan((16, 16, 3), base_filters=2, d_base_filters=2, decay_steps=10)
    assert isinstance(model.g_optimizer._learning_rate, cyclegan.LinearDecay)
    with pytest.raises(ValueError, match="Unknown setting"):
        recipes.build_cyclegan(lambda_cyc=3)


def _same_conv_reads(index, kernel, stride):
    """The input rows a Keras ``padding="same"`` convolution reads for its output row ``index`` (even sizes:
    Keras pads ``kernel - stride`` rows in all, the smaller half before)."""
    start = stride * index - (kernel - stride) // 2
    return set(range(start, start + kernel))


def _unet_window_by_hand(row, size, kernel, stride):
    """The input rows output row ``row`` of a depth-2 U-Net depends on: e1 and e2 convolutions, d1 and the output
    layer their transposes (a transposed convolution's output row gets input row x when the convolution at x
    reads that row), e1 concatenated to d1."""
    def conv(rows, n_in):
        return {r for o in rows for r in _same_conv_reads(o, kernel, stride) if 0 <= r < n_in}

    def transposed(rows, n_in):
        return {x for x in range(n_in) if _same_conv_reads(x, kernel, stride) & rows}

    level_16 = transposed({row}, size // stride)        # d1's rows (and e1's, through the skip connection)
    level_8 = transposed(level_16, size // stride**2)   # the bottom, e2, read by d1
    return conv(conv(level_8, size // stride) | level_16, size)


def test_recipe_generators_see_at_most_an_18_pixel_window_on_digits_and_real_sets_go_down_to_1x1():
    """Depth 2 (two stride-2 halvings, 4×4 kernels): every output pixel depends on a window of the input only, 14
    or 18 px a side in the middle (the side alternates in pairs of rows: pixel (16, 16) sees rows 9–22, pixel
    (17, 17) rows 9–26), 7–15 px in the outer rows, where the picture's edge cuts it off; measured for every output
    pixel against the count by hand."""
    import tensorflow as tf

    def seen(generator):  # (out row, out col, in row, in col): does the output pixel depend on the input pixel?
        # a few pictures, so that a unit one picture switches off (ReLU) does not hide a dependency
        x = tf.Variable(np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 3)).astype("float32"))
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(generator(x, training=False), axis=(0, 3))
        return np.abs(tape.jacobian(y, x).numpy()).sum(axis=(2, 5)) > 0

    model = recipes.build_cyclegan(seed=0)
    for generator in (model.generator_a2b, model.generator_b2a):
        layers = [layer for layer in generator.layers if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))]
        assert [(type(layer).__name__, layer.kernel_size, layer.strides, layer.padding) for layer in layers] == (
            2 * [("Conv2D", (4, 4), (2, 2), "same")] + 2 * [("Conv2DTranspose", (4, 4), (2, 2), "same")]
        )
        by_hand = [_unet_window_by_hand(row, 32, kernel=4, stride=2) for row in range(32)]
        measured = seen(generator)
        for i in range(32):
            for j in range(32):
                assert set(np.nonzero(measured[i, j].any(axis=1))[0]) == by_hand[i], (i, j)
                assert set(np.nonzero(measured[i, j].any(axis=0))[0]) == by_hand[j], (i, j)
    sides = [max(rows) - min(rows) + 1 for rows in by_hand]
    assert all(len(rows) == side for rows, side in zip(by_hand, sides, strict=True))  # no gaps in a window
    assert max(sides) == 18 and sides[8:24] == [14, 18, 18, 14] * 4
    assert (min(by_hand[16]), max(by_hand[16]), min(by_hand[17]), max(by_hand[17])) == (9, 22, 9, 26)
    assert seen(recipes.build_cyclegan(seed=0, depth=None).generator_b2a)[16, 16].all()  # down to 1×1: the whole picture
    for name in ("horse2zebra", "summer2winter_yosemite", "monet2photo"):
        assert recipes.CYCLEGAN_DATASETS[name]["depth"] is None


def test_two_builds_of_the_recipe_have_one_fingerprint_and_a_changed_weight_another():
    """The pairs of generators and discriminators nest models whose layers Keras numbers per session."""
    def tiny(**overrides):
        return recipes.build_cyclegan((16, 16, 3), base_filters=2, d_base_filters=2, **overrides)

    first, second = runs.settings_of(tiny()), runs.settings_of(tiny())
    assert runs.fingerprint(first) == runs.fingerprint(second)
    other = runs.settings_of(tiny(cycle_weight=5.0))
    assert runs.first_difference(first, other) == "cycle_weight: 3.0 there, 5.0 here"
    assert runs.first_difference(first, runs.settings_of(tiny(pool_size=10))) == "pool_size: 50 there, 10 here"
    b_cycle = runs.settings_of(tiny(cycle_weight_b=10.0))
    assert runs.first_difference(first, b_cycle) == "cycle_weight_b: 1.0 there, 10.0 here"


def test_a_run_counts_the_generators_steps_and_resumes_from_its_checkpoint(tmp_path, capsys):
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (8, 4, 4, 3)).astype(np.float32) for _ in range(2))
    dataset = unpaired.make_unpaired_dataset(a, b, 4, seed=0)
    model = _tiny_cyclegan(pool_size=4)
    run = runs.open_run(tmp_path, model, dataset, settings={"dataset": "test"})
    result = runs.train(run, steps=2)
    assert result["step"] == model.step == int(model.g_optimizer.iterations) == 2
    assert model.clock.seconds > 0
    model.save_players(tmp_path)
    again = _tiny_cyclegan(pool_size=4)
    run = runs.open_run(tmp_path, again, dataset, settings={"dataset": "test"})
    assert run.resumed_from == 2 and again.step == 2
    assert "Resuming from step 2" in capsys.readouterr().out
    for saved, restored in zip(model.generator.get_weights(), again.generator.get_weights(), strict=True):
        np.testing.assert_array_equal(saved, restored)
    assert runs.train(run, steps=3)["step"] == 3
    with pytest.raises(runs.OtherSettingsError, match="identity_weight"):
        runs.open_run(tmp_path, _tiny_cyclegan(identity_weight=0.0, pool_size=4), dataset, settings={"dataset": "test"})
    translator = cyclegan.load_translator(tmp_path, "b2a")
    assert translator.name == "generator_b2a"
    (tmp_path / "generator_b2a.keras").unlink()  # from the pair every checkpoint writes
    pair_part = cyclegan.load_translator(tmp_path, "b2a")
    assert pair_part.name == "generator_b2a"
    np.testing.assert_allclose(pair_part.get_weights()[0], again.generator_b2a.get_weights()[0], atol=0)
    with pytest.raises(ValueError, match="direction"):
        cyclegan.load_translator(tmp_path, "a2a")


def test_scores_of_a_translator_that_gets_every_digit_right():
    """A stand-in CycleGAN that returns the true counterpart (the validation digits are paired) scores as
    the plain digits do, with no cycle error; the grey copy is the baseline. Any fixed judge shows it: an
    untrained one is used."""
    images_a, images_b = unpaired.load_unpaired("digits-photos", "validation", n=40, verbose=False)
    labels, _ = unpaired.digit_labels("validation", n=40)

    class Perfect:
        def translate(self, images, direction, batch_size=256):
            source, target = (images_b, images_a) if direction == "b2a" else (images_a, images_b)
            index = [int(np.argmin(np.abs(source - x).sum(axis=(1, 2, 3)))) for x in images]
            return target[index]

    from ganlib import metrics

    judge = metrics.Judge(metrics.build_judge(seed=0))
    reference, _ = unpaired.load_unpaired("digits-photos", "train", n=50, verbose=False)
    result = cyclegan_scores.evaluate_cyclegan(Perfect(), images_a, images_b, labels, judge, reference)
    assert result["accuracy"] == result["real_accuracy"]
    assert result["cycle_a"] == result["cycle_b"] == result["l1_b2a"] == 0.0
    grey = cyclegan_scores.grey_copy(images_b)
    assert grey.shape == (40, 32, 32, 1)
    assert result["baseline_accuracy"] == judge.accuracy(cyclegan_scores.judge_view(grey), labels)
    assert "grey copy" in cyclegan_scores.summarize(result)


# ------------------------------------------------------------------------------------ the real datasets


def _jpeg(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 16), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture()
def fake_mirror(tmp_path, monkeypatch):
    """A tiny horse2zebra.zip in the authors' layout, served from a file:// mirror; an empty data folder."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with zipfile.ZipFile(mirror / "horse2zebra.zip", "w") as archive:
        for folder, colour, count in (("trainA", "red", 3), ("trainB", "white", 2), ("testA", "red", 1), ("testB", "white", 1)):
            for index in range(count):
                archive.writestr(f"horse2zebra/{folder}/{index}.jpg", _jpeg(colour))
    monkeypatch.setenv("GANLIB_CYCLEGAN_URL", mirror.as_uri())
    monkeypatch.setenv("GANLIB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GANLIB_OFFLINE", raising=False)
    monkeypatch.delenv("GANLIB_HORSE2ZEBRA_SHA256", raising=False)
    return mirror / "horse2zebra.zip"


def test_real_set_downloads_once_records_its_checksum_and_loads(fake_mirror, tmp_path):
    images_a, images_b = unpaired.load_unpaired("horse2zebra", "train", size=8, verbose=False)
    assert images_a.shape == (3, 8, 8, 3) and images_b.shape == (2, 8, 8, 3)
    assert images_a[..., 0].mean() > 0.8 and images_a[..., 2].mean() < -0.8  # red horses
    record = tmp_path / "data" / "horse2zebra.zip.sha256"
    assert record.read_text().strip() == data.sha256sum(fake_mirror)
    val_a, val_b = unpaired.load_unpaired("horse2zebra", "validation", size=8, n=1, verbose=False)
    assert len(val_a) == len(val_b) == 1


def test_real_set_with_a_wrong_pinned_checksum_is_refused(fake_mirror, monkeypatch):
    monkeypatch.setenv("GANLIB_HORSE2ZEBRA_SHA256", "0" * 64)
    with pytest.raises(data.DownloadError, match="expected 0000"):
        unpaired.load_unpaired("horse2zebra", size=8, verbose=False)


def test_corrupt_cached_archive_is_fetched_again(fake_mirror, tmp_path, capsys):
    unpaired._archive("horse2zebra", timeout=5)
    cached = tmp_path / "data" / "horse2zebra.zip"
    cached.write_bytes(b"truncated")
    assert unpaired._archive("horse2zebra", timeout=5) == cached
    assert "corrupt or truncated" in capsys.readouterr().out
    assert data.sha256sum(cached) == data.sha256sum(fake_mirror)


def test_offline_without_the_archive_says_so(fake_mirror, monkeypatch):
    monkeypatch.setenv("GANLIB_OFFLINE", "1")
    with pytest.raises(data.DownloadError, match="GANLIB_OFFLINE=1"):
        unpaired.load_unpaired("monet2photo", verbose=False)


def test_archive_without_the_folders_is_refused(fake_mirror):
    with zipfile.ZipFile(fake_mirror, "w") as archive:
        archive.writestr("something/else.txt", "no pictures")
    with pytest.raises(data.DownloadError, match="no horse2zebra/trainA folder"):
        unpaired.load_unpaired("horse2zebra", verbose=False)
