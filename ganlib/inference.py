"""Running a trained Keras model over many inputs: in inference mode, in batches, NumPy in and out."""

from __future__ import annotations

import numpy as np

from ganlib import _checks


def predict_in_batches(model, inputs, batch_size: int = 256) -> np.ndarray:
    """Run ``model`` over ``inputs`` in batches with ``training=False``; return the outputs as float32 NumPy.

    Unlike ``model.predict`` it builds no ``tf.function`` and prints nothing, so a lesson can call it in a
    loop; batch norm uses its moving statistics and dropout is off.

    Args:
        model: a ``keras.Model`` with one input.
        inputs: an array ``(N, ...)`` the model takes; ``N`` may be 0.
        batch_size: inputs per forward pass.

    Returns:
        float32 array ``(N, *model.output_shape[1:])``.
    """
    batch_size = _checks.positive_int("batch_size", batch_size)
    inputs = np.asarray(inputs, dtype=np.float32)
    if len(inputs) == 0:
        return np.zeros((0, *model.output_shape[1:]), dtype=np.float32)
    parts = [model(inputs[start : start + batch_size], training=False) for start in range(0, len(inputs), batch_size)]
    return np.concatenate([np.asarray(part, dtype=np.float32) for part in parts])
