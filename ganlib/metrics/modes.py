"""Mode coverage of a 2-D generator on a mixture of Gaussians (lesson 7), scored as the mode-collapse papers do.

Srivastava et al. 2017 (VEEGAN, arXiv:1705.07761, section 5.1) draw 2,500 samples, count a sample as *high
quality* when it lies within three standard deviations of the nearest mode, and report the number of modes
captured and the percentage of high-quality samples (averaged over five runs). Lin et al. 2018 (PacGAN,
arXiv:1712.04086) add the reverse KL divergence of the samples' mode histogram to the uniform one. A mode
counts as covered here when at least ``min_count`` high-quality samples (20 by default, of 2,500) fall in it,
so a few strays do not count as a mode; ``min_count=1`` is VEEGAN's "nearest to at least one high-quality
sample".
"""

from __future__ import annotations

import math

import numpy as np

#: Samples drawn to score a toy generator (VEEGAN's and PacGAN's 2,500).
MODE_SAMPLES = 2500
#: High-quality samples a mode needs to count as covered (of :data:`MODE_SAMPLES`).
MIN_COUNT = 20


def mode_coverage(samples, centres, sigma: float, min_count: int = MIN_COUNT) -> dict:
    """Score 2-D samples against the modes of a mixture of Gaussians.

    Each sample is assigned to its nearest centre; it is *high quality* when that distance is at most
    ``3·sigma``.

    Args:
        samples: ``(N, 2)`` generated points (2,500 in the papers, :data:`MODE_SAMPLES`).
        centres: ``(K, 2)`` the mixture's centres.
        sigma: the components' standard deviation.
        min_count: high-quality samples a mode needs to count as covered (20; 1 is VEEGAN's rule).

    Returns:
        ``{"modes": covered modes, "of": K, "high_quality": share of the samples that are high quality,
        "reverse_kl": KL(q ‖ uniform) = Σ_k q_k·log(K·q_k), where q is the histogram of the high-quality samples
        over the K modes (0 when they are spread evenly, log K when all sit in one mode, ``inf`` without a
        high-quality sample), "counts": the high-quality samples per mode (int array, length K)}``.

    Example:

    >>> centres = np.array([[0.0, 0.0], [2.0, 0.0]])
    >>> result = mode_coverage(np.array([[0.01, 0.0]] * 30 + [[1.0, 0.0]] * 10), centres, 0.05)
    >>> result["modes"], result["high_quality"], round(result["reverse_kl"], 3)
    (1, 0.75, 0.693)
    """
    samples = np.asarray(samples, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2 or not len(samples):
        raise ValueError(f"Expected `samples` of shape (N, 2) with N > 0. Received: shape={samples.shape}")
    if centres.ndim != 2 or centres.shape[1] != 2 or not len(centres):
        raise ValueError(f"Expected `centres` of shape (K, 2) with K > 0. Received: shape={centres.shape}")
    if not (isinstance(sigma, (int, float, np.floating)) and math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"Expected `sigma` > 0. Received: sigma={sigma!r}")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"Expected `min_count` >= 1. Received: min_count={min_count!r}")
    if not np.all(np.isfinite(samples)):
        raise ValueError("Expected finite `samples`. Received: NaN or infinity (the generator diverged)")
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=-1)  # (N, K)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(len(samples)), nearest] <= 3.0 * sigma
    counts = np.bincount(nearest[good], minlength=len(centres))
    total = int(counts.sum())
    if total:
        shares = counts[counts > 0] / total
        reverse_kl = float(np.sum(shares * np.log(len(centres) * shares)))
    else:
        reverse_kl = math.inf
    return {
        "modes": int(np.count_nonzero(counts >= min_count)),
        "of": len(centres),
        "high_quality": total / len(samples),
        "reverse_kl": max(reverse_kl, 0.0),
        "counts": counts,
    }


def describe_coverage(result: dict) -> str:
    """One line for a :func:`mode_coverage` result: ``"25 of 25 modes, 93.1% high quality, reverse KL 0.012"``."""
    return (f"{result['modes']} of {result['of']} modes, {100 * result['high_quality']:.1f}% high quality, "
            f"reverse KL {result['reverse_kl']:.3f}")
