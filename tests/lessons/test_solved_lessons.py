"""Every lesson with exercises, run as its instructor's copy (each exercise cell replaced by its solution) in
smoke mode: it runs top to bottom, every piece the lesson trains is the learner's (each ``exercises.use``
prints ``using your `NAME```), and no check is left "not attempted".

``make notebooks`` runs these after the committed lessons (``pytest --nbval-lax notebooks``), where every
exercise is open and every piece falls back to ganlib's.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ganlib.exercises import notebook as exercise_notebook

pytestmark = pytest.mark.lesson

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
WITH_EXERCISES = [p for p in NOTEBOOKS if exercise_notebook.exercise_cells(json.loads(p.read_text()))]

#: Seconds a cell may take in smoke mode before the run counts as hung.
CELL_TIMEOUT = 900


def _text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append("\n".join(output.get("traceback", [])))
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_the_solved_lesson_trains_the_learners_pieces(path, tmp_path):
    assert os.environ.get("GANLIB_SMOKE") == "1", "run with GANLIB_SMOKE=1 (make notebooks does)"
    solved = tmp_path / path.name
    exercise_notebook.write_solved(path, solved)
    notebook = nbformat.read(solved, as_version=4)
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    uses = sum(len(re.findall(r"\bexercises\.use\(", "".join(c.source))) for c in notebook.cells if c.cell_type == "code")
    text = "\n".join(_text_of(c) for c in notebook.cells if c.cell_type == "code")
    used = re.findall(r"^using your `[^`]+`$", text, flags=re.M)
    assert uses, f"{path.name} has exercise cells but trains none of them through exercises.use"
    assert len(used) == uses, f"{path.name}: {uses} exercises.use calls, {len(used)} 'using your' lines: {used}"
    assert "your exercise is not done yet" not in text
    assert "Not attempted yet" not in text
