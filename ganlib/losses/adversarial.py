"""The five adversarial loss families, each a ``<family>_generator_loss`` / ``<family>_discriminator_loss`` pair
(the formulas and papers are in each docstring and in :mod:`ganlib.losses`)."""

from __future__ import annotations

import tensorflow as tf

from ganlib.losses.tensors import as_float32, binary_cross_entropy, validate_label_smoothing

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
    label_smoothing = validate_label_smoothing(label_smoothing)
    real_logits = as_float32(real_logits)
    fake_logits = as_float32(fake_logits)
    real_loss = binary_cross_entropy(real_logits, 1.0 - label_smoothing)
    fake_loss = binary_cross_entropy(fake_logits, 0.0)
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
    fake_logits = as_float32(fake_logits)
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
    fake_logits = as_float32(fake_logits)
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
    label_smoothing = validate_label_smoothing(label_smoothing)
    real_logits = as_float32(real_logits)
    fake_logits = as_float32(fake_logits)
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
    fake_logits = as_float32(fake_logits)
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
    real_logits = as_float32(real_logits)
    fake_logits = as_float32(fake_logits)
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
    fake_logits = as_float32(fake_logits)
    return -tf.reduce_mean(fake_logits)


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
    real_logits = as_float32(real_logits)
    fake_logits = as_float32(fake_logits)
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
    fake_logits = as_float32(fake_logits)
    return -tf.reduce_mean(fake_logits)
