"""Argument checks shared across ganlib, with Keras-style messages."""

from __future__ import annotations

import numbers


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
    if not _is_int(value) or value < 0:
        raise ValueError(f"Expected `seed` to be a non-negative int. Received: seed={value!r}")
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
