"""ProgressBar: one progress bar for a whole run, over the model's steps or its training seconds."""

from __future__ import annotations

import keras

from ganlib import _checks


class ProgressBar(keras.callbacks.Callback):
    """One progress bar for a whole run, over steps or over seconds of training.

    It reads ``model.step`` and ``model.clock``, so a resumed run's bar starts where the run stands.

    Args:
        total_steps: the run's length in steps; or
        total_seconds: its length in seconds.
        every_n_steps: update the bar when the model's step is a multiple of N.
        metrics: the logged values shown beside the bar (each step's own values).
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

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.step
        if step % self.every_n_steps:
            return
        values = [(key, float(logs[key])) for key in self.metrics_shown if logs and key in logs]
        if self.total_steps is not None:
            done = min(step, int(self.total_steps))
        else:
            done = min(int(self.model.clock.seconds), int(self.total_seconds))
        self.bar.update(done, values=values)
