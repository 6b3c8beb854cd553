"""The lessons' default settings, in one place, so the notebooks, the CLI and the benchmarks agree.

A recipe is a plain dict of hyper-parameters; :func:`build_mlp_gan` and :func:`build_dcgan` turn one into a
compiled :class:`ganlib.training.GAN`; :func:`build_pix2pix`, :func:`build_cgan` and :func:`build_cyclegan`
build lessons 3, 4 and 5's trainers. Change a value by passing it: ``build_mlp_gan(d_lr=2e-3)``.
:data:`RECIPES` maps the CLI's model names to both.

Each builder takes ``strategy=``, a ``tf.distribute`` strategy (see
:func:`ganlib.config.distribution_strategy`), and builds and compiles the model inside its scope; the
default is the strategy in scope (none: one device). ``batch_size`` is then the *global* batch: each step
splits it over the strategy's replicas.

One module per family, everything re-exported here (``from ganlib import recipes; recipes.DCGAN``):
:mod:`~ganlib.recipes.images` (lessons 1 and 2), :mod:`~ganlib.recipes.pix2pix` (3),
:mod:`~ganlib.recipes.conditional` (4), :mod:`~ganlib.recipes.cyclegan` (5), :mod:`~ganlib.recipes.toy` (7);
:func:`settings` and :func:`compile_gan` live in :mod:`~ganlib.recipes._common`.
"""

from ganlib.recipes._common import compile_gan, settings
from ganlib.recipes.conditional import CGAN, build_cgan
from ganlib.recipes.cyclegan import CYCLEGAN, CYCLEGAN_DATASETS, build_cyclegan
from ganlib.recipes.images import DCGAN, MLP_GAN, build_dcgan, build_mlp_gan
from ganlib.recipes.pix2pix import PIX2PIX, PIX2PIX_BY_SIZE, PIX2PIX_DATASETS, build_pix2pix
from ganlib.recipes.toy import TOY, TOY_METHODS, build_toy_gan

#: The CLI's model names: ``name -> (recipe, builder)``.
RECIPES = {"gan": (MLP_GAN, build_mlp_gan), "dcgan": (DCGAN, build_dcgan)}

__all__ = [
    "CGAN", "CYCLEGAN", "CYCLEGAN_DATASETS", "DCGAN", "MLP_GAN", "PIX2PIX", "PIX2PIX_BY_SIZE", "PIX2PIX_DATASETS",
    "RECIPES", "TOY", "TOY_METHODS", "build_cgan", "build_cyclegan", "build_dcgan", "build_mlp_gan", "build_pix2pix",
    "build_toy_gan", "compile_gan", "settings",
]
