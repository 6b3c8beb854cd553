"""Notebook hygiene: committed without outputs, and every lesson follows the course template."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _cells(path):
    return json.loads(path.read_text())["cells"]


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:2] == ["00_start_here.ipynb", "01_gan_basics_mnist.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_or_execution_counts(path):
    dirty = [
        index
        for index, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; strip them (e.g. `jupyter nbconvert --clear-output`)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_follows_the_lesson_template(path):
    cells = _cells(path)
    header = "".join(cells[0]["source"])
    assert header.startswith("# "), "the first cell is the title"
    for needed in ("Goals", "Prerequisites", "run time"):
        assert needed in header, f"{path.name}: the header lacks '{needed}'"
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "SMOKE = config.SMOKE" in code[0], "the first code cell is the settings cell, with smoke mode"
    assert "import *" not in "\n".join(code), "import ganlib by module, never with a star import"
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "Exercise" in markdown, f"{path.name}: a lesson ends with exercises"


def write_60k_mnist(path):
    """A Keras-layout ``mnist.npz`` of 60,000 training digits: the 5,000 bundled ones, each shifted by up to
    two pixels in 12 ways (the online learner's data size, built offline)."""
    import numpy as np

    from ganlib import data

    images, labels = data.mnist._bundled_mnist()
    shifts = [(0, 0), (0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1), (0, 2), (2, 0), (0, -2)]
    x_train = np.concatenate([np.roll(images, shift, axis=(1, 2)) for shift in shifts])
    y_train = np.tile(labels, len(shifts)).astype(np.uint8)
    x_test = np.concatenate([np.roll(images, shift, axis=(1, 2)) for shift in ((2, 2), (-2, -2))])
    y_test = np.tile(labels, 2).astype(np.uint8)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return len(x_train)


@pytest.mark.slow
def test_every_notebook_runs_in_smoke_mode_on_60000_digits(tmp_path):
    """The online learner's 60,000 digits (from GANLIB_MNIST_FILE): every lesson still runs, and says so."""
    import os
    import subprocess
    import sys

    mnist = tmp_path / "mnist.npz"
    assert write_60k_mnist(mnist) == 60_000
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "GANLIB_MNIST_FILE": str(mnist),
        "GANLIB_SMOKE": "1",
        "GANLIB_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    for path in NOTEBOOKS:
        executed = tmp_path / path.name
        done = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(path),
             "--output", str(executed), "--ExecutePreprocessor.timeout=600"],
            env=env, cwd=tmp_path, capture_output=True, text=True,
        )
        assert done.returncode == 0, f"{path.name} failed on 60,000 digits:\n{done.stderr[-3000:]}"
        text = "\n".join(
            "".join(output.get("text", ""))
            for cell in _cells(executed) if cell["cell_type"] == "code" for output in cell.get("outputs", [])
        )
        if path.name.startswith(("00", "01", "02")):
            assert f"MNIST source: the local file {mnist} (60,000 train digits" in text, path.name
