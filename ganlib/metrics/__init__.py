"""Quality measures of the course, one module a concept; this package re-exports their public names, so
``from ganlib import metrics; metrics.load_judge()`` is all a lesson needs.

* :mod:`ganlib.metrics.judge` — the judge, a small MNIST classifier: building, training, caching.
* :mod:`ganlib.metrics.scores` — a generator's scores from the judge: FID, classifier score, coverage.
* :mod:`ganlib.metrics.translation` — an image translator's scores: L1, PSNR, SSIM, and the judge's view.
* :mod:`ganlib.metrics.conditional` — a class-conditional generator's: accuracy per requested class, per-class FID.
* :mod:`ganlib.metrics.cyclegan` — a CycleGAN's content kept (lesson 5), against the grey copy.
* :mod:`ganlib.metrics.features` — a classifier's feature layer as a model; the checks of ``(N, d)`` feature sets.
* :mod:`ganlib.metrics.fid_by_n` — FID against the number of samples N, and its extrapolation to N → ∞ (lesson 8).
* :mod:`ganlib.metrics.kid` — KID: the unbiased MMD² with a cubic polynomial kernel, over subsets (lesson 8).
* :mod:`ganlib.metrics.precision_recall` — k-NN precision and recall; nearest neighbours, for memorisation (lesson 8).

Running a model over many images in batches is :func:`ganlib.inference.predict_in_batches`
(``translate_batches`` here is the same function, under the name lesson 3 uses).
"""

from ganlib.inference import predict_in_batches as translate_batches
from ganlib.metrics.conditional import (
    conditional_accuracy,
    evaluate_conditional,
    evaluate_unconditional_by_class,
    per_class_fid,
)
from ganlib.metrics.cyclegan import evaluate_cyclegan
from ganlib.metrics.features import check_feature_set, check_feature_sets, feature_extractor
from ganlib.metrics.fid_by_n import extrapolate_fid, fid_by_n
from ganlib.metrics.judge import (
    FEATURES_LAYER,
    IMAGE_SHAPE,
    MAX_DIGITS,
    NUM_CLASSES,
    SMOKE_DIGITS,
    SMOKE_EPOCHS,
    Judge,
    build_judge,
    load_judge,
    train_judge,
)
from ganlib.metrics.kid import kid, mmd2_unbiased, polynomial_kernel
from ganlib.metrics.modes import MODE_SAMPLES, describe_coverage, mode_coverage  # noqa: F401 (lesson 7: the 2-D toys)
from ganlib.metrics.precision_recall import knn_radii, nearest_neighbours, precision_recall
from ganlib.metrics.scores import (
    class_coverage,
    classifier_score,
    evaluate_generator,
    fid,
    frechet_distance,
    mode_collapse_report,
    summarize,
)
from ganlib.metrics.translation import (
    evaluate_translator,
    l1_error,
    psnr,
    restoration_scores,
    ssim,
    translation_scores,
    unpad_digits,
)

__all__ = [
    "FEATURES_LAYER",
    "IMAGE_SHAPE",
    "MAX_DIGITS",
    "NUM_CLASSES",
    "SMOKE_DIGITS",
    "SMOKE_EPOCHS",
    "Judge",
    "build_judge",
    "check_feature_set",
    "check_feature_sets",
    "class_coverage",
    "classifier_score",
    "conditional_accuracy",
    "evaluate_conditional",
    "evaluate_cyclegan",
    "evaluate_generator",
    "evaluate_translator",
    "evaluate_unconditional_by_class",
    "extrapolate_fid",
    "feature_extractor",
    "fid",
    "fid_by_n",
    "frechet_distance",
    "kid",
    "knn_radii",
    "l1_error",
    "load_judge",
    "mmd2_unbiased",
    "mode_collapse_report",
    "nearest_neighbours",
    "per_class_fid",
    "polynomial_kernel",
    "precision_recall",
    "psnr",
    "restoration_scores",
    "ssim",
    "summarize",
    "train_judge",
    "translate_batches",
    "translation_scores",
    "unpad_digits",
]
