"""KID (ganlib.metrics.kid): the cubic kernel and the unbiased MMD² on hand-computed sets, its expectation over
many draws (0 for one distribution; the closed form for two), and the subsets of `kid`."""

import numpy as np
import pytest

from ganlib import metrics

# Two 2-feature sets whose kernel values are whole numbers: k(x, y) = (xᵀy / 2 + 1)³ gives
# k(0, ·) = 1, k((1,1), (1,1)) = 2³ = 8, k((1,1), (2,2)) = 3³ = 27, k((2,2), (2,2)) = 5³ = 125.
REAL = np.array([[0.0, 0.0], [1.0, 1.0]])
FAKE = np.array([[1.0, 1.0], [2.0, 2.0]])


def test_polynomial_kernel_by_hand():
    np.testing.assert_allclose(metrics.polynomial_kernel(REAL, FAKE), [[1.0, 1.0], [8.0, 27.0]])
    np.testing.assert_allclose(metrics.polynomial_kernel(FAKE, FAKE), [[8.0, 27.0], [27.0, 125.0]])


def test_mmd2_unbiased_by_hand():
    # within real: the pair (0, 1) twice: 2·1 / (2·1) = 1; within fake: 2·27 / 2 = 27;
    # across: 1 + 1 + 8 + 27 = 37, mean 9.25, twice 18.5  →  1 + 27 − 18.5 = 9.5
    assert metrics.mmd2_unbiased(REAL, FAKE) == pytest.approx(9.5)
    assert metrics.mmd2_unbiased(FAKE, REAL) == pytest.approx(9.5)


def test_mmd2_unbiased_of_unequal_sets_can_be_negative():
    fake = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]])
    # within fake: pairs 27, 1, 1 counted twice = 58, / (3·2) = 29/3; across: row 0 of REAL: 1 + 1 + 1, row 1:
    # 8 + 27 + 1 → 39 / 6 = 6.5, twice 13  →  1 + 29/3 − 13 = −7/3
    assert metrics.mmd2_unbiased(REAL, fake) == pytest.approx(-7 / 3)


def test_identical_sets_are_not_zero_but_their_expectation_is():
    # The unbiased estimate leaves out each row's kernel with itself, so one set against itself is not 0 ...
    assert metrics.mmd2_unbiased(REAL, REAL) == pytest.approx(1 + 1 - 2 * (1 + 1 + 1 + 8) / 4)  # = −3.5
    # ... but over many pairs of samples of one distribution it averages 0 (within its standard error).
    rng = np.random.default_rng(0)
    values = [metrics.mmd2_unbiased(rng.standard_normal((100, 16)), rng.standard_normal((100, 16))) for _ in range(300)]
    mean, standard_error = np.mean(values), np.std(values, ddof=1) / np.sqrt(len(values))
    assert abs(mean) < 3 * standard_error
    assert min(values) < 0 < max(values)


def test_expectation_matches_the_closed_form_for_two_gaussians():
    # d = 1: k(x, y) = (xy + 1)³ = φ(x)ᵀφ(y) with φ(x) = (1, √3 x, √3 x², x³). For P = N(0, 1), Q = N(μ, 1):
    # E_P φ = (1, 0, √3, 0), E_Q φ = (1, √3 μ, √3 (1 + μ²), μ³ + 3μ), so
    # MMD² = ‖E_P φ − E_Q φ‖² = 3μ² + 3μ⁴ + (μ³ + 3μ)², 22 at μ = 1.
    rng = np.random.default_rng(1)
    values = [metrics.mmd2_unbiased(rng.standard_normal((200, 1)), rng.standard_normal((200, 1)) + 1) for _ in range(300)]
    mean, standard_error = np.mean(values), np.std(values, ddof=1) / np.sqrt(len(values))
    assert abs(mean - 22.0) < 3 * standard_error


def test_kid_of_one_subset_holding_both_sets_is_the_unbiased_mmd2():
    rng = np.random.default_rng(2)
    real, fake = rng.standard_normal((40, 5)), rng.standard_normal((30, 5)) + 0.5
    mean, std = metrics.kid(real, fake, subset_size=1000, subsets=1)
    assert mean == pytest.approx(metrics.mmd2_unbiased(real, fake), rel=1e-12)
    assert std == 0.0


def test_kid_averages_subsets_with_the_learners_estimator_and_is_repeatable():
    rng = np.random.default_rng(3)
    real, fake = rng.standard_normal((50, 4)), rng.standard_normal((60, 4))
    sizes = []

    def estimator(r, f):
        sizes.append((len(r), len(f), len(np.unique(r, axis=0)), len(np.unique(f, axis=0))))
        return float(len(sizes))  # 1, 2, 3: mean 2, sample std 1

    assert metrics.kid(real, fake, subset_size=20, subsets=3, mmd2_fn=estimator) == (2.0, 1.0)
    assert sizes == [(20, 20, 20, 20)] * 3  # drawn without replacement
    assert metrics.kid(real, fake, subset_size=25, subsets=4, seed=7) == metrics.kid(real, fake, subset_size=25, subsets=4, seed=7)
    assert metrics.kid(real, fake, subset_size=25, subsets=4, seed=7) != metrics.kid(real, fake, subset_size=25, subsets=4, seed=8)


@pytest.mark.parametrize(
    ("real", "fake", "kwargs", "message"),
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), {}, "same number of features"),
        (np.zeros((1, 3)), np.zeros((5, 3)), {}, "at least 2 rows in `real_features`"),
        (np.zeros((5, 3)), np.full((5, 3), np.nan), {}, "`fake_features` with finite values"),
        (np.zeros(5), np.zeros((5, 3)), {}, r"shape \(N, d\)"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"subsets": 0}, "`subsets` > 0"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"subset_size": 1}, "`subset_size` >= 2"),
    ],
)
def test_kid_refuses_bad_inputs_in_one_line(real, fake, kwargs, message):
    with pytest.raises(ValueError, match=message) as error:
        metrics.kid(real, fake, **kwargs)
    assert "\n" not in str(error.value)
