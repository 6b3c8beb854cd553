"""Tests of ganlib.checkpoints: a full round trip of a run's state, resuming, atomicity, pruning, mismatches.

Every GAN here is the tiny recipe GAN (latent_dim 8, one hidden layer of 16 units) trained for a few steps
on 64 real digits in batches of 16. Most run eagerly (tracing a train function costs seconds); one test
checks restoring into a GAN whose train function is already compiled.
"""


import keras
import numpy as np
import pytest

from ganlib import callbacks, checkpoints, data, models, recipes, storage, training

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


def _at_step(gan, step):
    """``gan`` as if it had trained ``step`` steps (the step is the generator optimizer's update count)."""
    gan.g_optimizer.iterations.assign(step)
    return gan


def _fit(gan, dataset, steps, callbacks_=()):
    gan.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=list(callbacks_))


# ------------------------------------------------------------------------------------ round trip


def test_round_trip_restores_every_variable_and_the_metadata(real_images, tmp_path):
    gan = _gan(seed=0)
    history, grid = callbacks.StepHistory(), callbacks.SampleGrid(n=4)
    _fit(gan, _dataset(real_images), 3, [history, grid])
    gan.clock.set(12.5)
    path = checkpoints.save_checkpoint(
        gan, tmp_path, records={"history": history.history}, arrays={"fixed_inputs": grid.fixed_inputs}
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
    assert meta["step"] == 3 and meta["elapsed_seconds"] == 12.5 and fresh.clock.seconds == 12.5
    assert meta["history"] == history.history and len(meta["history"]["d_loss"]) == 3
    np.testing.assert_array_equal(meta["fixed_inputs"], grid.fixed_inputs)
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
    checkpoints.save_checkpoint(gan, tmp_path)
    fresh = _ema_gan(seed=5)
    checkpoints.restore_checkpoint(fresh, tmp_path)
    _assert_same(_all_variables(fresh), _all_variables(gan))
    assert float(fresh.ema_updates) == 2.0
    # generator.keras holds the averaged generator (gan.sampler), which differs from the trained one.
    loaded = _values(storage.load_model(tmp_path / "generator.keras").weights)
    _assert_same(loaded, _values(gan.ema_generator.weights))
    assert not all(np.array_equal(a, b) for a, b in zip(loaded, _values(gan.generator.weights), strict=True))


# ------------------------------------------------------------------------------------ resuming


def test_restoring_into_a_gan_with_a_compiled_train_function(real_images, tmp_path):
    # Graph mode: fit compiles gan.train_function once. Restoring assigns the variables in place, so the
    # compiled function must see the restored values without being rebuilt.
    gan = _gan(seed=0, eager=False)
    dataset = _dataset(real_images)
    _fit(gan, dataset, 2)
    compiled = gan.train_function
    checkpoints.save_checkpoint(gan, tmp_path)
    _fit(gan, dataset, 2)  # a new iterator: the same 2 batches as in the first run
    after_first_try = _all_variables(gan)
    checkpoints.restore_checkpoint(gan, tmp_path)  # back to step 2 ...
    assert int(gan.g_optimizer.iterations) == 2
    _fit(gan, dataset, 2)  # ... and the same 2 steps again
    assert gan.train_function is compiled
    _assert_same(_all_variables(gan), after_first_try)


# ------------------------------------------------------------------------------------ files on disk


def test_interrupted_saves_are_ignored(tmp_path):
    gan = _at_step(_gan(), 2)
    checkpoints.save_checkpoint(gan, tmp_path)
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
    checkpoints.save_checkpoint(_at_step(gan, 4), tmp_path)
    assert not leftover.exists()
    assert checkpoints.latest_checkpoint(tmp_path) == tmp_path / "ckpt-00000004"


def test_keep_two_prunes_older_checkpoints(real_images, tmp_path):
    gan = _gan()
    saver = callbacks.Checkpoint(tmp_path, every_seconds=0, every_n_steps=1, keep=2)
    _fit(gan, _dataset(real_images), 3, [saver])
    assert sorted(p.name for p in tmp_path.glob("ckpt-*")) == ["ckpt-00000002", "ckpt-00000003"]
    assert (tmp_path / "latest").read_text().strip() == "ckpt-00000003"
    assert not list(tmp_path.glob(".tmp*"))
    # Saving the same step again (e.g. a final save) replaces it cleanly.
    checkpoints.save_checkpoint(gan, tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.glob("ckpt-*")) == ["ckpt-00000002", "ckpt-00000003"]


def test_different_model_raises_and_changes_nothing(tmp_path):
    checkpoints.save_checkpoint(_at_step(_gan(), 1), tmp_path)
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
        callbacks.Checkpoint(tmp_path, keep=0)
    with pytest.raises(ValueError, match="every_n_steps"):
        callbacks.Checkpoint(tmp_path, every_n_steps=-1)
    with pytest.raises(ValueError, match="every_seconds"):
        callbacks.Checkpoint(tmp_path, every_seconds=-1)
    with pytest.raises(ValueError, match="keep"):
        checkpoints.save_checkpoint(_gan(), tmp_path, keep=0)


def test_no_checkpoint_is_no_checkpoint(tmp_path):
    assert checkpoints.latest_checkpoint(tmp_path / "missing") is None
    assert checkpoints.restore_latest(_gan(), tmp_path) is None
    with pytest.raises(FileNotFoundError, match="No complete checkpoint"):
        checkpoints.restore_checkpoint(_gan(), tmp_path)


# ------------------------------------------------------------------------------------ damaged checkpoints


def _two_checkpoints(folder):
    """A run folder with intact checkpoints at steps 2 and 4 (``latest`` names step 4)."""
    gan = _gan()
    checkpoints.save_checkpoint(_at_step(gan, 2), folder, records={"history": {"d_loss": [1.0, 2.0]}})
    checkpoints.save_checkpoint(_at_step(gan, 4), folder, records={"history": {"d_loss": [1.0, 2.0, 3.0, 4.0]}})
    return folder / "ckpt-00000004"


def _truncate(path, keep):
    """Keep the first ``keep`` bytes of ``path`` (all but the last ``-keep`` when negative)."""
    path.write_bytes(path.read_bytes()[:keep])


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda ckpt: _truncate(ckpt / "state.npz", 1000), "state.npz: File is not a zip file"),
        (lambda ckpt: _truncate(ckpt / "meta.json", -20), "meta.json: Unterminated string"),
    ],
)
def test_a_damaged_latest_checkpoint_resumes_from_the_one_before(tmp_path, capsys, damage, reason):
    damage(_two_checkpoints(tmp_path))
    restored = _gan(seed=1)
    meta = checkpoints.restore_latest(restored, tmp_path)
    assert meta["step"] == 2 and restored.step == 2 and meta["history"] == {"d_loss": [1.0, 2.0]}
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Skipping the damaged checkpoint ckpt-00000004 (" + reason)
    assert lines[0].endswith("; resuming from ckpt-00000002")
    # moved aside, so the next save does not count it and the next resume does not try it again
    assert (tmp_path / "damaged-ckpt-00000004").is_dir() and not (tmp_path / "ckpt-00000004").exists()
    assert checkpoints.latest_checkpoint(tmp_path).name == "ckpt-00000002"


def test_when_no_checkpoint_is_intact_the_run_starts_over(tmp_path, capsys):
    _truncate(_two_checkpoints(tmp_path) / "state.npz", 1000)
    _truncate(tmp_path / "ckpt-00000002" / "state.npz", 1000)
    gan = _gan()
    before = _all_variables(gan)
    assert checkpoints.restore_latest(gan, tmp_path) is None
    _assert_same(_all_variables(gan), before)  # nothing assigned
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "ckpt-00000004 (state.npz" in out and "ckpt-00000002 (state.npz" in out
    assert out.strip().endswith("no intact checkpoint is left: starting over")


def test_a_checkpoint_of_another_model_is_not_skipped_as_damaged(tmp_path):
    _two_checkpoints(tmp_path)
    with pytest.raises(ValueError, match="different model"):
        checkpoints.restore_latest(_gan(g_hidden=(32,)), tmp_path)
    assert checkpoints.latest_checkpoint(tmp_path).name == "ckpt-00000004"  # left where it was
