"""Checkpoint: save the run every few seconds and/or steps of training, and when training ends."""

from __future__ import annotations

from pathlib import Path

import keras

from ganlib import _checks, checkpoints


def _non_negative_int(name: str, value) -> int:
    if value == 0 and not isinstance(value, bool):
        return 0
    return _checks.positive_int(name, value)


class Checkpoint(keras.callbacks.Callback):
    """Save the training run every few seconds and/or steps, and once more when training ends.

    Saves are scheduled on the model's step counter and training clock, never in epochs, so a run on
    60,000 digits saves as often as one on 5,000, and the schedule carries on across a resume.

    Args:
        folder: the run's checkpoint folder.
        every_seconds: save at the first step end this many training seconds after the last save (0: off).
        every_n_steps: also save when the model's step is a multiple of N (0: off).
        keep: how many checkpoint directories to keep.
        keeping: the :class:`ganlib.callbacks.RunCallback` s whose records go into each checkpoint (put them
            before this callback in ``fit``'s list, so what is stored is up to date).

    Attributes:
        last_path: the last checkpoint written (``None`` before the first).
        last_saved: what it holds for the callbacks: ``step``, the records and the arrays.
    """

    def __init__(self, folder, every_seconds: float = 30.0, every_n_steps: int = 0, keep: int = 2, keeping=()):
        super().__init__()
        self.folder = Path(folder)
        if not every_seconds >= 0:
            raise ValueError(f"Expected `every_seconds` >= 0. Received: every_seconds={every_seconds!r}")
        self.every_seconds = float(every_seconds)
        self.every_n_steps = _non_negative_int("every_n_steps", every_n_steps)
        self.keep = _checks.positive_int("keep", keep)
        self.keeping = list(keeping)
        self.last_path: Path | None = None
        self.last_saved: dict | None = None
        self._saved_at = None  # (step, clock seconds) of the last save

    def on_train_begin(self, logs=None):
        if self._saved_at is None:  # the schedule starts at the run's current state
            self._saved_at = (self.model.step, self.model.clock.seconds)

    def on_train_batch_end(self, batch, logs=None):
        step, seconds = self.model.step, self.model.clock.seconds
        due_by_steps = self.every_n_steps and step % self.every_n_steps == 0
        due_by_time = self.every_seconds and seconds - self._saved_at[1] >= self.every_seconds
        if due_by_steps or due_by_time:
            self.save()

    def on_train_end(self, logs=None):
        if self.model.step != self._saved_at[0]:
            self.save()

    def save(self, model=None) -> Path:
        """Save a checkpoint of ``model`` (default: the model being trained) now; return its directory."""
        model = model if model is not None else self.model
        records, arrays = {}, {}
        for callback in self.keeping:
            records.update(callback.records())
            arrays.update(callback.arrays())
        self.last_path = checkpoints.save_checkpoint(model, self.folder, records, arrays, keep=self.keep)
        self._saved_at = (model.step, model.clock.seconds)
        self.last_saved = {"step": model.step, **records, **arrays}
        return self.last_path
