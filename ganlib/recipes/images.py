"""Lessons 1 and 2: the fully connected GAN (:data:`MLP_GAN`, :func:`build_mlp_gan`) and the DCGAN (:data:`DCGAN`,
:func:`build_dcgan`, with lesson 7's stabilisers as options) on 28×28 digits."""

from __future__ import annotations

from ganlib import models, training
from ganlib.models import dcgan as dcgan_blocks
from ganlib.recipes._common import _compiled_gan, _scope, settings

#: Lesson 1: the fully connected GAN on 28×28 digits, tuned for quality per CPU-minute.
MLP_GAN = {
    "latent_dim": 64,
    "g_hidden": (256, 512),
    "d_hidden": (512, 256),
    "dropout": 0.3,
    "batch_size": 64,
    "g_lr": 5e-4,
    "d_lr": 5e-4,
    "beta_1": 0.5,
    "loss": "non_saturating",
    "d_steps": 1,
    "label_smoothing": 0.1,
}

#: Lesson 2: the DCGAN, tuned for quality per CPU-minute (see the lesson and benchmarks/RESULTS.md).
DCGAN = {
    "latent_dim": 64,
    "base_filters": 64,  # the generator's (filters of its last hidden layer)
    "d_base_filters": 16,  # the discriminator's (filters of its first convolution): a strong G, a light D
    "kernel_size": 4,
    "dropout": 0.0,
    "d_batch_norm": True,  # set to False with loss="wasserstein" (see `settings`)
    "batch_size": 64,
    "g_lr": 1e-3,
    "d_lr": 1e-3,
    "beta_1": 0.5,
    "loss": "non_saturating",
    "d_steps": 1,
    "label_smoothing": 0.1,
    "ema_decay": 0.999,
}


def build_mlp_gan(seed: int | None = 0, image_shape=(28, 28, 1), strategy=None, **overrides) -> training.GAN:
    """Build and compile the lesson-1 GAN from :data:`MLP_GAN` (with ``overrides``).

    Args:
        seed: seeds the weights of both players and the training noise.
        image_shape: shape of the images.
        strategy: a ``tf.distribute.Strategy`` to build in (default: the one in scope).
        **overrides: any key of :data:`MLP_GAN` (``batch_size`` is for the dataset and ignored here).

    Returns:
        A compiled :class:`ganlib.training.GAN`.
    """
    hp = settings(MLP_GAN, **overrides)
    with _scope(strategy):
        generator = models.build_mlp_generator(hp["latent_dim"], hp["g_hidden"], image_shape, seed=seed)
        discriminator = models.build_mlp_discriminator(
            image_shape, hp["d_hidden"], dropout=hp["dropout"], seed=None if seed is None else seed + 1000
        )
        return _compiled_gan(generator, discriminator, hp, seed)


def build_dcgan(seed: int | None = 0, image_shape=(28, 28, 1), strategy=None, up_block=None, down_block=None,
                build_generator=None, ema_update_fn=None, *, r1_weight: float = 0.0, spectral_norm: bool = False,
                minibatch_std: int = 0, gradient_penalty_fn=None, r1_penalty_fn=None, power_iteration_fn=None,
                **overrides) -> training.GAN:
    """Build and compile the lesson-2 DCGAN from :data:`DCGAN` (with ``overrides``).

    Args:
        seed: seeds the weights of both players and the training noise.
        image_shape: ``(28, 28, C)``, ``(32, 32, C)`` or ``(64, 64, C)``.
        strategy: a ``tf.distribute.Strategy`` to build in (default: the one in scope).
        up_block, down_block: the players' blocks (default: ganlib's, :func:`ganlib.models.dcgan.up_block`
            and :func:`ganlib.models.dcgan.down_block`); lesson 2 passes the learner's.
        build_generator: a function with the signature of :func:`ganlib.models.build_dcgan_generator` that
            builds the generator (with ``up_block``); default: that one.
        ema_update_fn: the EMA step (default :func:`ganlib.training.steps.ema_update`).
        r1_weight, spectral_norm, minibatch_std: lesson 7's stabilisers on lesson 2's DCGAN: γ of the R1 penalty,
            a spectrally normalised critic (no batch norm), the minibatch standard deviation's group size (see
            :func:`ganlib.models.build_dcgan_discriminator`); off by default.
        gradient_penalty_fn, r1_penalty_fn, power_iteration_fn: lesson 7's pieces (default: ganlib's
            :func:`ganlib.losses.gradient_penalty`, :func:`ganlib.losses.r1_penalty` and
            :func:`ganlib.models.stabilisers.power_iteration`); the lesson passes the learner's.
        **overrides: any key of :data:`DCGAN` (``batch_size`` is for the dataset and ignored here). With
            ``loss="wasserstein"`` the critic is built without batch norm: the gradient penalty is taken per
            example, and batch norm would mix the examples of a batch (Gulrajani et al. 2017, section 4).

    Returns:
        A compiled :class:`ganlib.training.GAN` (with an EMA generator when ``ema_decay`` is set).
    """
    hp = settings(DCGAN, **overrides)  # with loss="wasserstein": d_batch_norm False (see `settings`)
    with _scope(strategy):
        generator = (build_generator or models.build_dcgan_generator)(
            hp["latent_dim"], image_shape, hp["base_filters"], hp["kernel_size"], seed=seed,
            up_block=up_block or dcgan_blocks.up_block,
        )
        discriminator = models.build_dcgan_discriminator(
            image_shape,
            hp["d_base_filters"],
            hp["kernel_size"],
            dropout=hp["dropout"],
            batch_norm=hp["d_batch_norm"],
            seed=None if seed is None else seed + 1000,
            down_block=down_block,
            spectral_norm=spectral_norm,
            minibatch_std=minibatch_std,
            power_iteration_fn=power_iteration_fn,
        )
        extra = {"r1_weight": r1_weight} if r1_weight else {}
        extra.update({name: fn for name, fn in (("gradient_penalty_fn", gradient_penalty_fn),
                                                ("r1_penalty_fn", r1_penalty_fn)) if fn is not None})
        return _compiled_gan(generator, discriminator, hp, seed, ema_update_fn, **extra)
