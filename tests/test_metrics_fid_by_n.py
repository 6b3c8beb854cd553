"""FID of two known Gaussians, FID against N and its extrapolation (ganlib.metrics.fid_by_n), and the feature
extractor and feature-set checks (ganlib.metrics.features)."""

import numpy as np
import pytest

from ganlib import metrics


def exact_moments(n, mean, covariance, seed):
    """``n`` rows whose sample mean and (ddof=1) covariance are exactly ``mean`` and ``covariance``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(mean)))
    z -= z.mean(0)
    z = np.linalg.solve(np.linalg.cholesky(np.atleast_2d(np.cov(z, rowvar=False))), z.T).T  # covariance I
    return np.asarray(mean) + z @ np.linalg.cholesky(np.asarray(covariance, dtype=np.float64)).T


# ------------------------------------------------------------------------------------------ FID, closed forms


def test_fid_of_two_one_dimensional_gaussians():
    # (μ₁ − μ₂)² + σ₁² + σ₂² − 2σ₁σ₂ = (μ₁ − μ₂)² + (σ₁ − σ₂)² = 9 + (2 − 1)² = 10
    real, fake = exact_moments(100, [0.0], [[4.0]], 0), exact_moments(80, [3.0], [[1.0]], 1)
    assert metrics.frechet_distance(real, fake) == pytest.approx(10.0)


def test_fid_of_two_correlated_gaussians():
    # Σ₁ = [[2, 1], [1, 2]], Σ₂ = 4Σ₁: (Σ₁Σ₂)^½ = 2Σ₁, so the trace term is Tr(Σ₁)(1 + 4 − 4) = 4; the means
    # differ by (1, 2): 1 + 4 = 5; FID = 9
    sigma = np.array([[2.0, 1.0], [1.0, 2.0]])
    real, fake = exact_moments(200, [0.0, 0.0], sigma, 2), exact_moments(150, [1.0, 2.0], 4 * sigma, 3)
    assert metrics.frechet_distance(real, fake) == pytest.approx(9.0)


# ------------------------------------------------------------------------------------------ FID against N


def test_fid_by_n_draws_subsets_without_replacement_and_uses_the_learners_distance():
    rng = np.random.default_rng(4)
    real, fake = rng.standard_normal((30, 3)), rng.standard_normal((40, 3))
    result = metrics.fid_by_n(real, fake, [5, 10, 40], draws=3, distance=lambda r, f: len(np.unique(f, axis=0)) + len(r) / 1000)
    np.testing.assert_array_equal(result["n"], [5, 10, 40])
    np.testing.assert_allclose(result["fid"], [5.03, 10.03, 40.03])  # N distinct rows each time; the real set whole
    np.testing.assert_allclose(result["std"], 0.0, atol=1e-12)
    assert result["values"].shape == (3, 3)
    assert metrics.fid_by_n(real, fake, [10], draws=1)["std"].tolist() == [0.0]


def test_fid_by_n_falls_as_one_over_n_with_the_first_order_slope():
    # Real statistics exact (mean 0, covariance I, d = 8), fakes from the same N(0, I). To first order in 1/N:
    # E‖μ̂ − 0‖² = d/N, and Tr(I + S − 2S^½) = Σ(1 − √λᵢ)² ≈ ‖S − I‖²_F / 4 with E‖S − I‖²_F = d(d + 1)/(N − 1),
    # so FID_N ≈ (d + d(d + 1)/4) / N = 26 / N, and FID_∞ = 0.
    d = 8
    real = exact_moments(20_000, np.zeros(d), np.eye(d), 5)
    fake = np.random.default_rng(6).standard_normal((4000, d))
    result = metrics.fid_by_n(real, fake, [250, 500, 1000, 2000], draws=20, seed=0)
    assert np.all(np.diff(result["fid"]) < 0)
    fid_infinity, slope = metrics.extrapolate_fid(result["n"], result["fid"])
    assert slope == pytest.approx(26.0, rel=0.15)
    assert abs(fid_infinity) < 0.1 * result["fid"][0]


def test_extrapolate_fid_on_an_exact_line():
    # FID_N = 10 + 1000 / N: 14, 12, 11 at N = 250, 500, 1000
    assert metrics.extrapolate_fid([250, 500, 1000], [14.0, 12.0, 11.0]) == pytest.approx((10.0, 1000.0))


def test_extrapolate_fid_is_the_least_squares_line_in_one_over_n():
    # x = 1/N = 0.004, 0.002, 0.001, 0.0005 (mean 0.001875); y mean 11.9; Sxy = 0.0075, Sxx = 7.1875e-6:
    # slope 1043.478…, intercept 11.9 − slope·0.001875 = 9.943478…
    fid_infinity, slope = metrics.extrapolate_fid([250, 500, 1000, 2000], [14.2, 11.8, 11.1, 10.5])
    assert slope == pytest.approx(0.0075 / 7.1875e-6)
    assert fid_infinity == pytest.approx(11.9 - 0.0075 / 7.1875e-6 * 0.001875)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.fid_by_n(np.zeros((9, 2)), np.zeros((9, 2)), [5, 10]), r"<= 9, the number of generated rows"),
        (lambda: metrics.fid_by_n(np.zeros((9, 2)), np.zeros((9, 2)), [1]), ">= 2"),
        (lambda: metrics.fid_by_n(np.zeros((9, 2)), np.zeros((9, 3)), [5]), "same number of features"),
        (lambda: metrics.fid_by_n(np.zeros((9, 2)), np.full((9, 2), np.nan), [5]), "finite values"),
        (lambda: metrics.extrapolate_fid([500, 500], [1.0, 2.0]), "two different N"),
        (lambda: metrics.extrapolate_fid([250, 500], [1.0]), "one FID per N"),
        (lambda: metrics.extrapolate_fid([250.5, 500], [1.0, 2.0]), "whole numbers"),
    ],
)
def test_bad_inputs_are_refused_in_one_line(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)


# ------------------------------------------------------------------------------------------ features


def test_feature_extractor_gives_the_judges_features():
    judge = metrics.Judge(metrics.build_judge(seed=0))
    images = np.random.default_rng(7).uniform(-1, 1, (5, 28, 28, 1)).astype(np.float32)
    extractor = metrics.feature_extractor(judge.model)
    assert extractor.output_shape == (None, 128)
    np.testing.assert_allclose(np.asarray(extractor(images, training=False)), judge.features(images), atol=1e-6)
    assert metrics.feature_extractor(judge.model, "logits").output_shape == (None, 10)
    with pytest.raises(ValueError, match="Expected a layer named 'nope'"):
        metrics.feature_extractor(judge.model, "nope")
