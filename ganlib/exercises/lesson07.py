"""The checks of lesson 7 (taming the game)'s exercises (the contract: :mod:`ganlib.exercises`).

In the order the lesson teaches them: WGAN-GP's gradient penalty (:func:`check_gradient_penalty`, ganlib's
:func:`ganlib.losses.gradient_penalty`), one power iteration of spectral normalisation
(:func:`check_power_iteration`, :func:`ganlib.models.stabilisers.power_iteration`) and the R1 penalty
(:func:`check_r1_penalty`, :func:`ganlib.losses.r1_penalty`). Each piece runs inside the compiled training
step, and the discriminator's weights are trained through it, so every check also runs the piece in a
``tf.function`` and compares its gradient with respect to a small discriminator's weights with one worked out
by hand.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlib.exercises.checking import ExerciseError, as_float, call, close, not_attempted, todo

__all__ = ["check_gradient_penalty", "check_power_iteration", "check_r1_penalty"]

_GRAPH_HINT = (
    "Your function runs inside the training step, a TensorFlow graph that also differentiates it with respect to "
    "the discriminator's weights: write it with tf or keras.ops (tf.GradientTape for the inner gradient), not "
    "NumPy, float() or .numpy()."
)


_SUM_HINT = ("Differentiate the *sum* of the scores: its gradient with respect to each example is that example's own "
             "gradient; the mean's is divided by the batch size.")


def _linear_critic(w1, w2):
    """``C(x) = w1·x₁ + w2·x₂`` as a Keras ``Dense(1)`` (its gradient is ``(w1, w2)`` everywhere)."""
    critic = keras.layers.Dense(1)
    critic.build((None, 2))
    critic.set_weights([np.array([[w1], [w2]], np.float32), np.zeros(1, np.float32)])
    return critic


def _half_square(x, training=None):
    """``C(x) = ½‖x‖²``: its gradient at ``x`` is ``x`` itself."""
    return 0.5 * tf.reduce_sum(tf.square(x), axis=-1, keepdims=True)


def _scalar(got, name: str) -> float:
    shape = np.shape(np.asarray(got))
    if shape != ():
        raise ExerciseError(f"`{name}` must return one number (the mean over the batch); it returned shape {shape}.")
    value = as_float(got)
    if not np.isfinite(value):
        raise ExerciseError(f"`{name}` returned {value}: it must be a finite number.")
    return value


def _weight_gradients(fn, critic, *tensors):
    """``fn(critic, *tensors)`` and its gradient w.r.t. the critic's kernel and bias, inside a ``tf.function``."""
    tensors = [tf.constant(t, tf.float32) for t in tensors]

    @tf.function
    def run(*inputs):
        with tf.GradientTape() as tape:
            value = tf.cast(fn(critic, *inputs), tf.float32)
        return value, tape.gradient(value, critic.trainable_weights)

    try:
        value, gradients = run(*tensors)
    except Exception as error:  # NumPy on a graph tensor, float(), .numpy(), a Python `if` on a tensor …
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ExerciseError(f"{_GRAPH_HINT} ({type(error).__name__}: {first_line[:160]})") from None
    if gradients[0] is None:
        raise ExerciseError(
            "No gradient reaches the discriminator's weights through your penalty, so it would not train them: "
            "take the inner gradient with a tf.GradientTape inside your function (no stop_gradient, no NumPy)."
        )
    return as_float(value), np.asarray(gradients[0], np.float64).ravel()


class _Recorder:
    """A critic that remembers what it was called on (``C(x) = x₁ − x₂``)."""

    def __init__(self):
        self.inputs = None

    def __call__(self, x, training=None):
        self.inputs = np.asarray(x)
        return x[:, :1] - x[:, 1:]


# ------------------------------------------------------------------------------------ the gradient penalty


def check_gradient_penalty(fn) -> bool:
    """Exercise: ``fn(critic, real, fake, epsilon=None, seed=None)`` is WGAN-GP's penalty
    ``E[(‖∇_x̂ C(x̂)‖₂ − 1)²]`` at ``x̂ = ε·real + (1 − ε)·fake``, ``ε ~ U[0, 1]`` drawn once per example when not
    given (:func:`ganlib.losses.gradient_penalty`)."""
    if not_attempted(fn):
        return todo("write `gradient_penalty(critic, real, fake, epsilon=None, seed=None)` and run this cell again.")
    real = tf.constant([[4.0, 0.0], [0.0, 4.0]])  # tensors, as the training step passes them
    fake = tf.constant([[0.0, 0.0], [0.0, 2.0]])
    epsilon = tf.constant([[0.5], [0.25]])
    got = call(fn, _linear_critic(3.0, 4.0), real, fake, epsilon=epsilon)
    if got is None:
        return todo("replace `raise NotImplementedError` in `gradient_penalty` with your code.")
    if np.shape(np.asarray(got)) == (2,):
        raise ExerciseError("One penalty per example: average them over the batch, so the penalty is one number.")
    got = _scalar(got, "gradient_penalty")
    # C(x) = 3·x₁ + 4·x₂: the gradient is (3, 4) everywhere, its norm 5, so the penalty is (5 − 1)² = 16.
    if close(got, 4.0):
        raise ExerciseError("Square the distance to 1: the penalty is (‖∇C‖ − 1)², not ‖∇C‖ − 1.")
    if close(got, 576.0):
        raise ExerciseError("Use the norm ‖∇C‖ = sqrt(Σ g²), not the squared norm Σ g² (that would be R1's).")
    if close(got, 25.0):
        raise ExerciseError("The penalty pulls the norm towards 1: (‖∇C‖ − 1)², not ‖∇C‖².")
    if close(got, 2.25):  # the gradient of the batch *mean*: (3, 4)/2, norm 2.5 → (2.5 − 1)²
        raise ExerciseError(_SUM_HINT)
    if not close(got, 16.0):
        raise ExerciseError(f"With C(x) = 3·x₁ + 4·x₂ (gradient (3, 4), norm 5) expected (5 − 1)² = 16, got {got:.4f}.")
    # C(x) = ½‖x‖²: the gradient at x̂ is x̂. x̂₁ = 0.5·(4, 0) + 0.5·(0, 0) = (2, 0), norm 2 → (2 − 1)² = 1;
    # x̂₂ = 0.25·(0, 4) + 0.75·(0, 2) = (0, 2.5), norm 2.5 → 1.5² = 2.25; mean 1.625.
    got = _scalar(call(fn, _half_square, real, fake, epsilon=epsilon), "gradient_penalty")
    if close(got, 3.625):  # x̂₂ = 0.25·(0, 2) + 0.75·(0, 4) = (0, 3.5): ε weighed the fake example
        raise ExerciseError("ε weighs the real example: x̂ = ε·real + (1 − ε)·fake (Gulrajani et al., Algorithm 1).")
    if close(got, 0.03125):  # the gradient of the batch *mean* of the scores is each example's gradient / 2
        raise ExerciseError(_SUM_HINT)
    if not close(got, 1.625):
        raise ExerciseError(f"With C(x) = ½‖x‖² and the ε given, expected 1.625, got {got:.4f}. Hint: use the "
                             "`epsilon` you are given, one per example: x̂ = epsilon·real + (1 − epsilon)·fake.")
    # In the graph, w.r.t. the critic's weights w: d/dw (‖w‖ − 1)² = 2·(‖w‖ − 1)·w/‖w‖ = 2·4·(3, 4)/5 = (4.8, 6.4).
    value, gradient = _weight_gradients(lambda c, r, f, e: fn(c, r, f, epsilon=e), _linear_critic(3.0, 4.0),
                                        real, fake, epsilon)
    if not (close(value, 16.0) and np.allclose(gradient, [4.8, 6.4], atol=1e-3)):
        raise ExerciseError(f"In the training graph: penalty {value:.4f} (expected 16), gradient w.r.t. the critic's "
                             f"weights {gradient.round(3).tolist()} (expected [4.8, 6.4]). " + _GRAPH_HINT)
    # A critic whose gradient is 0: the penalty is (0 − 1)² = 1, and its gradient must be finite (sqrt' is ∞ at 0).
    value, gradient = _weight_gradients(lambda c, r, f, e: fn(c, r, f, epsilon=e), _linear_critic(0.0, 0.0),
                                        real, fake, epsilon)
    if not np.all(np.isfinite(gradient)):
        raise ExerciseError(
            "Where the critic's gradient is exactly 0, the square root's derivative is infinite and your penalty's "
            "gradient is NaN, which would wreck the critic's weights: take sqrt(Σ g² + 1e-12) (a tiny constant inside "
            "the root), not tf.norm or a bare sqrt."
        )
    if not close(value, 1.0):
        raise ExerciseError(f"With a flat critic (gradient 0) expected (0 − 1)² = 1, got {value:.4f}.")
    _check_uniform_weights(fn)
    print("✅ Correct: 16 for a critic of slope 5, 1.625 at the interpolates given, a finite gradient where the "
          "critic is flat, and one ε ~ U[0, 1] per example when none is given.")
    return True


def _check_uniform_weights(fn) -> None:
    """With ``epsilon=None``, ``x̂ = ε·1 + (1 − ε)·0 = ε``: the critic sees each example's weight twice."""
    recorder = _Recorder()
    n = 2000
    got = call(fn, recorder, tf.ones((n, 2)), tf.zeros((n, 2)), seed=7)
    if recorder.inputs is None or got is None:
        raise ExerciseError("With epsilon=None, draw the weights yourself and call the critic on the interpolates.")
    weights = recorder.inputs.astype(np.float64)
    if weights.shape != (n, 2):
        raise ExerciseError(f"The critic should see the {n} interpolates, shape ({n}, 2); it saw {weights.shape}.")
    if not np.allclose(weights[:, 0], weights[:, 1], atol=1e-6):
        raise ExerciseError("Draw one ε per example, shape (batch, 1), broadcast over its features; you drew one per "
                             "number, which mixes real and fake coordinates instead of interpolating between points.")
    weights = weights[:, 0]
    if np.std(weights) < 0.1:
        raise ExerciseError("Draw one ε per example, not one for the whole batch: each example gets its own point "
                             "on its line between real and fake.")
    if weights.min() < -1e-6 or weights.max() > 1 + 1e-6 or abs(np.mean(weights) - 0.5) > 0.05 or \
            abs(np.mean(weights < 0.25) - 0.25) > 0.05:
        raise ExerciseError(
            f"ε should be uniform on [0, 1] (Gulrajani et al., Algorithm 1); yours ranged over "
            f"[{weights.min():.2f}, {weights.max():.2f}] with mean {weights.mean():.2f}. A normal draw (a bug of "
            "published WGAN-GP code) puts points outside the segment between real and fake."
        )


# ------------------------------------------------------------------------------------ spectral normalisation


def check_power_iteration(fn) -> bool:
    """Exercise: ``fn(kernel, u)`` is one power iteration, ``v = u·Wᵀ/‖u·Wᵀ‖``, ``u' = v·W/‖v·W‖``,
    ``σ = v·W·u'ᵀ`` with ``u`` and ``v`` held constant (:func:`ganlib.models.stabilisers.power_iteration`); it returns
    ``(sigma, u')``."""
    if not_attempted(fn):
        return todo("write `power_iteration(kernel, u)` and run this cell again.")
    kernel = np.array([[3.0, 0.0], [4.0, 5.0], [0.0, 0.0]], np.float32)  # (fan_in 3, units 2)
    u = np.array([[1.0, 0.0]], np.float32)
    try:
        got = call(fn, tf.constant(kernel), tf.constant(u))
    except Exception as error:
        raise ExerciseError(f"Your function failed on a (3, 2) kernel and u of shape (1, 2): {type(error).__name__}: "
                             f"{str(error).splitlines()[0][:160] if str(error) else ''}. W is (fan_in, units), u is "
                             "(1, units): v = u·Wᵀ is (1, fan_in), then v·W is (1, units).") from None
    if got is None:
        return todo("replace `raise NotImplementedError` in `power_iteration` with your code.")
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        raise ExerciseError("Return two things: (sigma, u), the estimate of σ(W) and the new u.")
    sigma, new_u = _scalar(got[0], "sigma"), np.asarray(got[1], np.float64)
    # u·Wᵀ = (3, 4, 0) → v = (0.6, 0.8, 0); v·W = (0.6·3 + 0.8·4, 0.8·5) = (5, 4) → u' = (5, 4)/√41; σ = v·W·u'ᵀ = √41.
    want_u = np.array([[5.0, 4.0]]) / np.sqrt(41.0)
    if close(sigma, 32.0156, 1e-3):  # v = (3, 4, 0) left unnormalised: v·W = (25, 20), ‖·‖ = √1025
        raise ExerciseError("Normalise v too: v = u·Wᵀ / ‖u·Wᵀ‖, or σ comes out ‖u·Wᵀ‖ times too large.")
    if not close(sigma, np.sqrt(41.0), 1e-4):
        raise ExerciseError(f"For W = [[3, 0], [4, 5], [0, 0]] and u = [[1, 0]] expected σ = √41 ≈ 6.4031 after one "
                             f"iteration, got {sigma:.4f}. Hint: v = u·Wᵀ/‖u·Wᵀ‖, u' = v·W/‖v·W‖, σ = v·W·u'ᵀ.")
    if new_u.shape != (1, 2):
        raise ExerciseError(f"Return u with the shape it came in, (1, units) = (1, 2); got {new_u.shape}.")
    if not np.allclose(new_u, want_u, atol=1e-4):
        raise ExerciseError(f"Expected the new u = (5, 4)/√41 ≈ {want_u.round(4).tolist()}, got {new_u.round(4).tolist()}: "
                             "u' = v·W/‖v·W‖, a unit vector.")

    @tf.function
    def gradient_of_sigma(w, start):
        with tf.GradientTape() as tape:
            tape.watch(w)
            value = tf.cast(fn(w, start)[0], tf.float32)
        return tape.gradient(value, w)

    try:
        gradient = np.asarray(gradient_of_sigma(tf.constant(kernel), tf.constant(u)), np.float64)
    except Exception as error:
        raise ExerciseError(f"{_GRAPH_HINT} ({type(error).__name__})") from None
    want_gradient = np.outer([0.6, 0.8, 0.0], want_u[0])  # ∂σ/∂W = vᵀ·u' with u', v held constant
    if not np.allclose(gradient, want_gradient, atol=1e-4):
        raise ExerciseError("Hold u and v constant when σ is differentiated (keras.ops.stop_gradient on both), as "
                             "Miyato et al. and Keras do: the gradient then reaches W through σ = v·W·uᵀ only, "
                             "∂σ/∂W = vᵀ·u.")
    print(f"✅ Correct: σ ≈ {sigma:.4f} after one iteration (σ_max = √45 ≈ 6.7082: more iterations, or more training "
          "steps with u kept, close the gap).")
    return True


# ------------------------------------------------------------------------------------ the R1 penalty


def check_r1_penalty(fn) -> bool:
    """Exercise: ``fn(discriminator, real_images)`` is ``E[‖∇_x D(x)‖²]`` over the real batch, the R1 penalty
    before its factor ``γ/2`` (:func:`ganlib.losses.r1_penalty`)."""
    if not_attempted(fn):
        return todo("write `r1_penalty(discriminator, real_images)` and run this cell again.")
    real = tf.constant([[1.0, 2.0], [3.0, 0.0]])
    got = call(fn, _linear_critic(3.0, 4.0), real)
    if got is None:
        return todo("replace `raise NotImplementedError` in `r1_penalty` with your code.")
    if np.shape(np.asarray(got)) == (2,):
        raise ExerciseError("One value per example: average them over the batch, so the penalty is one number.")
    got = _scalar(got, "r1_penalty")
    # D(x) = 3·x₁ + 4·x₂: gradient (3, 4), squared norm 25 for every example.
    if close(got, 5.0):
        raise ExerciseError("R1 penalises the *squared* norm ‖∇D‖² = Σ g²: no square root.")
    if close(got, 12.5):
        raise ExerciseError("Return E[‖∇D(x)‖²] alone: the trainer multiplies it by γ/2.")
    if close(got, 16.0):  # (‖(3, 4)‖ − 1)²: WGAN-GP's form
        raise ExerciseError("R1 pulls the gradient towards 0 (‖∇D‖², zero-centred), not its norm towards 1 as "
                             "WGAN-GP's penalty does.")
    if close(got, 50.0):
        raise ExerciseError("Average over the examples, don't sum them.")
    if close(got, 6.25):  # the gradient of the batch *mean*: (1.5, 2), squared norm 6.25
        raise ExerciseError(_SUM_HINT)
    if not close(got, 25.0):
        raise ExerciseError(f"With D(x) = 3·x₁ + 4·x₂ (gradient (3, 4)) expected ‖(3, 4)‖² = 25, got {got:.4f}.")
    # D(x) = ½‖x‖²: gradient x; ‖(1, 2)‖² = 5, ‖(3, 0)‖² = 9; mean 7.
    got = _scalar(call(fn, _half_square, real), "r1_penalty")
    if close(got, 1.75):
        raise ExerciseError(_SUM_HINT)
    if not close(got, 7.0):
        raise ExerciseError(f"With D(x) = ½‖x‖² (gradient x) and real (1, 2), (3, 0) expected (5 + 9)/2 = 7, got {got:.4f}.")
    # In the graph, w.r.t. D's weights w: d/dw ‖w‖² = 2w = (6, 8).
    value, gradient = _weight_gradients(fn, _linear_critic(3.0, 4.0), real)
    if not (close(value, 25.0) and np.allclose(gradient, [6.0, 8.0], atol=1e-3)):
        raise ExerciseError(f"In the training graph: penalty {value:.4f} (expected 25), gradient w.r.t. D's weights "
                             f"{gradient.round(3).tolist()} (expected [6, 8]). " + _GRAPH_HINT)
    value, gradient = _weight_gradients(fn, _linear_critic(0.0, 0.0), real)
    if not np.all(np.isfinite(gradient)) or not close(value, 0.0):
        raise ExerciseError("Where D is flat (gradient 0) the penalty is 0 and its gradient must be finite: sum the "
                             "squares (Σ g²); a square root in between has an infinite slope at 0.")
    print("✅ Correct: ‖(3, 4)‖² = 25 for a linear D, (5 + 9)/2 = 7 for D(x) = ½‖x‖², and a finite gradient where D is flat.")
    return True
