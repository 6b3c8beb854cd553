"""Kept for notebooks that still import it: the checks now live in :mod:`ganlib.exercises.lesson04`."""

from ganlib.exercises.lesson04 import *  # noqa: F401,F403
