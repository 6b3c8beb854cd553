"""Lesson 3: pix2pix (:data:`PIX2PIX`, its datasets' and image sizes' settings, :func:`build_pix2pix`)."""

from __future__ import annotations

import keras

from ganlib import models, training
from ganlib.recipes._common import _scope, settings

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
