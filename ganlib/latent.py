"""Exploring a trained generator's latent space: noise vectors, interpolation, directions, digit search.

All functions are plain NumPy + Keras and run headless; :func:`ganlib.widgets.latent_explorer` puts
sliders on them.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks


def latent_dim_of(generator) -> int:
    """Return the size of a generator's noise input."""
    return int(generator.input_shape[-1])


def noise(latent_dim: int, n: int = 1, seed: int | None = 0) -> np.ndarray:
    """Return ``n`` standard-normal noise vectors ``(n, latent_dim)`` (float32), repeatable by ``seed``."""
    _checks.positive_int("latent_dim", latent_dim)
    _checks.positive_int("n", n)
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def interpolate(z_a, z_b, steps: int = 8, spherical: bool = True) -> np.ndarray:
    """Return ``steps`` points from ``z_a`` to ``z_b`` (both ends included).

    Spherical interpolation (slerp) keeps the points at the typical distance from the origin of Gaussian
    noise; a straight line would pass through the low-norm middle, which the generator rarely saw
    (White 2016, "Sampling Generative Networks").
    """
    z_a, z_b = np.asarray(z_a, np.float64).ravel(), np.asarray(z_b, np.float64).ravel()
    if z_a.shape != z_b.shape:
        raise ValueError(f"Expected `z_a` and `z_b` of the same size. Received: {z_a.shape} and {z_b.shape}")
    _checks.positive_int("steps", steps)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    if not spherical:
        return ((1 - t) * z_a + t * z_b).astype(np.float32)
    cos = np.dot(z_a, z_b) / (np.linalg.norm(z_a) * np.linalg.norm(z_b) + 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:  # (nearly) the same direction: a straight line is the same thing
        return ((1 - t) * z_a + t * z_b).astype(np.float32)
    return ((np.sin((1 - t) * omega) * z_a + np.sin(t * omega) * z_b) / np.sin(omega)).astype(np.float32)


def directions(latent_dim: int, k: int = 4, seed: int = 0) -> np.ndarray:
    """Return ``k`` random orthonormal directions ``(k, latent_dim)`` to move along in latent space."""
    _checks.positive_int("latent_dim", latent_dim)
    _checks.positive_int("k", k)
    if k > latent_dim:
        raise ValueError(f"Expected `k` <= latent_dim ({latent_dim}). Received: k={k}")
    gaussian = np.random.default_rng(seed).standard_normal((latent_dim, k))
    q, _ = np.linalg.qr(gaussian)
    return q.T.astype(np.float32)


def render(generator, z) -> np.ndarray:
    """Return the generator's images for noise ``z`` (``(latent_dim,)`` or ``(n, latent_dim)``), inference mode."""
    import keras

    z = np.atleast_2d(np.asarray(z, np.float32))
    return keras.ops.convert_to_numpy(generator(z, training=False))


def noise_for_seeds(latent_dim: int, seeds) -> np.ndarray:
    """Return one noise vector per seed, ``(len(seeds), latent_dim)``: seed ``s`` always gives the same ``z``."""
    return np.concatenate([noise(latent_dim, 1, int(seed)) for seed in seeds])


def search_digit(generator, judge, digit: int, n_candidates: int = 512, top: int = 8, first_seed: int = 0):
    """Find the seeds whose images the judge is most sure show ``digit``.

    Args:
        generator: a trained generator.
        judge: a :class:`ganlib.metrics.Judge`.
        digit: 0–9.
        n_candidates: seeds tried: ``first_seed``, ``first_seed + 1``, ...
        top: how many to return.
        first_seed: the first seed tried.

    Returns:
        ``(seeds, images, confidences)`` of the ``top`` best candidates, best first; ``noise(latent_dim, 1,
        seed)`` gives a seed's noise vector back.
    """
    if not (isinstance(digit, (int, np.integer)) and not isinstance(digit, bool) and 0 <= digit <= 9):
        raise ValueError(f"Expected `digit` in 0..9. Received: digit={digit!r}")
    top = min(_checks.positive_int("top", top), _checks.positive_int("n_candidates", n_candidates))
    seeds = np.arange(first_seed, first_seed + n_candidates)
    images = render(generator, noise_for_seeds(latent_dim_of(generator), seeds))
    confidence = judge.probabilities(images)[:, digit]
    best = np.argsort(-confidence, kind="stable")[:top]
    return seeds[best], images[best], confidence[best]
