"""The base of every trainer: :class:`Trainer` holds the players, their optimizers, the metric trackers, the
run's step counter (:attr:`Trainer.step`, the generator optimizer's update count), its training clock
(:attr:`Trainer.clock`), the EMA generator, and declares what identifies a run and what a checkpoint holds
(:meth:`Trainer.run_settings`, :meth:`Trainer.state_groups`). :class:`ganlib.training.GAN` (and
:class:`ganlib.training.ConditionalGAN` after it), :class:`ganlib.training.Pix2Pix` and
:class:`ganlib.training.CycleGAN` derive from it.

All train unchanged under ``tf.distribute`` (build and compile them inside ``strategy.scope()``; see
:func:`ganlib.config.distribution_strategy`): their steps are made of :mod:`ganlib.training.steps`, which
scales every loss to the global batch. Batch normalisation in the players is switched to
``synchronized=True`` when the model is built under a strategy with several replicas, so batch statistics
(and the moving averages, and with them the EMA generator) are those of the global batch on every replica.
Dropout masks are drawn per replica from identical seed states, so they repeat across replicas: statistically
harmless, but not the masks one device would draw.
"""


from __future__ import annotations

from pathlib import Path

import keras

from ganlib import _checks, losses, storage
from ganlib.clock import Clock
from ganlib.training.steps import Shard, check_created_in_scope, ema_update, synchronize_batch_norm


class Trainer(keras.Model):
    """A generator and a discriminator with an optimizer each: the base of every trainer.

    Args:
        generator: the generator ``keras.Model``.
        discriminator: the discriminator ``keras.Model``.
        ema_decay: when set (e.g. 0.999), also keep an exponential moving average of the generator's
            weights, ``ema_generator``, which the subclass's ``train_step`` updates after every generator step
            with a decay that ramps up to ``ema_decay`` (see :meth:`update_ema`). Averaging smooths out the
            step-to-step wobble of the game, so the average often gives cleaner images than the generator
            being trained (Yazıcı et al. 2019, "The Unusual Effectiveness of Averaging in GAN Training").
        ema_update_fn: the function that takes that step, with the signature of :func:`ema_update` (the
            default); lesson 2 passes the learner's. Its name is part of the run's settings
            (:attr:`custom_ema`) when it is not ganlib's and there is an EMA generator.
        **kwargs: passed to ``keras.Model`` (e.g. ``name``).

    Attributes:
        sampler: the generator to draw images from: ``ema_generator`` when enabled, else ``generator``.
        step: training steps so far, over every ``fit`` and resumed parts of the run (read from
            ``g_optimizer.iterations``, which checkpoints store).
        clock: a :class:`ganlib.clock.Clock`: seconds of training so far, resumed parts included.
        trackers: ``{metric name: keras.metrics.Mean}``: the epoch's mean of each value ``train_step`` returns.
    """

    metric_names: tuple[str, ...] = ()

    def __init__(self, generator, discriminator, ema_decay: float | None = None, ema_update_fn=None, **kwargs):
        super().__init__(**kwargs)
        check_created_in_scope("generator", generator.weights)
        check_created_in_scope("discriminator", discriminator.weights)
        synchronize_batch_norm(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.ema_decay = None if ema_decay is None else _checks.fraction("ema_decay", ema_decay)
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_updates = keras.Variable(0.0, trainable=False, name="ema_updates")
        if ema_update_fn is not None and not callable(ema_update_fn):
            raise ValueError(
                f"Expected `ema_update_fn` to be a function. Received: ema_update_fn={ema_update_fn!r}"
            )
        self.ema_update_fn = ema_update if ema_update_fn is None else ema_update_fn
        self.custom_ema = {}  # like `custom_losses`: empty with ganlib's (the fingerprint stays as it was)
        if self.ema_update_fn is not ema_update and self.ema_generator is not None:
            name = getattr(ema_update_fn, "__qualname__", repr(ema_update_fn))
            self.custom_ema = {"ema_update_fn": f"{getattr(ema_update_fn, '__module__', '?')}.{name}"}
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.metric_names}
        self.clock = Clock()
        self.built = True  # the players are built; `fit` under a strategy would otherwise try to call us

    def compile(self, d_optimizer, g_optimizer, loss: str = "non_saturating", label_smoothing: float = 0.0,
                g_loss_fn=None, d_loss_fn=None, **kwargs):
        """Set both optimizers and the loss family (see the subclasses' ``compile``).

        ``g_loss_fn`` / ``d_loss_fn``, when given, replace the family's generator / discriminator loss (a
        lesson trains the learner's own, see :func:`ganlib.exercises.use`): they take the same arguments as
        the family's (``d_loss_fn(real_logits, fake_logits, label_smoothing=s)`` for the families of
        :data:`ganlib.losses.SUPPORTS_LABEL_SMOOTHING`) and return the batch mean. Their names are part of the
        run's settings (:attr:`custom_losses`), so a run made with ganlib's losses is not resumed with them.
        """
        super().compile(**kwargs)
        if d_optimizer is g_optimizer:
            raise ValueError(
                "Expected two optimizer instances: each player keeps its own optimizer state. "
                "Received the same object as `d_optimizer` and `g_optimizer`."
            )
        self.g_loss_fn, self.d_loss_fn = losses.get(loss)
        self.custom_losses = {}
        for role, custom in (("g_loss_fn", g_loss_fn), ("d_loss_fn", d_loss_fn)):
            if custom is None or custom is getattr(self, role):
                continue
            if not callable(custom):
                raise ValueError(f"Expected `{role}` to be a function. Received: {role}={custom!r}")
            setattr(self, role, custom)
            self.custom_losses[role] = f"{getattr(custom, '__module__', '?')}.{getattr(custom, '__qualname__', repr(custom))}"
        self.loss_family = loss
        if label_smoothing and loss not in losses.SUPPORTS_LABEL_SMOOTHING:
            raise ValueError(
                f"`label_smoothing` applies to the {', '.join(losses.SUPPORTS_LABEL_SMOOTHING)} losses. "
                f"Received: loss={loss!r}, label_smoothing={label_smoothing!r}"
            )
        self.label_smoothing = _checks.fraction("label_smoothing", label_smoothing)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Create the optimizers' state now, inside the strategy's scope (a first step inside
        # `strategy.run` could not create mirrored variables), so checkpoints see them too.
        with self.distribute_strategy.scope():
            for name, optimizer, player in (
                ("d_optimizer", d_optimizer, self.discriminator),
                ("g_optimizer", g_optimizer, self.generator),
            ):
                check_created_in_scope(name, [optimizer.iterations])
                if not optimizer.built:
                    optimizer.build(player.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def sampler(self):
        """The generator to draw images from: ``ema_generator`` when enabled, else ``generator``."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def update_ema(self):
        """Move ``ema_generator`` towards ``generator``: ``w_ema ← d·w_ema + (1 − d)·w`` (nothing without one).

        The decay ``d`` ramps up as ``min(ema_decay, (1 + t) / (10 + t))``, ``t`` counting the updates (1 at
        the first), as TensorFlow's ``ExponentialMovingAverage`` does with ``num_updates``: the average
        forgets the random initial weights quickly (a fixed 0.999 would still hold 37% of them after 1,000
        updates). ``(1 + t) / (10 + t)`` reaches 0.99 at ``t ≈ 900`` and 0.999 only at ``t ≈ 9,000``. All
        weights are averaged, batch-norm moving statistics included. The step itself is
        :attr:`ema_update_fn` (:func:`ema_update` unless another was given).
        """
        if self.ema_generator is None:
            return
        self.ema_updates.assign_add(1.0)
        t = keras.ops.convert_to_tensor(self.ema_updates)
        self.ema_update_fn(self.ema_generator.weights, self.generator.weights, t, self.ema_decay)

    # ------------------------------------------------------------------------------------ what a run is

    def run_settings(self) -> dict:
        """The settings of this trainer that change what training does: part of a run's identity.

        :func:`ganlib.runs.identity.settings_of` records them beside what it reads from the networks, the
        optimizers and the data, and fingerprints them. Each subclass extends the dict with its own knobs
        (``{**super().run_settings(), "l1_weight": self.l1_weight}``), so a knob added to a trainer is part of
        its runs' identity where it is declared. Settings made by ``compile`` appear once it has run.
        """
        settings = {name: getattr(self, name) for name in ("loss_family", "label_smoothing") if hasattr(self, name)}
        settings["ema_decay"] = self.ema_decay
        for name in ("custom_losses", "custom_ema"):  # present only when a piece is not ganlib's
            if getattr(self, name, None):
                settings[name] = getattr(self, name)
        return settings

    def state_groups(self) -> dict[str, list]:
        """Every variable a checkpoint must hold to resume this run exactly, by group, each in a fixed order.

        :mod:`ganlib.checkpoints` saves and restores them. Each subclass extends the dict with its own state
        (``{**super().state_groups(), "seed_generator": [...]}``).
        """
        groups = {"generator": list(self.generator.variables), "discriminator": list(self.discriminator.variables)}
        if self.ema_generator is not None:
            groups["ema_generator"] = list(self.ema_generator.variables) + [self.ema_updates]
        groups["g_optimizer"] = list(self.g_optimizer.variables)
        groups["d_optimizer"] = list(self.d_optimizer.variables)
        return groups

    @property
    def step(self) -> int:
        """Training steps so far (the generator optimizer's update count; 0 before ``compile``)."""
        optimizer = getattr(self, "g_optimizer", None)
        return 0 if optimizer is None else int(keras.ops.convert_to_numpy(optimizer.iterations))

    def _d_loss(self, real_logits, fake_logits):
        if self.loss_family in losses.SUPPORTS_LABEL_SMOOTHING:
            return self.d_loss_fn(real_logits, fake_logits, label_smoothing=self.label_smoothing)
        return self.d_loss_fn(real_logits, fake_logits)

    def _record(self, values: dict, shard: Shard) -> dict:
        """Turn this step's per-replica means into global-batch values, add them to the trackers (which give
        Keras the epoch's means) and return them: what ``train_step`` returns is this step's values."""
        values = {name: shard.global_mean(value) for name, value in values.items()}
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return values

    def fit(self, x=None, *args, shuffle=False, **kwargs):
        """Keras ``fit`` with the :attr:`clock` running, and ``shuffle=False`` by default: the datasets of
        :mod:`ganlib.data` already shuffle, and Keras cannot shuffle a ``tf.data.Dataset`` anyway."""
        self.clock.start()
        try:
            return super().fit(x, *args, shuffle=shuffle, **kwargs)
        finally:
            self.clock.stop()

    def save_players(self, folder) -> tuple[Path, Path]:
        """Save ``generator.keras`` (the :attr:`sampler`, i.e. the EMA generator when enabled) and
        ``discriminator.keras`` into ``folder`` (created if needed)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = folder / "generator.keras", folder / "discriminator.keras"
        for model, path in zip((self.sampler, self.discriminator), paths, strict=True):
            storage.save_model_atomically(model, path)
        return paths
