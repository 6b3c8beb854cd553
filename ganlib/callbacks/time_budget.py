"""TimeBudget: stop training once the run's training clock reaches a budget."""

from __future__ import annotations

import keras


class TimeBudget(keras.callbacks.Callback):
    """Stop training once ``model.clock`` reads ``seconds`` (checked after every step).

    The clock counts every ``fit`` of the run, resumed parts included, so the budget is the whole run's.

    Args:
        seconds: the budget.

    Attributes:
        stopped: whether the budget ended the training.
    """

    def __init__(self, seconds: float):
        super().__init__()
        if not seconds > 0:
            raise ValueError(f"Expected `seconds` > 0. Received: seconds={seconds!r}")
        self.seconds = float(seconds)
        self.stopped = False

    def on_train_batch_end(self, batch, logs=None):
        if self.model.clock.seconds >= self.seconds:
            self.model.stop_training = True
            self.stopped = True
