"""The layer checks of lesson 2 (DCGAN): the generator's up-block and the discriminator's down-block, and
what the network checks share (finding a network's layers in any style, known weights, batch norm's modes).

Re-exported by :mod:`ganlib.exercises.lesson02`.
"""

from __future__ import annotations

import keras
import numpy as np

from ganlib.exercises.checking import ExerciseError, call, not_attempted, todo

#: Keras' default batch-norm epsilon; the checks' tolerance also accepts PyTorch's 1e-5.
_EPS = 1e-3
_TOL = 2e-3


def _parts(model) -> list:
    """Every layer and operation of ``model``, nested models (a ``keras.Sequential`` block) opened."""
    found = []
    for part in getattr(model, "operations", None) or getattr(model, "layers", []):
        if isinstance(part, keras.Model):
            found += _parts(part)
        elif not isinstance(part, keras.layers.InputLayer):
            found.append(part)
            if isinstance(part, keras.layers.Layer):  # a custom layer's own sublayers
                found += list(part._flatten_layers(include_self=False))
    return found


def _of(model, kind) -> list:
    return [part for part in _parts(model) if isinstance(part, kind)]


def _block_model(fn, name: str, input_shape, *args, **kwargs):
    """``keras.Model(x, fn(x, *args, **kwargs))`` on an input of ``input_shape``; ``None`` if not attempted."""
    x = keras.Input(input_shape)
    y = call(fn, x, *args, **kwargs)
    if y is None:
        return None
    if isinstance(y, keras.layers.Layer):
        raise ExerciseError(
            f"`{name}` returned a layer: apply it to `x` and return its output tensor (`return block(x)`)."
        )
    if not isinstance(y, keras.KerasTensor):
        raise ExerciseError(
            f"`{name}` should return the output tensor of its last layer. Received: {type(y).__name__}"
        )
    if y is x:
        raise ExerciseError(
            f"`{name}` returned its input `x` unchanged: return the output of its last layer."
        )
    return keras.Model(x, y)


def _set_known_weights(model, conv_class, kernel) -> None:
    """The single ``conv_class`` layer's kernel set to ``kernel`` (bias 0); every batch norm set to
    γ = 1, β = 0, moving mean 0 and moving variance 1 (a freshly built one's values, whatever its initialisers)."""
    (conv,) = _of(model, conv_class)
    conv.kernel.assign(kernel)
    if conv.use_bias:
        conv.bias.assign(np.zeros(conv.bias.shape))
    for norm in _of(model, keras.layers.BatchNormalization):
        for name, value in (("gamma", 1.0), ("beta", 0.0), ("moving_mean", 0.0), ("moving_variance", 1.0)):
            if getattr(norm, name, None) is not None:
                getattr(norm, name).assign(np.full(getattr(norm, name).shape, value))


def _outputs(model, x):
    """``model``'s outputs for ``x`` in inference mode, then in training mode (which updates the moving averages)."""
    inference = keras.ops.convert_to_numpy(model(x, training=False))
    return inference, keras.ops.convert_to_numpy(model(x, training=True))


def _check_initialiser(kernel, name: str, rebuilt_kernels) -> None:
    """The DCGAN paper's N(0, 0.02) weights, seeded: the same seed builds the same kernel, another seed another."""
    kernel = keras.ops.convert_to_numpy(kernel)
    if not (0.012 < kernel.std() < 0.028 and abs(kernel.mean()) < 0.006):
        raise ExerciseError(
            f"{name}'s weights have standard deviation {kernel.std():.3f}: initialise them from N(0, 0.02), the "
            "DCGAN paper's, with kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02, seed=seed)."
        )
    same, other = (keras.ops.convert_to_numpy(k) for k in rebuilt_kernels)
    if not np.array_equal(kernel, same) or np.array_equal(kernel, other):
        raise ExerciseError(
            f"Pass `seed` to {name[0].lower() + name[1:]}'s initialiser (RandomNormal(0.0, 0.02, seed=seed)): the same "
            "seed must build "
            "the same weights and another seed other weights, so that a run can be repeated."
        )


def seed_of(kernel, tries=range(16)):
    """The seed ``s`` for which ``RandomNormal(0.0, 0.02, seed=s)`` draws exactly ``kernel`` (``None``: none of
    ``tries``), to name the seed a learner gave a layer."""
    kernel = np.asarray(keras.ops.convert_to_numpy(kernel))
    for seed in tries:
        drawn = keras.initializers.RandomNormal(0.0, 0.02, seed=seed)(kernel.shape, dtype=kernel.dtype)
        if np.array_equal(keras.ops.convert_to_numpy(drawn), kernel):
            return seed
    return None


def check_momentum(norms, where: str) -> None:
    """Every batch norm in ``norms`` keeps its moving averages with momentum 0.9 (the DCGAN's, section 3)."""
    wrong = [norm.momentum for norm in norms if abs(norm.momentum - 0.9) > 1e-6]
    if wrong:
        raise ExerciseError(
            f"{where}: batch norm with momentum {wrong[0]:g}; use BatchNormalization(momentum=0.9). Its moving "
            "averages are what the network uses at inference (training=False: every sample the lesson shows); "
            "with Keras' default 0.99 they take in 1% of each batch instead of 10%, and lag far behind a short run."
        )


def _check_batch_norm_modes(name: str, got_inference, got_training, want_inference, want_training) -> None:
    """Batch norm normalises with the batch's statistics in training mode, with its moving averages in inference."""
    if np.allclose(got_inference, want_training, atol=_TOL) and not np.allclose(
        want_inference, want_training
    ):
        raise ExerciseError(
            f"In inference mode `{name}` still normalises with the batch's statistics: batch norm must use its "
            "moving averages there. Use keras.layers.BatchNormalization, which keeps them, and let Keras set the "
            "mode when the model is called (don't force training=True)."
        )
    if np.allclose(got_training, want_inference, atol=_TOL):
        raise ExerciseError(
            f"In training mode `{name}` normalises with the moving averages: batch norm must use the batch's own "
            "statistics there. Let Keras set the mode when the model is called (don't force training=False)."
        )


def check_up_block(fn) -> bool:
    """Exercise: ``fn(x, filters, kernel_size, seed)``, the DCGAN generator's hidden layer, returns
    ``Conv2DTranspose(filters, kernel_size, strides=2, padding="same", use_bias=False) → BatchNorm → ReLU``
    applied to ``x`` (ganlib's: :func:`ganlib.models.dcgan.up_block`)."""
    if not_attempted(fn):
        return todo("write `up_block(x, filters, kernel_size, seed)` and run this cell again.")
    model = _block_model(fn, "up_block", (4, 4, 16), 8, 4, 0)
    if model is None:
        return todo("replace `raise NotImplementedError` in `up_block` with your code.")
    shape = tuple(model.output_shape[1:])
    if shape[:2] == (4, 4):
        raise ExerciseError(
            'The size did not double: upsample with Conv2DTranspose(…, strides=2, padding="same").'
        )
    if shape[:2] == (2, 2):
        raise ExerciseError(
            "The size halved: a strided Conv2D is D's tool. G upsamples with Conv2DTranspose."
        )
    if shape[:2] in ((10, 10), (11, 11)):
        raise ExerciseError(
            f"{shape[0]}×{shape[0]} is padding='valid' ((4 − 1)·2 + 4 = 10): padding='same' doubles exactly."
        )
    if shape != (8, 8, 8):
        raise ExerciseError(f"A 4×4×16 input with filters=8 should give 8×8×8, got {shape}.")
    transposed = _of(model, keras.layers.Conv2DTranspose)
    if len(transposed) != 1:
        raise ExerciseError(
            f"Expected one Conv2DTranspose (the DCGAN's learned upsampling), found {len(transposed)}"
            + (
                " (UpSampling2D + Conv2D is another recipe)."
                if _of(model, keras.layers.UpSampling2D)
                else "."
            )
        )
    conv = transposed[0]
    if tuple(conv.kernel_size) != (4, 4):
        raise ExerciseError(
            f"Pass `kernel_size` on to the Conv2DTranspose (asked for 4, it has {conv.kernel_size})."
        )
    if conv.use_bias:
        raise ExerciseError(
            "Bias left on before batch norm: Conv2DTranspose(…, use_bias=False). Batch norm subtracts the mean, "
            "which cancels any bias, and its own shift β takes the bias's place."
        )
    if conv.activation is not keras.activations.linear:
        raise ExerciseError("No activation inside the Conv2DTranspose: the ReLU comes after batch norm.")
    norms = _of(model, keras.layers.BatchNormalization)
    if not norms:
        raise ExerciseError(
            "Batch norm is missing: Conv2DTranspose → keras.layers.BatchNormalization → ReLU (the DCGAN normalises "
            "every generator layer but the output; the layer also keeps the moving averages inference uses)."
        )
    if _of(model, keras.layers.LeakyReLU):
        raise ExerciseError("LeakyReLU is the discriminator's activation: the DCGAN generator uses ReLU.")
    check_momentum(norms, "In `up_block`")
    count = model.count_params()
    if (
        count != 4 * 4 * 16 * 8 + 4 * 8
    ):  # 2,048 kernel weights (no bias) + γ, β, moving mean and variance of 8 channels
        raise ExerciseError(
            f"Expected 2,080 parameters (4·4·16·8 = 2,048 kernel weights, no bias, + 4·8 in batch norm), got {count:,}."
        )
    _check_initialiser(
        conv.kernel,
        "The Conv2DTranspose",
        [
            _of(_block_model(fn, "up_block", (4, 4, 16), 8, 4, s), keras.layers.Conv2DTranspose)[0].kernel
            for s in (0, 1)
        ],
    )
    # Known weights on three 1×1×2 inputs: kernel 2 with stride 2 turns each pixel into its own 2×2 block, and a
    # kernel equal over the 2×2 window gives every pixel of the block f0 = x0, f1 = x0 − x1:
    #   x = [1, 4], [3, 0], [2, 2]  →  y: f0 = 1, 3, 2;  f1 = −3, 3, 0.
    # Training mode: f0's mean 2 and variance 2/3, f1's mean 0 and variance 6 (over the batch and the positions):
    #   BN → f0 = (−1, 1, 0)/√(2/3 + ε) = ∓1.2238, 0;  f1 = (−3, 3, 0)/√(6 + ε) = ∓1.2246, 0;  ReLU keeps the positive.
    # Inference mode: the moving averages (mean 0, variance 1): y/√(1 + ε), then ReLU.
    model = _block_model(fn, "up_block", (1, 1, 2), 2, 2, 0)
    _set_known_weights(
        model,
        keras.layers.Conv2DTranspose,
        np.broadcast_to(np.array([[1.0, 0.0], [1.0, -1.0]]), (2, 2, 2, 2)),
    )
    x = np.array([[1.0, 4.0], [3.0, 0.0], [2.0, 2.0]], dtype=np.float32).reshape(3, 1, 1, 2)
    normalised = np.array([[-1.22383, -1.22464], [1.22383, 1.22464], [0.0, 0.0]])
    want_training = np.maximum(normalised, 0.0)[:, None, None, :]
    want_inference = np.array([[0.99950, 0.0], [2.99850, 2.99850], [1.99900, 0.0]])[:, None, None, :]
    got_inference, got_training = _outputs(model, x)
    _check_batch_norm_modes("up_block", got_inference, got_training, want_inference, want_training)
    if np.allclose(got_training, normalised[:, None, None, :], atol=_TOL):
        raise ExerciseError("The ReLU is missing: Conv2DTranspose → BatchNormalization → ReLU.")
    # ReLU before batch norm: f1 = ReLU(−3, 3, 0) = (0, 3, 0) has mean 1, variance 2 → (−0.707, 1.414, −0.707).
    if np.allclose(got_training[:, 0, 0, 1], [-0.70693, 1.41386, -0.70693], atol=_TOL):
        raise ExerciseError(
            "ReLU before batch norm: the order is Conv2DTranspose → BatchNormalization → ReLU."
        )
    if got_training.min() < -_TOL:
        raise ExerciseError(
            "The block's output has negative values: the last layer is a ReLU (not LeakyReLU, not none)."
        )
    if not (
        np.allclose(got_training, want_training, atol=_TOL)
        and np.allclose(got_inference, want_inference, atol=_TOL)
    ):
        raise ExerciseError(
            f"For the test input, training mode should give {np.round(want_training[:, 0, 0], 4).tolist()} and inference "
            f"mode {np.round(want_inference[:, 0, 0], 4).tolist()}; got {np.round(got_training[:, 0, 0], 4).tolist()} and "
            f"{np.round(got_inference[:, 0, 0], 4).tolist()}. Hint: Conv2DTranspose → BatchNormalization → ReLU."
        )
    print(
        "✅ Correct: 4×4 → 8×8, 2,080 parameters, no bias; batch statistics in training, moving averages in inference."
    )
    return True


def _down(fn, input_shape, filters, kernel_size, seed, batch_norm):
    return _block_model(fn, "down_block", input_shape, filters, kernel_size, seed, batch_norm=batch_norm)


def check_down_block(fn) -> bool:
    """Exercise: ``fn(x, filters, kernel_size, seed, batch_norm=True)``, the DCGAN discriminator's hidden layer,
    returns ``Conv2D(filters, kernel_size, strides=2, padding="same") → [BatchNorm] → LeakyReLU(0.2)`` applied
    to ``x``, the convolution without bias when batch norm follows (ganlib's: :func:`ganlib.models.dcgan.down_block`)."""
    if not_attempted(fn):
        return todo(
            "write `down_block(x, filters, kernel_size, seed, batch_norm=True)` and run this cell again."
        )
    first = _down(fn, (8, 8, 8), 16, 4, 0, batch_norm=False)
    if first is None:
        return todo("replace `raise NotImplementedError` in `down_block` with your code.")
    shape = tuple(first.output_shape[1:])
    if shape[:2] == (8, 8):
        raise ExerciseError('The size did not halve: Conv2D(…, strides=2, padding="same").')
    if shape[:2] == (16, 16):
        raise ExerciseError("The size doubled: Conv2DTranspose is G's tool. D halves with a strided Conv2D.")
    if shape[:2] == (3, 3):
        raise ExerciseError("3×3 is padding='valid' ((8 − 4)/2 + 1 = 3): padding='same' halves exactly.")
    if shape != (4, 4, 16):
        raise ExerciseError(f"An 8×8×8 input with filters=16 should give 4×4×16, got {shape}.")
    later = _down(fn, (8, 8, 8), 16, 4, 0, batch_norm=True)
    for model, batch_norm in ((first, False), (later, True)):
        convs = _of(model, keras.layers.Conv2D)
        if len(convs) != 1:
            raise ExerciseError(f"Expected one strided Conv2D, found {len(convs)} convolutions.")
        if tuple(convs[0].kernel_size) != (4, 4):
            raise ExerciseError(
                f"Pass `kernel_size` on to the Conv2D (asked for 4, it has {convs[0].kernel_size})."
            )
        if convs[0].activation is not keras.activations.linear:
            raise ExerciseError(
                "No activation inside the Conv2D: the LeakyReLU comes last (after batch norm, if any)."
            )
        norms = _of(model, keras.layers.BatchNormalization)
        # Batch norm on the 8 input channels normalises the images; after the convolution it has 16 channels.
        before = [norm for norm in norms if norm.moving_mean.shape[-1] == 8]
        if not batch_norm and norms:
            raise ExerciseError(
                f"Batch norm {'before' if before else 'after'} the first block's convolution: with batch_norm=False "
                "there is none. The DCGAN leaves it out of D's first layer, which sees the images themselves."
                + ("" if convs[0].use_bias else " Without it, that convolution keeps its bias: use_bias=not batch_norm.")
            )
        if batch_norm and before:
            raise ExerciseError(
                "Batch norm before the convolution: the order is Conv2D → BatchNormalization → LeakyReLU."
            )
        if batch_norm and len(norms) != 1:
            raise ExerciseError(
                f"With batch_norm=True one batch norm follows the convolution; found {len(norms)}."
            )
        if batch_norm and convs[0].use_bias:
            raise ExerciseError(
                "Bias left on before batch norm: use_bias=not batch_norm (β replaces the bias)."
            )
        if not batch_norm and not convs[0].use_bias:
            raise ExerciseError(
                "Without batch norm the convolution keeps its bias: use_bias=not batch_norm."
            )
        check_momentum(norms, "In `down_block`")
    # 2,048 kernel weights (4·4·8·16) + 16 biases without batch norm; + γ, β, moving mean and variance (4·16) with.
    for model, want in ((first, 2_064), (later, 2_112)):
        if model.count_params() != want:
            raise ExerciseError(
                f"Expected {want:,} parameters (4·4·8·16 kernel weights + "
                f"{'16 biases' if want == 2_064 else '4·16 in batch norm'}), got {model.count_params():,}."
            )
    _check_initialiser(
        _of(later, keras.layers.Conv2D)[0].kernel,
        "The Conv2D",
        [_of(_down(fn, (8, 8, 8), 16, 4, s, True), keras.layers.Conv2D)[0].kernel for s in (0, 1)],
    )
    # Known weights on three 2×2×1 images: kernel 2 with stride 2 sees the whole image once; a kernel equal over
    # the window gives f0 = the sum of the pixels, f1 = minus it. Sums: 2, −1, 5.
    #   First block (no batch norm): LeakyReLU(0.2) → f0 = 2, −0.2, 5;  f1 = −0.4, 1, −1.
    #   With batch norm, training mode: f0's mean 2 and variance 6 → (0, −3, 3)/√(6 + ε) = 0, ∓1.2246, then
    #   LeakyReLU → 0, −0.2449, 1.2246 (f1 mirrored). Inference mode: y/√(1 + ε), then LeakyReLU.
    x = np.stack([np.full((2, 2), 0.5), [[-1.0, 0.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 2.0]]]).astype(
        np.float32
    )[..., None]
    kernel = np.broadcast_to(np.array([1.0, -1.0]), (2, 2, 1, 2))
    first, later = _down(fn, (2, 2, 1), 2, 2, 0, False), _down(fn, (2, 2, 1), 2, 2, 0, True)
    for model in (first, later):
        _set_known_weights(model, keras.layers.Conv2D, kernel)
    got = _outputs(first, x)[1][:, 0, 0]
    sums = np.array([[2.0, -2.0], [-1.0, 1.0], [5.0, -5.0]])
    for slope, hint in (
        (0.0, "ReLU is G's activation: D uses LeakyReLU(negative_slope=0.2)."),
        (0.3, "Keras' LeakyReLU slopes 0.3 by default: the DCGAN's is LeakyReLU(negative_slope=0.2)."),
        (1.0, "The activation is missing: LeakyReLU(negative_slope=0.2) after the convolution."),
    ):
        if np.allclose(got, np.where(sums > 0, sums, slope * sums), atol=_TOL):
            raise ExerciseError(hint)
    if not np.allclose(got, [[2.0, -0.4], [-0.2, 1.0], [5.0, -1.0]], atol=_TOL):
        raise ExerciseError(
            f"With batch_norm=False the test images should give f0, f1 = [[2, −0.4], [−0.2, 1], [5, −1]], "
            f"got {np.round(got, 4).tolist()}. Hint: Conv2D → LeakyReLU(0.2)."
        )
    got_inference, got_training = (out[:, 0, 0] for out in _outputs(later, x))
    want_training = np.array([[0.0, 0.0], [-0.24493, 1.22464], [1.22464, -0.24493]])
    want_inference = np.array([[1.99900, -0.39980], [-0.19990, 0.99950], [4.99750, -0.99950]])
    _check_batch_norm_modes("down_block", got_inference, got_training, want_inference, want_training)
    # LeakyReLU before batch norm: f0 = (2, −0.2, 5) normalised → (−0.125, −1.157, 1.282).
    if np.allclose(got_training[:, 0], [-0.12511, -1.15725, 1.28236], atol=_TOL):
        raise ExerciseError(
            "LeakyReLU before batch norm: the order is Conv2D → BatchNormalization → LeakyReLU."
        )
    if not (
        np.allclose(got_training, want_training, atol=_TOL)
        and np.allclose(got_inference, want_inference, atol=_TOL)
    ):
        raise ExerciseError(
            f"With batch_norm=True the test images should give {want_training.tolist()} in training mode and "
            f"{want_inference.tolist()} in inference mode; got {np.round(got_training, 4).tolist()} and "
            f"{np.round(got_inference, 4).tolist()}. Hint: Conv2D → BatchNormalization → LeakyReLU(0.2)."
        )
    print("✅ Correct: 8×8 → 4×4; no batch norm on the first block (and its bias kept); LeakyReLU(0.2).")
    return True
