"""The checks of lesson 1 (GAN basics)'s exercises (the contract: :mod:`ganlib.exercises`)."""

from __future__ import annotations

import math

import numpy as np

from ganlib import losses
from ganlib.exercises.checking import FAKE_LOGITS as _FAKE
from ganlib.exercises.checking import REAL_LOGITS as _REAL
from ganlib.exercises.checking import as_float, call, close, not_attempted, todo


def check_discriminator_loss(fn) -> bool:
    """Exercise: the discriminator's cross-entropy loss from logits, ``fn(real_logits, fake_logits)``.

    Expected: ``½·[−mean log D(x) − mean log(1 − D(G(z)))]`` with ``D = sigmoid(logit)``.
    """
    if not_attempted(fn):
        return todo("write `my_discriminator_loss(real_logits, fake_logits)` and run this cell again.")
    got = call(fn, _REAL, _FAKE)
    if got is None:
        return todo("replace `raise NotImplementedError` in `my_discriminator_loss` with your code.")
    got = as_float(got)
    want = as_float(losses.non_saturating_discriminator_loss(_REAL, _FAKE))
    if not np.isfinite(got):
        raise AssertionError("Your loss is not finite. Hint: work from logits with softplus, or clip D away from 0 and 1.")
    if close(got, 2 * want):
        raise AssertionError("Twice the expected value: average the real and the fake halves (½ · (…)), don't add them.")
    if close(got, -want):
        raise AssertionError("The sign is flipped: D *maximises* log D(x) + log(1 − D(G(z))), so its loss is minus that.")
    real_only = as_float(losses.non_saturating_generator_loss(_REAL)) / 2
    if close(got, real_only) or close(got, 2 * real_only):
        raise AssertionError("Only the real half is there: add the term for the fakes, −log(1 − D(G(z))).")
    if not close(got, want):
        raise AssertionError(
            f"Expected {want:.4f} for the test logits, got {got:.4f}. Hint: D = sigmoid(logit); "
            "−log D = softplus(−logit) and −log(1 − D) = softplus(logit)."
        )
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.non_saturating_discriminator_loss.")
    return True


def check_generator_loss(fn) -> bool:
    """Exercise: the non-saturating generator loss from logits, ``fn(fake_logits) = −mean log D(G(z))``."""
    if not_attempted(fn):
        return todo("write `my_generator_loss(fake_logits)` and run this cell again.")
    got = call(fn, _FAKE)
    if got is None:
        return todo("replace `raise NotImplementedError` in `my_generator_loss` with your code.")
    got = as_float(got)
    want = as_float(losses.non_saturating_generator_loss(_FAKE))
    if close(got, as_float(losses.minimax_generator_loss(_FAKE))):
        raise AssertionError(
            "That is the minimax loss, mean log(1 − D(G(z))): it saturates when D rejects the fakes. "
            "The non-saturating generator *maximises* log D(G(z)) instead, i.e. minimises −log D(G(z))."
        )
    if close(got, -want):
        raise AssertionError("The sign is flipped: the generator minimises −log D(G(z)).")
    if not close(got, want):
        raise AssertionError(f"Expected {want:.4f} for the test logits, got {got:.4f}. Hint: −log sigmoid(f) = softplus(−f).")
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.non_saturating_generator_loss.")
    return True


def check_least_squares_discriminator_loss(fn) -> bool:
    """Exercise: the LSGAN discriminator loss, ``fn(real_logits, fake_logits)``.

    Expected: ``½·mean((D(x) − 1)²) + ½·mean(D(G(z))²)`` on the raw outputs (no sigmoid).
    """
    if not_attempted(fn):
        return todo("write `my_least_squares_d_loss(real_logits, fake_logits)` and run this cell again.")
    got = call(fn, _REAL, _FAKE)
    if got is None:
        return todo("replace `raise NotImplementedError` in `my_least_squares_d_loss` with your code.")
    got = as_float(got)
    want = as_float(losses.least_squares_discriminator_loss(_REAL, _FAKE))
    d_real, d_fake = 1 / (1 + np.exp(-_REAL)), 1 / (1 + np.exp(-_FAKE))
    with_sigmoid = 0.5 * np.mean((d_real - 1) ** 2) + 0.5 * np.mean(d_fake**2)
    if close(got, with_sigmoid):
        raise AssertionError("LSGAN takes the raw outputs (logits) — no sigmoid: the squares apply to D's raw output.")
    if close(got, 2 * want):
        raise AssertionError("Twice the expected value: each half has a factor ½.")
    if not close(got, want):
        raise AssertionError(f"Expected {want:.4f} for the test logits, got {got:.4f}. Targets: 1 for real, 0 for fake.")
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.least_squares_discriminator_loss.")
    return True


def check_optimal_discriminator(fn) -> bool:
    """Exercise: ``fn(p_data, p_model)`` returns the best possible discriminator ``D*(x)``, elementwise."""
    if not_attempted(fn):
        return todo("write `optimal_d(p_data, p_model)` and run this cell again.")
    p_data = np.array([0.1, 0.5, 0.3, 0.0, 0.2])
    p_model = np.array([0.3, 0.5, 0.1, 0.4, 0.0])
    got = call(fn, p_data, p_model)
    if got is None:
        return todo("replace `raise NotImplementedError` in `optimal_d` with your code.")
    got = np.asarray(got, dtype=np.float64)
    want = p_data / (p_data + p_model)
    if got.shape != want.shape:
        raise AssertionError(f"Expected one value per x, shape {want.shape}; got shape {got.shape}.")
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.allclose(got[:3], (p_data / p_model)[:3]):
            raise AssertionError("p_data / p_model is a ratio, not a probability: D must stay in [0, 1]. Normalise it.")
        if np.allclose(got, p_model / (p_data + p_model)):
            raise AssertionError("That is the probability of 'fake'. D(x) is the probability that x is *real*.")
    if not np.allclose(got, want, atol=1e-6):
        raise AssertionError(
            f"Expected {np.round(want, 3).tolist()}, got {np.round(got, 3).tolist()}. "
            "Hint: maximise p_data·log D + p_model·log(1 − D) for each x separately."
        )
    print("✅ Correct: D*(x) = p_data / (p_data + p_model). Where the two densities agree, D* = 1/2.")
    return True


def check_equilibrium_loss(value) -> bool:
    """Exercise: the value of both cross-entropy losses when ``D = 1/2`` everywhere (``log 2``)."""
    if not_attempted(value):
        return todo("set `equilibrium_loss` to a number and run this cell again.")
    value = float(value)
    if close(value, 0.5, tol=1e-2):
        raise AssertionError("0.5 is D's *output* at equilibrium. The loss is −log of it.")
    if close(value, 2 * math.log(2), tol=1e-2):
        raise AssertionError("log 4 is the sum of the two halves; the course averages them. Halve it.")
    if not close(value, math.log(2), tol=1e-2):
        raise AssertionError("Not quite. Hint: −log(1/2) = ?")
    print("✅ Correct: −log(1/2) = log 2 ≈ 0.693, the dashed line on the loss plots.")
    return True


def check_missing_digits(answer, shares, threshold: float = 0.05) -> bool:
    """Exercise: from class shares (``metrics.class_coverage``), list the digits under ``threshold``."""
    if not_attempted(answer):
        return todo("set `rare_digits` to a list of digits (possibly empty) and run this cell again.")
    want = sorted(int(d) for d in np.flatnonzero(np.asarray(shares) < threshold))
    try:
        got = sorted(int(d) for d in answer)
    except TypeError:
        raise AssertionError("Expected a list of digits, e.g. [3, 8] or [].") from None
    if got != want:
        raise AssertionError(
            f"Not quite: {got}. Look for the digits whose share is below {threshold:.0%} "
            "(a uniform generator would give each digit about 10%)."
        )
    print(f"✅ Correct: {want if want else 'no digit'} below {threshold:.0%}.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
