"""Automatic checks for the lessons' exercises.

Each ``check_*`` function takes the learner's answer and:

* prints what to do and returns ``False`` when the exercise is not attempted yet (the answer is ``None``,
  ``...``, or a function that raises ``NotImplementedError``) — so a notebook with open exercises still
  runs from top to bottom;
* raises ``AssertionError`` with a hint aimed at the usual mistake when the answer is wrong;
* prints a short confirmation and returns ``True`` when it is right.
"""

from __future__ import annotations

import math

import numpy as np

from ganlib import losses

_REAL = np.array([2.0, -1.0, 0.5, 0.0, 3.0], dtype=np.float32)
_FAKE = np.array([-3.0, 0.0, 1.0, -0.5, 0.25], dtype=np.float32)


def _not_attempted(answer) -> bool:
    return answer is None or answer is Ellipsis


def _todo(what: str) -> bool:
    print(f"⏳ Not attempted yet: {what}")
    return False


def _call(fn, *args):
    """Call the learner's function; ``None`` means "not attempted" (it raised NotImplementedError)."""
    try:
        return fn(*args)
    except NotImplementedError:
        return None


def _value(result) -> float:
    return float(np.asarray(result, dtype=np.float64))


def _close(a, b, tol=1e-4) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


def check_discriminator_loss(fn) -> bool:
    """Exercise: the discriminator's cross-entropy loss from logits, ``fn(real_logits, fake_logits)``.

    Expected: ``½·[−mean log D(x) − mean log(1 − D(G(z)))]`` with ``D = sigmoid(logit)``.
    """
    if _not_attempted(fn):
        return _todo("write `my_discriminator_loss(real_logits, fake_logits)` and run this cell again.")
    got = _call(fn, _REAL, _FAKE)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `my_discriminator_loss` with your code.")
    got = _value(got)
    want = _value(losses.non_saturating_discriminator_loss(_REAL, _FAKE))
    if not np.isfinite(got):
        raise AssertionError("Your loss is not finite. Hint: work from logits with softplus, or clip D away from 0 and 1.")
    if _close(got, 2 * want):
        raise AssertionError("Twice the expected value: average the real and the fake halves (½ · (…)), don't add them.")
    if _close(got, -want):
        raise AssertionError("The sign is flipped: D *maximises* log D(x) + log(1 − D(G(z))), so its loss is minus that.")
    real_only = _value(losses.non_saturating_generator_loss(_REAL)) / 2
    if _close(got, real_only) or _close(got, 2 * real_only):
        raise AssertionError("Only the real half is there: add the term for the fakes, −log(1 − D(G(z))).")
    if not _close(got, want):
        raise AssertionError(
            f"Expected {want:.4f} for the test logits, got {got:.4f}. Hint: D = sigmoid(logit); "
            "−log D = softplus(−logit) and −log(1 − D) = softplus(logit)."
        )
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.non_saturating_discriminator_loss.")
    return True


def check_generator_loss(fn) -> bool:
    """Exercise: the non-saturating generator loss from logits, ``fn(fake_logits) = −mean log D(G(z))``."""
    if _not_attempted(fn):
        return _todo("write `my_generator_loss(fake_logits)` and run this cell again.")
    got = _call(fn, _FAKE)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `my_generator_loss` with your code.")
    got = _value(got)
    want = _value(losses.non_saturating_generator_loss(_FAKE))
    if _close(got, _value(losses.minimax_generator_loss(_FAKE))):
        raise AssertionError(
            "That is the minimax loss, mean log(1 − D(G(z))): it saturates when D rejects the fakes. "
            "The non-saturating generator *maximises* log D(G(z)) instead, i.e. minimises −log D(G(z))."
        )
    if _close(got, -want):
        raise AssertionError("The sign is flipped: the generator minimises −log D(G(z)).")
    if not _close(got, want):
        raise AssertionError(f"Expected {want:.4f} for the test logits, got {got:.4f}. Hint: −log sigmoid(f) = softplus(−f).")
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.non_saturating_generator_loss.")
    return True


def check_least_squares_discriminator_loss(fn) -> bool:
    """Exercise: the LSGAN discriminator loss, ``fn(real_logits, fake_logits)``.

    Expected: ``½·mean((D(x) − 1)²) + ½·mean(D(G(z))²)`` on the raw outputs (no sigmoid).
    """
    if _not_attempted(fn):
        return _todo("write `my_least_squares_d_loss(real_logits, fake_logits)` and run this cell again.")
    got = _call(fn, _REAL, _FAKE)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `my_least_squares_d_loss` with your code.")
    got = _value(got)
    want = _value(losses.least_squares_discriminator_loss(_REAL, _FAKE))
    d_real, d_fake = 1 / (1 + np.exp(-_REAL)), 1 / (1 + np.exp(-_FAKE))
    with_sigmoid = 0.5 * np.mean((d_real - 1) ** 2) + 0.5 * np.mean(d_fake**2)
    if _close(got, with_sigmoid):
        raise AssertionError("LSGAN takes the raw outputs (logits) — no sigmoid: the squares apply to D's raw output.")
    if _close(got, 2 * want):
        raise AssertionError("Twice the expected value: each half has a factor ½.")
    if not _close(got, want):
        raise AssertionError(f"Expected {want:.4f} for the test logits, got {got:.4f}. Targets: 1 for real, 0 for fake.")
    print(f"✅ Correct: {got:.4f} matches ganlib.losses.least_squares_discriminator_loss.")
    return True


def check_optimal_discriminator(fn) -> bool:
    """Exercise: ``fn(p_data, p_model)`` returns the best possible discriminator ``D*(x)``, elementwise."""
    if _not_attempted(fn):
        return _todo("write `optimal_d(p_data, p_model)` and run this cell again.")
    p_data = np.array([0.1, 0.5, 0.3, 0.0, 0.2])
    p_model = np.array([0.3, 0.5, 0.1, 0.4, 0.0])
    got = _call(fn, p_data, p_model)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `optimal_d` with your code.")
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
    if _not_attempted(value):
        return _todo("set `equilibrium_loss` to a number and run this cell again.")
    value = float(value)
    if _close(value, 0.5, tol=1e-2):
        raise AssertionError("0.5 is D's *output* at equilibrium. The loss is −log of it.")
    if _close(value, 2 * math.log(2), tol=1e-2):
        raise AssertionError("log 4 is the sum of the two halves; the course averages them. Halve it.")
    if not _close(value, math.log(2), tol=1e-2):
        raise AssertionError("Not quite. Hint: −log(1/2) = ?")
    print("✅ Correct: −log(1/2) = log 2 ≈ 0.693, the dashed line on the loss plots.")
    return True


def check_missing_digits(answer, shares, threshold: float = 0.05) -> bool:
    """Exercise: from class shares (``metrics.class_coverage``), list the digits under ``threshold``."""
    if _not_attempted(answer):
        return _todo("set `rare_digits` to a list of digits (possibly empty) and run this cell again.")
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


def check_transposed_conv_size(fn) -> bool:
    """Exercise: ``fn(size, stride)`` gives the output size of ``Conv2DTranspose(padding="same")``."""
    if _not_attempted(fn):
        return _todo("write `upsampled_size(size, stride)` and run this cell again.")
    cases = [(7, 2), (14, 2), (4, 2), (5, 3), (1, 4)]
    got = [_call(fn, size, stride) for size, stride in cases]
    if any(value is None for value in got):
        return _todo("replace `raise NotImplementedError` in `upsampled_size` with your code.")
    want = [size * stride for size, stride in cases]
    valid = [(size - 1) * stride + 4 for size, stride in cases]
    if got == valid:
        raise AssertionError("That is the size with padding='valid' and kernel 4. With 'same', it is simpler.")
    if got != want:
        raise AssertionError(f"For (size, stride) = {cases} expected {want}, got {got}. Hint: 'same' means 'times the stride'.")
    print("✅ Correct: with padding='same', a stride-2 transposed convolution doubles the size: 7 → 14 → 28.")
    return True


def check_conv_params(fn) -> bool:
    """Exercise: ``fn(kernel_size, in_channels, filters, use_bias)`` gives a ``Conv2D`` layer's parameter count."""
    if _not_attempted(fn):
        return _todo("write `conv_params(kernel_size, in_channels, filters, use_bias)` and run this cell again.")
    cases = [(4, 1, 32, True), (4, 32, 64, False), (3, 3, 16, True), (5, 64, 128, False)]
    got = [_call(fn, *case) for case in cases]
    if any(value is None for value in got):
        return _todo("replace `raise NotImplementedError` in `conv_params` with your code.")
    want = [k * k * c * f + (f if bias else 0) for k, c, f, bias in cases]
    if got == [k * k * f + (f if bias else 0) for k, c, f, bias in cases]:
        raise AssertionError("Each filter sees *all* input channels: multiply by in_channels too.")
    if got == [k * k * c * f + f for k, c, f, bias in cases]:
        raise AssertionError("Layers followed by batch norm have no bias (use_bias=False): count it only when there is one.")
    if got != want:
        raise AssertionError(f"For {cases} expected {want}, got {got}. Hint: kernel_size² · in_channels · filters (+ filters).")
    print("✅ Correct: a convolution's parameters do not depend on the image size — that is weight sharing.")
    return True


def check_linear_interpolation(fn) -> bool:
    """Exercise: ``fn(z_a, z_b, steps)`` returns ``steps`` points from ``z_a`` to ``z_b``, both included."""
    if _not_attempted(fn):
        return _todo("write `lerp(z_a, z_b, steps)` and run this cell again.")
    z_a, z_b = np.array([0.0, 2.0, -1.0]), np.array([4.0, 0.0, 1.0])
    got = _call(fn, z_a, z_b, 5)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `lerp` with your code.")
    got = np.asarray(got, dtype=np.float64)
    want = np.linspace(0.0, 1.0, 5)[:, None] * (z_b - z_a) + z_a
    if got.shape != want.shape:
        raise AssertionError(f"Expected shape {want.shape} (steps × latent size), got {got.shape}.")
    if np.allclose(got, np.linspace(0.0, 1.0, 5, endpoint=False)[:, None] * (z_b - z_a) + z_a):
        raise AssertionError("The last point should be z_b itself: include the end point (np.linspace does by default).")
    if np.allclose(got, want[::-1]):
        raise AssertionError("Backwards: start at z_a and end at z_b.")
    if not np.allclose(got, want):
        raise AssertionError("Not quite. Hint: z(t) = (1 − t)·z_a + t·z_b for t = 0, 1/(steps−1), …, 1.")
    print("✅ Correct. ganlib.latent.interpolate also offers spherical interpolation (the default in the explorer).")
    return True


# ------------------------------------------------------------------------------------------ lesson 3


def check_receptive_field(fn) -> bool:
    """Exercise: ``fn(kernel_sizes, strides)`` gives the receptive field of a stack of convolutions."""
    if _not_attempted(fn):
        return _todo("write `receptive_field(kernel_sizes, strides)` and run this cell again.")
    cases = [([4, 4, 4, 4, 4], [2, 2, 2, 1, 1]), ([4, 4, 4], [2, 1, 1]), ([3, 3], [1, 1]), ([4, 4, 4, 4], [2, 2, 1, 1])]
    got = [_call(fn, kernels, strides) for kernels, strides in cases]
    if any(value is None for value in got):
        return _todo("replace `raise NotImplementedError` in `receptive_field` with your code.")
    want = [70, 16, 5, 34]
    if got == [1 + sum(k - 1 for k in kernels) for kernels, _ in cases]:
        raise AssertionError("You ignored the strides: after a stride-2 layer, one more pixel of kernel covers 2 input pixels.")
    if got != want:
        raise AssertionError(f"For {cases} expected {want}, got {got}. Hint: r = 1 + Σ (k_i − 1) · (product of earlier strides).")
    print("✅ Correct: the pix2pix discriminator C64-C128-C256-C512-C1 sees 70×70 patches.")
    return True


def check_pix2pix_generator_loss(fn) -> bool:
    """Exercise: ``fn(fake_logits, targets, outputs, l1_weight)`` is the pix2pix generator loss: the
    non-saturating GAN loss on the patch logits plus ``l1_weight · mean |targets − outputs|``."""
    if _not_attempted(fn):
        return _todo("write `pix2pix_generator_loss(fake_logits, targets, outputs, l1_weight)` and run this cell again.")
    fake_logits = _FAKE.reshape(1, 1, 5, 1)
    targets = np.array([[0.5, -1.0], [1.0, 0.0]], dtype=np.float32).reshape(1, 2, 2, 1)
    outputs = np.array([[0.0, -1.0], [0.5, 0.5]], dtype=np.float32).reshape(1, 2, 2, 1)
    got = _call(fn, fake_logits, targets, outputs, 100.0)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `pix2pix_generator_loss` with your code.")
    got = _value(got)
    gan = _value(losses.non_saturating_generator_loss(fake_logits))
    l1 = float(np.mean(np.abs(targets - outputs)))  # 0.375
    if _close(got, gan + 100 * l1):
        print(f"✅ Correct: {gan:.4f} (GAN) + 100 × {l1:.3f} (L1) = {got:.4f}. The L1 term dominates the sum.")
        return True
    if _close(got, gan + 100 * float(np.mean((targets - outputs) ** 2))):
        raise AssertionError("That is the squared (L2) error: pix2pix uses the absolute error, which blurs less.")
    if _close(got, gan + l1):
        raise AssertionError("Multiply the L1 term by `l1_weight` (λ = 100 in the paper).")
    if _close(got, 100 * l1):
        raise AssertionError("Add the adversarial part: the non-saturating loss of the fake patch logits.")
    raise AssertionError(f"Expected {gan + 100 * l1:.4f}, got {got:.4f}. Hint: losses.non_saturating_generator_loss(fake_logits) + λ·mean|y − G(x)|.")


def check_psnr(fn) -> bool:
    """Exercise: ``fn(targets, outputs)`` gives the PSNR in dB of images in [-1, 1] (pixels scaled to [0, 1])."""
    if _not_attempted(fn):
        return _todo("write `my_psnr(targets, outputs)` and run this cell again.")
    targets = np.zeros((1, 4, 4, 1), dtype=np.float32)
    outputs = targets + 0.2  # 0.1 on the [0, 1] scale: MSE 0.01, 20 dB
    got = _call(fn, targets, outputs)
    if got is None:
        return _todo("replace `raise NotImplementedError` in `my_psnr` with your code.")
    got = _value(got)
    if _close(got, 20.0, 1e-3):
        print("✅ Correct: an error of 0.1 of the pixel range everywhere is 20 dB; every halving of it adds 6 dB.")
        return True
    if _close(got, 10 * math.log10(4 / 0.04), 1e-3) or _close(got, 10 * math.log10(1 / 0.04), 1e-3):
        raise AssertionError("Scale the pixels to [0, 1] first ((x + 1) / 2): the error is then 0.1, not 0.2.")
    raise AssertionError(f"Expected 20.0 dB, got {got:.3f}. Hint: 10 · log10(1 / mean((Δ/2)²)).")


def check_centre_square(fn) -> bool:
    """Exercise (lesson 06): ``fn(width, height)`` gives the ``(left, top, right, bottom)`` pixel box of the
    largest centred square of a picture, the part ``fit="crop"`` keeps (an odd margin rounds down on the
    left/top)."""
    if _not_attempted(fn):
        return _todo("write `centre_square(width, height)` and run this cell again.")
    cases = [(60, 20), (20, 60), (64, 64), (61, 20), (640, 480)]
    got = [_call(fn, width, height) for width, height in cases]
    if any(value is None for value in got):
        return _todo("replace `raise NotImplementedError` in `centre_square` with your code.")
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
