"""Lesson 4's conditional players and ConditionalGAN: shapes, the label's paths, each discriminator form
against a hand computation, training, sampling by class and resuming."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import callbacks, data, recipes, runs, sampling, training, viz
from ganlib.models import conditional as models

LABELS = np.array([0, 3, 7, 9], dtype=np.int32)


def _images(n=4, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype("float32")


def _small(form="projection", **overrides):
    settings = {"base_filters": 8, "d_base_filters": 8, "latent_dim": 8, **overrides}
    return recipes.build_cgan(seed=0, form=form, **settings)


# ------------------------------------------------------------------------------------ players


@pytest.mark.parametrize("kind", models.KINDS)
def test_generator_shapes_and_the_label_changes_the_image(kind):
    generator = models.build_conditional_generator(8, kind=kind, base_filters=8, hidden_units=(16,), seed=0)
    assert generator.input_shape == [(None, 8), (None,)]
    z = np.repeat(np.random.default_rng(0).standard_normal((1, 8)).astype("float32"), 4, axis=0)
    images = np.asarray(generator([z, LABELS], training=False))
    assert images.shape == (4, 28, 28, 1) and np.abs(images).max() <= 1.0
    # Same noise, different labels: the label reaches the image (and nothing else differs).
    for i in range(1, 4):
        assert np.abs(images[i] - images[0]).max() > 1e-4
    again = np.asarray(generator([z, np.zeros(4, np.int32)], training=False))
    np.testing.assert_allclose(again, np.repeat(again[:1], 4, axis=0), atol=1e-6)


@pytest.mark.parametrize("kind", models.KINDS)
@pytest.mark.parametrize("form", models.FORMS)
def test_discriminator_forms_shapes_and_label_paths(form, kind):
    discriminator = models.build_conditional_discriminator(form, kind=kind, base_filters=8, hidden_units=(16,), seed=1)
    image = np.repeat(_images(1), 4, axis=0)  # one image, four labels
    if form == "acgan":
        assert not isinstance(discriminator.input_shape, list)  # the label enters through the loss only
        outputs = np.asarray(discriminator(image, training=False))
        assert outputs.shape == (4, 11)
        return
    logits = np.asarray(discriminator([image, LABELS], training=False))
    assert logits.shape == (4, 1)
    assert len(np.unique(np.round(logits[:, 0], 6))) == 4  # each label gives another verdict on the same image


def test_projection_logit_equals_the_hand_computation():
    discriminator = models.build_conditional_discriminator("projection", base_filters=8, seed=2)
    head = discriminator.layers[-1]
    assert isinstance(head, models.ProjectionHead)
    # Move the class vectors and the bias away from their near-zero start, so every term counts.
    embedding = head.class_embedding
    embedding.embeddings.assign(np.random.default_rng(3).normal(0, 0.1, embedding.embeddings.shape))
    dense = head.unconditional
    dense.bias.assign([0.25])
    images = _images(4, seed=4)
    features = keras.Model(discriminator.inputs, discriminator.get_layer("features").output)
    h = np.asarray(features([images, LABELS], training=False), dtype=np.float64)
    w, b = (np.asarray(v, np.float64) for v in dense.weights)
    vectors = np.asarray(embedding.embeddings, np.float64)[LABELS]
    by_hand = h @ w[:, 0] + b[0] + np.sum(vectors * h, axis=1)  # w·h + b + embed(y)·h
    got = np.asarray(discriminator([images, LABELS], training=False))[:, 0]
    np.testing.assert_allclose(got, by_hand, rtol=1e-4, atol=1e-5)


def test_concat_discriminator_sees_one_constant_channel_per_class():
    discriminator = models.build_conditional_discriminator("concat", base_filters=8, seed=0)
    joined = keras.Model(discriminator.inputs, discriminator.get_layer("image_and_label").output)
    images = _images(4)
    got = np.asarray(joined([images, LABELS]))
    assert got.shape == (4, 28, 28, 11)
    np.testing.assert_array_equal(got[..., :1], images)
    expected = np.zeros((4, 28, 28, 10), np.float32)
    expected[np.arange(4), :, :, LABELS] = 1.0
    np.testing.assert_array_equal(got[..., 1:], expected)


def test_bad_arguments_are_refused_in_one_line():
    with pytest.raises(ValueError, match="`form` to be one of"):
        models.build_conditional_discriminator("stack")
    with pytest.raises(ValueError, match="kind='mlp'"):
        models.build_conditional_generator(8, image_shape=(20, 20, 1))
    with pytest.raises(ValueError, match="hinge"):
        _small(loss="wasserstein")
    with pytest.raises(ValueError, match="conditional generator"):
        unconditional = keras.Sequential([keras.Input((8,)), keras.layers.Dense(784), keras.layers.Reshape((28, 28, 1))])
        training.ConditionalGAN(unconditional, models.build_conditional_discriminator())


# ------------------------------------------------------------------------------------ training


@pytest.mark.parametrize("form", models.FORMS)
def test_one_step_of_each_form_trains_both_players(form):
    gan = _small(form)
    before = [np.array(v) for v in gan.generator.trainable_weights + gan.discriminator.trainable_weights]
    dataset = data.make_labelled_dataset(_images(8), np.arange(8) % 10, 8, shuffle=False)
    logs = gan.fit(dataset, epochs=1, verbose=0).history
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(values[-1]) for values in logs.values())
    after = gan.generator.trainable_weights + gan.discriminator.trainable_weights
    assert all(not np.array_equal(b, np.asarray(a)) for b, a in zip(before, after, strict=True))


def test_acgan_class_term_reaches_the_discriminator_loss():
    """d_loss(class_weight=1) − d_loss(class_weight=0) = ½·[CE(real classes) + CE(fake classes)]."""
    images, labels = _images(8), tf.constant(np.arange(8) % 10, tf.int32)

    def d_loss(class_weight):
        gan = _small("acgan", class_weight=class_weight, d_batch_norm=False)
        return float(gan.update_discriminator(images, labels)["d_loss"])

    twin = _small("acgan", d_batch_norm=False)  # the same weights and noise as both: compute the CE by hand
    fakes = twin.generator([twin.sample_noise(8), labels], training=True)

    def cross_entropy(batch):
        logits = np.asarray(twin.discriminator(batch, training=True), np.float64)[:, 1:]
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return -np.mean(log_p[np.arange(8), np.asarray(labels)])

    expected = 0.5 * (cross_entropy(images) + cross_entropy(fakes))
    assert expected > 1.0  # an untrained classifier: about log 10
    assert d_loss(1.0) - d_loss(0.0) == pytest.approx(expected, rel=1e-4)


def test_train_step_needs_labels():
    gan = _small()
    with pytest.raises(ValueError, match="make_labelled_dataset"):
        gan.fit(tf.data.Dataset.from_tensors(_images(4)), epochs=1, verbose=0)


# ------------------------------------------------------------------------------------ sampling


def test_class_labels_default_cycle_and_checks():
    np.testing.assert_array_equal(sampling.class_labels(12), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
    np.testing.assert_array_equal(sampling.class_labels(3, 7), [7, 7, 7])
    with pytest.raises(ValueError, match=r"labels in 0\.\.9"):
        sampling.class_labels(2, 10)
    with pytest.raises(ValueError, match="one label or 3 labels"):
        sampling.class_labels(3, [1, 2])


def test_generate_and_the_style_by_class_grid():
    gan = _small()
    sevens = gan.generate(3, labels=7, seed=0)
    assert sevens.shape == (3, 28, 28, 1) and sevens.dtype == np.float32
    cycled = gan.generate(12, seed=0)
    np.testing.assert_allclose(cycled[7], sampling.generate(gan.sampler, 12, labels=[7] * 12, seed=0)[7], atol=1e-6)
    grid = sampling.style_by_class(gan.sampler, rows=2, seed=0)
    assert grid.shape == (20, 28, 28, 1)
    # A row is one noise vector drawn as every class: equal to asking for class k with that noise.
    z = np.random.default_rng(0).standard_normal((2, 8)).astype("float32")
    expected = np.asarray(gan.sampler([np.repeat(z[1:], 10, axis=0), np.arange(10)], training=False))
    np.testing.assert_allclose(grid[10:], expected, atol=1e-6)


def test_sample_grid_callback_shows_the_fixed_noise_with_labels_cycling():
    gan = _small()
    noise = np.random.default_rng(0).standard_normal((20, 8)).astype("float32")
    grid = callbacks.SampleGrid(n=20, inputs=noise)
    dataset = data.make_labelled_dataset(_images(8), np.arange(8), 4, shuffle=False)
    gan.fit(dataset, epochs=1, verbose=0, callbacks=[grid])
    expected = np.asarray(gan.sampler([noise, np.arange(20) % 10], training=False))
    np.testing.assert_array_equal(grid.frames[-1][1], viz.tile(expected))
    # Without `inputs`, the grid draws its own noise (seed 0, the GAN's latent_dim) with the classes cycling.
    own = callbacks.SampleGrid(n=20)
    gan.fit(dataset, epochs=1, verbose=0, callbacks=[own])
    expected = np.asarray(gan.sampler([np.random.default_rng(0).standard_normal((20, 8)).astype("float32"),
                                       np.arange(20) % 10], training=False))
    np.testing.assert_array_equal(own.frames[-1][1], viz.tile(expected))


# ------------------------------------------------------------------------------------ resuming


def _all_variables(gan):
    """Every variable a checkpoint must bring back (EMA generator and its update count included), in order."""
    variables = list(gan.generator.variables) + list(gan.discriminator.variables)
    variables += list(gan.ema_generator.variables) + [gan.ema_updates]
    variables += list(gan.g_optimizer.variables) + list(gan.d_optimizer.variables) + [gan.seed_generator.state]
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(tmp_path, capsys):
    images, labels = _images(40), np.arange(40) % 10
    dataset = data.make_labelled_dataset(images, labels, 8, shuffle=False).repeat()
    straight = _small()
    straight.fit(dataset, steps_per_epoch=5, epochs=1, verbose=0)

    first = _small()
    run = runs.open_run(tmp_path, first, dataset, settings={"seed": 0})
    assert runs.train(run, steps=3)["step"] == 3 and first.step == 3
    # A new process: the same recipe with every weight and the noise state moved on purpose, so all of them
    # must come back from the checkpoint.
    resumed = _small()
    for variable in resumed.generator.variables + resumed.discriminator.variables + resumed.ema_generator.variables:
        if "float" in str(variable.dtype):
            variable.assign(variable + 0.5)
    resumed.seed_generator.state.assign(resumed.seed_generator.state + 7)
    run2 = runs.open_run(tmp_path, resumed, dataset.skip(3), settings={"seed": 0})
    assert "Resuming from step 3" in capsys.readouterr().out and resumed.step == 3
    assert 0 < resumed.clock.seconds <= first.clock.seconds
    result = runs.train(run2, steps=5)
    assert result["step"] == 5 and result["steps_this_run"] == 2 and int(resumed.d_optimizer.iterations) == 5
    # Same weights, EMA, optimizer state and noise state as 5 uninterrupted steps (exact on CPU).
    for a, b in zip(_all_variables(resumed), _all_variables(straight), strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_class_count_and_class_weight_are_part_of_a_runs_identity(tmp_path, capsys):
    dataset = data.make_labelled_dataset(_images(8), np.arange(8) % 10, 8, shuffle=False)
    found = runs.settings_of(_small("acgan"), dataset)
    assert found["trainer"] == "ConditionalGAN" and found["num_classes"] == 10 and found["class_weight"] == 1.0
    weighted = _small("acgan", class_weight=0.5)
    assert runs.first_difference(found, runs.settings_of(weighted, dataset)) == "class_weight: 1.0 there, 0.5 here"
    assert runs.fingerprint(found) != runs.fingerprint(runs.settings_of(weighted, dataset))
    runs.train(runs.open_run(tmp_path, _small("acgan"), dataset), steps=1)
    with pytest.raises(runs.OtherSettingsError, match="class_weight: 1.0 there, 0.5 here"):
        runs.open_run(tmp_path, weighted, dataset)


def test_labelled_data_helpers():
    images, labels = np.zeros((50, 28, 28), np.uint8), np.arange(50) % 10
    small, small_labels = data.balanced_subset(images, labels, 20, seed=0)
    assert np.bincount(small_labels, minlength=10).tolist() == [2] * 10
    with pytest.raises(ValueError, match="multiple of num_classes"):
        data.balanced_subset(images, labels, 15)
    with pytest.raises(ValueError, match="Class 0 has 5 images; 6 are needed"):
        data.balanced_subset(images, labels, 60)
    train_x, train_y, test_x, test_y = data.split_train_test(images, labels, 10, seed=0)
    assert len(train_x) == 40 and len(test_x) == 10 and sorted(np.concatenate([train_y, test_y])) == sorted(labels)
    batch_images, batch_labels = next(iter(data.make_labelled_dataset(images, labels, 5, shuffle=False)))
    assert batch_images.shape == (5, 28, 28, 1) and batch_labels.numpy().tolist() == [0, 1, 2, 3, 4]


# ------------------------------------------------------------------------------------ lesson 4's explorer
# (its exercises: tests/test_exercises_lesson04.py)


def test_class_explorer_draws_the_selected_class_with_the_same_noise():
    from ganlib import widgets

    gan = _small()
    explorer = widgets.class_explorer(gan.sampler)
    explorer.label.value = 7
    selected, every = explorer.images()
    np.testing.assert_allclose(selected[0], every[7], atol=1e-6)
    z = np.random.default_rng(0).standard_normal((1, 8)).astype("float32")
    expected = np.asarray(gan.sampler([z, np.array([7], np.int32)], training=False))
    np.testing.assert_allclose(selected, expected, atol=1e-5)
    explorer.sliders[0].value = 1.0
    assert np.abs(explorer.images()[0] - selected).max() > 1e-5
