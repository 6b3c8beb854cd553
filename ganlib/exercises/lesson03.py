"""The checks of lesson 3 (pix2pix)'s exercises (the contract: :mod:`ganlib.exercises`).

In the order the lesson teaches them: the U-Net's down block and up block (:func:`check_unet_down_block`,
:func:`check_unet_up_block`), the receptive field of a stack of convolutions, the PatchGAN discriminator, the
pix2pix generator loss, and PSNR. The lesson builds its U-Net from the learner's blocks
(``models.build_unet_generator(..., down_block=, up_block=)``), its discriminator with the learner's builder,
and trains them with the learner's loss (``training.Pix2Pix.compile(g_loss_fn=)``). Blocks and networks are
judged by what they do (:mod:`ganlib.exercises._lesson03_networks`): any way of writing them passes. The
PatchGAN's check lives in :mod:`ganlib.exercises._lesson03_patchgan`.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from ganlib import losses
from ganlib.exercises import _lesson03_networks as probe
from ganlib.exercises._lesson03_patchgan import check_patchgan_discriminator  # noqa: F401 (re-exported)
from ganlib.exercises.checking import FAKE_LOGITS as _FAKE
from ganlib.exercises.checking import ExerciseError, as_float, call, close, not_attempted, todo
from ganlib.models import pix2pix

_NORM, _CONV = keras.layers.BatchNormalization, keras.layers.Conv2D


def check_unet_down_block(fn) -> bool:
    """Exercise: ``fn(x, filters, batch_norm=True, seed=None)`` is the U-Net's encoder block:
    ``Conv2D(filters, 4, strides=2, padding="same")`` (N(0, 0.02), no bias before batch norm) →
    ``[BatchNormalization(momentum=0.9)]`` → ``LeakyReLU(0.2)``; it halves the size."""
    if not_attempted(fn):
        return todo("write `unet_down_block(x, filters, batch_norm=True, seed=None)` and run this cell again.")
    x = keras.Input((8, 8, 3))
    out = probe.build(fn, "unet_down_block", x, 16, batch_norm=True, seed=7)
    if out is None:
        return todo("replace `raise NotImplementedError` in `unet_down_block` with your code.")
    first = probe.build(fn, "unet_down_block", x, 16, batch_norm=False, seed=7)
    mine, mine_first = probe.as_model(x, out, "unet_down_block"), probe.as_model(x, first, "unet_down_block")
    shape = tuple(mine.output_shape[1:])
    if shape[:2] == (8, 8):
        raise ExerciseError("The block should halve the size (8×8 → 4×4): a stride-2 convolution, strides=2.")
    if shape[:2] in ((3, 3), (2, 2)):
        raise ExerciseError("Use padding='same': with a 4×4 kernel 'valid' loses a border (8×8 → 3×3, not 4×4).")
    if shape != (4, 4, 16):
        raise ExerciseError(f"Expected (batch, 4, 4, 16) for an 8×8×3 input and filters=16, got (batch, {shape}).")
    # With batch norm: 4·4·3·16 = 768 kernel weights + 16 γ + 16 β + 16 moving means + 16 moving variances = 832.
    # Without (the first layer): 768 + 16 biases = 784.
    n, n_first = mine.count_params(), mine_first.count_params()
    if n == 832 + 16:
        raise ExerciseError("Leave out the convolution's bias before batch norm (use_bias=False): β replaces it.")
    if n_first in (768 + 64, 784 + 64):
        raise ExerciseError("With batch_norm=False the block has no batch norm: pix2pix's first encoder layer has none.")
    if n in (768, 784):
        raise ExerciseError("Batch norm is missing: with batch_norm=True, BatchNormalization follows the convolution.")
    if n_first == 768:
        raise ExerciseError("Without batch norm the convolution keeps its bias: use_bias=not batch_norm.")
    if n == 3 * 3 * 3 * 16 + 64:
        raise ExerciseError("pix2pix uses 4×4 kernels (kernel_size=4), not 3×3.")
    if (n, n_first) != (832, 784):
        raise ExerciseError(
            f"Expected 832 parameters with batch norm (4·4·3·16 kernel + 4·16 of batch norm) and 784 without "
            f"(kernel + 16 biases); got {n} and {n_first}."
        )
    probe.check_init(
        mine,
        lambda: keras.Model(x, fn(x, 16, batch_norm=True, seed=7)),
        lambda: keras.Model(x, fn(x, 16, batch_norm=True, seed=8)),
        "unet_down_block",
    )
    reference = keras.Model(x, pix2pix.unet_down_block(x, 16, batch_norm=True, seed=7))
    reference_first = keras.Model(x, pix2pix.unet_down_block(x, 16, batch_norm=False, seed=7))
    data = probe.batch((4, 8, 8, 3))

    def diagnose(got, want, model=reference):
        before = probe.intermediate(model, (_NORM, _CONV), data)  # batch norm's output (the convolution's without it)
        if probe.same(got, probe.leaky_relu(before, 0.3)):
            raise ExerciseError("Keras' LeakyReLU slopes by 0.3 by default: pix2pix uses LeakyReLU(negative_slope=0.2).")
        if probe.same(got, np.maximum(before, 0.0)):
            raise ExerciseError("The encoder uses LeakyReLU(0.2), not ReLU (ReLU is the decoder's).")
        if probe.same(got, before):
            raise ExerciseError("The activation is missing: LeakyReLU(0.2) comes last.")
        conv = probe.intermediate(model, (_CONV,), data)
        if probe.same(got, probe.batch_normalized(probe.leaky_relu(conv, 0.2))):
            raise ExerciseError("Batch norm comes before the activation: Conv2D → BatchNormalization → LeakyReLU.")

    probe.copy_weights(mine, reference, "unet_down_block")
    probe.compare_modes(mine, reference, data, diagnose, "unet_down_block")
    probe.copy_weights(mine_first, reference_first, "unet_down_block")
    probe.compare_modes(mine_first, reference_first, data, lambda g, w: diagnose(g, w, reference_first), "unet_down_block")
    print("✅ Correct: Conv(4×4, stride 2) → [BatchNorm] → LeakyReLU(0.2) halves the image; 832 parameters here.")
    return True


def _up_reference(x, skip, dropout: float = 0.0):
    return keras.Model([x, skip], pix2pix.unet_up_block(x, skip, 6, dropout=dropout, seed=3))


def check_unet_up_block(fn) -> bool:
    """Exercise: ``fn(x, skip, filters, dropout=0.0, seed=None)`` is the U-Net's decoder block with its skip:
    ``Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)`` (N(0, 0.02)) →
    ``BatchNormalization(momentum=0.9)`` → ``[Dropout(dropout, seed=seed)]`` → ``ReLU``, then
    ``concatenate([out, skip])``."""
    if not_attempted(fn):
        return todo("write `unet_up_block(x, skip, filters, dropout=0.0, seed=None)` and run this cell again.")
    x, skip = keras.Input((2, 2, 8)), keras.Input((4, 4, 6))
    try:
        out = probe.build(fn, "unet_up_block", x, skip, 6, dropout=0.0, seed=3)
    except AssertionError as error:
        raise ExerciseError(
            f"{error}. Hint: the transposed convolution must double the size (4×4, strides=2, padding='same': "
            "2×2 → 4×4) so that it can be concatenated with the skip, which has the doubled size."
        ) from error.__cause__
    if out is None:
        return todo("replace `raise NotImplementedError` in `unet_up_block` with your code.")
    mine = probe.as_model([x, skip], out, "unet_up_block")
    shape = tuple(mine.output_shape[1:])
    inputs = [probe.batch((4, 2, 2, 8)), probe.batch((4, 4, 4, 6), seed=1)]
    if shape == (4, 4, 6):
        other = [inputs[0], inputs[1] + 1.0]
        if probe.same(probe.outputs(mine, inputs, False), probe.outputs(mine, other, False)):
            raise ExerciseError("The skip connection is missing: concatenate the block's output with `skip`.")
        raise ExerciseError(
            "Concatenate the skip, don't add it: concatenate([out, skip]) keeps both on separate channels "
            "(filters + the skip's channels: 6 + 6 = 12 here)."
        )
    if shape[:2] != (4, 4):
        raise ExerciseError(f"The block should double the size (2×2 → 4×4): strides=2, padding='same'; got {shape[:2]}.")
    if shape != (4, 4, 12):
        raise ExerciseError(f"Expected (batch, 4, 4, 12) for filters=6 and a 6-channel skip, got (batch, {shape}).")
    # 4·4·6·8 = 768 kernel weights (Conv2DTranspose's kernel is 4×4×filters×in) + 4·6 of batch norm = 792.
    n = mine.count_params()
    if n == 792 + 6:
        raise ExerciseError("Leave out the transposed convolution's bias (use_bias=False): batch norm's β replaces it.")
    if n in (768, 774):
        raise ExerciseError("Batch norm is missing: BatchNormalization follows the transposed convolution.")
    if n != 792:
        raise ExerciseError(f"Expected 792 parameters (4·4·6·8 kernel + 4·6 of batch norm), got {n}.")
    probe.check_init(
        mine,
        lambda: keras.Model([x, skip], fn(x, skip, 6, dropout=0.0, seed=3)),
        lambda: keras.Model([x, skip], fn(x, skip, 6, dropout=0.0, seed=4)),
        "unet_up_block",
    )
    reference = _up_reference(x, skip)
    probe.copy_weights(mine, reference, "unet_up_block")

    def diagnose(got, want):
        if probe.same(got, np.concatenate([want[..., 6:], want[..., :6]], axis=-1)):
            raise ExerciseError(
                "The skip comes second: concatenate([out, skip]), the decoder's output first (the course's and "
                "ganlib's order; either would train, but the next layer's weights follow the order)."
            )
        before = probe.intermediate(reference, (_NORM,), inputs)
        for slope in (0.2, 0.3):
            if probe.same(got[..., :6], probe.leaky_relu(before, slope)):
                raise ExerciseError("The decoder uses ReLU (LeakyReLU is the encoder's).")
        if probe.same(got[..., :6], before):
            raise ExerciseError("The activation is missing: ReLU after batch norm, before the concatenation.")
        conv = probe.intermediate(reference, (keras.layers.Conv2DTranspose,), inputs)
        if probe.same(got[..., :6], probe.batch_normalized(np.maximum(conv, 0.0))):
            raise ExerciseError("Batch norm comes before the activation: Conv2DTranspose → BatchNormalization → ReLU.")

    probe.compare_modes(mine, reference, inputs, diagnose, "unet_up_block")
    _check_dropout(fn, x, skip)
    print("✅ Correct: ConvT(4×4, stride 2) → BatchNorm → [Dropout] → ReLU doubles the image, then the skip joins it.")
    return True


def _check_dropout(fn, x, skip) -> None:
    """With ``dropout=0.5``: off at inference; in training, about half of the block's own outputs dropped (the
    survivors doubled, ``1 / (1 − 0.5)``), and the skip passed through untouched."""
    mine = probe.as_model([x, skip], probe.build(fn, "unet_up_block", x, skip, 6, dropout=0.5, seed=3), "unet_up_block")
    reference = _up_reference(x, skip)
    probe.copy_weights(mine, reference, "unet_up_block")
    inputs = [probe.batch((8, 2, 2, 8), seed=2), probe.batch((8, 4, 4, 6), seed=3)]
    if not probe.same(probe.outputs(mine, inputs, False), probe.outputs(reference, inputs, False)):
        raise ExerciseError(
            "Dropout must be off at inference (training=False): use keras.layers.Dropout, which Keras switches off "
            "outside training (and don't call it with training=True)."
        )
    first, second = probe.outputs(mine, inputs, True), probe.outputs(mine, inputs, True)
    if probe.same(first, second):
        raise ExerciseError("With dropout=0.5 the block should drop units in training: add Dropout(dropout) after batch norm.")
    if not probe.same(first[..., 6:], inputs[1]):
        raise ExerciseError("Dropout belongs before the concatenation: the skip passes through untouched.")
    full = probe.outputs(reference, inputs, True)[..., :6]  # the same batch statistics: dropout comes after the norm
    alive = full > 1e-3
    dropped = float(np.mean(first[..., :6][alive] == 0.0))
    kept = first[..., :6][alive & (first[..., :6] != 0.0)]
    if not 0.35 < dropped < 0.65 or not np.allclose(kept, 2.0 * full[alive & (first[..., :6] != 0.0)], rtol=1e-3, atol=1e-4):
        raise ExerciseError(
            f"With dropout=0.5 about half of the activations should be dropped and the rest doubled (your block "
            f"dropped {dropped:.0%}): Dropout(dropout) after batch norm, with the block's `dropout` as the rate."
        )
    # Two blocks built with the same seed drop the same units at their first training call (Keras' Dropout draws
    # its masks from a generator started at its seed); an unseeded Dropout starts from a random seed each time.
    twins = [probe.as_model([x, skip], probe.build(fn, "unet_up_block", x, skip, 6, dropout=0.5, seed=3), "unet_up_block")
             for _ in range(2)]
    for twin in twins:
        probe.copy_weights(twin, reference, "unet_up_block")
    if not probe.same(*(probe.outputs(twin, inputs, True) for twin in twins)):
        raise ExerciseError(
            "Two blocks built with seed=3 drop different units: seed the dropout too, keras.layers.Dropout(dropout, "
            "seed=seed) (`seed` is the initializer's and the dropout's), so that a run can be repeated."
        )


def check_receptive_field(fn) -> bool:
    """Exercise: ``fn(kernel_sizes, strides)`` gives the receptive field of a stack of convolutions."""
    if not_attempted(fn):
        return todo("write `receptive_field(kernel_sizes, strides)` and run this cell again.")
    cases = [([4, 4, 4, 4, 4], [2, 2, 2, 1, 1]), ([4, 4, 4], [2, 1, 1]), ([3, 3], [1, 1]), ([4, 4, 4, 4], [2, 2, 1, 1])]
    got = [call(fn, kernels, strides) for kernels, strides in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `receptive_field` with your code.")
    want = [70, 16, 5, 34]  # 1 + 3·(1 + 2 + 4 + 8 + 8), 1 + 3·(1 + 2 + 2), 1 + 2·(1 + 1), 1 + 3·(1 + 2 + 4 + 4)
    if got == [1 + sum(k - 1 for k in kernels) for kernels, _ in cases]:
        raise ExerciseError("You ignored the strides: after a stride-2 layer, one more pixel of kernel covers 2 input pixels.")
    if got == [w - 1 for w in want]:
        raise ExerciseError("Start from 1: before any layer, a pixel sees itself (r = 1 + Σ …).")
    if got == [1 + sum((k - 1) * math.prod(strides[: i + 1]) for i, k in enumerate(kernels)) for kernels, strides in cases]:
        # each layer's own stride counted too: [91, 19, 5, 43]
        raise ExerciseError("A layer's step is the product of the strides *before* it: update the jump after adding (k − 1)·jump.")
    if got != want:
        raise ExerciseError(f"For {cases} expected {want}, got {got}. Hint: r = 1 + Σ (k_i − 1) · (product of earlier strides).")
    print("✅ Correct: the pix2pix discriminator C64-C128-C256-C512-C1 sees 70×70 patches.")
    return True


def check_pix2pix_generator_loss(fn) -> bool:
    """Exercise: ``fn(fake_logits, targets, outputs, l1_weight)`` is the pix2pix generator loss: the
    non-saturating GAN loss on the patch logits plus ``l1_weight · mean |targets − outputs|``, written with
    TensorFlow / ``keras.ops`` (it runs inside the training step and must carry gradients)."""
    if not_attempted(fn):
        return todo("write `pix2pix_generator_loss(fake_logits, targets, outputs, l1_weight)` and run this cell again.")
    fake_logits = _FAKE.reshape(1, 1, 5, 1)
    targets = np.array([[0.5, -1.0], [1.0, 0.0]], dtype=np.float32).reshape(1, 2, 2, 1)
    outputs = np.array([[0.0, -1.0], [0.5, 0.5]], dtype=np.float32).reshape(1, 2, 2, 1)
    got = call(fn, tf.constant(fake_logits), tf.constant(targets), tf.constant(outputs), 100.0)
    if got is None:
        return todo("replace `raise NotImplementedError` in `pix2pix_generator_loss` with your code.")
    if np.asarray(got).size != 1:
        raise ExerciseError(f"Return one number, the mean over patches and pixels; got an array of shape {np.shape(got)}.")
    got = as_float(got)
    # GAN term: mean softplus(−f) over the 5 logits = (3.0486 + 0.6931 + 0.3133 + 0.9741 + 0.5759) / 5 = 1.1210.
    gan = as_float(losses.non_saturating_generator_loss(fake_logits))
    l1 = float(np.mean(np.abs(targets - outputs)))  # (0.5 + 0 + 0.5 + 0.5) / 4 = 0.375
    if not close(got, gan + 100 * l1):
        _loss_hint(got, gan, l1, fake_logits, targets, outputs)
    _check_loss_in_training_step(fn, fake_logits, targets, outputs)
    print(f"✅ Correct: {gan:.4f} (GAN) + 100 × {l1:.3f} (L1) = {got:.4f}. The L1 term dominates the sum.")
    return True


def _loss_hint(got, gan, l1, fake_logits, targets, outputs) -> None:
    if close(got, gan + 100 * float(np.mean((targets - outputs) ** 2))):
        raise ExerciseError("That is the squared (L2) error: pix2pix uses the absolute error, which blurs less.")
    if close(got, gan + l1):
        raise ExerciseError("Multiply the L1 term by `l1_weight` (λ = 100 in the paper).")
    if close(got, 100 * gan + l1):
        raise ExerciseError("λ weighs the L1 term, not the GAN term: g_gan + l1_weight · L1.")
    if close(got, 100 * l1):
        raise ExerciseError("Add the adversarial part: the non-saturating loss of the fake patch logits.")
    if close(got, gan + 100 * float(np.sum(np.abs(targets - outputs)))):
        raise ExerciseError("Average the absolute error over the pixels (mean, not sum), so λ does not depend on the image size.")
    if close(got, as_float(losses.minimax_generator_loss(fake_logits)) + 100 * l1):
        raise ExerciseError("That is the minimax loss, mean log(1 − D): use the non-saturating −mean log D(x, G(x)).")
    if close(got, float(np.mean(np.logaddexp(0.0, fake_logits))) + 100 * l1):
        raise ExerciseError("The generator wants D to say 'real': cross-entropy with target 1, i.e. softplus(−logit).")
    raise ExerciseError(f"Expected {gan + 100 * l1:.4f}, got {got:.4f}. Hint: softplus(−fake_logits) averaged, + λ·mean|y − G(x)|.")


def _check_loss_in_training_step(fn, fake_logits, targets, outputs) -> None:
    """The loss runs in a compiled step (``tf.function``) and its gradients are the reference's:
    d/d outputs = −λ·sign(y − G(x)) / 4 = [−25, 0, −25, 25]; d/d f = −sigmoid(−f) / 5."""
    logits, generated = tf.Variable(fake_logits), tf.Variable(outputs)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.cast(fn(logits, tf.constant(targets), generated, 100.0), tf.float32)
        return tape.gradient(loss, [logits, generated])

    try:
        gradients = step()
    except Exception as error:  # noqa: BLE001 - NumPy on a symbolic tensor fails in many ways
        raise ExerciseError(
            "Your loss fails inside a compiled training step (tf.function): write it with keras.ops or tf "
            f"(keras.ops.mean, keras.ops.abs, …), not NumPy. ({type(error).__name__})"
        ) from error
    want_outputs = -25.0 * np.sign(targets - outputs)
    want_logits = -1.0 / (1.0 + np.exp(fake_logits)) / 5
    if any(g is None for g in gradients) or not (
        np.allclose(gradients[1].numpy(), want_outputs, atol=1e-4) and np.allclose(gradients[0].numpy(), want_logits, atol=1e-5)
    ):
        raise ExerciseError(
            "Right value, wrong gradients: the loss must be computed from the tensors (keras.ops / tf), "
            "so the generator can learn from it; no NumPy conversion or stop_gradient in between."
        )


def check_psnr(fn) -> bool:
    """Exercise: ``fn(targets, outputs)`` gives the PSNR in dB of images in [-1, 1] (pixels scaled to [0, 1])."""
    if not_attempted(fn):
        return todo("write `my_psnr(targets, outputs)` and run this cell again.")
    targets = np.zeros((1, 4, 4, 1), dtype=np.float32)
    outputs = targets + 0.2  # 0.1 on the [0, 1] scale: MSE 0.01, 20 dB
    got = call(fn, targets, outputs)
    if got is None:
        return todo("replace `raise NotImplementedError` in `my_psnr` with your code.")
    got = as_float(got)
    if close(got, 20.0, 1e-3):
        print("✅ Correct: an error of 0.1 of the pixel range everywhere is 20 dB; every halving of it adds 6 dB.")
        return True
    if close(got, 10 * math.log10(4 / 0.04), 1e-3) or close(got, 10 * math.log10(1 / 0.04), 1e-3):
        raise ExerciseError("Scale the pixels to [0, 1] first ((x + 1) / 2): the error is then 0.1, not 0.2.")
    if close(got, -20.0, 1e-3):
        raise ExerciseError("The sign is flipped: PSNR = 10 · log10(1 / MSE), positive, and higher is better.")
    if close(got, 40.0, 1e-3):
        raise ExerciseError("10 · log10(1 / MSE) (a ratio of powers), not 20 · log10(1 / MSE).")
    raise ExerciseError(f"Expected 20.0 dB, got {got:.3f}. Hint: 10 · log10(1 / mean((Δ/2)²)).")


__all__ = [name for name in dir() if name.startswith("check_")]
