"""The lessons' default settings, in one place, so the notebooks, the CLI and the benchmarks agree.

A recipe is a plain dict of hyper-parameters; :func:`build_mlp_gan` and :func:`build_dcgan` turn one into a
compiled :class:`ganlib.training.GAN`; :func:`build_pix2pix`, :func:`build_cgan` and :func:`build_cyclegan`
build lessons 3, 4 and 5's trainers. Change a value by passing it: ``build_mlp_gan(d_lr=2e-3)``.
:data:`RECIPES` maps the CLI's model names to both.

Each builder takes ``strategy=``, a ``tf.distribute`` strategy (see
:func:`ganlib.config.distribution_strategy`), and builds and compiles the model inside its scope; the
default is the strategy in scope (none: one device). ``batch_size`` is then the *global* batch: each step
splits it over the strategy's replicas.
"""

from __future__ import annotations

import contextlib

import keras

from ganlib import data, losses, models, training
from ganlib.folders import DIRECTIONS
from ganlib.models import conditional as conditional_models
from ganlib.models import cyclegan as cyclegan_models
from ganlib.models import dcgan as dcgan_blocks
from ganlib.training.cyclegan import LinearDecay

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
                build_generator=None, ema_update_fn=None, **overrides) -> training.GAN:
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
        )
        return _compiled_gan(generator, discriminator, hp, seed, ema_update_fn)


def _compiled_gan(generator, discriminator, hp: dict, seed, ema_update_fn=None) -> training.GAN:
    gan = training.GAN(
        generator, discriminator, seed=seed, ema_decay=hp.get("ema_decay"), ema_update_fn=ema_update_fn
    )
    return compile_gan(gan, hp)


def compile_gan(gan, hp: dict):
    """Compile a noise-to-image game (``training.GAN`` or a subclass) with a recipe's optimizers and loss:
    Adam for each player (``d_lr``, ``g_lr``, ``beta_1``), ``loss``, ``d_steps``, ``label_smoothing``."""
    gan.compile(
        d_optimizer=keras.optimizers.Adam(hp["d_lr"], beta_1=hp["beta_1"]),
        g_optimizer=keras.optimizers.Adam(hp["g_lr"], beta_1=hp["beta_1"]),
        loss=hp["loss"],
        d_steps=hp["d_steps"],
        label_smoothing=hp["label_smoothing"],
    )
    return gan


#: The CLI's model names: ``name -> (recipe, builder)``.
RECIPES = {"gan": (MLP_GAN, build_mlp_gan), "dcgan": (DCGAN, build_dcgan)}

#: Lesson 7: small MLPs on the 2-D toys (:func:`ganlib.data.toy_mixture`); these defaults are the lesson's
#: recommended recipe (benchmarks/RESULTS.md, lesson 7), :data:`TOY_METHODS` the stabilisers it compares.
TOY = {
    "scale": None,  # the networks' unit of length (see ganlib.models.toy); None: the mixture's standard deviation
    "latent_dim": 2,
    "g_hidden": (128, 128, 128),
    "d_hidden": (128, 128, 128),
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
    "minibatch_std": 0,  # group size of the minibatch standard deviation (0: off)
    "ema_decay": None,
}

#: Lesson 7's methods, as overrides of :data:`TOY`, each with its paper's choices where they fit the toy.
TOY_METHODS = {
    "plain": {},
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
            :func:`ganlib.models.toy.power_iteration`), used with ``spectral_norm=True``.
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
            hp["d_hidden"], spectral_norm=hp["spectral_norm"], minibatch_std=hp["minibatch_std"], scale=scale,
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


#: Lesson 3: pix2pix, tuned for quality per CPU-minute on 32×32 digit inpainting (see benchmarks/RESULTS.md). The
#: saved generator is a moving average of the trained one's weights (``ema_decay``): on held-out digits it read
#: 0.01–0.06 more of them than the trained generator at every point of a 4,800-step run, and 0.004–0.07 more
#: after 10 minutes of training in each of five runs (0.853–0.863).
PIX2PIX = {
    "base_filters": 32,
    "d_base_filters": 16,
    "receptive_field": 16,
    "dropout": 0.5,
    "batch_size": 64,
    "g_lr": 1e-3,
    "d_lr": 1e-3,
    "beta_1": 0.5,
    "loss": "non_saturating",
    "label_smoothing": 0.0,
    "l1_weight": 100.0,
    "gan_weight": 1.0,
    "max_chroma": 1.0,
    "ema_decay": 0.999,
    # The pieces lesson 3's learner writes (None: ganlib's): the U-Net's blocks (models.pix2pix.unet_down_block,
    # unet_up_block), the discriminator's builder (models.build_patchgan_discriminator's first four arguments
    # and seed=) and the generator loss (losses.pix2pix_generator_loss; non-saturating family only).
    "down_block": None,
    "up_block": None,
    "discriminator": None,
    "g_loss_fn": None,
}

#: Dataset-specific changes to :data:`PIX2PIX` (image size and what fits it). The colouriser, taught by six
#: photographs, may paint at most 10% of the full colour range and weighs the adversarial term 0.3, so it
#: stays near grey where its training gave no evidence. Measured on a photograph it never saw
#: (``benchmarks/RESULTS.md``, lesson 3): with a 30% cap 15% of the crops came out more than 1 dB below the
#: grey copy, with 10% none did.
PIX2PIX_DATASETS = {
    "digits-inpaint": {},
    "photos-colorize": {"batch_size": 16, "receptive_field": 34, "max_chroma": 0.1, "gan_weight": 0.3},
    "facades": {"batch_size": 4, "receptive_field": 70},
}

#: pix2pix on your own folder (``train pix2pix --data``), by image side: 32 px as on digits, 64 px as on photos,
#: 256 px as on facades (the lessons' measured settings); 128 px in between, not measured.
PIX2PIX_BY_SIZE = {
    32: {"batch_size": 64, "receptive_field": 16},
    64: {"batch_size": 16, "receptive_field": 34},
    128: {"batch_size": 8, "receptive_field": 70},
    256: {"batch_size": 4, "receptive_field": 70},
}


def build_pix2pix(
    dataset: str = "digits-inpaint", image_shape=None, seed: int | None = 0, strategy=None, **overrides
) -> training.Pix2Pix:
    """Build and compile the lesson-3 pix2pix model from :data:`PIX2PIX` for ``dataset``.

    Args:
        dataset: a name of :data:`ganlib.data.PAIRED_DATASETS`; picks the channels (a colouriser predicts
            colour only, see :func:`ganlib.models.build_unet_generator`) and the dataset's settings.
        image_shape: shape of the *input* images (default: 32×32×1 digits, 64×64×1 photos, 256×256×3
            facades).
        seed: seeds both networks.
        strategy: a ``tf.distribute.Strategy`` to build in (default: the one in scope).
        **overrides: any key of :data:`PIX2PIX` (``batch_size`` is for the dataset and ignored here);
            ``gan_weight=0`` gives the L1-only baseline. ``down_block``, ``up_block``, ``discriminator`` and
            ``g_loss_fn`` build and train the model with a learner's pieces (lesson 3); ``g_loss_fn``, the
            non-saturating pix2pix loss written out, is used with ``loss="non_saturating"`` only (another family
            trains with its own generator loss).

    Returns:
        A compiled :class:`ganlib.training.Pix2Pix`.
    """
    if dataset not in PIX2PIX_DATASETS:
        raise ValueError(f"Expected `dataset` to be one of {sorted(PIX2PIX_DATASETS)}. Received: dataset={dataset!r}")
    hp = settings(PIX2PIX, **{**PIX2PIX_DATASETS[dataset], **overrides})
    default_shapes = {"digits-inpaint": (32, 32, 1), "photos-colorize": (64, 64, 1), "facades": (256, 256, 3)}
    image_shape = default_shapes[dataset] if image_shape is None else tuple(image_shape)
    colorize = dataset == "photos-colorize"
    with _scope(strategy):
        generator = models.build_unet_generator(
            image_shape,
            hp["base_filters"],
            dropout=hp["dropout"],
            colorize=colorize,
            max_chroma=hp["max_chroma"],
            seed=seed,
            down_block=hp["down_block"],
            up_block=hp["up_block"],
        )
        discriminator = (hp["discriminator"] or models.build_patchgan_discriminator)(
            image_shape,
            3 if colorize else image_shape[-1],
            hp["receptive_field"],
            hp["d_base_filters"],
            seed=None if seed is None else seed + 1000,
        )
        model = training.Pix2Pix(
            generator, discriminator, l1_weight=hp["l1_weight"], gan_weight=hp["gan_weight"],
            ema_decay=hp["ema_decay"],
        )
        model.compile(
            d_optimizer=keras.optimizers.Adam(hp["d_lr"], beta_1=hp["beta_1"]),
            g_optimizer=keras.optimizers.Adam(hp["g_lr"], beta_1=hp["beta_1"]),
            loss=hp["loss"],
            label_smoothing=hp["label_smoothing"],
            g_loss_fn=hp["g_loss_fn"] if hp["loss"] == "non_saturating" else None,
        )
        return model


#: Lesson 4's default: lesson 2's DCGAN recipe with the label embedded into G's first layer and a
#: projection discriminator (benchmarks/RESULTS.md, "Lesson 4").
CGAN = {
    **DCGAN,
    "form": "projection",
    "kind": "conv",
    "num_classes": 10,
    "embedding_dim": 16,
    "class_weight": 1.0,
}


def build_cgan(seed: int | None = 0, image_shape=(28, 28, 1), strategy=None, *, label_embedding=None,
               label_channels=None, head=None, **overrides) -> training.ConditionalGAN:
    """Build and compile lesson 4's conditional GAN from :data:`CGAN` (with ``overrides``).

    The pieces where the label enters default to ganlib's (:mod:`ganlib.models.conditional`); lesson 4 passes
    the learner's, e.g. ``build_cgan(seed=0, label_embedding=mine, head=MyProjectionHead)``.

    Args:
        seed: seeds the weights of both players and the training noise.
        image_shape: image shape (28, 32 or 64 px square for ``kind="conv"``).
        strategy: a ``tf.distribute.Strategy`` to build in (default: the one in scope).
        label_embedding: G's label embedding (:func:`ganlib.models.conditional.label_embedding`'s signature).
        label_channels: the ``"concat"`` D's label planes (:func:`ganlib.models.conditional.label_channels`'s).
        head: the ``"projection"`` D's head, a layer class (:class:`ganlib.models.conditional.ProjectionHead`'s).
        **overrides: any key of :data:`CGAN`, e.g. ``form="concat"`` or ``form="acgan"``, ``kind="mlp"``,
            ``loss="hinge"`` (``batch_size`` is for the dataset and ignored here).

    Returns:
        A compiled :class:`ganlib.training.ConditionalGAN`.
    """
    hp = settings(CGAN, **overrides)
    with _scope(strategy):
        generator = conditional_models.build_conditional_generator(
            hp["latent_dim"], hp["num_classes"], image_shape, kind=hp["kind"], base_filters=hp["base_filters"],
            kernel_size=hp["kernel_size"], embedding_dim=hp["embedding_dim"], seed=seed,
            label_embedding=label_embedding,
        )
        discriminator = conditional_models.build_conditional_discriminator(
            hp["form"], image_shape, hp["num_classes"], kind=hp["kind"], base_filters=hp["d_base_filters"],
            kernel_size=hp["kernel_size"], batch_norm=hp["d_batch_norm"], dropout=hp["dropout"],
            seed=None if seed is None else seed + 1000, head=head, label_channels=label_channels,
        )
        gan = training.ConditionalGAN(generator, discriminator, hp["num_classes"], hp["class_weight"], seed=seed,
                             ema_decay=hp["ema_decay"])
        return compile_gan(gan, hp)


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
