"""How lesson 3's checks probe a learner's Keras blocks and networks (:mod:`ganlib.exercises.lesson03`).

A block or a network is judged by what it does, not by how it is written (``keras.Sequential`` or the
functional API, ``keras.layers.Concatenate`` or ``keras.ops.concatenate``): the check builds it on fixed
shapes, compares the parameter count with ganlib's, copies ganlib's weights into it, and compares the outputs
on fixed inputs in training mode (batch statistics) and in inference mode (moving averages), before and after
one training-mode call has moved batch norm's moving averages.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlib.exercises.checking import ExerciseError, learner_error

#: A fixed input batch per shape (repeatable: seeded by the shape).
_RANDOM = np.random.default_rng


def batch(shape, seed: int = 0) -> np.ndarray:
    """A fixed float32 batch of standard normal values of ``shape``."""
    return _RANDOM(seed).standard_normal(shape).astype(np.float32)


def build(fn, name: str, *args, **kwargs):
    """Call the learner's builder ``fn``; ``None`` when it raises ``NotImplementedError``.

    Any other error becomes an :class:`ExerciseError` naming the call, the error and the line of the learner's
    code that raised it, so the lesson stops on one line that says what failed.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        return None
    except Exception as error:  # noqa: BLE001 - the learner's code may fail in any way; say which
        shown = ", ".join([*map(_shown, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
        raise ExerciseError(f"`{name}({shown})` raised {learner_error(error)}") from error


def _shown(value) -> str:
    shape = getattr(value, "shape", None)
    return f"<tensor {tuple(shape)}>" if shape is not None and not isinstance(value, tuple) else repr(value)


def as_model(inputs, output, name: str) -> keras.Model:
    """A model from Keras inputs to the learner's output tensor (refused: a layer or a model instead)."""
    if not isinstance(output, keras.KerasTensor):
        raise ExerciseError(
            f"`{name}` should return the output *tensor* (apply the layers to the input: `layer(x)`), "
            f"not a {type(output).__name__}."
        )
    return keras.Model(inputs, output)


def kernels(model) -> list[np.ndarray]:
    """The convolution kernels of ``model`` (its 4-D weights), nested models included."""
    return [np.asarray(w) for w in model.weights if len(w.shape) == 4]


def check_init(model, rebuilt, other_seed, name: str) -> None:
    """The kernels are drawn from N(0, 0.02), and the seed is used: ``rebuilt()`` (the same seed) gives the
    same kernels, ``other_seed()`` different ones."""
    values = np.concatenate([k.ravel() for k in kernels(model)])
    std, mean = float(values.std()), float(values.mean())
    if not (0.015 < std < 0.025 and abs(mean) < 0.005):
        raise ExerciseError(
            f"Initialise the convolutions with DCGAN's N(0, 0.02): kernel_initializer=keras.initializers."
            f"RandomNormal(0.0, 0.02, seed=seed) (the weights of your `{name}` have mean {mean:.4f}, std {std:.4f})."
        )
    again, other = kernels(rebuilt()), kernels(other_seed())
    if not all(np.array_equal(a, b) for a, b in zip(kernels(model), again, strict=True)):
        raise ExerciseError(f"Seed the initializer with `seed`: the same seed should build the same `{name}`.")
    if all(np.array_equal(a, b) for a, b in zip(kernels(model), other, strict=True)):
        raise ExerciseError(f"Your `{name}` ignores `seed`: another seed builds the same weights. Pass `seed` on.")


def copy_weights(mine, reference, name: str) -> None:
    """Load ``reference``'s weights into ``mine`` (the same weights, in the same order, are required)."""
    want, got = [tuple(w.shape) for w in reference.weights], [tuple(w.shape) for w in mine.weights]
    if want != got:
        raise ExerciseError(
            f"The weights of your `{name}` do not line up with ganlib's: expected shapes {want}, got {got}. "
            "Build the layers in the order the docstring lists them."
        )
    mine.set_weights(reference.get_weights())


def outputs(model, inputs, training: bool) -> np.ndarray:
    """``model(inputs)`` as a NumPy array."""
    return keras.ops.convert_to_numpy(model(inputs, training=training))


def same(a, b, tol: float = 1e-4) -> bool:
    """Whether two arrays have the same shape and agree to ``tol`` (absolute, and relative to their size)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=tol, rtol=tol))


def intermediate(reference, kinds, inputs) -> np.ndarray:
    """The output, in training mode, of ``reference``'s last layer of one of the types ``kinds`` (e.g. batch
    norm, else the convolution) on ``inputs``, to diagnose a learner's block."""
    for kind in kinds:
        found = [layer for layer in reference.layers if isinstance(layer, kind)]
        if found:
            return outputs(keras.Model(reference.input, found[-1].output), inputs, True)
    raise ValueError(f"No layer of the types {kinds} in {reference.name}.")


def leaky_relu(x, slope: float) -> np.ndarray:
    return np.where(x > 0, x, slope * x)


def batch_normalized(x, epsilon: float = 1e-3) -> np.ndarray:
    """Fresh batch norm in training mode (γ = 1, β = 0): ``(x − batch mean) / sqrt(batch variance + ε)``."""
    axes = tuple(range(x.ndim - 1))
    return (x - x.mean(axis=axes)) / np.sqrt(x.var(axis=axes) + epsilon)


def compare_modes(mine, reference, inputs, diagnose, name: str) -> None:
    """Compare ``mine`` with ``reference`` (same weights) in inference mode, in training mode, then in inference
    mode again after that training call moved both batch norms' moving averages.

    ``diagnose(got, want)`` raises a specific hint for a training-mode mismatch (or returns to get the
    general one).
    """
    fresh_mine, fresh_ref = outputs(mine, inputs, False), outputs(reference, inputs, False)
    got, want = outputs(mine, inputs, True), outputs(reference, inputs, True)
    if not same(got, want):
        diagnose(got, want)
        raise ExerciseError(
            f"With ganlib's weights loaded, your `{name}` gives other outputs in training mode (largest difference "
            f"{np.abs(got - want).max():.3g}): compare your layers, in order, with the docstring."
        )
    if not same(fresh_mine, fresh_ref):
        raise ExerciseError(
            f"In inference mode (training=False) your `{name}` differs from ganlib's: let Keras pass the mode "
            "through (don't call a layer with training=True yourself), so batch norm uses its moving averages."
        )
    momentum_hint = (
        "After one training step batch norm's moving averages differ from ganlib's: use "
        "BatchNormalization(momentum=0.9) (ganlib's BATCH_NORM_MOMENTUM; Keras' default 0.99 forgets 10 "
        "times more slowly, so the averages, which inference uses, lag behind a short run)."
    )
    # The moving averages themselves (the only weights a forward pass changes): compared directly, so that a
    # difference too small to show in the outputs of freshly initialised layers is still seen.
    if not all(same(a, b, 1e-5) for a, b in zip(mine.get_weights(), reference.get_weights(), strict=True)):
        raise ExerciseError(momentum_hint)
    after_mine, after_ref = outputs(mine, inputs, False), outputs(reference, inputs, False)
    if not same(after_mine, after_ref):
        raise ExerciseError(momentum_hint)


def measured_receptive_field(model, image_shape, target_channels: int) -> int:
    """The side (pixels) of the target patch the middle logit depends on, from the gradient (rows it touches)."""
    target = tf.Variable(batch((1, *image_shape[:2], target_channels), seed=1))
    with tf.GradientTape() as tape:
        logits = model([tf.zeros((1, *image_shape)), target], training=False)
        middle = logits[0, logits.shape[1] // 2, logits.shape[2] // 2, 0]
    rows = np.nonzero(np.abs(tape.gradient(middle, target).numpy()[0]).sum(axis=(1, 2)))[0]
    return int(rows.max() - rows.min() + 1) if rows.size else 0


def depends_on(model, inputs, index: int) -> bool:
    """Whether ``model``'s output changes with its input ``index`` (the gradient of the sum is not all 0)."""
    watched = [tf.Variable(x) for x in inputs]
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(model(watched, training=False))
    gradient = tape.gradient(total, watched[index])
    return gradient is not None and bool(np.any(gradient.numpy() != 0))
