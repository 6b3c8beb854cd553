"""Argument checks shared across ganlib, with Keras-style messages."""

from __future__ import annotations

import math
import numbers
import os
import tempfile
from pathlib import Path

import numpy as np

#: NumPy's legacy seeding (``np.random.seed``) takes 32-bit seeds.
MAX_SEED = 2**32 - 1


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def positive_int(name: str, value) -> int:
    """Return ``value`` as an int if it is an integer > 0, else raise ``ValueError`` naming the argument."""
    if not _is_int(value) or value <= 0:
        raise ValueError(f"Expected `{name}` > 0. Received: {name}={value!r}")
    return int(value)


def seed(value, allow_none: bool = False) -> int | None:
    """Return ``value`` as an int if it is a valid seed (an integer >= 0; ``None`` when allowed)."""
    if value is None and allow_none:
        return None
    if not _is_int(value) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"Expected `seed` to be an int in 0..{MAX_SEED}. Received: seed={value!r}")
    return int(value)


def image_shape(value) -> tuple[int, int, int]:
    """Return ``value`` as an ``(height, width, channels)`` tuple of positive ints."""
    try:
        shape = tuple(value)
    except TypeError:
        shape = ()
    if len(shape) != 3 or not all(_is_int(d) and d > 0 for d in shape):
        raise ValueError(
            f"Expected `image_shape` as (height, width, channels) of positive ints. Received: image_shape={value!r}"
        )
    return tuple(int(d) for d in shape)


def units(name: str, value) -> tuple[int, ...]:
    """Return ``value`` as a non-empty tuple of positive ints (layer widths)."""
    shape = tuple(value) if isinstance(value, (list, tuple)) else (value,)
    if not shape or not all(_is_int(d) and d > 0 for d in shape):
        raise ValueError(f"Expected `{name}` as a non-empty sequence of ints > 0. Received: {name}={value!r}")
    return tuple(int(d) for d in shape)


def fraction(name: str, value, upper_inclusive: bool = False) -> float:
    """Return ``value`` if it is a number in [0, 1) (or [0, 1] with ``upper_inclusive``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and 0 <= value and (value <= 1 if upper_inclusive else value < 1)
    if not ok:
        bracket = "]" if upper_inclusive else ")"
        raise ValueError(f"Expected `{name}` in [0, 1{bracket}. Received: {name}={value!r}")
    return float(value)


def seed_stream(seed: int | None):
    """Return a function giving ``seed, seed + 1, ...`` on each call (``None`` forever if ``seed`` is None).

    Each initialiser and dropout layer takes its own seed from it, so a seeded builder is repeatable.
    """
    counter = iter(range(seed, seed + 10**6)) if seed is not None else None
    return lambda: next(counter) if counter is not None else None


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def finite_number(name: str, value, minimum: float | None = None, maximum: float | None = None) -> float:
    """Return ``value`` as a float if it is a finite number (NumPy scalars included) within the bounds."""
    if not _is_real(value) or not math.isfinite(value):
        raise ValueError(f"Expected `{name}` to be a finite number. Received: {name}={value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"Expected `{name}` >= {minimum:g}. Received: {name}={value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"Expected `{name}` <= {maximum:g}. Received: {name}={value!r}")
    return float(value)


def positive_number(name: str, value) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (NumPy scalars included)."""
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"Expected `{name}` to be a finite number > 0. Received: {name}={value!r}")
    return float(value)


def finite_values(name: str, array) -> None:
    """Raise ``ValueError`` if a float ``array`` holds NaN or infinite values (say how many)."""
    array = np.asarray(array)
    if np.issubdtype(array.dtype, np.inexact):
        bad = array.size - int(np.count_nonzero(np.isfinite(array)))
        if bad:
            raise ValueError(
                f"Expected `{name}` with finite values. Received: {bad:,} of its {array.size:,} values are NaN or infinite"
            )


def available_memory() -> int | None:
    """Bytes of memory available to new allocations (Linux ``MemAvailable``), or ``None`` where unknown."""
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def gib(nbytes: float) -> str:
    """``nbytes`` as text in GiB (or MiB below 1 GiB)."""
    return f"{nbytes / 2**30:,.1f} GiB" if nbytes >= 2**30 else f"{nbytes / 2**20:,.1f} MiB"


def fits_in_memory(what: str, nbytes: int, received: str) -> None:
    """Raise ``ValueError`` if ``nbytes`` (an estimate for ``what``) exceed the memory available now."""
    free = available_memory()
    if free is not None and nbytes > free:
        raise ValueError(
            f"Expected {what} to fit in memory ({gib(free)} available). "
            f"Received: {received}, which needs about {gib(nbytes)}"
        )


def writable_folder(name: str, folder) -> Path:
    """Check that files can be created in ``folder`` (or, if it does not exist yet, that it can be made).

    The check creates and removes one empty file in the nearest existing folder: it works for root too
    (a read-only file system, a path under a regular file) and leaves nothing behind.
    """
    folder = Path(folder)
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        where = "is" if existing == folder else f"is under {existing}, which is"
        raise ValueError(f"Expected `{name}` to be a folder. Received: {name}={str(folder)!r} {where} a file")
    try:
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".ganlib-write-test-")
        os.close(handle)
        os.remove(probe)
    except OSError as error:
        raise ValueError(
            f"Expected `{name}` in a folder you can write to. Received: {name}={str(folder)!r} "
            f"({existing}: {error.strerror or error})"
        ) from None
    return folder
