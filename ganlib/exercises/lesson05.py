"""The checks of lesson 5 (CycleGAN)'s exercises (the contract: :mod:`ganlib.exercises`)."""

from __future__ import annotations

import numpy as np

from ganlib.data import unpaired
from ganlib.exercises.checking import as_float, call, close, not_attempted, todo

_REAL_A = np.array([[0.5, -1.0], [1.0, 0.0]], dtype=np.float32).reshape(1, 2, 2, 1)
_CYCLED_A = np.array([[0.0, -1.0], [0.5, 0.5]], dtype=np.float32).reshape(1, 2, 2, 1)
_REAL_B = np.array([[-0.5, 0.25], [0.75, -1.0]], dtype=np.float32).reshape(1, 2, 2, 1)
_CYCLED_B = np.array([[-0.25, 0.25], [-0.25, -0.5]], dtype=np.float32).reshape(1, 2, 2, 1)


def check_cycle_loss(fn) -> bool:
    """Exercise: ``fn(real_a, cycled_a, real_b, cycled_b)`` is CycleGAN's cycle loss,
    ``mean |cycled_a − real_a| + mean |cycled_b − real_b|``."""
    if not_attempted(fn):
        return todo("write `cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b)` and run this cell again.")
    got = call(fn, _REAL_A, _CYCLED_A, _REAL_B, _CYCLED_B)
    if got is None:
        return todo("replace `raise NotImplementedError` in `cycle_consistency_loss` with your code.")
    got = as_float(got)
    a = float(np.mean(np.abs(_CYCLED_A - _REAL_A)))  # 0.375
    b = float(np.mean(np.abs(_CYCLED_B - _REAL_B)))  # 0.4375
    if close(got, a + b):
        print(f"✅ Correct: {a:.4f} (A → B → A) + {b:.4f} (B → A → B) = {got:.4f}.")
        return True
    squared = float(np.mean((_CYCLED_A - _REAL_A) ** 2) + np.mean((_CYCLED_B - _REAL_B) ** 2))
    if close(got, squared):
        raise AssertionError("That is the squared (L2) error: CycleGAN uses the absolute error (L1).")
    if close(got, a) or close(got, b):
        raise AssertionError("Add both cycles: A → B → A and B → A → B.")
    if close(got, (a + b) / 2):
        raise AssertionError("Sum the two cycles' means (the paper adds them); do not average them.")
    raise AssertionError(f"Expected {a + b:.4f}, got {got:.4f}. Hint: np.mean(np.abs(cycled_a - real_a)) + the same for b.")


def check_blend(fn) -> bool:
    """Exercise: ``fn(digits, crops)`` blends digits into photo crops as MNIST-M does (images in [-1, 1]):
    ``|crop − digit|`` per channel in [0, 1] terms, returned in [-1, 1]."""
    if not_attempted(fn):
        return todo("write `blend(digits, crops)` and run this cell again.")
    digits = np.array([-1.0, 1.0, 0.0, 0.5], dtype=np.float32).reshape(1, 1, 4, 1)
    crops = np.array([[0.2, -0.6, 1.0], [0.2, -0.6, 1.0], [-1.0, 0.0, 0.6], [0.5, 0.5, -0.5]], np.float32)
    crops = crops.reshape(1, 1, 4, 3)
    got = call(fn, digits, crops)
    if got is None:
        return todo("replace `raise NotImplementedError` in `blend` with your code.")
    got = np.asarray(got, dtype=np.float64)
    expected = unpaired.blend_with_photos(digits, crops)
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-5):
        print("✅ Correct: the photo shows where the digit is black, its colours inverted where the digit is white.")
        return True
    if got.shape == expected.shape and np.allclose(got, np.abs(crops - digits), atol=1e-5):
        raise AssertionError("Take |crop − digit| on pixels in [0, 1] ((x + 1) / 2), then map back to [-1, 1].")
    if got.shape == expected.shape and np.allclose(got, (expected + 1) / 2, atol=1e-5):
        raise AssertionError("Right blend, wrong range: map the [0, 1] result back to [-1, 1] (2·x − 1).")
    raise AssertionError(f"Expected {expected.ravel().round(3).tolist()}, got {got.ravel().round(3).tolist()}.")


__all__ = [name for name in dir() if name.startswith("check_")]
