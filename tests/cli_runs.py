"""Helpers for tests that run the command line: in this process (fast: TensorFlow is already started) or in a fresh
Python process (for what must hold in a process that trained nothing, such as loading saved models)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganlib import cli

ROOT = Path(__file__).resolve().parents[1]


def run_in_process(argv, folder):
    """``python -m ganlib ARGV`` run as ``cli.main(ARGV)`` in ``folder``, offline with its own data folder; return
    ``(exit code, stdout, stderr)``."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        mp.chdir(folder)
        mp.setenv("GANLIB_OFFLINE", "1")
        mp.setenv("GANLIB_DATA_DIR", str(Path(folder) / "data"))
        mp.delenv("GANLIB_SMOKE", raising=False)
        try:
            code = cli.main([str(arg) for arg in argv])
        except SystemExit as exit_:  # argparse's errors
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def in_process(argv, folder, expect=0):
    """:func:`run_in_process`, checking the exit code is ``expect``; return ``(stdout, stderr)``."""
    code, out, err = run_in_process(argv, folder)
    assert code == expect, f"{argv}:\n{out[-2000:]}\n{err[-3000:]}"
    return out, err


def fresh_process(args, folder):
    """``python ARGS`` in a new process in ``folder``, offline, ``ganlib`` importable; check it succeeds and return
    its stdout."""
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "GANLIB_DATA_DIR": str(Path(folder) / "data")}
    env.pop("GANLIB_SMOKE", None)
    result = subprocess.run([sys.executable, *map(str, args)], cwd=folder, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"{args}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout
