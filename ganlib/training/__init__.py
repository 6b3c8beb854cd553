"""Training: the two-player games as ``keras.Model`` subclasses that work with ``fit`` and callbacks.

* :mod:`ganlib.training.trainer` — :class:`Trainer`, the base every trainer shares (step counter, clock, trackers,
  what identifies a run and what a checkpoint holds);
* :mod:`ganlib.training.steps` — the pieces of a step, exact under ``tf.distribute`` (the global-batch shard,
  the gradient steps, the EMA update);
* :mod:`ganlib.training.gan` — :class:`GAN`, the game of lessons 1 and 2, and :func:`generate`;
* :mod:`ganlib.training.pix2pix` — :class:`Pix2Pix`, the image translator of lesson 3;
* :mod:`ganlib.training.conditional_gan` — :class:`ConditionalGAN`, lesson 2's game with class labels (lesson 4);
* :mod:`ganlib.training.cyclegan` — :class:`CycleGAN`, lesson 5's translator without pairs, and its image pool
  (:mod:`ganlib.training.image_pool`);
* :mod:`ganlib.training.by_hand` — one step of the game with two gradient tapes, everything passed in
  (lesson 1's exercise; :class:`GAN` takes the same steps).
"""

from __future__ import annotations

from pathlib import Path

from ganlib import storage
from ganlib.storage import load_model  # noqa: F401 (re-exported: `training.load_model(path)`)
from ganlib.training import by_hand  # noqa: F401
from ganlib.training.conditional_gan import ConditionalGAN  # noqa: F401
from ganlib.training.cyclegan import CycleGAN  # noqa: F401
from ganlib.training.gan import GAN, METRIC_NAMES, generate  # noqa: F401
from ganlib.training.pix2pix import Pix2Pix  # noqa: F401
from ganlib.training.steps import Shard, ema_update  # noqa: F401
from ganlib.training.trainer import Trainer  # noqa: F401


def save_history(history: dict, path) -> Path:
    """Write a ``{metric: [values...]}`` training history as JSON (atomically)."""
    return storage.save_json_atomically({key: [float(v) for v in values] for key, values in history.items()}, path)
