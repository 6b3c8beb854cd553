"""The pieces every trainer's step is made of, correct under ``tf.distribute``: the global-batch shard, the
gradient steps, the discriminator's report, the EMA update.

Each replica gets a shard of the global batch. The loss functions of :mod:`ganlib.losses` return means over the
shard, so a replica multiplies each loss it differentiates by ``shard size / global batch size``
(:meth:`Shard.to_minimise`): the sum over replicas, which the optimizer takes when it all-reduces the gradients,
is then the gradient of the mean over the *global* batch, exactly as on one device (what
``tf.nn.compute_average_loss`` does with per-example losses). Regularisation losses of the layers, which every
replica adds in full, count ``1 / replicas`` each. Reported metrics are all-reduced to their global-batch values
(:meth:`Shard.global_mean`). The noise and the gradient-penalty weights are drawn for the whole global batch on
every replica (same seed state everywhere) and each replica takes its slice (:meth:`Shard.take`), so a step draws
what it would draw on one device. On one device every one of these is the identity.
"""

from __future__ import annotations

import keras
import tensorflow as tf


class Shard:
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


def check_created_in_scope(name: str, variables) -> None:
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


def regularisation(model):
    """The sum of ``model``'s regularisation losses, or ``None`` when it has none."""
    return tf.add_n([tf.cast(loss, tf.float32) for loss in model.losses]) if model.losses else None


def synchronize_batch_norm(*models) -> None:
    """Under a strategy with several replicas, let batch normalisation use the global batch's statistics."""
    if not tf.distribute.has_strategy() or tf.distribute.get_strategy().num_replicas_in_sync == 1:
        return
    for model in models:
        for layer in model._flatten_layers(include_self=False):
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.synchronized = True


def d_report(d_loss, real_logits, fake_logits) -> dict:
    """What a discriminator step reports: its loss and the mean D(x) and D(G(z)), with D = sigmoid(logit)."""
    return {
        "d_loss": d_loss,
        "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
        "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
    }


def apply_gradients(optimizer, loss, tape, model) -> None:
    """One optimizer step of ``model``'s trainable weights down the gradient of ``loss`` (taped by ``tape``)."""
    weights = model.trainable_weights
    optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights, strict=True))


def apply_together(*updates) -> None:
    """Simultaneous steps: every ``(optimizer, loss, tape, model)``'s gradients are taken before any player
    moves, then each optimizer applies its own."""
    gradients = [tape.gradient(loss, model.trainable_weights) for _, loss, tape, model in updates]
    for (optimizer, _, _, model), grads in zip(updates, gradients, strict=True):
        optimizer.apply_gradients(zip(grads, model.trainable_weights, strict=True))


def ema_update(ema_weights, weights, t, max_decay):
    """One step of the generator's exponential moving average, in place: ``w_ema ← d·w_ema + (1 − d)·w``.

    The decay ramps up as ``d = min(max_decay, (1 + t) / (10 + t))`` (see :meth:`ganlib.training.Trainer.update_ema`).
    The trainers call it after every generator step (inside the compiled training step, so ``t`` is a
    tensor: TensorFlow operations only); lesson 2's learner writes their own with this signature.

    Args:
        ema_weights: the EMA generator's variables (``ema_generator.weights``), updated in place.
        weights: the trained generator's variables (``generator.weights``), in the same order.
        t: the number of updates so far, this one included (1 at the first), a float scalar tensor.
        max_decay: the decay the ramp stops at (``ema_decay``, e.g. 0.999).
    """
    decay = tf.minimum(max_decay, (1.0 + t) / (10.0 + t))
    for ema_weight, weight in zip(ema_weights, weights, strict=True):
        ema_weight.assign(decay * ema_weight + (1.0 - decay) * weight)
