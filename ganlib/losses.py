"""GAN losses, in generator/discriminator pairs: logits in, a float32 scalar out.

Every loss takes the raw, pre-activation outputs of the discriminator ("logits"; for a critic, its
scores) and reduces them to one scalar, the mean over all elements. Plain ``(B,)`` or ``(B, 1)`` outputs
and patch-shaped ``(B, H, W, 1)`` outputs (PatchGAN) are treated alike. Below, ``r`` stands for the logits
on real data, ``f`` for the logits on generated ("fake") data, ``E`` for the mean over all elements, and,
where a family reads logits as probabilities, ``D = sigmoid(logit)`` is the discriminator's estimate that
its input is real.

The families:

* ``"minimax"`` — the original game of Goodfellow et al. 2014 (arXiv:1406.2661). The generator minimises
  ``E[log(1 − D(G(z)))]``, whose gradient vanishes exactly when the generator is worst (``D(G(z)) ≈ 0``):
  the "saturating" loss, kept here to show why nobody trains with it.
* ``"non_saturating"`` — the fix proposed in the same paper: the generator maximises ``E[log D(G(z))]``
  instead, which has the same fixed point but strong gradients early in training. The discriminator loss
  is the same binary cross-entropy as in ``"minimax"``.
* ``"least_squares"`` — LSGAN (Mao et al. 2017, arXiv:1611.04076): squared distances to the targets 1
  (real) and 0 (fake) on the raw outputs, so samples far on the right side still get a gradient.
* ``"wasserstein"`` — WGAN (Arjovsky et al. 2017, arXiv:1701.07875): an unbounded critic estimates the
  Wasserstein-1 distance; it must be kept 1-Lipschitz, e.g. with :func:`gradient_penalty` (WGAN-GP,
  Gulrajani et al. 2017, arXiv:1704.00028).
* ``"hinge"`` — the hinge loss of Lim & Ye 2017 (arXiv:1705.02894) and Miyato et al. 2018 (SN-GAN,
  arXiv:1802.05957): the critic is only pushed until real scores exceed +1 and fake scores fall below −1.

:func:`get` returns ``(generator_loss, discriminator_loss)`` for a family name; the families in
:data:`SUPPORTS_LABEL_SMOOTHING` accept one-sided label smoothing (Salimans et al. 2016,
arXiv:1606.03498) in their discriminator loss.

CycleGAN's own terms (Zhu et al. 2017, arXiv:1703.10593) close the module: :func:`cycle_loss`,
:func:`identity_loss` and the generators' total, :func:`cyclegan_generator_loss`.

All functions are pure TensorFlow ops, so they run eagerly and inside ``tf.function`` training steps.
"""

from __future__ import annotations

import math
import numbers

import tensorflow as tf

__all__ = [
    "FAMILIES",
    "SUPPORTS_LABEL_SMOOTHING",
    "cycle_loss",
    "cyclegan_generator_loss",
    "get",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "identity_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]

#: The loss families :func:`get` knows, in the order the course introduces them.
FAMILIES = ("minimax", "non_saturating", "least_squares", "wasserstein", "hinge")

#: The families whose discriminator loss takes a ``label_smoothing`` argument.
SUPPORTS_LABEL_SMOOTHING = ("minimax", "non_saturating", "least_squares")


# --------------------------------------------------------------------------------------------- helpers


def _as_float32(values) -> tf.Tensor:
    """Convert logits, images, NumPy arrays or lists to a float32 tensor (casting other dtypes)."""
    if tf.is_tensor(values):
        return values if values.dtype == tf.float32 else tf.cast(values, tf.float32)
    return tf.convert_to_tensor(values, dtype=tf.float32)


def _validate_label_smoothing(label_smoothing) -> float:
    """Return ``label_smoothing`` as a Python float, or raise ``ValueError`` unless it lies in [0, 1)."""
    if (
        not isinstance(label_smoothing, numbers.Real)
        or isinstance(label_smoothing, bool)
        or math.isnan(label_smoothing)
        or not 0.0 <= label_smoothing < 1.0
    ):
        raise ValueError(
            f"Expected `label_smoothing` in [0, 1). Received: label_smoothing={label_smoothing!r}"
        )
    return float(label_smoothing)


def _binary_cross_entropy(logits: tf.Tensor, target: float) -> tf.Tensor:
    """Mean of ``−[t·log D + (1 − t)·log(1 − D)]`` over all elements, computed stably from the logits."""
    labels = tf.fill(tf.shape(logits), tf.constant(target, dtype=tf.float32))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))


# ------------------------------------------------------------------------------ minimax / non-saturating


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the original GAN: binary cross-entropy, averaged over the real and fake halves.

    ``loss = ½·[BCE(r, 1 − s) + BCE(f, 0)]
           = −½·( E[(1 − s)·log D(x) + s·log(1 − D(x))] + E[log(1 − D(G(z)))] )``

    with ``D = sigmoid(logit)`` and ``s = label_smoothing``. Each BCE is the mean over all of its elements,
    computed from the logits (``tf.nn.sigmoid_cross_entropy_with_logits``) so that it never takes the log
    of 0.

    Without smoothing this is ``−½·V(D, G)``, where ``V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))]`` is the
    value function that the discriminator maximises in Goodfellow et al. 2014 (arXiv:1406.2661).
    Minimising ``−V`` is maximising ``V``; the factor ½ only rescales it, and makes the loss the *average*
    cross-entropy of the two halves. That puts it on the same scale as the non-saturating generator loss:
    at the equilibrium, where ``D = ½`` everywhere, both equal ``log 2 ≈ 0.693``, so the two curves can be
    read on one plot. It is also what Keras's ``BinaryCrossentropy`` gives on a batch that concatenates
    equally many real and fake examples.

    One-sided label smoothing (Salimans et al. 2016, "Improved Techniques for Training GANs",
    arXiv:1606.03498) replaces the real target 1 by ``1 − s``, so that the discriminator is not rewarded
    for becoming over-confident on real data; the fake target stays 0. The optimal discriminator then
    becomes ``D*(x) = (1 − s)·p_data(x) / (p_data(x) + p_g(x))`` instead of
    ``p_data(x) / (p_data(x) + p_g(x))``: 0.45 rather than ½ where ``p_g = p_data``, for ``s = 0.1``.

    Args:
        real_logits: the discriminator's logits on real data; any shape, e.g. ``(B,)``, ``(B, 1)`` or
            patch-shaped ``(B, H, W, 1)``. Tensors, NumPy arrays and lists are accepted.
        fake_logits: the discriminator's logits on generated data; any shape.
        label_smoothing: ``s``, a float in [0, 1); the real target becomes ``1 − s``. Default 0.

    Returns:
        A float32 scalar tensor, to be minimised by the discriminator.

    Raises:
        ValueError: if ``label_smoothing`` is not a float in [0, 1).
    """
    label_smoothing = _validate_label_smoothing(label_smoothing)
    real_logits = _as_float32(real_logits)
    fake_logits = _as_float32(fake_logits)
    real_loss = _binary_cross_entropy(real_logits, 1.0 - label_smoothing)
    fake_loss = _binary_cross_entropy(fake_logits, 0.0)
    return 0.5 * (real_loss + fake_loss)


def minimax_generator_loss(fake_logits):
    """Generator loss of the original minimax game: the *saturating* one.

    ``loss = E[log(1 − D(G(z)))] = −E[softplus(f)]``,   with ``D = sigmoid(f)``.

    This is the generator's side of ``min_G max_D V(D, G)`` in Goodfellow et al. 2014 (arXiv:1406.2661).
    Its gradient with respect to a logit is ``−sigmoid(f) / n``: when the discriminator confidently rejects
    the samples (``f ≪ 0``, typical early in training) the gradient vanishes and the generator stops
    learning. The paper itself recommends :func:`non_saturating_generator_loss` instead. At the
    equilibrium (``f = 0``) the loss is ``−log 2``.

    Args:
        fake_logits: the discriminator's logits on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the generator.
    """
    fake_logits = _as_float32(fake_logits)
    return -tf.reduce_mean(tf.nn.softplus(fake_logits))


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the non-saturating GAN: the same cross-entropy as the minimax one.

    ``loss = ½·[BCE(r, 1 − s) + BCE(f, 0)] = −½·( E[log D(x)] + E[log(1 − D(G(z)))] )``   (for ``s = 0``),

    with ``D = sigmoid(logit)``; only the generator's loss differs between the two families
    (Goodfellow et al. 2014, arXiv:1406.2661). See :func:`minimax_discriminator_loss` for the factor ½ and
    for one-sided label smoothing (Salimans et al. 2016, arXiv:1606.03498).

    Args:
        real_logits: the discriminator's logits on real data; any shape.
        fake_logits: the discriminator's logits on generated data; any shape.
        label_smoothing: ``s``, a float in [0, 1); the real target becomes ``1 − s``. Default 0.

    Returns:
        A float32 scalar tensor, to be minimised by the discriminator.

    Raises:
        ValueError: if ``label_smoothing`` is not a float in [0, 1).
    """
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=label_smoothing)


def non_saturating_generator_loss(fake_logits):
    """Generator loss of the non-saturating GAN: make the discriminator call the samples real.

    ``loss = −E[log D(G(z))] = E[softplus(−f)] = BCE(f, 1)``,   with ``D = sigmoid(f)``.

    Proposed in Goodfellow et al. 2014 (arXiv:1406.2661) as the practical replacement of
    :func:`minimax_generator_loss`: same fixed point, but the gradient with respect to a logit,
    ``−(1 − sigmoid(f)) / n``, is largest exactly when the discriminator rejects the samples (``f ≪ 0``).
    At the equilibrium (``f = 0``) the loss is ``log 2 ≈ 0.693``.

    Args:
        fake_logits: the discriminator's logits on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the generator.
    """
    fake_logits = _as_float32(fake_logits)
    return tf.reduce_mean(tf.nn.softplus(-fake_logits))


# ------------------------------------------------------------------------------------------ least squares


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the least-squares GAN (LSGAN).

    ``loss = ½·E[(r − (1 − s))²] + ½·E[f²]``

    on the raw outputs (no sigmoid), with targets 1 for real and 0 for fake: the ``a = 0, b = 1`` coding of
    Mao et al. 2017, "Least Squares Generative Adversarial Networks" (arXiv:1611.04076).
    ``s = label_smoothing`` moves the real target to ``1 − s`` (one-sided, as in Salimans et al. 2016).

    Args:
        real_logits: the discriminator's raw outputs on real data; any shape.
        fake_logits: the discriminator's raw outputs on generated data; any shape.
        label_smoothing: ``s``, a float in [0, 1); the real target becomes ``1 − s``. Default 0.

    Returns:
        A float32 scalar tensor, to be minimised by the discriminator.

    Raises:
        ValueError: if ``label_smoothing`` is not a float in [0, 1).
    """
    label_smoothing = _validate_label_smoothing(label_smoothing)
    real_logits = _as_float32(real_logits)
    fake_logits = _as_float32(fake_logits)
    real_loss = tf.reduce_mean(tf.square(real_logits - (1.0 - label_smoothing)))
    fake_loss = tf.reduce_mean(tf.square(fake_logits))
    return 0.5 * real_loss + 0.5 * fake_loss


def least_squares_generator_loss(fake_logits):
    """Generator loss of the least-squares GAN (LSGAN).

    ``loss = ½·E[(f − 1)²]``

    on the raw outputs (no sigmoid): the generator pulls its samples' scores towards the real target 1
    (``c = 1`` in Mao et al. 2017, arXiv:1611.04076). Unlike the cross-entropy losses, samples that are
    already on the real side but far from it still receive a gradient.

    Args:
        fake_logits: the discriminator's raw outputs on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the generator.
    """
    fake_logits = _as_float32(fake_logits)
    return 0.5 * tf.reduce_mean(tf.square(fake_logits - 1.0))


# ------------------------------------------------------------------------------------------- wasserstein


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss of the Wasserstein GAN (WGAN).

    ``loss = E[f] − E[r] = E[C(G(z))] − E[C(x)]``

    on the critic's unbounded scores ``C`` (no sigmoid). Minimising it maximises ``E[C(x)] − E[C(G(z))]``,
    which for a 1-Lipschitz critic estimates the Wasserstein-1 distance between the real and generated
    distributions (Arjovsky et al. 2017, arXiv:1701.07875). The loss alone does not keep the critic
    Lipschitz: add :func:`gradient_penalty` (WGAN-GP) or clip the weights.

    Args:
        real_logits: the critic's scores on real data; any shape.
        fake_logits: the critic's scores on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the critic. ``−loss`` is the distance estimate.
    """
    real_logits = _as_float32(real_logits)
    fake_logits = _as_float32(fake_logits)
    return tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Generator loss of the Wasserstein GAN (WGAN).

    ``loss = −E[f] = −E[C(G(z))]``

    The generator raises the critic's scores of its samples (Arjovsky et al. 2017, arXiv:1701.07875).

    Args:
        fake_logits: the critic's scores on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the generator.
    """
    fake_logits = _as_float32(fake_logits)
    return -tf.reduce_mean(fake_logits)


def gradient_penalty(critic, real_images, fake_images, epsilon=None, seed=None):
    """Gradient penalty of WGAN-GP: pushes the critic's gradient norm towards 1 between real and fake data.

    ``x̂ = ε·x + (1 − ε)·G(z)``,   ``ε ~ U[0, 1]`` drawn once per example,
    ``penalty = E_x̂[(‖∇_x̂ C(x̂)‖₂ − 1)²]``

    from Gulrajani et al. 2017, "Improved Training of Wasserstein GANs" (arXiv:1704.00028), who add
    ``λ·penalty`` with ``λ = 10`` to :func:`wasserstein_discriminator_loss`. The norm is taken over all
    non-batch axes of each example's gradient; the mean is over the examples. When the critic gives more
    than one score per example (patch-shaped outputs), the gradient is that of the sum of the example's
    scores. The critic should not use batch normalisation, which mixes the examples of a batch.

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
    real_images = _as_float32(real_images)
    fake_images = _as_float32(fake_images)
    rank = tf.rank(real_images)
    # (B, 1, ..., 1): one weight per example, broadcast over the example's elements.
    weight_shape = tf.concat([tf.shape(real_images)[:1], tf.ones([rank - 1], dtype=tf.int32)], axis=0)
    if epsilon is None:
        epsilon = tf.random.uniform(weight_shape, minval=0.0, maxval=1.0, dtype=tf.float32, seed=seed)
    else:
        epsilon = _as_float32(epsilon)
        if epsilon.shape.rank == 1 and real_images.shape.rank not in (None, 1):
            epsilon = tf.reshape(epsilon, weight_shape)
    interpolates = epsilon * real_images + (1.0 - epsilon) * fake_images

    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        scores = _as_float32(critic(interpolates, training=True))
        # Examples are independent, so the gradient of the batch sum is each example's own gradient.
        total = tf.reduce_sum(scores)
    gradients = tape.gradient(total, interpolates)
    non_batch_axes = tf.range(1, tf.rank(gradients))
    # The tiny constant keeps the gradient of sqrt finite where a gradient is exactly zero.
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=non_batch_axes) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


# ----------------------------------------------------------------------------------------------- hinge


def hinge_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the hinge GAN.

    ``loss = E[relu(1 − r)] + E[relu(1 + f)] = E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))]``

    on the raw scores (no sigmoid). Real scores above +1 and fake scores below −1 cost nothing, so the
    discriminator stops pushing once it is confident by a margin (Lim & Ye 2017, "Geometric GAN",
    arXiv:1705.02894; used by Miyato et al. 2018, SN-GAN, arXiv:1802.05957).

    Args:
        real_logits: the discriminator's raw scores on real data; any shape.
        fake_logits: the discriminator's raw scores on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the discriminator.
    """
    real_logits = _as_float32(real_logits)
    fake_logits = _as_float32(fake_logits)
    return tf.reduce_mean(tf.nn.relu(1.0 - real_logits)) + tf.reduce_mean(tf.nn.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Generator loss of the hinge GAN.

    ``loss = −E[f] = −E[D(G(z))]``

    The generator raises the scores of its samples, without a margin: the same loss as
    :func:`wasserstein_generator_loss` (Lim & Ye 2017, arXiv:1705.02894; Miyato et al. 2018,
    arXiv:1802.05957).

    Args:
        fake_logits: the discriminator's raw scores on generated data; any shape.

    Returns:
        A float32 scalar tensor, to be minimised by the generator.
    """
    fake_logits = _as_float32(fake_logits)
    return -tf.reduce_mean(fake_logits)


# ------------------------------------------------------------------------------------ CycleGAN's terms


def cycle_loss(real_images, cycled_images):
    """Cycle-consistency loss of CycleGAN, one direction.

    ``loss = E[|F(G(x)) − x|]``

    the absolute error between pictures and the same pictures translated there and back (``cycled_images``),
    averaged over every pixel and channel as in the authors' code (``nn.L1Loss``). Zhu, Park, Isola & Efros
    2017, "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks"
    (arXiv:1703.10593), eq. 2; :func:`cyclegan_generator_loss` weighs each direction with its own λ.

    Args:
        real_images: the pictures, any shape.
        cycled_images: the same pictures after the round trip, the same shape.

    Returns:
        A float32 scalar tensor, to be minimised by both generators.
    """
    return tf.reduce_mean(tf.abs(_as_float32(cycled_images) - _as_float32(real_images)))


def identity_loss(generator_a2b, generator_b2a, real_a, real_b):
    """Identity loss of CycleGAN: a picture already in a generator's target domain should pass unchanged.

    ``loss = E_a[|F(a) − a|] + E_b[|G(b) − b|]``,   ``G = generator_a2b``, ``F = generator_b2a``

    each term averaged over every pixel (:func:`cycle_loss`). Zhu et al. 2017 (arXiv:1703.10593), section
    5.2, after Taigman, Polyak & Wolf 2017 (arXiv:1611.02200); the paper weighs it 0.5·λ where used, the
    authors' code each term with 0.5 times the λ of its domain's cycle. :class:`ganlib.training.CycleGAN`
    weighs the sum with one ``identity_weight`` (:func:`cyclegan_generator_loss`).

    Args:
        generator_a2b: ``G``, a callable images -> images (A → B); it is given B pictures here.
        generator_b2a: ``F`` (B → A); it is given A pictures here.
        real_a: pictures of domain A.
        real_b: pictures of domain B (the same channels as A).

    Returns:
        A float32 scalar tensor, to be minimised by both generators.
    """
    return cycle_loss(real_a, generator_b2a(real_a)) + cycle_loss(real_b, generator_a2b(real_b))


def cyclegan_generator_loss(fake_b_logits, fake_a_logits, cycle_a, cycle_b, identity, cycle_weight_a,
                            cycle_weight_b, identity_weight):
    """The loss CycleGAN's two generators minimise together.

    ``loss = E[(D_B(G(a)) − 1)²] + E[(D_A(F(b)) − 1)²] + λ_A·cycle_a + λ_B·cycle_b + λ_id·identity``

    the least-squares adversarial terms of the paper (without LSGAN's ½, as in the authors' code), the two
    cycle errors (:func:`cycle_loss`) each with its own weight (the authors' code: ``--lambda_A``,
    ``--lambda_B``; the paper: λ = 10 for both) and the identity term (:func:`identity_loss`) with one weight.
    Zhu et al. 2017 (arXiv:1703.10593), eqs. 1–3 and section 5.2.

    Args:
        fake_b_logits: ``D_B(G(a))``, the B discriminator's raw outputs on translated A pictures; any shape.
        fake_a_logits: ``D_A(F(b))``; any shape.
        cycle_a: ``E|F(G(a)) − a|``, a scalar.
        cycle_b: ``E|G(F(b)) − b|``, a scalar.
        identity: the identity term, a scalar (0 when it is not used).
        cycle_weight_a: λ_A, the weight of ``cycle_a``.
        cycle_weight_b: λ_B, the weight of ``cycle_b``.
        identity_weight: λ_id, the weight of ``identity`` (the paper: 0.5·λ).

    Returns:
        A float32 scalar tensor.
    """
    adversarial = (tf.reduce_mean(tf.square(_as_float32(fake_b_logits) - 1.0))
                   + tf.reduce_mean(tf.square(_as_float32(fake_a_logits) - 1.0)))
    return adversarial + cycle_weight_a * cycle_a + cycle_weight_b * cycle_b + identity_weight * identity


# -------------------------------------------------------------------------------------------- registry

_REGISTRY = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (non_saturating_generator_loss, non_saturating_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
}


def get(family):
    """Return the ``(generator_loss, discriminator_loss)`` pair of a loss family.

    Args:
        family: one of :data:`FAMILIES`: ``"minimax"``, ``"non_saturating"``, ``"least_squares"``,
            ``"wasserstein"`` or ``"hinge"``. Only the families in :data:`SUPPORTS_LABEL_SMOOTHING` take a
            ``label_smoothing`` argument in their discriminator loss.

    Returns:
        A tuple ``(generator_loss_fn, discriminator_loss_fn)``: ``generator_loss_fn(fake_logits)`` and
        ``discriminator_loss_fn(real_logits, fake_logits, ...)``, each returning a float32 scalar.

    Raises:
        ValueError: if ``family`` is not one of :data:`FAMILIES`.

    Example:

    >>> generator_loss, discriminator_loss = get("non_saturating")
    >>> round(float(generator_loss([0.0, 0.0])), 3)  # log 2 at the equilibrium
    0.693
    """
    if not isinstance(family, str) or family not in _REGISTRY:
        raise ValueError(f"Unknown loss family {family!r}. Expected one of: {', '.join(FAMILIES)}")
    return _REGISTRY[family]
