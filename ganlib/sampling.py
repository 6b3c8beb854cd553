"""Drawing images from a trained generator, unconditional or conditional: noise (and class labels) in,
float32 images in [-1, 1] out, in inference mode and in batches (:func:`ganlib.inference.predict_in_batches`).

    images = sampling.generate(generator, 64, seed=0)                 # z -> image (lessons 1, 2, 6)
    sevens = sampling.generate(cgan_generator, 16, labels=7, seed=0)  # [z, y] -> image (lesson 4)
    grid = sampling.style_by_class(cgan_generator, rows=4)            # one noise vector per row, a class per column

The noise is :func:`ganlib.latent.noise` ``(latent_dim, n, seed)`` in every case, so the same seed draws the
same noise from either kind of generator. Below :mod:`ganlib.metrics` and :mod:`ganlib.training`, which use it.
"""

from __future__ import annotations

import keras
import numpy as np

from ganlib import _checks, latent
from ganlib.inference import predict_in_batches


def is_conditional(generator) -> bool:
    """Whether ``generator`` takes ``[z, labels]`` (a conditional generator, lesson 4)."""
    inputs = generator.input_shape
    return isinstance(inputs, list) and len(inputs) == 2 and len(inputs[0]) == 2 and len(inputs[1]) == 1


def class_labels(n: int, labels=None, num_classes: int = 10) -> np.ndarray:
    """``n`` int32 labels: ``labels`` repeated (one int) or checked (``n`` of them), else ``i mod num_classes``."""
    n = _checks.positive_int("n", n)
    if labels is None:
        return (np.arange(n) % num_classes).astype(np.int32)
    values = np.asarray(labels)
    if not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"Expected integer class labels. Received: labels with dtype {values.dtype}")
    values = np.full(n, int(values), np.int64) if values.ndim == 0 else values.reshape(-1)
    if len(values) != n:
        raise ValueError(f"Expected one label or {n} labels. Received: {len(values)} labels")
    if values.min() < 0 or values.max() >= num_classes:
        raise ValueError(
            f"Expected labels in 0..{num_classes - 1}. Received: labels from {values.min()} to {values.max()}"
        )
    return values.astype(np.int32)


def num_classes_of(generator) -> int:
    """The number of classes of a conditional generator: its label embedding's (the ``Embedding`` layer named
    ``"label_embedding"``, else its first ``Embedding``), or its one-hot layer's (``CategoryEncoding``)."""
    embeddings = [layer for layer in generator.layers if isinstance(layer, keras.layers.Embedding)]
    if embeddings:
        return int(min(embeddings, key=lambda layer: layer.name != "label_embedding").input_dim)
    for layer in generator.layers:
        if isinstance(layer, keras.layers.CategoryEncoding):
            return int(layer.num_tokens)
    raise ValueError(
        "Expected a conditional generator with a label embedding (a keras.layers.Embedding or CategoryEncoding "
        f"layer). Received: {generator.name!r}"
    )


def generate(generator, n: int, labels=None, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
    """Return ``n`` images of ``generator`` as float32 NumPy in [-1, 1] (inference mode).

    Args:
        generator: a ``keras.Model`` taking ``(batch, latent_dim)`` noise, or ``[noise, labels]``
            (a conditional generator).
        n: number of images.
        labels: conditional generators only: one class for all, ``n`` classes, or ``None`` (image ``i`` is
            class ``i mod num_classes``); see :func:`class_labels`.
        seed: seed of the noise (:func:`ganlib.latent.noise`), for the same images each call.
        batch_size: images per forward pass.
    """
    n = _checks.positive_int("n", n)
    if not is_conditional(generator):
        if labels is not None:
            raise ValueError("Expected `labels` only for a conditional generator ([z, labels] inputs). "
                             f"Received: labels for {generator.name!r}, whose input is {generator.input_shape}")
        return predict_in_batches(generator, latent.noise(latent.latent_dim_of(generator), n, seed), batch_size)
    labels = class_labels(n, labels, num_classes_of(generator))
    noise = latent.noise(int(generator.input_shape[0][-1]), n, seed)
    return predict_in_batches(generator, [noise, labels], batch_size)


def style_by_class(generator, rows: int = 4, seed: int = 0) -> np.ndarray:
    """The "style × class" grid: ``rows`` noise vectors, each drawn as every class; returns
    ``(rows · num_classes, H, W, C)`` images, row-major (``viz.tile(images, ncols=num_classes)`` lays them out
    with one noise vector per row and one class per column)."""
    classes = num_classes_of(generator)
    noise = np.repeat(latent.noise(int(generator.input_shape[0][-1]), rows, seed), classes, axis=0)
    labels = np.tile(np.arange(classes, dtype=np.int32), rows)
    return keras.ops.convert_to_numpy(generator([noise, labels], training=False)).astype(np.float32)


