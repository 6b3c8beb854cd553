"""Tests of ganlib.metrics: Fréchet distance, classifier score, coverage and the judge."""

import os
import warnings

import numpy as np
import pytest

from ganlib import config, data, metrics

# --------------------------------------------------------------------------------------------------------
# Helpers and shared fixtures
# --------------------------------------------------------------------------------------------------------


def reference_frechet(x, y):
    """Independent reference: Tr((Σ₁Σ₂)^½) as the sum of square roots of the eigenvalues of Σ₁Σ₂."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    # Σ₁Σ₂ is similar to the PSD matrix Σ₁^½ Σ₂ Σ₁^½, so its eigenvalues are real and >= 0.
    eigenvalues = np.linalg.eigvals(s1 @ s2)
    trace_sqrt = np.sqrt(np.clip(eigenvalues.real, 0, None)).sum()
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * trace_sqrt)


def exact_moments(n, mean, variances, seed):
    """Samples whose sample mean and (ddof=1) covariance are exactly ``mean`` and ``diag(variances)``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(mean)))
    z -= z.mean(0)
    chol = np.linalg.cholesky(np.atleast_2d(np.cov(z, rowvar=False)))
    z = np.linalg.solve(chol, z.T).T  # sample covariance now exactly I
    return np.asarray(mean) + z * np.sqrt(variances)


@pytest.fixture(scope="module")
def split(mnist):
    """2,000 random bundled digits to train on and the other 3,000 held out."""
    images, labels = mnist
    order = np.random.default_rng(1).permutation(len(images))
    train, held_out = order[:2000], order[2000:]
    return (images[train], labels[train]), (images[held_out], labels[held_out])


@pytest.fixture(scope="module")
def trained_judge(split):
    """One judge, trained once for this module (about 6 s on two CPU cores)."""
    (images, labels), _ = split
    return metrics.Judge(metrics.train_judge(images, labels, epochs=3, batch_size=32, seed=0))


def tiny_generator(latent_dim=8, seed=0):
    import keras

    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(
                28 * 28, activation="tanh", kernel_initializer=keras.initializers.RandomNormal(seed=seed)
            ),
            keras.layers.Reshape((28, 28, 1)),
        ]
    )


# --------------------------------------------------------------------------------------------------------
# Fréchet distance
# --------------------------------------------------------------------------------------------------------


def test_frechet_distance_matches_reference_on_random_gaussians():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((600, 12)) @ rng.standard_normal((12, 12)) + rng.standard_normal(12)
    b = rng.standard_normal((500, 12)) @ rng.standard_normal((12, 12)) * 0.7 - 1.0
    got = metrics.frechet_distance(a, b)
    assert got == pytest.approx(reference_frechet(a, b), rel=1e-6)
    assert got > 0


def test_frechet_distance_of_identical_sets_is_zero():
    features = np.random.default_rng(1).standard_normal((300, 16)).astype(np.float32)
    assert metrics.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_shifted_mean_is_squared_shift():
    real = np.random.default_rng(2).standard_normal((400, 6))
    shift = np.array([1.0, -2.0, 0.5, 0.0, 3.0, -0.25])
    assert metrics.frechet_distance(real, real + shift) == pytest.approx(np.sum(shift**2), rel=1e-6)


def test_frechet_distance_matches_closed_form_for_diagonal_gaussians():
    mean1, var1 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 4.0, 0.25])
    mean2, var2 = np.array([1.0, 1.0, -1.0]), np.array([9.0, 1.0, 0.25])
    real = exact_moments(300, mean1, var1, seed=3)
    fake = exact_moments(200, mean2, var2, seed=4)
    expected = np.sum((mean1 - mean2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert metrics.frechet_distance(real, fake) == pytest.approx(expected, rel=1e-8)


def test_frechet_distance_is_symmetric():
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((200, 10)), rng.standard_normal((250, 10)) * 2 + 1
    assert metrics.frechet_distance(a, b) == pytest.approx(metrics.frechet_distance(b, a), rel=1e-8)


def test_frechet_distance_handles_singular_covariances():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((5, 20)), rng.standard_normal((6, 20)) + 0.5  # fewer rows than features
    got = metrics.frechet_distance(a, b)
    assert np.isfinite(got)
    assert got == pytest.approx(reference_frechet(a, b), rel=1e-3)


def test_frechet_distance_ignores_a_feature_that_is_always_zero():
    # Like a dead ReLU unit of the judge: the covariances are singular, and no warning may escape.
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal((300, 8)), rng.standard_normal((300, 8)) * 1.5 + 0.3
    expected = metrics.frechet_distance(a, b)
    a0, b0 = (np.concatenate([x, np.zeros((300, 1))], axis=1) for x in (a, b))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.frechet_distance(a0, b0) == pytest.approx(expected, rel=1e-6)
        assert metrics.frechet_distance(a0, a0) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_works_for_one_feature():
    a = exact_moments(100, [0.0], [4.0], seed=7)
    b = exact_moments(100, [3.0], [1.0], seed=8)
    assert metrics.frechet_distance(a, b) == pytest.approx(9.0 + 1.0)


@pytest.mark.parametrize(
    ("real", "fake", "message"),
    [
        (np.zeros(10), np.zeros((10, 3)), "shape \\(N, D\\)"),
        (np.zeros((10, 3)), np.zeros((10, 3, 1)), "shape \\(N, D\\)"),
        (np.zeros((10, 3)), np.zeros((10, 4)), "same number of columns"),
        (np.zeros((1, 3)), np.zeros((10, 3)), "at least 2 rows"),
        (np.zeros((10, 0)), np.zeros((10, 0)), "at least 1 feature"),
        (np.full((10, 3), np.nan), np.zeros((10, 3)), "finite"),
    ],
)
def test_frechet_distance_rejects_bad_shapes(real, fake, message):
    with pytest.raises(ValueError, match=message):
        metrics.frechet_distance(real, fake)


# --------------------------------------------------------------------------------------------------------
# Classifier score, coverage, mode collapse
# --------------------------------------------------------------------------------------------------------


def test_classifier_score_of_confident_balanced_samples_is_number_of_classes():
    one_hot = np.eye(10)[np.repeat(np.arange(10), 7)]
    assert metrics.classifier_score(one_hot) == pytest.approx(10.0)


def test_classifier_score_of_identical_distributions_is_one():
    row = np.random.default_rng(0).dirichlet(np.ones(10))
    assert metrics.classifier_score(np.tile(row, (50, 1))) == pytest.approx(1.0)
    assert metrics.classifier_score(np.eye(10)[np.zeros(30, int)]) == pytest.approx(1.0)  # all one class


def test_classifier_score_lies_between_one_and_ten():
    probabilities = np.random.default_rng(1).dirichlet(np.full(10, 0.3), size=500).astype(np.float32)
    assert 1.0 <= metrics.classifier_score(probabilities) <= 10.0


@pytest.mark.parametrize(
    ("probabilities", "message"),
    [
        (np.full(10, 0.1), "shape \\(N, K\\)"),
        (np.full((4, 10), 0.2), "sum to 1"),
        (np.array([[1.5, -0.5]]), "non-negative"),
    ],
)
def test_classifier_score_rejects_bad_input(probabilities, message):
    with pytest.raises(ValueError, match=message):
        metrics.classifier_score(probabilities)


def test_class_coverage_counts_labels_and_probabilities():
    labels = np.array([0, 0, 1, 3, 3, 3, 9, 9])
    shares = metrics.class_coverage(labels)
    assert shares.shape == (10,) and shares.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(shares, np.array([2, 1, 0, 3, 0, 0, 0, 0, 0, 2]) / 8)
    probabilities = np.eye(10)[labels] * 0.8 + 0.02
    np.testing.assert_allclose(metrics.class_coverage(probabilities), shares)
    np.testing.assert_allclose(metrics.class_coverage([0, 1, 1, 2], num_classes=3), [0.25, 0.5, 0.25])


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (np.array([0, 10]), "labels in 0..9"),
        (np.array([-1, 2]), "labels in 0..9"),
        (np.zeros((4, 3)), "shape \\(N, 10\\)"),
        (np.array([], dtype=int), "at least one sample"),
        (np.array([0.5, 1.0]), "integer labels"),
    ],
)
def test_class_coverage_rejects_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        metrics.class_coverage(values)


def test_mode_collapse_report_when_all_digits_appear():
    shares = np.full(10, 0.1)
    shares[8], shares[2] = 0.071, 0.129
    assert metrics.mode_collapse_report(shares) == "All 10 digits appear (smallest share 7.1% for '8')."


def test_mode_collapse_report_flags_missing_and_rare_digits():
    labels = np.concatenate([np.repeat([0, 1, 2, 4, 5, 6, 7, 9], 12), [8]])  # no 3, a single 8
    report = metrics.mode_collapse_report(metrics.class_coverage(labels))
    assert report.startswith("Mode collapse warning: digits 3, 8 make up less than 5% each")
    assert "3: 0.0%" in report and "8: 1.0%" in report
    one = metrics.mode_collapse_report(metrics.class_coverage(np.repeat([0, 1, 2, 4, 5, 6, 7, 8, 9], 5)))
    assert "digit 3 makes up less than 5%" in one
    with pytest.raises(ValueError, match="threshold"):
        metrics.mode_collapse_report(np.full(10, 0.1), threshold=1.5)


# --------------------------------------------------------------------------------------------------------
# The judge
# --------------------------------------------------------------------------------------------------------


def test_build_judge_shapes_and_size():
    model = metrics.build_judge(seed=0)
    assert model.name == "judge"
    assert tuple(model.input_shape) == (None, 28, 28, 1) and tuple(model.output_shape) == (None, 10)
    assert model.get_layer("features").units == 128
    assert model.count_params() < 300_000
    same = metrics.build_judge(seed=0)
    np.testing.assert_array_equal(model.get_weights()[0], same.get_weights()[0])


def test_train_judge_validates_arguments(mnist):
    images, labels = mnist
    with pytest.raises(ValueError, match="Expected `epochs` > 0. Received: epochs=0"):
        metrics.train_judge(images[:50], labels[:50], epochs=0)
    with pytest.raises(ValueError, match="one per image"):
        metrics.train_judge(images[:50], labels[:40])
    with pytest.raises(ValueError, match="at least 10 images"):
        metrics.train_judge(images[:5], labels[:5])
    with pytest.raises(ValueError, match="shape \\(N, 28, 28\\)"):
        metrics.train_judge(np.zeros((20, 14, 14), np.uint8), labels[:20])


@pytest.mark.slow
def test_trained_judge_generalises_to_held_out_digits(trained_judge, split):
    _, (images, labels) = split
    accuracy = trained_judge.accuracy(images, labels)
    assert accuracy > 0.9, f"held-out accuracy {accuracy:.3f}"


@pytest.mark.slow
def test_judge_outputs(trained_judge, split):
    _, (images, _) = split
    images = images[:300]
    logits = trained_judge.logits(images, batch_size=128)
    probabilities = trained_judge.probabilities(images)
    features = trained_judge.features(images, batch_size=100)
    assert logits.shape == (300, 10) and logits.dtype == np.float32
    assert features.shape == (300, 128) and features.dtype == np.float32 and features.min() >= 0  # relu
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(trained_judge.predict_labels(images), logits.argmax(axis=1))
    # uint8 (N, 28, 28) and float (N, 28, 28, 1) in [-1, 1] give the same answers; calls are deterministic.
    np.testing.assert_allclose(trained_judge.logits(data.scale_to_unit(images)[..., None]), logits, atol=1e-4)
    np.testing.assert_array_equal(trained_judge.features(images, batch_size=100), features)
    assert trained_judge.features(images[:0]).shape == (0, 128)
    with pytest.raises(ValueError, match="shape"):
        trained_judge.logits(np.zeros((3, 32, 32, 1), np.float32))


def test_judge_rejects_a_model_without_features_layer():
    import keras

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="'features'"):
        metrics.Judge(model)


@pytest.mark.slow
def test_fid_real_vs_real_is_smaller_than_real_vs_noise(trained_judge, split):
    (train_images, _), (held_out, _) = split
    noise = np.random.default_rng(0).uniform(-1, 1, (500, 28, 28, 1)).astype(np.float32)
    real_vs_real = metrics.fid(trained_judge, held_out[:1000], train_images[:500])
    real_vs_noise = metrics.fid(trained_judge, held_out[:1000], noise)
    assert 0 <= real_vs_real < real_vs_noise / 10


# --------------------------------------------------------------------------------------------------------
# load_judge: caching
# --------------------------------------------------------------------------------------------------------


def _judge_files():
    return sorted(config.data_dir().glob("judge-*"))


@pytest.mark.slow
def test_load_judge_caches_and_reloads(split, capsys):
    (images, labels), (held_out, _) = split
    images, labels = images[:400], labels[:400]

    first = metrics.load_judge(images, labels, epochs=1)
    out = capsys.readouterr().out
    assert "Judge: trained on 360 digits for 1 epoch(s)" in out and "held-out accuracy" in out
    files = _judge_files()
    assert len(files) == 1 and files[0].name.startswith("judge-400-") and files[0].suffix == ".keras"
    mtime = files[0].stat().st_mtime_ns

    second = metrics.load_judge(images, labels, epochs=1)
    out = capsys.readouterr().out
    assert out.strip() == f"Judge: loaded from cache {files[0]}."
    assert files[0].stat().st_mtime_ns == mtime and _judge_files() == files
    np.testing.assert_allclose(second.logits(held_out[:50]), first.logits(held_out[:50]), atol=1e-5)

    metrics.load_judge(images, labels, epochs=1, retrain=True)
    assert "Judge: trained" in capsys.readouterr().out
    assert _judge_files() == files  # replaced in place, no temporary files left

    metrics.load_judge(images[:300], labels[:300], epochs=1, verbose=False)  # another set, another file
    assert capsys.readouterr().out == ""
    assert len(_judge_files()) == 2


@pytest.mark.slow
def test_load_judge_replaces_a_corrupt_cache_file(split, capsys):
    (images, labels), (held_out, _) = split
    images, labels = images[:300], labels[:300]
    metrics.load_judge(images, labels, epochs=1)
    (path,) = _judge_files()
    path.write_bytes(os.urandom(2048))
    capsys.readouterr()

    judge = metrics.load_judge(images, labels, epochs=1)
    out = capsys.readouterr().out
    assert f"the cached file {path} could not be loaded" in out and "deleting it" in out
    assert "Judge: trained" in out
    assert _judge_files() == [path]
    assert judge.logits(held_out[:5]).shape == (5, 10)

    metrics.load_judge(images, labels, epochs=1)
    assert "loaded from cache" in capsys.readouterr().out


@pytest.mark.slow
def test_load_judge_in_smoke_mode_uses_few_digits_and_its_own_tag(monkeypatch, capsys):
    monkeypatch.setenv("GANLIB_SMOKE", "1")
    judge = metrics.load_judge()  # offline: the 5,000 bundled digits, cut to 1,000 for one epoch
    out = capsys.readouterr().out
    assert "MNIST source" in out and "trained on 900 digits for 1 epoch(s)" in out and "(smoke mode)" in out
    (path,) = _judge_files()
    assert path.name.startswith("judge-smoke-1000-")
    assert isinstance(judge, metrics.Judge)


def test_load_judge_validates_arguments(mnist):
    images, labels = mnist
    with pytest.raises(ValueError, match="both or neither"):
        metrics.load_judge(images)
    with pytest.raises(ValueError, match="Expected `epochs` > 0"):
        metrics.load_judge(images, labels, epochs=-1)


# --------------------------------------------------------------------------------------------------------
# evaluate_generator and summarize
# --------------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_evaluate_generator_returns_sane_scores(trained_judge, split):
    _, (held_out, _) = split
    generator = tiny_generator()
    result = metrics.evaluate_generator(
        generator, trained_judge, held_out[:500], n_samples=300, batch_size=128
    )
    assert set(result) == {"fid", "confidence", "classifier_score", "coverage", "min_share"}
    assert np.isfinite(result["fid"]) and result["fid"] > 0
    assert 0.1 <= result["confidence"] <= 1.0
    assert 1.0 <= result["classifier_score"] <= 10.0
    assert len(result["coverage"]) == 10 and sum(result["coverage"]) == pytest.approx(1.0)
    assert result["min_share"] == min(result["coverage"])
    again = metrics.evaluate_generator(generator, trained_judge, held_out[:500], n_samples=300, batch_size=64)
    assert again["fid"] == pytest.approx(result["fid"], rel=1e-4)  # same seed, same samples
    assert again["coverage"] == result["coverage"]

    line = metrics.summarize(result)
    assert (
        line.startswith("FID ") and "confidence" in line and "classifier score" in line and "\n" not in line
    )


def test_evaluate_generator_validates_arguments():
    import keras

    generator, judge = tiny_generator(), metrics.Judge(metrics.build_judge(seed=0))
    real = np.zeros((10, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="Expected `n_samples` > 0. Received: n_samples=-3"):
        metrics.evaluate_generator(generator, judge, real, n_samples=-3)
    with pytest.raises(ValueError, match="Expected `batch_size` > 0"):
        metrics.evaluate_generator(generator, judge, real, batch_size=0)
    assert np.isfinite(metrics.evaluate_generator(generator, judge, real, n_samples=4)["fid"])
    wrong = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16), keras.layers.Reshape((4, 4, 1))])
    with pytest.raises(ValueError, match="shape \\(N, 28, 28\\)"):
        metrics.evaluate_generator(wrong, judge, real, n_samples=4)
    with pytest.raises(ValueError, match="missing"):
        metrics.summarize({"fid": 1.0})
