"""Model builders: plain functions that return Keras models and know nothing of training.

* :mod:`ganlib.models.mlp` — fully connected generator and discriminator (lesson 1).
"""

from ganlib.models.mlp import build_mlp_discriminator, build_mlp_generator

__all__ = ["build_mlp_generator", "build_mlp_discriminator"]
