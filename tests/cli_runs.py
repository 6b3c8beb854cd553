"""Helpers for tests that run the command line: in this process (fast: TensorFlow is already started) or in a fresh
Python process (for what must hold in a process that trained nothing, such as loading saved models)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from ganlib import cli

ROOT = Path(__file__).resolve().parents[1]


def run_in_process(argv, folder):
    """``python -m ganlib ARGV`` run as ``cli.main(ARGV)`` in ``folder``, offline with its own data folder; return
    ``(exit code, stdout, stderr)``."""
    out, err = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as mp,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        warnings.catch_warnings(record=True) as caught,
    ):
        _python_default_warning_filters()  # what a fresh process would show (pytest's own filters show more)
        mp.chdir(folder)
        mp.setenv("GANLIB_OFFLINE", "1")
        mp.setenv("GANLIB_DATA_DIR", str(Path(folder) / "data"))
        mp.delenv("GANLIB_SMOKE", raising=False)
        try:
            code = cli.main([str(arg) for arg in argv])
        except SystemExit as exit_:  # argparse's errors
            code = exit_.code
    # A warning goes to a process's stderr: so here too, after what the command wrote (a one-line error stays one
    # line only if nothing else was said).
    shown = "".join(warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line) for w in caught)
    return code, out.getvalue(), err.getvalue() + shown


def _python_default_warning_filters():
    """Python's filters at start-up (without -W or PYTHONWARNINGS): each warning once per place, but deprecations
    only from ``__main__``, and never pending deprecations, import or resource warnings."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def in_process(argv, folder, expect=0):
    """:func:`run_in_process`, checking the exit code is ``expect``; return ``(stdout, stderr)``."""
    code, out, err = run_in_process(argv, folder)
    assert code == expect, f"{argv}:\n{out[-2000:]}\n{err[-3000:]}"
    return out, err


def fresh_process(args, folder, stderr=False):
    """``python ARGS`` in a new process in ``folder``, offline, ``ganlib`` importable; check it succeeds and return
    its stdout (``(stdout, stderr)`` if ``stderr``)."""
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "GANLIB_DATA_DIR": str(Path(folder) / "data")}
    env.pop("GANLIB_SMOKE", None)
    result = subprocess.run([sys.executable, *map(str, args)], cwd=folder, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"{args}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return (result.stdout, result.stderr) if stderr else result.stdout
