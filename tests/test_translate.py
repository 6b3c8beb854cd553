"""``translate`` keeps the caller's array shape and dtype: library and CLI round trips for ``(N, H, W)``,
``(N, H, W, 1)``, a single image and image files (issue 12, item 3)."""

import numpy as np
import pytest
from PIL import Image

from ganlib import cli, data, models, storage
from ganlib.translate import translate_image, translate_images


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A run folder with a tiny 32×32 one-channel U-Net (untrained: only shapes and dtypes are under test)."""
    folder = tmp_path_factory.mktemp("p2p")
    storage.save_model_atomically(models.build_unet_generator((32, 32, 1), 4, seed=0), folder / "generator.keras")
    return folder


@pytest.fixture(scope="module")
def generator(run):
    return storage.load_model(run / "generator.keras")


def _images(shape, dtype):
    rng = np.random.default_rng(0)
    if dtype == np.uint8:
        return rng.integers(0, 256, shape).astype(np.uint8)
    return rng.uniform(-1, 1, shape).astype(dtype)


@pytest.mark.parametrize(
    "shape",
    [(5, 28, 28), (5, 28, 28, 1), (28, 28), (28, 28, 1), (3, 40, 20), (1, 32, 32)],
    ids=["N,H,W", "N,H,W,1", "H,W", "H,W,1", "N,H,W-other-size", "one-of-N,H,W"],
)
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64], ids=["uint8", "float32", "float64"])
def test_translate_image_keeps_shape_and_dtype(generator, shape, dtype):
    out = translate_image(generator, _images(shape, dtype))
    assert out.shape == shape and out.dtype == dtype
    if dtype != np.uint8:
        assert -1 <= out.min() and out.max() <= 1


def test_translate_images_keeps_the_layout(generator):
    batch = _images((4, 28, 28), np.uint8)
    assert translate_images(generator, batch).shape == (4, 28, 28)
    assert translate_images(generator, batch[..., None]).shape == (4, 28, 28, 1)
    # the same pixels either way: the channel axis only changes the layout
    np.testing.assert_array_equal(translate_images(generator, batch), translate_images(generator, batch[..., None])[..., 0])


def test_a_batch_is_translated_image_by_image(generator):
    batch = _images((3, 28, 28), np.uint8)
    one_by_one = np.stack([translate_image(generator, image) for image in batch])
    np.testing.assert_array_equal(translate_image(generator, batch), one_by_one)


def test_colorizer_gives_colour_for_each_layout():
    colorizer = models.build_unet_generator((16, 16, 1), 4, colorize=True, seed=0)
    grey = _images((2, 20, 24), np.uint8)
    assert translate_image(colorizer, grey).shape == (2, 20, 24, 3)
    assert translate_image(colorizer, grey[..., None]).shape == (2, 20, 24, 3)
    assert translate_image(colorizer, grey[0]).shape == (20, 24, 3)


def _cli(argv):
    return cli.main([str(a) for a in argv])


@pytest.mark.parametrize("shape", [(6, 28, 28), (6, 28, 28, 1), (28, 28), (28, 28, 1)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_cli_npy_round_trip(run, generator, tmp_path, shape, dtype):
    images = _images(shape, dtype)
    np.save(tmp_path / "in.npy", images)
    assert _cli(["translate", run, tmp_path / "in.npy", "--out", tmp_path / "out.npy"]) == 0
    out = np.load(tmp_path / "out.npy")
    assert out.shape == shape and out.dtype == dtype
    np.testing.assert_array_equal(out, translate_image(generator, images))


def test_cli_image_file_round_trip(run, generator, tmp_path):
    digit = _images((28, 28), np.uint8)
    Image.fromarray(digit).save(tmp_path / "digit.png")
    assert _cli(["translate", run, tmp_path / "digit.png", "--out", tmp_path / "restored.png"]) == 0
    restored = np.asarray(Image.open(tmp_path / "restored.png"))
    assert restored.shape == (28, 28) and restored.dtype == np.uint8
    np.testing.assert_array_equal(restored, translate_image(generator, digit))  # PNG is lossless
    # image file in, .npy out, and .npy in, image file out
    assert _cli(["translate", run, tmp_path / "digit.png", "--out", tmp_path / "restored.npy"]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "restored.npy"), restored)
    np.save(tmp_path / "digit.npy", digit)
    assert _cli(["translate", run, tmp_path / "digit.npy", "--out", tmp_path / "again.png"]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "again.png")), restored)


def test_cli_colour_picture_file_is_read_as_grey(run, generator, tmp_path):
    rgb = _images((30, 36, 3), np.uint8)
    Image.fromarray(rgb).save(tmp_path / "photo.png")
    assert _cli(["translate", run, tmp_path / "photo.png", "--out", tmp_path / "out.jpg"]) == 0
    out = np.asarray(Image.open(tmp_path / "out.jpg"))
    assert out.shape == (30, 36) and out.dtype == np.uint8
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    expected = translate_image(generator, grey).astype(int)
    assert np.abs(out.astype(int) - expected).mean() < 8  # JPEG is lossy


def test_cli_float_single_image_to_png_is_scaled_to_pixels(run, generator, tmp_path):
    image = _images((28, 28, 1), np.float32)
    np.save(tmp_path / "f.npy", image)
    assert _cli(["translate", run, tmp_path / "f.npy", "--out", tmp_path / "f.png"]) == 0
    written = np.asarray(Image.open(tmp_path / "f.png"))
    np.testing.assert_array_equal(written, data.scale_to_uint8(translate_image(generator, image))[..., 0])


def _identity_generator(side: int = 32):
    import keras

    inputs = keras.Input((side, side, 1))
    return keras.Model(inputs, keras.layers.Identity()(inputs))


def test_a_28px_digit_is_padded_into_the_32px_frame_not_resized():
    """Lesson 3 trains on 28×28 digits padded into a 32×32 frame, so a 28×28 digit goes in at its own scale:
    edge-padded by 2 px per side and cropped back, exact through an identity generator (resizing to 32 and
    back would blur it)."""
    digits = _images((3, 28, 28), np.uint8)
    np.testing.assert_array_equal(translate_images(_identity_generator(), digits), digits)


def test_padding_centres_the_picture_and_uses_its_edge_pixels():
    from ganlib import translate

    frame = np.zeros((1, 28, 28, 1), np.float32)
    frame[0, 0, :, 0] = 1.0  # the top row is ink: edge padding repeats it into rows 0-1 of the frame
    padded = translate._to_frame(frame, 32, 32, translate._pads((32, 32, 1), 28, 28))
    assert padded.shape == (1, 32, 32, 1)
    np.testing.assert_array_equal(padded[0, :3, 5, 0], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(padded[0, 2:30, 2:30], frame[0])


def test_only_slightly_smaller_pictures_are_padded():
    """20×20 (more than an eighth smaller than 32) and 40×40 (larger) are resized; 28×30 is centred."""
    from ganlib import translate

    assert translate._pads((32, 32, 1), 20, 20) is None and translate._pads((32, 32, 1), 40, 40) is None
    assert translate._pads((32, 32, 1), 28, 30) == (2, 1)
