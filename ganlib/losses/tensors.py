"""What every loss shares: logits and images as float32 tensors, the checked label smoothing, and a stable
binary cross-entropy from logits."""

from __future__ import annotations

import math
import numbers

import tensorflow as tf


def as_float32(values) -> tf.Tensor:
    """Convert logits, images, NumPy arrays or lists to a float32 tensor (casting other dtypes)."""
    if tf.is_tensor(values):
        return values if values.dtype == tf.float32 else tf.cast(values, tf.float32)
    return tf.convert_to_tensor(values, dtype=tf.float32)


def validate_label_smoothing(label_smoothing) -> float:
    """Return ``label_smoothing`` as a Python float, or raise ``ValueError`` unless it lies in [0, 1)."""
    if (
        not isinstance(label_smoothing, numbers.Real)
        or isinstance(label_smoothing, bool)
        or math.isnan(label_smoothing)
        or not 0.0 <= label_smoothing < 1.0
    ):
        raise ValueError(
            f"Expected `label_smoothing` in [0, 1). Received: label_smoothing={label_smoothing!r}"
        )
    return float(label_smoothing)


def binary_cross_entropy(logits: tf.Tensor, target: float) -> tf.Tensor:
    """Mean of ``−[t·log D + (1 − t)·log(1 − D)]`` over all elements, computed stably from the logits."""
    labels = tf.fill(tf.shape(logits), tf.constant(target, dtype=tf.float32))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
