"""What keeps a discriminator (critic) smooth: the WGAN-GP gradient penalty, the R1 penalty and WGAN's weight
clipping."""

from __future__ import annotations

import tensorflow as tf

from ganlib.losses.tensors import as_float32


def gradient_penalty(critic, real_images, fake_images, epsilon=None, seed=None):
    """Gradient penalty of WGAN-GP: pushes the critic's gradient norm towards 1 between real and fake data.

    ``x̂ = ε·x + (1 − ε)·G(z)``,   ``ε ~ U[0, 1]`` drawn once per example,
    ``penalty = E_x̂[(‖∇_x̂ C(x̂)‖₂ − 1)²]``

    from Gulrajani et al. 2017, "Improved Training of Wasserstein GANs" (arXiv:1704.00028), who add
    ``λ·penalty`` with ``λ = 10`` to :func:`wasserstein_discriminator_loss`. The norm is taken over all
    non-batch axes of each example's gradient; the mean is over the examples. When the critic gives more
    than one score per example (patch-shaped outputs), the gradient is that of the sum of the example's
    scores. The critic should not use batch normalisation, nor the minibatch standard deviation
    (:class:`ganlib.models.stabilisers.MinibatchStdDev`), both of which mix the examples of a batch: then the
    gradient of the batch sum is no longer each example's own gradient, and the penalty is not the per-example
    one of the paper (ganlib computes it all the same).

    The penalty is differentiable with respect to the critic's weights (the inner gradient is taken on a
    nested ``tf.GradientTape``), so it can be added to the critic's loss inside the training step.

    Args:
        critic: a callable, typically a ``keras.Model``, called as ``critic(x̂, training=True)``.
        real_images: a batch of real examples, shape ``(B, ...)``.
        fake_images: a batch of generated examples, the same shape.
        epsilon: optional interpolation weights, for deterministic results: a tensor or array that
            broadcasts to ``(B, 1, ..., 1)``, or a vector of length ``B``. By default they are drawn with
            ``tf.random.uniform``.
        seed: optional integer seed for ``tf.random.uniform`` when ``epsilon`` is not given.

    Returns:
        A float32 scalar tensor: the penalty, before multiplication by ``λ``.
    """
    real_images = as_float32(real_images)
    fake_images = as_float32(fake_images)
    rank = tf.rank(real_images)
    # (B, 1, ..., 1): one weight per example, broadcast over the example's elements.
    weight_shape = tf.concat([tf.shape(real_images)[:1], tf.ones([rank - 1], dtype=tf.int32)], axis=0)
    if epsilon is None:
        epsilon = tf.random.uniform(weight_shape, minval=0.0, maxval=1.0, dtype=tf.float32, seed=seed)
    else:
        epsilon = as_float32(epsilon)
        if epsilon.shape.rank == 1 and real_images.shape.rank not in (None, 1):
            epsilon = tf.reshape(epsilon, weight_shape)
    interpolates = epsilon * real_images + (1.0 - epsilon) * fake_images

    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = as_float32(critic(interpolates, training=True))
        # If the critic treats examples independently, the gradient of the batch sum is each example's own
        # gradient; batch norm and the minibatch standard deviation mix examples, and then it is not.
        total = tf.reduce_sum(scores)
    gradients = tape.gradient(total, interpolates)
    non_batch_axes = tf.range(1, tf.rank(gradients))
    # The tiny constant keeps the gradient of sqrt finite where a gradient is exactly zero.
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=non_batch_axes) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def r1_penalty(discriminator, real_images):
    """The R1 penalty: the mean squared norm of the discriminator's gradient on real data.

    ``penalty = E_x[‖∇_x D(x)‖₂²]``,   so that ``R1 = (γ/2)·penalty``

    from Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?" (arXiv:1804.04406),
    who add ``R1`` to the discriminator's loss: ``D`` is the raw score (the logit, before any
    sigmoid), and only real data is penalised, so at the game's equilibrium (``p_g = p_data``, ``D`` flat on the
    data) the penalty and its gradient vanish. The squared norm needs no square root, so it is finite
    and differentiable where a gradient is 0. As in :func:`gradient_penalty`, the gradient is that of the sum of
    the scores (each example's own gradient, as long as D does not mix examples: with batch norm or the minibatch
    standard deviation it does not hold), the norm is over all non-batch axes and the mean over the examples.

    Args:
        discriminator: a callable, typically a ``keras.Model``, called as ``discriminator(x, training=True)``.
        real_images: a batch of real examples, shape ``(B, ...)``.

    Returns:
        A float32 scalar tensor: the penalty, before multiplication by ``γ/2``.
    """
    real_images = as_float32(real_images)
    with tf.GradientTape() as tape:
        tape.watch(real_images)
        total = tf.reduce_sum(as_float32(discriminator(real_images, training=True)))
    gradients = tape.gradient(total, real_images)
    squared_norms = tf.reduce_sum(tf.square(gradients), axis=tf.range(1, tf.rank(gradients)))
    return tf.reduce_mean(squared_norms)


def clip_weights(weights, clip_value: float) -> None:
    """WGAN's weight clipping, in place: every weight ``w ← clip(w, −c, c)``.

    Arjovsky et al. 2017 (arXiv:1701.07875, Algorithm 1, ``c = 0.01``) clip every parameter of the critic after
    each of its updates, so that the critic lies in a compact set of functions, all K-Lipschitz for one K. They
    call it "a clearly terrible way to enforce a Lipschitz constraint": with ``c`` large the critic takes long to
    train, with ``c`` small its gradients vanish. Under ``tf.distribute`` the assignment is made once, on every
    replica's copy alike.

    Args:
        weights: the critic's variables (``critic.trainable_weights``).
        clip_value: ``c`` > 0.
    """
    clip_value = float(clip_value)
    if not clip_value > 0:
        raise ValueError(f"Expected `clip_value` > 0. Received: clip_value={clip_value!r}")
    weights = list(weights)

    def clip(variable):
        return variable.assign(tf.clip_by_value(variable, -clip_value, clip_value))

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        for weight in weights:
            clip(getattr(weight, "value", weight))
        return

    def clip_everywhere(strategy):
        for weight in weights:
            strategy.extended.update(getattr(weight, "value", weight), clip, group=False)

    context.merge_call(clip_everywhere)
