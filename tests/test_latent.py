"""Latent-space tools and the latent explorer widget, driven through its handlers."""

import keras
import numpy as np
import pytest

from ganlib import latent, models, widgets


@pytest.fixture(scope="module")
def generator():
    return models.build_mlp_generator(8, (16,), seed=0)


class FakeJudge:
    """Says an image is digit 7 in proportion to its mean brightness: the brightest sample wins."""

    def probabilities(self, images):
        brightness = (np.asarray(images).reshape(len(images), -1).mean(axis=1) + 1) / 2
        probabilities = np.full((len(images), 10), 0.0)
        probabilities[:, 7] = brightness
        probabilities[:, 1] = 1 - brightness
        return probabilities

    def predict_labels(self, images):
        return self.probabilities(images).argmax(axis=1)


def test_noise_is_repeatable_per_seed():
    np.testing.assert_array_equal(latent.noise(8, 3, seed=5), latent.noise(8, 3, seed=5))
    assert not np.array_equal(latent.noise(8, 1, seed=5), latent.noise(8, 1, seed=6))
    np.testing.assert_array_equal(latent.noise_for_seeds(8, [5, 6])[1], latent.noise(8, 1, seed=6)[0])


@pytest.mark.parametrize("spherical", [True, False])
def test_interpolation_runs_from_a_to_b(spherical):
    z_a, z_b = latent.noise(16, 2, seed=0)
    path = latent.interpolate(z_a, z_b, steps=7, spherical=spherical)
    assert path.shape == (7, 16)
    np.testing.assert_allclose(path[0], z_a, atol=1e-5)
    np.testing.assert_allclose(path[-1], z_b, atol=1e-5)


def test_spherical_interpolation_keeps_the_norm_of_orthogonal_endpoints():
    z_a, z_b = np.array([3.0, 0.0]), np.array([0.0, 3.0])
    spherical = latent.interpolate(z_a, z_b, steps=5)
    straight = latent.interpolate(z_a, z_b, steps=5, spherical=False)
    np.testing.assert_allclose(np.linalg.norm(spherical, axis=1), 3.0, rtol=1e-5)
    assert np.linalg.norm(straight[2]) < 2.2  # the straight line cuts through the low-norm middle


def test_directions_are_orthonormal():
    basis = latent.directions(10, 4, seed=1)
    np.testing.assert_allclose(basis @ basis.T, np.eye(4), atol=1e-5)
    with pytest.raises(ValueError, match="k"):
        latent.directions(3, 4)


def test_search_digit_returns_the_most_convincing_seeds(generator):
    seeds, images, confidences = latent.search_digit(generator, FakeJudge(), 7, n_candidates=20, top=3)
    assert len(seeds) == 3 and images.shape == (3, 28, 28, 1)
    assert np.all(np.diff(confidences) <= 0)
    all_scores = FakeJudge().probabilities(latent.render(generator, latent.noise_for_seeds(8, range(20))))[:, 7]
    assert confidences[0] == pytest.approx(all_scores.max())
    with pytest.raises(ValueError, match="digit"):
        latent.search_digit(generator, FakeJudge(), 10)


def test_explorer_redraws_when_a_knob_moves(generator):
    explorer = widgets.latent_explorer(generator, FakeJudge(), n_directions=3, steps=5)
    assert explorer.view.value[:8] == b"\x89PNG\r\n\x1a\n" and len(explorer.sliders) == 3
    before_view, before_z = explorer.view.value, explorer.z.copy()
    explorer.sliders[0].value = 2.0
    assert not np.array_equal(explorer.z, before_z) and explorer.view.value != before_view
    np.testing.assert_allclose(explorer.z - before_z, 2.0 * explorer.basis[0], atol=1e-5)
    explorer.sliders[0].value = 0.0
    explorer.t.value = 1.0
    np.testing.assert_allclose(explorer.z, explorer.endpoints()[1], atol=1e-5)
    strip_before = explorer.strip.value
    explorer.seed_b.value = 9
    assert explorer.strip.value != strip_before


def test_explorer_finds_a_digit_and_draws_the_histogram(generator):
    explorer = widgets.latent_explorer(generator, FakeJudge())
    confidence = explorer.find_digit(7, n_candidates=16)
    best_seeds, _, _ = latent.search_digit(generator, FakeJudge(), 7, n_candidates=16, top=1)
    assert explorer.seed_a.value == int(best_seeds[0])
    assert "7" in explorer.message.value and confidence > 0
    shares = explorer.class_histogram(n=50)
    assert shares.sum() == pytest.approx(1.0)
    assert "digit" in explorer.message.value  # the mode-collapse report of those shares


def test_explorer_without_a_judge_disables_the_judge_buttons(generator):
    explorer = widgets.latent_explorer(generator)
    assert explorer.find_button.disabled and explorer.histogram_button.disabled
    assert keras.ops.convert_to_numpy(explorer.generator(explorer.z[None])).shape == (1, 28, 28, 1)
