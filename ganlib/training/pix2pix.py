"""The conditional game of lesson 3: pix2pix, translating one image into another, as a ``keras.Model``.

Read it like :mod:`ganlib.training.gan`: ``__init__``, ``compile``, ``train_step``, then the helper that
shows inputs beside outputs. Trained on ``(inputs, targets)`` batches.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlib import losses
from ganlib.training.steps import Shard, apply_gradients, apply_together, regularisation
from ganlib.training.trainer import Trainer


class Pix2Pix(Trainer):
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
    trained at all. The model draws no random numbers of its own (the generator's dropout layers have
    their own seeds).

    Each step returns its ``d_loss``, ``g_loss``, ``g_gan``, ``g_l1``, ``d_real`` and ``d_fake`` (mean
    ``sigmoid`` of D's patch logits on real and generated pairs).

    ``compile(g_loss_fn=fn)`` trains the generator with ``fn(fake_logits, targets, outputs, l1_weight)``
    instead (the whole generator loss, e.g. a learner's :func:`ganlib.losses.pix2pix_generator_loss`); ``g_l1`` is then still
    measured by the model and ``g_gan`` reports what ``fn`` adds to ``l1_weight · g_l1``.

    Args:
        generator: ``keras.Model`` ``(batch, H, W, C_in) -> (batch, H, W, C_out)`` in [-1, 1].
        discriminator: ``keras.Model`` ``[input_image, target_image] -> logits`` (any shape).
        l1_weight: λ, the weight of the L1 term (the paper's 100).
        gan_weight: weight of the adversarial term (0: L1 alone).
        ema_decay: when set (e.g. 0.999), also keep ``ema_generator``, a moving average of the generator's
            weights updated after every step (:meth:`Trainer.update_ema`); :attr:`sampler`, which
            :meth:`preview` shows and ``save_players`` saves, is then the average.
    """

    metric_names = ("d_loss", "g_loss", "g_gan", "g_l1", "d_real", "d_fake")

    def __init__(self, generator, discriminator, l1_weight: float = 100.0, gan_weight: float = 1.0,
                 ema_decay: float | None = None, **kwargs):
        super().__init__(generator, discriminator, ema_decay=ema_decay, **kwargs)
        for name, value in (("l1_weight", l1_weight), ("gan_weight", gan_weight)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"Expected `{name}` >= 0. Received: {name}={value!r}")
        if not l1_weight and not gan_weight:
            raise ValueError("Expected `l1_weight` or `gan_weight` > 0. Received: both 0")
        # λ lives in a variable the step reads, so changing it (the training lab's λ slider) needs no new trace.
        self._l1_weight = tf.Variable(float(l1_weight), trainable=False, dtype=tf.float32, name="l1_weight")
        self.gan_weight = float(gan_weight)
        self.pix2pix_loss_fn = None  # a generator loss given to `compile`

    @property
    def l1_weight(self) -> float:
        """λ, the weight of the L1 term; setting it takes effect at the next step, without re-tracing it."""
        return float(self._l1_weight.numpy())

    @l1_weight.setter
    def l1_weight(self, value: float) -> None:
        self._l1_weight.assign(float(value))

    def compile(self, d_optimizer, g_optimizer, loss: str = "non_saturating", label_smoothing: float = 0.0,
                g_loss_fn=None, d_loss_fn=None, **kwargs):
        """Configure training.

        Args:
            d_optimizer: optimizer of the discriminator (pix2pix: ``Adam(2e-4, beta_1=0.5)``).
            g_optimizer: optimizer of the generator; a separate instance.
            loss: the adversarial loss family of :mod:`ganlib.losses` (pix2pix: ``"non_saturating"``).
            label_smoothing: one-sided label smoothing of the real targets (cross-entropy and least
                squares only).
            g_loss_fn: the generator's whole loss, ``g_loss_fn(fake_logits, targets, outputs, l1_weight)`` →
                the batch mean of ``g_gan + l1_weight · mean |targets − outputs|`` (the signature of
                :func:`ganlib.losses.pix2pix_generator_loss`, which is what the non-saturating family computes without it).
                It gets λ as a scalar tensor (read from the model's variable at each step, so the lab's λ
                slider reaches it). With ``gan_weight`` ``w`` ≠ 1 it is called with ``l1_weight / w`` and its
                value multiplied by ``w``, so the objective stays ``w · g_gan + l1_weight · g_l1``. Unused by the
                L1-only baseline (``gan_weight=0``). Its name is part of the run's settings.
            d_loss_fn: replaces the family's discriminator loss (see :meth:`Trainer.compile`).
        """
        if g_loss_fn is losses.pix2pix_generator_loss and loss == "non_saturating":
            g_loss_fn = None  # ganlib's own: exactly the step without it
        super().compile(d_optimizer, g_optimizer, loss, label_smoothing, d_loss_fn=d_loss_fn, **kwargs)
        if g_loss_fn is not None and not callable(g_loss_fn):
            raise ValueError(f"Expected `g_loss_fn` to be a function. Received: g_loss_fn={g_loss_fn!r}")
        self.pix2pix_loss_fn = g_loss_fn
        if g_loss_fn is not None:
            self.custom_losses["g_loss_fn"] = (
                f"{getattr(g_loss_fn, '__module__', '?')}.{getattr(g_loss_fn, '__qualname__', repr(g_loss_fn))}"
            )

    def _given_g_loss(self, fake_logits, targets, outputs, g_l1):
        """``(g_loss, g_gan)`` from the ``g_loss_fn`` given to :meth:`compile` (see there for ``gan_weight``)."""
        weight = self.gan_weight
        value = self.pix2pix_loss_fn(fake_logits, targets, outputs, self._l1_weight / weight)
        g_loss = tf.reshape(tf.cast(value, tf.float32), [])  # one number: the batch mean
        if weight != 1.0:
            g_loss = weight * g_loss
        return g_loss, (g_loss - self._l1_weight * g_l1) / weight

    def run_settings(self) -> dict:
        """:meth:`Trainer.run_settings`, plus λ (``l1_weight``) and the GAN term's weight."""
        return {**super().run_settings(), "l1_weight": self.l1_weight, "gan_weight": self.gan_weight}

    def train_step(self, data):
        inputs, targets = data
        shard = Shard(tf.shape(inputs)[0])
        if not self.gan_weight:  # the L1-only baseline: the generator alone
            zero = tf.constant(0.0)
            with tf.GradientTape() as tape:
                outputs = self.generator(inputs, training=True)
                g_l1 = losses.l1_loss(targets, outputs)
                g_loss = self._l1_weight * g_l1
                g_minimised = shard.to_minimise(g_loss, regularisation(self.generator))
            apply_gradients(self.g_optimizer, g_minimised, tape, self.generator)
            self.update_ema()
            values = {"d_loss": zero, "g_loss": g_loss, "g_gan": zero, "g_l1": g_l1, "d_real": zero, "d_fake": zero}
            return self._record(values, shard)
        # One forward pass; each player's loss on its own tape.
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            outputs = self.generator(inputs, training=True)
            real_logits = self.discriminator([inputs, targets], training=True)
            fake_logits = self.discriminator([inputs, outputs], training=True)
            d_loss = self._d_loss(real_logits, fake_logits)
            if self.pix2pix_loss_fn is None:
                g_gan = self.g_loss_fn(fake_logits)
                g_l1 = losses.l1_loss(targets, outputs)
                g_loss = self.gan_weight * g_gan + self._l1_weight * g_l1
            else:  # the generator loss given to `compile`
                g_l1 = losses.l1_loss(targets, outputs)
                g_loss, g_gan = self._given_g_loss(fake_logits, targets, outputs, g_l1)
            d_minimised = shard.to_minimise(d_loss, regularisation(self.discriminator))
            g_minimised = shard.to_minimise(g_loss, regularisation(self.generator))
        # Both gradients are taken before either player moves.
        apply_together(
            (self.d_optimizer, d_minimised, d_tape, self.discriminator),
            (self.g_optimizer, g_minimised, g_tape, self.generator),
        )
        self.update_ema()
        values = {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "g_gan": g_gan,
            "g_l1": g_l1,
            "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
        }
        return self._record(values, shard)

    def preview(self, inputs) -> np.ndarray:
        """Return ``[input | output]`` side by side for each of ``inputs`` (float32 in [-1, 1]), for sample
        grids and dashboards (outputs of :attr:`sampler`); a one-channel input is repeated to match a colour
        output."""
        outputs = keras.ops.convert_to_numpy(self.sampler(inputs, training=False))
        inputs = np.asarray(inputs, dtype=np.float32)
        if inputs.shape[-1] != outputs.shape[-1]:
            inputs = np.repeat(inputs[..., :1], outputs.shape[-1], axis=-1)
        return np.concatenate([inputs, outputs], axis=2)
