"""The checks of lesson 3 (pix2pix)'s exercises (the contract: :mod:`ganlib.exercises`)."""

from __future__ import annotations

import math

import numpy as np

from ganlib import losses
from ganlib.exercises.checking import FAKE_LOGITS as _FAKE
from ganlib.exercises.checking import as_float, call, close, not_attempted, todo


def check_receptive_field(fn) -> bool:
    """Exercise: ``fn(kernel_sizes, strides)`` gives the receptive field of a stack of convolutions."""
    if not_attempted(fn):
        return todo("write `receptive_field(kernel_sizes, strides)` and run this cell again.")
    cases = [([4, 4, 4, 4, 4], [2, 2, 2, 1, 1]), ([4, 4, 4], [2, 1, 1]), ([3, 3], [1, 1]), ([4, 4, 4, 4], [2, 2, 1, 1])]
    got = [call(fn, kernels, strides) for kernels, strides in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `receptive_field` with your code.")
    want = [70, 16, 5, 34]
    if got == [1 + sum(k - 1 for k in kernels) for kernels, _ in cases]:
        raise AssertionError("You ignored the strides: after a stride-2 layer, one more pixel of kernel covers 2 input pixels.")
    if got != want:
        raise AssertionError(f"For {cases} expected {want}, got {got}. Hint: r = 1 + Σ (k_i − 1) · (product of earlier strides).")
    print("✅ Correct: the pix2pix discriminator C64-C128-C256-C512-C1 sees 70×70 patches.")
    return True


def check_pix2pix_generator_loss(fn) -> bool:
    """Exercise: ``fn(fake_logits, targets, outputs, l1_weight)`` is the pix2pix generator loss: the
    non-saturating GAN loss on the patch logits plus ``l1_weight · mean |targets − outputs|``."""
    if not_attempted(fn):
        return todo("write `pix2pix_generator_loss(fake_logits, targets, outputs, l1_weight)` and run this cell again.")
    fake_logits = _FAKE.reshape(1, 1, 5, 1)
    targets = np.array([[0.5, -1.0], [1.0, 0.0]], dtype=np.float32).reshape(1, 2, 2, 1)
    outputs = np.array([[0.0, -1.0], [0.5, 0.5]], dtype=np.float32).reshape(1, 2, 2, 1)
    got = call(fn, fake_logits, targets, outputs, 100.0)
    if got is None:
        return todo("replace `raise NotImplementedError` in `pix2pix_generator_loss` with your code.")
    got = as_float(got)
    gan = as_float(losses.non_saturating_generator_loss(fake_logits))
    l1 = float(np.mean(np.abs(targets - outputs)))  # 0.375
    if close(got, gan + 100 * l1):
        print(f"✅ Correct: {gan:.4f} (GAN) + 100 × {l1:.3f} (L1) = {got:.4f}. The L1 term dominates the sum.")
        return True
    if close(got, gan + 100 * float(np.mean((targets - outputs) ** 2))):
        raise AssertionError("That is the squared (L2) error: pix2pix uses the absolute error, which blurs less.")
    if close(got, gan + l1):
        raise AssertionError("Multiply the L1 term by `l1_weight` (λ = 100 in the paper).")
    if close(got, 100 * l1):
        raise AssertionError("Add the adversarial part: the non-saturating loss of the fake patch logits.")
    raise AssertionError(f"Expected {gan + 100 * l1:.4f}, got {got:.4f}. Hint: losses.non_saturating_generator_loss(fake_logits) + λ·mean|y − G(x)|.")


def check_psnr(fn) -> bool:
    """Exercise: ``fn(targets, outputs)`` gives the PSNR in dB of images in [-1, 1] (pixels scaled to [0, 1])."""
    if not_attempted(fn):
        return todo("write `my_psnr(targets, outputs)` and run this cell again.")
    targets = np.zeros((1, 4, 4, 1), dtype=np.float32)
    outputs = targets + 0.2  # 0.1 on the [0, 1] scale: MSE 0.01, 20 dB
    got = call(fn, targets, outputs)
    if got is None:
        return todo("replace `raise NotImplementedError` in `my_psnr` with your code.")
    got = as_float(got)
    if close(got, 20.0, 1e-3):
        print("✅ Correct: an error of 0.1 of the pixel range everywhere is 20 dB; every halving of it adds 6 dB.")
        return True
    if close(got, 10 * math.log10(4 / 0.04), 1e-3) or close(got, 10 * math.log10(1 / 0.04), 1e-3):
        raise AssertionError("Scale the pixels to [0, 1] first ((x + 1) / 2): the error is then 0.1, not 0.2.")
    raise AssertionError(f"Expected 20.0 dB, got {got:.3f}. Hint: 10 · log10(1 / mean((Δ/2)²)).")


__all__ = [name for name in dir() if name.startswith("check_")]
