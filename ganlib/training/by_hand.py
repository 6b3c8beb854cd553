"""One step of the game written out with two gradient tapes, everything it uses passed in.

Lesson 1's learner writes this step (the exercise checked by
:func:`ganlib.exercises.lesson01.check_train_step`); :func:`train_step` is ganlib's answer, which the lesson
trains with until the learner's own passes its check. :class:`ganlib.training.GAN` takes the same two steps
inside its ``train_step`` (see :meth:`~ganlib.training.GAN.update_discriminator` and
:meth:`~ganlib.training.GAN.update_generator`), with its own noise, several discriminator steps, the gradient
penalty and ``tf.distribute`` on top.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["train_step"]


def train_step(generator, discriminator, g_optimizer, d_optimizer, g_loss_fn, d_loss_fn,
               real_images, d_noise, g_noise, label_smoothing=0.0):
    """One step of the game: a discriminator step, then a generator step, each under its own gradient tape.

    1. **D step**: the fakes ``G(d_noise)``; under a tape, D's logits on ``real_images`` and on the fakes,
       ``d_loss = d_loss_fn(real_logits, fake_logits, label_smoothing=label_smoothing)``; ``d_optimizer``
       moves D's trainable weights down its gradient. G's weights do not move (the fakes may be drawn
       inside the tape or outside: only D's weights are differentiated).
    2. **G step**: under a new tape, the logits of the *updated* D on ``G(g_noise)``,
       ``g_loss = g_loss_fn(fake_logits)``; ``g_optimizer`` moves G's trainable weights down its gradient.
       The gradient flows through D, but D's weights do not move.

    Both players are called in training mode (batch norm normalises with the batch's statistics, dropout
    is on). Runs eagerly or inside ``tf.function``.

    Args:
        generator: ``keras.Model`` from noise to images.
        discriminator: ``keras.Model`` from images to logits.
        g_optimizer: the generator's optimizer.
        d_optimizer: the discriminator's optimizer (a separate instance: each keeps its own state).
        g_loss_fn: ``g_loss_fn(fake_logits)``, e.g. :func:`ganlib.losses.non_saturating_generator_loss`.
        d_loss_fn: ``d_loss_fn(real_logits, fake_logits, label_smoothing=s)``, e.g.
            :func:`ganlib.losses.non_saturating_discriminator_loss`.
        real_images: a batch of real images.
        d_noise: the noise of the D step's fakes, ``(batch, latent_dim)``.
        g_noise: the noise of the G step's fakes, ``(batch, latent_dim)``.
        label_smoothing: one-sided label smoothing of the real target, passed to ``d_loss_fn``.

    Returns:
        ``(d_loss, g_loss)``: each step's loss, taken before its update (scalar tensors).
    """
    fake_images = generator(d_noise, training=True)
    with tf.GradientTape() as tape:
        real_logits = discriminator(real_images, training=True)
        fake_logits = discriminator(fake_images, training=True)
        d_loss = d_loss_fn(real_logits, fake_logits, label_smoothing=label_smoothing)
    weights = discriminator.trainable_weights
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights, strict=True))

    with tf.GradientTape() as tape:
        fake_logits = discriminator(generator(g_noise, training=True), training=True)
        g_loss = g_loss_fn(fake_logits)
    weights = generator.trainable_weights
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights, strict=True))
    return d_loss, g_loss
