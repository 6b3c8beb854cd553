"""GAN losses, in generator/discriminator pairs: logits in, a float32 scalar out; and the other loss terms.

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

The terms trainers add to the adversarial loss are here too, each with its formula and paper: pix2pix's
:func:`l1_loss` and whole :func:`pix2pix_generator_loss` (Isola et al. 2017), AC-GAN's :func:`class_loss`
(Odena et al. 2017), CycleGAN's :func:`cycle_loss`, :func:`identity_loss` and the generators' total
:func:`cyclegan_generator_loss` (Zhu et al. 2017); the WGAN-GP :func:`gradient_penalty`, the :func:`r1_penalty`
(Mescheder et al. 2018) and WGAN's :func:`clip_weights` (Arjovsky et al. 2017).

The modules: :mod:`ganlib.losses.adversarial` (the families), :mod:`ganlib.losses.penalties`,
:mod:`ganlib.losses.terms`, and :mod:`ganlib.losses.tensors` (what they share).

All functions are pure TensorFlow ops, so they run eagerly and inside ``tf.function`` training steps.
"""

from __future__ import annotations

import importlib

# The functions are imported from their modules when first asked for (``losses.cycle_loss``): importing
# ``ganlib.losses`` itself starts no TensorFlow, so the command line can offer FAMILIES in its help and refuse
# a wrong one before TensorFlow's start-up.
_MODULES = {
    "ganlib.losses.adversarial": (
        "hinge_discriminator_loss", "hinge_generator_loss", "least_squares_discriminator_loss",
        "least_squares_generator_loss", "minimax_discriminator_loss", "minimax_generator_loss",
        "non_saturating_discriminator_loss", "non_saturating_generator_loss", "wasserstein_discriminator_loss",
        "wasserstein_generator_loss",
    ),
    "ganlib.losses.penalties": ("clip_weights", "gradient_penalty", "r1_penalty"),
    "ganlib.losses.terms": (
        "class_loss", "cycle_loss", "cyclegan_generator_loss", "identity_loss", "l1_loss", "pix2pix_generator_loss",
    ),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str):
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'ganlib.losses' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_HOME))


__all__ = [
    "FAMILIES",
    "SUPPORTS_LABEL_SMOOTHING",
    "class_loss",
    "clip_weights",
    "cycle_loss",
    "cyclegan_generator_loss",
    "get",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "identity_loss",
    "l1_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "pix2pix_generator_loss",
    "r1_penalty",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]

#: The loss families :func:`get` knows, in the order the course introduces them.
FAMILIES = ("minimax", "non_saturating", "least_squares", "wasserstein", "hinge")

#: The families whose discriminator loss takes a ``label_smoothing`` argument.
SUPPORTS_LABEL_SMOOTHING = ("minimax", "non_saturating", "least_squares")


# -------------------------------------------------------------------------------------------- registry

_PAIRS = {family: (f"{family}_generator_loss", f"{family}_discriminator_loss") for family in FAMILIES}


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
    if not isinstance(family, str) or family not in _PAIRS:
        raise ValueError(f"Unknown loss family {family!r}. Expected one of: {', '.join(FAMILIES)}")
    generator_loss, discriminator_loss = _PAIRS[family]
    return __getattr__(generator_loss), __getattr__(discriminator_loss)
