"""Translate your own pictures with a trained image-to-image generator (lesson 3).

:func:`translate_image` takes a path, a PIL image or an array (uint8, or floats in [-1, 1]), and returns the
translation in the input's shape, dtype and range: ``(N, 28, 28)`` uint8 in, ``(N, 28, 28)`` uint8 out;
``(N, 28, 28, 1)`` stays ``(N, 28, 28, 1)``; one image stays one image (a colouriser adds its 3 channels)::

    generator = storage.load_model("runs/p2p/generator.keras")
    restored = translate.translate_image(generator, "my_digit.png")        # uint8 (H, W) back

The generator works at the size it was trained on. A picture slightly smaller than that (by at most an
eighth per side, like a 28×28 digit for a 32×32 digit model: lesson 3 trains on digits padded into a 32×32
frame) is padded to it with its own edge pixels, translated at its own scale and cropped back; any other
picture is resized to it, translated, and the result resized back (pictures smaller than a quarter of that
size are refused: they would be blown up). A colouriser (:func:`ganlib.models.build_unet_generator` with ``colorize=True``)
predicts colour only, so its colour is upsampled and combined with the picture's own full-size lightness:
the result is as sharp as the input, whatever the training size.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ganlib import _checks, data
from ganlib.inference import predict_in_batches

COLOR_LAYER = "ab"
#: Pictures smaller than the generator's size by more than this factor are refused (they would be blown up).
MAX_ENLARGEMENT = 4
#: Pictures at most this fraction smaller per side than the generator's size are padded, not resized.
PAD_FRACTION = 1 / 8


def _generator_shape(generator) -> tuple[int, int, int]:
    shape = generator.input_shape
    if isinstance(shape, list) or len(shape) != 4 or None in shape[1:]:
        raise ValueError(
            "Expected an image-to-image generator with one input of shape (None, H, W, C). "
            f"Received: generator.input_shape={shape}"
        )
    return tuple(int(d) for d in shape[1:])


def _read_picture(picture, channels: int) -> np.ndarray:
    """A path or PIL image as a uint8 array with ``channels`` channels (converted: a file's mode is not
    the caller's choice)."""
    from PIL import Image

    mode = {1: "L", 3: "RGB"}.get(channels)
    if mode is None:
        raise ValueError(f"Expected a generator with 1 or 3 input channels for pictures. Received: {channels}")
    if not isinstance(picture, (str, os.PathLike)):
        return np.asarray(picture.convert(mode))
    path = Path(picture)
    if not path.is_file():
        raise FileNotFoundError(f"No image file at {path}.")
    try:
        with Image.open(path) as opened:
            return np.asarray(opened.convert(mode))
    except (OSError, ValueError, SyntaxError) as error:  # Pillow: UnidentifiedImageError, "image file is truncated"
        raise ValueError(f"Cannot read {path} as an image: {error}") from None


def _resize(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize float images ``(N, h, w, C)`` to ``(N, height, width, C)`` (area when shrinking)."""
    import tensorflow as tf

    if images.shape[1:3] == (height, width):
        return images
    shrinking = images.shape[1] * images.shape[2] > height * width
    resized = tf.image.resize(images, (height, width), method="area" if shrinking else "bilinear", antialias=True)
    return np.asarray(resized, dtype=np.float32)


def _pads(generator_shape, in_height: int, in_width: int) -> tuple[int, int] | None:
    """(top, left) padding that centres an ``in_height × in_width`` picture in the generator's frame, or
    None when the picture should be resized instead (larger than the frame, or smaller by more than
    :data:`PAD_FRACTION` of it)."""
    height, width = generator_shape[:2]
    fits = all(size - int(size * PAD_FRACTION) <= side <= size for side, size in ((in_height, height), (in_width, width)))
    return ((height - in_height) // 2, (width - in_width) // 2) if fits else None


def _to_frame(images: np.ndarray, height: int, width: int, pads) -> np.ndarray:
    """Images ``(N, h, w, C)`` in the generator's frame: edge-padded (``pads``) or resized."""
    if pads is None:
        return _resize(images, height, width)
    top, left = pads
    widths = ((0, 0), (top, height - images.shape[1] - top), (left, width - images.shape[2] - left), (0, 0))
    return np.pad(images, widths, mode="edge")


def _from_frame(images: np.ndarray, in_height: int, in_width: int, pads) -> np.ndarray:
    """The inverse of :func:`_to_frame`: crop the padding off, or resize back."""
    if pads is None:
        return _resize(images, in_height, in_width)
    top, left = pads
    return images[:, top:top + in_height, left:left + in_width]


def _to_unit(images: np.ndarray) -> np.ndarray:
    if images.dtype == np.uint8:
        return data.scale_to_unit(images)
    if not np.issubdtype(images.dtype, np.floating):
        hint = " (convert 0..255 integers with .astype(np.uint8))" if np.issubdtype(images.dtype, np.integer) else ""
        raise ValueError(f"Expected uint8 images or floats in [-1, 1]{hint}. Received: dtype={images.dtype}")
    _checks.finite_values("images", images)
    images = images.astype(np.float32)
    if images.size and (images.min() < -1.001 or images.max() > 1.001):
        raise ValueError(
            "Expected float images in [-1, 1] (or uint8 in 0..255). "
            f"Received: values in [{images.min():.3g}, {images.max():.3g}]"
        )
    return images


def _from_unit(images: np.ndarray, dtype) -> np.ndarray:
    if dtype == np.uint8:
        return data.scale_to_uint8(images)
    return np.clip(images, -1.0, 1.0).astype(dtype)


def _check_sides(generator_shape, in_height: int, in_width: int, shape) -> None:
    height, width = generator_shape[:2]
    low_h, low_w = -(-height // MAX_ENLARGEMENT), -(-width // MAX_ENLARGEMENT)
    if in_height < low_h or in_width < low_w:
        raise ValueError(
            f"Expected images of at least {low_h}x{low_w} pixels (the generator works at {height}x{width} and "
            f"would enlarge them more than {MAX_ENLARGEMENT}x). Received: shape={shape}, read as images of "
            f"{in_height}x{in_width}"
        )


def translate_images(generator, images, batch_size: int = 64) -> np.ndarray:
    """Translate a batch ``(N, H, W)`` or ``(N, H, W, C)``; return it in the same layout and dtype.

    Args:
        generator: a trained image-to-image ``keras.Model`` (e.g. ``runs/p2p/generator.keras``).
        images: uint8 in 0..255 or finite floats in [-1, 1], the generator's input channels (``(N, H, W)``
            means one channel); any height and width from a quarter of the generator's up (slightly smaller ones are
            padded, others resized: see the module docstring).
        batch_size: images per forward pass.

    Returns:
        The translations, in the input's dtype and range: ``(N, H, W)`` for ``(N, H, W)`` input when the
        generator outputs one channel, else ``(N, H, W, C_out)`` (``(N, H, W, 1)`` stays so).

    Raises:
        ValueError: an empty batch, a wrong rank or channel count, images too small, NaN or infinite
            values, or floats outside [-1, 1].
    """
    batch_size = _checks.positive_int("batch_size", batch_size)
    generator_shape = _generator_shape(generator)
    height, width, channels = generator_shape
    images = np.asarray(images)
    if images.ndim not in (3, 4) or 0 in images.shape:
        raise ValueError(f"Expected a non-empty batch (N, H, W) or (N, H, W, C). Received: shape={images.shape}")
    received_shape, no_channel_axis = images.shape, images.ndim == 3
    if no_channel_axis:
        images = images[..., None]
    if images.shape[-1] != channels:
        hint = " Convert colour pictures with ganlib.data.to_grey first." if channels == 1 else ""
        raise ValueError(
            f"Expected images with {channels} channel(s), as the generator was trained on. "
            f"Received: shape={received_shape}.{hint}"
        )
    dtype, in_height, in_width = images.dtype, images.shape[1], images.shape[2]
    _check_sides(generator_shape, in_height, in_width, received_shape)
    unit = _to_unit(images)
    pads = _pads(generator_shape, in_height, in_width)
    small = _to_frame(unit, height, width, pads)
    colorizer = any(layer.name == COLOR_LAYER for layer in generator.layers)
    if colorizer:
        import keras

        color_model = keras.Model(generator.input, generator.get_layer(COLOR_LAYER).output)
        ab = predict_in_batches(color_model, small, batch_size)
        lab = np.concatenate([unit[..., :1], _from_frame(ab, in_height, in_width, pads)], axis=-1)
        outputs = data.lab_to_rgb(lab)
    else:
        outputs = _from_frame(predict_in_batches(generator, small, batch_size), in_height, in_width, pads)
    outputs = _from_unit(outputs, dtype)
    return outputs[..., 0] if no_channel_axis and outputs.shape[-1] == 1 else outputs


def translate_image(generator, image, batch_size: int = 64) -> np.ndarray:
    """Translate one picture, or a batch, and return it at the input's shape, dtype and range.

    Args:
        generator: a trained image-to-image ``keras.Model``.
        image: a path (``.png``, ``.jpg``, ...; converted to the generator's channels), a PIL image, or an
            array: ``(H, W)``, ``(H, W, C)`` with the generator's ``C``, or a batch ``(N, H, W)`` /
            ``(N, H, W, C)``; uint8 in 0..255 or finite floats in [-1, 1].
        batch_size: images per forward pass (batches only).

    Returns:
        The input's layout with the generator's output channels: ``(H, W)`` for a one-channel ``(H, W)``
        (or a grey picture file), ``(N, H, W)`` for ``(N, H, W)``, ``(H, W, C_out)`` / ``(N, H, W, C_out)``
        otherwise (a colouriser's output always has its 3 channels); uint8 for uint8 input and pictures
        read from files, float32 in [-1, 1] otherwise.

    Raises:
        ValueError: an empty image, a wrong rank or channel count, an image too small for the generator,
            NaN or infinite values, floats outside [-1, 1], or a file that is not an image.
        FileNotFoundError: a path that does not exist.
    """
    channels = _generator_shape(generator)[-1]
    if isinstance(image, (str, os.PathLike)) or type(image).__module__.startswith("PIL"):
        image = _read_picture(image, channels)
    image = np.asarray(image)
    if image.size == 0:
        raise ValueError(f"Expected a non-empty image. Received: shape={image.shape}")
    if image.ndim == 4:
        return translate_images(generator, image, batch_size)
    if image.ndim == 3 and image.shape[-1] != channels:
        if channels == 1 and image.shape[-1] not in (3, 4):  # (N, H, W): a batch of one-channel images
            return translate_images(generator, image, batch_size)
        hint = " Convert colour pictures with ganlib.data.to_grey first." if channels == 1 else ""
        raise ValueError(
            f"Expected an image with {channels} channel(s), as the generator was trained on. "
            f"Received: shape={image.shape}.{hint}"
        )
    if image.ndim not in (2, 3):
        raise ValueError(f"Expected an image (H, W) or (H, W, C), or a batch (N, H, W[, C]). Received: shape={image.shape}")
    if image.ndim == 2 and channels != 1:
        raise ValueError(
            f"Expected an image with {channels} channels, as the generator was trained on. "
            f"Received: a one-channel image of shape {image.shape}."
        )
    _check_sides(_generator_shape(generator), image.shape[0], image.shape[1], image.shape)
    return translate_images(generator, image[None], batch_size)[0]
