"""QualityLog: score the generator with the judge every N training steps (FID, confidence, class coverage)."""

from __future__ import annotations

from ganlib import _checks
from ganlib.callbacks.run_callback import RunCallback


class QualityLog(RunCallback):
    """Score the generator with the judge during training: FID, confidence and class coverage.

    Args:
        judge: a :class:`ganlib.metrics.Judge`.
        real_images: the real digits FID compares with.
        every_n_steps: score when the model's step is a multiple of N, and once more when training ends
            (unless the last point is less than half a period old). Steps, not epochs, so the curve has as
            many points on 5,000 as on 60,000 digits; the model's step carries on across a resumed run.
        n_samples: samples per score (500 is a fair trade of noise against time).
        seed: noise seed of the samples, the same each time.
        max_real: at most this many real digits for the FID, evenly spaced through ``real_images``, so a
            point costs the same on 5,000 or 60,000 digits (the judge's features of every real digit are
            computed at each point).

    Attributes:
        quality: ``{"step": [...], "fid": [...], "confidence": [...], "min_share": [...]}``, kept in the
            run's checkpoints; the latest values are also added to the epoch's logs as ``fid`` and
            ``min_share``.
        last_result: the latest point's whole :func:`ganlib.metrics.evaluate_generator` result (its
            ``coverage`` is the class histogram), or ``None`` before the first.
    """

    def __init__(self, judge, real_images, every_n_steps=500, n_samples=500, seed=0, max_real=5000):
        super().__init__()
        self.judge = judge
        max_real = _checks.positive_int("max_real", max_real)
        if real_images is not None and len(real_images) > max_real:
            real_images = real_images[:: -(-len(real_images) // max_real)]  # every k-th: at most max_real
        self.real_images = real_images
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.n_samples = _checks.positive_int("n_samples", n_samples)
        self.seed = seed
        self.quality: dict[str, list[float]] = {"step": [], "fid": [], "confidence": [], "min_share": []}
        self.last_result = None

    def on_train_batch_end(self, batch, logs=None):
        if self.model.step % self.every_n_steps == 0:
            self.measure()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and self.quality["fid"]:
            logs["fid"], logs["min_share"] = self.quality["fid"][-1], self.quality["min_share"][-1]

    def on_train_end(self, logs=None):
        # one more point for the end of training, unless the last one is less than half a period old
        steps = self.quality["step"]
        step = self.model.step
        if step and (not steps or step - steps[-1] >= self.every_n_steps / 2):
            self.measure()

    def records(self) -> dict:
        return {"quality": self.quality}

    def resume(self, saved: dict) -> None:
        if "quality" in saved:
            self.quality = {key: list(values) for key, values in saved["quality"].items()}

    def measure(self) -> dict:
        """Score the generator now; return the result of :func:`ganlib.metrics.evaluate_generator`."""
        from ganlib import metrics

        result = metrics.evaluate_generator(
            self.model.sampler, self.judge, self.real_images, n_samples=self.n_samples, seed=self.seed
        )
        self.quality["step"].append(float(self.model.step))
        for key in ("fid", "confidence", "min_share"):
            self.quality[key].append(float(result[key]))
        self.last_result = result
        return result
