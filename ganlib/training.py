"""Training: the adversarial game as a ``keras.Model`` that works with ``fit``, callbacks and progress bars.

``GAN`` holds a generator and a discriminator and alternates their updates in ``train_step``::

    gan = training.GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                loss="non_saturating")
    gan.fit(dataset, epochs=5)

Each step reports ``d_loss``, ``g_loss``, ``d_real`` (mean ``D(x)`` on real images) and ``d_fake``
(mean ``D(G(z))``), where ``D = sigmoid(logit)``. At the game's equilibrium both are 1/2 and the
cross-entropy losses are ``log 2 ≈ 0.693``; with one-sided label smoothing ``s`` the optimal discriminator
gives ``(1 − s)/2`` there instead (0.45 for ``s = 0.1``, see :func:`ganlib.losses.minimax_discriminator_loss`).

The discriminator sees real and generated images in separate calls, so its batch-norm layers (if any)
normalise all-real and all-fake batches with their own statistics.

``Pix2Pix`` is the conditional game of lesson 3: a generator translating images and a discriminator judging
``(input, output)`` pairs patch by patch, trained on ``(inputs, targets)`` batches with an added L1 term.

Both train unchanged under ``tf.distribute`` (build and compile them inside ``strategy.scope()``; see
:func:`ganlib.config.distribution_strategy`). Each replica gets a shard of the global batch. The loss
functions of :mod:`ganlib.losses` return means over the shard, so a replica multiplies each loss it
differentiates by ``shard size / global batch size``: the sum over replicas, which the optimizer takes when
it all-reduces the gradients, is then the gradient of the mean over the *global* batch, exactly as on one
device (what ``tf.nn.compute_average_loss`` does with per-example losses). Regularisation losses of the
layers, which every replica adds in full, count ``1 / replicas`` each. Reported metrics are all-reduced to
their global-batch values before they reach the trackers. The noise and the gradient-penalty weights are
drawn for the whole global batch on every replica (same seed state everywhere) and each replica takes its
slice, so a step draws what it would draw on one device. Batch normalisation in the players is switched to
``synchronized=True`` when the model is built under a strategy with several replicas, so batch statistics
(and the moving averages, and with them the EMA generator) are those of the global batch on every replica.
Dropout masks are drawn per replica from identical seed states, so they repeat across replicas: statistically
harmless, but not the masks one device would draw.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlib import _checks, latent, losses, storage
from ganlib.storage import load_model  # noqa: F401 (re-exported: `training.load_model(path)`)

METRIC_NAMES = ("d_loss", "g_loss", "d_real", "d_fake")


class _Shard:
    """This replica's part of the global batch, and how to turn its means into global-batch ones.

    On one replica (no strategy, or the default one) every method is the identity, so a single-device step
    runs exactly the operations it always did.

    Args:
        size: the number of examples on this replica (a scalar tensor or int).
    """

    def __init__(self, size):
        context = tf.distribute.get_replica_context()
        self.replicas = 1 if context is None else context.num_replicas_in_sync
        self.size = size
        self.total = size
        self.start = 0
        self.scale = 1.0
        if self.replicas == 1:
            return
        self._context = context
        # Every replica's size, by replica: shards may differ by one when the global batch does not divide.
        mine = tf.one_hot(context.replica_id_in_sync_group, self.replicas) * tf.cast(size, tf.float32)
        sizes = context.all_reduce(tf.distribute.ReduceOp.SUM, mine)
        self.total = tf.cast(tf.reduce_sum(sizes), tf.int32)
        before = tf.range(self.replicas) < context.replica_id_in_sync_group
        self.start = tf.cast(tf.reduce_sum(tf.where(before, sizes, 0.0)), tf.int32)
        self.scale = tf.cast(size, tf.float32) / tf.reduce_sum(sizes)

    def take(self, values):
        """This replica's rows of ``values``, drawn for the whole global batch."""
        return values if self.replicas == 1 else values[self.start : self.start + self.size]

    def to_minimise(self, mean_loss, regularisation=None):
        """The loss this replica differentiates: its share of the global-batch mean, plus ``1 / replicas``
        of a regularisation term (which every replica computes in full)."""
        if self.replicas == 1:
            return mean_loss if regularisation is None else mean_loss + regularisation
        loss = mean_loss * self.scale
        return loss if regularisation is None else loss + regularisation / self.replicas

    def global_mean(self, mean_value):
        """The mean over the global batch of a value averaged over this replica's shard (same on every replica)."""
        if self.replicas == 1:
            return mean_value
        return self._context.all_reduce(tf.distribute.ReduceOp.SUM, mean_value * self.scale)


def _check_created_in_scope(name: str, variables) -> None:
    """Under a strategy with several replicas, require ``variables`` to have been created in its scope."""
    if not tf.distribute.has_strategy():
        return
    strategy = tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync == 1:
        return
    for variable in variables:
        if not strategy.extended.variable_created_in_scope(getattr(variable, "value", variable)):
            raise ValueError(
                f"The {name} was created outside `strategy.scope()`, so its variables are not mirrored on the "
                f"{strategy.num_replicas_in_sync} replicas. Build the players, the optimizers and the GAN "
                "inside `with strategy.scope():` (the builders of ganlib.recipes take `strategy=`)."
            )


def _regularisation(model):
    """The sum of ``model``'s regularisation losses, or ``None`` when it has none."""
    return tf.add_n([tf.cast(loss, tf.float32) for loss in model.losses]) if model.losses else None


def _synchronize_batch_norm(*models) -> None:
    """Under a strategy with several replicas, let batch normalisation use the global batch's statistics."""
    if not tf.distribute.has_strategy() or tf.distribute.get_strategy().num_replicas_in_sync == 1:
        return
    for model in models:
        for layer in model._flatten_layers(include_self=False):
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.synchronized = True


class _Players(keras.Model):
    """What the two-player models share: metric trackers, the optimizers' check, ``fit`` without a
    shuffle of its own, and saving the players."""

    metric_names: tuple[str, ...] = ()

    def _init_players(self, generator, discriminator, seed):
        _check_created_in_scope("generator", generator.weights)
        _check_created_in_scope("discriminator", discriminator.weights)
        _synchronize_batch_norm(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names}
        self.built = True  # the players are built; `fit` under a strategy would otherwise try to call us

    @property
    def sampler(self):
        return self.generator

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _compile_players(self, d_optimizer, g_optimizer, loss, label_smoothing):
        if d_optimizer is g_optimizer:
            raise ValueError(
                "Expected two optimizer instances: each player keeps its own optimizer state. "
                "Received the same object as `d_optimizer` and `g_optimizer`."
            )
        self.g_loss_fn, self.d_loss_fn = losses.get(loss)
        self.loss_family = loss
        if label_smoothing and loss not in losses.SUPPORTS_LABEL_SMOOTHING:
            raise ValueError(
                f"`label_smoothing` applies to the {', '.join(losses.SUPPORTS_LABEL_SMOOTHING)} losses. "
                f"Received: loss={loss!r}, label_smoothing={label_smoothing!r}"
            )
        self.label_smoothing = _checks.fraction("label_smoothing", label_smoothing)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Create the optimizers' state now, inside the strategy's scope (a first step inside
        # `strategy.run` could not create mirrored variables), so checkpoints see them too.
        with self.distribute_strategy.scope():
            for name, optimizer, player in (
                ("d_optimizer", d_optimizer, self.discriminator),
                ("g_optimizer", g_optimizer, self.generator),
            ):
                _check_created_in_scope(name, [optimizer.iterations])
                if not optimizer.built:
                    optimizer.build(player.trainable_variables)

    def _d_loss(self, real_logits, fake_logits):
        if self.loss_family in losses.SUPPORTS_LABEL_SMOOTHING:
            return self.d_loss_fn(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        return self.d_loss_fn(real_logits, fake_logits)

    def _report(self, results: dict, shard: _Shard) -> dict:
        """Update the trackers with the global-batch means of ``results`` (per-replica means)."""
        for name, value in results.items():
            self.trackers[name].update_state(shard.global_mean(value))
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def fit(self, x=None, *args, shuffle=False, **kwargs):
        """Keras ``fit``, with ``shuffle=False`` by default: the datasets of :mod:`ganlib.data` already
        shuffle, and Keras cannot shuffle a ``tf.data.Dataset`` anyway."""
        return super().fit(x, *args, shuffle=shuffle, **kwargs)

    def save_players(self, folder) -> tuple[Path, Path]:
        """Save ``generator.keras`` (the :attr:`sampler`, i.e. the EMA generator when enabled) and
        ``discriminator.keras`` into ``folder`` (created if needed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = folder / "generator.keras", folder / "discriminator.keras"
        for model, path in zip((self.sampler, self.discriminator), paths, strict=True):
            storage.save_model_atomically(model, path)
        return paths


class GAN(_Players):
    """A generator and a discriminator trained against each other.

    Args:
        generator: ``keras.Model`` mapping ``(batch, latent_dim)`` noise to images in [-1, 1].
        discriminator: ``keras.Model`` mapping images to logits, ``(batch, 1)`` or patch-shaped.
        latent_dim: size of the noise vector; read from ``generator.input_shape`` when omitted.
        seed: seed of the noise drawn during training, for repeatable runs.
        ema_decay: when set (e.g. 0.999), also keep an exponential moving average of the generator's
            weights, ``ema_generator``, updated after every generator step with a decay that ramps up to
            ``ema_decay`` (see :meth:`update_ema`). Averaging smooths out the step-to-step wobble of the
            game, so the average often draws cleaner digits than the generator being trained (Yazıcı et
            al. 2019, "The Unusual Effectiveness of Averaging in GAN Training").

    Attributes:
        sampler: the generator to draw images from: ``ema_generator`` when enabled, else ``generator``.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim: int | None = None,
        seed: int | None = None,
        ema_decay: float | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self._init_players(generator, discriminator, seed)
        self.latent_dim = _checks.positive_int("latent_dim", latent_dim or int(generator.input_shape[-1]))
        self.ema_decay = None if ema_decay is None else _checks.fraction("ema_decay", ema_decay)
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_updates = keras.Variable(0.0, trainable=False, name="ema_updates")

    metric_names = METRIC_NAMES

    @property
    def sampler(self):
        return self.ema_generator if self.ema_generator is not None else self.generator

    def compile(
        self,
        d_optimizer,
        g_optimizer,
        loss: str = "non_saturating",
        d_steps: int = 1,
        label_smoothing: float = 0.0,
        gradient_penalty_weight: float | None = None,
        **kwargs,
    ):
        """Configure the game.

        Args:
            d_optimizer: optimizer of the discriminator (e.g. ``keras.optimizers.Adam(2e-4, beta_1=0.5)``).
            g_optimizer: optimizer of the generator. Use a separate instance from ``d_optimizer``.
            loss: a loss family of :mod:`ganlib.losses`: ``"minimax"``, ``"non_saturating"``,
                ``"least_squares"``, ``"wasserstein"`` or ``"hinge"``.
            d_steps: discriminator updates per generator update (WGAN uses 5).
            label_smoothing: one-sided label smoothing of the real targets (cross-entropy and
                least-squares families only), e.g. 0.1.
            gradient_penalty_weight: weight of the WGAN-GP gradient penalty; defaults to 10 for
                ``"wasserstein"`` and 0 otherwise.
        """
        super().compile(**kwargs)
        self._compile_players(d_optimizer, g_optimizer, loss, label_smoothing)
        self.d_steps = _checks.positive_int("d_steps", d_steps)
        if gradient_penalty_weight is None:
            gradient_penalty_weight = 10.0 if loss == "wasserstein" else 0.0
        if gradient_penalty_weight < 0:
            raise ValueError(
                f"Expected `gradient_penalty_weight` >= 0. Received: gradient_penalty_weight={gradient_penalty_weight!r}"
            )
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        if self.gradient_penalty_weight and self.distribute_strategy.num_replicas_in_sync > 1 and any(
            isinstance(layer, keras.layers.BatchNormalization) for layer in self.discriminator._flatten_layers()
        ):
            warnings.warn(
                "The gradient penalty with batch normalization in the critic is not exact under tf.distribute "
                "(the penalty's second-order gradients through synchronized batch norm differ from one device's), "
                "and WGAN-GP advises against batch norm in the critic anyway: build it without (e.g. "
                "`recipes.build_dcgan(loss='wasserstein', d_batch_norm=False)`).",
                stacklevel=2,
            )

    def sample_noise(self, batch_size):
        """Draw ``z ~ N(0, I)`` of shape ``(batch_size, latent_dim)`` from the model's seed generator."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def update_discriminator(self, real_images, shard=None):
        """One discriminator step on ``real_images`` and as many fresh fakes; returns its loss and D outputs.

        Under ``tf.distribute``, ``real_images`` is this replica's shard; the returned values are the
        shard's means (``train_step`` all-reduces them for the trackers).
        """
        shard = shard or _Shard(tf.shape(real_images)[0])
        fake_images = self.generator(shard.take(self.sample_noise(shard.total)), training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(fake_images, training=True)
            d_loss = self._d_loss(real_logits, fake_logits)
            if self.gradient_penalty_weight:
                epsilon = keras.random.uniform(
                    (shard.total,) + (1,) * (len(real_images.shape) - 1), seed=self.seed_generator
                )
                penalty = losses.gradient_penalty(
                    self.discriminator, real_images, fake_images, epsilon=shard.take(epsilon)
                )
                d_loss += self.gradient_penalty_weight * penalty
            minimised = shard.to_minimise(d_loss, _regularisation(self.discriminator))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(minimised, weights), weights, strict=True))
        return {
            "d_loss": d_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
        }

    def update_generator(self, batch_size, shard=None):
        """One generator step on ``batch_size`` fresh fakes (this replica's share under ``tf.distribute``);
        returns its loss."""
        shard = shard or _Shard(batch_size)
        noise = shard.take(self.sample_noise(shard.total))
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(noise, training=True), training=True)
            g_loss = self.g_loss_fn(fake_logits)
            minimised = shard.to_minimise(g_loss, _regularisation(self.generator))
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(minimised, weights), weights, strict=True))
        return {"g_loss": g_loss}

    def update_ema(self):
        """Move ``ema_generator`` towards ``generator``: ``w_ema ← d·w_ema + (1 − d)·w``.

        The decay ``d`` ramps up as ``min(ema_decay, (1 + t) / (10 + t))``, ``t`` counting the updates (1 at
        the first), as TensorFlow's ``ExponentialMovingAverage`` does with ``num_updates``: the average
        forgets the random initial weights quickly (a fixed 0.999 would still hold 37% of them after 1,000
        updates). ``(1 + t) / (10 + t)`` reaches 0.99 at ``t ≈ 900`` and 0.999 only at ``t ≈ 9,000``. All
        weights are averaged, batch-norm moving statistics included.
        """
        self.ema_updates.assign_add(1.0)
        t = self.ema_updates
        decay = tf.minimum(self.ema_decay, (1.0 + t) / (10.0 + t))
        for ema_weight, weight in zip(self.ema_generator.weights, self.generator.weights, strict=True):
            ema_weight.assign(decay * ema_weight + (1.0 - decay) * weight)

    def train_step(self, real_images):
        if isinstance(real_images, (tuple, list)):  # (images, labels) datasets: the labels are not used
            real_images = real_images[0]
        shard = _Shard(tf.shape(real_images)[0])
        for _ in range(self.d_steps):
            d_results = self.update_discriminator(real_images, shard)
        g_results = self.update_generator(shard.size, shard)
        if self.ema_generator is not None:
            self.update_ema()
        return self._report({**d_results, **g_results}, shard)

    def generate(self, n: int, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
        """Return ``n`` images of :attr:`sampler` as a float32 NumPy array in [-1, 1] (inference mode).

        Args:
            n: number of images.
            seed: seed of the noise, for the same images each call.
            batch_size: images per forward pass.
        """
        return generate(self.sampler, n, seed=seed, batch_size=batch_size)


class Pix2Pix(_Players):
    """A conditional GAN for image-to-image translation (pix2pix, Isola et al. 2017, arXiv:1611.07004).

    The generator ``G`` maps an input image ``x`` to an output ``G(x)``; the discriminator judges pairs,
    ``D(x, y)``, with one logit per patch (PatchGAN). The paper's objective (its eq. 4) is
    ``min_G max_D L_cGAN(G, D) + λ·L_L1(G)``; here the discriminator minimises the cross-entropy loss of the
    family (``−½·L_cGAN`` for the cross-entropy families, averaged over the patch logits) and the generator
    minimises

        ``g_loss = gan_weight · g_gan + l1_weight · g_l1``,  ``g_l1 = mean |y − G(x)|``

    where ``g_gan`` is the generator half of a loss family of :mod:`ganlib.losses` (pix2pix: the
    non-saturating one). Both players are updated from one forward pass per step (the paper alternates a D
    step and a G step). The L1 term pulls each output pixel towards the median of its plausible values;
    pixels are decided independently, so where several answers are possible the output need not be any one
    of them and comes out blurred. The adversarial term asks for outputs D cannot tell from real pairs
    (sharp). ``gan_weight=0`` trains the same generator with L1 alone, the paper's baseline; D is then not
    trained at all.

    Each step reports ``d_loss``, ``g_loss``, ``g_gan``, ``g_l1``, ``d_real`` and ``d_fake`` (mean
    ``sigmoid`` of D's patch logits on real and generated pairs).

    Args:
        generator: ``keras.Model`` ``(batch, H, W, C_in) -> (batch, H, W, C_out)`` in [-1, 1].
        discriminator: ``keras.Model`` ``[input_image, target_image] -> logits`` (any shape).
        l1_weight: λ, the weight of the L1 term (the paper's 100).
        gan_weight: weight of the adversarial term (0: L1 alone).
        seed: seed of the model's random state (kept for checkpoints; dropout layers have their own).
    """

    metric_names = ("d_loss", "g_loss", "g_gan", "g_l1", "d_real", "d_fake")

    def __init__(self, generator, discriminator, l1_weight: float = 100.0, gan_weight: float = 1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self._init_players(generator, discriminator, seed)
        for name, value in (("l1_weight", l1_weight), ("gan_weight", gan_weight)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"Expected `{name}` >= 0. Received: {name}={value!r}")
        if not l1_weight and not gan_weight:
            raise ValueError("Expected `l1_weight` or `gan_weight` > 0. Received: both 0")
        self.l1_weight = float(l1_weight)
        self.gan_weight = float(gan_weight)

    def compile(self, d_optimizer, g_optimizer, loss: str = "non_saturating", label_smoothing: float = 0.0, **kwargs):
        """Configure training.

        Args:
            d_optimizer: optimizer of the discriminator (pix2pix: ``Adam(2e-4, beta_1=0.5)``).
            g_optimizer: optimizer of the generator; a separate instance.
            loss: the adversarial loss family of :mod:`ganlib.losses` (pix2pix: ``"non_saturating"``).
            label_smoothing: one-sided label smoothing of the real targets (cross-entropy and least
                squares only).
        """
        super().compile(**kwargs)
        self._compile_players(d_optimizer, g_optimizer, loss, label_smoothing)

    def translate(self, inputs, training: bool = False):
        """Return ``G(inputs)`` (inference mode by default: batch norm uses its moving statistics, no dropout)."""
        return self.generator(inputs, training=training)

    def train_step(self, data):
        inputs, targets = data
        shard = _Shard(tf.shape(inputs)[0])
        zero = tf.constant(0.0)
        if not self.gan_weight:
            with tf.GradientTape() as tape:
                outputs = self.generator(inputs, training=True)
                g_l1 = tf.reduce_mean(tf.abs(targets - outputs))
                g_loss = self.l1_weight * g_l1
                minimised = shard.to_minimise(g_loss, _regularisation(self.generator))
            weights = self.generator.trainable_weights
            self.g_optimizer.apply_gradients(zip(tape.gradient(minimised, weights), weights, strict=True))
            return self._report(
                {"d_loss": zero, "g_loss": g_loss, "g_gan": zero, "g_l1": g_l1, "d_real": zero, "d_fake": zero},
                shard,
            )
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            outputs = self.generator(inputs, training=True)
            real_logits = self.discriminator([inputs, targets], training=True)
            fake_logits = self.discriminator([inputs, outputs], training=True)
            d_loss = self._d_loss(real_logits, fake_logits)
            g_gan = self.g_loss_fn(fake_logits)
            g_l1 = tf.reduce_mean(tf.abs(targets - outputs))
            g_loss = self.gan_weight * g_gan + self.l1_weight * g_l1
            d_minimised = shard.to_minimise(d_loss, _regularisation(self.discriminator))
            g_minimised = shard.to_minimise(g_loss, _regularisation(self.generator))
        d_weights = self.discriminator.trainable_weights
        g_weights = self.generator.trainable_weights
        d_gradients = d_tape.gradient(d_minimised, d_weights)
        g_gradients = g_tape.gradient(g_minimised, g_weights)
        self.d_optimizer.apply_gradients(zip(d_gradients, d_weights, strict=True))
        self.g_optimizer.apply_gradients(zip(g_gradients, g_weights, strict=True))
        return self._report(
            {
                "d_loss": d_loss,
                "g_loss": g_loss,
                "g_gan": g_gan,
                "g_l1": g_l1,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
            },
            shard,
        )

    def preview(self, inputs) -> np.ndarray:
        """Return ``[input | output]`` side by side for each of ``inputs`` (float32 in [-1, 1]), for sample
        grids and dashboards; a one-channel input is repeated to match a colour output."""
        outputs = keras.ops.convert_to_numpy(self.generator(inputs, training=False))
        inputs = np.asarray(inputs, dtype=np.float32)
        if inputs.shape[-1] != outputs.shape[-1]:
            inputs = np.repeat(inputs[..., :1], outputs.shape[-1], axis=-1)
        return np.concatenate([inputs, outputs], axis=2)


def generate(generator, n: int, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
    """Return ``n`` images from a generator as float32 NumPy in [-1, 1], noise ``z ~ N(0, I)``.

    Args:
        generator: a ``keras.Model`` taking ``(batch, latent_dim)`` noise.
        n: number of images.
        seed: seed of the noise (NumPy), for the same images each call.
        batch_size: images per forward pass.
    """
    _checks.positive_int("n", n)
    noise = latent.noise(latent.latent_dim_of(generator), n, seed)
    parts = [generator(noise[i : i + batch_size], training=False) for i in range(0, n, batch_size)]
    return np.concatenate([keras.ops.convert_to_numpy(p) for p in parts]).astype(np.float32)


def save_history(history: dict, path) -> Path:
    """Write a ``{metric: [values...]}`` training history as JSON (atomically)."""
    return storage.save_json_atomically({key: [float(v) for v in values] for key, values in history.items()}, path)
