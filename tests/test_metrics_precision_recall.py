"""k-NN precision and recall and nearest neighbours (ganlib.metrics.precision_recall), on hand-computed sets."""

import importlib

import numpy as np
import pytest

from ganlib import metrics

# `ganlib.metrics.precision_recall` is also the function's name in the package, so fetch the module itself.
pr_module = importlib.import_module("ganlib.metrics.precision_recall")


def column(*values):
    return np.array(values, dtype=np.float64)[:, None]


def test_knn_radii_by_hand():
    points = column(0, 1, 3, 6, 10)
    # nearest other point: 0→1, 1→0, 3→1, 6→3, 10→6
    np.testing.assert_allclose(metrics.knn_radii(points, k=1), [1, 1, 2, 3, 4])
    # second nearest: 0→3, 1→3 (0 at 1, 3 at 2), 3→6 (1 at 2, 6 at 3), 6→10 (3 at 3, 10 at 4), 10→3 (6 at 4, 3 at 7)
    np.testing.assert_allclose(metrics.knn_radii(points, k=2), [3, 2, 3, 4, 7])
    # Euclidean in 2-D: a 3-4-5 triangle
    np.testing.assert_allclose(metrics.knn_radii(np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]), k=1), [5, 5, 5])


def test_knn_radii_count_an_equal_other_row_at_distance_0():
    np.testing.assert_allclose(metrics.knn_radii(column(2, 2, 5), k=1), [0, 0, 3])


def test_precision_and_recall_by_hand():
    real = column(0, 1, 2, 3)  # k = 1: every real radius is 1
    fake = column(0.5, 2.9, 10, 4.5)
    # precision: 0.5 (0.5 from 0) and 2.9 (0.1 from 3) are inside a real ball; 10 and 4.5 (1.5 from 3) are not
    # recall, fake radii with k = 1: 0.5 → 2.4, 2.9 → 1.6, 4.5 → 1.6, 10 → 5.5; real 0 and 1 lie within 2.4 of
    # 0.5, real 2 within 1.6 of 2.9 (0.9), real 3 within 1.6 of 2.9 (0.1): all four covered
    assert metrics.precision_recall(real, fake, k=1) == (0.5, 1.0)


def test_a_point_on_a_balls_surface_counts_as_inside():
    real = column(0, 1, 2, 3)  # radii 1 with k = 1
    assert metrics.precision_recall(real, column(4, 4.5, 5), k=1)[0] == pytest.approx(1 / 3)  # 4 is exactly 1 from 3


def test_identical_sets_give_precision_and_recall_1():
    features = np.random.default_rng(0).standard_normal((300, 16)).astype(np.float32)
    assert metrics.precision_recall(features, features) == (1.0, 1.0)
    shuffled = features[np.random.default_rng(1).permutation(len(features))]
    assert metrics.precision_recall(features, shuffled) == (1.0, 1.0)


def test_a_set_far_from_the_real_one_gets_precision_0():
    rng = np.random.default_rng(2)
    real, far = rng.standard_normal((200, 8)), rng.standard_normal((200, 8)) + 100.0
    assert metrics.precision_recall(real, far) == (0.0, 0.0)


def test_a_collapsed_generator_keeps_precision_and_loses_recall():
    rng = np.random.default_rng(3)
    real = rng.standard_normal((400, 4))
    collapsed = np.repeat(real[:4], 10, axis=0) + 1e-3 * rng.standard_normal((40, 4))  # 4 real points, 10 times each
    # every sample sits next to a real point (precision 1); the samples' balls are about 1e-3 wide, so they
    # cover only the 4 real points they copy: recall 4 / 400
    assert metrics.precision_recall(real, collapsed) == (1.0, 0.01)


def test_the_blocks_do_not_change_the_result(monkeypatch):
    rng = np.random.default_rng(4)
    real, fake = rng.standard_normal((70, 5)), rng.standard_normal((50, 5)) * 1.3
    whole = metrics.precision_recall(real, fake), metrics.knn_radii(real), metrics.nearest_neighbours(fake, real)
    monkeypatch.setattr(pr_module, "BLOCK_ROWS", 7)
    assert metrics.precision_recall(real, fake) == whole[0]
    np.testing.assert_allclose(metrics.knn_radii(real), whole[1])
    np.testing.assert_allclose(metrics.nearest_neighbours(fake, real)[0], whole[2][0])
    np.testing.assert_array_equal(metrics.nearest_neighbours(fake, real)[1], whole[2][1])


def test_precision_recall_uses_the_learners_radii():
    real, fake = column(0, 1, 2, 3), column(0.5, 2.9, 10, 4.5)
    assert metrics.precision_recall(real, fake, k=1, radii_fn=lambda f, k: np.full(len(f), 100.0)) == (1.0, 1.0)
    with pytest.raises(ValueError, match="one radius per row"):
        metrics.precision_recall(real, fake, k=1, radii_fn=lambda f, k: np.ones(2))


def test_nearest_neighbours_by_hand():
    pool = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0]])
    distances, indices = metrics.nearest_neighbours(np.array([[3.0, 4.0], [6.0, 0.0], [0.0, -2.0]]), pool)
    np.testing.assert_allclose(distances, [0.0, 4.0, 2.0])  # a copy; 6 → 10 is 4 (→ (3, 4) is 5); 2 below 0
    np.testing.assert_array_equal(indices, [1, 2, 0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.precision_recall(np.zeros((3, 2)), np.zeros((9, 2))), r"at least 4 rows in `real_features` \(k \+ 1"),
        (lambda: metrics.precision_recall(np.zeros((9, 2)), np.zeros((9, 2)), k=9), "at least 10 rows"),
        (lambda: metrics.precision_recall(np.zeros((9, 2)), np.zeros((9, 3))), "same number of features"),
        (lambda: metrics.precision_recall(np.zeros((9, 2)), np.zeros((9, 2)), k=0), "`k` > 0"),
        (lambda: metrics.precision_recall(np.full((9, 2), np.nan), np.zeros((9, 2))), "`real_features` with finite values"),
        (lambda: metrics.knn_radii(np.zeros((2, 2)), k=2), "at least 3 rows in `features`"),
        (lambda: metrics.nearest_neighbours(np.zeros((2, 2)), np.zeros((2, 3))), "same number of columns"),
    ],
)
def test_bad_inputs_are_refused_in_one_line(call, message):
    with pytest.raises(ValueError, match=message) as error:
        call()
    assert "\n" not in str(error.value)
