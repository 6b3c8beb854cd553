"""Every ganlib model trains under ``tf.distribute`` as on one device.

With 2 logical CPU devices (``GANLIB_CPU_DEVICES=2``), one step on a global batch under ``MirroredStrategy``
must leave the players (weights, batch-norm statistics, EMA generator, noise state) equal to ~1e-5 to the
same step on one device with the same batch, the optimizers' state equal, and the reported losses equal.
TensorFlow fixes its devices when it starts, so the steps run in a fresh process:
``tests/distribute_check.py``, once for the whole module. The models there have no dropout: each replica
draws its own dropout masks, so those would differ from one device's.

Two controls prove that the comparison can fail: the same step with each replica averaging its loss over its
own shard (no scaling to the global batch), and the DCGAN with unsynchronized batch normalisation.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganlib import config

ROOT = Path(__file__).resolve().parent.parent
CHECK = Path(__file__).with_name("distribute_check.py")
CASES = [
    "mlp-minimax",
    "mlp-non_saturating",
    "mlp-least_squares",
    "mlp-wasserstein",  # with the gradient penalty (weight 10)
    "mlp-hinge",
    "mlp-uneven-shards",  # 7 examples on 2 replicas: 4 and 3
    "dcgan",  # the lesson-2 recipe: EMA generator, batch norm in both players, label smoothing
    "dcgan-wasserstein-gp",  # gradient penalty, 2 critic steps, a conv critic without batch norm
    "pix2pix",
    "pix2pix-l1-only",
    "cyclegan",  # two generators and two discriminators, identity term, image pool fed the global batch
]
#: Float32 round-off differs between the two (the gradients are summed in another order, synchronized batch
#: norm computes the variance as E[x²] − E[x]²), and Adam divides each gradient by its own size, so a tiny
#: gradient's round-off reaches the weights almost undamped: the largest difference measured is 1.06e-5
#: (pix2pix, L1 only; 5e-7 for the DCGAN).
WEIGHT_TOLERANCE = 2e-5
#: Adam's moment estimates, relative to each variable's largest entry (second moments are ~1e-6).
OPTIMIZER_TOLERANCE = 1e-4

pytestmark = pytest.mark.slow


def two_device_env(tmp_path_factory, *import_paths) -> dict:
    """The environment of a fresh process that sees 2 logical CPU devices, offline, with its own data folder and
    ``ganlib`` (plus ``import_paths``) importable."""
    return {
        **os.environ,
        "GANLIB_CPU_DEVICES": "2",
        "GANLIB_OFFLINE": "1",
        "GANLIB_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), *map(str, import_paths), os.environ.get("PYTHONPATH")])),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    env = two_device_env(tmp_path_factory)
    completed = subprocess.run(
        [sys.executable, str(CHECK)], env=env, capture_output=True, text=True, timeout=2400, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "tf.distribute: 2 replicas — MirroredStrategy over 2 logical CPU devices" in completed.stdout
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES)
def test_one_mirrored_step_equals_the_same_step_on_one_device(results, case):
    result = results[case]
    assert result["replicas"] == 2
    assert result["player_variables_changed"] >= result["player_variables"] // 3  # the step did train
    assert result["max_weight_difference"] <= WEIGHT_TOLERANCE
    assert result["max_replica_divergence"] == 0.0  # every replica holds the same copy of every variable
    assert result["max_optimizer_relative_difference"] <= OPTIMIZER_TOLERANCE
    assert set(result["mirrored_logs"]) == set(result["single_logs"])
    for name, value in result["single_logs"].items():
        assert result["mirrored_logs"][name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_without_global_batch_scaling_the_steps_differ(results):
    """Each replica averaging over its own shard doubles the gradients (Adam's moments show it)."""
    control = results["control-unscaled-losses"]
    assert control["max_optimizer_relative_difference"] > 0.5


def test_without_synchronized_batch_norm_the_steps_differ(results):
    control = results["control-unsynchronized-batch-norm"]
    assert control["max_weight_difference"] > 100 * WEIGHT_TOLERANCE
    logs = control["single_logs"]
    assert any(
        control["mirrored_logs"][name] != pytest.approx(value, rel=1e-5) for name, value in logs.items()
    )


def test_checkpoints_save_and_restore_under_the_strategy(results):
    """A run saved under MirroredStrategy restores into a model built under it, on every replica, and
    the next step is the same as the uninterrupted run's."""
    checkpoint = results["checkpoint"]
    assert checkpoint["variables"] > 0
    assert checkpoint["restored_vs_saved"] == 0.0
    assert checkpoint["replica_divergence"] == 0.0
    assert checkpoint["next_step_difference"] <= WEIGHT_TOLERANCE


def test_players_built_outside_the_scope_are_refused(results):
    """They would not be mirrored: a clear error instead of a silently wrong run."""
    assert "outside `strategy.scope()`" in results["outside-scope"]
    assert "strategy=" in results["outside-scope"]


# ------------------------------------------------------------------------------------ in this process


def test_cpu_devices_reads_the_environment(monkeypatch):
    monkeypatch.delenv("GANLIB_CPU_DEVICES", raising=False)
    assert config.cpu_devices() == 1
    monkeypatch.setenv("GANLIB_CPU_DEVICES", "3")
    assert config.cpu_devices() == 3
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("GANLIB_CPU_DEVICES", bad)
        with pytest.raises(ValueError, match="GANLIB_CPU_DEVICES"):
            config.cpu_devices()


def test_strategy_without_devices_to_spread_over_is_the_default(monkeypatch, capsys):
    import tensorflow as tf

    monkeypatch.delenv("GANLIB_CPU_DEVICES", raising=False)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    strategy = config.distribution_strategy()
    assert strategy is tf.distribute.get_strategy()
    assert capsys.readouterr().out == "tf.distribute: 1 replica — the default strategy on the CPU.\n"


def test_splitting_the_cpu_after_tensorflow_started_says_what_to_do():
    import tensorflow as tf

    tf.constant(1.0) + 1.0  # TensorFlow has started (this process has one CPU device)
    assert config.configure_cpu_devices(1) == 1
    with pytest.raises(RuntimeError, match="GANLIB_CPU_DEVICES=3 before starting Python"):
        config.configure_cpu_devices(3)
