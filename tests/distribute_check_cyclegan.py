"""Run by tests/test_cyclegan_distribute.py in a fresh process: one CycleGAN training step on a global batch,
on one device and under ``MirroredStrategy`` over 2 logical CPU devices (the machinery of
``tests/distribute_check.py``), with and without the image pool, and a control without the global-batch
scaling; prints JSON on the last line of stdout.

    GANLIB_CPU_DEVICES=2 python tests/distribute_check_cyclegan.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import distribute_check  # noqa: E402 (sets up the 2 logical devices before TensorFlow starts)
import numpy as np  # noqa: E402

from ganlib import cyclegan  # noqa: E402

UNPAIRED = tuple(np.random.default_rng(seed).uniform(-1, 1, (8, 32, 32, 3)).astype("float32") for seed in (3, 4))


def _cyclegan(**overrides):
    return lambda: cyclegan.build_cyclegan(seed=0, base_filters=4, d_base_filters=8, **overrides)


distribute_check.CASES.update({
    "cyclegan": (_cyclegan(pool_size=0), UNPAIRED),
    "cyclegan-pool": (_cyclegan(pool_size=4), UNPAIRED),  # smaller than the global batch: swaps on step one
    "cyclegan-no-identity": (_cyclegan(pool_size=0, identity_weight=0.0), UNPAIRED),
})

if __name__ == "__main__":
    names = ["cyclegan", "cyclegan-pool", "cyclegan-no-identity"]
    results = {name: distribute_check.run(name) for name in names}
    results["control-unscaled-losses"] = distribute_check.run("cyclegan", scale_losses=False)
    print(json.dumps(results))
