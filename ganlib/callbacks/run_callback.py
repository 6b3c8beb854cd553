"""The base of callbacks whose record belongs to the run: kept in each checkpoint, given back on resume."""

from __future__ import annotations

import keras


class RunCallback(keras.callbacks.Callback):
    """A callback whose record (a history, a quality curve, a grid's fixed inputs) is part of the run.

    :class:`ganlib.callbacks.Checkpoint` stores what :meth:`records` and :meth:`arrays` return; when a run
    resumes, :mod:`ganlib.runs` passes the restored checkpoint to :meth:`resume`. Names must be unique
    across a run's callbacks (one ``history``, one ``quality``, one ``fixed_inputs``).
    """

    def records(self) -> dict:
        """JSON-able values to keep in the checkpoint's ``meta.json``."""
        return {}

    def arrays(self) -> dict:
        """NumPy arrays to keep in the checkpoint's ``state.npz``."""
        return {}

    def resume(self, saved: dict) -> None:
        """Take back this callback's record from a restored checkpoint's metadata ``saved``."""
