"""Lesson 1's checks of what the learner builds to play and train: the MLP generator and discriminator, and
one training step with two gradient tapes. :mod:`ganlib.exercises.lesson01` re-exports them."""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf

from ganlib import losses, models
from ganlib.exercises.checking import ExerciseError, call, not_attempted, todo
from ganlib.training import by_hand

_RNG = np.random.default_rng(0)
_Z = _RNG.standard_normal((4, 8)).astype(np.float32)  # the generator check's noise (latent_dim 8)
_X = _RNG.uniform(-1, 1, (4, 6, 4, 2)).astype(np.float32)  # the discriminator check's images (6×4×2)


# ------------------------------------------------------------------------------------------- helpers


def _layers(model):
    """``model``'s layers in the order they apply, nested models opened, as ``(kind, layer)`` pairs: kind is
    ``"dense"``, ``"batch_norm"``, ``"dropout"``, an activation's name (``"leaky_relu"``, ``"tanh"`` …; a
    ``Dense`` with an activation gives ``"dense"`` then the activation) or the class name."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found += _layers(layer)
        elif isinstance(layer, keras.layers.Dense):
            found.append(("dense", layer))
            if getattr(layer.activation, "__name__", "linear") != "linear":
                found.append((layer.activation.__name__, layer))
        elif isinstance(layer, keras.layers.BatchNormalization):
            found.append(("batch_norm", layer))
        elif isinstance(layer, keras.layers.LeakyReLU):
            found.append(("leaky_relu", layer))
        elif isinstance(layer, keras.layers.ReLU):
            found.append(("relu", layer))
        elif isinstance(layer, keras.layers.Activation):
            found.append((getattr(layer.activation, "__name__", "activation"), layer))
        elif isinstance(layer, keras.layers.Dropout):
            found.append(("dropout", layer))
        elif not isinstance(layer, keras.layers.InputLayer):
            found.append((type(layer).__name__.lower(), layer))
    return found


def _numpy(values) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(values), dtype=np.float64)


def _flat(weights) -> np.ndarray:
    return np.concatenate([_numpy(w).ravel() for w in weights]) if weights else np.zeros(0)


def _built(model, player: str, input_shape: tuple, first_layer: str):
    """Require a built ``keras.Model`` (Sequential or functional) taking ``input_shape``."""
    if not isinstance(model, keras.Model):
        raise ExerciseError(
            f"Return the {player} as a keras.Model: keras.Sequential([...]) or keras.Model(inputs, outputs). "
            f"Got {type(model).__name__}."
        )
    try:
        shape = tuple(model.input_shape)
    except (AttributeError, ValueError):
        shape = None
    if shape != input_shape:
        raise ExerciseError(
            f"The {player} should take inputs of shape {input_shape} (None: any batch size); got {shape}. "
            f"Start it with {first_layer}: the lesson and `fit` read its input size from the model."
        )


def _common_hints(kinds: list, player: str) -> None:
    names = [kind for kind, _ in kinds]
    if "relu" in names:
        raise ExerciseError(f"The {player}'s hidden layers use ReLU: use LeakyReLU(negative_slope=0.2), which lets a "
                            "little gradient through for negative inputs.")
    for kind, layer in kinds:
        if kind == "leaky_relu" and isinstance(layer, keras.layers.LeakyReLU) and abs(layer.negative_slope - 0.2) > 1e-6:
            raise ExerciseError(f"LeakyReLU with negative_slope={layer.negative_slope:g}: use 0.2, as ganlib and the "
                                "DCGAN paper (Keras' default is 0.3).")


def _same_seed_same_weights(model, twin, player: str) -> None:
    first, second = _flat(model.trainable_weights), _flat(twin.trainable_weights)
    if first.shape != second.shape or not np.array_equal(first, second):
        raise ExerciseError(
            f"Built twice with seed=3, the {player} got different weights: with a `seed`, build the same weights "
            "every time (e.g. call keras.utils.set_random_seed(seed) first when seed is not None)."
        )


# -------------------------------------------------------------------------------------------- players


def check_mlp_generator(build) -> bool:
    """Exercise: ``build(latent_dim, hidden_units, image_shape=(28, 28, 1), seed=None)`` builds lesson 1's
    generator: per width ``Dense(use_bias=False) → BatchNormalization → LeakyReLU(0.2)``, then
    ``Dense(prod(image_shape), tanh)`` reshaped to ``image_shape`` (as :func:`ganlib.models.build_mlp_generator`).
    """
    if not_attempted(build):
        return todo("write `build_generator(latent_dim, hidden_units, image_shape, seed)` and run this cell again.")
    generator = call(build, 8, (16, 32), image_shape=(6, 4, 2), seed=3)
    if generator is None:
        return todo("replace `raise NotImplementedError` in `build_generator` with your code.")
    _built(generator, "generator", (None, 8), "keras.Input(shape=(latent_dim,))")
    _same_seed_same_weights(generator, build(8, (16, 32), image_shape=(6, 4, 2), seed=3), "generator")
    shape = _numpy(generator(_Z, training=False)).shape
    if shape == (4, 48):
        raise ExerciseError("G gives 48 = 6·4·2 numbers per sample: reshape them to image_shape at the end "
                            "(keras.layers.Reshape(image_shape)).")
    if shape != (4, 6, 4, 2):
        raise ExerciseError(f"For 4 noise vectors and image_shape=(6, 4, 2) expected images of shape (4, 6, 4, 2); "
                            f"got {shape}. Is the last Dense layer prod(image_shape) wide?")
    kinds = _layers(generator)
    names = [kind for kind, _ in kinds]
    for i, kind in enumerate(names):
        if kind == "batch_norm" and (i == 0 or names[i - 1] != "dense"):
            raise ExerciseError("Batch norm comes right after each hidden Dense layer, before its activation: "
                                "Dense → BatchNormalization → LeakyReLU.")
    _common_hints(kinds, "generator")
    momenta = [layer.momentum for kind, layer in kinds if kind == "batch_norm" and abs(layer.momentum - 0.8) > 1e-6]
    if momenta:
        raise ExerciseError(f"Batch norm with momentum {momenta[0]:g}: use BatchNormalization(momentum=0.8). The "
                            "moving averages it keeps are what G uses at inference (training=False, every sample "
                            "the lesson shows); with Keras' default 0.99 they move 20 times more slowly "
                            "(1 − 0.99 of each batch instead of 1 − 0.8) and lag far behind a short run.")
    # Parameters for latent 8, widths (16, 32), images 6×4×2: Dense 8→16 without bias 8·16 = 128; batch norm
    # (γ, β, moving mean and variance) 4·16 = 64; Dense 16→32 without bias 512; batch norm 4·32 = 128;
    # Dense 32→48 with bias 32·48 + 48 = 1584. In all 128 + 64 + 512 + 128 + 1584 = 2416.
    count = generator.count_params()
    if count == 2416 + 16 + 32:
        raise ExerciseError("48 parameters too many: the biases of the Dense layers before batch norm. Batch norm "
                            "subtracts the mean (a bias does nothing) and adds its own β: Dense(units, use_bias=False).")
    if count in (2224, 2272):
        raise ExerciseError("No batch norm in G: after each hidden Dense layer, keras.layers.BatchNormalization().")
    if count != 2416:
        raise ExerciseError(f"Expected 2,416 parameters for latent_dim=8, hidden_units=(16, 32), image_shape=(6, 4, 2); "
                            f"got {count:,}. Per width: Dense(units, use_bias=False) → BatchNormalization → LeakyReLU; "
                            "then Dense(prod(image_shape), activation='tanh') → Reshape(image_shape).")
    far = _numpy(generator(100 * _Z, training=False))
    if far.min() >= 0:
        raise ExerciseError("G's pixels are all ≥ 0: a sigmoid (or ReLU) at the end? The images are in [-1, 1]: tanh.")
    if np.abs(far).max() > 1 + 1e-5:
        raise ExerciseError(f"G gave pixels up to {np.abs(far).max():.1f}: end with tanh, which keeps them in [-1, 1] "
                            "like the real images.")
    other = np.concatenate([_Z[:1], -2 * _Z[1:]])
    if np.allclose(_numpy(generator(_Z, training=True))[0], _numpy(generator(other, training=True))[0]):
        raise ExerciseError("In training mode a sample's image should depend on the rest of its batch (batch norm "
                            "normalises with the batch's statistics); yours does not. Pass `training` on to the layers "
                            "(keras.Sequential and keras.Model do), don't set it yourself.")
    if not np.allclose(_numpy(generator(_Z, training=False))[0], _numpy(generator(other, training=False))[0], atol=1e-5):
        raise ExerciseError("In inference mode (training=False) batch norm should use its moving averages, so a "
                            "sample's image does not depend on its batch; yours does. Don't call the layer with "
                            "training=True inside the model.")
    print("✅ Correct: shapes, 2,416 parameters, tanh pixels in [-1, 1], batch statistics in training only.")
    return True


def check_mlp_discriminator(build) -> bool:
    """Exercise: ``build(image_shape=(28, 28, 1), hidden_units=(512, 256), dropout=0.3, seed=None)`` builds lesson
    1's discriminator: ``Flatten``, per width ``Dense → LeakyReLU(0.2) → Dropout(dropout)``, then ``Dense(1)``: one
    logit per image, no sigmoid (as :func:`ganlib.models.build_mlp_discriminator`).
    """
    if not_attempted(build):
        return todo("write `build_discriminator(image_shape, hidden_units, dropout, seed)` and run this cell again.")
    kwargs = {"image_shape": (6, 4, 2), "hidden_units": (16, 8), "dropout": 0.5, "seed": 3}
    discriminator = call(build, **kwargs)
    if discriminator is None:
        return todo("replace `raise NotImplementedError` in `build_discriminator` with your code.")
    _built(discriminator, "discriminator", (None, 6, 4, 2), "keras.Input(shape=image_shape)")
    _same_seed_same_weights(discriminator, build(**kwargs), "discriminator")
    shape = _numpy(discriminator(_X, training=False)).shape
    if len(shape) > 2:
        raise ExerciseError(f"D gave an output of shape {shape} for 4 images: flatten each image into one vector "
                            "first (keras.layers.Flatten()), so that the Dense layers see all its pixels.")
    if shape not in ((4, 1), (4,)):
        raise ExerciseError(f"D gave an output of shape {shape} for 4 images: one logit per image, (4, 1): end with Dense(1).")
    kinds = _layers(discriminator)
    names = [kind for kind, _ in kinds]
    if "sigmoid" in names or "tanh" in names:
        raise ExerciseError("D ends in a squashing function: return the raw logit (the last Dense layer without "
                            "activation). The losses take logits and apply the sigmoid themselves, stably.")
    _common_hints(kinds, "discriminator")
    # Parameters for 6×4×2 images and widths (16, 8): Dense 48→16 48·16 + 16 = 784; Dense 16→8 16·8 + 8 = 136;
    # Dense 8→1 8 + 1 = 9. In all 929 (LeakyReLU and Dropout have none).
    count = discriminator.count_params()
    if "batch_norm" in names:
        raise ExerciseError("This D has no batch norm (only G does): Dense → LeakyReLU → Dropout per width.")
    if count != 929:
        raise ExerciseError(f"Expected 929 parameters for image_shape=(6, 4, 2), hidden_units=(16, 8); got {count:,}. "
                            "Flatten, then per width Dense(units) → LeakyReLU → Dropout(dropout), then Dense(1).")
    far = _numpy(discriminator(20 * _X, training=False))
    if far.min() >= 0 and far.max() <= 1:
        raise ExerciseError("D's outputs all lie in [0, 1], as probabilities would: return the logit, unbounded.")
    rates = [layer.rate for kind, layer in kinds if kind == "dropout"]
    if len(rates) != 2 or any(abs(rate - 0.5) > 1e-6 for rate in rates):
        raise ExerciseError(f"With hidden_units=(16, 8) and dropout=0.5 expected two Dropout(0.5) layers, one after "
                            f"each hidden layer; got rates {rates}. Use the `dropout` argument.")
    if not np.allclose(_numpy(discriminator(_X, training=False)), _numpy(discriminator(_X, training=False))):
        raise ExerciseError("In inference mode (training=False) D's outputs change from call to call: dropout should "
                            "be off. Don't call the Dropout layers with training=True inside the model.")
    if np.allclose(_numpy(discriminator(_X, training=True)), _numpy(discriminator(_X, training=True))):
        raise ExerciseError("In training mode D's outputs should change from call to call (dropout switches off "
                            "random units); yours do not. Pass `training` on to the layers, don't set it yourself.")
    print("✅ Correct: one unbounded logit per image, 929 parameters, dropout in training only.")
    return True


# ------------------------------------------------------------------------------------- training step


class _ModeProbe(keras.layers.Layer):
    """Adds 0.5 to the logits in inference mode: a step that calls D without ``training=True`` shows."""

    def call(self, logits, training=None):
        return logits if training else logits + 0.5


class _Recording(keras.optimizers.SGD):
    """Plain SGD that also records which variables each of its steps moved (``log``: shared by both)."""

    def __init__(self, learning_rate, who, log):
        super().__init__(learning_rate, name=f"{who}_sgd")
        self.who, self.record = who, log.append  # (a list attribute would be copied by Keras' tracking)

    def apply(self, grads, trainable_variables=None):
        self.record((self.who, {id(v) for v in (trainable_variables or self._trainable_variables)}))
        return super().apply(grads, trainable_variables)


_LR = {"g": 0.3, "d": 0.5}
_REAL = _RNG.uniform(-1, 1, (4, 2, 2, 1)).astype(np.float32)
_D_NOISE = _RNG.standard_normal((4, 3)).astype(np.float32)
_G_NOISE = _RNG.standard_normal((4, 3)).astype(np.float32)
_NON_SATURATING = (losses.non_saturating_generator_loss, losses.non_saturating_discriminator_loss)
_LEAST_SQUARES = (losses.least_squares_generator_loss, losses.least_squares_discriminator_loss)


def _tiny_players():
    """The same tiny G (3 → 4 → 2×2×1, batch norm) and D (2×2×1 → 4 → 1, mode probe) at every call."""
    generator = models.build_mlp_generator(3, (4,), image_shape=(2, 2, 1), seed=1)
    images = keras.Input((2, 2, 1))
    x = keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=2))(keras.layers.Flatten()(images))
    x = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=3))(keras.layers.LeakyReLU(0.2)(x))
    return generator, keras.Model(images, _ModeProbe()(x))


_NO_GRADIENT = {
    "d": "D's step got no gradient (Keras: \"No gradients provided for any variable\"): d_loss must be computed "
         "under D's tape — call D on the real images and on the fakes, and d_loss_fn, inside the `with "
         "tf.GradientTape() as tape:` block whose gradient you take.",
    "g": "G's step got no gradient (Keras: \"No gradients provided for any variable\"): G's fakes must be made "
         "under G's tape. Fakes made before it (the D step's, reused) are constants to that tape, so g_loss does "
         "not depend on G's weights: call generator(g_noise, training=True) inside the G step's `with "
         "tf.GradientTape()` block, then D on them, then g_loss_fn.",
}


def _play(step, loss_fns=_NON_SATURATING, compiled=False):
    """Run ``step`` once on fresh tiny players with SGD; return what it returned, the weights after it and the
    log of the optimizers' steps."""
    generator, discriminator = _tiny_players()
    log = []
    g_optimizer, d_optimizer = _Recording(_LR["g"], "g", log), _Recording(_LR["d"], "d", log)
    run = tf.function(step) if compiled else step
    try:
        returned = run(generator, discriminator, g_optimizer, d_optimizer, *loss_fns, tf.constant(_REAL),
                       tf.constant(_D_NOISE), tf.constant(_G_NOISE), 0.2)
    except ValueError as error:  # Keras' optimizer: "No gradients provided for any variable."
        if "No gradients provided" not in str(error) or not log:
            raise
        raise ExerciseError(_NO_GRADIENT[log[-1][0]]) from None
    ids = {"g": {id(v) for v in generator.trainable_weights}, "d": {id(v) for v in discriminator.trainable_weights}}
    return {"returned": returned, "g": _flat(generator.trainable_weights), "d": _flat(discriminator.trainable_weights),
            "log": log, "ids": ids}


def _variant(smooth=True, d_sign=1.0, g_sign=1.0, simultaneous=False, g_noise="g", g_mode=True, d_mode=True):
    """The reference step with one usual mistake (or several) built in, to name what a wrong answer did."""

    def step(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn, real, d_noise, g_noise_, s):
        with tf.GradientTape() as g_tape:  # the G step's gradient, taken now only when `simultaneous`
            if simultaneous:
                g_loss = g_loss_fn(discriminator(generator(g_noise_, training=g_mode), training=d_mode))
        fakes = generator(d_noise, training=g_mode)
        with tf.GradientTape() as tape:
            d_loss = d_loss_fn(discriminator(real, training=d_mode), discriminator(fakes, training=d_mode),
                               label_smoothing=s if smooth else 0.0)
        grads = tape.gradient(d_loss, discriminator.trainable_weights)
        d_optimizer.apply_gradients(zip([d_sign * g for g in grads], discriminator.trainable_weights, strict=True))
        if not simultaneous:
            with tf.GradientTape() as g_tape:
                noise = g_noise_ if g_noise == "g" else d_noise
                g_loss = g_loss_fn(discriminator(generator(noise, training=g_mode), training=d_mode))
        grads = g_tape.gradient(g_loss, generator.trainable_weights)
        g_optimizer.apply_gradients(zip([g_sign * g for g in grads], generator.trainable_weights, strict=True))
        return d_loss, g_loss

    return step


_MODE_HINT = ("call both players with training=True inside the step (batch norm then uses the batch's statistics, "
              "dropout is on), in the D step and in the G step.")
_D_MISTAKES = (
    ({"g_mode": False, "d_mode": False}, "The players ran in inference mode: " + _MODE_HINT),
    ({"smooth": False}, "D's step ignores label smoothing: pass it on, "
                        "d_loss_fn(real_logits, fake_logits, label_smoothing=label_smoothing)."),
    ({"d_sign": -1.0}, "D climbed its loss: apply_gradients already steps *down* the gradient, so pass the gradient "
                       "of the loss as it is (no minus sign on the loss or the gradients)."),
    ({"g_mode": False}, "The D step's fakes differ from the reference's: " + _MODE_HINT),
    ({"d_mode": False}, "D scored the images in inference mode: " + _MODE_HINT),
)
_G_MISTAKES = (
    ({"g_mode": False, "d_mode": False}, "The players ran in inference mode: " + _MODE_HINT),
    ({"simultaneous": True}, "G's step was taken against D as it was *before* its update: take the D step first and "
                             "apply it, then open a new tape for the G step (alternating steps, not simultaneous)."),
    ({"g_sign": -1.0}, "G climbed its loss: the non-saturating loss is already what G minimises, and apply_gradients "
                       "steps down the gradient: no minus sign."),
    ({"g_noise": "d"}, "The G step should draw its fakes from `g_noise` (fresh noise), not from `d_noise`."),
    ({"g_mode": False}, "The G step's fakes differ from the reference's: " + _MODE_HINT),
    ({"d_mode": False}, "D scored G's fakes in inference mode: " + _MODE_HINT),
)


def _same_weights(got, want) -> bool:
    return all(np.allclose(got[part], want[part], atol=1e-5) for part in ("g", "d"))


def _check_optimizer_log(log, ids) -> None:
    moved = {who: [names for w, names in log if w == who] for who in ("g", "d")}
    if moved["d"] and moved["g"] and all(n <= ids["g"] for n in moved["d"]) and all(n <= ids["d"] for n in moved["g"]):
        raise ExerciseError("The optimizers are swapped: each player has its own, d_optimizer for D's weights, "
                            "g_optimizer for G's.")
    if any(names & ids["g"] for names in moved["d"]):
        raise ExerciseError("The D step moved G's weights too: take its gradient with respect to "
                            "discriminator.trainable_weights only. G gets its own step.")
    whose = [who for who, _ in log]
    if any(names & ids["d"] for names in moved["g"]) or ("g" in whose and whose.count("d") > 1 and "d" in whose[whose.index("g"):]):
        raise ExerciseError("The G step changed D's weights: take its gradient with respect to "
                            "generator.trainable_weights only. The gradient flows through D, but D must not move.")
    for who, player in (("d", "D"), ("g", "G")):
        if not moved[who]:
            raise ExerciseError(f"{player}'s weights never moved: {who}_optimizer.apply_gradients(zip(grads, weights)) "
                                f"with the gradient of {who}_loss with respect to {player}'s trainable weights.")
        if len(moved[who]) > 1:
            raise ExerciseError(f"{who}_optimizer made {len(moved[who])} steps in one call: one {player} step per call "
                                "(in the other player's step, the gradient flows through it but it does not move).")


def _name_the_mistake(got, want) -> None:
    """Raise the hint of the first usual mistake that gives ``got``'s weights (D's first, then G's)."""
    wrong = [part for part in ("d", "g") if not np.allclose(got[part], want[part], atol=1e-5)]
    for part in wrong:
        for flags, hint in _D_MISTAKES if part == "d" else _G_MISTAKES:
            if np.allclose(got[part], _play(_variant(**flags))[part], atol=1e-5):
                raise ExerciseError(hint)
    if wrong:
        player, loss = ("D", "d_loss") if wrong[0] == "d" else ("G", "g_loss")
        raise ExerciseError(f"{player}'s weights after your step differ from one step of its optimizer down the "
                            f"gradient of {loss}. Compare with the docstring: the D step first, then the G step.")


def check_train_step(step) -> bool:
    """Exercise: ``step(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn, real_images,
    d_noise, g_noise, label_smoothing)`` takes one D step then one G step, each with its own tape, and returns
    ``(d_loss, g_loss)`` (as :func:`ganlib.training.by_hand.train_step`).

    Runs it on tiny players from the same weights as the reference, with plain SGD (so the weights after it
    are deterministic), and compares the weights, the optimizers' steps and the losses; then again with the
    least-squares losses, and once inside ``tf.function``.
    """
    if not_attempted(step):
        return todo("write `train_step(...)` and run this cell again.")
    try:
        got = _play(step)
    except NotImplementedError:
        return todo("replace `raise NotImplementedError` in `train_step` with your code.")
    want = _play(by_hand.train_step)
    _check_optimizer_log(got["log"], got["ids"])
    _name_the_mistake(got, want)
    returned = got["returned"]
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        raise ExerciseError("Return the two losses, `return d_loss, g_loss`: the lesson prints them.")
    (d_loss, g_loss), (want_d, want_g) = [[float(_numpy(v)) for v in pair] for pair in (returned, want["returned"])]
    if math.isclose(d_loss, want_g, abs_tol=1e-5) and math.isclose(g_loss, want_d, abs_tol=1e-5):
        raise ExerciseError("The losses come back swapped: return d_loss, g_loss (in that order).")
    if not (math.isclose(d_loss, want_d, abs_tol=1e-5) and math.isclose(g_loss, want_g, abs_tol=1e-5)):
        raise ExerciseError(f"The weights are right but the losses returned are ({d_loss:.4f}, {g_loss:.4f}); expected "
                            f"({want_d:.4f}, {want_g:.4f}): return the loss each tape differentiated.")
    got, least_squares = _play(step, _LEAST_SQUARES), _play(by_hand.train_step, _LEAST_SQUARES)
    if not _same_weights(got, least_squares):
        raise ExerciseError("With other losses passed in (least squares) your step trains differently: use the "
                            "`d_loss_fn` and `g_loss_fn` it is given, not losses of your own.")
    try:
        got = _play(step, compiled=True)
    except Exception as error:  # noqa: BLE001 (any error inside tf.function is the learner's to see)
        raise ExerciseError("Your step works eagerly but fails inside tf.function, which the lesson compiles it with "
                            f"(no .numpy() or float() inside the step): {type(error).__name__}: {error}") from error
    if not _same_weights(got, want):
        raise ExerciseError("Inside tf.function your step trains differently than eagerly: no Python-side state "
                            "(lists, counters, random numbers) in it.")
    print("✅ Correct: the D step then the G step, each player moved by its own optimizer, same weights as ganlib's step.")
    return True
