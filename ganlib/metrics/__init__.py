"""Quality measures of the course, one module a concept; this package re-exports their public names, so
``from ganlib import metrics; metrics.load_judge()`` is all a lesson needs.

* :mod:`ganlib.metrics.judge` — the judge, a small MNIST classifier: building, training, caching.
* :mod:`ganlib.metrics.scores` — a generator's scores from the judge: FID, classifier score, coverage.
* :mod:`ganlib.metrics.translation` — an image translator's scores: L1, PSNR, SSIM, and the judge's view.
* :mod:`ganlib.metrics.conditional` — a class-conditional generator's: accuracy per requested class, per-class FID.
* :mod:`ganlib.metrics.cyclegan` — a CycleGAN's content kept (lesson 5), against the grey copy.

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
    "class_coverage",
    "classifier_score",
    "conditional_accuracy",
    "evaluate_conditional",
    "evaluate_cyclegan",
    "evaluate_generator",
    "evaluate_translator",
    "evaluate_unconditional_by_class",
    "fid",
    "frechet_distance",
    "l1_error",
    "load_judge",
    "mode_collapse_report",
    "per_class_fid",
    "psnr",
    "restoration_scores",
    "ssim",
    "summarize",
    "train_judge",
    "translate_batches",
    "translation_scores",
    "unpad_digits",
]
