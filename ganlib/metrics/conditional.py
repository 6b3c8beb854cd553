"""Scores of a class-conditional generator: does it draw the digit it is asked for, and how well?

* :func:`conditional_accuracy` — the share of samples that the course's judge (:mod:`ganlib.metrics`)
  classifies as the class they were asked for, overall and per class.
* :func:`per_class_fid` — the course's FID (judge features, not Inception) between the real digits of each
  class and the samples of that class. For an *unconditional* generator, pass the judge's predicted
  classes as the samples' labels: each class's FID then compares the samples that look like that digit.
* :func:`evaluate_conditional` — both, plus the overall FID and class coverage, from ``n_per_class``
  samples of each class.

Per-class FIDs come from fewer samples than an overall FID and, like every FID, depend on the number of
samples: compare them only with per-class FIDs from the same numbers.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks, sampling
from ganlib.metrics.judge import NUM_CLASSES
from ganlib.metrics.scores import class_coverage, fid, frechet_distance


def conditional_accuracy(judge, images, requested_labels) -> dict:
    """How often the judge agrees with the requested label.

    Args:
        judge: a :class:`ganlib.metrics.Judge`.
        images: generated digits, float32 ``(N, 28, 28, 1)`` in [-1, 1].
        requested_labels: the class each image was asked to be, ints ``(N,)``.

    Returns:
        ``{"accuracy": share overall, "per_class": [share per class (NaN for a class not requested)],
        "predicted": the judge's labels}``.
    """
    requested = np.asarray(requested_labels).astype(np.int64)
    predicted = judge.predict_labels(images)
    if requested.shape != predicted.shape:
        raise ValueError(
            f"Expected one requested label per image ({len(predicted)}). Received: shape={requested.shape}"
        )
    per_class = [
        float(np.mean(predicted[requested == k] == k)) if np.any(requested == k) else float("nan")
        for k in range(NUM_CLASSES)
    ]
    return {"accuracy": float(np.mean(predicted == requested)), "per_class": per_class, "predicted": predicted}


def per_class_fid(judge, real_images, real_labels, fake_images, fake_labels) -> list[float]:
    """The FID of each class: judge features of the real digits of class ``k`` against the samples labelled
    ``k`` (NaN where either side has fewer than 2 images)."""
    real_features = judge.features(real_images)
    fake_features = judge.features(fake_images)
    real_labels, fake_labels = np.asarray(real_labels), np.asarray(fake_labels)
    scores = []
    for k in range(NUM_CLASSES):
        real_k, fake_k = real_features[real_labels == k], fake_features[fake_labels == k]
        enough = len(real_k) >= 2 and len(fake_k) >= 2
        scores.append(frechet_distance(real_k, fake_k) if enough else float("nan"))
    return scores


def evaluate_conditional(generator, judge, real_images, real_labels, n_per_class: int = 200, seed: int = 0) -> dict:
    """Score a conditional generator (``[z, labels]`` inputs) with the judge.

    Args:
        generator: a conditional generator (e.g. ``ConditionalGAN.sampler``).
        judge: a :class:`ganlib.metrics.Judge`.
        real_images: real digits for the FIDs, with
        real_labels: their classes.
        n_per_class: samples asked of each class.
        seed: seed of the noise.

    Returns:
        ``{"accuracy", "per_class_accuracy", "fid", "per_class_fid", "coverage"}`` — coverage being the
        shares of the judge's predicted classes among all samples.
    """
    n_per_class = _checks.positive_int("n_per_class", n_per_class)
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int32), n_per_class)
    images = sampling.generate(generator, len(labels), labels=labels, seed=seed)
    agreement = conditional_accuracy(judge, images, labels)
    return {
        "accuracy": agreement["accuracy"],
        "per_class_accuracy": agreement["per_class"],
        "fid": fid(judge, real_images, images),
        "per_class_fid": per_class_fid(judge, real_images, real_labels, images, labels),
        "coverage": [float(s) for s in class_coverage(agreement["predicted"])],
    }


def evaluate_unconditional_by_class(generator, judge, real_images, real_labels, n: int = 2000, seed: int = 0) -> dict:
    """The same scores for an unconditional generator: ``n`` samples, grouped by the judge's predicted class
    (no accuracy: nothing was requested)."""
    images = sampling.generate(generator, n, seed=seed)
    predicted = judge.predict_labels(images)
    return {
        "fid": fid(judge, real_images, images),
        "per_class_fid": per_class_fid(judge, real_images, real_labels, images, predicted),
        "coverage": [float(s) for s in class_coverage(predicted)],
    }
