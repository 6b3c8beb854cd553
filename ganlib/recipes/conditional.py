"""Lesson 4: the conditional GAN (:data:`CGAN`, :func:`build_cgan`)."""

from __future__ import annotations

from ganlib import training
from ganlib.models import conditional as conditional_models
from ganlib.recipes._common import _scope, compile_gan, settings
from ganlib.recipes.images import DCGAN

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
