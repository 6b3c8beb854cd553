"""StepHistory: the value of every training step's metrics, carried across ``fit`` calls and resumes."""

from __future__ import annotations

from ganlib.callbacks.run_callback import RunCallback


class StepHistory(RunCallback):
    """Record each training step's values (Keras' own ``History`` keeps epoch means).

    ``train_step`` returns the step's own values (its trackers give Keras the epoch means), so this is a
    plain append. Keras calls ``on_train_batch_end`` once per call of the training function: with
    ``compile(steps_per_execution=k)`` that is once every ``k`` steps, with the last step's values, so the
    history then holds every ``k``-th step.

    Attributes:
        history: ``{metric: [value per step]}``, over every ``fit`` of the run.
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}

    def on_train_batch_end(self, batch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))

    def records(self) -> dict:
        return {"history": self.history}

    def resume(self, saved: dict) -> None:
        self.history = {key: list(values) for key, values in saved.get("history", {}).items()}
