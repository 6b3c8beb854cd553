"""Feature sets: what a judge turns images into, and the checks every score on ``(N, d)`` features shares.

A score of the course (FID, KID, precision and recall) never looks at pixels: it compares two sets of
*features*, the activations of a classifier's layer for each image (:func:`feature_extractor`). The scores
in :mod:`ganlib.metrics.kid`, :mod:`ganlib.metrics.precision_recall` and :mod:`ganlib.metrics.fid_by_n`
take those sets as NumPy arrays ``(N, d)`` and check them with :func:`check_feature_set` and
:func:`check_feature_sets`: two dimensions, enough rows, the same ``d`` on both sides, no NaN.
"""

from __future__ import annotations

import numpy as np

from ganlib import _checks
from ganlib.metrics.judge import FEATURES_LAYER


def feature_extractor(classifier, layer: str = FEATURES_LAYER):
    """Return a model that maps the classifier's input to the activations of one of its layers.

    For the judge (:func:`ganlib.metrics.build_judge`) the default is its 128-unit ``"features"`` layer, the
    one before the 10 class scores: what FID and the other scores compare.

    Args:
        classifier: a functional ``keras.Model`` (one input).
        layer: the name of the layer whose output is wanted.

    Returns:
        A ``keras.Model`` from ``classifier.input`` to that layer's output, sharing the classifier's weights.
    """
    import keras

    try:
        chosen = classifier.get_layer(layer)
    except ValueError:
        names = [each.name for each in classifier.layers]
        raise ValueError(f"Expected a layer named {layer!r} in the classifier. Received: layers {names}") from None
    return keras.Model(classifier.input, chosen.output, name=f"{classifier.name}_{layer}")


def check_feature_set(name: str, features, min_rows: int = 2, why: str = "") -> np.ndarray:
    """Return ``features`` as float64 ``(N, d)``, or raise a one-line ``ValueError`` saying what is wrong.

    Args:
        name: the argument's name, for the message.
        features: an array ``(N, d)``.
        min_rows: the fewest rows the score needs.
        why: what needs that many rows, added to the message (e.g. ``"k + 1 with k=3"``).
    """
    array = np.asarray(features)
    if array.ndim != 2 or array.shape[1] < 1:
        raise ValueError(f"Expected `{name}` of shape (N, d), one row of features per image. Received: shape={array.shape}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"Expected real numbers in `{name}`. Received: dtype={array.dtype}")
    if len(array) < min_rows:
        reason = f" ({why})" if why else ""
        raise ValueError(f"Expected at least {min_rows} rows in `{name}`{reason}. Received: shape={array.shape}")
    _checks.finite_values(name, array)
    return array.astype(np.float64, copy=False)


def check_feature_sets(real_features, fake_features, min_rows: int = 2, why: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Check both sets with :func:`check_feature_set` and that they have the same number of features ``d``.

    Returns:
        ``(real, fake)`` as float64 arrays.
    """
    real = check_feature_set("real_features", real_features, min_rows, why)
    fake = check_feature_set("fake_features", fake_features, min_rows, why)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            "Expected `real_features` and `fake_features` with the same number of features (columns), from the "
            f"same judge layer. Received: real_features.shape={real.shape}, fake_features.shape={fake.shape}"
        )
    return real, fake
