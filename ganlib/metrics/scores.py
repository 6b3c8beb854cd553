"""Scores of a generator, from the judge's view of its samples: FID, classifier score, confidence, coverage.

* :func:`fid` — the Fréchet distance between the judge's 128-d features of real and generated digits
  (lower is better). It is the "FID" of the course and is **not** comparable with the Inception-FID
  numbers quoted in papers.
* :func:`classifier_score` — the Inception Score analogue: high when each sample is clearly one digit and
  all digits appear (1 to 10 for 10 classes; higher is better).
* :func:`class_coverage` and :func:`mode_collapse_report` — how often each digit appears, to spot mode
  collapse.
* :func:`evaluate_generator` — all of the above for a Keras generator, in one dictionary;
  :func:`summarize` formats it as one line.
"""

from __future__ import annotations

import warnings

import numpy as np

from ganlib import _checks, latent
from ganlib.inference import predict_in_batches
from ganlib.metrics.judge import NUM_CLASSES, Judge, judge_input

_EVAL_KEYS = ("fid", "confidence", "classifier_score", "coverage", "min_share")


def _check_features(name: str, features) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(f"Expected `{name}` of shape (N, D). Received: shape={features.shape}")
    if features.shape[0] < 2:
        raise ValueError(
            f"Expected at least 2 rows in `{name}` to estimate a covariance. Received: shape={features.shape}"
        )
    if features.shape[1] < 1:
        raise ValueError(f"Expected at least 1 feature column in `{name}`. Received: shape={features.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError(f"Expected finite values in `{name}`. Received: NaN or infinity")
    return features


def frechet_distance(real_features, fake_features, eps: float = 1e-6) -> float:
    """Return the squared Fréchet distance between Gaussians fitted to two sets of features.

    ``d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)``, the quantity FID reports (Heusel et al. 2017, "GANs Trained by a Two Time-Scale
    Update Rule Converge to a Local Nash Equilibrium", arXiv:1706.08500), computed in float64 with
    ``scipy.linalg.sqrtm``. Tiny imaginary parts from round-off are dropped; when the product of the
    covariances is singular (fewer samples than features, or a feature that never varies, such as a dead
    ReLU unit) or its square root is not finite, ``eps·I`` is added to both covariances first.

    Args:
        real_features: ``(N, D)`` features, N >= 2.
        fake_features: ``(M, D)`` features, M >= 2, same D.
        eps: diagonal offset used when the plain computation is not finite.

    Returns:
        The distance (>= 0; 0 for identical sets). It depends on the number of samples: compare scores
        computed from the same numbers of samples.
    """
    from scipy import linalg

    real = _check_features("real_features", real_features)
    fake = _check_features("fake_features", fake_features)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            "Expected `real_features` and `fake_features` with the same number of columns. "
            f"Received: real_features.shape={real.shape}, fake_features.shape={fake.shape}"
        )
    mu1, mu2 = real.mean(axis=0), fake.mean(axis=0)
    sigma1 = np.atleast_2d(np.cov(real, rowvar=False))
    sigma2 = np.atleast_2d(np.cov(fake, rowvar=False))

    def sqrt_product(s1, s2):
        """Return the real square root of ``s1 @ s2``, or None when the product is singular or unstable."""
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # scipy warns when the product is singular (e.g. a ReLU feature that is always 0).
            warnings.simplefilter("error", linalg.LinAlgWarning)
            try:
                root = np.asarray(linalg.sqrtm(s1 @ s2))
            except (linalg.LinAlgWarning, linalg.LinAlgError):
                return None
        if np.iscomplexobj(root):
            # Round-off can give imaginary parts; large ones mean the plain product was ill-conditioned.
            scale = max(1.0, float(np.abs(root.real).max()))
            if np.abs(root.imag).max() > 1e-3 * scale:
                return None
            root = root.real
        return root if np.all(np.isfinite(root)) else None

    covmean = sqrt_product(sigma1, sigma2)
    if covmean is None:
        # Regularise both covariances (traces included, so a feature that is constant in both sets still
        # adds exactly 0).
        offset = eps * np.eye(sigma1.shape[0])
        sigma1, sigma2 = sigma1 + offset, sigma2 + offset
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            root = np.asarray(linalg.sqrtm(sigma1 @ sigma2))
        covmean = root.real
        if not np.all(np.isfinite(covmean)):
            raise ValueError("Could not compute the Fréchet distance: the covariance product is not finite.")
    diff = mu1 - mu2
    distance = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
    return max(distance, 0.0)


def fid(judge: Judge, real_images, fake_images, batch_size: int = 500) -> float:
    """Return the course's FID: the squared Fréchet distance between judge features of real and fake digits.

    It is computed from the 128-d ``"features"`` layer of the MNIST judge, not from Inception-v3, so its
    values are **not** comparable with the Inception-FID numbers reported in papers; use it to compare
    models and training runs within the course, with the same judge and the same numbers of samples.
    Lower is better; 0 means the two feature distributions have the same mean and covariance.

    Args:
        judge: a :class:`Judge` (from :func:`load_judge`).
        real_images: real digits, at least 2.
        fake_images: generated digits, at least 2.
        batch_size: images per forward pass.

    Returns:
        The distance as a float.
    """
    return frechet_distance(judge.features(real_images, batch_size), judge.features(fake_images, batch_size))


def classifier_score(probabilities) -> float:
    """Return the Inception Score analogue ``exp(E_x KL(p(y|x) ‖ p(y)))`` for the judge's probabilities.

    After Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498), with the
    judge in place of Inception-v3 and one split. It is high when each sample is confidently one class
    (sharp ``p(y|x)``) *and* the classes are balanced (flat ``p(y)``): between 1 (every sample has the
    same class distribution) and K, the number of classes (confident and perfectly balanced).

    Args:
        probabilities: ``(N, K)`` array of class probabilities, rows summing to 1.

    Returns:
        The score as a float.
    """
    from scipy.special import xlogy

    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 1:
        raise ValueError(f"Expected `probabilities` of shape (N, K) with N >= 1. Received: shape={p.shape}")
    if not np.all(np.isfinite(p)) or p.min() < 0:
        raise ValueError("Expected finite, non-negative `probabilities`. Received: negative, NaN or infinity")
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3):
        raise ValueError(
            "Expected each row of `probabilities` to sum to 1 (apply a softmax to logits first). "
            f"Received: row sums from {sums.min():.4g} to {sums.max():.4g}"
        )
    p = p / sums[:, None]
    marginal = p.mean(axis=0, keepdims=True)
    kl = (xlogy(p, p) - xlogy(p, marginal)).sum(axis=1)
    return float(np.exp(kl.mean()))


def class_coverage(labels_or_probabilities, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Return the share of samples in each class.

    Args:
        labels_or_probabilities: predicted int labels ``(N,)``, or class probabilities / logits
            ``(N, num_classes)`` (the most likely class is counted).
        num_classes: number of classes.

    Returns:
        float64 array ``(num_classes,)`` of shares summing to 1.
    """
    num_classes = _checks.positive_int("num_classes", num_classes)
    values = np.asarray(labels_or_probabilities)
    if values.ndim == 2:
        if values.shape[1] != num_classes:
            raise ValueError(
                f"Expected probabilities of shape (N, {num_classes}). Received: shape={values.shape}"
            )
        labels = values.argmax(axis=1)
    elif values.ndim == 1:
        if values.size and not np.issubdtype(values.dtype, np.integer):
            if not np.issubdtype(values.dtype, np.number) or not np.all(values == np.round(values)):
                raise ValueError(f"Expected integer labels. Received: dtype={values.dtype}")
        labels = values.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"Expected labels in 0..{num_classes - 1}. Received: min={labels.min()}, max={labels.max()}"
            )
    else:
        raise ValueError(
            f"Expected labels (N,) or probabilities (N, {num_classes}). Received: shape={values.shape}"
        )
    if len(labels) == 0:
        raise ValueError("Expected at least one sample. Received: 0 samples")
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    return counts / counts.sum()


def mode_collapse_report(shares, threshold: float = 0.05) -> str:
    """Return one sentence on whether every class appears often enough among the samples.

    Args:
        shares: class shares as returned by :func:`class_coverage`.
        threshold: a class with a share below this (or none at all) is flagged. With 10 classes a balanced
            generator gives about 0.10 each.

    Returns:
        e.g. ``"All 10 digits appear (smallest share 7.1% for '8')."`` or ``"Mode collapse warning: digits
        3, 8 make up less than 5% each (3: 1.2%, 8: 0.0%)."``
    """
    shares = np.asarray(shares, dtype=np.float64)
    if shares.ndim != 1 or shares.size == 0:
        raise ValueError(f"Expected `shares` of shape (K,). Received: shape={shares.shape}")
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"Expected 0 <= `threshold` < 1. Received: threshold={threshold!r}")
    noun = "digits" if shares.size == NUM_CLASSES else "classes"
    low = [k for k in range(shares.size) if shares[k] < threshold or shares[k] == 0.0]
    if not low:
        smallest = int(shares.argmin())
        return f"All {shares.size} {noun} appear (smallest share {shares[smallest]:.1%} for '{smallest}')."
    details = ", ".join(f"{k}: {shares[k]:.1%}" for k in low)
    if len(low) == 1:
        subject = f"{noun[:-1] if noun == 'digits' else 'class'} {low[0]} makes up"
        each = ""
    else:
        subject = f"{noun} {', '.join(str(k) for k in low)} make up"
        each = " each"
    return (
        f"Mode collapse warning: {subject} less than {threshold:.0%}{each} ({details}); "
        f"a balanced generator gives about {1 / shares.size:.0%} each."
    )


def evaluate_generator(
    generator,
    judge: Judge,
    real_images,
    n_samples: int = 2000,
    latent_dim: int | None = None,
    seed: int = 0,
    batch_size: int = 500,
) -> dict:
    """Draw samples from an unconditional generator and score them with the judge.

    Args:
        generator: a Keras model mapping standard-normal noise ``(B, latent_dim)`` to digits in [-1, 1]
            (``(B, 28, 28, 1)`` or ``(B, 28, 28)``); one input only.
        judge: a :class:`Judge`.
        real_images: real digits for the FID (use the same set, and the same ``n_samples``, when
            comparing runs).
        n_samples: generated digits to score (at least 2).
        latent_dim: noise size; ``None`` reads it from ``generator.input_shape[-1]``.
        seed: seed of the noise (``np.random.default_rng(seed)``), so the same digits are scored each time.
        batch_size: samples per forward pass.

    Returns:
        A dict with ``"fid"`` (lower is better), ``"confidence"`` (mean top-class probability, 0.1..1),
        ``"classifier_score"`` (1..10), ``"coverage"`` (list of 10 class shares) and ``"min_share"`` (the
        smallest of them).
    """
    n_samples = _checks.positive_int("n_samples", n_samples)
    if n_samples < 2:
        raise ValueError(f"Expected `n_samples` >= 2 for the FID. Received: n_samples={n_samples}")
    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.seed(seed)
    if latent_dim is None:
        input_shape = generator.input_shape
        if isinstance(input_shape, list) or len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "Expected a generator with one noise input of shape (None, latent_dim), or an explicit "
                f"`latent_dim`. Received: generator.input_shape={input_shape}"
            )
        latent_dim = input_shape[-1]
    latent_dim = _checks.positive_int("latent_dim", latent_dim)

    fakes = judge_input(predict_in_batches(generator, latent.noise(latent_dim, n_samples, seed), batch_size))

    probabilities = judge.probabilities(fakes, batch_size)
    shares = class_coverage(probabilities)
    return {
        "fid": fid(judge, real_images, fakes, batch_size),
        "confidence": float(probabilities.max(axis=1).mean()),
        "classifier_score": classifier_score(probabilities),
        "coverage": [float(share) for share in shares],
        "min_share": float(shares.min()),
    }


def summarize(result: dict) -> str:
    """Return the result of :func:`evaluate_generator` as one line.

    Example: ``"FID 12.3 | confidence 0.94 | classifier score 8.71 | smallest digit share 7.1% ('8')"``.
    """
    missing = [key for key in _EVAL_KEYS if key not in result]
    if missing:
        raise ValueError(
            f"Expected a result of evaluate_generator with keys {_EVAL_KEYS}. Received: missing {missing}"
        )
    coverage = np.asarray(result["coverage"], dtype=np.float64)
    line = (
        f"FID {result['fid']:.1f} | confidence {result['confidence']:.2f} | "
        f"classifier score {result['classifier_score']:.2f} | smallest digit share {result['min_share']:.1%}"
    )
    if coverage.size:
        line += f" ('{int(coverage.argmin())}')"
    return line

