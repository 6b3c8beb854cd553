"""Notebook hygiene: committed without outputs, and every lesson follows the course template."""

import json
from pathlib import Path

import numpy as np
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


def test_the_notebooks_60000_digit_file_reads_as_the_online_learners_data(tmp_path, monkeypatch, capsys):
    """``make notebooks`` runs every lesson on this file (``tests/mnist_60000.py``) through GANLIB_MNIST_FILE."""
    from mnist_60000 import write_60k_mnist

    from ganlib import data

    path = tmp_path / "mnist.npz"
    assert write_60k_mnist(path) == 60_000
    monkeypatch.setenv("GANLIB_MNIST_FILE", str(path))
    images, labels = data.load_mnist()
    assert images.shape == (60_000, 28, 28) and np.bincount(labels).tolist() == [6_000] * 10
    assert f"MNIST source: the local file {path} (60,000 train digits" in capsys.readouterr().out
