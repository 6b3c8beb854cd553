"""Run by tests/test_distribute_conditional.py in a fresh process: tests/distribute_check.py's comparison (one
training step on one device vs under ``MirroredStrategy`` over ``GANLIB_CPU_DEVICES`` logical CPU devices)
for lesson 4's ConditionalGAN, printed as JSON on the last line of stdout.

    GANLIB_CPU_DEVICES=2 python tests/distribute_check_conditional.py [case ...]
"""

from __future__ import annotations

import json
import sys

import distribute_check  # noqa: E402 (sets up the logical devices and the strategy first)
import numpy as np  # noqa: E402

from ganlib import recipes  # noqa: E402

LABELS = (np.arange(16) % 10).astype("int32")
BATCH = (distribute_check.IMAGES, LABELS)


def _cgan(**overrides):
    return lambda: recipes.build_cgan(seed=0, base_filters=16, **overrides)


CASES = {
    "cgan-projection": (_cgan(), BATCH),  # lesson 4's recipe: EMA, batch norm, label smoothing
    "cgan-concat": (_cgan(form="concat"), BATCH),
    "cgan-acgan": (_cgan(form="acgan"), BATCH),  # the class cross-entropy in both players' losses
    "cgan-mlp-hinge": (_cgan(kind="mlp", loss="hinge"), BATCH),
    "cgan-uneven-shards": (_cgan(), (BATCH[0][:7], BATCH[1][:7])),  # 4 examples on one replica, 3 on the other
}

if __name__ == "__main__":
    distribute_check.CASES.update(CASES)
    names = sys.argv[1:] or list(CASES)
    results = {name: distribute_check.run(name) for name in names}
    results["control-unscaled-losses"] = distribute_check.run("cgan-projection", scale_losses=False)
    print(json.dumps(results))
