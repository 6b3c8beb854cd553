"""FID as a function of the number of generated samples N, and its extrapolation to N → ∞.

The FID of a finite sample is biased: its expectation is above the distance between the two distributions,
and the bias shrinks as N grows, so FIDs computed from different N are not comparable. Chong & Forsyth 2020,
"Effectively Unbiased FID and Inception Score and where to find them" (CVPR 2020, arXiv:1911.07023), show
that FID_N is, to a good approximation, linear in 1/N: ``FID_N ≈ FID_∞ + slope / N``. Their FID_∞ computes
FID_N at several N (15 values from 5,000 to 50,000 in their code, each a random subset of the generated
features, the real statistics fixed), fits a straight line in 1/N by least squares, and reads its value at
1/N = 0.

* :func:`fid_by_n` — FID_N of random subsets of the generated features, at each N, a few draws each.
* :func:`extrapolate_fid` — the least-squares line in 1/N: ``(FID_∞, slope)``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ganlib import _checks
from ganlib.metrics.features import check_feature_sets
from ganlib.metrics.scores import frechet_distance


def _sizes(ns, limit: int | None = None) -> np.ndarray:
    values = np.asarray(ns)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"Expected `ns` as a non-empty list of sample sizes. Received: ns={ns!r}")
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in values.tolist()):
        raise ValueError(f"Expected whole numbers in `ns`. Received: ns={values.tolist()}")
    if values.min() < 2:
        raise ValueError(f"Expected every N in `ns` >= 2 (a covariance needs two rows). Received: ns={values.tolist()}")
    if limit is not None and values.max() > limit:
        raise ValueError(
            f"Expected every N in `ns` <= {limit}, the number of generated rows (subsets are drawn without "
            f"replacement). Received: ns={values.tolist()}"
        )
    return values.astype(np.int64)


def fid_by_n(real_features, fake_features, ns, draws: int = 1, seed: int = 0, distance=None) -> dict:
    """Return the FID of ``N`` generated rows against all the real rows, for each ``N`` in ``ns``.

    For each N, ``draws`` times: N rows of ``fake_features`` drawn without replacement, and their Fréchet
    distance to the whole of ``real_features`` (the real statistics stay fixed, as in Chong & Forsyth's
    code). Pass real rows the judge's reference never held as ``fake_features`` to get the real-vs-real floor.

    Args:
        real_features: ``(m, d)`` reference features, m >= 2.
        fake_features: ``(n, d)`` features to subsample, n >= max(ns), same d.
        ns: the sample sizes, each in 2..n.
        draws: random subsets per N.
        seed: seed of the subsets (``np.random.default_rng(seed)``).
        distance: ``fn(real, fake) -> float`` (default :func:`ganlib.metrics.frechet_distance`); lesson 8
            passes the learner's.

    Returns:
        A dict with ``"n"`` (int64 ``(len(ns),)``), ``"fid"`` (the mean over the draws), ``"std"`` (their
        sample standard deviation, ddof=1; 0 for one draw) and ``"values"`` (``(len(ns), draws)``).
    """
    real, fake = check_feature_sets(real_features, fake_features, 2, "a covariance needs two rows")
    sizes = _sizes(ns, len(fake))
    draws = _checks.positive_int("draws", draws)
    rng = np.random.default_rng(_checks.seed(seed))
    score = distance or frechet_distance
    values = np.array([
        [float(score(real, fake[rng.choice(len(fake), n, replace=False)])) for _ in range(draws)] for n in sizes
    ])
    std = values.std(axis=1, ddof=1) if draws > 1 else np.zeros(len(sizes))
    return {"n": sizes, "fid": values.mean(axis=1), "std": std, "values": values}


def extrapolate_fid(ns, fids) -> tuple[float, float]:
    """Return ``(FID_∞, slope)`` of the least-squares line ``FID_N = FID_∞ + slope / N``.

    Args:
        ns: the sample sizes (at least two different ones).
        fids: the FID measured at each of them (e.g. :func:`fid_by_n`'s ``"fid"``).

    Returns:
        The line's value at 1/N = 0 (Chong & Forsyth's FID_∞) and its slope in 1/N.
    """
    sizes = _sizes(ns)
    values = np.asarray(fids, dtype=np.float64)
    if values.shape != sizes.shape:
        raise ValueError(f"Expected one FID per N. Received: {len(sizes)} values of N and FIDs of shape {values.shape}")
    _checks.finite_values("fids", values)
    if len(np.unique(sizes)) < 2:
        raise ValueError(f"Expected at least two different N to fit a line. Received: ns={sizes.tolist()}")
    slope, intercept = np.polyfit(1.0 / sizes, values, 1)
    return float(intercept), float(slope)
