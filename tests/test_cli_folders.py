"""Tests of ``train dcgan|pix2pix --data FOLDER`` (ganlib.cli with ganlib.folders) on folders made in the test.

The models are shrunk (4 filters): the command's plumbing is under test, not the recipe.
"""

import json

import numpy as np
import pytest
from PIL import Image

from ganlib import cli, recipes, storage


def _run(argv, capsys):
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(code, err):
    assert code == 2 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("ganlib: error: ")
    return err.strip()


def _pictures(folder, n, width=48, height=40, seed=0):
    """``n`` random-noise RGB pictures of ``width``×``height``; return the folder."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(n):
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(folder / f"{index:03d}.png")
    return folder


@pytest.fixture
def tiny(monkeypatch):
    for key in ("base_filters", "d_base_filters"):
        monkeypatch.setitem(recipes.DCGAN, key, 4)
        monkeypatch.setitem(recipes.PIX2PIX, key, 4)


def test_train_dcgan_on_a_folder_then_sample_rgb(tiny, tmp_path, capsys):
    folder, out = _pictures(tmp_path / "mine", 40), tmp_path / "run"
    code, stdout, err = _run(["train", "dcgan", "--data", folder, "--epochs", "2", "--batch-size", "16", "--out", out], capsys)
    assert code == 0, err
    assert f"{folder}: 40 images, centre-cropped to 32×32 RGB." in stdout
    assert "dcgan on" in stdout and "(40 at 32 px, batch 16, seed 0)" in stdout
    assert storage.load_model(out / "generator.keras").output_shape == (None, 32, 32, 3)
    assert len(json.loads((out / "history.json").read_text())["d_loss"]) == 2 * (40 // 16)
    assert json.loads((out / "data.json").read_text()) == {"model": "dcgan", "data": str(folder.resolve()), "size": 32}
    code, stdout, _ = _run(["sample", out, "--n", "5", "--out", tmp_path / "s.npy"], capsys)
    assert code == 0
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (5, 32, 32, 3) and samples.dtype == np.float32
    assert np.asarray(Image.open(tmp_path / "s.png")).shape[-1] == 3  # an RGB sheet beside it


def test_size_64_and_a_different_folder_needs_fresh(tiny, tmp_path, capsys):
    folder, out = _pictures(tmp_path / "mine", 20, 80, 70), tmp_path / "run"
    args = ["train", "dcgan", "--data", folder, "--size", "64", "--epochs", "1", "--batch-size", "10", "--out", out]
    assert _run(args, capsys)[0] == 0
    assert storage.load_model(out / "generator.keras").output_shape == (None, 64, 64, 3)
    other = _pictures(tmp_path / "other", 20, seed=1)
    changed = ["train", "dcgan", "--data", other, "--size", "64", "--epochs", "1", "--batch-size", "10", "--out", out]
    code, _, err = _run(changed, capsys)
    assert _one_line_error(code, err) == (
        f"ganlib: error: {out} holds a run on other data or at another size: pass --fresh, or another --out"
    )
    code, stdout, _ = _run([*changed, "--fresh"], capsys)
    assert code == 0 and "starting a new run" in stdout
    assert json.loads((out / "data.json").read_text())["data"] == str(other.resolve())


def test_train_pix2pix_on_pairs_then_translate(tiny, tmp_path, capsys):
    folder, out = tmp_path / "pairs", tmp_path / "run"
    rng = np.random.default_rng(0)
    for index in range(12):
        a = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        folder.mkdir(exist_ok=True)
        Image.fromarray(np.concatenate([a, 255 - a], axis=1)).save(folder / f"{index}.png")
    argv = ["train", "pix2pix", "--data", folder, "--size", "32", "--epochs", "1", "--batch-size", "4", "--out", out]
    code, stdout, _ = _run(argv, capsys)
    assert code == 0 and "12 pairs (A | B side by side in each file), 32×32×3" in stdout
    assert storage.load_model(out / "generator.keras").output_shape == (None, 32, 32, 3)
    picture = tmp_path / "a.png"
    Image.fromarray(rng.integers(0, 256, (50, 40, 3), dtype=np.uint8)).save(picture)
    code, _, _ = _run(["translate", out, picture, "--out", tmp_path / "b.png"], capsys)
    assert code == 0 and Image.open(tmp_path / "b.png").size == (40, 50)


@pytest.mark.parametrize(
    ("make", "extra", "expected"),
    [
        (lambda d: d.mkdir(), [], "ganlib: error: No PNG or JPEG images in {d} (looked for .png, .jpg, .jpeg in it and its sub-folders)."),
        (
            lambda d: [d.mkdir(), *((d / f"{i}.png").write_text("text") for i in range(3))],
            [],
            "ganlib: error: None of the 3 image files in {d} could be read (first: 0.png: cannot identify image file): "
            "are they really PNG or JPEG?",
        ),
        (lambda d: _pictures(d, 3), ["--size", "33"], "ganlib: error: Expected `size` in (28, 32, 64). Received: size=33"),
        (lambda d: _pictures(d, 1), [], "ganlib: error: Expected at least 2 images in {d}. Received: 1. A GAN learns from many examples: add a few hundred."),
        (lambda d: _pictures(d, 3), ["--batch-size", "4"], "ganlib: error: --batch-size 4 is larger than the 3 images in {d}"),
    ],
    ids=["empty", "text-named-png", "size-33", "one-image", "batch-too-big"],
)
def test_bad_folders_give_one_line(tmp_path, capsys, make, extra, expected):
    folder, out = tmp_path / "mine", tmp_path / "run"
    make(folder)
    code, _, err = _run(["train", "dcgan", "--data", folder, *extra, "--out", out], capsys)
    assert _one_line_error(code, err) == expected.format(d=folder)
    assert not out.exists()  # refused before anything was written


def test_gan_and_missing_folder(tmp_path, capsys):
    code, _, err = _run(["train", "gan", "--data", tmp_path, "--out", tmp_path / "r"], capsys)
    assert "--data trains dcgan or pix2pix" in _one_line_error(code, err)
    code, _, err = _run(["train", "pix2pix", "--data", tmp_path / "nowhere", "--out", tmp_path / "r"], capsys)
    assert "No folder at" in _one_line_error(code, err)
