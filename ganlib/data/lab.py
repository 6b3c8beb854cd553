"""Lab colour for the colourisers: RGB ↔ Lab, both scaled to [-1, 1], and the grey (lightness) input.

Lightness ``L`` runs 0..100 and is scaled as ``L/50 − 1``; the colour channels ``a`` and ``b`` are divided
by :data:`LAB_AB_SCALE`. :class:`ganlib.models.pix2pix.LabToRGB`, the colouriser's output layer, uses the
same constant.
"""

from __future__ import annotations

import numpy as np

#: Lightness in Lab runs 0..100; a and b are scaled by this to [-1, 1].
LAB_AB_SCALE = 110.0


def rgb_to_lab(images) -> np.ndarray:
    """Convert RGB images in [-1, 1] to Lab scaled to [-1, 1] (``L/50 − 1``, ``a/110``, ``b/110``)."""
    from skimage.color import rgb2lab

    lab = rgb2lab((np.asarray(images, dtype=np.float64) + 1.0) / 2.0)
    scaled = np.concatenate([lab[..., :1] / 50.0 - 1.0, lab[..., 1:] / LAB_AB_SCALE], axis=-1)
    return scaled.astype(np.float32)


def lab_to_rgb(lab) -> np.ndarray:
    """Inverse of :func:`rgb_to_lab`: scaled Lab in [-1, 1] to RGB in [-1, 1] (out-of-gamut colours clipped)."""
    from skimage.color import lab2rgb

    lab = np.asarray(lab, dtype=np.float64)
    unscaled = np.concatenate([(lab[..., :1] + 1.0) * 50.0, lab[..., 1:] * LAB_AB_SCALE], axis=-1)
    return (lab2rgb(unscaled) * 2.0 - 1.0).astype(np.float32)


def to_grey(images) -> np.ndarray:
    """Return the lightness of RGB images in [-1, 1] as one channel in [-1, 1] (the colourisers' input)."""
    return rgb_to_lab(images)[..., :1]
