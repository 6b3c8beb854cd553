"""Scores of an image translator (lesson 3): L1, PSNR and SSIM against the targets, and for digits the
judge's accuracy and FID of the outputs."""

from __future__ import annotations

import numpy as np

from ganlib import data
from ganlib.inference import predict_in_batches
from ganlib.metrics.judge import Judge
from ganlib.metrics.scores import fid


def _check_pair(targets, outputs) -> tuple[np.ndarray, np.ndarray]:
    targets, outputs = np.asarray(targets, dtype=np.float32), np.asarray(outputs, dtype=np.float32)
    if targets.shape != outputs.shape or targets.ndim != 4 or len(targets) == 0:
        raise ValueError(
            "Expected `targets` and `outputs` of the same shape (N, H, W, C), N > 0, in [-1, 1]. "
            f"Received: targets.shape={targets.shape}, outputs.shape={outputs.shape}"
        )
    return targets, outputs


def l1_error(targets, outputs) -> float:
    """Mean absolute difference of images in [-1, 1] (0 is perfect; the pix2pix L1 term)."""
    targets, outputs = _check_pair(targets, outputs)
    return float(np.mean(np.abs(targets - outputs)))


def psnr(targets, outputs) -> float:
    """Mean peak signal-to-noise ratio in dB, ``10·log10(1 / MSE)`` per image on pixels scaled to [0, 1]
    (higher is better; an identical image counts as 100 dB)."""
    targets, outputs = _check_pair(targets, outputs)
    mse = np.mean(((np.clip(targets, -1, 1) - np.clip(outputs, -1, 1)) / 2.0) ** 2, axis=(1, 2, 3))
    return float(np.mean(np.minimum(10.0 * np.log10(1.0 / np.maximum(mse, 1e-10)), 100.0)))


def ssim(targets, outputs) -> float:
    """Mean structural similarity (Wang et al. 2004) on pixels scaled to [0, 1], 11×11 Gaussian window
    (smaller for smaller images); 1 is identical. Colour images: the mean over channels."""
    import tensorflow as tf

    targets, outputs = _check_pair(targets, outputs)
    side = min(targets.shape[1:3])
    filter_size = min(11, side if side % 2 else side - 1)
    scores = tf.image.ssim(
        (np.clip(targets, -1, 1) + 1) / 2, (np.clip(outputs, -1, 1) + 1) / 2, max_val=1.0, filter_size=filter_size
    )
    return float(np.mean(scores))


def translation_scores(targets, outputs) -> dict:
    """``{"l1", "psnr", "ssim"}`` of outputs against their targets (see :func:`l1_error`, :func:`psnr`,
    :func:`ssim`)."""
    return {"l1": l1_error(targets, outputs), "psnr": psnr(targets, outputs), "ssim": ssim(targets, outputs)}


def unpad_digits(images) -> np.ndarray:
    """Cut the centre 28×28 out of padded digits (e.g. the 32×32 of lesson 3), for the judge."""
    images = data.as_model_input(images)
    height, width = images.shape[1:3]
    if height < 28 or width < 28:
        raise ValueError(f"Expected digits of at least 28×28. Received: shape={images.shape}")
    top, left = (height - 28) // 2, (width - 28) // 2
    return images[:, top : top + 28, left : left + 28]


def restoration_scores(judge: Judge, restored, labels, reference_digits, batch_size: int = 500) -> dict:
    """How recognisable and how real restored (or any) digits look to the judge.

    Args:
        judge: a :class:`Judge`.
        restored: digits ``(N, H, W[, C])`` in [-1, 1] or uint8, 28×28 or padded (centre-cropped here).
        labels: the true digit of each.
        reference_digits: real digits for the FID, *other* digits than the restored ones (e.g. the
            training digits), so the intact digits get a fair, non-zero FID as the ceiling.
        batch_size: images per forward pass.

    Returns:
        ``{"accuracy": judge accuracy against labels, "fid": FID against reference_digits}``.
    """
    restored = unpad_digits(restored)
    return {
        "accuracy": judge.accuracy(restored, labels, batch_size),
        "fid": fid(judge, unpad_digits(reference_digits), restored, batch_size),
    }


def evaluate_translator(
    generator, inputs, targets, judge: Judge | None = None, labels=None, reference_digits=None
) -> dict:
    """Score an image translator on validation pairs: L1, PSNR and SSIM against the targets and, for
    digits (``judge``, ``labels`` and ``reference_digits`` given), the judge's accuracy and FID of the
    outputs (:func:`restoration_scores`)."""
    outputs = predict_in_batches(generator, inputs)
    result = translation_scores(targets, outputs)
    if judge is not None:
        if labels is None or reference_digits is None:
            raise ValueError("Expected `labels` and `reference_digits` with `judge`.")
        result.update(restoration_scores(judge, outputs, labels, reference_digits))
    return result
