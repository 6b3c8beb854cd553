"""What every exercise check shares: telling "not attempted" from "wrong", comparing numbers, and :func:`use`.

A check is a function ``check(answer) -> bool`` that

* prints what to do and returns ``False`` when the exercise is not attempted yet (the answer is ``None``,
  ``...``, or a function that raises ``NotImplementedError``), so a lesson with open exercises still runs
  from top to bottom;
* raises :class:`ExerciseError` (an ``AssertionError``) with a hint aimed at the usual mistake when the answer
  is wrong: a notebook shows the hint alone, without the traceback through the check's code;
* prints a short confirmation and returns ``True`` when it is right, whichever correct form it takes.
"""

from __future__ import annotations

import os
import sys
import traceback

import numpy as np

#: Fixed logits the loss checks feed to the learner's function (hand-checkable: a few round numbers).
REAL_LOGITS = np.array([2.0, -1.0, 0.5, 0.0, 3.0], dtype=np.float32)
FAKE_LOGITS = np.array([-3.0, 0.0, 1.0, -0.5, 0.25], dtype=np.float32)


class ExerciseError(AssertionError):
    """A wrong answer: the message is the check's hint.

    An ``AssertionError``, so tests can expect one; in a notebook IPython renders it with
    :meth:`_render_traceback_`, which shows the hint alone instead of a traceback through the check's code
    (whose lines would show the hints for other mistakes before the one that matters).
    """

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[1;31m❌ Not yet:\x1b[0m {self}"]


#: Where the library's own frames live: a traceback's frames outside these are the learner's.
_LIBRARY_PATHS = tuple(
    os.path.dirname(os.path.dirname(path)) + os.sep
    for path in (os.path.abspath(__file__), os.path.abspath(traceback.__file__))
)


def learner_error(error: BaseException) -> str:
    """``error`` as one line for a hint, with the line of the learner's code that raised it when there is one:
    ``NameError: name 'seed' is not defined (in `build`, line 17: `seed = seed + 1`)``."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    where = ""
    frames = [
        frame for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(_LIBRARY_PATHS) and "-packages" + os.sep not in frame.filename
    ]
    if frames:
        frame = frames[-1]
        code = f": `{frame.line.strip()}`" if frame.line and frame.line.strip() else ""
        where = f" (in `{frame.name}`, line {frame.lineno}{code})"
    return f"{type(error).__name__}: {message[:300]}{where}"


def not_attempted(answer) -> bool:
    """Whether ``answer`` is a placeholder (``None`` or ``...``)."""
    return answer is None or answer is Ellipsis


def todo(what: str) -> bool:
    """Print what is left to do; return ``False`` (the check's "not attempted yet")."""
    print(f"⏳ Not attempted yet: {what}")
    return False


def call(fn, *args, **kwargs):
    """Call the learner's function; ``None`` means "not attempted" (it raised ``NotImplementedError``)."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        return None


def as_float(result) -> float:
    """A scalar result (NumPy, TensorFlow or Python) as a Python float."""
    return float(np.asarray(result, dtype=np.float64))


def close(a, b, tol: float = 1e-4) -> bool:
    """Whether ``a`` and ``b`` agree to ``tol``, relative to ``b`` (absolute below 1)."""
    return abs(a - b) <= tol * max(1.0, abs(b))


def name_of(piece) -> str:
    """How a lesson names a piece in its "using …" line: ``losses.hinge_generator_loss`` for ganlib's own
    (the module path below ``ganlib.``), the function's name for the learner's."""
    module = getattr(piece, "__module__", "") or ""
    if module.startswith("ganlib."):
        name = getattr(piece, "__qualname__", None) or getattr(piece, "__name__", None) or type(piece).__name__
        parts = module.split(".")
        for end in range(2, len(parts) + 1):  # the shortest path that reaches it: losses.x, not losses.adversarial.x
            package = sys.modules.get(".".join(parts[:end]))
            if package is not None and getattr(package, name, None) is piece:
                return ".".join([*parts[1:end], name])
        return f"{module.removeprefix('ganlib.')}.{name}"
    return getattr(piece, "__name__", None) or type(piece).__name__


def use(answer, check, reference):
    """The piece a lesson trains with: the learner's ``answer`` once ``check`` accepts it, else ganlib's.

    Runs ``check(answer)`` and prints one line after the check's own:

    * ``using your `NAME``` — the check passed: the lesson goes on with ``answer``;
    * ``using ganlib's `NAME` (your exercise is not done yet)`` — not attempted: the lesson goes on with
      ``reference``, so it runs from top to bottom either way.

    A wrong answer raises the check's ``AssertionError`` (its hint says what to fix); nothing trains with it.

    Args:
        answer: the learner's function (or layer, or value) from the exercise cell.
        check: the exercise's check (e.g. :func:`ganlib.exercises.lesson01.check_discriminator_loss`).
        reference: ganlib's piece with the same signature.

    Returns:
        ``answer`` or ``reference``.
    """
    if check(answer):
        print(f"using your `{name_of(answer)}`")
        return answer
    print(f"using ganlib's `{name_of(reference)}` (your exercise is not done yet)")
    return reference
