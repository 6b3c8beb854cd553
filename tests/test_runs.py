"""Tests of ganlib.runs: opening a run (resume or start), training it on a budget, its identity.

Every GAN here is the tiny recipe GAN (latent_dim 8, one hidden layer of 16 units) trained for a few steps
on 64 real digits in batches of 16, eagerly (tracing a train function costs seconds).
"""

import types

import keras
import numpy as np
import pytest

from ganlib import callbacks, checkpoints, clock, data, recipes, runs
from ganlib.runs import identity

BATCH = 16
TINY = {"latent_dim": 8, "g_hidden": (16,), "d_hidden": (16,)}


@pytest.fixture(scope="module")
def real_images(mnist):
    """64 real digits as float32 ``(64, 28, 28, 1)`` in [-1, 1]."""
    return data.as_model_input(mnist[0][:64])


def _dataset(images):
    """Batches in a fixed order (no shuffling), repeated: the same steps see the same digits in every run."""
    return data.make_image_dataset(images, BATCH, shuffle=False).repeat()


def _gan(seed=0, **overrides):
    gan = recipes.build_mlp_gan(seed=seed, **{**TINY, **overrides})
    gan.run_eagerly = True
    return gan


def _all_variables(gan):
    """Every variable a checkpoint must bring back, in a fixed order."""
    variables = list(gan.generator.variables) + list(gan.discriminator.variables)
    variables += list(gan.g_optimizer.variables) + list(gan.d_optimizer.variables) + [gan.seed_generator.state]
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _assert_same(first, second):
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def _scrambled(gan):
    """``gan`` with every weight and its noise state moved: what a resume restores must come from the file."""
    for variable in gan.generator.variables + gan.discriminator.variables:
        if "float" in str(variable.dtype):
            variable.assign(variable + 0.5)
    gan.seed_generator.state.assign(gan.seed_generator.state + 7)
    return gan


class _Interrupt(keras.callbacks.Callback):
    """Press Ctrl-C when the model reaches ``step``."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if self.model.step == self.step:
            raise KeyboardInterrupt


# ------------------------------------------------------------------------------------ resuming


def test_interrupted_and_resumed_run_equals_an_uninterrupted_one(real_images, tmp_path, capsys):
    dataset = _dataset(real_images)
    straight = _gan(seed=0)
    straight.fit(dataset, steps_per_epoch=5, epochs=1, verbose=0)

    first = _gan(seed=0)
    history, grid = callbacks.StepHistory(), callbacks.SampleGrid(n=4)
    run = runs.open_run(tmp_path, first, dataset)
    assert "No checkpoint" in capsys.readouterr().out and run.resumed_from is None
    result = runs.train(run, steps=3, callbacks=[history, grid])
    assert result == {"step": 3, "steps_this_run": 3, "elapsed": first.clock.seconds, "complete": False}
    assert [p.name for p in tmp_path.glob("ckpt-*")] == ["ckpt-00000003"]  # saved once: when training ended

    # A new process: a fresh GAN and fresh callbacks, restored from the folder. The GAN's weights and noise
    # state are moved on purpose: every weight, optimizer moment and random state must come from the file.
    resumed = _scrambled(_gan(seed=0))
    history2, grid2 = callbacks.StepHistory(), callbacks.SampleGrid(n=4, seed=9)
    run2 = runs.open_run(tmp_path, resumed, dataset.skip(3))  # the data carries on where it was
    assert f"Resuming from step 3 of {tmp_path / 'ckpt-00000003'}" in capsys.readouterr().out
    assert run2.resumed_from == 3 and resumed.step == 3
    # the clock is restored too: to its reading when the last checkpoint was saved
    assert resumed.clock.seconds == run2.saved["elapsed_seconds"] and 0 < resumed.clock.seconds <= first.clock.seconds
    restored_seconds = resumed.clock.seconds
    result = runs.train(run2, steps=5, callbacks=[history2, grid2])
    np.testing.assert_array_equal(grid2.fixed_inputs, grid.fixed_inputs)  # the same noise, not seed 9's
    assert result["step"] == 5 and result["steps_this_run"] == 2
    assert int(resumed.d_optimizer.iterations) == 5
    assert history2.history["g_loss"][:3] == history.history["g_loss"] and len(history2.history["g_loss"]) == 5
    assert checkpoints.latest_checkpoint(tmp_path).name == "ckpt-00000005"
    # the clock carried on from its restored reading (not from 0); comparing it with the first run's final
    # reading would race: that one also counts the first run's last save, which 2 steps need not outlast
    assert resumed.clock.seconds > restored_seconds
    # Same weights, optimizer state and noise state as 5 uninterrupted steps: the whole state was restored.
    # Exact equality holds on CPU (same ops, same order); it is the strongest check that nothing was missed.
    _assert_same(_all_variables(resumed), _all_variables(straight))


def test_a_resumed_run_gets_back_its_history_and_quality_curve(real_images, tmp_path, monkeypatch, capsys):
    from ganlib import metrics

    fids = iter([30.0, 20.0, 10.0, 5.0])
    monkeypatch.setattr(
        metrics, "evaluate_generator", lambda *a, **k: {"fid": next(fids), "confidence": 0.5, "min_share": 0.1}
    )
    dataset = _dataset(real_images)
    history = callbacks.StepHistory()
    quality = callbacks.QualityLog(judge=None, real_images=None, every_n_steps=2)
    runs.train(runs.open_run(tmp_path, _gan(), dataset), steps=4, callbacks=[history, quality])
    assert quality.quality["step"] == [2.0, 4.0] and quality.quality["fid"] == [30.0, 20.0]

    history2 = callbacks.StepHistory()
    quality2 = callbacks.QualityLog(judge=None, real_images=None, every_n_steps=2)
    run = runs.open_run(tmp_path, _gan(), dataset)
    runs.train(run, steps=6, callbacks=[history2, quality2])
    assert quality2.quality["step"] == [2.0, 4.0, 6.0] and quality2.quality["fid"] == [30.0, 20.0, 10.0]
    assert history2.history["d_loss"][:4] == history.history["d_loss"] and len(history2.history["d_loss"]) == 6
    # Training the same run again with the same callbacks carries on; nothing is handed back twice.
    runs.train(run, steps=8, callbacks=[history2, quality2])
    assert quality2.quality["step"] == [2.0, 4.0, 6.0, 8.0] and len(history2.history["d_loss"]) == 8
    meta = checkpoints.restore_checkpoint(_gan(), tmp_path)
    assert meta["quality"] == quality2.quality and meta["history"] == history2.history


def test_an_interrupt_saves_and_the_next_open_resumes(real_images, tmp_path, capsys):
    dataset = _dataset(real_images)
    gan, history = _gan(), callbacks.StepHistory()
    run = runs.open_run(tmp_path, gan, dataset)
    with pytest.raises(KeyboardInterrupt):
        runs.train(run, steps=10, callbacks=[history, _Interrupt(3)])
    assert "Interrupted at step 3" in capsys.readouterr().out
    assert checkpoints.latest_checkpoint(tmp_path).name == "ckpt-00000003"
    assert run.saved["history"] == history.history and len(history.history["d_loss"]) == 3
    again = runs.open_run(tmp_path, _gan(), dataset)
    assert again.resumed_from == 3 and "Resuming from step 3" in capsys.readouterr().out


def test_a_time_budget_counts_the_whole_run(real_images, tmp_path, capsys):
    dataset = _dataset(real_images)
    gan = _gan()
    run = runs.open_run(tmp_path, gan, dataset)
    gan.clock.set(120.0)  # as if two minutes of this run had been trained already
    result = runs.train(run, minutes=1)
    assert result["complete"] and result["steps_this_run"] == 0
    assert "Nothing left to train: this run already has 0 steps and 120 s" in capsys.readouterr().out
    result = runs.train(run, minutes=2.001)  # a budget it reaches after a step or more
    assert not result["complete"] and result["steps_this_run"] >= 1 and gan.clock.seconds >= 120.06
    assert len(run.saved["history"]["d_loss"]) == gan.step  # kept without a StepHistory of the caller's
    with pytest.raises(ValueError, match="exactly one of `minutes` and `steps`"):
        runs.train(run)
    with pytest.raises(ValueError, match="minutes"):
        runs.train(run, minutes=0)


def test_saves_are_scheduled_on_the_models_clock_and_step(tmp_path, mnist, monkeypatch):
    # A fake clock that reads 10 s per training step: with every_seconds=25 a save falls due every third
    # step (30 s after the last one), whatever the epoch boundaries (every 4 steps here) are.
    now = {"seconds": 0.0}
    monkeypatch.setattr(clock, "time", types.SimpleNamespace(perf_counter=lambda: now["seconds"]))

    class Tick(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            now["seconds"] += 10.0

    gan = _gan()
    dataset = data.make_image_dataset(mnist[0][:64], 16, shuffle=False)  # 4 steps per epoch
    saved = []
    checkpoint = callbacks.Checkpoint(tmp_path, every_seconds=25)
    original = checkpoint.save

    def counting_save(model=None):
        saved.append(gan.step)
        return original(model)

    checkpoint.save = counting_save
    gan.fit(dataset, epochs=3, verbose=0, callbacks=[Tick(), checkpoint])
    assert saved == [3, 6, 9, 12]  # step 12 is also the end of training: not saved twice
    assert gan.clock.seconds == 120.0
    saved.clear()
    checkpoint.every_seconds, checkpoint.every_n_steps = 0.0, 5
    gan.fit(dataset, epochs=1, verbose=0, callbacks=[Tick(), checkpoint])
    assert saved == [15, 16]  # when the model's step is a multiple of 5, then the end of training


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
    folder = runs.run_folder(base, first, dataset, seed)
    run = runs.open_run(folder, first, dataset, settings=seed)
    assert run.resumed_from is None and runs.train(run, steps=2)["step"] == 2 and run.folder == folder
    assert folder.parent == base and len(folder.name) == identity.FINGERPRINT_LENGTH

    # The learner sets L1_WEIGHT = 10 and runs the cell again: another folder, a new run from step 0.
    other = _pix2pix(l1_weight=10.0)
    other_folder = runs.run_folder(base, other, dataset, seed)
    assert other_folder != folder
    other_run = runs.open_run(other_folder, other, dataset, settings=seed)
    assert other_run.resumed_from is None and runs.train(other_run, steps=4)["step"] == 4  # trained, not restored
    assert runs.read_settings(other_folder)["l1_weight"] == 10.0
    assert checkpoints.latest_checkpoint(folder).name == "ckpt-00000002"  # the first run is kept

    # Back to λ = 100 (a new GAN object, as after a kernel restart): the first run resumes.
    again = _pix2pix()
    assert runs.run_folder(base, again, dataset, seed) == folder
    resumed = runs.open_run(folder, again, dataset, settings=seed)
    assert resumed.resumed_from == 2 and runs.train(resumed, steps=4) == {
        "step": 4, "steps_this_run": 2, "elapsed": again.clock.seconds, "complete": False
    }


def test_a_changed_learning_rate_or_seed_gets_its_own_folder(real_images):
    dataset = data.make_image_dataset(real_images, BATCH, shuffle=False)
    folder = runs.run_folder("base", _gan(), dataset, {"seed": 0})
    assert runs.run_folder("base", _gan(), dataset, {"seed": 0}) == folder  # two builds agree
    assert runs.run_folder("base", _gan(g_lr=1e-4), dataset, {"seed": 0}) != folder
    assert runs.run_folder("base", _gan(d_lr=1e-4), dataset, {"seed": 0}) != folder
    assert runs.run_folder("base", _gan(label_smoothing=0.0), dataset, {"seed": 0}) != folder
    assert runs.run_folder("base", _gan(seed=1), dataset, {"seed": 0}) != folder  # weights' seed
    assert runs.run_folder("base", _gan(), dataset, {"seed": 1}) != folder  # the caller's settings
    larger_batches = data.make_image_dataset(real_images, 2 * BATCH, shuffle=False)
    assert runs.run_folder("base", _gan(), larger_batches, {"seed": 0}) != folder
    more_data = data.make_image_dataset(np.concatenate([real_images] * 2), BATCH, shuffle=False)
    assert runs.run_folder("base", _gan(), more_data, {"seed": 0}) != folder


def test_a_folder_with_a_run_of_other_settings_is_refused_in_one_line(real_images, tmp_path):
    dataset = data.make_image_dataset(real_images, BATCH, shuffle=False)
    runs.train(runs.open_run(tmp_path, _gan(), dataset), steps=4)
    before = checkpoints.latest_checkpoint(tmp_path)
    with pytest.raises(runs.OtherSettingsError) as raised:
        runs.open_run(tmp_path, _gan(g_lr=1e-4), dataset)
    message = str(raised.value)
    assert "\n" not in message and "fresh=True" in message
    assert "g_optimizer.learning_rate: 0.0005 there, 0.0001 here" in message
    assert checkpoints.latest_checkpoint(tmp_path) == before  # nothing resumed, nothing overwritten
    run = runs.open_run(tmp_path, _gan(g_lr=1e-4), dataset, fresh=True)
    assert run.resumed_from is None and runs.train(run, steps=4)["step"] == 4
    assert runs.read_settings(tmp_path)["g_optimizer"]["learning_rate"] == pytest.approx(1e-4)


def test_a_run_without_recorded_settings_is_refused(tmp_path):
    checkpoints.save_checkpoint(_gan(), tmp_path)  # as made before settings were recorded
    with pytest.raises(runs.OtherSettingsError, match="not recorded.*fresh=True"):
        runs.open_run(tmp_path, _gan(), data.make_image_dataset(np.zeros((16, 28, 28), np.uint8), BATCH))


def test_first_difference_names_the_setting_and_both_values():
    assert runs.first_difference({"a": {"b": 1}}, {"a": {"b": 2}}) == "a.b: 1 there, 2 here"
    assert runs.first_difference({"a": [1, 2]}, {"a": [1, 2, 3]}) == "a: 2 entries there, 3 here"
    assert runs.first_difference({"a": 1}, {"a": 1, "c": 0}) == "c only here"
    assert runs.first_difference({"x": [1.0]}, {"x": [1.0]}) is None
    assert runs.fingerprint({"a": 1, "b": 2}) == runs.fingerprint({"b": 2, "a": 1})
