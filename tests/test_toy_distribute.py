"""Lesson 7's stabilisers train under ``tf.distribute`` as on one device.

The same machinery as tests/test_distribute.py (tests/distribute_check.py, in a fresh process with 2 logical CPU
devices): one step of each toy method on a global batch of 16 points under ``MirroredStrategy`` must leave the
players (spectral norm's ``u`` included), the optimizers and the reported losses equal to the same step on one
device, and every replica's copy of every variable identical. Spectral norm's ``u`` and weight clipping assign
variables inside the step, and the minibatch standard deviation mixes examples, so each is a case of its own. One
more case puts the hinge loss, spectral norm, the minibatch standard deviation and R1 together on lesson 2's DCGAN
(``recipes.build_dcgan``; the spectral convolutions' ``u`` included).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_distribute import two_device_env

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

#: name -> overrides of recipes.TOY (tiny players: the mechanics are under test).
CASES = {
    "toy-recipe": {},
    "toy-r1": {"r1_weight": 1.0},
    "toy-wgan-gp": {"loss": "wasserstein", "gradient_penalty_weight": 0.1, "d_steps": 2},
    "toy-wgan-clip": {"loss": "wasserstein", "clip_weights": 0.01, "optimizer": "rmsprop", "d_steps": 2},
    "toy-hinge-sn": {"loss": "hinge", "spectral_norm": True},
    "toy-minibatch-std": {"minibatch_std": 4},
}
#: name -> options of recipes.build_dcgan: the same stabilisers on lesson 2's DCGAN (small filters).
DCGAN_CASES = {
    "dcgan-hinge-sn-minibatch-std-r1": {"loss": "hinge", "spectral_norm": True, "minibatch_std": 4, "r1_weight": 1.0},
}

SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
import numpy as np
import distribute_check as check
from ganlib import recipes

points = np.random.default_rng(0).normal(size=(16, 2)).astype("float32") * 2
cases, dcgan_cases = json.loads({cases!r}), json.loads({dcgan_cases!r})
for name, overrides in cases.items():
    check.CASES[name] = (lambda o=overrides: recipes.build_toy_gan(seed=0, g_hidden=(16, 16), d_hidden=(16, 16), **o), points)
for name, options in dcgan_cases.items():
    check.CASES[name] = (lambda o=options: recipes.build_dcgan(seed=0, base_filters=8, d_base_filters=8, **o), check.IMAGES)
print(json.dumps({{name: check.run(name) for name in [*cases, *dcgan_cases]}}))
"""

#: Float32 round-off differs between the two (gradients summed in another order), and Adam divides each gradient by
#: its own size, so a weight whose gradient is nearly 0 moves by round-off almost undamped (tests/test_distribute.py
#: says the same). One weight of the spectrally normalised critic is such a weight: 4.5e-5 measured on its bias (every
#: other variable ≤ 1e-7; the same critic with the cross-entropy loss: 4e-9), and the generator's loss, computed after
#: that step, moves by 9e-6. A step that did not scale to the global batch moves weights by ~1e-3 (Adam's first step).
TOLERANCES = {"toy-hinge-sn": (1e-4, 1e-4)}  # (weights, logs)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    env = two_device_env(tmp_path_factory)
    code = SCRIPT.format(tests=str(TESTS), cases=json.dumps(CASES), dcgan_cases=json.dumps(DCGAN_CASES))
    completed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1800,
                               cwd=ROOT)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", [*CASES, *DCGAN_CASES])
def test_one_mirrored_toy_step_equals_the_same_step_on_one_device(results, case):
    result = results[case]
    assert result["replicas"] == 2
    assert result["player_variables_changed"] >= result["player_variables"] // 3  # the step did train
    weights, logs = TOLERANCES.get(case, (2e-5, 1e-6))
    assert result["max_weight_difference"] <= weights
    assert result["max_replica_divergence"] == 0.0  # spectral norm's u and the clipped weights alike on every replica
    assert result["max_optimizer_relative_difference"] <= 1e-4
    for name, value in result["single_logs"].items():
        assert result["mirrored_logs"][name] == pytest.approx(value, rel=1e-5, abs=logs), name
