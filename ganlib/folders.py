"""Your own pictures: load a folder of PNG/JPEG images (or image pairs) as arrays ready for the builders.

:func:`load_image_folder` reads a folder of images for a GAN, :func:`load_paired_folder` a folder of pairs
for pix2pix::

    images, labels, class_names = folders.load_image_folder("my_cats", size=32)   # uint8 (N, 32, 32, 3)
    inputs, targets = folders.load_paired_folder("facades/train", size=64, direction="b2a")

Sub-folders are classes, as in ``keras.utils.image_dataset_from_directory``: ``cats/…`` and ``dogs/…`` give
labels 0 and 1 and ``class_names == ["cats", "dogs"]`` (alphabetical; each class folder is read with its own
sub-folders). A folder without sub-folders of images has ``labels is None`` and no class names.

Why Pillow and not ``image_dataset_from_directory``: Keras' loader is a ``tf.data`` pipeline, and one file
it cannot decode (a text file named ``.png``, a download cut short) stops the whole iteration with an
``InvalidArgumentError`` instead of being skipped; it does not apply a photo's EXIF orientation, so phone
pictures arrive on their side; and with sub-folders as classes it ignores images lying beside them without a
word. Here every file is opened on its own, an unreadable one is skipped and counted in one printed line,
and the geometry is Keras' own: ``fit="crop"`` keeps the largest centred square (Keras'
``crop_to_aspect_ratio=True``), ``fit="pad"`` fits the whole picture into the square with black bars
(``pad_to_aspect_ratio=True``); then the square is resized to ``size`` (Pillow's bicubic, antialiased when
shrinking).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

#: File endings read (case does not matter).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
#: Image sides the DCGAN builders take (``ganlib.models.dcgan.START_SIZES``; a test keeps the two equal).
DCGAN_SIZES = (28, 32, 64)
#: Image sides the pix2pix builders take with their default depth (powers of two; see ``recipes.PIX2PIX_BY_SIZE``).
PIX2PIX_SIZES = (32, 64, 128, 256)
FITS = ("crop", "pad")
#: Which way a pair goes, for pix2pix pairs and CycleGAN alike: ``"a2b"`` (A is the input, B the target) or
#: ``"b2a"``.
DIRECTIONS = ("a2b", "b2a")
LAYOUTS = ("auto", "side-by-side", "folders")
_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N")


class ImageFolder(NamedTuple):
    """What :func:`load_image_folder` returns: unpack it as ``images, labels, class_names``."""

    images: np.ndarray
    labels: np.ndarray | None
    class_names: tuple[str, ...]


def _check_args(size, sizes, fit, channels) -> int:
    if sizes is not None and size not in sizes:
        raise ValueError(f"Expected `size` in {tuple(sizes)}. Received: size={size!r}")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ValueError(f"Expected `size` > 0. Received: size={size!r}")
    if fit not in FITS:
        raise ValueError(f"Expected `fit` to be one of {FITS}. Received: fit={fit!r}")
    if channels not in (None, 1, 3):
        raise ValueError(f"Expected `channels` to be 1, 3 or None (from the images). Received: channels={channels!r}")
    return size


def _folder(path) -> Path:
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"No folder at {folder}: give the folder that holds your images.")
    return folder


def _visible_files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (sub-folders too), hidden files and folders left out, in sorted order."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / name for name in sorted(files) if not name.startswith(".")]
    return found


def _is_image_name(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def _open(path: Path, size: int | None = None):
    """Open an image file upright (EXIF orientation applied) as an 8-bit ``"L"`` or ``"RGB"`` PIL image.

    Transparent pixels are laid on white. 16-bit greyscale is brought to 8 bits. Raises ``OSError`` or
    ``ValueError`` (from Pillow) for a file that is not a readable image.
    """
    from PIL import Image, ImageOps

    with Image.open(path) as picture:
        if size is not None and picture.format == "JPEG":
            picture.draft(None, (2 * size, 2 * size))  # decode a big photo at a reduced scale: much faster
        picture.load()
        picture = ImageOps.exif_transpose(picture)
    grey = picture.mode in _GREY_MODES
    if picture.mode.startswith("I"):  # 16-bit greyscale
        picture = Image.fromarray((np.asarray(picture).astype(np.uint32) >> 8).astype(np.uint8))
    if "A" in picture.getbands() or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        picture = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    return picture.convert("L" if grey else "RGB")


def _square(picture, size: int, fit: str) -> np.ndarray:
    """Centre-crop (``"crop"``) or pad (``"pad"``) a PIL image to a square, resize to ``size``; uint8 HxWxC."""
    from PIL import Image, ImageOps

    if fit == "crop":
        square = ImageOps.fit(picture, (size, size), method=Image.Resampling.BICUBIC, centering=(0.5, 0.5))
    else:
        square = ImageOps.pad(picture, (size, size), method=Image.Resampling.BICUBIC, color=0, centering=(0.5, 0.5))
    pixels = np.asarray(square, dtype=np.uint8)
    return pixels[..., None] if pixels.ndim == 2 else pixels


def _channels(pixels: list[np.ndarray], channels: int | None) -> np.ndarray:
    """Stack images of 1 or 3 channels with ``channels`` channels (``None``: 1 if all are grey, else 3)."""
    if channels is None:
        channels = 1 if all(p.shape[-1] == 1 for p in pixels) else 3
    if channels == 3:
        pixels = [np.repeat(p, 3, axis=-1) if p.shape[-1] == 1 else p for p in pixels]
    else:  # ITU-R 601 luma, as Pillow's convert("L")
        weights = np.array([299, 587, 114]) / 1000.0
        pixels = [p if p.shape[-1] == 1 else np.rint(p @ weights)[..., None].astype(np.uint8) for p in pixels]
    return np.stack(pixels).astype(np.uint8)


def _report_skipped(folder: Path, total: int, unreadable: list[tuple[Path, str]], other: list[Path]) -> None:
    """Print one line counting what was skipped (nothing when nothing was)."""
    parts = []
    if unreadable:
        path, reason = unreadable[0]
        parts.append(f"{len(unreadable)} unreadable (first: {path.relative_to(folder)}: {reason})")
    if other:
        parts.append(f"{len(other)} not {'/'.join(IMAGE_SUFFIXES)} (first: {other[0].relative_to(folder)})")
    if parts:
        print(f"{folder}: skipped {len(unreadable) + len(other)} of {total} files — {'; '.join(parts)}.")


def _reason(error: Exception, path: Path) -> str:
    """The first line of Pillow's message, without the path it repeats."""
    text = str(error).replace(f" '{path}'", "").replace(str(path), "").strip()
    return text.splitlines()[0][:80] if text else type(error).__name__


def _require_two(folder: Path, count: int, found: int, unreadable, what: str = "images") -> None:
    """Refuse, in one line, a folder with no image files, none readable, or a single one."""
    if found == 0:
        raise ValueError(
            f"No PNG or JPEG images in {folder} (looked for {', '.join(IMAGE_SUFFIXES)} in it and its sub-folders)."
        )
    if count == 0:
        path, reason = unreadable[0]
        raise ValueError(
            f"None of the {found} image files in {folder} could be read (first: {path.relative_to(folder)}: "
            f"{reason}): are they really PNG or JPEG?"
        )
    if count == 1:
        raise ValueError(
            f"Expected at least 2 {what} in {folder}. Received: 1. A GAN learns from many examples: add a few hundred."
        )


def load_image_folder(
    path,
    size: int = 32,
    channels: int | None = None,
    fit: str = "crop",
    sizes=DCGAN_SIZES,
    verbose: bool = True,
) -> ImageFolder:
    """Load every PNG/JPEG image under ``path`` as uint8 squares of side ``size``.

    Args:
        path: the folder. Its images may sit in sub-folders; when it holds sub-folders, each one is a class
            (read with its own sub-folders) and images lying directly in ``path`` are skipped.
        size: side of the square images returned; one of ``sizes``.
        channels: 3 (RGB), 1 (grey, ITU-R 601 luma) or ``None``: 1 when every image is greyscale, else 3.
        fit: ``"crop"`` keeps the largest centred square of each picture; ``"pad"`` keeps the whole picture
            and fills the rest of the square with black.
        sizes: the sides accepted (default: what the DCGAN builders take); ``None`` accepts any side.
        verbose: print one line saying what was loaded (the skipped-files line is printed regardless).

    Returns:
        ``ImageFolder(images, labels, class_names)``: uint8 ``(N, size, size, channels)`` in 0..255; int64
        labels ``(N,)`` indexing ``class_names`` when sub-folders are classes, else ``None`` and ``()``.

    Raises:
        FileNotFoundError: ``path`` is not a folder.
        ValueError: a ``size``, ``fit`` or ``channels`` not accepted; no image files; none readable; only one.
    """
    size = _check_args(size, sizes, fit, channels)
    folder = _folder(path)
    class_dirs = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    files = _visible_files(folder)
    candidates = [f for f in files if _is_image_name(f)]
    outside = []
    if class_dirs:
        outside = [f for f in files if f.parent == folder]
        files = [f for f in files if f.parent != folder]
        candidates = [f for f in candidates if f.parent != folder]
    pixels, labels, unreadable = [], [], []
    for file in candidates:
        try:
            pixels.append(_square(_open(file, size), size, fit))
        except (OSError, ValueError, SyntaxError) as error:  # what Pillow raises for a broken file
            unreadable.append((file, _reason(error, file)))
            continue
        if class_dirs:
            labels.append(class_dirs.index(folder / file.relative_to(folder).parts[0]))
    _require_two(folder, len(pixels), len(candidates), unreadable)
    _report_skipped(folder, len(files), unreadable, [f for f in files if not _is_image_name(f)])
    if outside:
        print(f"{folder}: ignored {len(outside)} file(s) lying directly in it: with sub-folders as classes, each image goes in one.")
    images = _channels(pixels, channels)
    names = tuple(d.name for d in class_dirs)
    used = sorted(set(labels))
    if class_dirs and len(used) < len(class_dirs):  # class folders without a readable image: not classes
        names = tuple(names[i] for i in used)
        labels = [used.index(label) for label in labels]
    label_array = np.asarray(labels, dtype=np.int64) if class_dirs else None
    if verbose:
        how = "centre-cropped" if fit == "crop" else "padded"
        kind = "RGB" if images.shape[-1] == 3 else "grey"
        classes = f", {len(names)} classes ({', '.join(names[:8])}{', …' if len(names) > 8 else ''})" if names else ""
        print(f"{folder}: {len(images):,} images, {how} to {size}×{size} {kind}{classes}.")
    return ImageFolder(images, label_array, names)


def _pair_layout(folder: Path, layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"Expected `layout` to be one of {LAYOUTS}. Received: layout={layout!r}")
    if layout == "auto":
        return "folders" if (folder / "A").is_dir() and (folder / "B").is_dir() else "side-by-side"
    if layout == "folders" and not ((folder / "A").is_dir() and (folder / "B").is_dir()):
        raise ValueError(f"Expected sub-folders A and B in {folder} for layout='folders' (A/x.png pairs with B/x.png).")
    return layout


def load_paired_folder(
    path,
    size: int = 64,
    channels: int | None = None,
    fit: str = "crop",
    direction: str = "a2b",
    layout: str = "auto",
    sizes=PIX2PIX_SIZES,
    verbose: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load aligned image pairs for pix2pix from a folder, as uint8 squares of side ``size``.

    Two layouts (``layout="auto"`` picks ``"folders"`` when ``path`` has sub-folders ``A`` and ``B``):

    * ``"side-by-side"``: every file holds A and B side by side, A the left half, as the pix2pix datasets
      do (the facades archive: photo | label map, so label → photo is ``direction="b2a"``).
    * ``"folders"``: ``A/x.png`` pairs with ``B/x.png`` (same path without its ending, so ``B/x.jpg`` works
      too); a file without its partner is skipped and counted.

    Each side is cropped or padded and resized on its own, exactly as :func:`load_image_folder` does.

    Args:
        path: the folder.
        size: side of the squares; one of ``sizes`` (default: what the pix2pix builders take).
        channels: 3, 1 or ``None`` (1 when every image is greyscale, else 3), the same for A and B.
        fit: ``"crop"`` or ``"pad"``, as in :func:`load_image_folder`.
        direction: ``"a2b"`` (inputs A, targets B) or ``"b2a"``.
        layout: ``"auto"``, ``"side-by-side"`` or ``"folders"``.
        sizes: the sides accepted; ``None`` accepts any.
        verbose: print one line saying what was loaded.

    Returns:
        ``(inputs, targets)``: uint8 arrays ``(N, size, size, channels)``, pair ``i`` in row ``i``.
    """
    size = _check_args(size, sizes, fit, channels)
    if direction not in DIRECTIONS:
        raise ValueError(f"Expected `direction` to be one of {DIRECTIONS}. Received: direction={direction!r}")
    folder = _folder(path)
    layout = _pair_layout(folder, layout)
    unreadable, halves = [], []
    if layout == "folders":
        sides = {name: _visible_files(folder / name) for name in "AB"}
        files = sides["A"] + sides["B"]
        keyed = {
            name: {f.relative_to(folder / name).with_suffix(""): f for f in found if _is_image_name(f)}
            for name, found in sides.items()
        }
        jobs = [(keyed["A"][key], keyed["B"][key]) for key in sorted(set(keyed["A"]) & set(keyed["B"]))]
        lonely = sorted(set(keyed["A"]) ^ set(keyed["B"]))
        found = len(keyed["A"]) + len(keyed["B"])
        if found and not jobs:
            raise ValueError(f"No pairs in {folder}: no image in A has a partner of the same name in B (A/x.png ↔ B/x.png).")
    else:
        files = _visible_files(folder)
        jobs = [(f, None) for f in files if _is_image_name(f)]
        lonely, found = [], len(jobs)
    for a_file, b_file in jobs:
        try:
            if b_file is None:
                picture = _open(a_file)
                half = picture.width // 2
                a, b = picture.crop((0, 0, half, picture.height)), picture.crop((half, 0, 2 * half, picture.height))
            else:
                a, b = _open(a_file, size), _open(b_file, size)
            halves.append((_square(a, size, fit), _square(b, size, fit)))
        except (OSError, ValueError, SyntaxError) as error:
            unreadable.append((a_file, _reason(error, a_file)))
    _require_two(folder, len(halves), found, unreadable, what="pairs")
    _report_skipped(folder, len(files), unreadable, [f for f in files if not _is_image_name(f)])
    if lonely:
        print(f"{folder}: skipped {len(lonely)} image(s) without a partner in the other folder (first: {lonely[0]}).")
    both = _channels([p for pair in halves for p in pair], channels)
    a_images, b_images = both[0::2], both[1::2]
    if verbose:
        how = "A | B side by side in each file" if layout == "side-by-side" else "A/x ↔ B/x"
        print(
            f"{folder}: {len(a_images):,} pairs ({how}), {size}×{size}×{both.shape[-1]}, "
            f"inputs {direction[0].upper()} → targets {direction[-1].upper()}."
        )
    return (a_images, b_images) if direction == "a2b" else (b_images, a_images)


def write_photo_crops(folder, n: int = 300, size: int = 64, seed: int = 0) -> Path:
    """Write ``n`` random ``size``×``size`` PNG crops of the colour photographs that ship with scikit-image.

    The offline stand-in for "your folder" in the notebook, the CLI examples and the tests: the crops are
    those of ``data.load_pairs("photos-colorize")`` (astronaut, coffee, rocket, …), saved as
    ``crop_0000.png``, ``crop_0001.png``, … The folder is created if needed.

    Returns:
        ``folder`` as a :class:`~pathlib.Path`.
    """
    from PIL import Image

    from ganlib import _checks, data

    n, size = _checks.positive_int("n", n), _checks.positive_int("size", size)
    _, crops = data.load_pairs("photos-colorize", "train", size=size, n=n, seed=seed, verbose=False)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for index, crop in enumerate(data.scale_to_uint8(crops)):
        Image.fromarray(crop).save(folder / f"crop_{index:04d}.png")
    return folder
