"""Lesson 5: CycleGAN (:data:`CYCLEGAN`, its datasets' settings, :func:`build_cyclegan`)."""

from __future__ import annotations

import keras

from ganlib import training
from ganlib.folders import DIRECTIONS
from ganlib.models import cyclegan as cyclegan_models
from ganlib.recipes._common import _scope
from ganlib.training.cyclegan import LinearDecay

#: Lesson 5: CycleGAN on 32×32 digits ↔ digits on photos, sized to train on a laptop CPU in minutes. Measured
#: (``benchmarks/RESULTS.md``, lesson 5) against the paper's weights: lighter cycles (λ 3 for A → B → A, 1 for
#: B → A → B, whose photo a plain digit cannot hold), a stronger discriminator (32 filters, 34-pixel
#: patches) and shallow generators (two halvings: each output pixel sees a window of the input at most 18×18 px,
#: 14 or 18 px a side in the middle, 7–15 px in the outer rows and columns, where the picture's edge cuts it off;
#: a little smaller than a digit's 20-px height) keep the digit far more often.
CYCLEGAN = {
    "base_filters": 8,
    "depth": 2,  # the generators' stride-2 halvings (None: down to 1×1)
    "d_base_filters": 32,
    "receptive_field": 34,
    "batch_size": 16,
    "lr": 5e-4,
    "beta_1": 0.5,
    "cycle_weight": 3.0,
    "cycle_weight_b": 1.0,  # λ of B → A → B; None: cycle_weight (see ganlib.training.cyclegan)
    "identity_weight": 5.0,
    "pool_size": 50,
    "decay_steps": 0,
}


#: Dataset-specific changes to :data:`CYCLEGAN`. The real sets' settings follow the paper's discriminator
#: (70-pixel patches) at the loader's 128 px and its λ_cyc = 10 for both cycles; they are not measured on
#: this course's machines.
CYCLEGAN_DATASETS = {
    "digits-photos": {},
    **dict.fromkeys(
        ("horse2zebra", "summer2winter_yosemite", "monet2photo"),
        {"base_filters": 32, "depth": None, "d_base_filters": 64, "receptive_field": 70, "batch_size": 4,
         "lr": 2e-4, "cycle_weight": 10.0, "cycle_weight_b": None},
    ),
}


def build_cyclegan(image_shape=(32, 32, 3), seed: int | None = 0, strategy=None, *, cycle_loss_fn=None,
                   identity_loss_fn=None, generator_loss_fn=None, pool_query_fn=None, **overrides) -> training.CycleGAN:
    """Build and compile the lesson-5 CycleGAN from :data:`CYCLEGAN` (``overrides``: any of its keys).

    ``decay_steps`` > 0 keeps the learning rate for that many steps, then decays it linearly to 0 over as many
    (:class:`ganlib.training.cyclegan.LinearDecay`); 0 keeps it constant. ``batch_size`` is for the dataset
    and ignored here. ``cycle_loss_fn``, ``identity_loss_fn``, ``generator_loss_fn`` (for ``compile``) and
    ``pool_query_fn`` (for the constructor) replace ganlib's terms, as in :class:`ganlib.training.CycleGAN`
    (lesson 5 trains the learner's own); ``None``: ganlib's.
    """
    unknown = sorted(set(overrides) - set(CYCLEGAN))
    if unknown:
        raise ValueError(f"Unknown setting(s) {unknown}. Expected some of: {sorted(CYCLEGAN)}")
    hp = {**CYCLEGAN, **overrides}
    seeds = [None if seed is None else seed + offset for offset in (0, 1, 1000, 1001)]
    with _scope(strategy):
        g_ab, g_ba = (
            cyclegan_models.build_cycle_generator(
                image_shape, hp["base_filters"], depth=hp["depth"], name=cyclegan_models.GENERATOR_NAMES[d], seed=s
            )
            for d, s in zip(DIRECTIONS, seeds[:2], strict=True)
        )
        d_a, d_b = (
            cyclegan_models.build_patch_discriminator(
                image_shape, hp["receptive_field"], hp["d_base_filters"], name=cyclegan_models.DISCRIMINATOR_NAMES[x], seed=s
            )
            for x, s in zip("ab", seeds[2:], strict=True)
        )
        model = training.CycleGAN(
            g_ab, g_ba, d_a, d_b, cycle_weight=hp["cycle_weight"], identity_weight=hp["identity_weight"],
            pool_size=hp["pool_size"], seed=seed, cycle_weight_b=hp["cycle_weight_b"], pool_query_fn=pool_query_fn,
        )

        def learning_rate():
            decay = int(hp["decay_steps"])
            return LinearDecay(hp["lr"], decay, decay) if decay else hp["lr"]

        model.compile(
            d_optimizer=keras.optimizers.Adam(learning_rate(), beta_1=hp["beta_1"]),
            g_optimizer=keras.optimizers.Adam(learning_rate(), beta_1=hp["beta_1"]),
            cycle_loss_fn=cycle_loss_fn, identity_loss_fn=identity_loss_fn, generator_loss_fn=generator_loss_fn,
        )
    return model
