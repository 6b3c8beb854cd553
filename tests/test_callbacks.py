"""Tests of ganlib.callbacks on a tiny GAN (latent_dim 8, 16 hidden units) trained for a few steps.

The GANs run eagerly (``run_eagerly=True``): the callbacks are what is under test, and skipping graph
tracing keeps each fit well under a second on a CPU.
"""

import contextlib
import io

import keras
import numpy as np
import pytest

from ganlib import callbacks, data, models, training

BATCH = 16


@pytest.fixture(scope="module")
def dataset(mnist):
    return data.make_image_dataset(mnist[0][:64], BATCH, seed=0).repeat()


def _tiny_gan(seed=0):
    generator = models.build_mlp_generator(8, (16,), seed=seed)
    discriminator = models.build_mlp_discriminator(hidden_units=(16,), seed=seed + 1)
    gan = training.GAN(generator, discriminator, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        run_eagerly=True,
    )
    return gan


class FakeOutput:
    """Stands in for ``ipywidgets.Output``: a context manager that captures what is displayed inside it."""

    def __init__(self):
        self.clears = 0
        self.text = io.StringIO()
        self._redirect = None

    def clear_output(self, wait=False):
        self.clears += 1

    def __enter__(self):
        self._redirect = contextlib.redirect_stdout(self.text)
        self._redirect.__enter__()
        return self

    def __exit__(self, *exc):
        return self._redirect.__exit__(*exc)


# ------------------------------------------------------------------------------------ StepHistory


def test_step_history_appends_each_steps_values():
    history = callbacks.StepHistory()
    for batch, value in enumerate([2.0, 4.0, 6.0]):
        history.on_train_batch_end(batch, {"d_loss": value, "g_loss": 1.0})
    history.on_epoch_begin(1)  # epochs change nothing: each value is one step's own
    history.on_train_batch_end(0, {"d_loss": 10.0, "g_loss": 1.0})
    assert history.history == {"d_loss": [2.0, 4.0, 6.0, 10.0], "g_loss": [1.0, 1.0, 1.0, 1.0]}


def test_step_history_holds_the_values_whose_means_keras_reports(dataset):
    gan = _tiny_gan()
    history, epoch_logs = callbacks.StepHistory(), keras.callbacks.History()
    gan.fit(dataset, steps_per_epoch=3, epochs=2, verbose=0, callbacks=[history, epoch_logs])
    assert gan.step == 6
    assert set(history.history) == set(training.METRIC_NAMES)
    for key in training.METRIC_NAMES:
        steps = np.array(history.history[key]).reshape(2, 3)
        # Keras' epoch logs are the trackers' means of the values train_step returned
        np.testing.assert_allclose(steps.mean(axis=1), epoch_logs.history[key], rtol=1e-5, atol=1e-6)
    d_real = np.array(history.history["d_real"])
    assert ((d_real > -1e-4) & (d_real < 1 + 1e-4)).all()


def test_step_history_with_steps_per_execution_holds_every_kth_step(mnist):
    # steps_per_execution=2: Keras calls back once per 2 steps, with the second step's values.
    images = data.make_image_dataset(mnist[0][:64], BATCH, shuffle=False).repeat()
    every, each = _tiny_gan(), _tiny_gan()
    every.compile(every.d_optimizer, every.g_optimizer, steps_per_execution=2, run_eagerly=True)
    every_history, each_history = callbacks.StepHistory(), callbacks.StepHistory()
    every.fit(images, steps_per_epoch=4, epochs=1, verbose=0, callbacks=[every_history])
    each.fit(images, steps_per_epoch=4, epochs=1, verbose=0, callbacks=[each_history])
    assert every.step == each.step == 4
    np.testing.assert_allclose(every_history.history["d_loss"], each_history.history["d_loss"][1::2], rtol=1e-5)


def test_step_history_continues_across_fit_calls(dataset):
    gan = _tiny_gan()
    history = callbacks.StepHistory()
    gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[history])
    first = list(history.history["d_loss"])
    gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0, callbacks=[history])
    assert gan.step == 5
    assert len(history.history["d_loss"]) == 5
    assert history.history["d_loss"][:2] == first


# ------------------------------------------------------------------------------------ SampleGrid


def test_sample_grid_keeps_fixed_noise_and_records_frames(dataset):
    gan = _tiny_gan()
    grid = callbacks.SampleGrid(n=4, seed=1, every_n_steps=2)
    gan.fit(dataset, steps_per_epoch=2, epochs=2, verbose=0, callbacks=[grid])
    noise = grid.fixed_inputs.copy()
    assert noise.shape == (4, 8)
    gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[grid])
    np.testing.assert_array_equal(grid.fixed_inputs, noise)
    assert [step for step, _ in grid.frames] == [2, 4, 6]
    for _, mosaic in grid.frames:
        assert mosaic.dtype == np.uint8
        assert mosaic.shape == (2 * 28 + 1, 2 * 28 + 1)  # 4 digits, 2×2 with 1 pixel of padding
    assert not np.array_equal(grid.frames[0][1], grid.frames[-1][1])  # training changed the generator
    # the same noise through the same generator gives the same grid
    np.testing.assert_array_equal(grid.capture(), grid.capture())


def test_sample_grid_every_n_steps_without_duplicates(dataset):
    gan = _tiny_gan()
    every_step = callbacks.SampleGrid(n=2, every_n_steps=1)
    every_third = callbacks.SampleGrid(n=2, every_n_steps=3)
    gan.fit(dataset, steps_per_epoch=2, epochs=2, verbose=0, callbacks=[every_step, every_third])
    assert [step for step, _ in every_step.frames] == [1, 2, 3, 4]  # the end of training: no second frame
    assert [step for step, _ in every_third.frames] == [3, 4]  # step 3, then the end of training


def test_periodic_callbacks_ignore_epoch_boundaries(dataset, monkeypatch):
    # 5,000 or 60,000 digits change the length of an epoch, not when grids and FID points come.
    from ganlib import metrics

    monkeypatch.setattr(
        metrics, "evaluate_generator",
        lambda *args, **kwargs: {"fid": 1.0, "confidence": 0.5, "min_share": 0.1},
    )
    found = []
    for steps_per_epoch, epochs in ((1, 6), (6, 1), (4, 2)):
        gan = _tiny_gan()
        grid = callbacks.SampleGrid(n=2, every_n_steps=2)
        quality = callbacks.QualityLog(judge=None, real_images=None, every_n_steps=4)
        gan.fit(dataset, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=0, callbacks=[grid, quality])
        found.append(([step for step, _ in grid.frames], quality.quality["step"]))
    assert found[0] == found[1] == ([2, 4, 6], [4.0, 6.0])  # FID at step 4, and when training ends
    assert found[2] == ([2, 4, 6, 8], [4.0, 8.0])
    with pytest.raises(ValueError, match="every_n_steps"):
        callbacks.SampleGrid(every_n_steps=0)
    with pytest.raises(ValueError, match="every_n_steps"):
        callbacks.QualityLog(None, None, every_n_steps=0)


def test_quality_log_scores_against_at_most_max_real_digits():
    reals = np.arange(60_000)
    assert len(callbacks.QualityLog(None, reals).real_images) == 5000  # every 12th of 60,000
    assert callbacks.QualityLog(None, reals[:5000]).real_images is not None
    assert len(callbacks.QualityLog(None, reals[:5000]).real_images) == 5000  # 5,000: all of them
    assert callbacks.QualityLog(None, reals[:10], max_real=4).real_images.tolist() == [0, 3, 6, 9]


def test_quality_log_counts_steps_of_the_generator_across_a_resume(dataset, monkeypatch):
    from ganlib import metrics

    monkeypatch.setattr(
        metrics, "evaluate_generator",
        lambda *args, **kwargs: {"fid": 2.0, "confidence": 0.5, "min_share": 0.1},
    )
    gan = _tiny_gan()
    gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0)  # as if restored at step 3
    quality = callbacks.QualityLog(judge=None, real_images=None, every_n_steps=4)
    gan.fit(dataset, steps_per_epoch=6, epochs=1, verbose=0, callbacks=[quality])
    assert quality.quality["step"] == [4.0, 8.0] and quality.quality["fid"] == [2.0, 2.0]  # 9: too close to 8
    gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[quality])
    assert quality.quality["step"] == [4.0, 8.0, 11.0]  # the end of training, half a period after step 8


def test_sample_grid_writes_pngs(dataset, tmp_path):
    from PIL import Image

    gan = _tiny_gan()
    folder = tmp_path / "grids"
    grid = callbacks.SampleGrid(n=4, folder=folder, every_n_steps=2)
    gan.fit(dataset, steps_per_epoch=2, epochs=2, verbose=0, callbacks=[grid])
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["samples_000002.png", "samples_000004.png"]
    with Image.open(folder / files[-1]) as image:
        np.testing.assert_array_equal(np.asarray(image), grid.frames[-1][1])


def test_sample_grid_without_folder_writes_nothing(dataset, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gan = _tiny_gan()
    grid = callbacks.SampleGrid(n=4, folder=None)
    gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[grid])
    assert len(grid.frames) == 1
    assert list(tmp_path.iterdir()) == []


def test_sample_grid_captures_the_last_step(dataset):
    gan = _tiny_gan()
    grid = callbacks.SampleGrid(n=2, every_n_steps=2)
    gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0, callbacks=[grid])
    assert [step for step, _ in grid.frames] == [2, 3]  # step 3 taken when training ends


def test_gif_recorder_writes_a_gif(dataset, tmp_path):
    from PIL import Image

    gan = _tiny_gan()
    path = tmp_path / "progress.gif"
    recorder = callbacks.GifRecorder(path=path, n=4, every_n_steps=1)
    gan.fit(dataset, steps_per_epoch=1, epochs=3, verbose=0, callbacks=[recorder])
    assert len(recorder.frames) == 3
    with Image.open(path) as gif:
        assert gif.n_frames == 3


def test_sample_grid_bad_n_raises():
    with pytest.raises(ValueError, match="n"):
        callbacks.SampleGrid(n=0)


# ------------------------------------------------------------------------------------ LiveDashboard


def test_live_dashboard_draws_into_output(dataset):
    gan = _tiny_gan()
    out = FakeOutput()
    dashboard = callbacks.LiveDashboard(
        out=out, every_n_steps=1, min_interval=0.0, n_samples=4, smooth=2, max_overhead=1.0
    )
    gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0, callbacks=[dashboard])
    assert dashboard.redraws == 4  # after each of the 3 steps, and once more when training ends
    assert out.clears == 4
    assert "Image" in out.text.getvalue()  # what IPython's display printed, captured inside `out`
    assert len(dashboard.history["d_loss"]) == 3 and gan.step == 3
    assert dashboard.fixed_inputs.shape == (4, 8)


def test_live_dashboard_respects_min_interval(dataset):
    gan = _tiny_gan()
    out = FakeOutput()
    dashboard = callbacks.LiveDashboard(out=out, every_n_steps=1, min_interval=1e9, n_samples=4)
    gan.fit(dataset, steps_per_epoch=5, epochs=1, verbose=0, callbacks=[dashboard])
    # The first due step draws (nothing has been shown yet); then the interval forbids any redraw until
    # the final one when training ends.
    assert dashboard.redraws == 2


def test_live_dashboard_spaces_redraws_to_bound_its_overhead(dataset):
    gan = _tiny_gan()
    dashboard = callbacks.LiveDashboard(
        out=FakeOutput(), every_n_steps=1, min_interval=0.0, n_samples=4, max_overhead=0.001
    )
    clock = {"seconds": 0.0}

    def fake_clock():  # every reading 1 s later: a drawing costs 1 s, so the next waits 999 s of readings
        clock["seconds"] += 1.0
        return clock["seconds"]

    dashboard.pacing.clock = fake_clock
    gan.fit(dataset, steps_per_epoch=6, epochs=1, verbose=0, callbacks=[dashboard])
    # after the first drawing, the next must wait ~1000× its cost: only the final redraw comes
    assert dashboard.redraws == 2
    assert dashboard.draw_seconds == 2.0
    with pytest.raises(ValueError, match="max_overhead"):
        callbacks.LiveDashboard(max_overhead=0.0)


def test_redraw_pacing_waits_in_proportion_to_the_drawing_cost():
    from ganlib.callbacks._redraw_pacing import RedrawPacing

    now = {"seconds": 100.0}
    pacing = RedrawPacing(min_interval=1.0, max_overhead=0.2, clock=lambda: now["seconds"])
    assert pacing.due()  # nothing drawn yet
    now["seconds"] = 102.0
    pacing.drawn(began=100.0)  # a 2-s drawing: the next waits max(1, 2 · 0.8 / 0.2) = 8 s, until 110
    now["seconds"] = 109.9
    assert not pacing.due()
    now["seconds"] = 110.0
    assert pacing.due()
    pacing.drawn(began=109.95)  # a 0.05-s drawing: 0.2 s by the overhead, so the interval's 1 s rules
    now["seconds"] = 110.9
    assert not pacing.due()
    now["seconds"] = 111.0
    assert pacing.due()
    assert pacing.redraws == 2 and pacing.draw_seconds == pytest.approx(2.05)


def test_live_dashboard_waits_for_every_n_steps(dataset):
    gan = _tiny_gan()
    out = FakeOutput()
    dashboard = callbacks.LiveDashboard(out=out, every_n_steps=50, min_interval=0.0, n_samples=4)
    gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0, callbacks=[dashboard])
    assert dashboard.redraws == 1  # only the final redraw
    assert len(dashboard.history["g_loss"]) == 3


def test_live_dashboard_outside_notebook_only_records(dataset, capsys):
    gan = _tiny_gan()
    dashboard = callbacks.LiveDashboard(out=None, every_n_steps=1, min_interval=0.0, n_samples=4)
    gan.fit(dataset, steps_per_epoch=3, epochs=1, verbose=0, callbacks=[dashboard])
    assert dashboard.redraws == 0
    assert len(dashboard.history["d_loss"]) == 3
    assert "Image" not in capsys.readouterr().out


def test_live_dashboard_figure(dataset):
    from matplotlib.figure import Figure

    gan = _tiny_gan()
    dashboard = callbacks.LiveDashboard(out=None, n_samples=4)
    gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[dashboard])
    fig = dashboard.figure()
    assert isinstance(fig, Figure)
    assert fig._suptitle.get_text() == "step 2"


@pytest.mark.parametrize("kwargs", [{"every_n_steps": 0}, {"n_samples": -1}])
def test_live_dashboard_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        callbacks.LiveDashboard(**kwargs)


# ------------------------------------------------------------------------------------ TimeBudget


def test_time_budget_stops_training(dataset):
    gan = _tiny_gan()
    budget, history = callbacks.TimeBudget(seconds=1.0), callbacks.StepHistory()
    requested = 10**6
    gan.fit(dataset, steps_per_epoch=requested, epochs=1, verbose=0, callbacks=[budget, history])
    assert budget.stopped is True
    assert 1 <= gan.step < requested and len(history.history["d_loss"]) == gan.step
    assert gan.clock.seconds >= budget.seconds and not gan.clock.running


def test_time_budget_counts_time_already_used(dataset):
    gan = _tiny_gan()
    gan.clock.set(5.0)  # as restored from a checkpoint of a run that trained for 5 s
    budget = callbacks.TimeBudget(seconds=1.0)
    gan.fit(dataset, steps_per_epoch=100, epochs=1, verbose=0, callbacks=[budget])
    assert budget.stopped is True
    assert gan.step == 1  # the budget was spent before training began: one step, then stop


def test_time_budget_not_reached(dataset):
    gan = _tiny_gan()
    budget = callbacks.TimeBudget(seconds=1e6)
    gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[budget])
    assert budget.stopped is False
    assert int(gan.g_optimizer.iterations) == 2


@pytest.mark.parametrize("seconds", [0, -1.0])
def test_time_budget_needs_positive_seconds(seconds):
    with pytest.raises(ValueError, match="seconds"):
        callbacks.TimeBudget(seconds=seconds)


# ------------------------------------------------------------------------------------ ProgressBar


@pytest.mark.parametrize("kwargs", [{}, {"total_steps": 10, "total_seconds": 5.0}])
def test_progress_bar_needs_exactly_one_length(kwargs):
    with pytest.raises(ValueError, match="exactly one"):
        callbacks.ProgressBar(**kwargs)


def test_progress_bar_over_steps(dataset, capsys):
    gan = _tiny_gan()
    bar = callbacks.ProgressBar(total_steps=4, every_n_steps=2)
    gan.fit(dataset, steps_per_epoch=4, epochs=1, verbose=0, callbacks=[bar])
    assert bar.bar.target == 4
    assert bar.bar._seen_so_far == 4
    assert "d_loss" in capsys.readouterr().out


def test_progress_bar_over_seconds():
    bar = callbacks.ProgressBar(total_seconds=90.0)
    assert bar.bar.target == 90
    assert bar.bar.unit_name == "s"
    with pytest.raises(ValueError, match="every_n_steps"):
        callbacks.ProgressBar(total_steps=3, every_n_steps=0)
