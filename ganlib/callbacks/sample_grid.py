"""SampleGrid: the same generator inputs drawn every N training steps, to watch one set of images evolve."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlib import _checks, viz
from ganlib.callbacks._fixed_inputs import fixed_inputs, samples
from ganlib.callbacks.run_callback import RunCallback


class SampleGrid(RunCallback):
    """Draw the same inputs through the generator during training, to watch one set of digits evolve.

    Args:
        n: images per grid.
        seed: seed of the fixed noise.
        every_n_steps: take a grid when the model's step is a multiple of N (and one when training ends).
            Steps, not epochs, so the film looks the same on 5,000 or 60,000 digits.
        folder: when given, each grid is also written there as ``samples_<step>.png`` (and read back when
            the run resumes, so a GIF starts at the beginning).
        inputs: for an image translator (:class:`ganlib.training.Pix2Pix`), the input images to show
            (``input | output`` each) instead of noise.

    Attributes:
        frames: list of ``(step, uint8 mosaic)`` in the order taken.
        fixed_inputs: the generator inputs drawn each time: noise vectors, or a translator's input images
            (set when training starts, kept across ``fit`` calls and checkpoints).
    """

    def __init__(self, n=16, seed=0, every_n_steps=100, folder=None, inputs=None):
        super().__init__()
        self.inputs = inputs
        self.n = _checks.positive_int("n", n)
        self.seed = seed
        self.every_n_steps = _checks.positive_int("every_n_steps", every_n_steps)
        self.folder = Path(folder) if folder is not None else None
        self.frames: list[tuple[int, np.ndarray]] = []
        self.fixed_inputs = None

    def on_train_begin(self, logs=None):
        if self.fixed_inputs is None:
            self.fixed_inputs = fixed_inputs(self.model, self.n, self.seed, self.inputs)

    def on_train_batch_end(self, batch, logs=None):
        if self.model.step % self.every_n_steps == 0:
            self.capture()

    def on_train_end(self, logs=None):
        step = self.model.step
        if step and (not self.frames or self.frames[-1][0] != step):
            self.capture()

    def arrays(self) -> dict:
        return {} if self.fixed_inputs is None else {"fixed_inputs": self.fixed_inputs}

    def resume(self, saved: dict) -> None:
        if saved.get("fixed_inputs") is not None:
            self.fixed_inputs = np.asarray(saved["fixed_inputs"])
        self.reload_frames(int(saved["step"]))

    def reload_frames(self, up_to_step: int) -> int:
        """Read back the grids this callback wrote to :attr:`folder` up to ``up_to_step``; return how many."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        from PIL import Image

        found = []
        for path in sorted(self.folder.glob("samples_*.png")):
            step = int(path.stem.split("_")[-1])
            if step <= up_to_step:
                found.append((step, np.asarray(Image.open(path))))
        self.frames = found + [frame for frame in self.frames if frame[0] > up_to_step]
        return len(found)

    def capture(self) -> np.ndarray:
        """Take a grid now, labelled with the model's step; return the uint8 mosaic."""
        mosaic = viz.tile(samples(self.model, self.fixed_inputs))
        step = self.model.step
        self.frames.append((step, mosaic))
        if self.folder is not None:
            from PIL import Image

            self.folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(mosaic).save(self.folder / f"samples_{step:06d}.png")
        return mosaic
