"""Kept for notebooks that still import it: the checks now live in :mod:`ganlib.exercises.lesson05`."""

from ganlib.exercises.lesson05 import *  # noqa: F401,F403
