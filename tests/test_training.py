"""Tests of ganlib.training (the GAN model, generation, saving) and ganlib.recipes.

Every GAN here is conftest's ``tiny_gan`` (latent_dim 8, one hidden layer of 16 units) and trains for a
couple of steps on a few dozen real digits, so the whole file runs in seconds on a CPU. What each loss term
adds to ``d_loss`` is checked by hand in test_train_step.py.
"""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib import config, data, losses, models, recipes, training

LATENT = 8
BATCH = 16


def _dataset(images, seed=0):
    return data.make_image_dataset(images, BATCH, seed=seed).repeat()


def _weights(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _all_changed(before, variables):
    return all(not np.array_equal(b, a) for b, a in zip(before, _weights(variables), strict=True))


def _none_changed(before, variables):
    return all(np.array_equal(b, a) for b, a in zip(before, _weights(variables), strict=True))


# ------------------------------------------------------------------------------------ train_step


def test_fit_updates_both_players_and_logs_metrics(tiny_gan, real_images):
    gan = tiny_gan()
    g_before = _weights(gan.generator.trainable_weights)
    d_before = _weights(gan.discriminator.trainable_weights)
    history = gan.fit(_dataset(real_images), steps_per_epoch=2, epochs=1, verbose=0)
    assert _all_changed(g_before, gan.generator.trainable_weights)
    assert _all_changed(d_before, gan.discriminator.trainable_weights)
    assert set(history.history) == set(training.METRIC_NAMES)
    logs = {key: values[-1] for key, values in history.history.items()}
    assert all(np.isfinite(value) for value in logs.values())
    assert 0.0 <= logs["d_real"] <= 1.0 and 0.0 <= logs["d_fake"] <= 1.0
    assert int(gan.d_optimizer.iterations) == 2 and int(gan.g_optimizer.iterations) == 2


def test_train_step_in_tf_function_returns_all_metrics(tiny_gan, real_images):
    gan = tiny_gan()
    # autograph=False, as Keras' own trainer does (it wraps train_step in do_not_convert): AutoGraph's
    # conversion of the bound methods is not what is under test, and it flaked here once in five runs.
    step = tf.function(gan.train_step, autograph=False)
    logs = step(tf.constant(real_images[:BATCH]))
    assert set(logs) == set(training.METRIC_NAMES)
    assert 0.0 <= float(logs["d_real"]) <= 1.0 and 0.0 <= float(logs["d_fake"]) <= 1.0


def test_train_step_ignores_labels(tiny_gan, real_images, mnist):
    gan = tiny_gan(run_eagerly=True)
    labelled = tf.data.Dataset.from_tensor_slices((real_images, mnist[1][:64])).batch(BATCH).repeat()
    history = gan.fit(labelled, steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


@pytest.mark.parametrize("loss", losses.FAMILIES)
def test_every_loss_family_trains(tiny_gan, real_images, loss):
    gan = tiny_gan(loss=loss, run_eagerly=True)
    g_before = _weights(gan.generator.trainable_weights)
    d_before = _weights(gan.discriminator.trainable_weights)
    history = gan.fit(_dataset(real_images), steps_per_epoch=2, epochs=1, verbose=0)
    assert _all_changed(g_before, gan.generator.trainable_weights)
    # Kernels only: under the Wasserstein loss the critic's output bias gets no gradient at all
    # (it cancels in mean(D(fake)) − mean(D(real)) and the gradient penalty does not see it).
    kernels = [i for i, w in enumerate(gan.discriminator.trainable_weights) if "kernel" in w.path]
    d_after = _weights(gan.discriminator.trainable_weights)
    assert len(kernels) == 2
    assert all(not np.array_equal(d_before[i], d_after[i]) for i in kernels)
    logs = {key: values[-1] for key, values in history.history.items()}
    assert all(np.isfinite(value) for value in logs.values())
    assert 0.0 <= logs["d_real"] <= 1.0 and 0.0 <= logs["d_fake"] <= 1.0
    assert gan.gradient_penalty_weight == (10.0 if loss == "wasserstein" else 0.0)


def test_gradient_penalty_weight_can_be_set(tiny_gan):
    assert tiny_gan(loss="wasserstein", gradient_penalty_weight=0.0).gradient_penalty_weight == 0.0
    assert tiny_gan(loss="hinge", gradient_penalty_weight=5).gradient_penalty_weight == 5.0
    with pytest.raises(ValueError, match="gradient_penalty_weight"):
        tiny_gan(loss="wasserstein", gradient_penalty_weight=-1.0)


def test_d_steps_updates_discriminator_more_often(tiny_gan, real_images):
    gan = tiny_gan(d_steps=2, run_eagerly=True)
    gan.fit(_dataset(real_images), steps_per_epoch=2, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 4
    assert int(gan.g_optimizer.iterations) == 2


@pytest.mark.parametrize("d_steps", [0, -1, 1.5])
def test_bad_d_steps_raises(tiny_gan, d_steps):
    with pytest.raises(ValueError, match="d_steps"):
        tiny_gan(d_steps=d_steps)


@pytest.mark.parametrize("loss", ["wasserstein", "hinge"])
def test_label_smoothing_without_support_raises(tiny_gan, loss):
    with pytest.raises(ValueError, match="label_smoothing"):
        tiny_gan(loss=loss, label_smoothing=0.1)


def test_label_smoothing_is_stored_and_checked(tiny_gan):
    assert tiny_gan(label_smoothing=0.1).label_smoothing == pytest.approx(0.1)
    with pytest.raises(ValueError, match="label_smoothing"):
        tiny_gan(label_smoothing=1.0)


def test_same_optimizer_for_both_players_raises():
    gan = training.GAN(
        models.build_mlp_generator(LATENT, (16,), seed=0), models.build_mlp_discriminator(hidden_units=(16,))
    )
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="optimizer"):
        gan.compile(d_optimizer=optimizer, g_optimizer=optimizer)


def test_unknown_loss_family_raises(tiny_gan):
    with pytest.raises(ValueError):
        tiny_gan(loss="not_a_loss")


def test_latent_dim_read_from_generator(tiny_gan):
    assert tiny_gan().latent_dim == LATENT
    assert tuple(tiny_gan().sample_noise(3).shape) == (3, LATENT)


# ------------------------------------------------------------------------------------ single updates


def test_update_discriminator_changes_only_the_discriminator(tiny_gan, real_images):
    gan = tiny_gan()
    g_before = _weights(gan.generator.trainable_weights)
    d_before = _weights(gan.discriminator.trainable_weights)
    results = gan.update_discriminator(tf.constant(real_images[:BATCH]))
    assert set(results) == {"d_loss", "d_real", "d_fake"}
    assert _all_changed(d_before, gan.discriminator.trainable_weights)
    # Only trainable weights: G runs with training=True here, so its batch-norm moving statistics may move.
    assert _none_changed(g_before, gan.generator.trainable_weights)
    assert int(gan.d_optimizer.iterations) == 1 and int(gan.g_optimizer.iterations) == 0


def test_update_generator_changes_only_the_generator(tiny_gan):
    gan = tiny_gan()
    g_before = _weights(gan.generator.trainable_weights)
    d_before = _weights(gan.discriminator.weights)  # the discriminator has no state besides its weights
    results = gan.update_generator(BATCH)
    assert set(results) == {"g_loss"}
    assert _all_changed(g_before, gan.generator.trainable_weights)
    assert _none_changed(d_before, gan.discriminator.weights)
    assert int(gan.g_optimizer.iterations) == 1 and int(gan.d_optimizer.iterations) == 0


# ------------------------------------------------------------------------------------ EMA generator


def test_without_ema_the_sampler_is_the_generator(tiny_gan):
    gan = tiny_gan()
    assert gan.ema_generator is None
    assert gan.sampler is gan.generator


def test_ema_generator_follows_the_formula(tiny_gan, real_images):
    gan = tiny_gan(ema_decay=0.9, run_eagerly=True)
    assert gan.sampler is gan.ema_generator and gan.ema_generator is not gan.generator
    start = gan.generator.get_weights()
    for a, b in zip(start, gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the average starts at the generator's weights
    gan.fit(_dataset(real_images), steps_per_epoch=1, epochs=1, verbose=0)
    decay = min(0.9, 2.0 / 11.0)  # the ramp (1 + t) / (10 + t) at t = 1
    trained = gan.generator.get_weights()
    for w0, w1, ema in zip(start, trained, gan.ema_generator.get_weights(), strict=True):
        np.testing.assert_allclose(ema, decay * w0 + (1 - decay) * w1, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(trained[0], gan.ema_generator.get_weights()[0])
    np.testing.assert_array_equal(gan.generate(4, seed=0), training.generate(gan.ema_generator, 4, seed=0))


@pytest.mark.parametrize("ema_decay", [1.0, -0.5, 2])
def test_bad_ema_decay_raises(tiny_gan, ema_decay):
    with pytest.raises(ValueError, match="ema_decay"):
        tiny_gan(ema_decay=ema_decay)


# ------------------------------------------------------------------------------------ generate


def test_generate_is_repeatable_and_in_range(tiny_gan):
    gan = tiny_gan()
    a = gan.generate(10, seed=5)
    assert a.shape == (10, 28, 28, 1) and a.dtype == np.float32
    assert a.min() >= -1.0 and a.max() <= 1.0
    np.testing.assert_array_equal(a, gan.generate(10, seed=5))
    assert not np.array_equal(a, gan.generate(10, seed=6))


def test_generate_in_batches_matches_one_batch(tiny_gan):
    gan = tiny_gan()
    np.testing.assert_allclose(gan.generate(10, seed=1, batch_size=3), gan.generate(10, seed=1), atol=1e-6)


def test_generate_function_matches_method(tiny_gan):
    gan = tiny_gan()
    np.testing.assert_array_equal(training.generate(gan.generator, 4, seed=2), gan.generate(4, seed=2))


@pytest.mark.parametrize("n", [0, -1, 2.0])
def test_generate_bad_n_raises(tiny_gan, n):
    with pytest.raises(ValueError, match="n"):
        tiny_gan().generate(n)


# ------------------------------------------------------------------------------------ saving and loading


def test_save_players_round_trip(tiny_gan, real_images, tmp_path):
    gan = tiny_gan(run_eagerly=True)
    gan.fit(_dataset(real_images), steps_per_epoch=2, epochs=1, verbose=0)  # moves the BN statistics too
    folder = tmp_path / "run" / "nested"
    g_path, d_path = gan.save_players(folder)
    assert g_path == folder / "generator.keras" and d_path == folder / "discriminator.keras"
    # and no temporary files left behind by the atomic save
    assert sorted(p.name for p in folder.iterdir()) == ["discriminator.keras", "generator.keras"]

    generator, discriminator = training.load_model(g_path), training.load_model(d_path)
    for original, loaded in ((gan.generator, generator), (gan.discriminator, discriminator)):
        assert loaded.name == original.name
        for a, b in zip(original.get_weights(), loaded.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(training.generate(generator, 6, seed=0), gan.generate(6, seed=0))
    images = real_images[:6]
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(discriminator(images, training=False)),
        keras.ops.convert_to_numpy(gan.discriminator(images, training=False)),
    )


def test_save_players_overwrites_existing_files(tiny_gan, tmp_path):
    first, second = tiny_gan(seed=0), tiny_gan(seed=5)
    first.save_players(tmp_path)
    second.save_players(tmp_path)
    loaded = training.load_model(tmp_path / "generator.keras")
    np.testing.assert_array_equal(loaded.get_weights()[0], second.generator.get_weights()[0])


def test_load_model_missing_file(tmp_path):
    missing = tmp_path / "nowhere" / "generator.keras"
    with pytest.raises(FileNotFoundError) as info:
        training.load_model(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "python -m ganlib train" in message


def test_save_history_round_trip(tmp_path):
    history = {"d_loss": [np.float32(0.5), 0.25], "g_loss": [np.float64(1.5), 2], "d_real": []}
    path = training.save_history(history, tmp_path / "history.json")
    assert path == tmp_path / "history.json"
    loaded = json.loads(path.read_text())
    assert loaded == {"d_loss": [0.5, 0.25], "g_loss": [1.5, 2.0], "d_real": []}
    assert all(isinstance(v, float) for values in loaded.values() for v in values)
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


# ------------------------------------------------------------------------------------ reproducibility


def _seeded_run(build, images, seed=0, **compile_kwargs):
    config.set_seed(0)
    gan = build(seed=seed, dropout=0.3, **compile_kwargs)
    gan.fit(_dataset(images, seed=0), steps_per_epoch=3, epochs=1, verbose=0)
    return gan.generator.get_weights() + gan.discriminator.get_weights()


@pytest.fixture(scope="module")
def first_seeded_run(tiny_gan, real_images):
    return _seeded_run(tiny_gan, real_images)


def test_same_seed_runs_are_reproducible(tiny_gan, real_images, first_seeded_run):
    # Bit-for-bit equal on CPU: seeded weights, seeded shuffling, seeded noise and seeded dropout.
    for a, b in zip(first_seeded_run, _seeded_run(tiny_gan, real_images), strict=True):
        np.testing.assert_array_equal(a, b)


def test_different_seed_gives_a_different_run(tiny_gan, real_images, first_seeded_run):
    other = _seeded_run(tiny_gan, real_images, seed=1, run_eagerly=True)
    assert not all(np.allclose(a, b) for a, b in zip(first_seeded_run, other, strict=True))


# ------------------------------------------------------------------------------------ recipes


def test_build_mlp_gan_uses_recipe_settings():
    hp = recipes.MLP_GAN
    gan = recipes.build_mlp_gan()
    assert isinstance(gan, training.GAN)
    assert gan.latent_dim == hp["latent_dim"]
    assert gan.generator.input_shape == (None, hp["latent_dim"])
    assert gan.generator.output_shape == (None, 28, 28, 1)
    g_units = [layer.units for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)]
    d_units = [layer.units for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Dense)]
    assert g_units == [*hp["g_hidden"], 28 * 28]
    assert d_units == [*hp["d_hidden"], 1]
    dropouts = [layer.rate for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == [hp["dropout"]] * len(hp["d_hidden"])
    # compiled with the recipe's game settings and two distinct optimizers
    assert gan.loss_family == hp["loss"]
    assert gan.d_steps == hp["d_steps"]
    assert gan.label_smoothing == pytest.approx(hp["label_smoothing"])
    assert gan.gradient_penalty_weight == 0.0
    assert gan.d_optimizer is not gan.g_optimizer
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(hp["d_lr"])
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(hp["g_lr"])
    assert float(gan.d_optimizer.beta_1) == pytest.approx(hp["beta_1"])


def test_build_mlp_gan_overrides_apply():
    before = dict(recipes.MLP_GAN)
    gan = recipes.build_mlp_gan(latent_dim=8, g_hidden=(16,), d_hidden=(16,), d_lr=1e-3, d_steps=2)
    assert gan.generator.input_shape == (None, 8)
    assert gan.latent_dim == 8
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(recipes.MLP_GAN["g_lr"])
    assert gan.d_steps == 2
    assert recipes.MLP_GAN == before  # the recipe itself is untouched


def test_build_mlp_gan_is_seeded():
    small = {"latent_dim": 8, "g_hidden": (16,), "d_hidden": (16,)}
    a, b = recipes.build_mlp_gan(seed=3, **small), recipes.build_mlp_gan(seed=3, **small)
    for x, y in zip(a.generator.get_weights(), b.generator.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)
    c = recipes.build_mlp_gan(seed=4, **small)
    assert not np.array_equal(a.generator.get_weights()[0], c.generator.get_weights()[0])


def test_build_mlp_gan_unknown_override_raises():
    with pytest.raises(ValueError, match="latent_size"):
        recipes.build_mlp_gan(latent_size=8)


def test_settings_copies_and_checks():
    hp = recipes.settings(recipes.MLP_GAN, batch_size=8)
    assert hp["batch_size"] == 8 and recipes.MLP_GAN["batch_size"] == 64
    with pytest.raises(ValueError, match="nope"):
        recipes.settings(recipes.MLP_GAN, nope=1)


def test_build_dcgan_sizes_each_player_from_its_own_filters():
    hp = recipes.DCGAN
    gan = recipes.build_dcgan()
    g_filters = [layer.filters for layer in gan.generator.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    d_filters = [layer.filters for layer in gan.discriminator.layers if type(layer) is keras.layers.Conv2D]
    assert g_filters == [hp["base_filters"], 1]  # 7×7 → 14×14 (base_filters) → 28×28 image
    assert d_filters == [hp["d_base_filters"], 2 * hp["d_base_filters"]]
    assert gan.ema_generator is not None and gan.sampler is gan.ema_generator
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(hp["g_lr"])
    small = recipes.build_dcgan(base_filters=8, d_base_filters=4, latent_dim=8)
    assert small.generator.count_params() < gan.generator.count_params()
    assert [layer.filters for layer in small.discriminator.layers if type(layer) is keras.layers.Conv2D] == [4, 8]


def test_a_wasserstein_dcgan_critic_has_no_batch_norm():
    small = {"latent_dim": 8, "base_filters": 4, "d_base_filters": 4}

    def batch_norms(gan):
        return [layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.BatchNormalization)]

    assert batch_norms(recipes.build_dcgan(**small))  # the lesson's discriminator has it
    critic = recipes.build_dcgan(loss="wasserstein", **small)
    assert not batch_norms(critic) and critic.gradient_penalty_weight == 10.0
    assert recipes.settings(recipes.DCGAN, loss="wasserstein")["d_batch_norm"] is False
    with pytest.raises(ValueError, match="d_batch_norm=False"):
        recipes.build_dcgan(loss="wasserstein", d_batch_norm=True, **small)
