"""Lesson 7's 2-D toys: mixtures of Gaussians where mode collapse is visible in seconds.

The two mixtures the mode-collapse papers train on, each an equal-weight mixture of isotropic Gaussians: the
ring (Metz et al. 2017, "Unrolled Generative Adversarial Networks", arXiv:1611.02163, who use the ring only;
Srivastava et al. 2017, VEEGAN, arXiv:1705.07761; Lin et al. 2018, PacGAN, arXiv:1712.04086) and the grid
(VEEGAN and PacGAN):

* ``"ring"`` — 8 Gaussians with their centres evenly spaced on a circle of radius 2, σ = 0.02;
* ``"grid"`` — 25 Gaussians centred on the 5×5 grid {−4, −2, 0, 2, 4}², σ = 0.05 (PacGAN's code uses these
  centres and σ; its ring has radius 1 and σ = 0.01, the same shape at half the scale).

:func:`toy_mixture` draws the real points and gives the centres and σ that :func:`ganlib.metrics.mode_coverage`
scores a generator's samples against; :func:`make_toy_dataset` batches them for training.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ganlib import _checks

#: The toy mixtures: name -> (centres as a list of (x, y), σ of every component).
TOY_MIXTURES = {
    "ring": (
        [(2.0 * math.cos(2 * math.pi * k / 8), 2.0 * math.sin(2 * math.pi * k / 8)) for k in range(8)],
        0.02,
    ),
    "grid": ([(float(x), float(y)) for x, y in itertools.product((-4, -2, 0, 2, 4), repeat=2)], 0.05),
}

#: Real points the lessons and the CLI train on (PacGAN trains on 100,000).
TOY_POINTS = 100_000


def _check_name(name) -> str:
    if name not in TOY_MIXTURES:
        raise ValueError(f"Expected `name` to be one of {sorted(TOY_MIXTURES)}. Received: name={name!r}")
    return name


def toy_centres(name: str) -> tuple[np.ndarray, float]:
    """The centres ``(K, 2)`` (float32) and σ of the toy mixture ``name`` (``"ring"`` or ``"grid"``)."""
    centres, sigma = TOY_MIXTURES[_check_name(name)]
    return np.asarray(centres, dtype=np.float32), sigma


def toy_scale(name: str) -> float:
    """The standard deviation of each coordinate of the toy mixture ``name``: ``sqrt(mean of cₓ² over the centres
    + σ²)`` (the centres are centred on 0): sqrt(2 + 0.02²) ≈ 1.4144 for the ring, sqrt(8 + 0.05²) ≈ 2.8289 for
    the grid (√2 and √8, 2.828, without the σ² term)."""
    centres, sigma = toy_centres(name)
    return float(np.sqrt(np.mean(centres.astype(np.float64) ** 2) + sigma**2))


def toy_mixture(name: str, n: int = TOY_POINTS, seed: int | None = 0):
    """Draw ``n`` points of the toy mixture ``name``: each picks a component uniformly, then adds N(0, σ²I).

    Args:
        name: ``"ring"`` (8 Gaussians on a circle of radius 2, σ = 0.02) or ``"grid"`` (25 Gaussians on
            {−4, −2, 0, 2, 4}², σ = 0.05).
        n: how many points.
        seed: seed of the draw (``None``: a fresh one each call).

    Returns:
        ``(points, centres)``: float32 arrays ``(n, 2)`` and ``(K, 2)``. σ is :func:`toy_centres`'s second value.

    Example:

    >>> points, centres = toy_mixture("ring", 1000, seed=0)
    >>> points.shape, centres.shape
    ((1000, 2), (8, 2))
    """
    centres, sigma = toy_centres(name)
    n = _checks.positive_int("n", n)
    rng = np.random.default_rng(_checks.seed(seed, allow_none=True))
    components = rng.integers(0, len(centres), size=n)
    points = centres[components] + sigma * rng.standard_normal((n, 2))
    return points.astype(np.float32), centres


def make_toy_dataset(points, batch_size: int, seed: int | None = None):
    """A shuffled, batched, prefetched ``tf.data.Dataset`` of 2-D points: float32 batches ``(batch_size, 2)``.

    The last incomplete batch is dropped; the order is reshuffled every pass (``seed`` makes it repeatable).
    """
    import tensorflow as tf

    points = np.asarray(points, dtype=np.float32)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"Expected `points` of shape (N, 2). Received: shape={points.shape}")
    _checks.finite_values("points", points)
    batch_size = _checks.positive_int("batch_size", batch_size)
    if batch_size > len(points):
        raise ValueError(f"Expected `batch_size` <= the number of points ({len(points)}). Received: batch_size={batch_size}")
    dataset = tf.data.Dataset.from_tensor_slices(points)
    dataset = dataset.shuffle(len(points), seed=_checks.seed(seed, allow_none=True), reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
