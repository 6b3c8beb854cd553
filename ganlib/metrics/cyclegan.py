"""How well a CycleGAN keeps the content while it changes the domain (lesson 5, ``"digits-photos"``).

With no pairs to compare with, the measure is the *content*: translate held-out digits on photos (B) to plain
digits (A) and let the judge (:mod:`ganlib.metrics`, trained on the training digits only) read them against
their labels. The obvious baseline needs no training at all: the grey copy of the B picture
(:func:`grey_copy`), read by the same judge. Also: the FID of the B → A outputs against real digits, and the
cycle errors ``mean |G_ab(G_ba(b)) − b|`` and ``mean |G_ba(G_ab(a)) − a|``.
"""

from __future__ import annotations

import numpy as np

from ganlib import data, viz
from ganlib.data import unpaired
from ganlib.metrics.scores import fid
from ganlib.metrics.translation import unpad_digits


def grey_copy(images_b) -> np.ndarray:
    """The baseline translation B → A: the Lab lightness of each picture, one channel in [-1, 1]."""
    return data.to_grey(images_b)


def judge_view(images) -> np.ndarray:
    """Domain-A pictures (32×32, 1 or 3 channels) as the judge reads them: one channel, centre 28×28."""
    return unpad_digits(unpaired.to_one_channel(images))


def content_scores(judge, outputs, labels, reference_digits) -> dict:
    """``{"accuracy", "fid"}`` of B → A outputs: the judge's accuracy against ``labels`` and the FID
    against ``reference_digits`` (real domain-A digits other than the ones translated)."""
    return {
        "accuracy": judge.accuracy(judge_view(outputs), labels),
        "fid": fid(judge, judge_view(reference_digits), judge_view(outputs)),
    }


def evaluate_cyclegan(model, images_a, images_b, labels, judge, reference_digits, batch_size: int = 256) -> dict:
    """Score a trained :class:`ganlib.training.CycleGAN` on validation digits.

    Args:
        model: the CycleGAN.
        images_a, images_b: the validation domains of ``"digits-photos"`` (the same digits, plain and on
            photos).
        labels: the digits' labels.
        judge: a :class:`ganlib.metrics.Judge` trained on the training digits only.
        reference_digits: real training digits of domain A, for the FID.
        batch_size: images per forward pass.

    Returns:
        ``accuracy`` and ``fid`` of the B → A translations, ``baseline_accuracy`` and ``baseline_fid`` of the
        grey copies, ``real_accuracy`` (the judge on the plain digits: the ceiling), ``cycle_b`` and
        ``cycle_a`` (mean absolute cycle errors, in [-1, 1] units), and ``l1_b2a`` (mean |G_ba(b) − a|).
    """
    to_a = model.translate(images_b, "b2a", batch_size)
    to_b = model.translate(images_a, "a2b", batch_size)
    result = {f"{key}": value for key, value in content_scores(judge, to_a, labels, reference_digits).items()}
    baseline = content_scores(judge, grey_copy(images_b), labels, reference_digits)
    result.update(
        baseline_accuracy=baseline["accuracy"],
        baseline_fid=baseline["fid"],
        real_accuracy=judge.accuracy(judge_view(images_a), labels),
        cycle_b=float(np.mean(np.abs(model.translate(to_a, "a2b", batch_size) - images_b))),
        cycle_a=float(np.mean(np.abs(model.translate(to_b, "b2a", batch_size) - images_a))),
        l1_b2a=float(np.mean(np.abs(to_a - images_a))),
    )
    return result


def summarize(result: dict) -> str:
    """One line of :func:`evaluate_cyclegan`'s figures."""
    return (
        f"content kept (judge on B→A) {result['accuracy']:.1%} vs grey copy {result['baseline_accuracy']:.1%} "
        f"(plain digits {result['real_accuracy']:.1%}); FID B→A {result['fid']:.1f} (grey copy "
        f"{result['baseline_fid']:.1f}); cycle error B→A→B {result['cycle_b']:.3f}, A→B→A {result['cycle_a']:.3f}"
    )


def cycle_sheet(model, images_a, images_b, n: int = 8) -> np.ndarray:
    """A uint8 sheet: rows ``a | G_ab(a) | G_ba(G_ab(a))`` for ``n`` A pictures, then
    ``b | G_ba(b) | G_ab(G_ba(b))`` for ``n`` B pictures."""
    rows = model.preview(np.stack([np.asarray(images_a[:n]), np.asarray(images_b[:n])]))
    return viz.tile(rows, ncols=2)
