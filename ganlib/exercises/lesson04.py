"""The checks of lesson 4 (conditional GANs)'s exercises (the contract: :mod:`ganlib.exercises`).

In the order the lesson teaches them, the three places where the label enters the players, each of which the
lesson then trains (``recipes.build_cgan(..., label_embedding=, label_channels=, head=)``):

* :func:`check_label_embedding` — G's input ``[z, embed(y)]`` (ganlib's :func:`ganlib.models.conditional.
  label_embedding`);
* :func:`check_label_channels` — input concatenation's label planes (:func:`ganlib.models.conditional.
  label_channels`);
* :func:`check_projection_head` — the projection discriminator's head ``w·h + b + embed(y)·h`` as a Keras
  layer (:class:`ganlib.models.conditional.ProjectionHead`).

The pieces run inside Keras models, so each check calls the learner's code on symbolic inputs
(``keras.Input``), as the builders do, then runs the model on fixed inputs with weights set by hand.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import numpy as np

from ganlib.exercises.checking import ExerciseError, call, learner_error, not_attempted, todo


def _on_inputs(fn, what: str, *args, **kwargs):
    """Call the learner's piece on Keras inputs; ``None`` if not attempted, a hint if it fails there."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        return None
    except Exception as error:  # a NumPy function on a Keras tensor, a wrong signature, a typo, …
        symbolic = any(word in str(error) for word in ("KerasTensor", "symbolic", "Symbolic"))
        raise ExerciseError(
            f"Calling {what} fails: {learner_error(error)}"
            + ("\nThe builder calls it on the model's symbolic inputs (keras.Input), where NumPy cannot compute: "
               "use Keras layers or keras.ops, which work on both." if symbolic else "")
        ) from None


def _round_trip(model, hint: str):
    """Save ``model`` as the run saves its players and load it back in safe mode; the loaded model."""
    from ganlib import storage

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "piece.keras"
        try:
            model.save(path)
        except Exception as error:
            raise ExerciseError(f"A model with your piece cannot be saved ({str(error)[:200]}): {hint}") from None
        try:
            return storage.load_model(path, compile=False)
        except ValueError as error:
            raise ExerciseError(
                f"A model with your piece is saved but cannot be loaded back in Keras' safe mode, as "
                f"ganlib loads the run's models ({str(error).split(': ', 2)[-1][:200]}): {hint}"
            ) from None


def _same_outputs(model, inputs, what: str) -> np.ndarray:
    """The model's output, after checking that training and inference mode agree (no dropout or batch norm)."""
    inference = np.asarray(model(inputs, training=False), dtype=np.float64)
    training = np.asarray(model(inputs, training=True), dtype=np.float64)
    if not np.allclose(inference, training, atol=1e-6):
        raise ExerciseError(f"{what} gives other numbers in training mode: it needs no dropout or batch norm.")
    return inference


# ------------------------------------------------------------------------------------ G's label embedding

_Z = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], np.float32)  # 3 noise vectors, latent_dim 3
_Y = np.array([2, 0, 3], np.int32)
_TABLE = np.array([[0.5, -1.0], [2.0, 0.0], [-3.0, 1.5], [4.0, 4.0]], np.float32)  # 4 classes × 2 numbers


def _embedding_model(fn, num_classes, embedding_dim, seed, latent_dim=3):
    z = keras.Input(shape=(latent_dim,), name="z")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    joined = _on_inputs(fn, "`label_embedding(z, labels, num_classes, embedding_dim, seed)`", z, labels,
                        num_classes, embedding_dim, seed=seed)
    return None if joined is None else keras.Model([z, labels], joined)


def _table_of(model, num_classes, embedding_dim) -> np.ndarray:
    weights = [w for w in model.weights if tuple(w.shape) == (num_classes, embedding_dim)]
    return np.asarray(weights[0], np.float64) if weights else np.zeros(0)


def check_label_embedding(fn) -> bool:
    """Exercise: ``fn(z, labels, num_classes, embedding_dim, seed)`` joins a learned vector per class to the
    noise, ``[z, embed(y)]``: a ``num_classes × embedding_dim`` table drawn from N(0, 1) with ``seed``, the
    label's row concatenated after ``z``; from Keras' own layers (or ``keras.ops``), so the generator saves
    and loads anywhere."""
    if not_attempted(fn):
        return todo("write `label_embedding(z, labels, num_classes, embedding_dim, seed)` and run this cell again.")
    model = _embedding_model(fn, 4, 2, seed=0)
    if model is None:
        return todo("replace `raise NotImplementedError` in `label_embedding` with your code.")
    width = model.output_shape[-1] if len(model.output_shape) == 2 else None
    if width == 3:
        raise ExerciseError("One output per noise number: that is z alone, or z multiplied by the label's vector. "
                            "Join them instead (keras.layers.Concatenate): [z, embed(y)].")
    if width == 2:
        raise ExerciseError("That is the label's vector alone: concatenate z in front of it, [z, embed(y)].")
    if width == 3 + 4:
        raise ExerciseError("z and the one-hot label: G learns a vector of `embedding_dim` numbers per class "
                            "instead (keras.layers.Embedding(num_classes, embedding_dim)).")
    if width != 3 + 2:
        raise ExerciseError(f"Expected (batch, latent_dim + embedding_dim) = (None, 5) for latent_dim 3 and "
                            f"embedding_dim 2; got {model.output_shape}.")
    # The table is the only weight: num_classes × embedding_dim = 4 × 2 = 8 numbers, all learned.
    count = model.count_params()
    if count == 0:
        raise ExerciseError("Your piece has no weights: the label's vector must be learned, one row of a "
                            "table per class (keras.layers.Embedding).")
    if count != 8 or len(model.weights) != 1 or _table_of(model, 4, 2).size == 0:
        raise ExerciseError(f"Expected one table of num_classes × embedding_dim = 4 × 2 = 8 weights (no bias: "
                            f"a lookup adds nothing); yours hold {[tuple(w.shape) for w in model.weights]}.")
    if len(model.trainable_weights) != 1:
        raise ExerciseError("The table must be trainable: G learns each class's vector.")
    model.weights[0].assign(_TABLE)
    got = _same_outputs(model, [_Z, _Y], "Your embedding")
    # By hand: labels [2, 0, 3] pick rows [−3, 1.5], [0.5, −1], [4, 4] of the table, joined after each z:
    #   [[1, 2, 3, −3, 1.5], [4, 5, 6, 0.5, −1], [7, 8, 9, 4, 4]]
    want = np.concatenate([_Z, _TABLE[_Y]], axis=1)
    if np.allclose(got, np.concatenate([_TABLE[_Y], _Z], axis=1)):
        raise ExerciseError("The label's vector comes after z: [z, embed(y)], in that order (as ganlib's "
                            "generator and its first Dense layer expect).")
    if np.allclose(got, np.concatenate([_Z, _TABLE[:3]], axis=1)):
        raise ExerciseError("Each row must get its own label's vector: embed(labels), not the table's first rows.")
    if not np.allclose(got, want, atol=1e-5):
        raise ExerciseError(f"Expected {want.tolist()} with the table {_TABLE.tolist()}, got {np.round(got, 3).tolist()}.")

    first, again, other = (_embedding_model(fn, 10, 16, seed=s) for s in (0, 0, 1))
    table = _table_of(first, 10, 16)
    if not 0.5 < table.std() < 2.0:
        raise ExerciseError(
            f"The table starts with a spread of {table.std():.3f}; draw it from N(0, 1) "
            "(keras.initializers.RandomNormal(stddev=1.0, seed=seed)). Keras' default for Embedding draws in "
            "±0.05, so at the start the label would barely move G's first layer next to z's N(0, 1) numbers."
        )
    if not np.array_equal(table, _table_of(again, 10, 16)) or np.array_equal(table, _table_of(other, 10, 16)):
        raise ExerciseError("Seed the table's initialiser with the `seed` argument (RandomNormal(..., seed=seed)): "
                            "the same seed must give the same generator, another seed another one.")
    foreign = [type(layer).__name__ for layer in first.layers if not type(layer).__module__.startswith("keras")]
    if foreign:
        raise ExerciseError(f"Your piece uses your own layer class {foreign[0]}: the run's generator.keras would load "
                            "only where that class is defined. Build it from Keras' own layers (Embedding, "
                            "Concatenate) or keras.ops.")
    loaded = _round_trip(first, "build it from Keras' own layers (Embedding, Concatenate) or keras.ops, not a Lambda.")
    inputs = [np.ones((2, 3), np.float32), np.array([1, 9], np.int32)]
    if not np.allclose(np.asarray(loaded(inputs)), np.asarray(first(inputs)), atol=1e-6):
        raise ExerciseError("A generator with your piece gives other numbers once saved and loaded back.")
    from ganlib import sampling

    try:
        sampling.num_classes_of(first)
    except ValueError:
        raise ExerciseError("Right numbers, but the lesson reads the number of classes from the generator's "
                            "keras.layers.Embedding (or CategoryEncoding) layer: make the table one.") from None
    print("✅ Correct: G gets [z, embed(y)], a learned vector per class joined to the noise.")
    return True


# ------------------------------------------------------------------------------------ input concatenation


def check_label_channels(fn) -> bool:
    """Exercise: ``fn(labels, height, width, num_classes)`` gives the input-concatenation discriminator's label
    planes: float ``(N, height, width, num_classes)``, 1 in plane ``labels[i]`` everywhere, else 0, computed
    with Keras layers or ``keras.ops`` (it runs inside the discriminator)."""
    if not_attempted(fn):
        return todo("write `label_channels(labels, height, width, num_classes)` and run this cell again.")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    planes = _on_inputs(fn, "`label_channels(labels, height, width, num_classes)`", labels, 4, 5, 10)
    if planes is None:
        return todo("replace `raise NotImplementedError` in `label_channels` with your code.")
    shape = tuple(planes.shape[1:])
    if shape == (10, 4, 5):
        raise ExerciseError("Keras images are channels-last: shape (N, height, width, num_classes).")
    if shape != (4, 5, 10):
        raise ExerciseError(f"Expected shape (N, 4, 5, 10) for height 4, width 5 and 10 classes; got {tuple(planes.shape)}.")
    model = keras.Model(labels, planes)
    if model.count_params():
        raise ExerciseError("The label planes hold no weights: they are the one-hot label, repeated at every pixel.")
    got = _same_outputs(model, np.array([2, 0, 9], np.int32), "Your label planes")
    # By hand: image 0 (label 2) is 1 in plane 2 at all 4 × 5 pixels, image 1 in plane 0, image 2 in plane 9.
    want = np.zeros((3, 4, 5, 10))
    want[np.arange(3), :, :, [2, 0, 9]] = 1.0
    if got.shape != want.shape:
        raise ExerciseError(f"Expected shape {want.shape} for 3 labels, got {got.shape}.")
    if np.array_equal(got, want[..., ::-1]):
        raise ExerciseError("The planes are in reverse order: label k is plane k (one_hot(y)[k]).")
    if not np.array_equal(got, want):
        raise ExerciseError("Each image gets num_classes constant planes: 1 everywhere in its label's plane, 0 "
                            "elsewhere (keras.ops.one_hot(labels, num_classes), then repeated over the pixels).")
    if not np.issubdtype(np.asarray(model(np.array([1], np.int32))).dtype, np.floating):
        raise ExerciseError("Make the planes float (keras.ops.cast(..., 'float32')): they are joined to the image.")
    _round_trip(model, "use Keras layers or keras.ops, not a Lambda.")
    print("✅ Correct: concatenated to the image, these planes let every convolution see the requested class.")
    return True


# ------------------------------------------------------------------------------------ the projection head

_H = np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 1.0, 0.0, 2.0], [-1.0, 2.0, 1.0, 0.0]], np.float32)  # 3 rows, D = 4
_HY = np.array([2, 0, 2], np.int32)
_W = np.array([1.0, -1.0, 0.5, 2.0], np.float32)
_B = 0.25
_V = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 2.0, -1.0, 0.0], [-1.0, 1.0, 1.0, 0.5]], np.float32)  # 3 classes × D


def _head_model(cls, seed):
    layer = call(cls, 3, seed=seed)
    if layer is None:
        return None
    if not isinstance(layer, keras.layers.Layer):
        raise ExerciseError(f"`ProjectionHead(num_classes, seed)` must make a keras.layers.Layer; got {type(layer).__name__}.")
    features = keras.Input(shape=(4,), name="features")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    logits = _on_inputs(layer, "your layer on [features, labels]", [features, labels])
    return None if logits is None else keras.Model([features, labels], logits)


def _set_by_shape(model) -> None:
    """Give the head the hand-picked w, b and class vectors, finding each weight by its shape."""
    values = {(4, 1): _W[:, None], (4,): _W, (1,): np.array([_B]), (): np.array(_B), (3, 4): _V}
    for weight in model.weights:
        weight.assign(np.asarray(values[tuple(weight.shape)], np.float32).reshape(weight.shape))


def _check_head_init(cls) -> None:
    """w and the class vectors start from N(0, 0.02), as every weight of the DCGAN players: measured on a head of
    D = 256 features and 10 classes (256 numbers of w, 2,560 of the table: their spread is 0.02 within a few %)."""
    layer = cls(10, seed=0)
    features, labels = keras.Input(shape=(256,)), keras.Input(shape=(), dtype="int32")
    layer([features, labels])
    for what, shape, default in (("ψ's kernel w", (256, 1), "Dense's default, GlorotUniform, draws within ±0.15"),
                                 ("The class vectors", (10, 256), "Embedding's default draws within ±0.05")):
        found = [np.asarray(weight, np.float64) for weight in layer.weights if tuple(weight.shape) in (shape, shape[:1])]
        spread, mean = (float(found[0].std()), float(found[0].mean())) if found else (0.02, 0.0)
        if not (0.016 < spread < 0.024 and abs(mean) < 0.006):
            raise ExerciseError(
                f"{what}: a spread of {spread:.4f} at the start (a head of 256 features). Draw ψ's kernel and the "
                "class vectors from N(0, 0.02), as every weight of the DCGAN players: "
                f"keras.initializers.RandomNormal(stddev=0.02, seed=…) ({default})."
            )


def check_projection_head(cls) -> bool:
    """Exercise: ``cls(num_classes, seed=None)`` is a Keras layer that, called on ``[h, y]`` (features
    ``(N, D)``, int labels ``(N,)``), returns the projection discriminator's logits ``w·h + b + embed(y)·h``,
    shape ``(N, 1)``: ``D + 1 + num_classes·D`` weights, ``w`` and the class vectors drawn from N(0, 0.02) and
    seeded by ``seed``, no dropout or batch norm, and
    savable (a model holding it saves and loads back in safe mode)."""
    if not_attempted(cls):
        return todo("write the `ProjectionHead` layer and run this cell again.")
    try:
        model = _head_model(cls, seed=0)
    except TypeError as error:
        raise ExerciseError(f"Keep the signature ProjectionHead(num_classes, seed=None, **kwargs): {error}") from None
    if model is None:
        return todo("replace each `raise NotImplementedError` in `ProjectionHead` with your code.")
    shape = tuple(model.output_shape[1:])
    if shape == ():
        raise ExerciseError("One logit per image as a column: shape (N, 1) (keepdims=True in the sum).")
    if shape == (3,):
        raise ExerciseError("One score per class: take only the label's class vector, embed(y), and its inner "
                            "product with h (the logit is one number per image).")
    if shape == (4,):
        raise ExerciseError("Sum the product over the features: ⟨embed(y), h⟩ is one number per image.")
    if shape == (None,):
        raise ExerciseError(f"Expected logits of shape (N, 1); got {model.output_shape}, an N × N table: adding ψ(h), "
                            "shape (N, 1), to a sum without keepdims, shape (N,), broadcasts to (N, N). Keep the "
                            "summed axis: keras.ops.sum(…, axis=-1, keepdims=True).")
    if shape != (1,):
        raise ExerciseError(f"Expected logits of shape (N, 1); got {model.output_shape}.")
    # Weights for D = 4 features and 3 classes: w (4, 1), b (1,), class vectors (3, 4): 4 + 1 + 12 = 17 numbers.
    shapes = sorted(tuple(w.shape) for w in model.weights)
    if shapes in ([(3, 4), (4, 1)], [(3, 4), (4,)]):
        raise ExerciseError("No bias b: the unconditional term is ψ(h) = w·h + b (keras.layers.Dense(1) has one).")
    if shapes == [(3, 4)]:
        raise ExerciseError("Only the projection term embed(y)·h: D also needs ψ(h) = w·h + b, 'does it look "
                            "real at all' (a keras.layers.Dense(1) on h).")
    if (3, 4) not in shapes:
        raise ExerciseError(f"Expected one class vector as long as h per class, a (num_classes, D) = (3, 4) table "
                            f"(keras.layers.Embedding(num_classes, D), D known in build()); yours hold {shapes}.")
    if model.count_params() != 17 or len(shapes) != 3:
        raise ExerciseError(f"Expected w (4, 1), b (1,) and class vectors (3, 4): 4 + 1 + 12 = 17 weights for D = 4 "
                            f"and 3 classes; yours hold {shapes} ({model.count_params()} weights).")
    _set_by_shape(model)
    got = _same_outputs(model, [_H, _HY], "Your head")[:, 0]
    # By hand, with w = [1, −1, 0.5, 2], b = 0.25 and the class vectors V of labels [2, 0, 2]:
    #   w·h + b        = [0 + 0.25, 3.5 + 0.25, −2.5 + 0.25]  = [0.25, 3.75, −2.25]
    #   embed(y)·h     = [V2·h0, V0·h1, V2·h2] = [0.5, 2.5, 4.0]
    #   logit          = [0.75, 6.25, 1.75]
    unconditional = _H @ _W + _B
    projection = np.sum(_V[_HY] * _H, axis=1)
    want = unconditional + projection
    if np.allclose(got, unconditional, atol=1e-5):
        raise ExerciseError("That is the unconditional logit w·h + b alone: add the label's term embed(y)·h.")
    if np.allclose(got, projection, atol=1e-5):
        raise ExerciseError("That is the projection term alone: D also needs w·h + b, 'does it look real at all'.")
    if np.allclose(got, unconditional - projection, atol=1e-5):
        raise ExerciseError("The projection term is subtracted: logit = w·h + b + embed(y)·h.")
    if np.allclose(got, unconditional + np.sum(_V[:3] * _H, axis=1), atol=1e-5):
        raise ExerciseError("Pick each image's class vector by its label, embed(labels), not the table's first rows.")
    if not np.allclose(got, want, atol=1e-4):
        raise ExerciseError(f"Expected {want.tolist()} for the test features, got {np.round(got, 4).tolist()}. "
                            "Hint: an inner product per row, Σ_k embed(y)_k · h_k.")
    first, again = _head_model(cls, seed=0), _head_model(cls, seed=0)
    if any(not np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(first.weights, again.weights, strict=True)):
        raise ExerciseError("Two heads made with seed=0 start from other weights: pass `seed` to the initialisers "
                            "(e.g. keras.initializers.RandomNormal(stddev=0.02, seed=seed)).")
    _check_head_init(cls)
    _round_trip(model, "keep the @keras.saving.register_keras_serializable(...) line above your class, and keep "
                       "__init__'s arguments plain numbers (Keras records them to rebuild the layer).")
    print("✅ Correct: ψ(h) asks 'does it look real', ⟨embed(y), h⟩ 'does it look like class y'.")
    return True


__all__ = [name for name in dir() if name.startswith("check_")]
