"""Lesson 8's exercises: each check passes ganlib's reference and a differently written answer, names the usual
mistakes in its hints and tells "not attempted" apart; and the scores measure with the learner's pieces.
Expected values are worked out by hand in ganlib/exercises/lesson08.py; every set here is tiny."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from scipy import linalg

from ganlib import metrics
from ganlib.exercises import lesson08


def _open(*args):
    raise NotImplementedError


# ------------------------------------------------------------------------------------------ feature extractor


def test_feature_extractor_check_accepts_any_correct_form(capsys):
    assert lesson08.check_feature_extractor(None) is False
    assert lesson08.check_feature_extractor(_open) is False
    assert "Not attempted yet" in capsys.readouterr().out
    assert lesson08.check_feature_extractor(metrics.feature_extractor)
    assert lesson08.check_feature_extractor(lambda c: keras.Model(c.get_layer("image").output, c.get_layer("features").output))
    assert lesson08.check_feature_extractor(lambda c: keras.Model(c.input, c.layers[-2].output))  # the dropout after it
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda c: c, "whole classifier"),
    (lambda c: keras.Model(c.input, c.get_layer("logits").output), "class scores"),
    (lambda c: c.get_layer("features"), "not the layer"),
    (lambda c: keras.Model(c.input, c.get_layer("hidden").output), "2 features per image"),
    (lambda c: keras.Model(c.input, c.input), "input of the network"),
])
def test_feature_extractor_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson08.check_feature_extractor(wrong)


# ------------------------------------------------------------------------------------------ Fréchet distance


def eigen_frechet(real, fake):
    """A differently written FID: Tr((Σ_r Σ_g)^½) as the sum of the square roots of the eigenvalues of Σ_r Σ_g."""
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    roots = np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None)).sum()
    return float(np.sum((real.mean(0) - fake.mean(0)) ** 2) + np.trace(s1) + np.trace(s2) - 2 * roots)


def plain_frechet(real, fake, *, ddof=1, matrix_root=True, keep_complex=False, mean=True, trace=True, squared=True):
    """The FID as a learner writes it with scipy.linalg.sqrtm, with a switch per usual mistake."""
    s1, s2 = np.cov(real, rowvar=False, ddof=ddof), np.cov(fake, rowvar=False, ddof=ddof)
    root = linalg.sqrtm(s1 @ s2) if matrix_root else np.sqrt(s1 @ s2 + 0j)
    if not keep_complex:
        root = root.real
    distance = np.sum((real.mean(0) - fake.mean(0)) ** 2)
    distance = distance if squared else np.sqrt(distance)
    value = (distance if mean else 0.0) + (np.trace(s1) + np.trace(s2) - 2 * np.trace(root) if trace else 0.0)
    return value if keep_complex else float(value)


def test_frechet_distance_check_accepts_any_correct_form(capsys):
    assert lesson08.check_frechet_distance(None) is False
    assert lesson08.check_frechet_distance(_open) is False
    assert "Not attempted yet" in capsys.readouterr().out
    assert lesson08.check_frechet_distance(metrics.frechet_distance)
    assert lesson08.check_frechet_distance(plain_frechet)
    assert lesson08.check_frechet_distance(eigen_frechet)
    assert "5 from the means + 1 + 1" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda r, f: plain_frechet(r, f, ddof=0), "divide by N"),
    (lambda r, f: plain_frechet(r, f, keep_complex=True), "complex number"),
    (lambda r, f: plain_frechet(r, f, matrix_root=False), r"\*matrix\* square root"),
    (lambda r, f: plain_frechet(r, f, mean=False), "mean term is missing"),
    (lambda r, f: plain_frechet(r, f, trace=False), "only the mean term"),
    (lambda r, f: plain_frechet(r, f, squared=False), r"\*squared\* distance"),
    (lambda r, f: float(np.sum((r.mean(0) - f.mean(0)) ** 2) + np.trace(np.cov(r.T) + np.cov(f.T) - 2 * np.cov(r.T) @ np.cov(f.T))),
     "matrix square root of Σ_r Σ_g"),
])
def test_frechet_distance_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson08.check_frechet_distance(wrong)


def test_the_complex_case_really_comes_back_complex_from_sqrtm():
    real, fake = lesson08._fid_case_c()
    root = linalg.sqrtm(np.cov(real, rowvar=False) @ np.cov(fake, rowvar=False))
    assert np.iscomplexobj(root) and 0 < np.abs(root.imag).max() < 1e-5


# ------------------------------------------------------------------------------------------ FID_∞


def test_extrapolate_fid_check_accepts_any_correct_form(capsys):
    assert lesson08.check_extrapolate_fid(None) is False
    assert lesson08.check_extrapolate_fid(_open) is False
    assert lesson08.check_extrapolate_fid(metrics.extrapolate_fid)

    def normal_equations(ns, fids):
        x = np.stack([np.ones(len(ns)), 1.0 / np.asarray(ns, float)], axis=1)
        return tuple(np.linalg.lstsq(x, np.asarray(fids, float), rcond=None)[0])

    assert lesson08.check_extrapolate_fid(normal_equations)
    assert "FID_∞ = 9.9435" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda ns, fids: tuple(np.polyfit(1.0 / np.asarray(ns), fids, 1)), "np.polyfit returns the highest power first"),
    (lambda ns, fids: tuple(np.polyfit(ns, fids, 1))[::-1], "not in N"),
    (lambda ns, fids: (fids[-1], 0.0), "largest N"),
    (lambda ns, fids: np.polyfit(1.0 / np.asarray(ns), fids, 1)[1], "Return both numbers"),
    (lambda ns, fids: tuple(np.polyfit(1.0 / np.asarray([ns[0], ns[-1]]), [fids[0], fids[-1]], 1))[::-1], "two of the points"),
])
def test_extrapolate_fid_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson08.check_extrapolate_fid(wrong)


# ------------------------------------------------------------------------------------------ KID's MMD²


def loop_mmd2(x, y):
    """A differently written MMD²_u: explicit loops over the pairs."""
    d = x.shape[1]

    def k(a, b):
        return (a @ b / d + 1) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def kernel_mmd2(x, y, *, power=3, scale=True, diagonal="drop", divide="pairs", cross=2.0, cross_diagonal=True):
    """MMD² with a switch per usual mistake."""
    def k(a, b):
        return ((a @ b.T) / (a.shape[1] if scale else 1) + 1) ** power

    def within(a):
        K = k(a, a)
        m = len(a)
        total = K.sum() - (np.trace(K) if diagonal == "drop" else 0)
        return total / (m * (m - 1) if divide == "pairs" else m * m)

    K = k(x, y)
    across = K.mean() if cross_diagonal else (K.sum() - np.trace(K)) / (len(x) * (len(x) - 1))
    return float(within(x) + within(y) - cross * across)


def test_mmd2_unbiased_check_accepts_any_correct_form(capsys):
    assert lesson08.check_mmd2_unbiased(None) is False
    assert lesson08.check_mmd2_unbiased(_open) is False
    assert lesson08.check_mmd2_unbiased(metrics.mmd2_unbiased)
    assert lesson08.check_mmd2_unbiased(loop_mmd2)
    assert lesson08.check_mmd2_unbiased(kernel_mmd2)
    assert "1 + 27 − 18.5" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, y: kernel_mmd2(x, y, diagonal="keep", divide="square"), "biased"),
    (lambda x, y: kernel_mmd2(x, y, divide="square"), r"m\(m − 1\) pairs"),
    (lambda x, y: kernel_mmd2(x, y, scale=False), "divides the dot product by d"),
    (lambda x, y: kernel_mmd2(x, y, power=2), "not squared"),
    (lambda x, y: kernel_mmd2(x, y, power=1), "power 3"),
    (lambda x, y: kernel_mmd2(x, y, cross=1.0), "counts twice"),
    (lambda x, y: kernel_mmd2(x, y, cross_diagonal=False), "averages every pair"),
])
def test_mmd2_unbiased_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson08.check_mmd2_unbiased(wrong)


def test_mmd2_check_catches_one_size_for_both_sets():
    def same_size(x, y):  # divides both within-set sums by the real set's m(m − 1)
        m = len(x)
        kx, ky = metrics.polynomial_kernel(x, x), metrics.polynomial_kernel(y, y)
        return float((kx.sum() - np.trace(kx) + ky.sum() - np.trace(ky)) / (m * (m - 1)) - 2 * metrics.polynomial_kernel(x, y).mean())

    with pytest.raises(AssertionError, match="its own size"):
        lesson08.check_mmd2_unbiased(same_size)


# ------------------------------------------------------------------------------------------ k-NN radii


def sorted_radii(features, k):
    """A differently written radius: the full distance matrix, sorted, column k (column 0 is the row itself)."""
    distances = np.sqrt(((features[:, None, :] - features[None, :, :]) ** 2).sum(-1))
    return np.sort(distances, axis=1)[:, k]


def test_knn_radii_check_accepts_any_correct_form(capsys):
    assert lesson08.check_knn_radii(None) is False
    assert lesson08.check_knn_radii(_open) is False
    assert lesson08.check_knn_radii(metrics.knn_radii)
    assert lesson08.check_knn_radii(sorted_radii)
    assert "[1, 1, 2, 3, 4]" in capsys.readouterr().out


def _distances(f):
    return np.sqrt(((f[:, None, :] - f[None, :, :]) ** 2).sum(-1))


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, k: np.sort(_distances(f), axis=1)[:, k - 1], "Leave the row itself out"),
    (lambda f, k: np.sort(_distances(f), axis=1)[:, k] ** 2, "squared"),
    (lambda f, k: np.sort(_distances(f), axis=1)[:, k + 1], r"\(k \+ 1\)-th"),
    (lambda f, k: np.sort(_distances(f), axis=1)[:, -k], "farthest"),
    (lambda f, k: np.sort(np.abs(f[:, None, :] - f[None, :, :]).sum(-1), axis=1)[:, k], "city-block"),
    (lambda f, k: np.array([np.sort(row[row > 0])[k - 1] for row in _distances(f)]), "by its index"),
])
def test_knn_radii_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson08.check_knn_radii(wrong)


# ------------------------------------------------------------------------------------------ nearest neighbours


def test_nearest_neighbours_check_accepts_any_correct_form(capsys):
    assert lesson08.check_nearest_neighbours(None) is False
    assert lesson08.check_nearest_neighbours(_open) is False
    assert lesson08.check_nearest_neighbours(metrics.nearest_neighbours)

    def loops(queries, pool):
        best = [min(range(len(pool)), key=lambda j: np.linalg.norm(q - pool[j])) for q in queries]
        return [float(np.linalg.norm(q - pool[j])) for q, j in zip(queries, best, strict=True)], best

    assert lesson08.check_nearest_neighbours(loops)
    assert "copy of row 1" in capsys.readouterr().out


def _pairwise(q, p):
    return np.sqrt(((q[:, None, :] - p[None, :, :]) ** 2).sum(-1))


@pytest.mark.parametrize("wrong, hint", [
    (lambda q, p: (_pairwise(q, p).argmin(1), _pairwise(q, p).min(1)), r"order is \(distances, indices\)"),
    (lambda q, p: (_pairwise(q, p).max(1), _pairwise(q, p).argmax(1)), "farthest"),
    (lambda q, p: (_pairwise(q, p).min(1) ** 2, _pairwise(q, p).argmin(1)), "squared"),
    (lambda q, p: (np.abs(q[:, None] - p[None]).sum(-1).min(1), _pairwise(q, p).argmin(1)), "city-block"),
    (lambda q, p: _pairwise(q, p).min(1), "two arrays"),
])
def test_nearest_neighbours_check_names_the_usual_mistakes(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        lesson08.check_nearest_neighbours(wrong)


# ------------------------------------------------------------------------------------------ the scores use the pieces


def test_the_scores_measure_with_the_learners_pieces():
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((60, 4)), rng.standard_normal((80, 4)) + 0.3
    by_n = metrics.fid_by_n(real, fake, [20, 40], draws=2, seed=1, distance=eigen_frechet)
    np.testing.assert_allclose(by_n["fid"], metrics.fid_by_n(real, fake, [20, 40], draws=2, seed=1)["fid"], rtol=1e-6)
    assert metrics.kid(real, fake, subset_size=30, subsets=2, mmd2_fn=loop_mmd2) == pytest.approx(metrics.kid(real, fake, subset_size=30, subsets=2))
    assert metrics.precision_recall(real, fake, radii_fn=sorted_radii) == metrics.precision_recall(real, fake)
