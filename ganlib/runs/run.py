"""A training run: open it (resume from its newest intact checkpoint, or start), train it on a budget.

How far a run has got is the model's: ``model.step`` (the generator optimizer's update count) and
``model.clock`` (training seconds), both restored with the checkpoint. Budgets, save cadences and every
callback read them. What the lesson's callbacks record (the per-step history, the quality curve, a grid's
fixed inputs) is saved with each checkpoint and handed back to them when the run resumes.
"""

from __future__ import annotations

import shutil
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from ganlib import checkpoints, folder_lock
from ganlib.callbacks import Checkpoint, RunCallback, StepHistory, TimeBudget
from ganlib.runs import identity

#: ``steps_per_epoch`` of a run on a time budget (or a live run): ``fit`` never reaches it, the budget (or a
#: pause) stops it first.
UNTIL_STOPPED = 2**31 - 1


@dataclass
class Run:
    """One training run: its folder, its model and data, and the state it was resumed from.

    Made by :func:`open_run`.

    Attributes:
        folder: where its checkpoints and ``settings.json`` are.
        model: a compiled :class:`ganlib.training.GAN` or :class:`ganlib.training.Pix2Pix`.
        dataset: one pass of training batches (repeated as long as the run needs).
        settings: the run's identity (see :func:`ganlib.runs.identity.settings_of`).
        resumed_from: the step it was resumed from when opened, or ``None`` for a new run.
        saved: what the last checkpoint holds for the callbacks (``None`` before the first).
        checkpoint_every: training seconds between checkpoints, at least.

    A run holds its folder (:mod:`ganlib.folder_lock`) from :func:`open_run` until :meth:`close`, the end of a
    ``with`` block, or until the object is garbage-collected or its process ends: meanwhile another process
    that opens a run there is refused.
    """

    folder: Path
    model: object
    dataset: object
    settings: dict
    resumed_from: int | None = None
    saved: dict | None = None
    checkpoint_every: float = 30.0
    _resumed: weakref.WeakSet = field(default_factory=weakref.WeakSet, repr=False)
    _hold: folder_lock.FolderLock | None = field(default=None, repr=False)

    def close(self) -> None:
        """Let go of the folder: another process may train into it now."""
        if self._hold is not None:
            self._hold.release()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _clear(folder: Path) -> None:
    """Delete everything in ``folder`` but its lock (deleting the lock's file would let a second writer in)."""
    for child in folder.iterdir():
        if child.name == folder_lock.LOCK_FILE:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def open_run(folder, model, dataset, settings: dict | None = None, fresh: bool = False, checkpoint_every: float = 30.0) -> Run:
    """Open the run in ``folder``: resume it when it holds a checkpoint made with the same settings, else start it.

    Prints one line: ``Resuming from step N of …`` or ``No checkpoint in …: starting a new run.`` A damaged
    newest checkpoint is skipped for the one before (see :func:`ganlib.checkpoints.restore_latest`).

    Args:
        folder: the run folder (see :func:`ganlib.runs.identity.run_folder` for one per set of settings).
        model: a compiled trainer built from the same recipe as the saved run.
        dataset: one pass of training batches, e.g. :func:`ganlib.data.make_image_dataset`.
        settings: result-changing settings the model cannot tell (dataset name, shuffle seed, ...).
        fresh: delete ``folder`` first and start over.
        checkpoint_every: training seconds between checkpoints, at least: a crash (power cut, ``kill -9``)
            loses at most this much training. One is also saved when training ends and on an interrupt.

    Raises:
        ganlib.runs.OtherSettingsError: ``folder`` holds a run made with other settings.
        ganlib.runs.FolderInUseError: another process trains into ``folder`` (checked first, before anything
            is read or written).
    """
    folder = Path(folder)
    hold = folder_lock.hold(folder)
    try:
        if fresh:
            _clear(folder)
        found = identity.settings_of(model, dataset, settings)
        identity.check_folder(folder, found, has_run=checkpoints.latest_checkpoint(folder) is not None)
        saved = checkpoints.restore_latest(model, folder)
    except BaseException:
        hold.release()
        raise
    if saved is None:
        print(f"No checkpoint in {folder}: starting a new run.")
    else:
        print(f"Resuming from step {saved['step']} of {saved['path']}")
    return Run(
        folder,
        model,
        dataset,
        found,
        resumed_from=None if saved is None else int(saved["step"]),
        saved=saved,
        checkpoint_every=checkpoint_every,
        _hold=hold,
    )


def train(run: Run, *, minutes: float | None = None, steps: int | None = None, callbacks=(), verbose: int = 0) -> dict:
    """Train ``run`` until the whole run has ``minutes`` of training or ``steps`` steps, resumed parts included.

    Saves a checkpoint every ``run.checkpoint_every`` seconds of training and when training ends. On
    ``KeyboardInterrupt`` (the notebook's stop button, Ctrl-C) one is saved before the interrupt is passed
    on, so opening the run again carries on from that step.

    Args:
        run: from :func:`open_run`.
        minutes: the whole run's training-time budget; or
        steps: the whole run's number of steps.
        callbacks: the lesson's callbacks. Those that keep a record of the run
            (:class:`ganlib.callbacks.RunCallback`: histories, dashboards, grids, quality logs) get it back
            from the checkpoint the first time they are given to this run, and it is saved with every
            checkpoint. Without a :class:`ganlib.callbacks.StepHistory` among them, one is added, so the
            run's history is complete whichever callbacks a part of it had.
        verbose: Keras' ``fit`` verbosity.

    Returns:
        ``{"step": steps in all, "steps_this_run": ..., "elapsed": training seconds in all, "complete":
        whether nothing was left to do}``.
    """
    if (minutes is None) == (steps is None):
        raise ValueError("Expected exactly one of `minutes` and `steps`.")
    if minutes is not None and not minutes > 0:
        raise ValueError(f"Expected `minutes` > 0. Received: minutes={minutes!r}")
    model, callbacks = run.model, list(callbacks)
    if not any(isinstance(callback, StepHistory) for callback in callbacks):
        callbacks.insert(0, StepHistory())  # the run keeps its per-step history whatever the lesson shows
    keeping = [callback for callback in callbacks if isinstance(callback, RunCallback)]
    for callback in keeping:
        if callback not in run._resumed:
            if run.saved is not None:
                callback.resume(run.saved)
            run._resumed.add(callback)
    start = model.step
    seconds = None if minutes is None else 60.0 * minutes
    complete = model.step >= steps if steps is not None else model.clock.seconds >= seconds
    if complete:
        asked = f"{steps} steps" if steps is not None else f"{seconds:.0f} s"
        print(f"Nothing left to train: this run already has {model.step} steps and {model.clock.seconds:.0f} s "
              f"of training (asked for {asked}).")
    else:
        saver = Checkpoint(run.folder, every_seconds=run.checkpoint_every, keeping=keeping)
        budget = [TimeBudget(seconds)] if seconds is not None else []
        try:
            model.fit(
                run.dataset.repeat(),
                epochs=1,
                steps_per_epoch=steps - model.step if steps is not None else UNTIL_STOPPED,
                verbose=verbose,
                callbacks=[*callbacks, *budget, saver],
            )
        except KeyboardInterrupt:
            path = saver.save(model)
            print(f"Interrupted at step {model.step}: saved {path}. Run again to resume.")
            raise
        finally:
            if saver.last_path is not None:
                run.saved = saver.last_saved
    return {
        "step": model.step,
        "steps_this_run": model.step - start,
        "elapsed": model.clock.seconds,
        "complete": complete,
    }
