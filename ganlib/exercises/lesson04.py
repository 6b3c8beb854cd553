"""The checks of lesson 4 (conditional GANs)'s exercises (the contract: :mod:`ganlib.exercises`)."""

from __future__ import annotations

import numpy as np

from ganlib.exercises.checking import call, not_attempted, todo

_RNG = np.random.default_rng(4)
_FEATURES = _RNG.normal(size=(5, 6)).astype(np.float32)
_W = _RNG.normal(size=(6, 1)).astype(np.float32)
_B = np.float32(0.3)
_CLASS_VECTORS = _RNG.normal(size=(10, 6)).astype(np.float32)
_LABELS = np.array([0, 7, 3, 7, 9])


def check_projection_logit(fn) -> bool:
    """Exercise: ``fn(features, w, b, class_vectors, labels)`` is the projection discriminator's logit
    ``w·h + b + class_vectors[y]·h`` for each row ``h`` of ``features``, shape ``(N, 1)`` or ``(N,)``."""
    if not_attempted(fn):
        return todo("write `projection_logit(features, w, b, class_vectors, labels)` and run this cell again.")
    got = call(fn, _FEATURES, _W, _B, _CLASS_VECTORS, _LABELS)
    if got is None:
        return todo("replace `raise NotImplementedError` in `projection_logit` with your code.")
    got = np.asarray(got, dtype=np.float64).reshape(-1)
    unconditional = (_FEATURES @ _W)[:, 0] + _B
    projection = np.sum(_CLASS_VECTORS[_LABELS] * _FEATURES, axis=1)
    want = unconditional + projection
    if got.shape != want.shape:
        raise AssertionError(f"Expected one logit per image, {want.shape[0]} in all; got shape {got.shape}.")
    if np.allclose(got, unconditional, atol=1e-4):
        raise AssertionError("That is the unconditional logit w·h + b alone: add the label's term embed(y)·h.")
    if np.allclose(got, projection, atol=1e-4):
        raise AssertionError("That is the projection term alone: D also needs w·h + b, 'does it look real at all'.")
    if np.allclose(got, unconditional + np.sum(_CLASS_VECTORS[:5] * _FEATURES, axis=1), atol=1e-4):
        raise AssertionError("Pick each image's class vector by its label: class_vectors[labels], not the first rows.")
    if not np.allclose(got, want, atol=1e-4):
        raise AssertionError(f"Expected {np.round(want, 3)}, got {np.round(got, 3)}. Hint: an inner product per row.")
    print("✅ Correct: the label asks 'how much does this image look like class y', as an inner product with h.")
    return True


def check_label_channels(fn) -> bool:
    """Exercise: ``fn(labels, height, width, num_classes)`` gives the input-concatenation discriminator's label
    channels: float32 ``(N, height, width, num_classes)``, 1 in channel ``labels[i]`` everywhere, else 0."""
    if not_attempted(fn):
        return todo("write `label_channels(labels, height, width, num_classes)` and run this cell again.")
    labels = np.array([2, 0, 9])
    got = call(fn, labels, 4, 5, 10)
    if got is None:
        return todo("replace `raise NotImplementedError` in `label_channels` with your code.")
    got = np.asarray(got)
    want = np.zeros((3, 4, 5, 10), np.float32)
    want[np.arange(3), :, :, labels] = 1.0
    if got.shape == (3, 10, 4, 5):
        raise AssertionError("Keras images are channels-last: shape (N, height, width, num_classes).")
    if got.shape != want.shape:
        raise AssertionError(f"Expected shape {want.shape}, got {got.shape}.")
    if not np.array_equal(got, want):
        raise AssertionError("Each image gets num_classes constant planes: 1 everywhere in its label's plane, 0 elsewhere.")
    print("✅ Correct: concatenated to the image, these planes let every convolution see the requested class.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
