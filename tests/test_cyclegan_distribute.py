"""The CycleGAN trains under ``tf.distribute`` as on one device: with 2 logical CPU devices, one step on a
global batch under ``MirroredStrategy`` leaves both generators and both discriminators (weights and
batch-norm statistics) and the optimizers equal to the same step on one device, and reports the same losses.
The image pool sees the global batch on every replica. Runs ``tests/distribute_check_cyclegan.py`` in a fresh
process (TensorFlow fixes its devices when it starts)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = Path(__file__).with_name("distribute_check_cyclegan.py")

#: As in tests/test_distribute.py: float32 round-off of the summed gradients and synchronized batch norm,
#: which Adam passes on almost undamped; optimizer state relative to each variable's largest entry.
WEIGHT_TOLERANCE = 2e-5
OPTIMIZER_TOLERANCE = 1e-4

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    env = {
        **os.environ,
        "GANLIB_CPU_DEVICES": "2",
        "GANLIB_OFFLINE": "1",
        "GANLIB_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    completed = subprocess.run(
        [sys.executable, str(CHECK)], env=env, capture_output=True, text=True, timeout=1800, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", ["cyclegan", "cyclegan-pool", "cyclegan-no-identity"])
def test_one_mirrored_cyclegan_step_equals_the_same_step_on_one_device(results, case):
    result = results[case]
    assert result["replicas"] == 2
    assert result["player_variables_changed"] >= result["player_variables"] // 3
    assert result["max_weight_difference"] <= WEIGHT_TOLERANCE
    assert result["max_replica_divergence"] == 0.0
    assert result["max_optimizer_relative_difference"] <= OPTIMIZER_TOLERANCE
    assert set(result["mirrored_logs"]) == set(result["single_logs"]) == {
        "d_loss", "g_loss", "g_gan", "g_cycle", "g_identity"
    }
    for name, value in result["single_logs"].items():
        assert result["mirrored_logs"][name] == pytest.approx(value, rel=1e-5, abs=1e-6), name


def test_without_global_batch_scaling_the_cyclegan_steps_differ(results):
    assert results["control-unscaled-losses"]["max_optimizer_relative_difference"] > 0.5
