"""What every recipe builder shares: :func:`settings` (a recipe with overrides), the strategy's scope and
:func:`compile_gan` (a noise-to-image game compiled with a recipe's optimizers and loss)."""

from __future__ import annotations

import contextlib

import keras

from ganlib import losses, training


def settings(recipe: dict, **overrides) -> dict:
    """Return a copy of ``recipe`` with ``overrides`` applied; unknown names are an error.

    Label smoothing only exists for the cross-entropy and least-squares losses: with another ``loss`` it
    is set to 0, so ``build_mlp_gan(loss="hinge")`` just works. With ``loss="wasserstein"`` (trained with the
    gradient penalty) a recipe's critic has no batch norm (``d_batch_norm`` is set to False): the penalty
    constrains the gradient for each image on its own, and batch norm makes each output depend on the whole
    batch (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", section 4, use no batch norm in
    the critic). Asking for both is an error.
    """
    unknown = sorted(set(overrides) - set(recipe))
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown}. Expected some of: {sorted(recipe)}")
    hp = {**recipe, **overrides}
    if hp["loss"] not in losses.SUPPORTS_LABEL_SMOOTHING:
        hp["label_smoothing"] = 0.0
    if hp["loss"] == "wasserstein" and hp.get("d_batch_norm"):
        if overrides.get("d_batch_norm"):
            raise ValueError(
                "Expected `d_batch_norm=False` with loss='wasserstein': the gradient penalty needs a critic "
                "without batch norm. Received: d_batch_norm=True"
            )
        hp["d_batch_norm"] = False
    return hp


def _scope(strategy):
    """The scope of ``strategy``; none (the current one) when ``strategy`` is ``None``."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()


def _compiled_gan(generator, discriminator, hp: dict, seed, ema_update_fn=None, **extra) -> training.GAN:
    gan = training.GAN(
        generator, discriminator, seed=seed, ema_decay=hp.get("ema_decay"), ema_update_fn=ema_update_fn
    )
    return compile_gan(gan, hp, **extra)


def compile_gan(gan, hp: dict, **extra):
    """Compile a noise-to-image game (``training.GAN`` or a subclass) with a recipe's optimizers and loss:
    Adam for each player (``d_lr``, ``g_lr``, ``beta_1``), ``loss``, ``d_steps``, ``label_smoothing``; ``extra``:
    more of ``GAN.compile``'s arguments (lesson 7's ``r1_weight``)."""
    gan.compile(
        d_optimizer=keras.optimizers.Adam(hp["d_lr"], beta_1=hp["beta_1"]),
        g_optimizer=keras.optimizers.Adam(hp["g_lr"], beta_1=hp["beta_1"]),
        loss=hp["loss"],
        d_steps=hp["d_steps"],
        label_smoothing=hp["label_smoothing"],
        **extra,
    )
    return gan
