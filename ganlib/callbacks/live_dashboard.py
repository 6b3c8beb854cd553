"""LiveDashboard: losses, mean ``D`` outputs and a sample grid, redrawn while ``fit`` runs."""

from __future__ import annotations

from ganlib import _checks, viz
from ganlib.callbacks._fixed_inputs import fixed_inputs, samples, translates_images
from ganlib.callbacks._redraw_pacing import RedrawPacing
from ganlib.callbacks.step_history import StepHistory


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class LiveDashboard(StepHistory):
    """Redraw losses, mean ``D`` outputs and a sample grid while ``fit`` runs (and record each step).

    Drawing costs a few tenths of a second, so it happens when the model's step is a multiple of
    ``every_n_steps``, never more often than every ``min_interval`` seconds, and spaced so that drawing
    takes at most ``max_overhead`` of the wall time (after a redraw that took ``d`` seconds, the next waits
    ``d · (1 − max_overhead) / max_overhead`` seconds at least): the dashboard cannot slow training by more
    than that share. Only the drawing's own cost is timed here; the run's progress is read from the model.

    Args:
        out: where to draw: an ``ipywidgets.Output`` (or any object with ``clear_output`` usable as a
            context manager). ``None`` draws into the running notebook cell; outside a notebook nothing is
            drawn, but the history is still recorded.
        every_n_steps: steps between redraws.
        min_interval: seconds between redraws, at least.
        n_samples: images in the sample grid.
        seed: seed of the fixed noise of the sample grid.
        smooth: moving-average window of the curves.
        quality_log: a :class:`ganlib.callbacks.QualityLog` whose FID curve is drawn as a fourth panel.
        max_overhead: the largest share of wall time spent drawing (0.05: 5%; 1: no limit).
        inputs: for an image translator (:class:`ganlib.training.Pix2Pix`), the input images to show
            (``input | output`` each) instead of noise.

    Attributes:
        history: as in :class:`ganlib.callbacks.StepHistory`.
        fixed_inputs: the generator inputs of the sample grid.
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
        self.pacing = RedrawPacing(min_interval, max_overhead)
        self.out = out
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.n_samples = _checks.positive_int("n_samples", n_samples)
        self.seed = seed
        self.smooth = smooth
        self.fixed_inputs = None
        self._handle = None

    def on_train_begin(self, logs=None):
        if self.fixed_inputs is None:
            self.fixed_inputs = fixed_inputs(self.model, self.n_samples, self.seed, self.inputs)

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.model.step % self.every_n_steps == 0 and self.pacing.due():
            self.redraw()

    def on_train_end(self, logs=None):
        self.redraw()

    def figure(self):
        """Return the dashboard figure for the current state."""
        images = samples(self.model, self.fixed_inputs) if self.fixed_inputs is not None else None
        quality = self.quality_log.quality if self.quality_log is not None else None
        return viz.dashboard(
            self.history,
            images,
            smooth=self.smooth,
            title=f"step {self.model.step}",
            quality=quality,
            samples_title="input | output" if translates_images(self.model) else "samples (fixed noise)",
        )

    def redraw(self):
        """Draw the dashboard now."""
        start = self.pacing.clock()
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
        self.pacing.drawn(start)

    @property
    def redraws(self) -> int:
        return self.pacing.redraws

    @property
    def draw_seconds(self) -> float:
        return self.pacing.draw_seconds
