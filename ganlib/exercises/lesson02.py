"""The checks of lesson 2 (DCGAN)'s exercises (the contract: :mod:`ganlib.exercises`)."""

from __future__ import annotations

import numpy as np

from ganlib.exercises.checking import call, not_attempted, todo


def check_transposed_conv_size(fn) -> bool:
    """Exercise: ``fn(size, stride)`` gives the output size of ``Conv2DTranspose(padding="same")``."""
    if not_attempted(fn):
        return todo("write `upsampled_size(size, stride)` and run this cell again.")
    cases = [(7, 2), (14, 2), (4, 2), (5, 3), (1, 4)]
    got = [call(fn, size, stride) for size, stride in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `upsampled_size` with your code.")
    want = [size * stride for size, stride in cases]
    valid = [(size - 1) * stride + 4 for size, stride in cases]
    if got == valid:
        raise AssertionError("That is the size with padding='valid' and kernel 4. With 'same', it is simpler.")
    if got != want:
        raise AssertionError(f"For (size, stride) = {cases} expected {want}, got {got}. Hint: 'same' means 'times the stride'.")
    print("✅ Correct: with padding='same', a stride-2 transposed convolution doubles the size: 7 → 14 → 28.")
    return True


def check_conv_params(fn) -> bool:
    """Exercise: ``fn(kernel_size, in_channels, filters, use_bias)`` gives a ``Conv2D`` layer's parameter count."""
    if not_attempted(fn):
        return todo("write `conv_params(kernel_size, in_channels, filters, use_bias)` and run this cell again.")
    cases = [(4, 1, 32, True), (4, 32, 64, False), (3, 3, 16, True), (5, 64, 128, False)]
    got = [call(fn, *case) for case in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `conv_params` with your code.")
    want = [k * k * c * f + (f if bias else 0) for k, c, f, bias in cases]
    if got == [k * k * f + (f if bias else 0) for k, c, f, bias in cases]:
        raise AssertionError("Each filter sees *all* input channels: multiply by in_channels too.")
    if got == [k * k * c * f + f for k, c, f, bias in cases]:
        raise AssertionError("Layers followed by batch norm have no bias (use_bias=False): count it only when there is one.")
    if got != want:
        raise AssertionError(f"For {cases} expected {want}, got {got}. Hint: kernel_size² · in_channels · filters (+ filters).")
    print("✅ Correct: a convolution's parameters do not depend on the image size — that is weight sharing.")
    return True


def check_linear_interpolation(fn) -> bool:
    """Exercise: ``fn(z_a, z_b, steps)`` returns ``steps`` points from ``z_a`` to ``z_b``, both included."""
    if not_attempted(fn):
        return todo("write `lerp(z_a, z_b, steps)` and run this cell again.")
    z_a, z_b = np.array([0.0, 2.0, -1.0]), np.array([4.0, 0.0, 1.0])
    got = call(fn, z_a, z_b, 5)
    if got is None:
        return todo("replace `raise NotImplementedError` in `lerp` with your code.")
    got = np.asarray(got, dtype=np.float64)
    want = np.linspace(0.0, 1.0, 5)[:, None] * (z_b - z_a) + z_a
    if got.shape != want.shape:
        raise AssertionError(f"Expected shape {want.shape} (steps × latent size), got {got.shape}.")
    if np.allclose(got, np.linspace(0.0, 1.0, 5, endpoint=False)[:, None] * (z_b - z_a) + z_a):
        raise AssertionError("The last point should be z_b itself: include the end point (np.linspace does by default).")
    if np.allclose(got, want[::-1]):
        raise AssertionError("Backwards: start at z_a and end at z_b.")
    if not np.allclose(got, want):
        raise AssertionError("Not quite. Hint: z(t) = (1 − t)·z_a + t·z_b for t = 0, 1/(steps−1), …, 1.")
    print("✅ Correct. ganlib.latent.interpolate also offers spherical interpolation (the default in the explorer).")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
