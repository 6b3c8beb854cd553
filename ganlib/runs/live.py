"""A run that trains in a background thread while its knobs move: start, pause, change, reset, save.

The engine of :func:`ganlib.widgets.training_lab` (it imports no ipywidgets, so scripts and tests drive it
directly)::

    live = runs.LiveRun(lambda: recipes.build_mlp_gan(seed=0), lambda step: data.make_image_dataset(images, 64, seed=step))
    live.start()                      # returns at once; training runs in a thread
    live.change("d_lr", 5e-3)         # applied between two steps; a marker is recorded at that step
    live.pause()                      # returns when the thread has stopped (after the step under way)
    live.history["d_fake"], live.markers

Live knobs (:data:`LIVE_KNOBS`) take effect at the next step: the learning rates (the optimizers' variables) and
pix2pix's λ (a variable of the model) are assigned in place; label smoothing, D steps per G step and the penalties'
weights (lesson 7) are Python numbers the training step was traced with, so changing one also re-traces the step
(Keras' ``make_train_function``), which takes seconds once (longer for a larger model or on a busy machine).
Everything else (sizes, the loss family, the batch size) needs new networks: build them again with
:meth:`LiveRun.reset`.

Training is Keras ``fit`` with a callback that records each step, applies queued changes between steps and
stops ``fit`` when asked, so a pause lands within one step. An exception in the thread ends training and is
kept in :attr:`LiveRun.error` and passed to ``on_error``: never a silent dead thread.

Order an observer can rely on: ``on_error`` (the reason) and then ``on_stop`` run in the training thread
before it ends, so once :attr:`LiveRun.running` reads ``False`` both have run.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import keras

from ganlib import _checks, checkpoints, folder_lock
from ganlib.runs import identity
from ganlib.runs.run import UNTIL_STOPPED

#: Knobs that apply to the running game: name -> (label for markers, whether the step must be re-traced).
LIVE_KNOBS = {
    "g_lr": ("G lr", False),
    "d_lr": ("D lr", False),
    "label_smoothing": ("label smoothing", True),
    "d_steps": ("D steps", True),
    "l1_weight": ("λ", False),
    "gradient_penalty_weight": ("GP λ", True),
    "r1_weight": ("R1 γ", True),
}


def format_value(value) -> str:
    """A knob's value as a marker writes it: ``5e-04``, ``0.1``, ``2``, ``100``."""
    if value is None:
        return "off"
    if isinstance(value, (bool, int, str)):
        return str(value)
    value = float(f"{float(value):.6g}")  # an optimizer's float32 0.0099999998 is written as 0.01, as it was set
    if value and (abs(value) < 1e-2 or abs(value) >= 1e4):
        return f"{value:.0e}"
    return f"{value:g}"


def _optimizer_of(model, name: str):
    return model.g_optimizer if name == "g_lr" else model.d_optimizer


def current_value(model, name: str):
    """The value the running ``model`` trains with for the live knob ``name``."""
    check_knob(model, name)
    if name in ("g_lr", "d_lr"):
        return float(keras.ops.convert_to_numpy(_optimizer_of(model, name).learning_rate))
    return getattr(model, name)


def knobs_of(model) -> list[str]:
    """The names of :data:`LIVE_KNOBS` that ``model`` has (pix2pix has λ, not D steps)."""
    return [name for name in LIVE_KNOBS if name in ("g_lr", "d_lr") or hasattr(model, name)]


def check_knob(model, name: str, value=None):
    """Raise ``ValueError`` unless ``name`` is a live knob of ``model`` and ``value`` (when given) fits it;
    return ``value`` in the knob's type."""
    if name not in knobs_of(model):
        raise ValueError(f"Expected a live knob of {type(model).__name__}, one of {knobs_of(model)}. Received: {name!r}")
    if value is None:
        return None
    if name in ("g_lr", "d_lr"):
        return _checks.positive_number(name, value)
    if name == "label_smoothing":
        return _checks.fraction("label_smoothing", value)
    if name == "d_steps":
        return _checks.positive_int("d_steps", value)
    if name in ("gradient_penalty_weight", "r1_weight"):
        return _checks.finite_number(name, value, minimum=0.0)
    value = float(value)  # l1_weight
    if value < 0 or (not value and not model.gan_weight):
        raise ValueError(f"Expected `l1_weight` >= 0 (> 0 without the adversarial term). Received: l1_weight={value!r}")
    return value


def apply_knob(model, name: str, value) -> bool:
    """Set the live knob ``name`` of ``model`` to ``value``; return whether the step must be re-traced."""
    value = check_knob(model, name, value)
    if name in ("g_lr", "d_lr"):
        _optimizer_of(model, name).learning_rate.assign(value)
        return False
    setattr(model, name, value)
    return LIVE_KNOBS[name][1]


class _Hook(keras.callbacks.Callback):
    """The live run's eyes and hands inside ``fit``: record, apply changes, stop when asked."""

    def __init__(self, live: LiveRun):
        super().__init__()
        self.live = live

    def on_train_batch_end(self, batch, logs=None):
        self.live._after_step(logs or {})


class LiveRun:
    """A training run in a background thread, with knobs that change while it trains.

    Args:
        build: makes the compiled model (a :class:`ganlib.training.GAN` or ``Pix2Pix``); called now and by
            :meth:`reset`.
        make_dataset: ``make_dataset(step)`` gives one pass of training batches; called each time training
            (re)starts, with the model's step, so a pause does not replay the same first batches.
        callbacks: more Keras callbacks for ``fit`` (they see the model's step, as in :func:`ganlib.runs.train`).
        on_step: called from the training thread after each step with this run (keep it cheap).
        on_change: called with this run and the marker ``(step, text)`` when a change is applied.
        on_error: called with the exception that ended training.
        on_stop: called from the training thread when it ends (paused, closed or failed).

    Attributes:
        model: the current model.
        history: ``{"step": [...], metric: [...]}``, one entry per step since the last reset.
        markers: ``[(step, "D lr 5e-04 → 5e-03"), ...]``: each applied change and the step it took effect at.
        error: the exception that ended training, or ``None``.
        steps_per_second: the training speed over the last stretch between pauses (``None`` before one).
    """

    def __init__(self, build, make_dataset, callbacks=(), on_step=None, on_change=None, on_error=None, on_stop=None):
        self._make_dataset = make_dataset
        self.callbacks = list(callbacks)
        self.on_step, self.on_change, self.on_error, self.on_stop = on_step, on_change, on_error, on_stop
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending: dict = {}
        self._retrace = False
        self.reset(build)

    # ------------------------------------------------------------------------------------ state

    @property
    def step(self) -> int:
        """The model's step counter (see :attr:`ganlib.training.Trainer.step`)."""
        return self.model.step

    @property
    def running(self) -> bool:
        """Whether the training thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def value(self, name: str):
        """The value the game trains with for live knob ``name`` (a queued change not yet applied excluded)."""
        return current_value(self.model, name)

    # ------------------------------------------------------------------------------------ controls

    def start(self) -> None:
        """Train in a background thread until :meth:`pause`; returns at once (nothing happens if running)."""
        if self.running:
            return
        self.error = None
        self._stop.clear()
        self._thread = threading.Thread(target=self._train, name="ganlib-live-run", daemon=True)
        self._thread.start()

    def pause(self, timeout: float = 600.0) -> float:
        """Stop training after the step under way; return the seconds it took. Start continues the run.

        The step under way may have to be traced first (a changed knob re-traces it), which takes seconds, and
        much longer on a busy machine; ``timeout`` only guards against a thread that never stops.
        """
        began = time.perf_counter()
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                raise TimeoutError(f"The training thread did not stop within {timeout:.0f} s.")
        return time.perf_counter() - began

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the training thread ends on its own (an error, or a :meth:`pause` from elsewhere);
        return whether it has ended. Its ``on_error`` and ``on_stop`` have run by then."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        return not self.running

    def run_for(self, seconds: float | None = None, steps: int | None = None) -> int:
        """Train for ``seconds`` of wall time or ``steps`` more steps, then pause; return the steps made.

        Blocks the caller (a script, or a notebook cell that runs a guided experiment end to end); knob
        changes made meanwhile from other threads still apply at the next step.
        """
        if (seconds is None) == (steps is None):
            raise ValueError("Expected exactly one of `seconds` and `steps`.")
        first = self.step
        target = None if steps is None else first + _checks.positive_int("steps", steps)
        deadline = None if seconds is None else time.perf_counter() + _checks.positive_number("seconds", seconds)
        self.start()
        while self.running and (target is None or self.step < target) and (
            deadline is None or time.perf_counter() < deadline
        ):
            time.sleep(0.02)
        self.pause()
        if self.error is not None:
            raise self.error
        return self.step - first

    def close(self) -> None:
        """Pause and let go of the thread (also done when the run is garbage-collected)."""
        self.pause()
        self._thread = None

    def reset(self, build=None, make_dataset=None) -> None:
        """Pause, then start over: a new model from ``build`` (default: the last one), an empty history."""
        if self._thread is not None:
            self.pause()
        self._build = build or self._build
        self._make_dataset = make_dataset or self._make_dataset
        self.model = self._build()
        self.history: dict[str, list[float]] = {"step": []}
        self.markers: list[tuple[int, str]] = []
        self.error = None
        self.steps_per_second = None
        with self._lock:
            self._pending.clear()
        self._retrace = False

    def change(self, name: str, value) -> None:
        """Set live knob ``name`` to ``value`` from the next step on (at once when paused).

        The new value is checked here, so a bad one raises in the caller and never reaches the thread.
        """
        value = check_knob(self.model, name, value)
        with self._lock:
            self._pending[name] = value
        if not self.running:
            self._apply_pending()

    def save(self, folder, settings: dict | None = None) -> Path:
        """Save the run as the CLI does: ``folder/generator.keras``, ``discriminator.keras`` and a checkpoint
        in ``folder/checkpoints`` (with the history and the markers). Pauses for the save when running.

        Args:
            folder: the run folder (``python -m ganlib sample FOLDER`` or ``translate FOLDER`` read it).
            settings: what the model cannot tell (e.g. ``{"model": "gan", "seed": 0}``), recorded with it.

        Raises:
            ganlib.runs.OtherSettingsError: ``folder`` holds a run made with other settings.
            ganlib.runs.FolderInUseError: another process trains into ``folder`` (nothing is written).
        """
        was_running = self.running
        self.pause()
        try:
            folder = Path(folder)
            target = folder / "checkpoints"
            with folder_lock.hold(target):
                found = identity.settings_of(self.model, self._make_dataset(self.step), settings)
                identity.check_folder(target, found, has_run=checkpoints.latest_checkpoint(target) is not None)
                path = checkpoints.save_checkpoint(
                    self.model, target, records={"history": self.history, "markers": [list(m) for m in self.markers]}
                )
                self.model.save_players(folder)
            return path
        finally:
            if was_running:
                self.start()

    # ------------------------------------------------------------------------------------ the thread

    def _apply_pending(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for name, value in pending.items():
            before = current_value(self.model, name)
            if value == before:
                continue
            self._retrace |= apply_knob(self.model, name, value)
            marker = (self.step, f"{LIVE_KNOBS[name][0]} {format_value(before)} → {format_value(value)}")
            self.markers.append(marker)
            if self.on_change is not None:
                self.on_change(self, marker)

    def _after_step(self, logs: dict) -> None:
        self.history["step"].append(self.step)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        with self._lock:  # a change may be queued from another thread meanwhile
            queued = list(self._pending)
        if queued:
            if any(LIVE_KNOBS[name][1] for name in queued):
                self.model.stop_training = True  # `_train` applies it and re-enters fit with a new trace
            else:
                self._apply_pending()
        if self._stop.is_set():
            self.model.stop_training = True
        if self.on_step is not None:
            self.on_step(self)

    def _train(self) -> None:
        try:
            while not self._stop.is_set():
                self._apply_pending()
                if self._retrace:
                    self.model.make_train_function(force=True)
                    self._retrace = False
                began, first = time.perf_counter(), self.step
                self.model.fit(
                    self._make_dataset(self.step).repeat(),
                    epochs=1,
                    steps_per_epoch=UNTIL_STOPPED,
                    verbose=0,
                    callbacks=[_Hook(self), *self.callbacks],
                )
                seconds = time.perf_counter() - began
                if self.step - first >= 10:
                    self.steps_per_second = (self.step - first) / seconds
        except Exception as error:  # kept and reported: the learner sees it in the status line
            self.error = error
            if self.on_error is not None:
                self.on_error(self, error)
        finally:
            if self.on_stop is not None:
                self.on_stop(self)
