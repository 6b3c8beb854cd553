"""Lesson 4's ConditionalGAN trains under ``tf.distribute`` as on one device (tests/test_distribute.py's
comparison: one step on a global batch with 2 logical CPU devices under ``MirroredStrategy`` leaves the
players, their optimizers and the reported losses equal to the same step on one device). A control, each
replica averaging its loss over its own shard, proves the comparison can fail."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_distribute import OPTIMIZER_TOLERANCE, WEIGHT_TOLERANCE, two_device_env

ROOT = Path(__file__).resolve().parent.parent
CHECK = Path(__file__).with_name("distribute_check_conditional.py")
CASES = ["cgan-projection", "cgan-concat", "cgan-acgan", "cgan-mlp-hinge", "cgan-uneven-shards"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    env = two_device_env(tmp_path_factory, CHECK.parent)
    completed = subprocess.run(
        [sys.executable, str(CHECK)], env=env, capture_output=True, text=True, timeout=2400, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", CASES)
def test_one_mirrored_step_equals_the_same_step_on_one_device(results, case):
    result = results[case]
    assert result["replicas"] == 2
    assert result["player_variables_changed"] >= result["player_variables"] // 3
    assert result["max_weight_difference"] <= WEIGHT_TOLERANCE
    assert result["max_replica_divergence"] == 0.0
    assert result["max_optimizer_relative_difference"] <= OPTIMIZER_TOLERANCE
    assert set(result["mirrored_logs"]) == set(result["single_logs"])
    for name, value in result["single_logs"].items():
        assert result["mirrored_logs"][name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_without_global_batch_scaling_the_steps_differ(results):
    # Adam divides by the gradients' size, so the weights move almost alike; its moment estimates do not.
    control = results["control-unscaled-losses"]
    assert control["max_optimizer_relative_difference"] > 0.5
    assert control["max_weight_difference"] > 10 * WEIGHT_TOLERANCE
