"""The checks of lesson 8 (measuring a GAN)'s exercises (the contract: :mod:`ganlib.exercises`).

In the order the lesson teaches them: the judge's feature extractor (:func:`check_feature_extractor`), the
Fréchet distance (:func:`check_frechet_distance`), FID's extrapolation to N → ∞
(:func:`check_extrapolate_fid`), KID's unbiased MMD² (:func:`check_mmd2_unbiased`), the k-NN radii of precision
and recall (:func:`check_knn_radii`) and the nearest training neighbour (:func:`check_nearest_neighbours`).
Every piece but the first works on NumPy arrays ``(N, d)``, and NumPy (with SciPy) is the intended tool; each
check feeds small sets whose answer is worked out by hand in the comments.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

from ganlib.exercises.checking import as_float, call, close, not_attempted, todo
from ganlib.metrics import scores

# ------------------------------------------------------------------------------------------ feature extractor


def _tiny_classifier():
    """A 2-input classifier with known weights: hidden h = [x₁, x₂, x₁ + x₂]; features = relu(W h + b) with
    W = [[1, 0], [0, 1], [1, −1]], b = [0, 0.5]; dropout; 4 logits."""
    import keras

    inputs = keras.Input((2,), name="image")
    hidden = keras.layers.Dense(3, use_bias=False, name="hidden")
    features = keras.layers.Dense(2, activation="relu", name="features")
    logits = keras.layers.Dense(4, name="logits")
    x = hidden(inputs)
    y = features(x)
    model = keras.Model(inputs, logits(keras.layers.Dropout(0.5, name="dropout")(y)), name="tiny_classifier")
    hidden.set_weights([np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])])
    features.set_weights([np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]), np.array([0.0, 0.5])])
    logits.set_weights([np.ones((2, 4)), np.zeros(4)])
    return model


def check_feature_extractor(fn) -> bool:
    """Exercise: ``fn(classifier)`` returns a ``keras.Model`` from the classifier's input to the output of its
    layer named ``"features"`` (:func:`ganlib.metrics.feature_extractor`)."""
    if not_attempted(fn):
        return todo("write `feature_extractor(classifier)` and run this cell again.")
    classifier = _tiny_classifier()
    extractor = call(fn, classifier)
    if extractor is None:
        return todo("replace `raise NotImplementedError` in `feature_extractor` with your code.")
    x = np.array([[1.0, 1.0], [-1.0, 0.5]], dtype=np.float32)
    # h = [1, 1, 2] and [−1, 0.5, −0.5]; W h + b = [1 + 2, 1 − 2 + 0.5] = [3, −0.5] and [−1 − 0.5, 0.5 + 0.5 + 0.5]
    # = [−1.5, 1.5]; relu: [3, 0] and [0, 1.5]
    want = np.array([[3.0, 0.0], [0.0, 1.5]])
    if extractor is classifier:
        raise AssertionError("That is the whole classifier (its 4 class scores): build a new keras.Model whose "
                             "output is the layer named 'features'.")
    if not callable(extractor):
        raise AssertionError(f"Return a keras.Model (something to call on images); got {type(extractor).__name__}.")
    try:
        got = np.asarray(extractor(x, training=False), dtype=np.float64)
    except Exception as error:  # a layer called on the raw image, a wrong input …
        first = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
        raise AssertionError("Calling what you returned on images failed: return "
                             "keras.Model(classifier.input, classifier.get_layer('features').output), not the layer "
                             f"itself ({type(error).__name__}: {first})") from None
    if got.shape == (2, 4):
        raise AssertionError("Your model gives 4 numbers per image: the class scores. FID uses the layer before "
                             "them, the one named 'features'.")
    if got.shape == (2, 2) and np.allclose(got, x):
        raise AssertionError("That is the input of the network: take the *output* of the 'features' layer.")
    if got.shape != want.shape:
        raise AssertionError(f"Expected 2 features per image (shape {want.shape}), got shape {got.shape}.")
    if not np.allclose(got, want, atol=1e-5):
        raise AssertionError(f"Expected the 'features' layer's output {want.tolist()}, got {got.round(3).tolist()}: "
                             "is it the layer named 'features', after its ReLU?")
    print("✅ Correct: your model maps an image to the classifier's 'features' layer ([3, 0] and [0, 1.5] here).")
    return True


# ------------------------------------------------------------------------------------------ Fréchet distance

_ROOT3 = np.sqrt(3.0)
# Case A: four corners each, so the sample mean and (N − 1) covariance are round: real (±√3, ±2√3) has mean 0
# and covariance diag(4·3/3, 4·12/3) = diag(4, 16); fake (±√3/2, ±3√3/2) + (1, 2) has mean (1, 2) and
# covariance diag(4·¾/3, 4·27/4/3) = diag(1, 9).
_SIGNS = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
_FID_REAL = _SIGNS * [_ROOT3, 2 * _ROOT3]
_FID_FAKE = _SIGNS * [_ROOT3 / 2, 3 * _ROOT3 / 2] + [1.0, 2.0]
# FID = ‖(1, 2)‖² + (√4 − √1)² + (√16 − √9)² = 5 + 1 + 1 = 7 (diagonal covariances: Tr((Σ₁Σ₂)^½) = Σ √(a_i b_i))
_FID_A = 7.0
# Case B: one non-diagonal covariance on both sides, [[2, 1], [1, 2]] (points ±(1.5, 1.5), ±(√3/2, −√3/2):
# (2/3)·([[2.25, 2.25], [2.25, 2.25]] + [[0.75, −0.75], [−0.75, 0.75]])), the fake set moved by (1, 2):
# the trace term is Tr(Σ + Σ − 2Σ) = 0, so FID = 5. The element-wise square root of Σ² = [[5, 4], [4, 5]]
# has trace 2√5 instead of Tr Σ = 4: 5 + 8 − 4√5 ≈ 4.056.
_FID_B_REAL = np.array([[1.5, 1.5], [-1.5, -1.5], [_ROOT3 / 2, -_ROOT3 / 2], [-_ROOT3 / 2, _ROOT3 / 2]])
_FID_B_FAKE = _FID_B_REAL + [1.0, 2.0]
_FID_B = 5.0


def _fid_case_c():
    """Case C: 6 rows of 10 features (fewer rows than features): SciPy's ``sqrtm`` returns complex numbers with
    imaginary parts near 1e-8, round-off, around a real answer."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((6, 10)), rng.standard_normal((8, 10)) * 1.5 + 0.3


def _value(got, name: str) -> float:
    array = np.asarray(got)
    if np.iscomplexobj(array):
        raise AssertionError(f"`{name}` returned a complex number ({complex(array.reshape(-1)[0]):.6g}): the matrix "
                             "square root of a product of covariances comes back with tiny imaginary parts from "
                             "round-off. Keep the real part (`.real`) before taking the trace.")
    if array.shape != ():
        raise AssertionError(f"`{name}` must return one number; it returned shape {array.shape}.")
    return as_float(array)


def check_frechet_distance(fn) -> bool:
    """Exercise: ``fn(real_features, fake_features)`` is the squared Fréchet distance between Gaussians fitted
    to two feature sets, ``‖μ_r − μ_g‖² + Tr(Σ_r + Σ_g − 2(Σ_r Σ_g)^½)`` (:func:`ganlib.metrics.frechet_distance`)."""
    if not_attempted(fn):
        return todo("write `frechet_distance(real_features, fake_features)` and run this cell again.")
    got = call(fn, _FID_REAL.copy(), _FID_FAKE.copy())
    if got is None:
        return todo("replace `raise NotImplementedError` in `frechet_distance` with your code.")
    got = _value(got, "frechet_distance")
    if close(got, 6.5):  # covariances with 1/N: diag(3, 12), diag(0.75, 6.75): 5 + 0.75 + 0.75
        raise AssertionError("Your covariances divide by N; the FID of Heusel et al. uses np.cov's N − 1 "
                             "(np.cov(features, rowvar=False)).")
    if close(got, -261.0):  # 5 + (4 + 16) + (1 + 9) − 2·(4·1 + 16·9)
        raise AssertionError("Take the matrix square root of Σ_r Σ_g (scipy.linalg.sqrtm) before the trace.")
    if close(got, 2.0):
        raise AssertionError("The mean term is missing: add ‖μ_r − μ_g‖², the squared distance between the means.")
    if close(got, 5.0):
        raise AssertionError("That is only the mean term: add Tr(Σ_r + Σ_g − 2(Σ_r Σ_g)^½).")
    if close(got, np.sqrt(5.0) + 2.0):
        raise AssertionError("The mean term is the *squared* distance ‖μ_r − μ_g‖² (5 here), not the distance.")
    if not close(got, _FID_A):
        raise AssertionError(f"Expected {_FID_A} for the corner sets (means 0 and (1, 2), covariances diag(4, 16) and "
                             f"diag(1, 9)), got {got:.4f}. Hint: features are rows, so np.cov(x, rowvar=False).")
    got_b = _value(call(fn, _FID_B_REAL.copy(), _FID_B_FAKE.copy()), "frechet_distance")
    if close(got_b, 13.0 - 4 * np.sqrt(5.0)):
        raise AssertionError("np.sqrt takes the square root of each entry; FID needs the *matrix* square root "
                             "(scipy.linalg.sqrtm), the S with S·S = Σ_r Σ_g.")
    if not close(got_b, _FID_B):
        raise AssertionError(f"Two sets with the same covariance [[2, 1], [1, 2]], moved by (1, 2): expected "
                             f"{_FID_B}, got {got_b:.4f}. Is it the matrix square root of the product Σ_r Σ_g?")
    real_c, fake_c = _fid_case_c()
    with warnings.catch_warnings():  # SciPy says the product is singular here (6 rows, 10 features): expected
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        got_c = _value(call(fn, real_c, fake_c), "frechet_distance")
    want_c = scores.frechet_distance(real_c, fake_c)
    if not close(got_c, want_c, tol=1e-6):
        raise AssertionError(f"With 6 rows of 10 features expected {want_c:.6f} (ganlib's), got {got_c:.6f}.")
    print(f"✅ Correct: FID {got:.4f} for the corner sets (5 from the means + 1 + 1), {got_b:.4f} for the "
          f"correlated pair, and a real number where sqrtm's round-off is complex.")
    return True


# ------------------------------------------------------------------------------------------ FID_∞


def _pair(got, name: str) -> tuple[float, float]:
    values = np.asarray(got, dtype=np.float64).reshape(-1)
    if values.size != 2:
        raise AssertionError(f"`{name}` must return two numbers, (FID_∞, slope); it returned {values.size}.")
    return float(values[0]), float(values[1])


def check_extrapolate_fid(fn) -> bool:
    """Exercise: ``fn(ns, fids)`` fits ``FID_N = FID_∞ + slope / N`` by least squares and returns
    ``(FID_∞, slope)`` (:func:`ganlib.metrics.extrapolate_fid`)."""
    if not_attempted(fn):
        return todo("write `extrapolate_fid(ns, fids)` and run this cell again.")
    # On an exact line: FID_N = 10 + 1000 / N is 14, 12, 11 at N = 250, 500, 1000.
    got = call(fn, np.array([250, 500, 1000]), np.array([14.0, 12.0, 11.0]))
    if got is None:
        return todo("replace `raise NotImplementedError` in `extrapolate_fid` with your code.")
    if np.ndim(got) == 0:
        raise AssertionError("Return both numbers: (FID_∞, slope).")
    fid_infinity, slope = _pair(got, "extrapolate_fid")
    if close(fid_infinity, 1000.0) and close(slope, 10.0):
        raise AssertionError("The order is (FID_∞, slope): np.polyfit returns the highest power first, (slope, intercept).")
    if close(fid_infinity, 11.0):
        raise AssertionError("11 is the FID at the largest N. Fit a line against x = 1/N and read it at x = 0 (N → ∞).")
    slope_n = np.polyfit([250.0, 500.0, 1000.0], [14.0, 12.0, 11.0], 1)
    if close(fid_infinity, float(slope_n[1])) or close(slope, float(slope_n[0])):
        raise AssertionError("FID is linear in 1/N, not in N: fit against x = 1 / ns.")
    if not (close(fid_infinity, 10.0) and close(slope, 1000.0)):
        raise AssertionError(f"On the exact line FID_N = 10 + 1000/N expected (10, 1000), got ({fid_infinity:.4g}, {slope:.4g}).")
    # Four points, not on a line: x = 1/N = 0.004, 0.002, 0.001, 0.0005 (mean 0.001875), y mean 11.9;
    # Sxy = 0.0075, Sxx = 7.1875e-6, slope = Sxy / Sxx = 1043.478…, FID_∞ = 11.9 − slope·0.001875 = 9.943478…
    ns, fids = np.array([250, 500, 1000, 2000]), np.array([14.2, 11.8, 11.1, 10.5])
    fid_infinity, slope = _pair(call(fn, ns, fids), "extrapolate_fid")
    want_slope = 0.0075 / 7.1875e-6
    want = 11.9 - want_slope * 0.001875
    if close(fid_infinity, 10.5 - (3.7 / 0.0035) * 0.0005):  # the line through the first and last points
        raise AssertionError("That line goes through two of the points: fit all of them by least squares (np.polyfit).")
    if not (close(fid_infinity, want) and close(slope, want_slope)):
        raise AssertionError(f"For N = {ns.tolist()} and FID = {fids.tolist()} expected the least-squares line "
                             f"({want:.4f}, {want_slope:.2f}), got ({fid_infinity:.4f}, {slope:.2f}).")
    print(f"✅ Correct: FID_∞ = {fid_infinity:.4f}, slope {slope:.1f} for the four points (10 and 1000 on the exact line).")
    return True


# ------------------------------------------------------------------------------------------ KID's MMD²

# k(x, y) = (xᵀy / 2 + 1)³ on these sets: k(0, ·) = 1, k((1,1), (1,1)) = 8, k((1,1), (2,2)) = 27, k((2,2), (2,2)) = 125.
_KID_REAL = np.array([[0.0, 0.0], [1.0, 1.0]])
_KID_FAKE = np.array([[1.0, 1.0], [2.0, 2.0]])
_KID_FAKE_3 = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]])


def check_mmd2_unbiased(fn) -> bool:
    """Exercise: ``fn(real_features, fake_features)`` is the unbiased MMD² with KID's kernel
    ``k(x, y) = (xᵀy / d + 1)³`` (:func:`ganlib.metrics.mmd2_unbiased`)."""
    if not_attempted(fn):
        return todo("write `mmd2_unbiased(real_features, fake_features)` and run this cell again.")
    got = call(fn, _KID_REAL.copy(), _KID_FAKE.copy())
    if got is None:
        return todo("replace `raise NotImplementedError` in `mmd2_unbiased` with your code.")
    got = _value(got, "mmd2_unbiased")
    # within real: k(x₁, x₂) twice, 2·1 / (2·1) = 1; within fake: 2·27 / 2 = 27; across: (1 + 1 + 8 + 27) / 4 = 9.25
    # → 1 + 27 − 2·9.25 = 9.5
    hints = {
        31.0: "You kept each image's kernel with itself (the diagonal) and divided by m²: that estimate is biased. "
              "Leave out i = j within each set and divide by m(m − 1).",
        -4.5: "Leaving out the diagonal is right, but then there are m(m − 1) pairs, not m²: divide by m(m − 1).",
        49.0: "The kernel divides the dot product by d, the number of features: (xᵀy / d + 1)³.",
        2.5: "KID's kernel is cubic: (xᵀy / d + 1)³, not squared.",
        0.5: "KID's kernel is (xᵀy / d + 1)³: raise it to the power 3.",
        18.75: "The term across the sets counts twice: − 2 · mean k(x_i, y_j).",
        19.0: "You left out i = j across the sets too: that is another unbiased estimate (for m = n), but not "
              "KID's: the term across the sets averages every pair, − 2/(mn) Σ_{i,j} k(x_i, y_j).",
    }
    for value, hint in hints.items():
        if close(got, value):
            raise AssertionError(hint)
    if not close(got, 9.5):
        raise AssertionError(f"Expected 9.5 for x = (0, 0), (1, 1) and y = (1, 1), (2, 2), got {got:.4f}.")
    # Three fakes: within fake, pairs 27, 1, 1, counted both ways: 58 / (3·2) = 29/3; across: (1 + 1 + 1 + 8 + 27 + 1)
    # / 6 = 6.5 → 1 + 29/3 − 13 = −7/3.
    got_3 = _value(call(fn, _KID_REAL.copy(), _KID_FAKE_3.copy()), "mmd2_unbiased")
    if not close(got_3, -7 / 3):
        raise AssertionError(f"With 2 real and 3 fake rows expected −7/3 ≈ −2.3333, got {got_3:.4f}: each set divides by "
                             "its own size, m(m − 1) and n(n − 1), and the cross term by m·n.")
    print(f"✅ Correct: MMD²_u = {got:.4f} (1 + 27 − 18.5) and {got_3:.4f} with three fakes: an unbiased estimate can "
          "be below 0.")
    return True


# ------------------------------------------------------------------------------------------ k-NN radii


def _radii(got, n: int, name: str = "knn_radii") -> np.ndarray:
    values = np.asarray(got, dtype=np.float64)
    if values.shape != (n,):
        raise AssertionError(f"`{name}` must return one radius per row, shape ({n},); got shape {values.shape}.")
    return values


def check_knn_radii(fn) -> bool:
    """Exercise: ``fn(features, k)`` gives each row's Euclidean distance to its k-th nearest *other* row
    (:func:`ganlib.metrics.knn_radii`)."""
    if not_attempted(fn):
        return todo("write `knn_radii(features, k)` and run this cell again.")
    points = np.array([[0.0], [1.0], [3.0], [6.0], [10.0]])
    got = call(fn, points.copy(), 1)
    if got is None:
        return todo("replace `raise NotImplementedError` in `knn_radii` with your code.")
    got = _radii(got, 5)
    # nearest other point: 0→1, 1→0, 3→1, 6→3, 10→6
    want_1 = np.array([1.0, 1.0, 2.0, 3.0, 4.0])
    if np.allclose(got, 0.0):
        raise AssertionError("Every radius is 0: each row is its own nearest neighbour. Leave the row itself out.")
    if np.allclose(got, want_1**2):
        raise AssertionError("Those are squared distances: take the square root.")
    if np.allclose(got, [3.0, 2.0, 3.0, 4.0, 7.0]):
        raise AssertionError("k = 1 is the nearest other row; you took the second (k + 1)-th.")
    if np.allclose(got, [10.0, 9.0, 7.0, 6.0, 10.0]):
        raise AssertionError("That is the farthest row: sort the distances upwards.")
    if not np.allclose(got, want_1):
        raise AssertionError(f"For the points 0, 1, 3, 6, 10 and k = 1 expected {want_1.tolist()}, got {got.tolist()}.")
    got_2 = _radii(call(fn, points.copy(), 2), 5)
    # second nearest: 0→3, 1→3 (0 at 1, 3 at 2), 3→6 (1 at 2, 6 at 3), 6→10 (3 at 3, 10 at 4), 10→3 (6 at 4, 3 at 7)
    if np.allclose(got_2, want_1):
        raise AssertionError("With k = 2 you gave the nearest neighbour: counting the row itself as its own first "
                             "neighbour shifts k by one. Leave the row itself out.")
    if not np.allclose(got_2, [3.0, 2.0, 3.0, 4.0, 7.0]):
        raise AssertionError(f"For k = 2 expected [3, 2, 3, 4, 7], got {got_2.tolist()}.")
    got_2d = _radii(call(fn, np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]), 1), 3)
    if np.allclose(got_2d, 7.0):
        raise AssertionError("That is the city-block distance (3 + 4): use the Euclidean one, √(3² + 4²) = 5.")
    if not np.allclose(got_2d, 5.0):
        raise AssertionError(f"For (0, 0), (3, 4), (6, 8) expected radii 5 (a 3-4-5 triangle), got {got_2d.tolist()}.")
    got_same = _radii(call(fn, np.array([[2.0], [2.0], [5.0]]), 1), 3)
    if np.allclose(got_same, [3.0, 3.0, 3.0]):
        raise AssertionError("Two equal rows are neighbours at distance 0: leave out the row itself by its index, "
                             "not every row at distance 0.")
    if not np.allclose(got_same, [0.0, 0.0, 3.0]):
        raise AssertionError(f"For the points 2, 2, 5 and k = 1 expected [0, 0, 3], got {got_same.tolist()}.")
    print("✅ Correct: radii [1, 1, 2, 3, 4] (k = 1) and [3, 2, 3, 4, 7] (k = 2) for the points 0, 1, 3, 6, 10.")
    return True


# ------------------------------------------------------------------------------------------ nearest neighbours


def check_nearest_neighbours(fn) -> bool:
    """Exercise: ``fn(queries, pool)`` gives, for each query row, the Euclidean distance to the closest pool row
    and that row's index (:func:`ganlib.metrics.nearest_neighbours`)."""
    if not_attempted(fn):
        return todo("write `nearest_neighbours(queries, pool)` and run this cell again.")
    pool = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0]])
    queries = np.array([[3.0, 4.0], [6.0, 0.0], [0.0, -2.0], [4.0, 3.0]])
    got = call(fn, queries.copy(), pool.copy())
    if got is None:
        return todo("replace `raise NotImplementedError` in `nearest_neighbours` with your code.")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise AssertionError("Return two arrays: (distances, indices).")
    # (3, 4) is pool row 1 itself: 0; (6, 0): 4 from (10, 0), 5 from (3, 4), 6 from (0, 0); (0, −2): 2 from (0, 0);
    # (4, 3): √2 from (3, 4)
    want_d, want_i = np.array([0.0, 4.0, 2.0, np.sqrt(2.0)]), np.array([1, 2, 0, 1])
    distances, indices = (np.asarray(part) for part in got)
    if distances.shape != (4,) or indices.shape != (4,):
        raise AssertionError(f"One distance and one index per query (shape (4,)); got {distances.shape} and {indices.shape}.")
    if np.array_equal(distances, want_i) or np.allclose(indices, want_d):
        raise AssertionError("The order is (distances, indices).")
    if np.array_equal(indices, [2, 0, 2, 2]):
        raise AssertionError("Those are the farthest pool rows: take the smallest distance (argmin).")
    if not np.array_equal(indices.astype(np.int64), want_i):
        raise AssertionError(f"Expected the pool rows {want_i.tolist()}, got {indices.tolist()}.")
    if np.allclose(distances, want_d**2):
        raise AssertionError("Those are squared distances: take the square root.")
    if np.allclose(distances, [0.0, 4.0, 2.0, 2.0]):
        raise AssertionError("(4, 3) to (3, 4) is √2 ≈ 1.414 apart in straight line: use the Euclidean distance, not "
                             "the city-block one.")
    if not np.allclose(distances.astype(np.float64), want_d):
        raise AssertionError(f"Expected the distances {want_d.round(4).tolist()}, got {distances.round(4).tolist()}.")
    print("✅ Correct: distances [0, 4, 2, 1.414] to the pool rows [1, 2, 0, 1]; the first query is a copy of row 1.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
