"""Pictures of training: image grids, loss curves, histograms of the discriminator's outputs.

Every function returns a :class:`matplotlib.figure.Figure` built without ``pyplot``: it never calls
``plt.show()``, keeps no global state, and shows once in a notebook when it is a cell's last value (or with
``display(fig)``). Save it with ``fig.savefig(path)``.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure

from ganlib import _checks

LOG2 = math.log(2.0)


def to_display_pixels(images) -> np.ndarray:
    """Return images as float arrays in [0, 1] without a trailing single channel.

    Accepts uint8 (0..255) or floats in [-1, 1], shaped ``(N, H, W)`` or ``(N, H, W, C)``.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or 0 in images.shape:
        raise ValueError(
            f"Expected a non-empty batch of images (N, H, W) or (N, H, W, C). Received: shape={images.shape}"
        )
    if images.ndim == 4 and images.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Expected 1, 3 or 4 channels. Received: shape={images.shape}")
    if images.dtype != np.uint8 and not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"Expected uint8 images or floats in [-1, 1]. Received: dtype={images.dtype}")
    _checks.finite_values("images", images)
    if images.dtype == np.uint8:
        pixels = images.astype(np.float32) / 255.0
    else:
        pixels = (np.clip(images.astype(np.float32), -1.0, 1.0) + 1.0) / 2.0
    if pixels.ndim == 4 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    return pixels


def tile(images, ncols: int | None = None, padding: int = 1) -> np.ndarray:
    """Arrange images in a mosaic and return it as uint8 pixels (``(H', W')`` or ``(H', W', C)``).

    Args:
        images: uint8 or [-1, 1] floats, ``(N, H, W)`` or ``(N, H, W, C)``.
        ncols: images per row (default: a near-square layout).
        padding: pixels of black between images.
    """
    pixels = to_display_pixels(images)
    n, height, width = pixels.shape[:3]
    ncols = math.ceil(math.sqrt(n)) if ncols is None else _checks.positive_int("ncols", ncols)
    if not _checks._is_int(padding) or padding < 0:
        raise ValueError(f"Expected `padding` to be an int >= 0. Received: padding={padding!r}")
    padding = int(padding)
    nrows = math.ceil(n / ncols)
    mosaic = np.zeros(
        (nrows * (height + padding) - padding, ncols * (width + padding) - padding) + pixels.shape[3:],
        dtype=np.float32,
    )
    for index, image in enumerate(pixels):
        row, col = divmod(index, ncols)
        top, left = row * (height + padding), col * (width + padding)
        mosaic[top : top + height, left : left + width] = image
    return np.rint(mosaic * 255.0).astype(np.uint8)


def draw_mosaic(ax, images, ncols=None, title=None):
    """Draw ``images`` (see :func:`tile`) as one mosaic into the matplotlib axes ``ax``, without axes."""
    mosaic = tile(images, ncols=ncols)
    ax.imshow(mosaic, cmap="gray" if mosaic.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)


def image_grid(images, ncols: int | None = None, title: str | None = None, scale: float = 0.6) -> Figure:
    """Return a figure showing ``images`` in a grid.

    Args:
        images: uint8 or [-1, 1] floats, ``(N, H, W)`` or ``(N, H, W, C)``.
        ncols: images per row (default: a near-square layout).
        title: figure title.
        scale: inches per image.
    """
    n = len(to_display_pixels(images))  # checks the images first
    ncols = math.ceil(math.sqrt(n)) if ncols is None else _checks.positive_int("ncols", ncols)
    scale = _checks.positive_number("scale", scale)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(max(2.0, ncols * scale), max(2.0, nrows * scale + (0.4 if title else 0))))
    draw_mosaic(fig.add_subplot(), images, ncols=ncols, title=title)
    fig.tight_layout()
    return fig


def smooth_curve(values, window: int) -> np.ndarray:
    """Trailing moving average over ``window`` values (no look-ahead); the first ``window − 1`` points average
    what there is so far, so no point is lost and a short history is smoothed too."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(values) < 2:
        return values
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (cumulative[ends] - cumulative[starts]) / (ends - starts)


def _plot_losses(ax, history, smooth):
    # an image translator's g_loss is dominated by λ·L1: draw its adversarial part and L1 apart
    adversarial = "g_gan" if history.get("g_l1") else "g_loss"
    for key, color in (("d_loss", "tab:blue"), (adversarial, "tab:orange")):
        if history.get(key):
            values = history[key]
            ax.plot(values, color=color, alpha=0.25 if smooth > 1 else 1.0, linewidth=0.8)
            if smooth > 1:
                ax.plot(smooth_curve(values, smooth), color=color, label=key)
            else:
                ax.lines[-1].set_label(key)
    ax.axhline(LOG2, color="gray", linestyle="--", linewidth=1, label="log 2 ≈ 0.693")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right", fontsize="small")
    if history.get("g_l1"):
        twin = ax.twinx()
        twin.plot(smooth_curve(history["g_l1"], smooth), color="tab:green", label="g_l1 (right)")
        twin.set_ylabel("L1 to target", color="tab:green")
        twin.legend(loc="upper left", fontsize="small")


def _plot_d_outputs(ax, history, smooth):
    for key, color, label in (("d_real", "tab:green", "D(x) real"), ("d_fake", "tab:red", "D(G(z)) fake")):
        if history.get(key):
            ax.plot(smooth_curve(history[key], smooth), color=color, label=label)
    ax.axhline(0.5, color="gray", linestyle="--", linewidth=1, label="1/2 (D can't tell)")
    ax.set_ylim(0, 1)
    ax.set_xlabel("step")
    ax.set_ylabel("mean D output")
    ax.legend(loc="upper right", fontsize="small")


def loss_curves(history: dict, smooth: int = 1, title: str | None = None) -> Figure:
    """Return a figure with the losses (and mean ``D`` outputs, when recorded) against the step.

    The dashed line at ``log 2 ≈ 0.693`` is where both cross-entropy losses sit when the discriminator can
    no longer tell real from fake (``D = 1/2`` everywhere).

    Args:
        history: ``{"d_loss": [...], "g_loss": [...], "d_real": [...], "d_fake": [...]}``, e.g.
            ``keras.callbacks.History.history`` or :attr:`ganlib.callbacks.StepHistory.history`.
        smooth: moving-average window drawn over the raw (faint) curves; 1 draws them as they are.
        title: figure title.
    """
    if not any(history.get(key) for key in ("d_loss", "g_loss")):
        raise ValueError(f"Expected `history` with 'd_loss' or 'g_loss' values. Received keys: {sorted(history)}")
    has_d = any(history.get(key) for key in ("d_real", "d_fake"))
    fig = Figure(figsize=(10 if has_d else 5.5, 3.2))
    axes = fig.subplots(1, 2 if has_d else 1, squeeze=False)[0]
    _plot_losses(axes[0], history, smooth)
    if has_d:
        _plot_d_outputs(axes[1], history, smooth)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def d_output_histogram(real_scores, fake_scores, bins: int = 30, title: str | None = None) -> Figure:
    """Return a histogram of ``D(x)`` on real images against ``D(G(z))`` on fakes (values in [0, 1]).

    A discriminator that wins outright puts the two piles at 1 and 0; at equilibrium both sit around 1/2.
    """
    fig = Figure(figsize=(5.5, 3.2))
    ax = fig.add_subplot()
    edges = np.linspace(0.0, 1.0, bins + 1)
    ax.hist(np.ravel(real_scores), bins=edges, alpha=0.6, color="tab:green", label="D(x), real")
    ax.hist(np.ravel(fake_scores), bins=edges, alpha=0.6, color="tab:red", label="D(G(z)), fake")
    ax.axvline(0.5, color="gray", linestyle="--", linewidth=1)
    ax.set_xlabel("discriminator output (probability 'real')")
    ax.set_ylabel("images")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def class_shares(shares, threshold: float = 0.05, title: str | None = None) -> Figure:
    """Return a bar chart of how often each class (digit) appears among samples.

    Bars under ``threshold`` are red: those digits are (nearly) missing, the sign of mode collapse. The
    dashed line marks a uniform share.

    Args:
        shares: one share per class, summing to 1 (see :func:`ganlib.metrics.class_coverage`).
        threshold: share under which a class counts as missing.
        title: axes title.
    """
    shares = np.asarray(shares, dtype=np.float64)
    fig = Figure(figsize=(5.5, 2.8))
    ax = fig.add_subplot()
    colors = ["tab:red" if share < threshold else "tab:blue" for share in shares]
    ax.bar(np.arange(len(shares)), shares, color=colors)
    ax.axhline(1 / len(shares), color="gray", linestyle="--", linewidth=1, label="uniform")
    ax.axhline(threshold, color="tab:red", linestyle=":", linewidth=1, label=f"{threshold:.0%}")
    ax.set_xticks(np.arange(len(shares)))
    ax.set_xlabel("class (digit)")
    ax.set_ylabel("share of samples")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _plot_quality(ax, quality):
    ax.plot(quality["step"], quality["fid"], "o-", color="tab:purple", label="FID (judge)")
    ax.set_xlabel("step")
    ax.set_ylabel("FID ↓", color="tab:purple")
    if quality.get("min_share"):
        twin = ax.twinx()
        twin.plot(quality["step"], quality["min_share"], "s--", color="tab:gray", label="rarest digit share")
        twin.axhline(0.05, color="tab:red", linestyle=":", linewidth=1)
        twin.set_ylim(0, 0.15)
        twin.set_ylabel("rarest digit share", color="tab:gray")


def dashboard(
    history: dict,
    samples=None,
    smooth: int = 20,
    title: str | None = None,
    quality=None,
    samples_title: str = "samples (fixed noise)",
) -> Figure:
    """Return the live-dashboard figure: losses, mean ``D`` outputs, a grid of current samples, and, when
    ``quality`` (``{"step": [...], "fid": [...], "min_share": [...]}``) has values, the FID curve.

    For an image translator's history (with ``g_l1``), the loss panel draws ``d_loss``, ``g_gan`` and,
    on a second axis, ``g_l1``."""
    panels = 4 if quality and quality.get("fid") else 3
    fig = Figure(figsize=(4 * panels, 3.4))
    axes = fig.subplots(1, panels, gridspec_kw={"width_ratios": [1.3, 1.3, 1.0, 1.3][:panels]})
    if any(history.get(key) for key in ("d_loss", "g_loss")):
        _plot_losses(axes[0], history, smooth)
        _plot_d_outputs(axes[1], history, smooth)
    if samples is not None:
        draw_mosaic(axes[2], samples, title=samples_title)
    else:
        axes[2].set_axis_off()
    if panels == 4:
        _plot_quality(axes[3], quality)
    if title:
        fig.suptitle(title)
    # fixed margins: tight_layout would draw the figure an extra time, and this one is redrawn live
    fig.subplots_adjust(left=0.06, right=0.97 if panels == 3 else 0.94, bottom=0.15, top=0.85, wspace=0.35)
    return fig


def _enlarged(pixels, scale: int):
    from PIL import Image

    picture = Image.fromarray(np.asarray(pixels, dtype=np.uint8))
    return picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)


def to_png(pixels, scale: int = 1) -> bytes:
    """Encode uint8 pixels ``(H, W)`` or ``(H, W, 3)`` (e.g. a :func:`tile` mosaic) as PNG bytes, enlarged
    ``scale`` times with nearest-neighbour so small digits stay crisp (for image widgets)."""
    buffer = io.BytesIO()
    _enlarged(pixels, scale).save(buffer, format="PNG")
    return buffer.getvalue()


def save_gif(frames, path, duration: float = 0.2, loop: int = 0, scale: int = 2):
    """Write frames (uint8 mosaics or image batches) as an animated GIF, with Pillow.

    Args:
        frames: a list of uint8 arrays ``(H, W)`` / ``(H, W, 3)`` (e.g. :attr:`SampleGrid.frames` mosaics), or
            of image batches, which are tiled first.
        path: the ``.gif`` file to write.
        duration: seconds per frame.
        loop: how often to loop (0: forever).
        scale: pixel enlargement (nearest neighbour), so small digits stay visible.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.
    """
    from pathlib import Path

    if len(frames) == 0:
        raise ValueError("Expected at least one frame. Received an empty list.")
    pictures = []
    for frame in frames:
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim == 4 or (frame.ndim == 3 and frame.shape[-1] not in (3, 4)):
            frame = tile(frame)
        pictures.append(_enlarged(frame, scale))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pictures[0].save(
        path, save_all=True, append_images=pictures[1:], duration=int(duration * 1000), loop=loop, optimize=False
    )
    return path


def figure_to_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a figure to PNG bytes (for image widgets, files or tests)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
