"""``ConditionalGAN``: the game of lesson 2 with class labels (lesson 4; its recipe is :func:`ganlib.recipes.build_cgan`).

``ConditionalGAN`` is :class:`ganlib.training.GAN` with labels: it trains on ``(images, labels)`` batches
(:func:`ganlib.data.make_labelled_dataset`), asks the generator for the batch's own labels (``G(z, y)``
for the ``y`` of each real image, so the classes of the fakes follow the data's), and gives the
discriminator the same labels. Everything else is lesson 2's: the loss families of :mod:`ganlib.losses`,
label smoothing, several D steps, the EMA generator, the step counter and clock (``gan.step``,
``gan.clock``), runs that checkpoint and resume (:mod:`ganlib.runs`) and ``tf.distribute`` (losses scaled
to the global batch, see :mod:`ganlib.training.steps`).

With an AC-GAN discriminator (one input, ``1 + num_classes`` outputs, see
:func:`ganlib.models.conditional.build_conditional_discriminator`) both players also minimise the
cross-entropy of the class logits against ``y``, weighted by ``class_weight``: D on real and fake images
(the paper's ``L_C``, averaged over real and fake; :func:`ganlib.losses.class_loss`), G on its fakes.

    gan = recipes.build_cgan(seed=0)                      # lesson 4's default: projection D, conv G, EMA
    dataset = data.make_labelled_dataset(images, labels, 64, seed=0)
    run = runs.open_run("runs/cgan", gan, dataset, settings={"seed": 0})
    runs.train(run, minutes=3)
    sevens = gan.generate(16, labels=7)
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlib import _checks, losses, sampling
from ganlib.training.gan import GAN
from ganlib.training.steps import Shard, apply_gradients, d_report, regularisation


class ConditionalGAN(GAN):
    """A conditional generator and discriminator trained against each other on labelled images.

    Args:
        generator: ``keras.Model`` ``[z (batch, latent_dim), labels (batch,)] -> images`` in [-1, 1].
        discriminator: ``[images, labels] -> (batch, 1)`` logits, or an AC-GAN discriminator
            ``images -> (batch, 1 + num_classes)``.
        num_classes: number of classes; labels are ``0..num_classes - 1``.
        class_weight: AC-GAN only: weight of the class cross-entropy in both players' losses.
        seed: seed of the noise drawn during training.
        ema_decay: keep an EMA generator (see :class:`ganlib.training.GAN`).

    Attributes:
        auxiliary_classifier: whether D is an AC-GAN discriminator.
    """

    def __init__(self, generator, discriminator, num_classes: int = 10, class_weight: float = 1.0, seed=None,
                 ema_decay=None, **kwargs):
        inputs = generator.input_shape
        if not isinstance(inputs, list) or len(inputs) != 2:
            raise ValueError(
                "Expected a conditional generator with inputs [z, labels] (ganlib.models.conditional). "
                f"Received: generator.input_shape={inputs}"
            )
        super().__init__(generator, discriminator, latent_dim=int(inputs[0][-1]), seed=seed, ema_decay=ema_decay,
                         **kwargs)
        self.num_classes = _checks.positive_int("num_classes", num_classes)
        self.auxiliary_classifier = not isinstance(discriminator.input_shape, list)
        if self.auxiliary_classifier and discriminator.output_shape[-1] != 1 + self.num_classes:
            raise ValueError(
                f"Expected an AC-GAN discriminator with 1 + num_classes = {1 + self.num_classes} outputs. "
                f"Received: discriminator.output_shape={discriminator.output_shape}"
            )
        self.class_weight = _checks.finite_number("class_weight", class_weight, minimum=0.0)

    def compile(self, d_optimizer, g_optimizer, loss: str = "non_saturating", d_steps: int = 1,
                label_smoothing: float = 0.0, **kwargs):
        """Configure the game as :meth:`ganlib.training.GAN.compile`, without the gradient penalty (whose
        interpolated images would need labels): ``"wasserstein"`` is refused, use ``"hinge"``."""
        if loss == "wasserstein" or kwargs.get("gradient_penalty_weight"):
            raise ValueError(
                "ConditionalGAN has no gradient penalty, which the Wasserstein loss needs: use loss='hinge' "
                f"or 'non_saturating'. Received: loss={loss!r}"
            )
        super().compile(d_optimizer, g_optimizer, loss=loss, d_steps=d_steps, label_smoothing=label_smoothing,
                        gradient_penalty_weight=0.0, **kwargs)

    # ------------------------------------------------------------------------------------ one step

    def judge(self, images, labels, training=True):
        """D's output on ``(images, labels)``: ``(adversarial logits, class logits or None)``."""
        if not self.auxiliary_classifier:
            return self.discriminator([images, labels], training=training), None
        outputs = self.discriminator(images, training=training)
        return outputs[:, :1], outputs[:, 1:]

    def update_discriminator(self, real_images, labels, shard=None):
        """One D step on this replica's ``(real_images, labels)`` and as many fakes of the same labels."""
        shard = shard or Shard(tf.shape(real_images)[0])
        fake_images = self.generator([shard.take(self.sample_noise(shard.total)), labels], training=True)
        with tf.GradientTape() as tape:
            real_logits, real_classes = self.judge(real_images, labels)
            fake_logits, fake_classes = self.judge(fake_images, labels)
            d_loss = self._d_loss(real_logits, fake_logits)
            if self.auxiliary_classifier:
                class_loss = 0.5 * (losses.class_loss(real_classes, labels) + losses.class_loss(fake_classes, labels))
                d_loss += self.class_weight * class_loss
            minimised = shard.to_minimise(d_loss, regularisation(self.discriminator))
        apply_gradients(self.d_optimizer, minimised, tape, self.discriminator)
        return d_report(d_loss, real_logits, fake_logits)

    def update_generator(self, labels, shard=None):
        """One G step on fresh fakes of ``labels`` (this replica's share under ``tf.distribute``)."""
        shard = shard or Shard(tf.shape(labels)[0])
        noise = shard.take(self.sample_noise(shard.total))
        with tf.GradientTape() as tape:
            fake_logits, fake_classes = self.judge(self.generator([noise, labels], training=True), labels)
            g_loss = self.g_loss_fn(fake_logits)
            if self.auxiliary_classifier:
                g_loss += self.class_weight * losses.class_loss(fake_classes, labels)
            minimised = shard.to_minimise(g_loss, regularisation(self.generator))
        apply_gradients(self.g_optimizer, minimised, tape, self.generator)
        return {"g_loss": g_loss}

    def run_settings(self) -> dict:
        """:meth:`ganlib.training.GAN.run_settings`, plus the number of classes and the class loss's weight."""
        return {**super().run_settings(), "num_classes": self.num_classes, "class_weight": self.class_weight}

    def train_step(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) batches: use "
                "ganlib.data.make_labelled_dataset(images, labels, batch_size)."
            )
        real_images, labels = data
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
        shard = Shard(tf.shape(real_images)[0])
        for _ in range(self.d_steps):
            d_results = self.update_discriminator(real_images, labels, shard)
        g_results = self.update_generator(labels, shard)
        if self.ema_generator is not None:
            self.update_ema()
        return self._record({**d_results, **g_results}, shard)

    # ------------------------------------------------------------------------------------ sampling

    def generate(self, n: int, labels=None, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
        """Return ``n`` images of :attr:`sampler` as float32 NumPy in [-1, 1] (inference mode).

        Args:
            n: number of images.
            labels: one class for all, ``n`` classes, or ``None``: image ``i`` gets class ``i mod num_classes``.
            seed: seed of the noise.
            batch_size: images per forward pass.
        """
        return sampling.generate(self.sampler, n, labels=labels, seed=seed, batch_size=batch_size)

    def preview(self, noise) -> np.ndarray:
        """Images of the fixed ``noise`` for sample grids: image ``i`` is class ``i mod num_classes``, so a
        grid ``num_classes`` wide has one class per column."""
        labels = np.arange(len(noise)) % self.num_classes
        return keras.ops.convert_to_numpy(self.sampler([np.asarray(noise, np.float32), labels], training=False))
