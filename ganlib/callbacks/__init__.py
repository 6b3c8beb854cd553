"""Keras callbacks that watch a GAN train, one per module.

Every callback reads how far the run has got from the model — ``model.step`` (the generator optimizer's
update count) and ``model.clock.seconds`` (training time) — and keeps no counter or clock of its own, so
each carries on unchanged across an interrupted and resumed run. The ones whose record belongs to the run
(:class:`RunCallback`) hand it to each checkpoint and get it back on resume (:mod:`ganlib.runs`).

* :class:`StepHistory` — each step's values;
* :class:`SampleGrid`, :class:`GifRecorder` — fixed-input grids every N steps, and a GIF of them;
* :class:`QualityLog` — FID, confidence and class coverage every N steps;
* :class:`LiveDashboard` — losses, ``D`` outputs, samples (and FID) redrawn while ``fit`` runs;
* :class:`TimeBudget` — stop after so many seconds of training; :class:`ProgressBar` — one bar per run;
* :class:`Checkpoint` — save the run every N seconds and/or steps, and when training ends.

None of them needs ipywidgets: :class:`LiveDashboard` draws into any ``ipywidgets.Output``-like object it is
given, or into the notebook cell that runs ``fit``.
"""

from ganlib.callbacks.checkpoint import Checkpoint  # noqa: F401
from ganlib.callbacks.gif_recorder import GifRecorder  # noqa: F401
from ganlib.callbacks.live_dashboard import LiveDashboard  # noqa: F401
from ganlib.callbacks.progress_bar import ProgressBar  # noqa: F401
from ganlib.callbacks.quality_log import QualityLog  # noqa: F401
from ganlib.callbacks.run_callback import RunCallback  # noqa: F401
from ganlib.callbacks.sample_grid import SampleGrid  # noqa: F401
from ganlib.callbacks.step_history import StepHistory  # noqa: F401
from ganlib.callbacks.time_budget import TimeBudget  # noqa: F401
