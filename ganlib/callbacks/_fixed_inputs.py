"""What a grid or dashboard draws from: fixed generator inputs, and the images made from them."""

from __future__ import annotations

import keras
import numpy as np

from ganlib import latent


def fixed_inputs(model, n, seed, inputs=None) -> np.ndarray:
    """The fixed generator inputs of a grid: the given ``inputs`` (an image translator's validation
    images), else ``n`` noise vectors drawn with ``seed``."""
    if inputs is not None:
        return np.asarray(inputs, dtype=np.float32)
    if translates_images(model):
        raise ValueError(
            f"{type(model).__name__} translates images: pass the images to show as `inputs=` "
            "(e.g. the first validation inputs)."
        )
    latent_dim = getattr(model, "latent_dim", None) or latent.latent_dim_of(model.generator)
    return latent.noise(latent_dim, n, seed)


def translates_images(model) -> bool:
    """Whether ``model`` draws from images (a translator: no noise, a ``preview`` of ``input | output``)."""
    return hasattr(model, "preview") and getattr(model, "latent_dim", None) is None


def samples(model, inputs) -> np.ndarray:
    """The images to show for ``inputs``: the sampler's output, or the model's own ``preview`` of them
    (``input | output`` for a translator; a conditional GAN's images with the classes cycling)."""
    if hasattr(model, "preview"):
        return model.preview(inputs)
    return keras.ops.convert_to_numpy(model.sampler(inputs, training=False))
