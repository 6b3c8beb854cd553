"""The lessons' exercises: the learner writes a piece, a check accepts it, and the lesson trains with it.

The contract every lesson follows:

1. **The exercise cell** (notebook cell tag ``exercise``) holds the piece's signature and docstring and
   ``raise NotImplementedError``: a loss, a block, a network, a penalty, a training step.
2. **Its check** (one module per lesson: :mod:`ganlib.exercises.lesson01` …) feeds it fixed inputs and
   compares with hand-computed values (for layers and networks also the output shape, the parameter count
   and the training vs inference behaviour), names the usual mistakes in its hints, and accepts *any* correct
   form. See :mod:`ganlib.exercises.checking` for what a check returns.
3. **The lesson trains the learner's piece** through :func:`use`::

       d_loss_fn = exercises.use(discriminator_loss, exercises.lesson01.check_discriminator_loss,
                                 losses.non_saturating_discriminator_loss)

   which prints ``using your `discriminator_loss``` once the check passes, else ``using ganlib's
   `losses.non_saturating_discriminator_loss` (your exercise is not done yet)`` and goes on with ganlib's
   piece, so the lesson runs from top to bottom either way.
4. **The solution** follows, folded (``<details><summary>Solution</summary>`` and a ```` ```python ````
   block) in the next markdown cells.
5. **The instructor's copy**: ``python -m ganlib.exercises solved NOTEBOOK --out PATH`` writes the notebook
   with every exercise cell replaced by its solution (:mod:`ganlib.exercises.notebook`).

Every check is also importable from here (``exercises.check_discriminator_loss``).
"""

from __future__ import annotations

import importlib

from ganlib.exercises.checking import use  # noqa: F401

#: The lesson modules, in order (imported on first use: ``python -m ganlib.exercises`` needs no TensorFlow).
LESSONS = ("lesson01", "lesson02", "lesson03", "lesson04", "lesson05", "lesson06", "lesson07", "lesson08")


def __getattr__(name: str):
    """``exercises.lesson01`` and every lesson's ``exercises.check_…``, imported when first asked for."""
    if name in LESSONS:
        return importlib.import_module(f"ganlib.exercises.{name}")
    if name.startswith("check_"):
        for lesson in LESSONS:
            module = importlib.import_module(f"ganlib.exercises.{lesson}")
            if name in getattr(module, "__all__", ()):
                return getattr(module, name)
    raise AttributeError(f"module 'ganlib.exercises' has no attribute {name!r}")


def __dir__():
    names = set(globals()) | set(LESSONS)
    for lesson in LESSONS:
        names |= set(getattr(importlib.import_module(f"ganlib.exercises.{lesson}"), "__all__", ()))
    return sorted(names)
