"""Tests of ganlib.checkpoints: a full round trip of a run's state, resuming, atomicity, pruning, mismatches.

Every GAN here is the tiny recipe GAN (latent_dim 8, one hidden layer of 16 units) trained for a few steps
on 64 real digits in batches of 16. Most run eagerly (tracing a train function costs seconds); one test
checks restoring into a GAN whose train function is already compiled.
"""

import time
import types

import keras
import numpy as np
import pytest

from ganlib import callbacks, checkpoints, data, models, recipes, run_identity, storage, training

BATCH = 16
TINY = {"latent_dim": 8, "g_hidden": (16,), "d_hidden": (16,)}


@pytest.fixture(scope="module")
def real_images(mnist):
    """64 real digits as float32 ``(64, 28, 28, 1)`` in [-1, 1]."""
    return data.as_model_input(mnist[0][:64])


def _dataset(images):
    """Batches in a fixed order (no shuffling), repeated: the same steps see the same digits in every run."""
    return data.make_image_dataset(images, BATCH, shuffle=False).repeat()


def _gan(seed=0, eager=True, **overrides):
    gan = recipes.build_mlp_gan(seed=seed, **{**TINY, **overrides})
    gan.run_eagerly = eager
    return gan


def _ema_gan(seed=0):
    generator = models.build_mlp_generator(8, (16,), seed=seed)
    discriminator = models.build_mlp_discriminator(hidden_units=(16,), seed=seed + 1)
    gan = training.GAN(generator, discriminator, seed=seed, ema_decay=0.9)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        run_eagerly=True,
    )
    return gan


def _values(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _all_variables(gan):
    """Every variable a checkpoint must bring back, in a fixed order."""
    variables = list(gan.generator.variables) + list(gan.discriminator.variables)
    if gan.ema_generator is not None:
        variables += list(gan.ema_generator.variables) + [gan.ema_updates]
    variables += (
        list(gan.g_optimizer.variables) + list(gan.d_optimizer.variables) + [gan.seed_generator.state]
    )
    return _values(variables)


def _assert_same(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def _fit(gan, dataset, steps, callbacks_=()):
    gan.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=list(callbacks_))


# ------------------------------------------------------------------------------------ round trip


def test_round_trip_restores_every_variable_and_the_metadata(real_images, tmp_path):
    gan = _gan(seed=0)
    history, grid = callbacks.StepHistory(), callbacks.SampleGrid(n=4)
    _fit(gan, _dataset(real_images), 3, [history, grid])
    path = checkpoints.save_checkpoint(
        gan, tmp_path, step=3, epoch=1, history=history.history, fixed_noise=grid.noise, elapsed_seconds=12.5
    )
    assert path == tmp_path / "ckpt-00000003"
    assert (tmp_path / "latest").read_text().strip() == "ckpt-00000003"
    saved = _all_variables(gan)

    fresh = _gan(seed=1)  # same recipe, other initial weights and noise seed
    meta = checkpoints.restore_checkpoint(fresh, tmp_path)
    _assert_same(_all_variables(fresh), saved)
    # The parts most easily forgotten really came back: batch-norm moving statistics (not trainable),
    # Adam's step count and moments, the noise generator's state and the dropout layer's seed state.
    moving_mean = [v for v in fresh.generator.non_trainable_variables if "moving_mean" in v.path][0]
    assert np.abs(keras.ops.convert_to_numpy(moving_mean)).max() > 0  # moved away from its initial zeros
    assert int(fresh.g_optimizer.iterations) == 3 and int(fresh.d_optimizer.iterations) == 3
    assert len(fresh.g_optimizer.variables) == 2 + 2 * len(fresh.generator.trainable_variables)
    np.testing.assert_array_equal(
        _values([fresh.seed_generator.state])[0], _values([gan.seed_generator.state])[0]
    )
    assert meta["step"] == 3 and meta["epoch"] == 1 and meta["elapsed_seconds"] == 12.5
    assert meta["history"] == history.history and len(meta["history"]["d_loss"]) == 3
    np.testing.assert_array_equal(meta["fixed_noise"], grid.noise)
    assert meta["path"] == path and meta["format_version"] == checkpoints.FORMAT_VERSION
    # Restored models behave identically.
    noise = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(fresh.generator(noise, training=False)),
        keras.ops.convert_to_numpy(gan.generator(noise, training=False)),
    )
    # The folder can be sampled from directly.
    loaded = storage.load_model(tmp_path / "generator.keras")
    _assert_same(_values(loaded.weights), _values(gan.generator.weights))
    assert storage.load_model(tmp_path / "discriminator.keras").name == "discriminator"


def test_ema_weights_round_trip(real_images, tmp_path):
    gan = _ema_gan(seed=0)
    _fit(gan, _dataset(real_images), 2)
    checkpoints.save_checkpoint(gan, tmp_path, step=2, epoch=1)
    fresh = _ema_gan(seed=5)
    checkpoints.restore_checkpoint(fresh, tmp_path)
    _assert_same(_all_variables(fresh), _all_variables(gan))
    assert float(fresh.ema_updates) == 2.0
    # generator.keras holds the averaged generator (gan.sampler), which differs from the trained one.
    loaded = _values(storage.load_model(tmp_path / "generator.keras").weights)
    _assert_same(loaded, _values(gan.ema_generator.weights))
    assert not all(np.array_equal(a, b) for a, b in zip(loaded, _values(gan.generator.weights), strict=True))


# ------------------------------------------------------------------------------------ resuming


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(real_images, tmp_path, capsys):
    dataset = _dataset(real_images)
    straight = _gan(seed=0)
    _fit(straight, dataset, 5)

    first = _gan(seed=0)
    history, grid = callbacks.StepHistory(), callbacks.SampleGrid(n=4)
    budget = callbacks.TimeBudget(3600)
    saver = checkpoints.Checkpoint(tmp_path, sample_grid=grid, history=history, time_budget=budget)
    _fit(first, dataset, 3, [history, grid, budget, saver])
    assert saver.step == 3 and saver.epoch == 1
    assert [p.name for p in tmp_path.glob("ckpt-*")] == ["ckpt-00000003"]  # saved once: when training ended

    # A new process: a fresh GAN and fresh callbacks, restored from the folder. The GAN's seed differs on
    # purpose: every weight, optimizer moment and random state must come from the checkpoint.
    resumed = _gan(seed=1)
    history2, grid2, budget2 = (
        callbacks.StepHistory(),
        callbacks.SampleGrid(n=4, seed=9),
        callbacks.TimeBudget(3600),
    )
    saver2 = checkpoints.Checkpoint(tmp_path, sample_grid=grid2, history=history2, time_budget=budget2)
    meta = checkpoints.resume(
        resumed, tmp_path, sample_grid=grid2, history=history2, time_budget=budget2, checkpoint=saver2
    )
    assert "Resuming from step 3 (epoch 1)" in capsys.readouterr().out
    assert meta["step"] == 3 and saver2.initial_step == saver2.step == 3 and saver2.epoch == 1
    np.testing.assert_array_equal(grid2.noise, grid.noise)  # same fixed noise, not the one of seed 9
    assert history2.history == history.history and history2.step == 3
    assert budget2.already_used == pytest.approx(budget.elapsed)

    _fit(resumed, dataset.skip(3), 2, [history2, grid2, budget2, saver2])  # the data carries on where it was
    assert int(resumed.g_optimizer.iterations) == 5 and int(resumed.d_optimizer.iterations) == 5
    assert saver2.step == 5 and saver2.epoch == 2 and len(history2.history["g_loss"]) == 5
    assert checkpoints.latest_checkpoint(tmp_path).name == "ckpt-00000005"
    assert budget2.elapsed >= budget.elapsed
    # Same weights, optimizer state and noise state as 5 uninterrupted steps: the whole state was restored.
    # Exact equality holds on CPU (same ops, same order); it is the strongest check that nothing was missed.
    _assert_same(_all_variables(resumed), _all_variables(straight))


def test_restoring_into_a_gan_with_a_compiled_train_function(real_images, tmp_path):
    # Graph mode: fit compiles gan.train_function once. Restoring assigns the variables in place, so the
    # compiled function must see the restored values without being rebuilt.
    gan = _gan(seed=0, eager=False)
    dataset = _dataset(real_images)
    _fit(gan, dataset, 2)
    compiled = gan.train_function
    checkpoints.save_checkpoint(gan, tmp_path, step=2, epoch=1)
    _fit(gan, dataset, 2)  # a new iterator: the same 2 batches as in the first run
    after_first_try = _all_variables(gan)
    checkpoints.restore_checkpoint(gan, tmp_path)  # back to step 2 ...
    assert int(gan.g_optimizer.iterations) == 2
    _fit(gan, dataset, 2)  # ... and the same 2 steps again
    assert gan.train_function is compiled
    _assert_same(_all_variables(gan), after_first_try)


def test_resume_without_checkpoint_returns_none(tmp_path, capsys):
    saver = checkpoints.Checkpoint(tmp_path / "run")
    assert checkpoints.resume(_gan(), tmp_path / "run", checkpoint=saver) is None
    assert "No checkpoint" in capsys.readouterr().out
    assert saver.step == 0 and checkpoints.latest_checkpoint(tmp_path / "missing") is None
    with pytest.raises(FileNotFoundError, match="No complete checkpoint"):
        checkpoints.restore_checkpoint(_gan(), tmp_path)


# ------------------------------------------------------------------------------------ files on disk


def test_interrupted_saves_are_ignored(tmp_path):
    gan = _gan()
    checkpoints.save_checkpoint(gan, tmp_path, step=2, epoch=1)
    # A save killed halfway: a temporary directory, and (written by hand) a ckpt directory without state.
    leftover = tmp_path / ".tmp-ckpt-abc123"
    leftover.mkdir()
    (leftover / "state.npz").write_bytes(b"half a file")
    broken = tmp_path / "ckpt-00000009"
    broken.mkdir()
    (broken / "meta.json").write_text("{}")
    (tmp_path / "latest").write_text("ckpt-00000009\n")
    assert checkpoints.latest_checkpoint(tmp_path) == tmp_path / "ckpt-00000002"
    (tmp_path / "latest").unlink()
    assert checkpoints.latest_checkpoint(tmp_path) == tmp_path / "ckpt-00000002"
    assert checkpoints.restore_checkpoint(_gan(seed=1), tmp_path)["step"] == 2
    # The next save cleans up the temporary directory.
    checkpoints.save_checkpoint(gan, tmp_path, step=4, epoch=2)
    assert not leftover.exists()
    assert checkpoints.latest_checkpoint(tmp_path) == tmp_path / "ckpt-00000004"


def test_keep_two_prunes_older_checkpoints(real_images, tmp_path):
    gan = _gan()
    saver = checkpoints.Checkpoint(tmp_path, every_seconds=0, every_n_steps=1, keep=2)
    _fit(gan, _dataset(real_images), 3, [saver])
    assert sorted(p.name for p in tmp_path.glob("ckpt-*")) == ["ckpt-00000002", "ckpt-00000003"]
    assert (tmp_path / "latest").read_text().strip() == "ckpt-00000003"
    assert not list(tmp_path.glob(".tmp*"))
    # Saving the same step again (e.g. a final save) replaces it cleanly.
    checkpoints.save_checkpoint(gan, tmp_path, step=3, epoch=1, keep=2)
    assert sorted(p.name for p in tmp_path.glob("ckpt-*")) == ["ckpt-00000002", "ckpt-00000003"]


def test_different_model_raises_and_changes_nothing(tmp_path):
    checkpoints.save_checkpoint(_gan(), tmp_path, step=1, epoch=0)
    wider = _gan(g_hidden=(32,))  # same number of variables, other shapes
    players = lambda: _values(wider.generator.variables + wider.discriminator.variables)  # noqa: E731
    before = players()
    with pytest.raises(ValueError, match=r"different model or different settings.*fresh output folder"):
        checkpoints.restore_checkpoint(wider, tmp_path)
    _assert_same(players(), before)  # all shapes are checked before anything is assigned
    deeper = _gan(d_hidden=(16, 16))  # 2 × (kernel, bias, dropout seed) + logits kernel, bias
    with pytest.raises(ValueError, match=r"discriminator: 5 variables saved, 8 here.*--fresh"):
        checkpoints.restore_checkpoint(deeper, tmp_path)
    with pytest.raises(ValueError, match="has no EMA generator, this GAN has one"):
        checkpoints.restore_checkpoint(_ema_gan(), tmp_path)


def test_checkpoint_argument_checks(tmp_path):
    with pytest.raises(ValueError, match="keep"):
        checkpoints.Checkpoint(tmp_path, keep=0)
    with pytest.raises(ValueError, match="every_n_steps"):
        checkpoints.Checkpoint(tmp_path, every_n_steps=-1)
    with pytest.raises(ValueError, match="keep"):
        checkpoints.save_checkpoint(_gan(), tmp_path, step=0, epoch=0, keep=0)


def test_saves_are_scheduled_in_seconds_not_epochs(tmp_path, mnist, monkeypatch):
    # A fake clock that reads 10 s per training step: with every_seconds=25 a save falls due every third
    # step (30 s after the last one), whatever the epoch boundaries (every 4 steps here) are.
    clock = {"now": 0.0}
    monkeypatch.setattr(checkpoints, "time", types.SimpleNamespace(perf_counter=lambda: clock["now"], strftime=time.strftime))

    class Tick(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            clock["now"] += 10.0

    gan = recipes.build_mlp_gan(seed=0, latent_dim=8, g_hidden=(16,), d_hidden=(16,))
    dataset = data.make_image_dataset(mnist[0][:64], 16, shuffle=False)  # 4 steps per epoch
    saved = []
    checkpoint = checkpoints.Checkpoint(tmp_path, every_seconds=25)
    original = checkpoint.save

    def counting_save():
        saved.append(checkpoint.step)
        return original()

    checkpoint.save = counting_save
    gan.fit(dataset, epochs=3, verbose=0, callbacks=[Tick(), checkpoint])
    assert saved == [3, 6, 9, 12]  # step 12 is also the end of training: not saved twice
    assert checkpoint.epoch == 3
    saved.clear()
    checkpoint.every_seconds, checkpoint.every_n_steps = 0.0, 5
    gan.fit(dataset, epochs=1, verbose=0, callbacks=[Tick(), checkpoint])
    assert saved == [15, 16]  # every 5 steps (counted over all runs), then the end of training
    with pytest.raises(ValueError, match="every_seconds"):
        checkpoints.Checkpoint(tmp_path, every_seconds=-1)


# ------------------------------------------------------------------------------------ run identity


P2P_TINY = {"base_filters": 4, "d_base_filters": 4, "receptive_field": 16}


def _pix2pix(**overrides):
    model = recipes.build_pix2pix("digits-inpaint", image_shape=(16, 16, 1), seed=0, **{**P2P_TINY, **overrides})
    model.run_eagerly = True
    return model


def _pairs_dataset():
    rng = np.random.default_rng(0)
    targets = rng.uniform(-1, 1, (16, 16, 16, 1)).astype(np.float32)
    return data.make_pair_dataset(data.corrupt_digits(targets, hole=6, seed=0), targets, 8, shuffle=False)


def test_changing_l1_weight_trains_anew_and_same_settings_resume(tmp_path):
    base, dataset, seed = tmp_path / "runs", _pairs_dataset(), {"seed": 0}
    first = _pix2pix()
    folder = run_identity.run_folder(base, first, dataset, seed)
    run = checkpoints.fit_resumable(first, dataset, folder, epochs=1, settings=seed)
    assert run["resumed_from"] is None and run["step"] == 2 and run["folder"] == folder
    assert folder.parent == base and len(folder.name) == run_identity.FINGERPRINT_LENGTH

    # The learner sets L1_WEIGHT = 10 and runs the cell again: another folder, a new run from step 0.
    other = _pix2pix(l1_weight=10.0)
    other_folder = run_identity.run_folder(base, other, dataset, seed)
    assert other_folder != folder
    other_run = checkpoints.fit_resumable(other, dataset, other_folder, epochs=2, settings=seed)
    assert other_run["resumed_from"] is None and other_run["step"] == 4  # trained, not restored
    assert run_identity.read_settings(other_folder)["l1_weight"] == 10.0
    assert checkpoints.latest_checkpoint(folder).name == "ckpt-00000002"  # the first run is kept

    # Back to λ = 100 (a new GAN object, as after a kernel restart): the first run resumes.
    again = _pix2pix()
    assert run_identity.run_folder(base, again, dataset, seed) == folder
    resumed = checkpoints.fit_resumable(again, dataset, folder, epochs=2, settings=seed)
    assert resumed["resumed_from"] == 2 and resumed["step"] == 4 and resumed["steps_this_run"] == 2


def test_a_changed_learning_rate_or_seed_gets_its_own_folder(real_images):
    dataset = data.make_image_dataset(real_images, BATCH, shuffle=False)
    folder = run_identity.run_folder("base", _gan(), dataset, {"seed": 0})
    assert run_identity.run_folder("base", _gan(), dataset, {"seed": 0}) == folder  # two builds agree
    assert run_identity.run_folder("base", _gan(g_lr=1e-4), dataset, {"seed": 0}) != folder
    assert run_identity.run_folder("base", _gan(d_lr=1e-4), dataset, {"seed": 0}) != folder
    assert run_identity.run_folder("base", _gan(label_smoothing=0.0), dataset, {"seed": 0}) != folder
    assert run_identity.run_folder("base", _gan(seed=1), dataset, {"seed": 0}) != folder  # weights' seed
    assert run_identity.run_folder("base", _gan(), dataset, {"seed": 1}) != folder  # the caller's settings
    larger_batches = data.make_image_dataset(real_images, 2 * BATCH, shuffle=False)
    assert run_identity.run_folder("base", _gan(), larger_batches, {"seed": 0}) != folder
    more_data = data.make_image_dataset(np.concatenate([real_images] * 2), BATCH, shuffle=False)
    assert run_identity.run_folder("base", _gan(), more_data, {"seed": 0}) != folder


def test_a_folder_with_a_run_of_other_settings_is_refused_in_one_line(real_images, tmp_path):
    dataset = data.make_image_dataset(real_images, BATCH, shuffle=False)
    checkpoints.fit_resumable(_gan(), dataset, tmp_path, epochs=1)
    before = checkpoints.latest_checkpoint(tmp_path)
    with pytest.raises(run_identity.OtherSettingsError) as raised:
        checkpoints.fit_resumable(_gan(g_lr=1e-4), dataset, tmp_path, epochs=2)
    message = str(raised.value)
    assert "\n" not in message and "fresh=True" in message
    assert "g_optimizer.learning_rate: 0.0005 there, 0.0001 here" in message
    assert checkpoints.latest_checkpoint(tmp_path) == before  # nothing resumed, nothing overwritten
    run = checkpoints.fit_resumable(_gan(g_lr=1e-4), dataset, tmp_path, epochs=1, fresh=True)
    assert run["resumed_from"] is None and run["step"] == 4
    assert run_identity.read_settings(tmp_path)["g_optimizer"]["learning_rate"] == pytest.approx(1e-4)


def test_a_run_without_recorded_settings_is_refused(tmp_path):
    checkpoints.save_checkpoint(_gan(), tmp_path, step=1, epoch=0)  # as made before settings were recorded
    with pytest.raises(run_identity.OtherSettingsError, match="not recorded.*fresh=True"):
        checkpoints.fit_resumable(_gan(), data.make_image_dataset(np.zeros((16, 28, 28), np.uint8), BATCH), tmp_path, epochs=1)


def test_first_difference_names_the_setting_and_both_values():
    assert run_identity.first_difference({"a": {"b": 1}}, {"a": {"b": 2}}) == "a.b: 1 there, 2 here"
    assert run_identity.first_difference({"a": [1, 2]}, {"a": [1, 2, 3]}) == "a: 2 entries there, 3 here"
    assert run_identity.first_difference({"a": 1}, {"a": 1, "c": 0}) == "c only here"
    assert run_identity.first_difference({"x": [1.0]}, {"x": [1.0]}) is None
    assert run_identity.fingerprint({"a": 1, "b": 2}) == run_identity.fingerprint({"b": 2, "a": 1})
