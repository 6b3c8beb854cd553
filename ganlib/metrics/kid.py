"""KID, the Kernel Inception Distance: an unbiased estimate of the squared MMD between two feature sets.

Bińkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD GANs" (arXiv:1801.01401): KID is the squared
maximum mean discrepancy between the features of real and generated images with the cubic polynomial kernel
``k(x, y) = (xᵀy / d + 1)³``, ``d`` the number of features. Its estimator (Gretton et al. 2012, "A Kernel
Two-Sample Test") is unbiased: averaged over many draws it equals
the true MMD², so it does not shrink as the number of samples grows, unlike the FID
(:mod:`ganlib.metrics.fid_by_n`). With two samples of one distribution its expectation is 0, so a single
estimate can be negative.

* :func:`polynomial_kernel` — the kernel matrix between two sets.
* :func:`mmd2_unbiased` — the unbiased MMD² of two whole sets.
* :func:`kid` — its mean and standard deviation over random subsets, as KID is reported.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks
from ganlib.metrics.features import check_feature_sets


def polynomial_kernel(x, y) -> np.ndarray:
    """Return the matrix ``K[i, j] = (x_iᵀ y_j / d + 1)³`` of KID's kernel, float64 ``(len(x), len(y))``.

    Args:
        x: ``(m, d)`` features.
        y: ``(n, d)`` features.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(real_features, fake_features) -> float:
    """Return the unbiased estimate of MMD² between two feature sets with KID's cubic kernel.

    ``MMD²_u = 1/(m(m−1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i, y_j) − 2/(mn) Σ_{i,j} k(x_i, y_j)``
    for ``m`` real rows ``x`` and ``n`` fake rows ``y``: each within-set sum leaves out an image's kernel
    with itself (the diagonal), which is what makes the estimate unbiased (Gretton et al. 2012); the term across
    the sets averages every pair, as Bińkowski et al.'s KID does.

    Args:
        real_features: ``(m, d)`` features, m >= 2.
        fake_features: ``(n, d)`` features, n >= 2, same d.

    Returns:
        The estimate (0 on average for two samples of one distribution; a single one can be below 0).
    """
    real, fake = check_feature_sets(real_features, fake_features, 2, "the unbiased MMD² leaves out each row's pair with itself")
    m, n = len(real), len(fake)
    k_rr, k_ff, k_rf = polynomial_kernel(real, real), polynomial_kernel(fake, fake), polynomial_kernel(real, fake)
    within_real = (k_rr.sum() - np.trace(k_rr)) / (m * (m - 1))
    within_fake = (k_ff.sum() - np.trace(k_ff)) / (n * (n - 1))
    return float(within_real + within_fake - 2.0 * k_rf.mean())


def kid(
    real_features, fake_features, subset_size: int = 1000, subsets: int = 10, seed: int = 0, mmd2_fn=None
) -> tuple[float, float]:
    """Return KID as it is reported: the mean and standard deviation of the unbiased MMD² over random subsets.

    Each of ``subsets`` rounds draws ``min(subset_size, m)`` real rows and ``min(subset_size, n)`` fake rows
    without replacement and computes :func:`mmd2_unbiased` on them (Bińkowski et al.'s code draws 1,000 of each
    per subset). With ``subsets=1`` and ``subset_size`` at least both sets' sizes it is the unbiased MMD² of
    the whole sets.

    Args:
        real_features: ``(m, d)`` features, m >= 2.
        fake_features: ``(n, d)`` features, n >= 2, same d.
        subset_size: rows drawn from each set per subset (capped at the set's size).
        subsets: number of subsets.
        seed: seed of the draws (``np.random.default_rng(seed)``): the same seed gives the same value.
        mmd2_fn: the estimator, ``fn(real, fake) -> float`` (default :func:`mmd2_unbiased`); lesson 8 passes
            the learner's.

    Returns:
        ``(mean, std)`` over the subsets; ``std`` is the sample standard deviation (ddof=1), 0 for one subset.
    """
    real, fake = check_feature_sets(real_features, fake_features, 2, "the unbiased MMD² leaves out each row's pair with itself")
    subset_size = _checks.positive_int("subset_size", subset_size)
    subsets = _checks.positive_int("subsets", subsets)
    if subset_size < 2:
        raise ValueError(f"Expected `subset_size` >= 2 (the unbiased MMD² needs two rows a set). Received: subset_size={subset_size}")
    rng = np.random.default_rng(_checks.seed(seed))
    estimate = mmd2_fn or mmd2_unbiased
    m, n = min(subset_size, len(real)), min(subset_size, len(fake))
    values = np.array([
        float(estimate(real[rng.choice(len(real), m, replace=False)], fake[rng.choice(len(fake), n, replace=False)]))
        for _ in range(subsets)
    ])
    return float(values.mean()), float(values.std(ddof=1)) if subsets > 1 else 0.0
