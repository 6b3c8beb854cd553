"""Tests of ganlib.folders: folders of images made in the test, broken files, classes, pairs, and each error."""

import numpy as np
import pytest
from PIL import Image

from ganlib import folders, recipes
from ganlib.models import dcgan

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def _save(path, pixels, **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(path, **kwargs)
    return path


def _solid(height, width, colour):
    return np.broadcast_to(np.asarray(colour, dtype=np.uint8), (height, width, len(colour))).copy()


def _stripes(height=20, width=60):
    """Red | green | blue thirds, side by side."""
    third = width // 3
    return np.concatenate([_solid(height, third, c) for c in (RED, GREEN, BLUE)], axis=1)


# ------------------------------------------------------------------------------------ sizes


def test_sizes_are_what_the_builders_take():
    assert folders.DCGAN_SIZES == tuple(sorted(dcgan.START_SIZES))
    assert folders.PIX2PIX_SIZES == tuple(sorted(recipes.PIX2PIX_BY_SIZE))


# ------------------------------------------------------------------------------------ one folder


def test_flat_folder_gives_uint8_squares_without_classes(tmp_path, capsys):
    for index, colour in enumerate((RED, GREEN, BLUE)):
        _save(tmp_path / f"{index}.png", _solid(40, 20, colour))
    _save(tmp_path / "3.jpg", _solid(30, 30, (200, 100, 50)), quality=100)
    images, labels, names = folders.load_image_folder(tmp_path, 32)
    assert images.shape == (4, 32, 32, 3) and images.dtype == np.uint8
    assert labels is None and names == ()
    for image, colour in zip(images[:3], (RED, GREEN, BLUE), strict=True):
        assert (image == colour).all()  # a solid picture stays exactly its colour
    assert np.abs(images[3].astype(int) - (200, 100, 50)).max() <= 2  # JPEG at quality 100
    assert capsys.readouterr().out.strip() == f"{tmp_path}: 4 images, centre-cropped to 32×32 RGB."


def test_crop_keeps_the_centre_square_and_pad_the_whole_picture(tmp_path):
    _save(tmp_path / "a.png", _stripes(20, 60))
    _save(tmp_path / "b.png", _stripes(20, 60))
    cropped = folders.load_image_folder(tmp_path, 32, fit="crop", verbose=False).images[0]
    # the centre 20×20 of a 60×20 picture is its green third (bicubic filtering lets a trace of the
    # neighbouring red and blue into the outermost columns)
    assert (cropped[:, 1:-1] == GREEN).all() and (cropped[:, [0, -1], 1] > 200).all()
    padded = folders.load_image_folder(tmp_path, 32, fit="pad", verbose=False).images[0]
    # 60×20 fits the square as 32 wide × about 11 high: black bars above and below
    assert (padded[:8] == 0).all() and (padded[-8:] == 0).all()
    assert tuple(padded[16, 3]) == RED and tuple(padded[16, 16]) == GREEN and tuple(padded[16, 28]) == BLUE


def test_nested_class_folders(tmp_path, capsys):
    _save(tmp_path / "cats" / "indoor" / "a.png", _solid(8, 8, RED))
    _save(tmp_path / "cats" / "b.png", _solid(8, 8, RED))
    _save(tmp_path / "dogs" / "c.jpg", _solid(8, 8, BLUE))
    _save(tmp_path / "stray.png", _solid(8, 8, GREEN))
    (tmp_path / "empty").mkdir()
    images, labels, names = folders.load_image_folder(tmp_path, 28)
    assert names == ("cats", "dogs")  # alphabetical, as Keras; a folder without images is no class
    assert labels.tolist() == [0, 0, 1] and labels.dtype == np.int64
    assert images.shape == (3, 28, 28, 3)
    assert (images[0] == RED).all() and (images[1] == RED).all()
    out = capsys.readouterr().out
    assert "ignored 1 file(s) lying directly in it" in out
    assert out.strip().endswith("3 images, centre-cropped to 28×28 RGB, 2 classes (cats, dogs).")


def test_unreadable_files_are_skipped_with_one_line(tmp_path, capsys):
    for index in range(3):
        _save(tmp_path / f"good{index}.png", _solid(10, 10, GREEN))
    (tmp_path / "text.png").write_text("not a picture")
    (tmp_path / "cut.png").write_bytes((tmp_path / "good0.png").read_bytes()[:40])  # a download cut short
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0")  # hidden: not counted
    images, _, _ = folders.load_image_folder(tmp_path, 32)
    assert len(images) == 3
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path}: skipped 3 of 6 files — 2 unreadable (first: cut.png: ")
    assert "1 not .png/.jpg/.jpeg (first: notes.txt)" in lines[0]


def test_channels(tmp_path):
    _save(tmp_path / "grey1.png", np.full((8, 8), 100))
    _save(tmp_path / "grey2.png", np.full((8, 8), 200))
    grey = folders.load_image_folder(tmp_path, 28, verbose=False).images
    assert grey.shape == (2, 28, 28, 1) and grey[0, 0, 0, 0] == 100  # all grey: one channel
    as_rgb = folders.load_image_folder(tmp_path, 28, channels=3, verbose=False).images
    assert as_rgb.shape == (2, 28, 28, 3) and tuple(as_rgb[1, 5, 5]) == (200, 200, 200)
    _save(tmp_path / "red.png", _solid(8, 8, RED))
    mixed = folders.load_image_folder(tmp_path, 28, verbose=False).images
    assert mixed.shape == (3, 28, 28, 3)  # one colour picture: all RGB
    luma = folders.load_image_folder(tmp_path, 28, channels=1, verbose=False).images
    assert luma[2, 0, 0, 0] == 76  # red's ITU-R 601 luma: round(0.299 · 255)


def test_sixteen_bit_transparency_and_exif_orientation(tmp_path):
    deep = tmp_path / "deep"
    Image.fromarray(np.full((8, 8), 65535, dtype=np.uint16)).save(deep.mkdir() or deep / "white.png")
    Image.fromarray(np.full((8, 8), 32768, dtype=np.uint16)).save(deep / "mid.png")
    images = folders.load_image_folder(deep, 28, verbose=False).images
    assert images[:, 0, 0, 0].tolist() == [128, 255]  # mid.png, white.png: 16 bits → 8 bits

    clear = tmp_path / "clear"
    rgba = np.zeros((8, 8, 4), dtype=np.uint8)
    rgba[..., 0] = 255  # red, but fully transparent: laid on white
    _save(clear / "a.png", rgba)
    _save(clear / "b.png", _solid(8, 8, BLUE))
    assert tuple(folders.load_image_folder(clear, 28, verbose=False).images[0, 4, 4]) == (255, 255, 255)

    turned = tmp_path / "turned"
    stored = np.zeros((10, 20, 3), dtype=np.uint8)
    stored[:, :10] = 255  # stored 20 wide × 10 high: left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": the white half goes to the top
    _save(turned / "a.jpg", stored, quality=100, exif=exif)
    _save(turned / "b.jpg", stored, quality=100)
    upright, plain = folders.load_image_folder(turned, 28, verbose=False).images
    assert upright[2, 14].min() > 200 and upright[25, 14].max() < 50
    assert plain[14, 2].min() > 200 and plain[14, 25].max() < 50  # no EXIF: as stored


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 33}, "Expected `size` in (28, 32, 64). Received: size=33"),
        ({"size": 128, "sizes": None, "fit": "stretch"}, "Expected `fit` to be one of ('crop', 'pad'). Received: fit='stretch'"),
        ({"channels": 2}, "Expected `channels` to be 1, 3 or None (from the images). Received: channels=2"),
        ({"size": -4, "sizes": None}, "Expected `size` > 0. Received: size=-4"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError) as error:
        folders.load_image_folder(tmp_path, **kwargs)
    assert str(error.value) == message


def test_refuses_empty_unreadable_and_single_image_folders(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match="No folder at .*nowhere"):
        folders.load_image_folder(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ValueError) as error:
        folders.load_image_folder(tmp_path)
    assert str(error.value) == (
        f"No PNG or JPEG images in {tmp_path} (looked for .png, .jpg, .jpeg in it and its sub-folders)."
    )
    for index in range(3):
        (tmp_path / f"{index}.png").write_text("I am text")
    with pytest.raises(ValueError) as error:
        folders.load_image_folder(tmp_path)
    assert str(error.value).startswith(f"None of the 3 image files in {tmp_path} could be read (first: 0.png: ")
    assert "\n" not in str(error.value)
    _save(tmp_path / "only.png", _solid(8, 8, RED))
    with pytest.raises(ValueError, match=r"Expected at least 2 images in .*\. Received: 1\."):
        folders.load_image_folder(tmp_path)
    assert capsys.readouterr().out == ""  # refused: the error says it all, no other line


# ------------------------------------------------------------------------------------ pairs


def test_side_by_side_pairs(tmp_path, capsys):
    for index in range(3):
        pair = np.concatenate([_solid(32, 32, (index, 0, 0)), _solid(32, 32, (0, 0, 100 + index))], axis=1)
        _save(tmp_path / f"{index}.png", pair)
    inputs, targets = folders.load_paired_folder(tmp_path, 32)
    assert inputs.shape == targets.shape == (3, 32, 32, 3) and inputs.dtype == np.uint8
    assert inputs[:, 5, 5].tolist() == [[0, 0, 0], [1, 0, 0], [2, 0, 0]]  # A: the left half
    assert targets[:, 5, 5].tolist() == [[0, 0, 100], [0, 0, 101], [0, 0, 102]]
    assert "3 pairs (A | B side by side in each file), 32×32×3, inputs A → targets B." in capsys.readouterr().out
    swapped_inputs, swapped_targets = folders.load_paired_folder(tmp_path, 32, direction="b2a", verbose=False)
    np.testing.assert_array_equal(swapped_inputs, targets)
    np.testing.assert_array_equal(swapped_targets, inputs)


def test_two_folder_pairs_match_by_name(tmp_path, capsys):
    for index in (2, 0, 1):
        _save(tmp_path / "A" / f"x{index}.png", np.full((16, 16), 10 * index))
        _save(tmp_path / "B" / f"x{index}.png", np.full((16, 16), 10 * index + 5))
    _save(tmp_path / "A" / "lonely.png", np.full((16, 16), 99))
    inputs, targets = folders.load_paired_folder(tmp_path, 32)
    assert inputs.shape == (3, 32, 32, 1)  # all greyscale: one channel
    assert inputs[:, 0, 0, 0].tolist() == [0, 10, 20] and targets[:, 0, 0, 0].tolist() == [5, 15, 25]
    out = capsys.readouterr().out
    assert "skipped 1 image(s) without a partner in the other folder (first: lonely)" in out
    assert "3 pairs (A/x ↔ B/x)" in out


def test_pair_errors(tmp_path):
    with pytest.raises(ValueError, match=r"Expected `size` in \(32, 64, 128, 256\)\. Received: size=28"):
        folders.load_paired_folder(tmp_path, 28)
    with pytest.raises(ValueError, match="Expected `direction`"):
        folders.load_paired_folder(tmp_path, 32, direction="up")
    with pytest.raises(ValueError, match="Expected sub-folders A and B"):
        folders.load_paired_folder(tmp_path, 32, layout="folders")
    _save(tmp_path / "A" / "x.png", _solid(8, 8, RED))
    _save(tmp_path / "B" / "y.png", _solid(8, 8, RED))
    with pytest.raises(ValueError, match="no image in A has a partner of the same name in B"):
        folders.load_paired_folder(tmp_path, 32)
    _save(tmp_path / "B" / "x.png", _solid(8, 8, RED))
    with pytest.raises(ValueError, match=r"Expected at least 2 pairs"):
        folders.load_paired_folder(tmp_path, 32)


# ------------------------------------------------------------------------------------ the stand-in folder


def test_write_photo_crops(tmp_path):
    folder = folders.write_photo_crops(tmp_path / "crops", n=5, size=64, seed=1)
    assert sorted(p.name for p in folder.iterdir()) == [f"crop_{i:04d}.png" for i in range(5)]
    images, labels, _ = folders.load_image_folder(folder, 64, verbose=False)
    assert images.shape == (5, 64, 64, 3) and labels is None
    assert images.std() > 10  # photographs, not blank squares


# ------------------------------------------------------------------------------------ the lesson's exercise


def test_centre_square_exercise_check():
    from ganlib import exercises

    def reference(width, height):
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        return left, top, left + side, top + side

    assert exercises.check_centre_square(reference) is True
    # the box it accepts is the part fit="crop" keeps: the green third of the stripes
    box = Image.fromarray(_stripes(20, 60)).crop(reference(60, 20))
    assert (np.asarray(box) == GREEN).all()
    with pytest.raises(AssertionError, match="top-left corner"):
        exercises.check_centre_square(lambda w, h: (0, 0, min(w, h), min(w, h)))
    with pytest.raises(AssertionError, match="shorter"):
        exercises.check_centre_square(lambda w, h: (0, 0, max(w, h), max(w, h)))
    with pytest.raises(AssertionError, match="right = left"):
        exercises.check_centre_square(lambda w, h: reference(w, h)[:2] + (min(w, h), min(w, h)))
    assert exercises.check_centre_square(None) is False


def _todo(width, height):
    raise NotImplementedError


def test_centre_square_exercise_not_attempted():
    from ganlib import exercises

    assert exercises.check_centre_square(_todo) is False
