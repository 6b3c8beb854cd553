"""Lesson 7: the GAN on 2-D mixtures of Gaussians (:data:`TOY`, :data:`TOY_METHODS`, :func:`build_toy_gan`)."""

from __future__ import annotations

import keras

from ganlib import data, models, training
from ganlib.recipes._common import _scope, settings

#: Lesson 7: small MLPs on the 2-D toys (:func:`ganlib.data.toy_mixture`); these defaults are the lesson's
#: recommended recipe (benchmarks/RESULTS.md, lesson 7), :data:`TOY_METHODS` the stabilisers it compares.
TOY = {
    "scale": None,  # the networks' unit of length (see ganlib.models.toy); None: the mixture's standard deviation
    # D measures in units of scale / d_gain (a Rescaling layer first, neither clipped nor spectrally normalised):
    # with clipping or SN that raises D's Lipschitz bound d_gain-fold. The gradient penalty is taken with respect
    # to the raw points through the whole D, Rescaling included, so d_gain does not change its constraint (slope 1
    # in the mixture's own units); there it only rescales D's first layer.
    "d_gain": 1.0,
    "latent_dim": 2,
    "g_hidden": (64, 64, 64),
    "d_hidden": (64, 64, 64),
    "batch_size": 256,
    "optimizer": "adam",  # or "rmsprop" (WGAN with weight clipping, as Arjovsky et al. 2017)
    "g_lr": 1e-3,
    "d_lr": 1e-3,
    "beta_1": 0.5,
    "beta_2": 0.9,
    "loss": "non_saturating",
    "d_steps": 1,
    "label_smoothing": 0.0,
    "gradient_penalty_weight": 0.0,
    "r1_weight": 0.0,
    "clip_weights": None,
    "spectral_norm": False,
    "minibatch_std": 4,  # group size of the minibatch standard deviation (0: off)
    "ema_decay": 0.999,
}

#: Lesson 7's methods, as overrides of :data:`TOY`, each with its paper's choices where they fit the toy.
_PLAIN = {"minibatch_std": 0, "ema_decay": None}
TOY_METHODS = {
    # the non-saturating GAN of lesson 1, nothing added
    "plain": _PLAIN,
    # Arjovsky et al. 2017, Algorithm 1: clip to ±0.01, RMSProp at 5e-5, 5 critic steps per generator step
    # (unlike Algorithm 1: batch 256, not 64, and the 5 critic steps share one real batch; d_gain 10, see TOY)
    "wgan_clip": {**_PLAIN, "loss": "wasserstein", "clip_weights": 0.01, "optimizer": "rmsprop", "g_lr": 5e-5,
                  "d_lr": 5e-5, "d_steps": 5, "d_gain": 10.0},
    # Gulrajani et al. 2017's toy script: λ = 0.1, 5 critic steps, Adam(β₁ 0.5, β₂ 0.9); our learning rate. Not
    # the same constraint: the script divides the grid by 2.828 before its critic, so its slope 1 is 0.354 in raw
    # units; here the penalty pulls towards slope 1 in raw units (d_gain does not change that, see TOY)
    "wgan_gp": {**_PLAIN, "loss": "wasserstein", "gradient_penalty_weight": 0.1, "d_steps": 5, "d_gain": 10.0},
    # Miyato et al. 2018: hinge loss, every layer of D spectrally normalised
    "hinge_sn": {**_PLAIN, "loss": "hinge", "spectral_norm": True, "d_gain": 10.0},
    # Mescheder et al. 2018's R1, γ = 0.1: the lesson's choice for the toy (their default config: reg_param = 10, added
    # as reg_param·E‖∇D‖² with no ½; ganlib adds (γ/2)·E‖∇D‖² as the paper writes it)
    "r1": {**_PLAIN, "r1_weight": 0.1},
    # the two time-scale update rule (Heusel et al. 2017, who tuned the two rates per experiment); the ratio 4
    # (D 4× faster than G) is the lesson's choice, following SAGAN's convention (Zhang et al. 2019: 4e-4 / 1e-4)
    "ttur": {**_PLAIN, "g_lr": 5e-4, "d_lr": 2e-3},
    # Karras et al. 2018: D sees each group of 4 samples' standard deviation
    "minibatch_std": {**_PLAIN, "minibatch_std": 4},
    # lesson 2: sample from a moving average of G's weights (Yazıcı et al. 2019)
    "ema": {**_PLAIN, "ema_decay": 0.999},
    # the lesson's recommended recipe, TOY itself: the minibatch standard deviation and the average generator
    "recommended": {},
}


def build_toy_gan(mixture: str = "grid", seed: int | None = 0, strategy=None, *, gradient_penalty_fn=None,
                  r1_penalty_fn=None, power_iteration_fn=None, **overrides) -> training.GAN:
    """Build and compile lesson 7's GAN on 2-D points from :data:`TOY` (with ``overrides``).

    Args:
        mixture: the toy it will learn, ``"ring"`` or ``"grid"``: with ``scale=None`` the networks work in units
            of its standard deviation (:func:`ganlib.data.toy_scale`).
        seed: seeds the weights of both players and the training noise.
        strategy: a ``tf.distribute.Strategy`` to build in (default: the one in scope).
        gradient_penalty_fn, r1_penalty_fn: the penalties (default :func:`ganlib.losses.gradient_penalty` and
            :func:`ganlib.losses.r1_penalty`); lesson 7 passes the learner's.
        power_iteration_fn: the spectral layers' power iteration (default
            :func:`ganlib.models.stabilisers.power_iteration`), used with ``spectral_norm=True``.
        **overrides: any key of :data:`TOY`, e.g. ``loss="hinge", spectral_norm=True`` (``batch_size`` is for the
            dataset and ignored here).

    Returns:
        A compiled :class:`ganlib.training.GAN`: ``(batch, latent_dim)`` noise to ``(batch, 2)`` points.
    """
    hp = settings(TOY, **overrides)
    if hp["optimizer"] not in ("adam", "rmsprop"):
        raise ValueError(f"Expected `optimizer` to be 'adam' or 'rmsprop'. Received: optimizer={hp['optimizer']!r}")
    scale = data.toy_scale(mixture) if hp["scale"] is None else hp["scale"]
    with _scope(strategy):
        generator = models.build_toy_generator(hp["latent_dim"], hp["g_hidden"], scale=scale, seed=seed)
        discriminator = models.build_toy_discriminator(
            hp["d_hidden"], spectral_norm=hp["spectral_norm"], minibatch_std=hp["minibatch_std"],
            scale=scale / hp["d_gain"],
            seed=None if seed is None else seed + 1000,
            power_iteration_fn=power_iteration_fn if hp["spectral_norm"] else None,
        )
        gan = training.GAN(generator, discriminator, seed=seed, ema_decay=hp["ema_decay"])

        def optimizer(learning_rate):
            if hp["optimizer"] == "rmsprop":
                return keras.optimizers.RMSprop(learning_rate)
            return keras.optimizers.Adam(learning_rate, beta_1=hp["beta_1"], beta_2=hp["beta_2"])

        gan.compile(
            d_optimizer=optimizer(hp["d_lr"]), g_optimizer=optimizer(hp["g_lr"]), loss=hp["loss"],
            d_steps=hp["d_steps"], label_smoothing=hp["label_smoothing"],
            gradient_penalty_weight=hp["gradient_penalty_weight"], r1_weight=hp["r1_weight"],
            clip_weights=hp["clip_weights"], gradient_penalty_fn=gradient_penalty_fn, r1_penalty_fn=r1_penalty_fn,
        )
        return gan
