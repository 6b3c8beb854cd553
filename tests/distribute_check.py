"""Run by tests/test_distribute.py in a fresh process: one training step of each ganlib model on a global
batch, on one device and under ``MirroredStrategy`` over ``GANLIB_CPU_DEVICES`` logical CPU devices, and
print how far apart the two end up, as JSON on the last line of stdout.

Logical devices must be configured before TensorFlow starts, hence a separate process. Dropout differs
across replicas (each draws its own masks for its shard), so the cases use models without dropout.

    GANLIB_CPU_DEVICES=2 python tests/distribute_check.py [case ...]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GANLIB_CPU_DEVICES", "2")

from ganlib import config  # noqa: E402

STRATEGY = config.distribution_strategy()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganlib import recipes, training  # noqa: E402

IMAGES = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
PAIRS = tuple(np.random.default_rng(seed).uniform(-1, 1, (8, 32, 32, 1)).astype("float32") for seed in (1, 2))
UNPAIRED = tuple(np.random.default_rng(seed).uniform(-1, 1, (8, 16, 16, 3)).astype("float32") for seed in (3, 4))


def _mlp(**overrides):
    return lambda: recipes.build_mlp_gan(seed=0, dropout=0.0, g_hidden=(32,), d_hidden=(32,), **overrides)


def _dcgan(**overrides):
    return lambda: recipes.build_dcgan(seed=0, **overrides)


def _pix2pix(**overrides):
    return lambda: recipes.build_pix2pix("digits-inpaint", seed=0, dropout=0.0, base_filters=8, **overrides)


#: name -> (builder, batch): one training step on ``batch`` (the global batch).
CASES = {
    **{
        f"mlp-{loss}": (_mlp(loss=loss), IMAGES)
        for loss in ("minimax", "non_saturating", "least_squares", "wasserstein", "hinge")
    },
    "mlp-uneven-shards": (_mlp(), IMAGES[:7]),  # 7 examples: 4 on one replica, 3 on the other
    "dcgan": (_dcgan(), IMAGES),  # the lesson-2 recipe: EMA, batch norm in both players, label smoothing
    # WGAN-GP with the critic Gulrajani et al. prescribe: no batch norm (it would mix the examples' gradients).
    "dcgan-wasserstein-gp": (_dcgan(loss="wasserstein", d_steps=2, d_batch_norm=False), IMAGES),
    "pix2pix": (_pix2pix(), PAIRS),
    "pix2pix-l1-only": (_pix2pix(gan_weight=0.0), PAIRS),
    # two generators, two discriminators, the identity term, and an image pool smaller than the global batch
    # (it is given the whole global batch on every replica)
    "cyclegan": (
        lambda: recipes.build_cyclegan((16, 16, 3), seed=0, base_filters=2, d_base_filters=4, pool_size=4),
        UNPAIRED,
    ),
}


def _replica_divergence(model):
    """The largest difference between two replicas' copies of any variable of the players (0: in sync)."""
    players = model.generator.variables + model.discriminator.variables
    if getattr(model, "seed_generator", None) is not None:  # a translator draws no noise of its own
        players += [model.seed_generator.state]
    if getattr(model, "ema_generator", None) is not None:
        players += model.ema_generator.variables
    largest = 0.0
    for variable in players:
        copies = [
            np.asarray(c, dtype=np.float64) for c in STRATEGY.experimental_local_results(variable.value)
        ]
        largest = max([largest] + [float(np.max(np.abs(c - copies[0]), initial=0.0)) for c in copies])
    return largest


def _numpy(variables):
    return [np.array(keras.ops.convert_to_numpy(v), dtype=np.float64) for v in variables]


def _state(model):
    """``(players, optimizers)``: the players' variables (weights and batch-norm statistics, the EMA
    generator's too, the noise state), and both optimizers' (step counts and moment estimates)."""
    players = model.generator.variables + model.discriminator.variables
    if getattr(model, "seed_generator", None) is not None:  # a translator draws no noise of its own
        players += [model.seed_generator.state]
    if getattr(model, "ema_generator", None) is not None:
        players += model.ema_generator.variables + [model.ema_updates]
    return _numpy(players), _numpy(model.g_optimizer.variables + model.d_optimizer.variables)


def _one_step(build, batch, strategy):
    """Build in ``strategy``'s scope and train one step on ``batch``: with ``fit`` when the batch splits
    evenly (Keras' ``fit`` cannot start on uneven shards), else with ``strategy.run`` in a ``tf.function``."""
    with strategy.scope():
        model = build()
    before, _ = _state(model)
    dataset = tf.data.Dataset.from_tensors(batch)
    if len(batch[0] if isinstance(batch, tuple) else batch) % strategy.num_replicas_in_sync == 0:
        history = model.fit(dataset, epochs=1, verbose=0).history
        logs = {name: float(values[-1]) for name, values in history.items()}
    else:
        step = tf.function(lambda data: strategy.run(model.train_step, args=(data,)))
        results = step(next(iter(strategy.experimental_distribute_dataset(dataset))))
        logs = {name: float(strategy.experimental_local_results(value)[0]) for name, value in results.items()}
    after = _state(model)
    changed = sum(not np.array_equal(b, a) for b, a in zip(before, after[0], strict=True))
    return after, logs, changed, len(before), model


def run(name, scale_losses=True, synchronize_batch_norm=True):
    start = time.perf_counter()
    build, batch = CASES[name]
    single, single_logs, changed, total, _ = _one_step(build, batch, tf.distribute.get_strategy())
    base = training.trainer  # where the base model looks the helper up
    originals = training.Shard.to_minimise, base.synchronize_batch_norm
    if not scale_losses:  # the usual mistake: each replica's loss is its own shard's mean
        training.Shard.to_minimise = lambda self, loss, regularisation=None: loss
    if not synchronize_batch_norm:
        base.synchronize_batch_norm = lambda *models: None
    try:
        mirrored, mirrored_logs, _, _, model = _one_step(build, batch, STRATEGY)
    finally:
        training.Shard.to_minimise, base.synchronize_batch_norm = originals
    pairs = list(zip(single[0], mirrored[0], strict=True))
    return {
        "replicas": STRATEGY.num_replicas_in_sync,
        "player_variables": total,
        "player_variables_changed": changed,
        "max_weight_difference": max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in pairs),
        # Adam's second moments are ~1e-6: compare optimizer state relative to each variable's size.
        "max_optimizer_relative_difference": max(
            float(np.max(np.abs(a - b), initial=0.0) / max(np.max(np.abs(a), initial=0.0), 1e-12))
            for a, b in zip(single[1], mirrored[1], strict=True)
        ),
        "max_replica_divergence": _replica_divergence(model),
        "single_logs": single_logs,
        "mirrored_logs": mirrored_logs,
        "seconds": time.perf_counter() - start,
    }


def checkpoint_round_trip(folder):
    """Train the DCGAN a step under the strategy, save a checkpoint, restore it into a fresh DCGAN built
    under the strategy, and train on: the restored variables must match on every replica."""
    from ganlib import checkpoints

    dataset = tf.data.Dataset.from_tensors(IMAGES).repeat(2)
    with STRATEGY.scope():
        trained = recipes.build_dcgan(seed=0)
        restored = recipes.build_dcgan(seed=1)
    trained.fit(dataset.take(1), epochs=1, verbose=0)
    checkpoints.save_checkpoint(trained, folder)
    meta = checkpoints.restore_checkpoint(restored, folder)
    saved = np.load(Path(meta["path"]) / checkpoints.STATE)
    groups = restored.state_groups()
    largest = 0.0
    for group, variables in groups.items():
        for index, variable in enumerate(variables):
            for copy in STRATEGY.experimental_local_results(getattr(variable, "value", variable)):
                expected = saved[checkpoints._key(group, index)]
                largest = max(
                    largest, float(np.max(np.abs(np.asarray(copy, np.float64) - expected), initial=0.0))
                )
    restored.fit(dataset.take(1), epochs=1, verbose=0)
    trained.fit(dataset.take(1), epochs=1, verbose=0)
    after = max(
        float(np.max(np.abs(a - b), initial=0.0))
        for a, b in zip(_state(trained)[0], _state(restored)[0], strict=True)
    )
    return {
        "restored_vs_saved": largest,
        "variables": sum(map(len, groups.values())),
        "next_step_difference": after,
        "replica_divergence": _replica_divergence(restored),
    }


def outside_scope_refused():
    """Players built outside ``strategy.scope()`` are refused with a message that says what to do."""
    outside = recipes.build_mlp_gan(seed=0)
    try:
        with STRATEGY.scope():
            training.GAN(outside.generator, outside.discriminator, seed=0)
    except ValueError as error:
        return str(error)
    return ""


if __name__ == "__main__":
    names = sys.argv[1:] or list(CASES)
    results = {name: run(name) for name in names}
    with tempfile.TemporaryDirectory() as folder:
        results["checkpoint"] = checkpoint_round_trip(folder)
    results["outside-scope"] = outside_scope_refused()
    results["control-unscaled-losses"] = run("mlp-non_saturating", scale_losses=False)
    results["control-unsynchronized-batch-norm"] = run("dcgan", synchronize_batch_norm=False)
    print(json.dumps(results))
