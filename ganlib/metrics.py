"""Quality measures of the course: a "judge" classifier, FID, a classifier score and class coverage.

A GAN has no loss that says how good its samples are, so the course scores generated digits with a small
MNIST classifier, the *judge*:

* :func:`fid` — the Fréchet distance between the judge's 128-d features of real and generated digits
  (lower is better). It is the "FID" of the course and is **not** comparable with the Inception-FID
  numbers quoted in papers.
* :func:`classifier_score` — the Inception Score analogue: high when each sample is clearly one digit and
  all digits appear (1 to 10 for 10 classes; higher is better).
* :func:`class_coverage` and :func:`mode_collapse_report` — how often each digit appears, to spot mode
  collapse.
* :func:`evaluate_generator` — all of the above for a Keras generator, in one dictionary;
  :func:`summarize` formats it as one line.

The judge is trained once and cached in :func:`ganlib.config.data_dir` (:func:`load_judge`).

Images are float32 in [-1, 1] of shape ``(N, 28, 28, 1)``; uint8 ``(N, 28, 28)`` in 0..255 is accepted too
(see :func:`ganlib.data.as_model_input`).
"""

from __future__ import annotations

import hashlib
import time
import warnings
from pathlib import Path

import numpy as np

from ganlib import _checks, config, data, latent, storage

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
_EVAL_KEYS = ("fid", "confidence", "classifier_score", "coverage", "min_share")


# --------------------------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------------------------


def _judge_input(images) -> np.ndarray:
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


# --------------------------------------------------------------------------------------------------------
# The judge
# --------------------------------------------------------------------------------------------------------


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

    images = _judge_input(images)
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

    @staticmethod
    def _run(model, images, batch_size: int) -> np.ndarray:
        images = _judge_input(images)
        batch_size = _checks.positive_int("batch_size", batch_size)
        width = model.output_shape[-1]
        outputs = [
            np.asarray(model(images[start : start + batch_size], training=False), dtype=np.float32)
            for start in range(0, len(images), batch_size)
        ]
        return np.concatenate(outputs) if outputs else np.zeros((0, width), np.float32)

    def logits(self, images, batch_size: int = 500) -> np.ndarray:
        """Return the 10 class logits of each image, float32 ``(N, 10)``."""
        return self._run(self.model, images, batch_size)

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
        return self._run(self._features_model, images, batch_size)

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
    _judge_input(images[:1])  # shape check before any work
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


# --------------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------------


def _check_features(name: str, features) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(f"Expected `{name}` of shape (N, D). Received: shape={features.shape}")
    if features.shape[0] < 2:
        raise ValueError(
            f"Expected at least 2 rows in `{name}` to estimate a covariance. Received: shape={features.shape}"
        )
    if features.shape[1] < 1:
        raise ValueError(f"Expected at least 1 feature column in `{name}`. Received: shape={features.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError(f"Expected finite values in `{name}`. Received: NaN or infinity")
    return features


def frechet_distance(real_features, fake_features, eps: float = 1e-6) -> float:
    """Return the squared Fréchet distance between Gaussians fitted to two sets of features.

    ``d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½)``, the quantity FID reports (Heusel et al. 2017, "GANs Trained by a Two Time-Scale
    Update Rule Converge to a Local Nash Equilibrium", arXiv:1706.08500), computed in float64 with
    ``scipy.linalg.sqrtm``. Tiny imaginary parts from round-off are dropped; when the product of the
    covariances is singular (fewer samples than features, or a feature that never varies, such as a dead
    ReLU unit) or its square root is not finite, ``eps·I`` is added to both covariances first.

    Args:
        real_features: ``(N, D)`` features, N >= 2.
        fake_features: ``(M, D)`` features, M >= 2, same D.
        eps: diagonal offset used when the plain computation is not finite.

    Returns:
        The distance (>= 0; 0 for identical sets). It depends on the number of samples: compare scores
        computed from the same numbers of samples.
    """
    from scipy import linalg

    real = _check_features("real_features", real_features)
    fake = _check_features("fake_features", fake_features)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            "Expected `real_features` and `fake_features` with the same number of columns. "
            f"Received: real_features.shape={real.shape}, fake_features.shape={fake.shape}"
        )
    mu1, mu2 = real.mean(axis=0), fake.mean(axis=0)
    sigma1 = np.atleast_2d(np.cov(real, rowvar=False))
    sigma2 = np.atleast_2d(np.cov(fake, rowvar=False))

    def sqrt_product(s1, s2):
        """Return the real square root of ``s1 @ s2``, or None when the product is singular or unstable."""
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            # scipy warns when the product is singular (e.g. a ReLU feature that is always 0).
            warnings.simplefilter("error", linalg.LinAlgWarning)
            try:
                root = np.asarray(linalg.sqrtm(s1 @ s2))
            except (linalg.LinAlgWarning, linalg.LinAlgError):
                return None
        if np.iscomplexobj(root):
            # Round-off can give imaginary parts; large ones mean the plain product was ill-conditioned.
            scale = max(1.0, float(np.abs(root.real).max()))
            if np.abs(root.imag).max() > 1e-3 * scale:
                return None
            root = root.real
        return root if np.all(np.isfinite(root)) else None

    covmean = sqrt_product(sigma1, sigma2)
    if covmean is None:
        # Regularise both covariances (traces included, so a feature that is constant in both sets still
        # adds exactly 0).
        offset = eps * np.eye(sigma1.shape[0])
        sigma1, sigma2 = sigma1 + offset, sigma2 + offset
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            root = np.asarray(linalg.sqrtm(sigma1 @ sigma2))
        covmean = root.real
        if not np.all(np.isfinite(covmean)):
            raise ValueError("Could not compute the Fréchet distance: the covariance product is not finite.")
    diff = mu1 - mu2
    distance = float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))
    return max(distance, 0.0)


def fid(judge: Judge, real_images, fake_images, batch_size: int = 500) -> float:
    """Return the course's FID: the squared Fréchet distance between judge features of real and fake digits.

    It is computed from the 128-d ``"features"`` layer of the MNIST judge, not from Inception-v3, so its
    values are **not** comparable with the Inception-FID numbers reported in papers; use it to compare
    models and training runs within the course, with the same judge and the same numbers of samples.
    Lower is better; 0 means the two feature distributions have the same mean and covariance.

    Args:
        judge: a :class:`Judge` (from :func:`load_judge`).
        real_images: real digits, at least 2.
        fake_images: generated digits, at least 2.
        batch_size: images per forward pass.

    Returns:
        The distance as a float.
    """
    return frechet_distance(judge.features(real_images, batch_size), judge.features(fake_images, batch_size))


def classifier_score(probabilities) -> float:
    """Return the Inception Score analogue ``exp(E_x KL(p(y|x) ‖ p(y)))`` for the judge's probabilities.

    After Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498), with the
    judge in place of Inception-v3 and one split. It is high when each sample is confidently one class
    (sharp ``p(y|x)``) *and* the classes are balanced (flat ``p(y)``): between 1 (every sample has the
    same class distribution) and K, the number of classes (confident and perfectly balanced).

    Args:
        probabilities: ``(N, K)`` array of class probabilities, rows summing to 1.

    Returns:
        The score as a float.
    """
    from scipy.special import xlogy

    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 1:
        raise ValueError(f"Expected `probabilities` of shape (N, K) with N >= 1. Received: shape={p.shape}")
    if not np.all(np.isfinite(p)) or p.min() < 0:
        raise ValueError("Expected finite, non-negative `probabilities`. Received: negative, NaN or infinity")
    sums = p.sum(axis=1)
    if not np.allclose(sums, 1.0, atol=1e-3):
        raise ValueError(
            "Expected each row of `probabilities` to sum to 1 (apply a softmax to logits first). "
            f"Received: row sums from {sums.min():.4g} to {sums.max():.4g}"
        )
    p = p / sums[:, None]
    marginal = p.mean(axis=0, keepdims=True)
    kl = (xlogy(p, p) - xlogy(p, marginal)).sum(axis=1)
    return float(np.exp(kl.mean()))


def class_coverage(labels_or_probabilities, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Return the share of samples in each class.

    Args:
        labels_or_probabilities: predicted int labels ``(N,)``, or class probabilities / logits
            ``(N, num_classes)`` (the most likely class is counted).
        num_classes: number of classes.

    Returns:
        float64 array ``(num_classes,)`` of shares summing to 1.
    """
    num_classes = _checks.positive_int("num_classes", num_classes)
    values = np.asarray(labels_or_probabilities)
    if values.ndim == 2:
        if values.shape[1] != num_classes:
            raise ValueError(
                f"Expected probabilities of shape (N, {num_classes}). Received: shape={values.shape}"
            )
        labels = values.argmax(axis=1)
    elif values.ndim == 1:
        if values.size and not np.issubdtype(values.dtype, np.integer):
            if not np.issubdtype(values.dtype, np.number) or not np.all(values == np.round(values)):
                raise ValueError(f"Expected integer labels. Received: dtype={values.dtype}")
        labels = values.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
            raise ValueError(
                f"Expected labels in 0..{num_classes - 1}. Received: min={labels.min()}, max={labels.max()}"
            )
    else:
        raise ValueError(
            f"Expected labels (N,) or probabilities (N, {num_classes}). Received: shape={values.shape}"
        )
    if len(labels) == 0:
        raise ValueError("Expected at least one sample. Received: 0 samples")
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    return counts / counts.sum()


def mode_collapse_report(shares, threshold: float = 0.05) -> str:
    """Return one sentence on whether every class appears often enough among the samples.

    Args:
        shares: class shares as returned by :func:`class_coverage`.
        threshold: a class with a share below this (or none at all) is flagged. With 10 classes a balanced
            generator gives about 0.10 each.

    Returns:
        e.g. ``"All 10 digits appear (smallest share 7.1% for '8')."`` or ``"Mode collapse warning: digits
        3, 8 make up less than 5% each (3: 1.2%, 8: 0.0%)."``
    """
    shares = np.asarray(shares, dtype=np.float64)
    if shares.ndim != 1 or shares.size == 0:
        raise ValueError(f"Expected `shares` of shape (K,). Received: shape={shares.shape}")
    if not 0.0 <= threshold < 1.0:
        raise ValueError(f"Expected 0 <= `threshold` < 1. Received: threshold={threshold!r}")
    noun = "digits" if shares.size == NUM_CLASSES else "classes"
    low = [k for k in range(shares.size) if shares[k] < threshold or shares[k] == 0.0]
    if not low:
        smallest = int(shares.argmin())
        return f"All {shares.size} {noun} appear (smallest share {shares[smallest]:.1%} for '{smallest}')."
    details = ", ".join(f"{k}: {shares[k]:.1%}" for k in low)
    if len(low) == 1:
        subject = f"{noun[:-1] if noun == 'digits' else 'class'} {low[0]} makes up"
        each = ""
    else:
        subject = f"{noun} {', '.join(str(k) for k in low)} make up"
        each = " each"
    return (
        f"Mode collapse warning: {subject} less than {threshold:.0%}{each} ({details}); "
        f"a balanced generator gives about {1 / shares.size:.0%} each."
    )


def evaluate_generator(
    generator,
    judge: Judge,
    real_images,
    n_samples: int = 2000,
    latent_dim: int | None = None,
    seed: int = 0,
    batch_size: int = 500,
) -> dict:
    """Draw samples from an unconditional generator and score them with the judge.

    Args:
        generator: a Keras model mapping standard-normal noise ``(B, latent_dim)`` to digits in [-1, 1]
            (``(B, 28, 28, 1)`` or ``(B, 28, 28)``); one input only.
        judge: a :class:`Judge`.
        real_images: real digits for the FID (use the same set, and the same ``n_samples``, when
            comparing runs).
        n_samples: generated digits to score (at least 2).
        latent_dim: noise size; ``None`` reads it from ``generator.input_shape[-1]``.
        seed: seed of the noise (``np.random.default_rng(seed)``), so the same digits are scored each time.
        batch_size: samples per forward pass.

    Returns:
        A dict with ``"fid"`` (lower is better), ``"confidence"`` (mean top-class probability, 0.1..1),
        ``"classifier_score"`` (1..10), ``"coverage"`` (list of 10 class shares) and ``"min_share"`` (the
        smallest of them).
    """
    n_samples = _checks.positive_int("n_samples", n_samples)
    if n_samples < 2:
        raise ValueError(f"Expected `n_samples` >= 2 for the FID. Received: n_samples={n_samples}")
    batch_size = _checks.positive_int("batch_size", batch_size)
    seed = _checks.seed(seed)
    if latent_dim is None:
        input_shape = generator.input_shape
        if isinstance(input_shape, list) or len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "Expected a generator with one noise input of shape (None, latent_dim), or an explicit "
                f"`latent_dim`. Received: generator.input_shape={input_shape}"
            )
        latent_dim = input_shape[-1]
    latent_dim = _checks.positive_int("latent_dim", latent_dim)

    noise = latent.noise(latent_dim, n_samples, seed)
    fakes = np.concatenate(
        [
            np.asarray(generator(noise[start : start + batch_size], training=False), dtype=np.float32)
            for start in range(0, n_samples, batch_size)
        ]
    )
    fakes = _judge_input(fakes)

    probabilities = judge.probabilities(fakes, batch_size)
    shares = class_coverage(probabilities)
    return {
        "fid": fid(judge, real_images, fakes, batch_size),
        "confidence": float(probabilities.max(axis=1).mean()),
        "classifier_score": classifier_score(probabilities),
        "coverage": [float(share) for share in shares],
        "min_share": float(shares.min()),
    }


def summarize(result: dict) -> str:
    """Return the result of :func:`evaluate_generator` as one line.

    Example: ``"FID 12.3 | confidence 0.94 | classifier score 8.71 | smallest digit share 7.1% ('8')"``.
    """
    missing = [key for key in _EVAL_KEYS if key not in result]
    if missing:
        raise ValueError(
            f"Expected a result of evaluate_generator with keys {_EVAL_KEYS}. Received: missing {missing}"
        )
    coverage = np.asarray(result["coverage"], dtype=np.float64)
    line = (
        f"FID {result['fid']:.1f} | confidence {result['confidence']:.2f} | "
        f"classifier score {result['classifier_score']:.2f} | smallest digit share {result['min_share']:.1%}"
    )
    if coverage.size:
        line += f" ('{int(coverage.argmin())}')"
    return line


# --------------------------------------------------------------------------------------------------------
# Image-to-image translation (lesson 3)
# --------------------------------------------------------------------------------------------------------


def _check_pair(targets, outputs) -> tuple[np.ndarray, np.ndarray]:
    targets, outputs = np.asarray(targets, dtype=np.float32), np.asarray(outputs, dtype=np.float32)
    if targets.shape != outputs.shape or targets.ndim != 4 or len(targets) == 0:
        raise ValueError(
            "Expected `targets` and `outputs` of the same shape (N, H, W, C), N > 0, in [-1, 1]. "
            f"Received: targets.shape={targets.shape}, outputs.shape={outputs.shape}"
        )
    return targets, outputs


def l1_error(targets, outputs) -> float:
    """Mean absolute difference of images in [-1, 1] (0 is perfect; the pix2pix L1 term)."""
    targets, outputs = _check_pair(targets, outputs)
    return float(np.mean(np.abs(targets - outputs)))


def psnr(targets, outputs) -> float:
    """Mean peak signal-to-noise ratio in dB, ``10·log10(1 / MSE)`` per image on pixels scaled to [0, 1]
    (higher is better; an identical image counts as 100 dB)."""
    targets, outputs = _check_pair(targets, outputs)
    mse = np.mean(((np.clip(targets, -1, 1) - np.clip(outputs, -1, 1)) / 2.0) ** 2, axis=(1, 2, 3))
    return float(np.mean(np.minimum(10.0 * np.log10(1.0 / np.maximum(mse, 1e-10)), 100.0)))


def ssim(targets, outputs) -> float:
    """Mean structural similarity (Wang et al. 2004) on pixels scaled to [0, 1], 11×11 Gaussian window
    (smaller for smaller images); 1 is identical. Colour images: the mean over channels."""
    import tensorflow as tf

    targets, outputs = _check_pair(targets, outputs)
    side = min(targets.shape[1:3])
    filter_size = min(11, side if side % 2 else side - 1)
    scores = tf.image.ssim(
        (np.clip(targets, -1, 1) + 1) / 2, (np.clip(outputs, -1, 1) + 1) / 2, max_val=1.0, filter_size=filter_size
    )
    return float(np.mean(scores))


def translation_scores(targets, outputs) -> dict:
    """``{"l1", "psnr", "ssim"}`` of outputs against their targets (see :func:`l1_error`, :func:`psnr`,
    :func:`ssim`)."""
    return {"l1": l1_error(targets, outputs), "psnr": psnr(targets, outputs), "ssim": ssim(targets, outputs)}


def unpad_digits(images) -> np.ndarray:
    """Cut the centre 28×28 out of padded digits (e.g. the 32×32 of lesson 3), for the judge."""
    images = data.as_model_input(images)
    height, width = images.shape[1:3]
    if height < 28 or width < 28:
        raise ValueError(f"Expected digits of at least 28×28. Received: shape={images.shape}")
    top, left = (height - 28) // 2, (width - 28) // 2
    return images[:, top : top + 28, left : left + 28]


def restoration_scores(judge: Judge, restored, labels, reference_digits, batch_size: int = 500) -> dict:
    """How recognisable and how real restored (or any) digits look to the judge.

    Args:
        judge: a :class:`Judge`.
        restored: digits ``(N, H, W[, C])`` in [-1, 1] or uint8, 28×28 or padded (centre-cropped here).
        labels: the true digit of each.
        reference_digits: real digits for the FID, *other* digits than the restored ones (e.g. the
            training digits), so the intact digits get a fair, non-zero FID as the ceiling.
        batch_size: images per forward pass.

    Returns:
        ``{"accuracy": judge accuracy against labels, "fid": FID against reference_digits}``.
    """
    restored = unpad_digits(restored)
    return {
        "accuracy": judge.accuracy(restored, labels, batch_size),
        "fid": fid(judge, unpad_digits(reference_digits), restored, batch_size),
    }


def translate_batches(generator, inputs, batch_size: int = 256) -> np.ndarray:
    """Run ``generator`` over ``inputs`` in inference mode, in batches; return float32 outputs."""
    batch_size = _checks.positive_int("batch_size", batch_size)
    parts = [generator(inputs[i : i + batch_size], training=False) for i in range(0, len(inputs), batch_size)]
    return np.concatenate([np.asarray(part, dtype=np.float32) for part in parts])


def evaluate_translator(
    generator, inputs, targets, judge: Judge | None = None, labels=None, reference_digits=None
) -> dict:
    """Score an image translator on validation pairs: L1, PSNR and SSIM against the targets and, for
    digits (``judge``, ``labels`` and ``reference_digits`` given), the judge's accuracy and FID of the
    outputs (:func:`restoration_scores`)."""
    outputs = translate_batches(generator, np.asarray(inputs, dtype=np.float32))
    result = translation_scores(targets, outputs)
    if judge is not None:
        if labels is None or reference_digits is None:
            raise ValueError("Expected `labels` and `reference_digits` with `judge`.")
        result.update(restoration_scores(judge, outputs, labels, reference_digits))
    return result
