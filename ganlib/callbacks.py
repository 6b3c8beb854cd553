"""Keras callbacks that watch a GAN train: per-step history, sample grids, a live dashboard, a time budget.

They work with :class:`ganlib.training.GAN` (any model with a ``generator`` attribute) and ``fit``. None of
them needs ipywidgets: :class:`LiveDashboard` draws into any ``ipywidgets.Output``-like object it is
given, or into the notebook cell that runs ``fit``.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from ganlib import _checks, latent, viz


class StepHistory(keras.callbacks.Callback):
    """Record every training step's metrics (not the epoch's running mean that Keras logs).

    Keras reports, after each batch, the mean of each metric since the epoch began. This callback turns
    those running means back into the value of each step, so curves show what happened at that step.
    History carries on across several ``fit`` calls.

    Attributes:
        history: ``{metric: [value per step]}``.
        step: steps recorded so far.
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.step = 0
        self._previous_means: dict[str, float] = {}

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_means = {}

    def on_train_batch_end(self, batch, logs=None):
        for key, value in (logs or {}).items():
            mean = float(value)
            previous = self._previous_means.get(key)
            step_value = mean if previous is None else (batch + 1) * mean - batch * previous
            self._previous_means[key] = mean
            self.history.setdefault(key, []).append(step_value)
        self.step += 1


def _fixed_noise(model, n, seed, inputs=None):
    """The fixed generator inputs of a grid: the given ``inputs`` (an image translator's validation
    images), else ``n`` noise vectors drawn with ``seed``."""
    if inputs is not None:
        return np.asarray(inputs, dtype=np.float32)
    if hasattr(model, "preview"):
        raise ValueError(
            f"{type(model).__name__} translates images: pass the images to show as `inputs=` "
            "(e.g. the first validation inputs)."
        )
    return latent.noise(latent.latent_dim_of(model.generator), n, seed)


def _samples(model, noise):
    if hasattr(model, "preview"):  # an image translator: input | output side by side
        return model.preview(noise)
    sampler = getattr(model, "sampler", model.generator)
    return keras.ops.convert_to_numpy(sampler(noise, training=False))


class SampleGrid(keras.callbacks.Callback):
    """Draw the same noise through the generator during training, to watch one set of digits evolve.

    Args:
        n: images per grid.
        seed: seed of the fixed noise.
        every_n_steps: take a grid every N training steps (and one when training ends). Steps, not
            epochs, so the film looks the same on 5,000 or 60,000 digits.
        folder: when given, each grid is also written there as ``samples_<step>.png``.
        inputs: for an image translator (:class:`ganlib.training.Pix2Pix`), the input images to show
            (``input | output`` each) instead of noise.

    Attributes:
        frames: list of ``(step, uint8 mosaic)`` in the order taken.
        noise: the fixed noise (set when training starts, kept across ``fit`` calls).
    """

    def __init__(self, n=16, seed=0, every_n_steps=100, folder=None, inputs=None):
        super().__init__()
        self.inputs = inputs
        self.n = _checks.positive_int("n", n)
        self.seed = seed
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.folder = Path(folder) if folder is not None else None
        self.frames: list[tuple[int, np.ndarray]] = []
        self.noise = None
        self.step = 0

    def on_train_begin(self, logs=None):
        if self.noise is None:
            self.noise = _fixed_noise(self.model, self.n, self.seed, self.inputs)

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every_n_steps == 0:
            self.capture()

    def on_train_end(self, logs=None):
        if self.step and (not self.frames or self.frames[-1][0] != self.step):
            self.capture()

    def reload_frames(self, up_to_step: int) -> int:
        """Read back the grids this callback wrote to :attr:`folder` up to ``up_to_step`` (for a resumed
        run, so its GIF starts at the beginning); return how many were read."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        from PIL import Image

        found = []
        for path in sorted(self.folder.glob("samples_*.png")):
            step = int(path.stem.split("_")[-1])
            if step <= up_to_step:
                found.append((step, np.asarray(Image.open(path))))
        self.frames = found + [frame for frame in self.frames if frame[0] > up_to_step]
        return len(found)

    def capture(self) -> np.ndarray:
        """Take a grid now; return the uint8 mosaic."""
        mosaic = viz.tile(_samples(self.model, self.noise))
        self.frames.append((self.step, mosaic))
        if self.folder is not None:
            from PIL import Image

            self.folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(mosaic).save(self.folder / f"samples_{self.step:06d}.png")
        return mosaic


class GifRecorder(SampleGrid):
    """A :class:`SampleGrid` that also writes its frames as an animated GIF when training ends.

    Args:
        path: the ``.gif`` file (``None``: keep the frames only; call :meth:`save` later).
        duration: seconds per frame.
        **kwargs: as for :class:`SampleGrid` (``n``, ``seed``, ``every_n_steps``, ``folder``, ``inputs``).
    """

    def __init__(self, path=None, duration=0.2, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(path) if path is not None else None
        self.duration = duration

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        if self.path is not None and self.frames:
            self.save(self.path)

    def save(self, path) -> Path:
        """Write the frames so far to ``path`` as a GIF; return the path."""
        return viz.save_gif([mosaic for _, mosaic in self.frames], path, duration=self.duration)


class QualityLog(keras.callbacks.Callback):
    """Score the generator with the judge during training: FID, confidence and class coverage.

    Args:
        judge: a :class:`ganlib.metrics.Judge`.
        real_images: the real digits FID compares with.
        every_n_steps: score every N training steps of the generator (counted by its optimizer, so the
            schedule carries on across a resumed run), and once more when training ends (unless the last
            point is less than half a period old). Steps, not
            epochs, so the curve has as many points on 5,000 as on 60,000 digits.
        n_samples: samples per score (500 is a fair trade of noise against time).
        seed: noise seed of the samples, the same each time.
        max_real: at most this many real digits for the FID, evenly spaced through ``real_images``, so a
            point costs the same on 5,000 or 60,000 digits (the judge's features of every real digit are
            computed at each point).

    Attributes:
        quality: ``{"step": [...], "fid": [...], "confidence": [...], "min_share": [...]}``; the latest
            values are also added to the epoch's logs as ``fid`` and ``min_share``. The step is the
            generator optimizer's step count, so it carries on across a resumed run.
    """

    def __init__(self, judge, real_images, every_n_steps=500, n_samples=500, seed=0, max_real=5000):
        super().__init__()
        self.judge = judge
        max_real = _checks.positive_int("max_real", max_real)
        if real_images is not None and len(real_images) > max_real:
            real_images = real_images[:: -(-len(real_images) // max_real)]  # every k-th: at most max_real
        self.real_images = real_images
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.n_samples = _checks.positive_int("n_samples", n_samples)
        self.seed = seed
        self.quality: dict[str, list[float]] = {"step": [], "fid": [], "confidence": [], "min_share": []}
        self.step = 0
        self._last_measured = None

    def _model_step(self) -> int:
        optimizer = getattr(self.model, "g_optimizer", None)  # its step count survives a resume
        return int(keras.ops.convert_to_numpy(optimizer.iterations)) if optimizer is not None else self.step

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self._model_step() % self.every_n_steps == 0:
            self.measure()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and self.quality["fid"]:
            logs["fid"], logs["min_share"] = self.quality["fid"][-1], self.quality["min_share"][-1]

    def on_train_end(self, logs=None):
        # one more point for the end of training, unless the last one is less than half a period old
        last = self._last_measured
        if self.step and (last is None or self._model_step() - last >= self.every_n_steps / 2):
            self.measure()

    def measure(self) -> dict:
        """Score the generator now; return the result of :func:`ganlib.metrics.evaluate_generator`."""
        from ganlib import metrics

        sampler = getattr(self.model, "sampler", self.model.generator)
        result = metrics.evaluate_generator(
            sampler, self.judge, self.real_images, n_samples=self.n_samples, seed=self.seed
        )
        step = self._last_measured = self._model_step()
        for key, value in (("step", step), *((k, result[k]) for k in ("fid", "confidence", "min_share"))):
            self.quality[key].append(float(value))
        return result


class LiveDashboard(StepHistory):
    """Redraw losses, mean ``D`` outputs and a sample grid while ``fit`` runs.

    Drawing costs a few tenths of a second, so it happens every ``every_n_steps`` steps, never more often
    than every ``min_interval`` seconds, and spaced so that drawing takes at most ``max_overhead`` of the
    wall time (after a redraw that took ``d`` seconds, the next waits ``d · (1 − max_overhead) /
    max_overhead`` seconds at least): the dashboard cannot slow training by more than that share.

    Args:
        out: where to draw: an ``ipywidgets.Output`` (or any object with ``clear_output`` usable as a
            context manager). ``None`` draws into the running notebook cell; outside a notebook nothing is
            drawn, but the history is still recorded.
        every_n_steps: steps between redraws.
        min_interval: seconds between redraws, at least.
        n_samples: images in the sample grid.
        seed: seed of the fixed noise of the sample grid.
        smooth: moving-average window of the curves.
        quality_log: a :class:`QualityLog` whose FID curve is drawn as a fourth panel.
        max_overhead: the largest share of wall time spent drawing (0.05: 5%; 1: no limit).
        inputs: for an image translator (:class:`ganlib.training.Pix2Pix`), the input images to show
            (``input | output`` each) instead of noise.

    Attributes:
        history, step: as in :class:`StepHistory`.
        redraws: how many times the dashboard was drawn.
        draw_seconds: total time spent drawing.
    """

    def __init__(
        self,
        out=None,
        every_n_steps=50,
        min_interval=1.5,
        n_samples=16,
        seed=0,
        smooth=20,
        quality_log=None,
        max_overhead=0.05,
        inputs=None,
    ):
        super().__init__()
        self.inputs = inputs
        self.quality_log = quality_log
        self.max_overhead = _checks.fraction("max_overhead", max_overhead, upper_inclusive=True)
        if not self.max_overhead:
            raise ValueError("Expected `max_overhead` > 0. Received: max_overhead=0")
        self.out = out
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.min_interval = float(min_interval)
        self.n_samples = _checks.positive_int("n_samples", n_samples)
        self.seed = seed
        self.smooth = smooth
        self.noise = None
        self.redraws = 0
        self.draw_seconds = 0.0
        self._next_draw = -float("inf")
        self._handle = None

    def on_train_begin(self, logs=None):
        if self.noise is None:
            self.noise = _fixed_noise(self.model, self.n_samples, self.seed, self.inputs)

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.step % self.every_n_steps == 0 and time.perf_counter() >= self._next_draw:
            self.redraw()

    def on_train_end(self, logs=None):
        self.redraw()

    def figure(self):
        """Return the dashboard figure for the current state."""
        samples = _samples(self.model, self.noise) if self.noise is not None else None
        quality = self.quality_log.quality if self.quality_log is not None else None
        return viz.dashboard(
            self.history,
            samples,
            smooth=self.smooth,
            title=f"step {self.step}",
            quality=quality,
            samples_title="input | output" if hasattr(self.model, "preview") else "samples (fixed noise)",
        )

    def redraw(self):
        """Draw the dashboard now."""
        start = time.perf_counter()
        if self.out is None and not _in_notebook():
            return
        from IPython.display import Image, display

        image = Image(data=viz.figure_to_png(self.figure()))
        if self.out is not None:
            with self.out:
                self.out.clear_output(wait=True)
                display(image)
        elif self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
        self.redraws += 1
        end = time.perf_counter()
        cost = end - start
        self.draw_seconds += cost
        self._next_draw = end + max(self.min_interval, cost * (1 - self.max_overhead) / self.max_overhead)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class TimeBudget(keras.callbacks.Callback):
    """Stop training once a wall-clock budget is spent (checked after every step).

    Args:
        seconds: the budget.
        already_used: seconds already spent in earlier runs (for a resumed run).

    Attributes:
        elapsed: seconds of training so far, ``already_used`` included.
        stopped: whether the budget ended the training.
    """

    def __init__(self, seconds: float, already_used: float = 0.0):
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"Expected `seconds` > 0. Received: seconds={seconds!r}")
        self.seconds = float(seconds)
        self.already_used = float(already_used)
        self.elapsed = self.already_used
        self.stopped = False
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.elapsed = self.already_used + time.perf_counter() - self._start
        if self.elapsed >= self.seconds:
            self.model.stop_training = True
            self.stopped = True


class ProgressBar(keras.callbacks.Callback):
    """One progress bar for a whole run, over steps or over seconds (with a :class:`TimeBudget`).

    Args:
        total_steps: the run's length in steps; or
        total_seconds: its length in seconds.
        every_n_steps: steps between updates of the bar.
        metrics: the logged values shown beside the bar.
    """

    def __init__(self, total_steps=None, total_seconds=None, every_n_steps=20, metrics=("d_loss", "g_loss")):
        super().__init__()
        if (total_steps is None) == (total_seconds is None):
            raise ValueError("Expected exactly one of `total_steps` and `total_seconds`.")
        self.total_steps = total_steps
        self.total_seconds = total_seconds
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.metrics_shown = tuple(metrics)
        target = total_steps if total_steps is not None else int(total_seconds)
        self.bar = keras.utils.Progbar(
            target, unit_name="step" if total_steps is not None else "s", stateful_metrics=list(metrics)
        )
        self.step = 0
        self._start = None

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every_n_steps:
            return
        values = [(key, float(logs[key])) for key in self.metrics_shown if logs and key in logs]
        if self.total_steps is not None:
            done = self.step
        else:
            done = min(int(time.perf_counter() - self._start), int(self.total_seconds))
        self.bar.update(done, values=values)
