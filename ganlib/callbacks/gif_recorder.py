"""GifRecorder: a SampleGrid that also writes its frames as an animated GIF when training ends."""

from __future__ import annotations

from pathlib import Path

from ganlib import viz
from ganlib.callbacks.sample_grid import SampleGrid


class GifRecorder(SampleGrid):
    """A :class:`ganlib.callbacks.SampleGrid` that also writes its frames as an animated GIF when training ends.

    Args:
        path: the ``.gif`` file (``None``: keep the frames only; call :meth:`save` later).
        duration: seconds per frame.
        **kwargs: as for :class:`ganlib.callbacks.SampleGrid` (``n``, ``seed``, ``every_n_steps``, ``folder``,
            ``inputs``).
    """

    def __init__(self, path=None, duration=0.2, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(path) if path is not None else None
        self.duration = duration

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        if self.path is not None and self.frames:
            self.save(self.path)

    def save(self, path) -> Path:
        """Write the frames so far to ``path`` as a GIF; return the path."""
        return viz.save_gif([mosaic for _, mosaic in self.frames], path, duration=self.duration)
