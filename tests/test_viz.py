"""Tests of ganlib.viz: every function returns a Figure without touching pyplot; mosaics; reference lines."""

import io
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ganlib import viz  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HISTORY = {
    "d_loss": [1.2, 0.9, 0.7, 0.69, 0.7],
    "g_loss": [0.5, 0.8, 0.7, 0.71, 0.69],
    "d_real": [0.8, 0.7, 0.6, 0.5, 0.5],
    "d_fake": [0.2, 0.3, 0.4, 0.5, 0.5],
}


@pytest.fixture(autouse=True)
def no_new_pyplot_figures():
    """Fail any test whose code opens a pyplot figure (it would pile up in pyplot's global state)."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


@pytest.fixture(scope="module")
def digits(mnist):
    return mnist[0][:12]


def _lines(fig):
    return [line for ax in fig.axes for line in ax.get_lines() if isinstance(line, Line2D)]


def _has_constant_line(fig, value, axis="y"):
    for line in _lines(fig):
        data = np.asarray(line.get_ydata() if axis == "y" else line.get_xdata(), dtype=float)
        if data.size and np.allclose(data, value):
            return True
    return False


# ------------------------------------------------------------------------------------ pixels and tiles


def test_to_display_pixels_uint8_and_float():
    as_uint8 = viz.to_display_pixels(np.array([[[0, 255]]], dtype=np.uint8))
    np.testing.assert_allclose(as_uint8, [[[0.0, 1.0]]])
    as_float = viz.to_display_pixels(np.array([[[-1.0, 0.0, 1.0, 3.0]]], dtype=np.float32))
    np.testing.assert_allclose(as_float, [[[0.0, 0.5, 1.0, 1.0]]])  # clipped to [-1, 1] first


def test_to_display_pixels_drops_single_channel_only():
    assert viz.to_display_pixels(np.zeros((2, 5, 4, 1), np.uint8)).shape == (2, 5, 4)
    assert viz.to_display_pixels(np.zeros((2, 5, 4, 3), np.uint8)).shape == (2, 5, 4, 3)


@pytest.mark.parametrize("shape", [(28, 28), (5,), (1, 2, 3, 4, 5)])
def test_to_display_pixels_rejects_wrong_rank(shape):
    with pytest.raises(ValueError, match="shape"):
        viz.to_display_pixels(np.zeros(shape, np.uint8))


@pytest.mark.parametrize("shape", [(5, 4, 6), (5, 4, 6, 1)])
def test_tile_gray_shape_and_dtype(shape):
    mosaic = viz.tile(np.full(shape, 200, np.uint8))
    # 5 images -> ceil(sqrt(5)) = 3 columns, 2 rows, 1 pixel of padding between them
    assert mosaic.shape == (2 * 4 + 1, 3 * 6 + 2)
    assert mosaic.dtype == np.uint8


def test_tile_rgb_shape():
    mosaic = viz.tile(np.zeros((4, 3, 5, 3), np.float32), ncols=4, padding=2)
    assert mosaic.shape == (3, 4 * 5 + 3 * 2, 3)
    assert mosaic.dtype == np.uint8


def test_tile_keeps_uint8_values_and_places_images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 4, 6), dtype=np.uint8)
    mosaic = viz.tile(images, ncols=2, padding=1)
    assert mosaic.shape == (3 * 4 + 2, 2 * 6 + 1)
    for index, image in enumerate(images):
        row, col = divmod(index, 2)
        np.testing.assert_array_equal(mosaic[row * 5 : row * 5 + 4, col * 7 : col * 7 + 6], image)
    assert not mosaic[4, :].any() and not mosaic[:, 6].any()  # black padding
    assert not mosaic[10:, 7:].any()  # the empty sixth cell


def test_tile_maps_float_range_to_uint8():
    images = np.array([[[-1.0, 1.0], [0.0, -0.5]]], dtype=np.float32)
    mosaic = viz.tile(images)
    assert mosaic.dtype == np.uint8
    assert mosaic[0, 0] == 0 and mosaic[0, 1] == 255
    assert mosaic[1, 0] in (127, 128) and mosaic[1, 1] in (63, 64)


def test_tile_of_real_digits(digits):
    mosaic = viz.tile(digits, ncols=4)
    assert mosaic.shape == (3 * 28 + 2, 4 * 28 + 3)
    np.testing.assert_array_equal(mosaic[:28, :28], digits[0])


# ------------------------------------------------------------------------------------ figures


def test_image_grid_returns_figure(digits):
    fig = viz.image_grid(digits, title="real digits")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "real digits"
    assert len(ax.images) == 1
    assert ax.images[0].get_array().shape == viz.tile(digits).shape


def test_image_grid_rgb_float():
    fig = viz.image_grid(np.zeros((3, 8, 8, 3), np.float32), ncols=3)
    assert isinstance(fig, Figure)
    assert fig.axes[0].images[0].get_array().shape == (8, 3 * 8 + 2, 3)


def test_loss_curves_draws_log2_reference():
    fig = viz.loss_curves(HISTORY)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2  # losses, and mean D outputs
    assert _has_constant_line(fig, math.log(2.0))
    assert _has_constant_line(fig, 0.5)  # D can't tell
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "d_loss" in labels and "g_loss" in labels


def test_loss_curves_losses_only_and_smoothing():
    fig = viz.loss_curves({"d_loss": HISTORY["d_loss"]}, smooth=3, title="run")
    assert len(fig.axes) == 1
    assert _has_constant_line(fig, math.log(2.0))
    assert fig._suptitle is not None and fig._suptitle.get_text() == "run"
    # raw and smoothed curve, both as long as the history
    curves = [line for line in fig.axes[0].get_lines() if len(line.get_ydata()) == len(HISTORY["d_loss"])]
    assert len(curves) == 2


@pytest.mark.parametrize("history", [{}, {"d_loss": [], "g_loss": []}, {"d_real": [0.5]}])
def test_loss_curves_rejects_empty_history(history):
    with pytest.raises(ValueError, match="history"):
        viz.loss_curves(history)


def test_d_output_histogram():
    rng = np.random.default_rng(0)
    fig = viz.d_output_histogram(rng.uniform(0.5, 1, 50), rng.uniform(0, 0.5, (50, 1)), bins=10, title="D")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.patches) == 2 * 10  # one bar per bin per pile
    assert sum(p.get_height() for p in ax.patches) == 100
    assert _has_constant_line(fig, 0.5, axis="x")
    assert ax.get_title() == "D"


def test_dashboard_with_samples(digits):
    fig = viz.dashboard(HISTORY, samples=digits, smooth=2, title="step 5")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    assert len(fig.axes[2].images) == 1
    assert _has_constant_line(fig, math.log(2.0))


def test_dashboard_without_samples_or_history():
    fig = viz.dashboard(HISTORY)
    assert isinstance(fig, Figure)
    assert len(fig.axes[2].images) == 0 and not fig.axes[2].axison
    empty = viz.dashboard({})
    assert isinstance(empty, Figure)
    assert not _lines(empty)  # nothing to plot yet


def test_dashboard_with_quality_panel(digits):
    quality = {"step": [10, 20], "fid": [80.0, 40.0], "confidence": [0.7, 0.8], "min_share": [0.02, 0.08]}
    fig = viz.dashboard(HISTORY, samples=digits, quality=quality)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5  # losses, D outputs, samples, FID and its twin axis for the rarest share
    fid_lines = [line for line in fig.axes[3].get_lines() if line.get_label() == "FID (judge)"]
    assert len(fid_lines) == 1 and list(fid_lines[0].get_ydata()) == [80.0, 40.0]
    # an empty quality log keeps the three-panel layout
    assert len(viz.dashboard(HISTORY, quality={"step": [], "fid": []}).axes) == 3


def test_class_shares_marks_missing_classes():
    shares = [0.2, 0.01, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09]
    fig = viz.class_shares(shares, threshold=0.05, title="coverage")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == 10
    assert [bar.get_height() for bar in bars] == pytest.approx(shares)
    red = [i for i, bar in enumerate(bars) if bar.get_facecolor() == matplotlib.colors.to_rgba("tab:red")]
    assert red == [1]
    assert _has_constant_line(fig, 0.1)  # uniform share, 1/10
    assert _has_constant_line(fig, 0.05)


def test_to_png_enlarges_pixels():
    from PIL import Image

    pixels = np.array([[0, 255], [128, 64]], dtype=np.uint8)
    png = viz.to_png(pixels, scale=3)
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        decoded = np.asarray(image)
    assert decoded.shape == (6, 6)
    np.testing.assert_array_equal(decoded[::3, ::3], pixels)


def test_save_gif_writes_all_frames(tmp_path, digits):
    from PIL import Image

    mosaics = [viz.tile(digits[:4]), viz.tile(digits[4:8])]
    path = viz.save_gif(mosaics + [digits[8:12]], tmp_path / "sub" / "run.gif", duration=0.1, scale=2)
    assert path == tmp_path / "sub" / "run.gif"
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 3
        assert gif.size == (2 * mosaics[0].shape[1], 2 * mosaics[0].shape[0])
    with pytest.raises(ValueError, match="frame"):
        viz.save_gif([], tmp_path / "empty.gif")


def test_figure_to_png(digits):
    png = viz.figure_to_png(viz.image_grid(digits), dpi=50)
    assert isinstance(png, bytes)
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 100


def test_figures_are_not_registered_with_pyplot(digits):
    before = plt.get_fignums()
    viz.image_grid(digits)
    viz.loss_curves(HISTORY)
    viz.d_output_histogram([0.9], [0.1])
    viz.dashboard(HISTORY, digits)
    viz.class_shares([0.1] * 10)
    assert plt.get_fignums() == before
