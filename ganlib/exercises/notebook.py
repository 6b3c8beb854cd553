"""The instructor's copy of a lesson: every ``exercise`` cell replaced by its folded solution.

    python -m ganlib.exercises solved notebooks/01_gan_basics_mnist.ipynb --out solved/01.ipynb

An exercise cell is a code cell tagged ``exercise`` (JupyterLab: the property inspector's *Cell Tags*). Its
solution is the first ```` ```python ```` block inside a ``<details><summary>Solution</summary> … </details>``
of the markdown cells after it (before the next exercise cell); it replaces the whole cell, so the cell holds
only what the learner writes, and the line that checks and uses it comes in the next cell.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

#: The tag of an exercise cell.
TAG = "exercise"

_DETAILS = re.compile(r"<details>\s*<summary>\s*Solution[^<]*</summary>(.*?)</details>", re.S)
_PYTHON = re.compile(r"```python[ \t]*\n(.*?)```", re.S)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def exercise_cells(notebook: dict) -> list[int]:
    """The indices of ``notebook``'s exercise cells (code cells tagged ``exercise``)."""
    return [
        index
        for index, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and TAG in cell.get("metadata", {}).get("tags", [])
    ]


def solution_of(notebook: dict, index: int) -> str:
    """The folded solution of the exercise cell ``index``: the first Python block of the first solution
    ``<details>`` in the markdown cells after it, before the next exercise cell.

    Raises:
        ValueError: there is none.
    """
    later = exercise_cells(notebook)
    stop = next((i for i in later if i > index), len(notebook["cells"]))
    for cell in notebook["cells"][index + 1 : stop]:
        if cell["cell_type"] != "markdown":
            continue
        for details in _DETAILS.finditer(_source(cell)):
            code = _PYTHON.search(details.group(1))
            if code:
                return code.group(1).rstrip("\n")
    raise ValueError(
        f"The exercise cell {index} has no folded solution after it: add a markdown cell with "
        "<details><summary>Solution</summary> and a ```python block before the next exercise."
    )


def _as_lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def solved(notebook: dict) -> dict:
    """A copy of ``notebook`` with every exercise cell's source replaced by its solution (outputs cleared)."""
    copied = copy.deepcopy(notebook)
    for index in exercise_cells(copied):
        cell = copied["cells"][index]
        cell["source"] = _as_lines(solution_of(copied, index))
        cell["outputs"], cell["execution_count"] = [], None
    return copied


def write_solved(path, out) -> Path:
    """Write the instructor's copy of the notebook at ``path`` to ``out``; return ``out``."""
    path, out = Path(path), Path(out)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    try:
        result = solved(notebook)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    if not exercise_cells(notebook):
        raise ValueError(f"{path} has no exercise cells (code cells tagged {TAG!r}): nothing to solve.")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out
