"""CycleGAN (Zhu, Park, Isola & Efros 2017, arXiv:1703.10593): translation between two domains without pairs.

Two generators, ``G_ab: A -> B`` and ``G_ba: B -> A``, and two discriminators, ``D_a`` and ``D_b``. With no
pairs, nothing says *which* B picture an A picture should become; the **cycle** does: a picture translated
there and back should come back unchanged. Per step, on a batch ``a`` of A and an unrelated batch ``b`` of B:

* adversarial (least squares, as in the paper): ``g_gan = mean (D_b(G_ab(a)) − 1)² + mean (D_a(G_ba(b)) − 1)²``;
* cycle: ``g_cycle = mean |G_ba(G_ab(a)) − a| + mean |G_ab(G_ba(b)) − b|``;
* identity (optional): ``g_identity = mean |G_ba(a) − a| + mean |G_ab(b) − b|``: a picture already in the
  target domain should pass unchanged, which keeps colours from drifting;
* ``g_loss = g_gan + cycle_weight · mean |G_ba(G_ab(a)) − a| + cycle_weight_b · mean |G_ab(G_ba(b)) − b|
  + identity_weight · g_identity`` (the paper: λ_cyc = 10 for both cycles, identity 0.5·λ_cyc where it is
  used). ``cycle_weight_b`` defaults to ``cycle_weight``; the authors' code weighs the two cycles apart
  (``--lambda_A``, ``--lambda_B``). A smaller B cycle helps when B holds what A cannot (the photo behind a
  digit): to bring B → A → B back, ``G_ba`` must hide that in its A picture (Chu, Zhmoginov & Sandler 2017,
  "CycleGAN, a Master of Steganography", arXiv:1712.02950);
* ``d_loss = ½ mean (D_a(a) − 1)² + ½ mean D_a(â)² + (the same for D_b)``, where ``â`` are the fakes
  shown to D: the newest ones, or with ``pool_size`` a mix of them and past ones (:mod:`ganlib.training.image_pool`).

The terms are :func:`ganlib.losses.cycle_loss`, :func:`ganlib.losses.identity_loss` and
:func:`ganlib.losses.cyclegan_generator_loss`. Lesson 5 trains the learner's own: ``compile`` takes
``cycle_loss_fn``, ``identity_loss_fn``, ``generator_loss_fn`` and ``d_loss_fn``, the constructor
``pool_query_fn`` (:func:`ganlib.training.image_pool.query_pool`'s signature); with none given, or ganlib's
own, a run is what it was (same seed, same numbers, same run folder).

Both players are updated from one forward pass per step (as :class:`ganlib.training.Pix2Pix`). Each step
reports ``d_loss``, ``g_loss``, ``g_gan``, ``g_cycle`` and ``g_identity``.

For ``fit``, checkpoints and run folders the two generators are one model, :attr:`CycleGAN.generator`
(inputs ``[a, b]``, outputs ``[G_ab(a), G_ba(b)]``), and the two discriminators another; one optimizer trains
both generators (as the paper's code does) and one both discriminators. :func:`load_translator` takes one
direction out of a saved ``generator.keras``.

Under ``tf.distribute`` the losses are averaged over the global batch (:class:`ganlib.training.steps.Shard`) and
the reported values reduced across replicas; the image pool sees the global batch of fakes.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ganlib import _checks, losses, storage
from ganlib.folders import DIRECTIONS
from ganlib.inference import predict_in_batches
from ganlib.models import cyclegan as cyclegan_models
from ganlib.training.image_pool import ImagePool, query_pool
from ganlib.training.steps import Shard, apply_together, regularisation
from ganlib.training.trainer import Trainer


def adversarial_loss(fake_logits):
    """The generator's least-squares loss of the paper: ``mean (D(G(x)) − 1)²``."""
    return tf.reduce_mean(tf.square(tf.cast(fake_logits, tf.float32) - 1.0))


#: ``mean |F(G(x)) − x|``: how far a picture translated there and back ends from where it started
#: (:func:`ganlib.losses.cycle_loss`, kept here under its old address).
cycle_loss = losses.cycle_loss


def _name(fn) -> str:
    """How a run's settings name a function: ``module.qualname``."""
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


@keras.saving.register_keras_serializable(package="ganlib")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant ``learning_rate`` for ``constant_steps``, then linearly down to 0 over ``decay_steps`` (the
    paper: 100 epochs each)."""

    def __init__(self, learning_rate: float, constant_steps: int, decay_steps: int):
        self.learning_rate = _checks.positive_number("learning_rate", learning_rate)
        if not isinstance(constant_steps, int) or constant_steps < 0:
            raise ValueError(f"Expected `constant_steps` >= 0. Received: constant_steps={constant_steps!r}")
        self.constant_steps = constant_steps
        self.decay_steps = _checks.positive_int("decay_steps", decay_steps)

    def __call__(self, step):
        done = (tf.cast(step, tf.float32) - self.constant_steps) / self.decay_steps
        return self.learning_rate * (1.0 - tf.clip_by_value(done, 0.0, 1.0))

    def get_config(self):
        return {"learning_rate": self.learning_rate, "constant_steps": self.constant_steps,
                "decay_steps": self.decay_steps}


def pair_models(first, second, name: str) -> keras.Model:
    """One model of two: inputs ``[a, b]``, outputs ``[first(a), second(b)]``."""
    a = keras.Input(shape=first.input_shape[1:], name="images_a")
    b = keras.Input(shape=second.input_shape[1:], name="images_b")
    return keras.Model([a, b], [first(a), second(b)], name=name)


class CycleGAN(Trainer):
    """Two generators and two discriminators trained on unpaired batches ``(a, b)``.

    Args:
        generator_a2b, generator_b2a: ``keras.Model`` ``(batch, H, W, C) -> (batch, H, W, C)`` in [-1, 1]
            (:func:`ganlib.models.cyclegan.build_cycle_generator`).
        discriminator_a, discriminator_b: ``keras.Model`` images -> logits (any shape)
            (:func:`ganlib.models.cyclegan.build_patch_discriminator`).
        cycle_weight: λ_cyc (the paper: 10) of the cycle A → B → A, and of B → A → B unless
            ``cycle_weight_b`` is given; 0 drops the cycle.
        cycle_weight_b: λ of the cycle B → A → B (default ``None``: ``cycle_weight``).
        identity_weight: weight of the identity term (the paper: 0.5·λ_cyc where used; 0: none). Needs
            both domains to have the same channels.
        pool_size: fakes kept per domain for the discriminators (the paper: 50; 0: always the newest).
        seed: seed of the pool's random choices.
        pool_query_fn: the pools' rule, ``fn(stored, count, fake_images, coins, slots) -> (shown, stored,
            count)`` (default :func:`ganlib.training.image_pool.query_pool`; another runs as Python outside
            the graph, see :class:`ganlib.training.image_pool.ImagePool`).
    """

    metric_names = ("d_loss", "g_loss", "g_gan", "g_cycle", "g_identity")

    def __init__(self, generator_a2b, generator_b2a, discriminator_a, discriminator_b, cycle_weight: float = 10.0,
                 identity_weight: float = 5.0, pool_size: int = 50, seed=None, cycle_weight_b: float | None = None,
                 pool_query_fn=None, **kwargs):
        generators = pair_models(generator_a2b, generator_b2a, "generators")
        discriminators = pair_models(discriminator_a, discriminator_b, "discriminators")
        super().__init__(generators, discriminators, **kwargs)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.generator_a2b, self.generator_b2a = generator_a2b, generator_b2a
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        if cycle_weight_b is None:
            cycle_weight_b = cycle_weight
        weights = (("cycle_weight", cycle_weight), ("cycle_weight_b", cycle_weight_b), ("identity_weight", identity_weight))
        for name, value in weights:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"Expected `{name}` >= 0. Received: {name}={value!r}")
        shape_a, shape_b = tuple(generator_a2b.input_shape[1:]), tuple(generator_b2a.input_shape[1:])
        if identity_weight and shape_a[-1] != shape_b[-1]:
            raise ValueError(
                f"Expected domains with the same channels for the identity loss. Received: A {shape_a}, B {shape_b}; "
                "pass identity_weight=0."
            )
        self.cycle_weight = float(cycle_weight)
        self.cycle_weight_b = float(cycle_weight_b)
        self.identity_weight = float(identity_weight)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"Expected `pool_size` >= 0. Received: pool_size={pool_size!r}")
        self.pool_size = pool_size
        if pool_query_fn is not None and not callable(pool_query_fn):
            raise ValueError(f"Expected `pool_query_fn` to be a function. Received: pool_query_fn={pool_query_fn!r}")
        self.pool_query_fn = query_pool if pool_query_fn is None else pool_query_fn
        self.pool_a = ImagePool(pool_size, shape_a, self.pool_query_fn, name="pool_a") if pool_size else None
        self.pool_b = ImagePool(pool_size, shape_b, self.pool_query_fn, name="pool_b") if pool_size else None

    def compile(self, d_optimizer, g_optimizer, cycle_loss_fn=None, identity_loss_fn=None, generator_loss_fn=None,
                d_loss_fn=None, **kwargs):
        """Configure training: ``d_optimizer`` trains both discriminators, ``g_optimizer`` (another
        instance) both generators (the paper: ``Adam(2e-4, beta_1=0.5)``, optionally with
        :class:`LinearDecay`). The adversarial loss is least squares.

        The terms, each replaceable by a function of the same signature (lesson 5 trains the learner's own):

        * ``cycle_loss_fn(real_images, cycled_images)``, default :func:`ganlib.losses.cycle_loss`, for each
          cycle (and ganlib's identity term);
        * ``identity_loss_fn(generator_a2b, generator_b2a, real_a, real_b)``, default
          :func:`ganlib.losses.identity_loss` (the generators are given as callables in training mode);
        * ``generator_loss_fn(fake_b_logits, fake_a_logits, cycle_a, cycle_b, identity, cycle_weight,
          cycle_weight_b, identity_weight)``, default :func:`ganlib.losses.cyclegan_generator_loss`: the
          generators' ``g_loss``. ``g_gan``, ``g_cycle`` and ``g_identity`` are still reported by ganlib's
          formulas (``g_cycle`` and ``g_identity`` from the given cycle and identity functions);
        * ``d_loss_fn(real_logits, fake_logits, label_smoothing=0.0)``, default
          :func:`ganlib.losses.least_squares_discriminator_loss`, for each discriminator.

        The functions run inside the training graph: TensorFlow or ``keras.ops``, not NumPy. Their names (and
        a custom ``pool_query_fn``'s) are part of the run's settings (:attr:`custom_losses`), so a run made
        with ganlib's terms is not resumed with them.
        """
        if kwargs.get("g_loss_fn") is not None:
            raise ValueError(
                "CycleGAN's generators have their own loss: pass `generator_loss_fn` (see "
                "ganlib.losses.cyclegan_generator_loss). Received: g_loss_fn=" + repr(kwargs["g_loss_fn"])
            )
        super().compile(d_optimizer, g_optimizer, "least_squares", 0.0, d_loss_fn=d_loss_fn, **kwargs)
        defaults = {"cycle_loss_fn": losses.cycle_loss, "identity_loss_fn": losses.identity_loss,
                    "generator_loss_fn": losses.cyclegan_generator_loss}
        given = {"cycle_loss_fn": cycle_loss_fn, "identity_loss_fn": identity_loss_fn,
                 "generator_loss_fn": generator_loss_fn}
        for role, default in defaults.items():
            custom = given[role]
            if custom is not None and not callable(custom):
                raise ValueError(f"Expected `{role}` to be a function. Received: {role}={custom!r}")
            setattr(self, role, default if custom is None else custom)
        for role, default in (*defaults.items(), ("pool_query_fn", query_pool)):
            if getattr(self, role) is not default:
                self.custom_losses[role] = _name(getattr(self, role))

    def _shown(self, pool, fake_images, shard):
        """The fakes the discriminator sees: through the pool (given the global batch), or as they are."""
        fake_images = tf.stop_gradient(fake_images)
        if pool is None:
            return fake_images
        if shard.replicas == 1:
            return pool(fake_images, seed_generator=self.seed_generator)
        everyone = tf.distribute.get_replica_context().all_gather(fake_images, axis=0)
        return shard.take(pool(everyone, seed_generator=self.seed_generator))

    @staticmethod
    def _scalar(role: str, value):
        """A term as a float32 scalar tensor (a learner's function may return another dtype)."""
        value = tf.cast(value, tf.float32)
        if value.shape.rank not in (None, 0):
            raise ValueError(f"Expected `{role}` to return one number (a scalar). Received the shape {value.shape}")
        return value

    def run_settings(self) -> dict:
        """:meth:`Trainer.run_settings`, plus the noise seed, the cycle weights λ_A and λ_B, the identity
        weight and the pools' size."""
        return {**super().run_settings(), "noise_seed": getattr(self.seed_generator, "_initial_seed", None),
                "cycle_weight": self.cycle_weight, "cycle_weight_b": self.cycle_weight_b,
                "identity_weight": self.identity_weight, "pool_size": self.pool_size}

    def state_groups(self) -> dict[str, list]:
        """:meth:`Trainer.state_groups`, plus the seed state of the noise the pools draw."""
        return {**super().state_groups(), "seed_generator": [self.seed_generator.state]}

    def train_step(self, data):
        real_a, real_b = data
        shard = Shard(tf.shape(real_a)[0])
        g_ab, g_ba = partial(self.generator_a2b, training=True), partial(self.generator_b2a, training=True)
        d_a, d_b = self.discriminator_a, self.discriminator_b
        with tf.GradientTape() as g_tape:
            fake_b, fake_a = g_ab(real_a), g_ba(real_b)
            fake_b_logits, fake_a_logits = d_b(fake_b, training=True), d_a(fake_a, training=True)
            g_gan = adversarial_loss(fake_b_logits) + adversarial_loss(fake_a_logits)
            cycle_a = self._scalar("cycle_loss_fn", self.cycle_loss_fn(real_a, g_ba(fake_b)))
            cycle_b = self._scalar("cycle_loss_fn", self.cycle_loss_fn(real_b, g_ab(fake_a)))
            g_cycle = cycle_a + cycle_b
            g_identity = tf.constant(0.0)
            if self.identity_weight:
                g_identity = self._scalar("identity_loss_fn", self.identity_loss_fn(g_ab, g_ba, real_a, real_b))
            g_loss = self._scalar("generator_loss_fn", self.generator_loss_fn(
                fake_b_logits, fake_a_logits, cycle_a, cycle_b, g_identity, self.cycle_weight, self.cycle_weight_b,
                self.identity_weight,
            ))
            g_minimised = shard.to_minimise(g_loss, regularisation(self.generator))
        shown_a, shown_b = self._shown(self.pool_a, fake_a, shard), self._shown(self.pool_b, fake_b, shard)
        with tf.GradientTape() as d_tape:
            d_loss = self._d_loss(d_a(real_a, training=True), d_a(shown_a, training=True))
            d_loss += self._d_loss(d_b(real_b, training=True), d_b(shown_b, training=True))
            d_minimised = shard.to_minimise(d_loss, regularisation(self.discriminator))
        apply_together(
            (self.g_optimizer, g_minimised, g_tape, self.generator),
            (self.d_optimizer, d_minimised, d_tape, self.discriminator),
        )
        return self._record(
            {"d_loss": d_loss, "g_loss": g_loss, "g_gan": g_gan, "g_cycle": g_cycle, "g_identity": g_identity}, shard
        )

    def translate(self, images, direction: str = "b2a", batch_size: int = 256) -> np.ndarray:
        """Translate float images in [-1, 1] ``"a2b"`` or ``"b2a"`` (inference mode, in batches)."""
        return predict_in_batches(self.translator(direction), images, batch_size)

    def translator(self, direction: str):
        """The generator of ``direction`` (``"a2b"`` or ``"b2a"``)."""
        if direction not in DIRECTIONS:
            raise ValueError(f"Expected `direction` to be one of {DIRECTIONS}. Received: direction={direction!r}")
        return self.generator_a2b if direction == "a2b" else self.generator_b2a

    def preview(self, inputs) -> np.ndarray:
        """For sample grids: ``inputs`` is ``[images_a, images_b]`` (an array of shape ``(2, N, H, W, C)``);
        returns ``a | G_ab(a) | G_ba(G_ab(a))`` for each A image, then ``b | G_ba(b) | G_ab(G_ba(b))``."""
        images_a, images_b = (np.asarray(x, np.float32) for x in inputs)
        rows = []
        for images, there, back in ((images_a, self.generator_a2b, self.generator_b2a),
                                    (images_b, self.generator_b2a, self.generator_a2b)):
            moved = predict_in_batches(there, images)
            rows.append(np.concatenate([images, moved, predict_in_batches(back, moved)], axis=2))
        return np.concatenate(rows)

    def save_players(self, folder) -> tuple[Path, ...]:
        """Save ``generator.keras`` and ``discriminator.keras`` (the pairs, as checkpoints do) and each
        direction alone, ``generator_a2b.keras`` and ``generator_b2a.keras``, into ``folder``."""
        paths = super().save_players(folder)
        for direction in DIRECTIONS:
            path = Path(folder) / f"generator_{direction}.keras"
            storage.save_model_atomically(self.translator(direction), path)
            paths += (path,)
        return paths


def load_translator(run_dir, direction: str):
    """Load one direction of a trained CycleGAN from ``run_dir``: ``generator_<direction>.keras`` when
    there, else taken out of the pair ``generator.keras`` (what every checkpoint writes)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"Expected `direction` to be one of {DIRECTIONS}. Received: direction={direction!r}")
    run_dir = Path(run_dir)
    alone = run_dir / f"generator_{direction}.keras"
    if alone.is_file():
        return storage.load_model(alone)
    pair = storage.load_model(run_dir / "generator.keras")
    try:
        return pair.get_layer(cyclegan_models.GENERATOR_NAMES[direction])
    except ValueError:
        raise ValueError(f"{run_dir / 'generator.keras'} is not a CycleGAN's pair of generators.") from None
