"""When a live picture may be drawn again: at most ``max_overhead`` of the time spent drawing, and never more
often than every ``min_interval`` seconds (shared by the live dashboard and the training lab)."""

from __future__ import annotations

import time

from ganlib import _checks


class RedrawPacing:
    """Time each redraw and say when the next one is due.

    After a redraw that took ``d`` seconds the next waits ``max(min_interval, d · (1 − max_overhead) /
    max_overhead)`` seconds, so drawing takes at most ``max_overhead`` of the wall time.

    Args:
        min_interval: seconds between redraws, at least.
        max_overhead: the largest share of wall time spent drawing, in (0, 1] (1: no limit).
        clock: the seconds-reading function the pacing times with (``time.perf_counter``; tests pass a fake
            clock, so what they check does not depend on how busy the machine is).

    Attributes:
        redraws: how many redraws were timed.
        draw_seconds: their total time.
    """

    def __init__(self, min_interval: float, max_overhead: float, clock=time.perf_counter):
        self.min_interval = float(min_interval)
        self.max_overhead = _checks.fraction("max_overhead", max_overhead, upper_inclusive=True)
        if not self.max_overhead:
            raise ValueError("Expected `max_overhead` > 0. Received: max_overhead=0")
        self.clock = clock
        self.redraws = 0
        self.draw_seconds = 0.0
        self._next = -float("inf")

    def due(self) -> bool:
        """Whether the next redraw may happen now."""
        return self.clock() >= self._next

    def drawn(self, began: float) -> None:
        """Record a redraw that began when :attr:`clock` read ``began`` and ended now."""
        ended = self.clock()
        cost = ended - began
        self.redraws += 1
        self.draw_seconds += cost
        self._next = ended + max(self.min_interval, cost * (1 - self.max_overhead) / self.max_overhead)
