"""The judge: a small MNIST classifier that scores generated digits; how it is built, trained and cached.

A GAN has no loss that says how good its samples are, so the course scores generated digits with this
classifier (the scores are in :mod:`ganlib.metrics.scores`). :func:`load_judge` trains it once and caches it
in :func:`ganlib.config.data_dir`; :class:`Judge` wraps the model with NumPy-in, NumPy-out helpers.

Images are float32 in [-1, 1] of shape ``(N, 28, 28, 1)``; uint8 ``(N, 28, 28)`` in 0..255 is accepted too
(see :func:`ganlib.data.as_model_input`).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np

from ganlib import _checks, config, data, storage
from ganlib.inference import predict_in_batches

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
FEATURES_LAYER = "features"
#: Digits and epochs the judge trains on in smoke mode (``GANLIB_SMOKE=1``).
SMOKE_DIGITS = 1000
SMOKE_EPOCHS = 1
#: At most this many digits train the judge in :func:`load_judge` (keeps training well under a minute).
MAX_DIGITS = 12_000
#: Bumped whenever the judge's architecture or training changes, so old cache files are not reused.
_JUDGE_VERSION = 1


def judge_input(images) -> np.ndarray:
    """Return ``images`` as float32 ``(N, 28, 28, 1)`` in [-1, 1], or raise a clear error."""
    images = data.as_model_input(images)
    if images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            f"Expected images of shape (N, 28, 28) or (N, 28, 28, 1). Received: shape={images.shape}"
        )
    return images


def _check_labels(labels, n_images: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n_images:
        raise ValueError(
            f"Expected `labels` of shape ({n_images},), one per image. Received: shape={labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"Expected integer `labels`. Received: dtype={labels.dtype}")
    if n_images and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(
            f"Expected `labels` in 0..{NUM_CLASSES - 1}. Received: min={labels.min()}, max={labels.max()}"
        )
    return labels.astype(np.int64)


def build_judge(seed: int | None = None):
    """Build the judge: a small, untrained MNIST CNN classifier.

    Conv2D(32) → MaxPool → Conv2D(64) → MaxPool → Flatten → Dropout(0.25) → Dense(128, "features") →
    Dropout(0.3) → Dense(10) logits, about 225,000 weights.

    Args:
        seed: seed for the initial weights and the dropout masks; ``None`` for unseeded.

    Returns:
        An uncompiled ``keras.Model`` named ``"judge"`` taking ``(28, 28, 1)`` images in [-1, 1] and giving
        10 logits.
    """
    import keras

    seed = _checks.seed(seed, allow_none=True)

    def sub_seed(offset: int) -> int | None:
        return None if seed is None else seed + offset

    def init(offset: int):
        return keras.initializers.GlorotUniform(seed=sub_seed(offset))

    layers = keras.layers
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    x = layers.Conv2D(32, 3, activation="relu", kernel_initializer=init(0), name="conv1")(inputs)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", kernel_initializer=init(1), name="conv2")(x)
    x = layers.MaxPooling2D(name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.25, seed=sub_seed(2), name="dropout1")(x)
    x = layers.Dense(128, activation="relu", kernel_initializer=init(3), name=FEATURES_LAYER)(x)
    x = layers.Dropout(0.3, seed=sub_seed(4), name="dropout2")(x)
    logits = layers.Dense(NUM_CLASSES, kernel_initializer=init(5), name="logits")(x)
    return keras.Model(inputs, logits, name="judge")


def _split_holdout(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (train, held-out) indices: a random 10% (at least one) is held out."""
    order = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(0.1 * n))
    return order[n_val:], order[:n_val]


def _train_judge(images, labels, epochs, batch_size, seed, fit_verbose) -> tuple[object, float, int, float]:
    """Train a judge; return (model, held-out accuracy, held-out count, seconds)."""
    import keras
    import tensorflow as tf

    images = judge_input(images)
    labels = _check_labels(labels, len(images))
    epochs = _checks.positive_int("epochs", epochs)
    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.seed(seed)
    if len(images) < 10:
        raise ValueError(f"Expected at least 10 images to train the judge. Received: {len(images)} images")

    train_idx, val_idx = _split_holdout(len(images), seed)
    x_train, y_train = images[train_idx], labels[train_idx]
    x_val, y_val = images[val_idx], labels[val_idx]

    judge = build_judge(seed)
    # Light augmentation, active only while training: random shifts of up to ±2 pixels, background filled
    # with -1 (black). The wrapper shares the judge's layers, so training it trains the judge.
    shift = 2.0 / IMAGE_SHAPE[0]
    trainer = keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            keras.layers.RandomTranslation(
                shift, shift, fill_mode="constant", fill_value=-1.0, seed=seed, name="shift"
            ),
            judge,
        ],
        name="judge_trainer",
    )
    trainer.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    train_ds = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    start = time.perf_counter()
    trainer.fit(
        train_ds,
        epochs=epochs,
        validation_data=(x_val, y_val),
        validation_batch_size=500,
        shuffle=False,  # the dataset shuffles itself, with the seed
        verbose=fit_verbose,
    )
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(Judge(judge).predict_labels(x_val) == y_val))
    return judge, accuracy, len(val_idx), seconds


def train_judge(images, labels, epochs: int = 8, batch_size: int = 128, seed: int = 0, verbose: int = 0):
    """Train a fresh judge on labelled digits.

    A random 10% of the digits is held out for validation; the rest is trained on with Adam and sparse
    categorical cross-entropy from logits, with random shifts of up to ±2 pixels as augmentation so the
    judge generalises beyond its training digits.

    Args:
        images: digits, uint8 ``(N, 28, 28)`` in 0..255 or float ``(N, 28, 28, 1)`` in [-1, 1]; N >= 10.
        labels: int labels 0..9, shape ``(N,)``.
        epochs: passes over the training part.
        batch_size: digits per step.
        seed: seed for the hold-out split, initial weights, shuffling, dropout and augmentation.
        verbose: 0 silent; 1 or 2 show Keras' progress (with validation accuracy per epoch) and print the
            final held-out accuracy.

    Returns:
        The trained ``keras.Model`` (see :func:`build_judge`). Wrap it in :class:`Judge` to use it.
    """
    fit_verbose = verbose if verbose in (0, 1, 2) else int(bool(verbose))
    model, accuracy, n_val, seconds = _train_judge(images, labels, epochs, batch_size, seed, fit_verbose)
    if verbose:
        print(
            f"Judge: held-out accuracy {accuracy:.1%} on {n_val:,} digits "
            f"(trained for {epochs} epoch(s) in {seconds:.0f} s)."
        )
    return model


class Judge:
    """A trained judge model with numpy-in, numpy-out helpers.

    Every method takes images as uint8 ``(N, 28, 28)`` or float ``(N, 28, 28, 1)`` in [-1, 1], runs the
    model in inference mode (``training=False``) in batches and returns numpy arrays.

    Attributes:
        model: the Keras classifier (10 logits, with a 128-d layer named ``"features"``).
    """

    def __init__(self, model):
        """Wrap ``model``, a judge as built by :func:`build_judge` (trained or loaded)."""
        import keras

        try:
            features = model.get_layer(FEATURES_LAYER)
        except ValueError as error:
            raise ValueError(
                f"Expected a judge model with a layer named {FEATURES_LAYER!r}. Received: model={model.name!r}"
            ) from error
        if tuple(model.input_shape[1:]) != IMAGE_SHAPE or tuple(model.output_shape[1:]) != (NUM_CLASSES,):
            raise ValueError(
                f"Expected a judge model mapping {IMAGE_SHAPE} images to {NUM_CLASSES} logits. Received: "
                f"input_shape={model.input_shape}, output_shape={model.output_shape}"
            )
        self.model = model
        self._features_model = keras.Model(model.input, features.output, name="judge_features")

    def __repr__(self) -> str:
        return f"Judge(model={self.model.name!r}, params={self.model.count_params():,})"

    def logits(self, images, batch_size: int = 500) -> np.ndarray:
        """Return the 10 class logits of each image, float32 ``(N, 10)``."""
        return predict_in_batches(self.model, judge_input(images), batch_size)

    def probabilities(self, images, batch_size: int = 500) -> np.ndarray:
        """Return the class probabilities (softmax of the logits) of each image, float32 ``(N, 10)``."""
        logits = self.logits(images, batch_size).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)

    def predict_labels(self, images, batch_size: int = 500) -> np.ndarray:
        """Return the most likely digit of each image, int64 ``(N,)``."""
        return self.logits(images, batch_size).argmax(axis=1).astype(np.int64)

    def features(self, images, batch_size: int = 500) -> np.ndarray:
        """Return the activations of the 128-d ``"features"`` layer, float32 ``(N, 128)`` (used by FID)."""
        return predict_in_batches(self._features_model, judge_input(images), batch_size)

    def accuracy(self, images, labels, batch_size: int = 500) -> float:
        """Return the share of ``images`` whose predicted digit equals ``labels``."""
        predicted = self.predict_labels(images, batch_size)
        return float(np.mean(predicted == _check_labels(labels, len(predicted))))


def _cache_tag(images: np.ndarray, labels: np.ndarray, epochs: int, smoke: bool) -> str:
    digest = hashlib.sha256()
    digest.update(f"v{_JUDGE_VERSION}-e{epochs}-{images.dtype}-{images.shape}".encode())
    digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(images).tobytes())
    prefix = "smoke-" if smoke else ""
    return f"{prefix}{len(images)}-{digest.hexdigest()[:12]}"


def _load_cached(path: Path):
    """Return the judge model saved at ``path``; raise if the file is unreadable or not a judge."""
    return Judge(storage.load_model(path, compile=False))


def load_judge(
    images=None,
    labels=None,
    *,
    retrain: bool = False,
    epochs: int = 8,
    max_digits: int | None = MAX_DIGITS,
    verbose: bool = True,
) -> Judge:
    """Return a trained judge, from the cache in :func:`ganlib.config.data_dir` or trained now.

    The cache file is ``judge-<tag>.keras``, where the tag names the training set (its size and a hash of
    the digits, labels and ``epochs``), so a different training set gets its own file. A cache file that
    cannot be loaded is reported, deleted and replaced by a freshly trained judge. In smoke mode
    (``GANLIB_SMOKE=1``) the judge trains on at most 1,000 of the digits for one epoch, cached under its own
    tag. More than ``max_digits`` digits (e.g. the 60,000 of the Keras download) are cut down to a random
    ``max_digits`` of them, so training stays well under a minute on two CPU cores.

    Args:
        images: training digits (see :func:`train_judge`); ``None`` loads them with
            :func:`ganlib.data.load_mnist`.
        labels: their labels; must be given with ``images`` and left out without.
        retrain: train again even if a cached judge exists, and replace the cache file.
        epochs: training epochs.
        max_digits: train on at most this many digits (a seeded random subset); ``None`` for all.
        verbose: print one line saying whether the judge was loaded or trained (with its held-out
            accuracy), and the MNIST source line when the digits are loaded here.

    Returns:
        A :class:`Judge`.
    """
    epochs = _checks.positive_int("epochs", epochs)
    if (images is None) != (labels is None):
        raise ValueError(
            "Expected `images` and `labels` both or neither. "
            f"Received: images={'None' if images is None else 'array'}, "
            f"labels={'None' if labels is None else 'array'}"
        )
    if images is None:
        images, labels = data.load_mnist(verbose=verbose)
    images = np.asarray(images)
    judge_input(images[:1])  # shape check before any work
    labels = _check_labels(labels, len(images))

    smoke = config.smoke()
    if max_digits is not None:
        max_digits = _checks.positive_int("max_digits", max_digits)
    if smoke:
        epochs = SMOKE_EPOCHS
        max_digits = min(max_digits or SMOKE_DIGITS, SMOKE_DIGITS)
    if max_digits is not None and len(images) > max_digits:
        # A random subset: the digits may be sorted by class (the bundled ones are).
        keep = np.sort(np.random.default_rng(0).choice(len(images), max_digits, replace=False))
        images, labels = images[keep], labels[keep]

    def say(message: str) -> None:
        if verbose:
            print(message)

    path = config.data_dir() / f"judge-{_cache_tag(images, labels, epochs, smoke)}.keras"
    if path.is_file() and not retrain:
        try:
            judge = _load_cached(path)
        except Exception as error:  # noqa: BLE001 (any unreadable file is replaced below)
            say(f"Judge: the cached file {path} could not be loaded ({type(error).__name__}); deleting it.")
            path.unlink(missing_ok=True)
        else:
            say(f"Judge: loaded from cache {path}.")
            return judge

    model, accuracy, n_val, seconds = _train_judge(images, labels, epochs, 128, 0, 0)
    storage.save_model_atomically(model, path)
    say(
        f"Judge: trained on {len(images) - n_val:,} digits for {epochs} epoch(s) in {seconds:.0f} s"
        f"{' (smoke mode)' if smoke else ''}; held-out accuracy {accuracy:.1%} on {n_val:,} digits; "
        f"saved to {path}."
    )
    return Judge(model)

