"""The adversarial game of lessons 1 and 2 as a ``keras.Model``: ``fit``, callbacks and progress bars work.

Read it in the order of keras-io's "DCGAN overriding train_step": ``__init__``, ``compile``, ``metrics``,
``train_step`` (one discriminator update, then one generator update), then the helpers it calls::

    gan = training.GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                loss="non_saturating")
    gan.fit(dataset, epochs=5)

Each step returns its own ``d_loss``, ``g_loss``, ``d_real`` (mean ``D(x)`` on real images) and ``d_fake``
(mean ``D(G(z))``), where ``D = sigmoid(logit)``; Keras' epoch logs hold their means over the epoch. At the
game's equilibrium both ``D`` means are 1/2 and the cross-entropy losses are ``log 2 ≈ 0.693``; with
one-sided label smoothing ``s`` the optimal discriminator gives ``(1 − s)/2`` there instead (0.45 for
``s = 0.1``, see :func:`ganlib.losses.minimax_discriminator_loss`).

The discriminator sees real and generated images in separate calls, so its batch-norm layers (if any)
normalise all-real and all-fake batches with their own statistics. How the step stays exact under
``tf.distribute`` is told in :mod:`ganlib.training.steps`.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import tensorflow as tf

from ganlib import _checks, losses, sampling
from ganlib.training.steps import Shard, apply_gradients, d_report, regularisation
from ganlib.training.trainer import Trainer

METRIC_NAMES = ("d_loss", "g_loss", "d_real", "d_fake")


class GAN(Trainer):
    """A generator and a discriminator trained against each other.

    Args:
        generator: ``keras.Model`` mapping ``(batch, latent_dim)`` noise to images in [-1, 1].
        discriminator: ``keras.Model`` mapping images to logits, ``(batch, 1)`` or patch-shaped.
        latent_dim: size of the noise vector; read from ``generator.input_shape`` when omitted.
        seed: seed of the noise drawn during training, for repeatable runs.
        ema_decay: when set (e.g. 0.999), also keep an exponential moving average of the generator's
            weights, ``ema_generator``, updated after every generator step with a decay that ramps up to
            ``ema_decay`` (see :meth:`Trainer.update_ema`). Averaging smooths out the step-to-step wobble of the
            game, so the average often draws cleaner digits than the generator being trained (Yazıcı et
            al. 2019, "The Unusual Effectiveness of Averaging in GAN Training").

    Attributes:
        sampler: the generator to draw images from: ``ema_generator`` when enabled, else ``generator``.
        step, clock: the run's step counter and training clock (see :class:`ganlib.training.Trainer`).
    """

    metric_names = METRIC_NAMES

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim: int | None = None,
        seed: int | None = None,
        ema_decay: float | None = None,
        **kwargs,
    ):
        super().__init__(generator, discriminator, ema_decay=ema_decay, **kwargs)
        self.latent_dim = _checks.positive_int("latent_dim", latent_dim or int(generator.input_shape[-1]))
        self.seed_generator = keras.random.SeedGenerator(seed)

    def compile(
        self,
        d_optimizer,
        g_optimizer,
        loss: str = "non_saturating",
        d_steps: int = 1,
        label_smoothing: float = 0.0,
        gradient_penalty_weight: float | None = None,
        r1_weight: float = 0.0,
        clip_weights: float | None = None,
        gradient_penalty_fn=None,
        r1_penalty_fn=None,
        **kwargs,
    ):
        """Configure the game.

        Args:
            d_optimizer: optimizer of the discriminator (e.g. ``keras.optimizers.Adam(2e-4, beta_1=0.5)``).
            g_optimizer: optimizer of the generator. Use a separate instance from ``d_optimizer``.
            loss: a loss family of :mod:`ganlib.losses`: ``"minimax"``, ``"non_saturating"``,
                ``"least_squares"``, ``"wasserstein"`` or ``"hinge"``.
            d_steps: discriminator updates per generator update (WGAN uses 5). Each update draws fresh
                fakes but sees the same batch of real images (one batch per ``fit`` step); the WGAN paper
                draws a new real batch for each critic update.
            label_smoothing: one-sided label smoothing of the real targets (cross-entropy and
                least-squares families only), e.g. 0.1.
            gradient_penalty_weight: weight of the WGAN-GP gradient penalty; defaults to 10 for
                ``"wasserstein"`` and 0 otherwise (0 with ``clip_weights``).
            r1_weight: γ of the R1 penalty, ``(γ/2)·E[‖∇D(x)‖²]`` on real data (Mescheder et al. 2018); 0: off.
            clip_weights: ``c`` of WGAN's weight clipping: every discriminator weight is clipped to [−c, c] after
                each of its updates (Arjovsky et al. 2017 use 0.01); ``None``: off.
            gradient_penalty_fn, r1_penalty_fn: the penalties, with the signatures of
                :func:`ganlib.losses.gradient_penalty` and :func:`ganlib.losses.r1_penalty` (the defaults); lesson 7
                passes the learner's. Named in the run's settings when not ganlib's.
        """
        super().compile(d_optimizer, g_optimizer, loss, label_smoothing, **kwargs)
        self.d_steps = _checks.positive_int("d_steps", d_steps)
        if clip_weights is not None:
            clip_weights = _checks.positive_number("clip_weights", clip_weights)
        if gradient_penalty_weight is None:
            gradient_penalty_weight = 10.0 if loss == "wasserstein" and clip_weights is None else 0.0
        for name, value in (("gradient_penalty_weight", gradient_penalty_weight), ("r1_weight", r1_weight)):
            if not (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0):
                raise ValueError(f"Expected `{name}` >= 0. Received: {name}={value!r}")
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.r1_weight = float(r1_weight)
        self.clip_weights = clip_weights
        for role, custom, default in (("gradient_penalty_fn", gradient_penalty_fn, losses.gradient_penalty),
                                      ("r1_penalty_fn", r1_penalty_fn, losses.r1_penalty)):
            if custom is not None and not callable(custom):
                raise ValueError(f"Expected `{role}` to be a function. Received: {role}={custom!r}")
            setattr(self, role, custom or default)
            if custom is not None and custom is not default:  # named in the run's settings, as custom losses are
                self.custom_losses[role] = f"{getattr(custom, '__module__', '?')}.{getattr(custom, '__qualname__', repr(custom))}"
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

    # `metrics` (the trackers, reset by Keras at each epoch) comes from Trainer.

    def run_settings(self) -> dict:
        """:meth:`Trainer.run_settings`, plus the latent size, the noise seed and the D steps and penalty."""
        settings = {**super().run_settings(), "latent_dim": self.latent_dim,
                    "noise_seed": getattr(self.seed_generator, "_initial_seed", None)}
        for name in ("d_steps", "gradient_penalty_weight"):  # set by compile
            if hasattr(self, name):
                settings[name] = getattr(self, name)
        for name in ("r1_weight", "clip_weights"):  # lesson 7's: recorded when on, so earlier runs keep their identity
            if getattr(self, name, None):
                settings[name] = getattr(self, name)
        return settings

    def state_groups(self) -> dict[str, list]:
        """:meth:`Trainer.state_groups`, plus the training noise's seed state."""
        return {**super().state_groups(), "seed_generator": [self.seed_generator.state]}

    def train_step(self, real_images):
        if isinstance(real_images, (tuple, list)):  # (images, labels) datasets: the labels are not used
            real_images = real_images[0]
        shard = Shard(tf.shape(real_images)[0])
        # 1. The discriminator: d_steps updates on this batch of real images and fresh fakes.
        for _ in range(self.d_steps):
            d_values = self.update_discriminator(real_images, shard)
        # 2. The generator: one update on fresh fakes, judged by the updated discriminator.
        g_values = self.update_generator(shard.size, shard)
        self.update_ema()
        return self._record({**d_values, **g_values}, shard)

    # ------------------------------------------------------------------------------------ the helpers

    def update_discriminator(self, real_images, shard=None):
        """One discriminator step on ``real_images`` and as many fresh fakes; returns its loss and D outputs.

        Under ``tf.distribute``, ``real_images`` is this replica's shard; the returned values are the
        shard's means (``train_step`` all-reduces them for the trackers).
        """
        shard = shard or Shard(tf.shape(real_images)[0])
        fake_images = self.generator(shard.take(self.sample_noise(shard.total)), training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(fake_images, training=True)
            d_loss = self._d_loss(real_logits, fake_logits)
            if self.gradient_penalty_weight:
                epsilon = keras.random.uniform(
                    (shard.total,) + (1,) * (len(real_images.shape) - 1), seed=self.seed_generator
                )
                penalty = self.gradient_penalty_fn(
                    self.discriminator, real_images, fake_images, epsilon=shard.take(epsilon)
                )
                d_loss += self.gradient_penalty_weight * penalty
            if self.r1_weight:
                d_loss += 0.5 * self.r1_weight * self.r1_penalty_fn(self.discriminator, real_images)
            minimised = shard.to_minimise(d_loss, regularisation(self.discriminator))
        apply_gradients(self.d_optimizer, minimised, tape, self.discriminator)
        if self.clip_weights is not None:
            losses.clip_weights(self.discriminator.trainable_weights, self.clip_weights)
        return d_report(d_loss, real_logits, fake_logits)

    def update_generator(self, batch_size, shard=None):
        """One generator step on ``batch_size`` fresh fakes (this replica's share under ``tf.distribute``);
        returns its loss."""
        shard = shard or Shard(batch_size)
        noise = shard.take(self.sample_noise(shard.total))
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(noise, training=True), training=True)
            g_loss = self.g_loss_fn(fake_logits)
            minimised = shard.to_minimise(g_loss, regularisation(self.generator))
        apply_gradients(self.g_optimizer, minimised, tape, self.generator)
        return {"g_loss": g_loss}

    def sample_noise(self, batch_size):
        """Draw ``z ~ N(0, I)`` of shape ``(batch_size, latent_dim)`` from the model's seed generator."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def generate(self, n: int, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
        """Return ``n`` images of :attr:`sampler` as a float32 NumPy array in [-1, 1] (inference mode).

        Args:
            n: number of images.
            seed: seed of the noise, for the same images each call.
            batch_size: images per forward pass.
        """
        return generate(self.sampler, n, seed=seed, batch_size=batch_size)


def generate(generator, n: int, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
    """Return ``n`` images from a generator as float32 NumPy in [-1, 1], noise ``z ~ N(0, I)``
    (:func:`ganlib.sampling.generate`, which also draws from conditional generators)."""
    return sampling.generate(generator, n, seed=seed, batch_size=batch_size)
