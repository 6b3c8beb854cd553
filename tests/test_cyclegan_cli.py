"""`python -m ganlib train cyclegan` and `translate --direction`: the saved generators load in a fresh process
in Keras safe mode, and translations keep the input's shape and dtype. One short training run serves every
test; the commands run in this process (:func:`ganlib.cli.main`), except the one fresh-process load."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]

LOAD_ALL = """
import sys
from pathlib import Path
from ganlib import storage
for path in sorted(Path(sys.argv[1]).glob("*.keras")):
    model = storage.load_model(path)  # Keras safe mode (storage passes safe_mode=True)
    print(path.name, model.input_shape, model.output_shape)
"""

pytestmark = pytest.mark.slow


def _run(args, cwd, expect=0):
    """``python -m ganlib ARGS`` in this process, in ``cwd``; its exit status must be ``expect``."""
    from ganlib import cli

    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main(args[2:])
    finally:
        os.chdir(previous)
    assert status == expect, f"{args}:\n{out.getvalue()[-2000:]}\n{err.getvalue()[-3000:]}"
    return out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cyclegan")
    output = _run(["-m", "ganlib", "train", "cyclegan", "--minutes", "0.02", "--out", "run"], folder)
    assert "CycleGAN on digits-photos" in output
    return folder


def test_train_saves_both_directions_and_they_load_in_safe_mode(run):
    saved = sorted(p.name for p in (run / "run").glob("*.keras"))
    assert saved == ["discriminator.keras", "generator.keras", "generator_a2b.keras", "generator_b2a.keras"]
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", LOAD_ALL, "run"], cwd=run, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout
    assert "generator_b2a.keras (None, 32, 32, 3) (None, 32, 32, 3)" in output
    assert (run / "run" / "samples" / "training.gif").is_file()


def test_translate_b2a_keeps_a_batch_shape_and_dtype(run):
    from ganlib import data
    from ganlib.data import unpaired

    _, images_b = unpaired.load_unpaired("digits-photos", "validation", n=5, verbose=False)
    np.save(run / "b.npy", data.scale_to_uint8(images_b))
    _run(["-m", "ganlib", "translate", "run", "b.npy", "--direction", "b2a", "--out", "a.npy"], run)
    out = np.load(run / "a.npy")
    assert out.shape == (5, 32, 32, 3) and out.dtype == np.uint8
    np.save(run / "b_float.npy", images_b[:, :28, :28])  # floats, another size
    _run(["-m", "ganlib", "translate", "run", "b_float.npy", "--direction", "b2a", "--out", "a_float.npy"], run)
    out = np.load(run / "a_float.npy")
    assert out.shape == (5, 28, 28, 3) and out.dtype == np.float32


def test_translate_grey_digits_keep_their_layout(run):
    digits = (np.random.default_rng(0).random((3, 28, 28)) * 255).astype(np.uint8)
    np.save(run / "grey.npy", digits)
    _run(["-m", "ganlib", "translate", "run", "grey.npy", "--direction", "b2a", "--out", "grey_out.npy"], run)
    out = np.load(run / "grey_out.npy")
    assert out.shape == (3, 28, 28) and out.dtype == np.uint8
    Image.fromarray(digits[0]).save(run / "digit.png")
    _run(["-m", "ganlib", "translate", "run", "digit.png", "--direction", "a2b", "--out", "on_photo.png"], run)
    assert np.asarray(Image.open(run / "on_photo.png")).shape == (28, 28, 3)


def test_translate_without_a_direction_says_what_to_do(run):
    np.save(run / "x.npy", np.zeros((1, 32, 32, 3), np.uint8))
    output = _run(["-m", "ganlib", "translate", "run", "x.npy", "--out", "y.npy"], run, expect=2)
    assert "--direction a2b or --direction b2a" in output


def test_cyclegan_refuses_a_paired_dataset(tmp_path):
    output = _run(["-m", "ganlib", "train", "cyclegan", "--dataset", "facades", "--out", "r"], tmp_path, expect=2)
    assert "not an unpaired dataset" in output


def test_pix2pix_refuses_an_unpaired_dataset(tmp_path):
    output = _run(["-m", "ganlib", "train", "pix2pix", "--dataset", "horse2zebra", "--out", "r"], tmp_path, expect=2)
    assert "has no pairs: train cyclegan on it" in output
