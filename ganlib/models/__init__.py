"""Model builders: plain functions that return Keras models and know nothing of training.

* :mod:`ganlib.models.mlp` — fully connected generator and discriminator (lesson 1).
* :mod:`ganlib.models.dcgan` — deep convolutional generator and discriminator (DCGAN, lesson 2).
* :mod:`ganlib.models.pix2pix` — U-Net generator and PatchGAN discriminator (pix2pix, lesson 3).
* :mod:`ganlib.models.conditional` — class-conditional generator and discriminators (lesson 4); importing
  ganlib.models registers its :class:`~ganlib.models.conditional.ProjectionHead` for loading saved models.
* :mod:`ganlib.models.cyclegan` — CycleGAN's generator (any depth) and PatchGAN discriminator (lesson 5).
* :mod:`ganlib.models.toy` — lesson 7's MLPs for 2-D points, with spectral normalisation and the minibatch
  standard deviation as options of the discriminator.
* :mod:`ganlib.models.layers` — what the convolutional builders share: N(0, 0.02) weights, batch-norm
  momentum, down- and up-sampling blocks.
"""

from ganlib.models import conditional, cyclegan, dcgan, mlp, pix2pix, toy  # noqa: F401 (models.conditional.FORMS, …)
from ganlib.models.conditional import build_conditional_discriminator, build_conditional_generator
from ganlib.models.cyclegan import build_cycle_generator, build_patch_discriminator
from ganlib.models.dcgan import build_dcgan_discriminator, build_dcgan_generator
from ganlib.models.mlp import build_mlp_discriminator, build_mlp_generator
from ganlib.models.pix2pix import build_patchgan_discriminator, build_unet_generator
from ganlib.models.toy import build_toy_discriminator, build_toy_generator

__all__ = [
    "build_mlp_generator",
    "build_mlp_discriminator",
    "build_dcgan_generator",
    "build_dcgan_discriminator",
    "build_unet_generator",
    "build_patchgan_discriminator",
    "build_conditional_generator",
    "build_conditional_discriminator",
    "build_cycle_generator",
    "build_patch_discriminator",
    "build_toy_generator",
    "build_toy_discriminator",
]
