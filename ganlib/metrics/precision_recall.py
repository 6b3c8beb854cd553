"""Precision and recall of a generator (Kynkäänniemi et al. 2019), and nearest neighbours in feature space.

Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019, "Improved Precision and Recall Metric for Assessing
Generative Models" (arXiv:1904.06991): each real feature vector gets a ball whose radius is the
distance to its k-th nearest neighbour among the other real vectors (:func:`knn_radii`, k = 3 in the paper);
the union of the balls estimates the manifold of real images. **Precision** is the share of generated vectors
inside at least one real ball (are the samples realistic?); **recall** is the share of real vectors inside at
least one ball around the *generated* vectors, with radii from the generated set (does the generator cover
what the real data holds?). A point exactly on a ball's surface counts as inside, as in the authors' code.

:func:`nearest_neighbours` gives each query its closest row of a pool: the memorisation check (is a sample a
copy of a training image?). Distances are Euclidean, computed in float64 in blocks of 1,024 rows: against
10,000 rows, each block's distance matrix takes about 80 MB.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks
from ganlib.metrics.features import check_feature_set, check_feature_sets

#: Rows of the query set per block of the distance matrix.
BLOCK_ROWS = 1024


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``‖a_i − b_j‖²`` for every pair, ``(len(a), len(b))``, from ``‖a‖² + ‖b‖² − 2 aᵀb``. Values within
    float64 round-off of 0 (below 1e-12 of ``‖a_i‖² + ‖b_j‖²``) are set to 0, so equal rows are exactly 0 apart."""
    norms = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :]
    squared = norms - 2.0 * a @ b.T
    squared[squared < 1e-12 * norms] = 0.0
    return squared


def _k(k) -> int:
    return _checks.positive_int("k", k)


def knn_radii(features, k: int = 3) -> np.ndarray:
    """Return each row's distance to its k-th nearest neighbour among the *other* rows.

    Row ``i`` itself is left out (its distance 0 is not a neighbour); another row equal to it counts, at
    distance 0.

    Args:
        features: ``(N, d)`` feature vectors, N >= k + 1.
        k: which neighbour (1 = the nearest other row).

    Returns:
        float64 ``(N,)`` Euclidean distances.
    """
    k = _k(k)
    x = check_feature_set("features", features, k + 1, f"k + 1 with k={k}: each row needs k neighbours besides itself")
    radii = np.empty(len(x))
    for start in range(0, len(x), BLOCK_ROWS):
        block = _squared_distances(x[start : start + BLOCK_ROWS], x)
        rows = np.arange(len(block))
        block[rows, start + rows] = np.inf  # leave each row out of its own neighbours
        radii[start : start + len(block)] = np.partition(block, k - 1, axis=1)[:, k - 1]
    return np.sqrt(radii)


def _inside_any_ball(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """For each query, whether it lies within ``radii[j]`` of some ``centres[j]`` (on the surface counts)."""
    limit = radii.astype(np.float64) ** 2
    inside = np.empty(len(queries), dtype=bool)
    for start in range(0, len(queries), BLOCK_ROWS):
        block = _squared_distances(queries[start : start + BLOCK_ROWS], centres)
        inside[start : start + len(block)] = (block <= limit[None, :]).any(axis=1)
    return inside


def precision_recall(real_features, fake_features, k: int = 3, radii_fn=None) -> tuple[float, float]:
    """Return Kynkäänniemi et al.'s (precision, recall) of generated features against real ones.

    Deterministic: every pair of rows is compared, nothing is sampled. Compare values computed from equal
    numbers of real and generated rows (the balls shrink as a set grows); the paper uses the same number of
    each (50,000).

    Args:
        real_features: ``(m, d)`` real features, m >= k + 1.
        fake_features: ``(n, d)`` generated features, n >= k + 1, same d.
        k: the neighbour that sets each ball's radius (the paper's default, 3).
        radii_fn: ``fn(features, k) -> (N,)`` radii (default :func:`knn_radii`); lesson 8 passes the learner's.

    Returns:
        ``(precision, recall)``, each a share in [0, 1].
    """
    k = _k(k)
    real, fake = check_feature_sets(real_features, fake_features, k + 1, f"k + 1 with k={k}: each row needs k neighbours besides itself")
    radii = radii_fn or knn_radii
    real_radii = np.asarray(radii(real, k), dtype=np.float64).reshape(-1)
    fake_radii = np.asarray(radii(fake, k), dtype=np.float64).reshape(-1)
    if len(real_radii) != len(real) or len(fake_radii) != len(fake):
        raise ValueError(
            f"Expected `radii_fn` to return one radius per row. Received: {len(real_radii)} radii for {len(real)} "
            f"real rows, {len(fake_radii)} for {len(fake)} generated rows"
        )
    precision = float(_inside_any_ball(fake, real, real_radii).mean())
    recall = float(_inside_any_ball(real, fake, fake_radii).mean())
    return precision, recall


def nearest_neighbours(queries, pool) -> tuple[np.ndarray, np.ndarray]:
    """Return, for each query row, the Euclidean distance to the closest pool row and that row's index.

    Works on any flattened vectors: judge features, or pixels (``images.reshape(len(images), -1)``).

    Args:
        queries: ``(n, d)`` vectors, n >= 1.
        pool: ``(m, d)`` vectors, m >= 1, same d.

    Returns:
        ``(distances, indices)``: float64 ``(n,)`` and int64 ``(n,)``.
    """
    q = check_feature_set("queries", queries, 1)
    p = check_feature_set("pool", pool, 1)
    if q.shape[1] != p.shape[1]:
        raise ValueError(
            f"Expected `queries` and `pool` with the same number of columns. Received: queries.shape={q.shape}, "
            f"pool.shape={p.shape}"
        )
    distances, indices = np.empty(len(q)), np.empty(len(q), dtype=np.int64)
    for start in range(0, len(q), BLOCK_ROWS):
        block = _squared_distances(q[start : start + BLOCK_ROWS], p)
        nearest = block.argmin(axis=1)
        indices[start : start + len(block)] = nearest
        distances[start : start + len(block)] = np.sqrt(block[np.arange(len(block)), nearest])
    return distances, indices
