"""What a training lab draws: each lesson's live view of a :class:`ganlib.runs.LiveRun`, as PNG bytes.

* ``"gan"`` (lesson 1): the losses with the ``log 2`` line, the mean ``D(x)`` and ``D(G(z))`` with the ``½``
  line, and samples of fixed noise;
* ``"dcgan"`` (lesson 2): the same, plus the judge's FID curve and the class histogram of its latest point;
* ``"pix2pix"`` (lesson 3): the adversarial term and L1 apart, the mean D outputs, input / target / output
  of fixed validation pairs, and the PatchGAN's verdict on one pair, patch by patch (its ``sigmoid``: 1 means
  "real");
* ``"toy"`` (lesson 7): the losses, the modes covered and the share of high-quality samples against the step
  (:func:`ganlib.metrics.mode_coverage`), and 2,500 samples of fixed noise over the mixture's modes.

Every curve is drawn against the model's step, with each applied change as a labelled vertical line, so
cause and effect share one axis. Figures are built without ``pyplot`` (matplotlib's Agg canvas through
:func:`ganlib.viz.figure_to_png`): safe to draw from the training thread.
"""

from __future__ import annotations

import math

import keras
import matplotlib.patches
import numpy as np
from matplotlib.figure import Figure

from ganlib import metrics, viz
from ganlib.callbacks._fixed_inputs import samples

KINDS = ("gan", "dcgan", "pix2pix", "toy")
_MARKER_COLOR = "tab:purple"


def _curves(ax, history, keys, smooth):
    steps = history.get("step", [])
    for key, color, label in keys:
        values = history.get(key)
        if values and len(values) == len(steps):
            ax.plot(steps, values, color=color, alpha=0.2, linewidth=0.7)
            ax.plot(steps, viz.smooth_curve(values, smooth), color=color, label=label)
    ax.set_xlabel("step")


def _markers(ax, markers, history):
    """Each change as a vertical line with its label; labels of nearby changes are stacked, not overlaid."""
    steps = history.get("step", [])
    if not steps:
        return
    first, span = steps[0], max(steps[-1] - steps[0], 1)
    previous, level = None, 0
    for step, text in markers:
        if step < first:
            continue
        level = level + 1 if previous is not None and step - previous < 0.04 * span else 0
        previous = step
        ax.axvline(step, color=_MARKER_COLOR, linestyle="-", linewidth=1.2)
        ax.text(step, 0.98 - 0.33 * (level % 3), " " + text, transform=ax.get_xaxis_transform(), rotation=90,
                va="top", ha="right" if level % 2 == 0 else "left", fontsize=7, color=_MARKER_COLOR)


def _robust_top(history, keys, floor):
    """A y-axis top that a few exploding steps do not squash the rest under: the 99th percentile, plus room."""
    values = np.concatenate([np.asarray(history[k], dtype=np.float64) for k in keys if history.get(k)] or [[0.0]])
    return max(floor, 1.2 * float(np.percentile(values, 99)))


def _legend_above(ax, loc, x):
    """A legend above the axes, where neither the curves nor the markers' labels are."""
    ax.legend(loc=loc, bbox_to_anchor=(x, 1.0), ncol=3, fontsize="x-small", frameon=False, borderaxespad=0.2)


def draw_losses(ax, history, markers, smooth=20, log2_line=True):
    """Losses against the step: ``d_loss`` and the generator's adversarial loss (``g_gan`` for a translator,
    whose ``g_loss`` is dominated by λ·L1, with L1 on a second axis), the ``log 2`` line (the cross-entropy
    losses' value at the equilibrium; ``log2_line=False`` for the other families), the markers."""
    adversarial = "g_gan" if "g_l1" in history else "g_loss"
    _curves(ax, history, (("d_loss", "tab:blue", "d_loss"), (adversarial, "tab:orange", adversarial)), smooth)
    if log2_line:
        ax.axhline(viz.LOG2, color="gray", linestyle="--", linewidth=1, label="log 2")
    low = min([0.0, *(np.percentile(history[k], 1) for k in ("d_loss", adversarial) if history.get(k))])
    ax.set_ylim(1.2 * low, _robust_top(history, ("d_loss", adversarial), floor=1.5))
    ax.set_ylabel("loss")
    _legend_above(ax, "lower left", 0.0)
    if "g_l1" in history:
        twin = ax.twinx()
        _curves(twin, history, (("g_l1", "tab:green", "L1 (right)"),), smooth)
        twin.set_ylabel("L1 to target", color="tab:green")
        _legend_above(twin, "lower right", 1.0)
    _markers(ax, markers, history)


def draw_d_outputs(ax, history, markers, smooth=20):
    """Mean ``D(x)`` on real and ``D(G(z))`` on generated images against the step, the ``½`` line, the markers."""
    _curves(ax, history, (("d_real", "tab:green", "D(x) real"), ("d_fake", "tab:red", "D(G(z)) fake")), smooth)
    ax.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="½")
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean D output")
    _legend_above(ax, "lower left", 0.0)
    _markers(ax, markers, history)


def draw_quality(ax, quality):
    """The judge's FID curve (``{"step": [...], "fid": [...]}``) against the step."""
    if quality and quality.get("fid"):
        ax.plot(quality["step"], quality["fid"], "o-", color="tab:purple", label="FID (judge)")
        ax.legend(loc="upper right", fontsize="x-small")
    else:
        note = (quality or {}).get("note", "FID: first point soon")
        ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes, color="gray")
    ax.set_xlabel("step")
    ax.set_ylabel("FID ↓")


def draw_shares(ax, shares, threshold=0.05):
    """The class histogram of the judge's latest point (red: under ``threshold``, nearly missing)."""
    if shares is None:
        ax.set_axis_off()
        return
    shares = np.asarray(shares, dtype=np.float64)
    ax.bar(np.arange(len(shares)), shares, color=["tab:red" if s < threshold else "tab:blue" for s in shares])
    ax.axhline(1 / len(shares), color="gray", linestyle="--", linewidth=1)
    ax.set_xticks(np.arange(len(shares)))
    ax.set_xlabel("digit (judge)")
    ax.set_ylabel("share of samples")


def draw_toy_scatter(ax, points, centres, sigma, title=None):
    """2-D samples over a mixture's modes: each mode a circle of radius 3σ around its centre (green: covered, at
    least :data:`ganlib.metrics.modes.MIN_COUNT` high-quality samples in it; red: lost), the samples as dots."""
    result = metrics.mode_coverage(points, centres, sigma) if len(points) else None
    counts = result["counts"] if result else np.zeros(len(centres), int)
    span = float(np.max(np.abs(centres))) * 1.5 + 0.5
    points = np.asarray(points, dtype=np.float64)
    shown = points[np.all(np.abs(points) < 3 * span, axis=1)]
    ax.scatter(shown[:, 0], shown[:, 1], s=2, color="black", alpha=0.25, linewidths=0)
    ring = max(3 * sigma, 0.02 * span)  # drawn at least 2% of the view wide, so it shows
    for (x, y), count in zip(centres, counts, strict=True):
        covered = count >= metrics.modes.MIN_COUNT
        ax.add_patch(matplotlib.patches.Circle((x, y), ring, fill=False, linewidth=1.2,
                                               color="tab:green" if covered else "tab:red"))
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    summary = metrics.describe_coverage(result) if result else "no samples"
    ax.set_title(f"{title}: {summary}" if title else summary, fontsize="small")


def draw_coverage(ax, coverage, markers, history):
    """Modes covered (left axis) and the share of high-quality samples (right axis) against the step."""
    if not coverage or not coverage.get("step"):
        ax.text(0.5, 0.5, "modes: first point soon", ha="center", va="center", transform=ax.transAxes, color="gray")
        return
    ax.plot(coverage["step"], coverage["modes"], "o-", color="tab:green", markersize=3, label="modes covered")
    ax.set_ylim(0, coverage["of"] + 0.5)
    ax.set_ylabel(f"modes covered (of {coverage['of']})")
    ax.set_xlabel("step")
    twin = ax.twinx()
    twin.plot(coverage["step"], [100 * q for q in coverage["high_quality"]], "s--", color="tab:purple", markersize=3,
              label="% high quality (right)")
    twin.set_ylim(0, 100)
    twin.set_ylabel("% within 3σ of a mode", color="tab:purple")
    _legend_above(ax, "lower left", 0.0)
    _legend_above(twin, "lower right", 1.0)
    _markers(ax, markers, history if history.get("step") else {"step": coverage["step"]})


def toy_png(points, centres, sigma, title=None, dpi: int = 80) -> bytes:
    """:func:`draw_toy_scatter` on its own figure, as PNG bytes (the CLI's ``samples/`` and ``sample --out x.png``)."""
    fig = Figure(figsize=(4.5, 4.5))
    draw_toy_scatter(fig.add_subplot(1, 1, 1), points, centres, sigma, title=title)
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.08, top=0.9)
    return viz.figure_to_png(fig, dpi=dpi)


def patch_verdict(model, inputs, outputs) -> np.ndarray:
    """The PatchGAN's ``sigmoid`` per patch for one ``(input, output)`` pair: ``(rows, cols)`` in [0, 1]."""
    logits = model.discriminator([inputs[:1], outputs[:1]], training=False)
    return 1.0 / (1.0 + np.exp(-keras.ops.convert_to_numpy(logits)[0, ..., 0]))


def triplets(model, inputs, targets) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``input | target | output`` for fixed validation pairs, and the outputs."""
    outputs = keras.ops.convert_to_numpy(model.sampler(inputs, training=False))
    shown_inputs = inputs if inputs.shape[-1] == outputs.shape[-1] else np.repeat(inputs[..., :1], outputs.shape[-1], -1)
    return np.concatenate([shown_inputs, targets, outputs], axis=2), outputs


def figure(kind: str, live, fixed, quality=None, shares=None, smooth: int = 20) -> Figure:
    """The live view of ``live`` (a :class:`ganlib.runs.LiveRun`) for lesson ``kind`` (one of :data:`KINDS`).

    Args:
        kind: ``"gan"``, ``"dcgan"``, ``"pix2pix"`` or ``"toy"``.
        live: the running (or paused) live run.
        fixed: the fixed noise of the samples, for pix2pix ``(inputs, targets)`` of validation pairs, for the toy
            ``(noise, centres, sigma)``.
        quality: for ``"dcgan"``, the judge's ``{"step": [...], "fid": [...]}`` (see
            :class:`ganlib.callbacks.QualityLog`); for ``"toy"``, the coverage so far, ``{"step": [...], "modes":
            [...], "high_quality": [...], "of": K}``.
        shares: for ``"dcgan"``, the class shares of the judge's latest point.
        smooth: trailing moving-average window of the curves, in steps.
    """
    if kind not in KINDS:
        raise ValueError(f"Expected `kind` to be one of {KINDS}. Received: kind={kind!r}")
    model, history, markers = live.model, live.history, list(live.markers)
    if kind == "toy":
        return _toy_figure(live, fixed, quality, smooth)
    rows = 2 if kind in ("dcgan", "pix2pix") else 1
    fig = Figure(figsize=(12.5, 3.3 * rows))
    grid = fig.add_gridspec(rows, 3, width_ratios=[1.3, 1.3, 1.0])
    draw_losses(fig.add_subplot(grid[0, 0]), history, markers, smooth)
    draw_d_outputs(fig.add_subplot(grid[0, 1]), history, markers, smooth)
    if kind == "pix2pix":
        inputs, targets = fixed
        shown, outputs = triplets(model, inputs, targets)
        viz.draw_mosaic(fig.add_subplot(grid[:, 2]), shown, ncols=1, title="input | target | output")
        verdict = patch_verdict(model, inputs, outputs)
        viz.draw_mosaic(fig.add_subplot(grid[1, 0]), shown[:1], title="first pair: input | target | output")
        ax = fig.add_subplot(grid[1, 1])
        image = ax.imshow(verdict, cmap="RdYlGn", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"PatchGAN on that pair: {verdict.shape[0]}×{verdict.shape[1]} patches", fontsize="small")
        ax.set_axis_off()
        fig.colorbar(image, ax=ax, fraction=0.046, label="D: real?")
    else:
        viz.draw_mosaic(fig.add_subplot(grid[:, 2] if rows == 2 else grid[0, 2]), samples(model, fixed),
                         ncols=int(math.ceil(math.sqrt(len(fixed)))), title="samples (fixed noise)")
    if kind == "dcgan":
        draw_quality(fig.add_subplot(grid[1, 0]), quality)
        draw_shares(fig.add_subplot(grid[1, 1]), shares)
    fig.suptitle(f"step {live.step}", fontsize="medium")
    fig.subplots_adjust(left=0.06, right=0.95, bottom=0.12 / rows, top=1 - 0.16 / rows, wspace=0.35, hspace=0.45)
    return fig


def _toy_figure(live, fixed, coverage, smooth) -> Figure:
    model, history, markers = live.model, live.history, list(live.markers)
    noise, centres, sigma = fixed
    fig = Figure(figsize=(12.5, 3.9))
    grid = fig.add_gridspec(1, 3, width_ratios=[1.3, 1.3, 1.0])
    cross_entropy = getattr(model, "loss_family", "") in ("minimax", "non_saturating")
    draw_losses(fig.add_subplot(grid[0, 0]), history, markers, smooth, log2_line=cross_entropy)
    draw_coverage(fig.add_subplot(grid[0, 1]), coverage, markers, history)
    points = keras.ops.convert_to_numpy(model.sampler(noise, training=False))
    draw_toy_scatter(fig.add_subplot(grid[0, 2]), points, centres, sigma)
    fig.suptitle(f"step {live.step}", fontsize="medium")
    fig.subplots_adjust(left=0.06, right=0.97, bottom=0.13, top=0.8, wspace=0.42)
    return fig


def png(kind: str, live, fixed, quality=None, shares=None, smooth: int = 20, dpi: int = 72) -> bytes:
    """:func:`figure` rendered to PNG bytes (for an ``ipywidgets.Image``)."""
    return viz.figure_to_png(figure(kind, live, fixed, quality, shares, smooth), dpi=dpi)
