"""The checks of lesson 2 (DCGAN)'s exercises (the contract: :mod:`ganlib.exercises`).

Calculations: :func:`check_transposed_conv_size`, :func:`check_conv_params`, :func:`check_linear_interpolation`.
The pieces the lesson builds its DCGAN from and trains, each with ganlib's own of the same signature:
:func:`check_up_block` (:func:`ganlib.models.dcgan.up_block`), :func:`check_down_block`
(:func:`ganlib.models.dcgan.down_block`), :func:`check_generator` (:func:`ganlib.models.build_dcgan_generator`)
and :func:`check_ema_update` (:func:`ganlib.training.steps.ema_update`).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlib.exercises._lesson02_blocks import (  # noqa: F401 (re-exported)
    _check_initialiser,
    _of,
    _parts,
    check_down_block,
    check_momentum,
    check_up_block,
    seed_of,
)
from ganlib.exercises.checking import ExerciseError, call, not_attempted, todo
from ganlib.models import dcgan


def check_transposed_conv_size(fn) -> bool:
    """Exercise: ``fn(size, stride)`` gives the output size of ``Conv2DTranspose(padding="same")``."""
    if not_attempted(fn):
        return todo("write `upsampled_size(size, stride)` and run this cell again.")
    cases = [(7, 2), (14, 2), (4, 2), (5, 3), (1, 4)]
    got = [call(fn, size, stride) for size, stride in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `upsampled_size` with your code.")
    want = [size * stride for size, stride in cases]
    valid = [(size - 1) * stride + 4 for size, stride in cases]
    if got == valid:
        raise ExerciseError(
            "That is the size with padding='valid' and kernel 4. With 'same', it is simpler."
        )
    if got != want:
        raise ExerciseError(
            f"For (size, stride) = {cases} expected {want}, got {got}. Hint: 'same' means 'times the stride'."
        )
    print("✅ Correct: with padding='same', a stride-2 transposed convolution doubles the size: 7 → 14 → 28.")
    return True


def check_conv_params(fn) -> bool:
    """Exercise: ``fn(kernel_size, in_channels, filters, use_bias)`` gives a ``Conv2D`` layer's parameter count."""
    if not_attempted(fn):
        return todo(
            "write `conv_params(kernel_size, in_channels, filters, use_bias)` and run this cell again."
        )
    cases = [(4, 1, 32, True), (4, 32, 64, False), (3, 3, 16, True), (5, 64, 128, False)]
    got = [call(fn, *case) for case in cases]
    if any(value is None for value in got):
        return todo("replace `raise NotImplementedError` in `conv_params` with your code.")
    want = [k * k * c * f + (f if bias else 0) for k, c, f, bias in cases]
    if got == [k * k * f + (f if bias else 0) for k, c, f, bias in cases]:
        raise ExerciseError("Each filter sees *all* input channels: multiply by in_channels too.")
    if got == [k * k * c * f + f for k, c, f, bias in cases]:
        raise ExerciseError(
            "Layers followed by batch norm have no bias (use_bias=False): count it only when there is one."
        )
    if got != want:
        raise ExerciseError(
            f"For {cases} expected {want}, got {got}. Hint: kernel_size² · in_channels · filters (+ filters)."
        )
    print("✅ Correct: a convolution's parameters do not depend on the image size — that is weight sharing.")
    return True


def check_linear_interpolation(fn) -> bool:
    """Exercise: ``fn(z_a, z_b, steps)`` returns ``steps`` points from ``z_a`` to ``z_b``, both included."""
    if not_attempted(fn):
        return todo("write `lerp(z_a, z_b, steps)` and run this cell again.")
    z_a, z_b = np.array([0.0, 2.0, -1.0]), np.array([4.0, 0.0, 1.0])
    got = call(fn, z_a, z_b, 5)
    if got is None:
        return todo("replace `raise NotImplementedError` in `lerp` with your code.")
    got = np.asarray(got, dtype=np.float64)
    want = np.linspace(0.0, 1.0, 5)[:, None] * (z_b - z_a) + z_a
    if got.shape != want.shape:
        raise ExerciseError(f"Expected shape {want.shape} (steps × latent size), got {got.shape}.")
    if np.allclose(got, np.linspace(0.0, 1.0, 5, endpoint=False)[:, None] * (z_b - z_a) + z_a):
        raise ExerciseError(
            "The last point should be z_b itself: include the end point (np.linspace does by default)."
        )
    if np.allclose(got, want[::-1]):
        raise ExerciseError("Backwards: start at z_a and end at z_b.")
    if not np.allclose(got, want):
        raise ExerciseError("Not quite. Hint: z(t) = (1 − t)·z_a + t·z_b for t = 0, 1/(steps−1), …, 1.")
    print(
        "✅ Correct. ganlib.latent.interpolate also offers spherical interpolation (the default in the explorer)."
    )
    return True


def _relus(model) -> int:
    """How many ReLUs ``model`` applies: layers, ``Activation("relu")`` and ``keras.ops.relu``."""
    return sum(
        (isinstance(part, keras.layers.ReLU) and not part.negative_slope)
        or (isinstance(part, keras.layers.Activation) and part.activation is keras.activations.relu)
        or type(part).__name__ == "Relu"
        for part in _parts(model)
    )


def _build_generator(fn, image_shape, calls, seed=0, seeds=None):
    def up_block(x, filters, kernel_size, seed=None):  # ganlib's block, counting the calls (and their seeds)
        calls.append(filters)
        if seeds is not None:
            seeds.append(seed)
        if kernel_size != 4:
            raise ExerciseError(f"Pass `kernel_size` on to `up_block` (asked for 4, it got {kernel_size}).")
        return dcgan.up_block(x, filters, kernel_size, seed)

    generator = call(fn, 8, image_shape, 4, 4, seed=seed, up_block=up_block)
    if generator is not None and not isinstance(generator, keras.Model):
        raise ExerciseError(
            f"Return the network, keras.Model(z, images). Received: {type(generator).__name__}"
        )
    return generator


def _seed_named(seed) -> str:
    return "an unknown seed" if seed is None else "`seed`" if seed == 0 else f"seed + {seed}"


def _check_seeds(generator, seeds) -> None:
    """ganlib's order, as the text asks, here with seed = 0 and n = 2 stride-2 layers: the Dense layer seed 0, the
    up-block seed 1, the output layer seed 2, each N(0, 0.02) (so with ganlib's block it is ganlib's generator)."""
    used = seed_of(_of(generator, keras.layers.Dense)[0].kernel)
    if used != 0:
        raise ExerciseError(
            f"The Dense layer's initialiser got {_seed_named(used)}: ganlib's builder gives it `seed` itself, the "
            "up-blocks seed + 1, seed + 2, … and the output layer seed + n, so that with ganlib's blocks you build "
            "its generator weight for weight (same seed, same weights, same figures as the lesson's)."
        )
    if seeds != [1]:
        raise ExerciseError(
            f"The up-block got seed={seeds[0] if seeds else None} from a builder called with seed=0: the i-th up-block "
            "(from 1) gets seed + i, so the first gets seed + 1 (`seed` itself is the Dense layer's)."
        )
    outputs = [conv for conv in _of(generator, keras.layers.Conv2DTranspose) if conv.filters == 1]
    kernel = keras.ops.convert_to_numpy(outputs[-1].kernel)
    used = seed_of(kernel)
    if used == 2:
        return
    if not (0.012 < kernel.std() < 0.028 and abs(kernel.mean()) < 0.006):
        raise ExerciseError(
            f"The output layer's weights have standard deviation {kernel.std():.3f}: initialise it from N(0, 0.02) "
            "too, the DCGAN paper's, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.02, seed=seed + n)."
        )
    raise ExerciseError(
        f"The output layer's initialiser got {_seed_named(used)}: give it seed + n, the last seed of the builder "
        "(n = doublings(image_shape), 2 for 28 pixels, so seed + 2 here)."
    )


def check_generator(fn) -> bool:
    """Exercise: ``fn(latent_dim, image_shape, base_filters, kernel_size, seed, up_block)`` builds the DCGAN
    generator: project ``z``, reshape, batch norm and ReLU, ``up_block``s, a tanh ``Conv2DTranspose``
    (ganlib's: :func:`ganlib.models.build_dcgan_generator`). The check gives it ganlib's ``up_block``, so with
    ganlib's seeds (``seed`` for the Dense layer, ``seed + i`` for the i-th up-block, ``seed + n`` for the output
    layer, all N(0, 0.02)) it builds ganlib's generator weight for weight."""
    if not_attempted(fn):
        return todo(
            "write `build_generator(latent_dim, image_shape, base_filters, kernel_size, seed, up_block)` "
            "and run this cell again."
        )
    calls, seeds = [], []
    generator = _build_generator(fn, (28, 28, 1), calls, seeds=seeds)
    if generator is None:
        return todo("replace `raise NotImplementedError` in `build_generator` with your code.")
    shape = tuple(generator.output_shape)
    if shape[1:3] == (14, 14):
        raise ExerciseError(
            "14×14: one doubling short. After the up-blocks the output layer doubles once more (7 → 14 → 28)."
        )
    if shape[1:3] == (56, 56):
        raise ExerciseError(
            "56×56: one doubling too many. doublings(image_shape) counts the output layer too: "
            "make doublings − 1 up-blocks."
        )
    if shape != (None, 28, 28, 1):
        raise ExerciseError(
            f"For latent_dim=8 and image_shape=(28, 28, 1) expected images of shape (None, 28, 28, 1), got {shape}."
        )
    if tuple(generator.input_shape) != (None, 8):
        raise ExerciseError(
            f"The input is z, of shape (None, latent_dim) = (None, 8); got {tuple(generator.input_shape)}."
        )
    if not calls:
        raise ExerciseError(
            "Build the hidden layers with the `up_block` you are given (`x = up_block(x, filters, "
            "kernel_size, seed)`): that is how your block from the exercise before gets into G."
        )
    if calls != [4]:
        raise ExerciseError(
            f"With base_filters=4 the projection has 2·4 = 8 filters and the one up-block 4; your "
            f"up-blocks got {calls}. The filters halve at each up-block and end at base_filters."
        )
    count = generator.count_params()
    # z (8) → Dense 7·7·8 = 392 units, no bias: 3,136;  BatchNorm(8): 32;  up_block 8 → 4: 4·4·8·4 + 4·4 = 528;
    # output Conv2DTranspose 4 → 1 with its bias: 4·4·4·1 + 1 = 65.  Total 3,761.
    hints = {
        392: "The projection is followed by batch norm: Dense(…, use_bias=False) (β replaces the bias).",
        -32: "Batch norm after the reshape is missing: Dense → Reshape → BatchNormalization → ReLU.",
        -1: "The output layer keeps its bias: no batch norm follows it.",
    }
    if count != 3_761:
        raise ExerciseError(
            hints.get(
                count - 3_761,
                f"Expected 3,761 parameters (Dense 3,136 without bias, batch norm "
                f"32, the up-block 528, the output layer 65), got {count:,}.",
            )
        )
    if _of(generator, keras.layers.LeakyReLU):
        raise ExerciseError("LeakyReLU is the discriminator's activation: the DCGAN generator uses ReLU.")
    if _relus(generator) < 2:
        raise ExerciseError(
            "The ReLU after the projection's batch norm is missing: Dense → Reshape → BatchNorm → ReLU."
        )
    check_momentum(_of(generator, keras.layers.BatchNormalization), "After the projection")
    dense = _of(generator, keras.layers.Dense)
    _check_initialiser(
        dense[0].kernel,
        "The Dense projection",
        [_of(_build_generator(fn, (28, 28, 1), [], s), keras.layers.Dense)[0].kernel for s in (0, 1)],
    )
    _check_seeds(generator, seeds)
    # Huge weights drive every pre-activation far from 0: only a squashing output stays bounded.
    z = np.linspace(-2.0, 2.0, 32, dtype=np.float32).reshape(4, 8)
    generator.set_weights([300.0 * w if w.ndim > 1 else w for w in generator.get_weights()])
    images = keras.ops.convert_to_numpy(generator(z, training=True))
    if images.min() >= 0.0 and images.max() <= 1.0:
        raise ExerciseError(
            "The images lie in [0, 1]: the data is scaled to [−1, 1], so the output is tanh, not sigmoid."
        )
    if np.abs(images).max() > 1.0 + 1e-6:
        raise ExerciseError('tanh is missing on the output layer: Conv2DTranspose(…, activation="tanh").')
    calls.clear()
    generator = _build_generator(fn, (32, 32, 3), calls)
    if tuple(generator.output_shape) != (None, 32, 32, 3) or calls != [8, 4]:
        raise ExerciseError(
            f"For 28×28 digits it works, but for 32×32×3 images (up-blocks {calls}, output {tuple(generator.output_shape)}) "
            "it should start from START_SIZES[32] = 4 with 4·2² = 16 filters, then up-blocks of 8 and 4 filters and "
            "a 3-channel output layer (4 → 8 → 16 → 32)."
        )
    print("✅ Correct: z → 7×7×8 → up-block → 28×28×1 in [−1, 1], 3,761 parameters; 32×32×3 works too.")
    return True


def check_ema_update(fn) -> bool:
    """Exercise: ``fn(ema_weights, weights, t, max_decay)`` moves each average towards its weight in place,
    ``w_ema ← d·w_ema + (1 − d)·w`` with ``d = min(max_decay, (1 + t)/(10 + t))`` (ganlib's:
    :func:`ganlib.training.steps.ema_update`)."""
    if not_attempted(fn):
        return todo("write `ema_update(ema_weights, weights, t, max_decay)` and run this cell again.")

    def step(t, max_decay, compiled=False):
        """The averages and the weights after one update of averages [0, 1, −2], 4 towards [1, 1, 2], −7."""
        ema = [keras.Variable([0.0, 1.0, -2.0]), keras.Variable(4.0)]
        weights = [keras.Variable([1.0, 1.0, 2.0]), keras.Variable(-7.0)]
        update = lambda: fn(ema, weights, tf.constant(t, tf.float32), max_decay)  # noqa: E731
        tf.function(update)() if compiled else update()
        return [keras.ops.convert_to_numpy(v) for v in ema], [keras.ops.convert_to_numpy(v) for v in weights]

    try:
        ema, weights = step(1.0, 0.999)
    except NotImplementedError:
        return todo("replace `raise NotImplementedError` in `ema_update` with your code.")
    if not (np.allclose(weights[0], [1.0, 1.0, 2.0]) and np.isclose(weights[1], -7.0)):
        raise ExerciseError(
            "The generator's weights changed: assign to the averages (ema_weights), not to the weights."
        )
    if np.allclose(ema[0], [0.0, 1.0, -2.0]) and np.isclose(ema[1], 4.0):
        raise ExerciseError(
            "The averages did not move: update each one in place, ema_weight.assign(…) "
            "(the trainer keeps the variables; a returned value changes nothing)."
        )

    def decay(ema):  # 4 → d·4 + (1 − d)·(−7) = 11·d − 7, so d = (new + 7)/11
        d = (float(ema[1]) + 7.0) / 11.0
        if not np.allclose(
            ema[0], d * np.array([0.0, 1.0, -2.0]) + (1 - d) * np.array([1.0, 1.0, 2.0]), atol=1e-5
        ):
            raise ExerciseError(
                "Each average moves by the same rule, w_ema ← d·w_ema + (1 − d)·w: loop over "
                "zip(ema_weights, weights)."
            )
        return d

    # t = 1: d = min(0.999, 2/11) = 0.1818: [0, 1, −2] → 2/11·[0, 1, −2] + 9/11·[1, 1, 2] = [0.818, 1, 1.273]; 4 → −5.
    d = decay(ema)
    if np.isclose(d, 9 / 11, atol=1e-4):
        raise ExerciseError(
            "d and 1 − d are swapped: the average keeps d of itself, w_ema ← d·w_ema + (1 − d)·w."
        )
    if np.isclose(d, 0.999, atol=1e-4):
        # t = 1000, max_decay 0.99: min(0.99, 1001/1010 = 0.99109) = 0.99, max would give 0.99109.
        if np.isclose(decay(step(1000.0, 0.99)[0]), 1001 / 1010, atol=1e-5):
            raise ExerciseError(
                "max instead of min: the ramp stops at max_decay, d = min(max_decay, (1 + t)/(10 + t))."
            )
        raise ExerciseError(
            "The ramp is missing: d = min(max_decay, (1 + t)/(10 + t)), 2/11 at the first update, so "
            "the average forgets the random initial weights quickly."
        )
    if np.isclose(d, 3 / 12, atol=1e-4):
        raise ExerciseError(
            "t already counts this update (1 at the first): d = (1 + t)/(10 + t) = 2/11 there."
        )
    if not np.isclose(d, 2 / 11, atol=1e-5):
        raise ExerciseError(
            f"With t = 1 and max_decay = 0.999, d = min(0.999, 2/11) = 0.1818; your update used d = {d:.4f}."
        )
    # t = 100: 101/110 = 0.91818 (the ramp); t = 1000 with max_decay 0.99: 0.99 (the cap, not 1001/1010 = 0.99109).
    for t, max_decay, want, hint in (
        (100.0, 0.999, 101 / 110, "(1 + t)/(10 + t)"),
        (1000.0, 0.99, 0.99, "min(max_decay, …): the ramp stops at max_decay"),
    ):
        d = decay(step(t, max_decay)[0])
        if not np.isclose(d, want, atol=1e-5):
            raise ExerciseError(
                f"With t = {t:g} and max_decay = {max_decay} expected d = {want:.5f}, got {d:.5f}: {hint}."
            )
    try:
        compiled, _ = step(1.0, 0.999, compiled=True)
    except Exception as error:  # noqa: BLE001 (any failure inside a compiled step gets the same hint)
        raise ExerciseError(
            "In training the update runs inside a compiled step, where t is a symbolic tensor: write it with tensor "
            f"operations (keras.ops.minimum or tf.minimum, not Python's min or NumPy). The error: {type(error).__name__}"
        ) from None
    if not np.allclose(compiled[1], -5.0, atol=1e-5):
        raise ExerciseError(
            "Compiled, your update gives another result than eagerly: use tensor operations only."
        )
    print("✅ Correct: d = 2/11 at the first update, 101/110 at the 100th, capped at max_decay.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
