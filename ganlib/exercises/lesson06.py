"""The checks of lesson 6 (your own pictures)'s exercises (the contract: :mod:`ganlib.exercises`)."""

from __future__ import annotations

from ganlib.exercises.checking import call, not_attempted, todo


def check_centre_square(fn) -> bool:
    """Exercise (lesson 06): ``fn(width, height)`` gives the ``(left, top, right, bottom)`` pixel box of the
    largest centred square of a picture, the part ``fit="crop"`` keeps (an odd margin rounds down on the
    left/top)."""
    if not_attempted(fn):
        return todo("write `centre_square(width, height)` and run this cell again.")
    cases = [(60, 20), (20, 60), (64, 64), (61, 20), (640, 480)]
    got = [call(fn, width, height) for width, height in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `centre_square` with your code.")
    got = [tuple(int(v) for v in value) for value in got]
    want = []
    for width, height in cases:
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        want.append((left, top, left + side, top + side))
    if got[0] == (0, 0, 20, 20):
        raise AssertionError("That square sits in the top-left corner: move it to the middle by half the margin.")
    if got[0][2] - got[0][0] == 60:
        raise AssertionError("The square's side is the *shorter* side of the picture, or it would not fit.")
    if got[0][2:] == (20, 20) or got[0] == (20, 0, 20, 20):
        raise AssertionError("Pillow boxes are (left, top, right, bottom): right = left + side, bottom = top + side.")
    if got != want:
        raise AssertionError(f"For (width, height) = {cases} expected {want}, got {got}.")
    print(f"✅ Correct: a 640×480 photo keeps {want[-1]}, the middle 480×480.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
