"""The checks of lesson 1 (GAN basics)'s exercises (the contract: :mod:`ganlib.exercises`).

In the order the lesson teaches them: the players (:func:`check_mlp_generator`, :func:`check_mlp_discriminator`),
the losses (:func:`check_discriminator_loss`, :func:`check_generator_loss`), one training step with two
gradient tapes (:func:`check_train_step`); then the questions of its last section. The checks of the players
and the step live in :mod:`ganlib.exercises._lesson01_players`.
"""

from __future__ import annotations

import math

import numpy as np

from ganlib import losses
from ganlib.exercises._lesson01_players import check_mlp_discriminator, check_mlp_generator, check_train_step  # noqa: F401
from ganlib.exercises.checking import FAKE_LOGITS as _FAKE
from ganlib.exercises.checking import REAL_LOGITS as _REAL
from ganlib.exercises.checking import ExerciseError, as_float, call, close, not_attempted, todo


def _bce(logits, target: float) -> float:
    """Mean binary cross-entropy of ``logits`` against ``target``: t·softplus(−ℓ) + (1 − t)·softplus(ℓ)."""
    logits = np.asarray(logits, dtype=np.float64)
    return float(np.mean(target * np.logaddexp(0, -logits) + (1 - target) * np.logaddexp(0, logits)))


#: Logits far from 0, where D = sigmoid(ℓ) rounds to 0 or 1 in float32: −log D(x) for ℓ = −200 is 200, but
#: log(sigmoid(−200)) = log 0 = −inf. softplus(200) = 200 and softplus(0) = log 2, so each loss is (200 + log 2)/2.
_FAR_REAL = np.array([-200.0, 0.0], dtype=np.float32)
_FAR_FAKE = np.array([200.0, 0.0], dtype=np.float32)
_FAR_LOSS = (200.0 + math.log(2)) / 2  # 100.3466


def _check_far_logits(compute, called: str, meaning: str) -> None:
    """The loss at logits ±200 (see ``_FAR_LOSS``): finite and exact, as softplus gives it."""
    with np.errstate(all="ignore"):  # NumPy's log 0 warns before it returns −inf: the hint says it
        got = as_float(compute())
    if not np.isfinite(got):
        raise ExerciseError(
            f"{called} gave {got}: at such logits ({meaning}) sigmoid(ℓ) rounds to 0 or 1 in float32, and the "
            "log of 0 is −inf. "
            "Work from the logits: −log sigmoid(ℓ) = softplus(−ℓ) and −log(1 − sigmoid(ℓ)) = softplus(ℓ) "
            "(tf.nn.softplus), which never take the log of 0."
        )
    if not close(got, _FAR_LOSS):
        raise ExerciseError(
            f"{called} gave {got:.4f}, expected (softplus(200) + softplus(0)) / 2 = {_FAR_LOSS:.4f}: clipping D "
            "away from 0 and 1 keeps the loss finite but caps it (−log 1e-7 ≈ 16). Work from the logits with "
            "softplus, which is exact: −log sigmoid(ℓ) = softplus(−ℓ)."
        )


def check_discriminator_loss(fn) -> bool:
    """Exercise: the discriminator's loss from logits with one-sided label smoothing,
    ``fn(real_logits, fake_logits, label_smoothing=0.0)``.

    Expected: ``½·[BCE(real_logits, 1 − ε) + BCE(fake_logits, 0)]`` with ``BCE(ℓ, t) = mean[t·softplus(−ℓ) +
    (1 − t)·softplus(ℓ)]`` (D = sigmoid(ℓ), ε = ``label_smoothing``): the real target is ``1 − ε``, the fake
    target stays 0; finite for logits far from 0 too.
    """
    if not_attempted(fn):
        return todo("write `discriminator_loss(real_logits, fake_logits, label_smoothing=0.0)` and run this cell again.")
    got = call(fn, _REAL, _FAKE)
    if got is None:
        return todo("replace `raise NotImplementedError` in `discriminator_loss` with your code.")
    got = as_float(got)
    # By hand, on the test logits r = [2, −1, 0.5, 0, 3] and f = [−3, 0, 1, −0.5, 0.25]:
    #   softplus(−r) = [0.1269, 1.3133, 0.4741, 0.6931, 0.0486], mean 0.5312 (−log D(x))
    #   softplus(r)  = [2.1269, 0.3133, 0.9741, 0.6931, 3.0486], mean 1.4312 (−log(1 − D(x)))
    #   softplus(f)  = [0.0486, 0.6931, 1.3133, 0.4741, 0.8259], mean 0.6710 (−log(1 − D(G(z))))
    #   softplus(−f) = [3.0486, 0.6931, 0.3133, 0.9741, 0.5759], mean 1.1210 (−log D(G(z)))
    # so L_D = ½·(0.5312 + 0.6710) = 0.6011 without smoothing.
    real_half, fake_half = _bce(_REAL, 1.0), _bce(_FAKE, 0.0)  # 0.5312, 0.6710
    want = (real_half + fake_half) / 2
    if not np.isfinite(got):
        raise ExerciseError("Your loss is not finite. Hint: work from logits with softplus, or clip D away from 0 and 1.")
    if close(got, 2 * want):
        raise ExerciseError("Twice the expected value: average the real and the fake halves (½ · (…)), don't add them.")
    if close(got, -want):
        raise ExerciseError("The sign is flipped: D *maximises* log D(x) + log(1 − D(G(z))), so its loss is minus that.")
    if close(got, real_half / 2) or close(got, real_half):
        raise ExerciseError("Only the real half is there: add the term for the fakes, −log(1 − D(G(z))).")
    if close(got, 5 * (real_half + fake_half)) or close(got, 2.5 * (real_half + fake_half)):
        raise ExerciseError("Sums over the batch: take the mean of each half (tf.reduce_mean), then average the two.")
    if not close(got, want):
        raise ExerciseError(
            f"Expected {want:.4f} for the test logits, got {got:.4f}. Hint: D = sigmoid(logit); "
            "−log D = softplus(−logit) and −log(1 − D) = softplus(logit)."
        )
    try:
        smoothed = as_float(call(fn, _REAL, _FAKE, label_smoothing=0.2))
    except TypeError as error:
        raise ExerciseError(
            "Take a third argument `label_smoothing=0.0` (by that name: `fit` passes it so): " f"{error}"
        ) from None
    # With ε = 0.2 the real target is 0.8: 0.8·0.5312 + 0.2·1.4312 = 0.7112, so L_D = ½·(0.7112 + 0.6710) = 0.6911.
    smoothed_want = (_bce(_REAL, 0.8) + fake_half) / 2
    if close(smoothed, want):
        raise ExerciseError("`label_smoothing` changes nothing in your loss: the real target is 1 − label_smoothing.")
    if close(smoothed, (_bce(_REAL, 0.9) + _bce(_FAKE, 0.1)) / 2):  # ½·(0.6212 + 0.7160) = 0.6686
        raise ExerciseError(
            "That is two-sided smoothing, what keras.losses.BinaryCrossentropy(label_smoothing=ε) does: it moves "
            "*both* targets, 1 → 1 − ε/2 and 0 → ε/2. Here only the real target moves, to 1 − ε; the fake target "
            "stays 0 (give Keras the targets yourself, e.g. tf.fill(tf.shape(real_logits), 1 - label_smoothing))."
        )
    if close(smoothed, (_bce(_REAL, 0.8) + _bce(_FAKE, 0.2)) / 2):  # ½·(0.7112 + 0.7610) = 0.7361
        raise ExerciseError("The fake target stays 0 — one-sided smoothing moves only the real target, to 1 − ε.")
    if close(smoothed, (_bce(_REAL, 0.2) + fake_half) / 2):  # ½·(1.2512 + 0.6710) = 0.9611
        raise ExerciseError("The real target is 1 − label_smoothing (0.8 for 0.2), not label_smoothing itself.")
    if close(smoothed, (0.8 * real_half + fake_half) / 2):  # ½·(0.4250 + 0.6710) = 0.5480
        raise ExerciseError(
            "Only (1 − ε)·softplus(−ℓ) in the real half: with target t it is t·softplus(−ℓ) + (1 − t)·softplus(ℓ), "
            "i.e. −[t·log D(x) + (1 − t)·log(1 − D(x))]."
        )
    if not close(smoothed, smoothed_want):
        raise ExerciseError(
            f"With label_smoothing=0.2 expected {smoothed_want:.4f} for the test logits, got {smoothed:.4f}. The real half with "
            "target t = 1 − ε is mean[t·softplus(−ℓ) + (1 − t)·softplus(ℓ)]; the fake half keeps target 0."
        )
    _check_far_logits(lambda: fn(_FAR_REAL, _FAR_FAKE), "discriminator_loss(real_logits=[−200, 0], fake_logits=[200, 0])",
                      "D rejects a real image or accepts a fake outright")
    print(f"✅ Correct: {got:.4f} without smoothing and {smoothed:.4f} with 0.2, as ganlib.losses.non_saturating_discriminator_loss.")
    return True


def check_generator_loss(fn) -> bool:
    """Exercise: the non-saturating generator loss from logits, ``fn(fake_logits) = −mean log D(G(z))``."""
    if not_attempted(fn):
        return todo("write `generator_loss(fake_logits)` and run this cell again.")
    got = call(fn, _FAKE)
    if got is None:
        return todo("replace `raise NotImplementedError` in `generator_loss` with your code.")
    got = as_float(got)
    # By hand: softplus(−f) = [3.0486, 0.6931, 0.3133, 0.9741, 0.5759] for f = [−3, 0, 1, −0.5, 0.25], mean 1.1210.
    want = _bce(_FAKE, 1.0)
    if close(got, -_bce(_FAKE, 0.0)):  # mean log(1 − D(G(z))) = −mean softplus(f) = −0.6710
        raise ExerciseError(
            "That is the minimax loss, mean log(1 − D(G(z))): it saturates when D rejects the fakes. "
            "The non-saturating generator *maximises* log D(G(z)) instead, i.e. minimises −log D(G(z))."
        )
    if close(got, -want):
        raise ExerciseError("The sign is flipped: the generator minimises −log D(G(z)).")
    if close(got, _bce(_FAKE, 0.0)):
        raise ExerciseError("That is D's loss on the fakes, −log(1 − D(G(z))) (target 0). G wants its fakes called "
                            "real: target 1, −log D(G(z)) = softplus(−logit).")
    if close(got, 5 * want):
        raise ExerciseError("The sum over the batch: take the mean (tf.reduce_mean).")
    if not close(got, want):
        raise ExerciseError(f"Expected {want:.4f} for the test logits, got {got:.4f}. Hint: −log sigmoid(f) = softplus(−f).")
    _check_far_logits(lambda: fn(_FAR_REAL), "generator_loss(fake_logits=[−200, 0])",
                      "D rejects a fake outright")
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
        raise ExerciseError("LSGAN takes the raw outputs (logits) — no sigmoid: the squares apply to D's raw output.")
    if close(got, 2 * want):
        raise ExerciseError("Twice the expected value: each half has a factor ½.")
    if not close(got, want):
        raise ExerciseError(f"Expected {want:.4f} for the test logits, got {got:.4f}. Targets: 1 for real, 0 for fake.")
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.least_squares_discriminator_loss.")
    return True


def check_optimal_discriminator(fn) -> bool:
    """Exercise: ``fn(p_data, p_model)`` returns the best possible discriminator ``D*(x)`` of the game without
    label smoothing (ε = 0), elementwise."""
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
        raise ExerciseError(f"Expected one value per x, shape {want.shape}; got shape {got.shape}.")
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.allclose(got[:3], (p_data / p_model)[:3]):
            raise ExerciseError("p_data / p_model is a ratio, not a probability: D must stay in [0, 1]. Normalise it.")
        if np.allclose(got, p_model / (p_data + p_model)):
            raise ExerciseError("That is the probability of 'fake'. D(x) is the probability that x is *real*.")
        for epsilon in (0.1, 0.2):
            if np.allclose(got, (1 - epsilon) * want):
                raise ExerciseError(
                    f"That is D* with one-sided label smoothing ε = {epsilon} (section 1's second formula): the "
                    "exercise asks for the plain game's D*, without smoothing (ε = 0)."
                )
    if not np.allclose(got, want, atol=1e-6):
        raise ExerciseError(
            f"Expected {np.round(want, 3).tolist()}, got {np.round(got, 3).tolist()}. "
            "Hint: maximise p_data·log D + p_model·log(1 − D) for each x separately."
        )
    print("✅ Correct: D*(x) = p_data / (p_data + p_model). Where the two densities agree, D* = 1/2.")
    return True


def check_equilibrium_loss(value) -> bool:
    """Exercise: the value of both cross-entropy losses when ``D = 1/2`` everywhere (``log 2``): a number, or a
    function of no arguments that returns it."""
    if not_attempted(value):
        return todo("set `equilibrium_loss` to a number and run this cell again.")
    if callable(value):
        value = call(value)
        if value is None:
            return todo("replace `raise NotImplementedError` in `equilibrium_loss` with your answer.")
    value = as_float(value)
    if close(value, 0.5, tol=1e-2):
        raise ExerciseError("0.5 is D's *output* at equilibrium. The loss is −log of it.")
    if close(value, 2 * math.log(2), tol=1e-2):
        raise ExerciseError("log 4 is the sum of the two halves; the course averages them. Halve it.")
    if not close(value, math.log(2), tol=1e-2):
        raise ExerciseError("Not quite. Hint: −log(1/2) = ?")
    print("✅ Correct: −log(1/2) = log 2 ≈ 0.693, the dashed line on the loss plots.")
    return True


def check_missing_digits(answer, shares, threshold: float = 0.05) -> bool:
    """Exercise: from class shares (``metrics.class_coverage``), list the digits under ``threshold``: a list, or
    a function ``answer(shares)`` that returns it."""
    if not_attempted(answer):
        return todo("set `rare_digits` to a list of digits (possibly empty) and run this cell again.")
    if callable(answer):
        answer = call(answer, np.asarray(shares))
        if answer is None:
            return todo("replace `raise NotImplementedError` in `rare_digits` with your answer.")
    want = sorted(int(d) for d in np.flatnonzero(np.asarray(shares) < threshold))
    try:
        got = sorted(int(d) for d in answer)
    except TypeError:
        raise ExerciseError("Expected a list of digits, e.g. [3, 8] or [].") from None
    if got != want:
        raise ExerciseError(
            f"Not quite: {got}. Look for the digits whose share is below {threshold:.0%} "
            "(a uniform generator would give each digit about 10%)."
        )
    print(f"✅ Correct: {want if want else 'no digit'} below {threshold:.0%}.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
