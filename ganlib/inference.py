"""Running a trained Keras model over many inputs: in inference mode, in batches, NumPy in and out."""

from __future__ import annotations

import numpy as np

from ganlib import _checks


def predict_in_batches(model, inputs, batch_size: int = 256) -> np.ndarray:
    """Run ``model`` over ``inputs`` in batches with ``training=False``; return the outputs as float32 NumPy.

    Unlike ``model.predict`` it builds no ``tf.function`` and prints nothing, so a lesson can call it in a
    loop; batch norm uses its moving statistics and dropout is off.

    Args:
        model: a ``keras.Model``.
        inputs: an array ``(N, ...)`` the model takes (as float32), or a list of such arrays for a model of several
            inputs (a conditional generator's ``[noise, labels]``; integer arrays keep their type); ``N`` may
            be 0.
        batch_size: inputs per forward pass.

    Returns:
        float32 array ``(N, *model.output_shape[1:])``.
    """
    batch_size = _checks.positive_int("batch_size", batch_size)
    several = isinstance(inputs, (list, tuple))
    arrays = [_as_input(a) for a in inputs] if several else [np.asarray(inputs, dtype=np.float32)]
    if len(arrays[0]) == 0:
        return np.zeros((0, *model.output_shape[1:]), dtype=np.float32)
    parts = []
    for start in range(0, len(arrays[0]), batch_size):
        batch = [a[start : start + batch_size] for a in arrays]
        parts.append(model(batch if several else batch[0], training=False))
    return np.concatenate([np.asarray(part, dtype=np.float32) for part in parts])


def _as_input(values) -> np.ndarray:
    """An array as a model input: integers as they are (class labels), anything else as float32."""
    values = np.asarray(values)
    return values if np.issubdtype(values.dtype, np.integer) else values.astype(np.float32, copy=False)
