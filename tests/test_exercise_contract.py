"""The exercise contract (ganlib.exercises): `use` picks the learner's piece or ganlib's and says which; the
instructor's copy replaces every exercise cell by its folded solution; every lesson keeps the contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ganlib import exercises, losses
from ganlib.exercises import notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _check_doubles(fn):
    """A made-up check: accepts a function that doubles, rejects one that does not, 'to do' if unwritten."""
    try:
        value = fn(2)
    except NotImplementedError:
        print("⏳ Not attempted yet: write `double`.")
        return False
    assert value == 4, "Expected 4 for 2."
    print("✅ Correct")
    return True


def test_use_trains_the_learners_piece_once_its_check_passes(capsys):
    def double(x):
        return 2 * x

    assert exercises.use(double, _check_doubles, losses.non_saturating_generator_loss) is double
    assert capsys.readouterr().out.splitlines() == ["✅ Correct", "using your `double`"]


def test_use_falls_back_to_ganlibs_piece_while_the_exercise_is_open(capsys):
    def double(x):
        raise NotImplementedError

    assert exercises.use(double, _check_doubles, losses.non_saturating_generator_loss) is losses.non_saturating_generator_loss
    assert capsys.readouterr().out.splitlines()[-1] == (
        "using ganlib's `losses.non_saturating_generator_loss` (your exercise is not done yet)"
    )


def test_use_lets_a_wrong_answer_stop_the_lesson_with_its_hint():
    with pytest.raises(AssertionError, match="Expected 4"):
        exercises.use(lambda x: x + 1, _check_doubles, losses.non_saturating_generator_loss)


def _cell(kind, source, tags=()):
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _lesson(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_the_solved_copy_replaces_each_exercise_cell_by_the_solution_after_it(tmp_path):
    lesson = _lesson(
        _cell("code", "x = 1"),
        _cell("code", "def double(x):\n    raise NotImplementedError\n", tags=["exercise"]),
        _cell("code", "exercises.use(double, check, reference)"),
        _cell("markdown", "Text.\n<details><summary>Solution</summary>\n\n```python\ndef double(x):\n    return 2 * x\n```\n"
                          "Then try …\n</details>\n\n<details><summary>Solution</summary>\n\n```python\nwrong = 0\n```\n</details>"),
        _cell("code", "def half(x):\n    raise NotImplementedError", tags=["exercise", "other"]),
        _cell("markdown", "<details><summary>Solution (one way)</summary>\n\n```python\nhalf = lambda x: x / 2\n```\n</details>"),
    )
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(lesson))
    result = subprocess.run([sys.executable, "-m", "ganlib.exercises", "solved", str(path), "--out", str(tmp_path / "s.ipynb")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 exercise cells replaced" in result.stdout
    cells = json.loads((tmp_path / "s.ipynb").read_text())["cells"]
    assert "".join(cells[1]["source"]) == "def double(x):\n    return 2 * x"
    assert "".join(cells[4]["source"]) == "half = lambda x: x / 2"
    assert cells[4]["metadata"]["tags"] == ["exercise", "other"]
    for i in (0, 2, 3, 5):
        assert cells[i]["source"] == lesson["cells"][i]["source"]


def test_an_exercise_without_a_solution_is_refused_in_one_line(tmp_path):
    lesson = _lesson(_cell("code", "raise NotImplementedError", tags=["exercise"]), _cell("markdown", "no solution"))
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(lesson))
    result = subprocess.run([sys.executable, "-m", "ganlib.exercises", "solved", str(path), "--out", str(tmp_path / "s.ipynb")],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "exercise cell 0 has no folded solution" in result.stderr
    assert not (tmp_path / "s.ipynb").exists()
    result = subprocess.run([sys.executable, "-m", "ganlib.exercises", "solved", str(path), "--out", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "the lesson itself" in result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_cell_is_open_and_has_a_solution(path):
    lesson = json.loads(path.read_text())
    for index in notebook.exercise_cells(lesson):
        source = "".join(lesson["cells"][index]["source"])
        assert "raise NotImplementedError" in source, f"{path.name}: exercise cell {index} is not open"
        solution = notebook.solution_of(lesson, index)
        assert "NotImplementedError" not in solution, f"{path.name}: the solution of cell {index} is still open"
        compile(solution, f"{path.name}[{index}] solution", "exec")
