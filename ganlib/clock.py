"""The training clock of a model: seconds spent training, over every ``fit`` of a run, resumed parts included.

A :class:`ganlib.training.GAN` owns one (``gan.clock``). ``fit`` starts it and stops it; a checkpoint stores
its reading and restoring the checkpoint sets it back, so a time budget, a save cadence or a progress bar
that read ``gan.clock.seconds`` carry on across an interrupted run. Together with the step counter
(``gan.step``, the generator optimizer's update count) it is the only record of how far a run has got.
"""

from __future__ import annotations

import time


class Clock:
    """Seconds of training so far: the time stored by earlier parts of the run plus the running ``fit``.

    Args:
        seconds: the time already spent (e.g. read back from a checkpoint).

    Attributes:
        running: whether a ``fit`` is under way.
    """

    def __init__(self, seconds: float = 0.0):
        self.set(seconds)

    def set(self, seconds: float) -> None:
        """Set the reading to ``seconds`` (the clock keeps running if it ran)."""
        if not seconds >= 0:
            raise ValueError(f"Expected `seconds` >= 0. Received: seconds={seconds!r}")
        self._stored = float(seconds)
        self._started = time.perf_counter() if getattr(self, "_started", None) is not None else None

    @property
    def running(self) -> bool:
        return self._started is not None

    @property
    def seconds(self) -> float:
        """Training seconds so far, the running ``fit`` included."""
        running = time.perf_counter() - self._started if self._started is not None else 0.0
        return self._stored + running

    def start(self) -> None:
        if self._started is None:
            self._started = time.perf_counter()

    def stop(self) -> None:
        self._stored = self.seconds
        self._started = None
