"""The terms a trainer adds to the adversarial loss: pix2pix's L1 reconstruction, AC-GAN's class loss and
CycleGAN's cycle and identity terms, each with its formula and paper, plus the whole generator losses of
pix2pix and CycleGAN (the references of lessons 3 and 5's exercises, and what their trainers compute)."""

from __future__ import annotations

import keras
import tensorflow as tf

from ganlib.losses.adversarial import least_squares_generator_loss, non_saturating_generator_loss
from ganlib.losses.tensors import as_float32

# ------------------------------------------------------------------------------------------------ pix2pix


def l1_loss(targets, outputs):
    """Mean absolute error, pix2pix's reconstruction term.

    ``loss = E[|y − G(x)|]``

    over every pixel and channel. Isola, Zhu, Zhou & Efros 2017, "Image-to-Image Translation with Conditional
    Adversarial Networks" (arXiv:1611.07004), eq. 3: L1 rather than L2 because it blurs less.

    Args:
        targets: the real targets ``y``, any shape.
        outputs: the generator's outputs ``G(x)``, the same shape.

    Returns:
        A float32 scalar tensor.
    """
    return tf.reduce_mean(tf.abs(as_float32(targets) - as_float32(outputs)))


def pix2pix_generator_loss(fake_logits, targets, outputs, l1_weight):
    """The pix2pix generator's loss: ``−mean log D(x, G(x)) + l1_weight · mean |targets − outputs|``.

    The non-saturating GAN term on the patch logits of the generated pairs
    (:func:`ganlib.losses.non_saturating_generator_loss`, ``mean softplus(−f)``) plus λ times :func:`l1_loss`
    (Isola et al. 2017, eq. 4, with the generator's side of the game in its non-saturating form).
    :class:`ganlib.training.Pix2Pix` computes this itself; it is also the reference of lesson 3's exercise,
    and ``Pix2Pix.compile`` takes a function with this signature as ``g_loss_fn``.

    Args:
        fake_logits: D's logits on the pairs ``(x, G(x))``, any shape.
        targets: the real targets ``y``.
        outputs: the generator's outputs ``G(x)``, the shape of ``targets``.
        l1_weight: λ (the paper's 100).

    Returns:
        A scalar tensor: the batch mean.
    """
    outputs = keras.ops.convert_to_tensor(outputs)
    targets = keras.ops.cast(targets, outputs.dtype)
    return non_saturating_generator_loss(fake_logits) + l1_weight * keras.ops.mean(keras.ops.abs(targets - outputs))


# ------------------------------------------------------------------------------------------------- AC-GAN


def class_loss(class_logits, labels):
    """AC-GAN's class loss: the cross-entropy of the discriminator's class logits against the labels.

    ``loss = −E[log softmax(c)_y]``

    Odena, Olah & Shlens 2017, "Conditional Image Synthesis with Auxiliary Classifier GANs"
    (arXiv:1610.09585), eq. 2: the log-likelihood of the correct class, ``L_C``, which both players
    maximise (so both minimise this). :class:`ganlib.training.ConditionalGAN` averages it over the real and
    the fake batch for D and takes it on the fakes for G, each weighted by ``class_weight``.

    Args:
        class_logits: ``(batch, num_classes)`` unnormalised class scores.
        labels: ``(batch,)`` integer classes.

    Returns:
        A float32 scalar tensor.
    """
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.cast(class_logits, tf.float32))
    )


# ----------------------------------------------------------------------------------------------- CycleGAN


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
    return tf.reduce_mean(tf.abs(as_float32(cycled_images) - as_float32(real_images)))


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
    # The least-squares family's generator loss has LSGAN's ½; the authors' MSE does not: twice it.
    adversarial = 2.0 * (least_squares_generator_loss(fake_b_logits) + least_squares_generator_loss(fake_a_logits))
    return adversarial + cycle_weight_a * cycle_a + cycle_weight_b * cycle_b + identity_weight * identity
