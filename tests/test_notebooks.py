"""Notebook hygiene: committed without outputs, and every lesson follows the course template."""

import json
import re
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


ROOT = Path(__file__).resolve().parent.parent
#: A row of the lesson list in notebook 00: a notebook's file name, or "NN · title (planned)".
_LISTED_FILE = re.compile(r"^\| `(\d\d_\w+\.ipynb)`")
_PLANNED = re.compile(r"^\| (\d\d) · [^|]+\(planned\) \|")


def _lesson_list():
    """The files and the planned lesson numbers that notebook 00's first cell lists, in its order."""
    header = "".join(_cells(ROOT / "notebooks" / "00_start_here.ipynb")[0]["source"])
    files, planned = [], []
    for line in header.splitlines():
        if match := _LISTED_FILE.match(line):
            files.append(match.group(1))
        elif match := _PLANNED.match(line):
            planned.append(match.group(1))
    return files, planned


def test_the_one_lesson_list_names_every_notebook_in_order_and_only_planned_lessons_without_one():
    files, planned = _lesson_list()
    assert files == [p.name for p in NOTEBOOKS], "notebook 00's list of lessons and the files in notebooks/ differ"
    numbers = [name[:2] for name in files] + planned
    assert numbers == [f"{n:02d}" for n in range(len(numbers))], f"lessons numbered 00, 01, … in order: {numbers}"
    assert not [p for p in NOTEBOOKS if p.name[:2] in planned], "a lesson listed as planned exists: list its file"


def test_no_second_list_of_lessons_elsewhere():
    """The README and the lessons point to notebook 00's list instead of keeping a copy that goes stale: no table
    row outside it names a lesson's file."""
    lesson_file = re.compile(r"\d\d_\w+\.ipynb")
    readme = (ROOT / "README.md").read_text()
    assert "notebooks/00_start_here.ipynb" in readme, "the README points to the list"
    copies = [line for line in readme.splitlines() if line.startswith("|") and lesson_file.search(line)]
    for path in NOTEBOOKS[1:]:
        copies += [line for cell in _cells(path) if cell["cell_type"] == "markdown"
                   for line in "".join(cell["source"]).splitlines() if line.startswith("|") and lesson_file.search(line)]
    assert not copies, f"a second table of lessons: {copies[:2]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_lesson_ends_by_naming_the_next_one(path):
    """No lesson says "more lessons will follow" when the next one exists: its last markdown cell names it, and
    the last lesson points to the list, which says what is planned."""
    files, _ = _lesson_list()
    position = files.index(path.name)
    following = files[position + 1] if position + 1 < len(files) else "00_start_here.ipynb"
    last = "".join([c for c in _cells(path) if c["cell_type"] == "markdown"][-1]["source"])
    assert "**Next**" in last and f"`{following}`" in last.split("**Next**")[-1], (
        f"{path.name} should end with a **Next** line naming `{following}`"
    )
