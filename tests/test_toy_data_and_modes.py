"""Lesson 7's toys (data.toy_mixture) and their score (metrics.mode_coverage), with values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganlib import data, metrics


def test_the_ring_and_the_grid_have_the_papers_centres_and_sigma():
    ring, sigma = data.toy_centres("ring")
    assert sigma == 0.02 and ring.shape == (8, 2) and ring.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 2.0, atol=1e-6)  # radius 2
    angles = np.sort(np.mod(np.degrees(np.arctan2(ring[:, 1], ring[:, 0])), 360))
    np.testing.assert_allclose(angles, np.arange(0, 360, 45), atol=1e-4)  # evenly spaced, one at 0°
    grid, sigma = data.toy_centres("grid")
    assert sigma == 0.05 and grid.shape == (25, 2)
    assert sorted({tuple(c) for c in grid.tolist()}) == [(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)]


def test_points_are_drawn_from_the_mixture_repeatably():
    points, centres = data.toy_mixture("grid", 50_000, seed=3)
    again, _ = data.toy_mixture("grid", 50_000, seed=3)
    assert points.shape == (50_000, 2) and points.dtype == np.float32 and np.array_equal(points, again)
    assert not np.array_equal(points, data.toy_mixture("grid", 50_000, seed=4)[0])
    nearest = np.linalg.norm(points[:, None] - centres[None], axis=-1).argmin(axis=1)
    counts = np.bincount(nearest, minlength=25)
    assert counts.min() > 1800 and counts.max() < 2200  # 2,000 each, ± about 4.5 standard deviations
    offsets = points - centres[nearest]
    assert offsets.std(axis=0) == pytest.approx([0.05, 0.05], rel=0.02)
    # ‖offset‖ ≤ 3σ for a 2-D Gaussian: P = 1 − exp(−9/2) = 0.98889
    assert np.mean(np.linalg.norm(offsets, axis=1) <= 0.15) == pytest.approx(1 - math.exp(-4.5), abs=0.003)


def test_toy_inputs_are_checked():
    with pytest.raises(ValueError, match="Expected `name` to be one of"):
        data.toy_mixture("spiral", 10)
    with pytest.raises(ValueError, match="Expected `n` > 0"):
        data.toy_mixture("ring", 0)
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        data.make_toy_dataset(np.zeros((10, 3)), 2)
    with pytest.raises(ValueError, match="batch_size"):
        data.make_toy_dataset(np.zeros((10, 2)), 11)


def test_the_toy_dataset_gives_full_batches_of_points():
    points, _ = data.toy_mixture("ring", 1000, seed=0)
    batches = list(data.make_toy_dataset(points, 256, seed=0))
    assert len(batches) == 3 and all(tuple(b.shape) == (256, 2) for b in batches)  # the last 232 dropped
    seen = np.concatenate([b.numpy() for b in batches])
    assert len(np.unique(seen, axis=0)) == 768  # shuffled without repeats within a pass


# ------------------------------------------------------------------------------------ mode coverage

CENTRES = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])


def test_mode_coverage_by_hand():
    # 30 samples at (0.01, 0) (mode 0, 0.01 ≤ 3·0.05), 20 at (2, 0.14) (mode 1, 0.14 ≤ 0.15), 10 at (1, 1) (far from
    # every mode) and 5 at (0, 2.16) (mode 2, but 0.16 > 0.15: not high quality).
    samples = np.array([[0.01, 0.0]] * 30 + [[2.0, 0.14]] * 20 + [[1.0, 1.0]] * 10 + [[0.0, 2.16]] * 5)
    result = metrics.mode_coverage(samples, CENTRES, 0.05)
    assert result["counts"].tolist() == [30, 20, 0]
    assert result["high_quality"] == pytest.approx(50 / 65)
    assert result["modes"] == 2 and result["of"] == 3  # mode 1 has exactly 20: covered
    # q = (0.6, 0.4, 0): KL(q ‖ uniform) = 0.6·log(3·0.6) + 0.4·log(3·0.4) = 0.35267 + 0.07293 = 0.42560
    assert result["reverse_kl"] == pytest.approx(0.6 * math.log(1.8) + 0.4 * math.log(1.2), abs=1e-9)
    assert metrics.mode_coverage(samples[30:], CENTRES, 0.05, min_count=21)["modes"] == 0  # 20 < 21
    assert metrics.mode_coverage(samples[:31], CENTRES, 0.05, min_count=1)["modes"] == 2  # VEEGAN's rule: one is enough
    assert metrics.describe_coverage(result) == "2 of 3 modes, 76.9% high quality, reverse KL 0.426"


def test_reverse_kl_is_0_when_even_log_k_when_collapsed_and_inf_without_a_good_sample():
    even = np.repeat(CENTRES, 40, axis=0)
    assert metrics.mode_coverage(even, CENTRES, 0.05)["reverse_kl"] == pytest.approx(0.0, abs=1e-12)
    collapsed = metrics.mode_coverage(np.zeros((100, 2)), CENTRES, 0.05)
    assert collapsed["reverse_kl"] == pytest.approx(math.log(3)) and collapsed["modes"] == 1
    nowhere = metrics.mode_coverage(np.full((10, 2), 9.0), CENTRES, 0.05)
    assert nowhere["reverse_kl"] == math.inf and nowhere["high_quality"] == 0.0 and nowhere["modes"] == 0


def test_real_points_score_as_the_papers_define():
    for name in ("ring", "grid"):
        points, centres = data.toy_mixture(name, metrics.MODE_SAMPLES, seed=1)
        result = metrics.mode_coverage(points, centres, data.toy_centres(name)[1])
        assert result["modes"] == len(centres)
        assert result["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.01)  # 98.9% within 3σ


def test_mode_coverage_refuses_bad_input_in_one_line():
    with pytest.raises(ValueError, match=r"`samples` of shape \(N, 2\)"):
        metrics.mode_coverage(np.zeros((4, 3)), CENTRES, 0.05)
    with pytest.raises(ValueError, match="`sigma` > 0"):
        metrics.mode_coverage(np.zeros((4, 2)), CENTRES, 0.0)
    with pytest.raises(ValueError, match="min_count"):
        metrics.mode_coverage(np.zeros((4, 2)), CENTRES, 0.05, min_count=0)
    with pytest.raises(ValueError, match="diverged"):
        metrics.mode_coverage(np.full((4, 2), np.nan), CENTRES, 0.05)
