"""Every model a `python -m ganlib train` saves loads in a fresh process, in Keras safe mode.

Each case trains for a few steps from the command line, then uses the saved files from *new* Python
processes — the command that reads them (`sample` or `translate`) and ``storage.load_model`` on every
``.keras`` file — so a custom layer that is not registered on import (e.g. ``LabToRGB``) fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]

CASES = {
    "gan": ["gan"],
    "dcgan": ["dcgan"],
    "pix2pix-digits-inpaint": ["pix2pix", "--dataset", "digits-inpaint"],
    "pix2pix-photos-colorize": ["pix2pix", "--dataset", "photos-colorize", "--batch-size", "4"],
}

# In one fresh process: every saved .keras file through storage.load_model, then the CLI command given.
LOAD_ALL_THEN_CLI = """
import sys
from pathlib import Path
from ganlib import cli, storage
for path in sorted(Path(sys.argv[1]).glob("*.keras")):
    model = storage.load_model(path)
    print(path.name, model.input_shape, model.output_shape)
sys.exit(cli.main(sys.argv[2:]))
"""


def _run(args, tmp_path, **kwargs):
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "GANLIB_DATA_DIR": str(tmp_path / "data")}
    env.pop("GANLIB_SMOKE", None)
    result = subprocess.run(
        [sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, **kwargs
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.mark.parametrize("case", sorted(CASES))
def test_trained_models_load_in_a_fresh_process(case, tmp_path):
    run = tmp_path / "run"
    _run(["-m", "ganlib", "train", *CASES[case], "--minutes", "0.02", "--out", str(run)], tmp_path)
    saved = sorted(p.name for p in run.glob("*.keras"))
    assert saved == ["discriminator.keras", "generator.keras"]

    if case in ("gan", "dcgan"):
        command = ["sample", str(run), "--n", "3", "--out", "s.npy"]
    elif case == "pix2pix-photos-colorize":
        Image.fromarray(np.tile(np.linspace(0, 255, 40, dtype=np.uint8), (30, 1))).save(tmp_path / "grey.png")
        command = ["translate", str(run), "grey.png", "--out", "colour.png"]
    else:
        digit = np.zeros((28, 28), np.uint8)
        digit[6:22, 12:16] = 255
        Image.fromarray(digit).save(tmp_path / "digit.png")
        command = ["translate", str(run), "digit.png", "--out", "restored.png"]
    listing = _run(["-c", LOAD_ALL_THEN_CLI, str(run), *command], tmp_path)
    assert [line.split()[0] for line in listing.splitlines()[:2]] == saved

    if case in ("gan", "dcgan"):
        assert np.load(tmp_path / "s.npy").shape[0] == 3
    elif case == "pix2pix-photos-colorize":
        assert np.asarray(Image.open(tmp_path / "colour.png")).shape == (30, 40, 3)
    else:
        assert np.asarray(Image.open(tmp_path / "restored.png")).shape == (28, 28)
