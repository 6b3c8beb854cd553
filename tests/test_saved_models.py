"""Every model a `python -m ganlib train` saves loads in a fresh process, in Keras safe mode.

Each case trains for a few steps through the command line (in this process), then one *new* Python process uses
every case's saved files — first ``storage.load_model`` on every ``.keras`` file of every case, then each command
that reads them (`sample` or `translate`) — so a custom layer that is not registered on import (e.g.
``LabToRGB``) fails here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_runs import fresh_process, in_process
from PIL import Image

CASES = {
    "gan": ["gan"],
    "dcgan": ["dcgan"],
    "pix2pix-digits-inpaint": ["pix2pix", "--dataset", "digits-inpaint"],
    "pix2pix-photos-colorize": ["pix2pix", "--dataset", "photos-colorize", "--batch-size", "4"],
}
#: What reads each case's run folder, and the shape of what it writes.
COMMANDS = {
    "gan": (["sample", "{run}", "--n", "3", "--out", "{run}.npy"], (3, 28, 28, 1)),
    "dcgan": (["sample", "{run}", "--n", "3", "--out", "{run}.npy"], (3, 28, 28, 1)),
    "pix2pix-digits-inpaint": (["translate", "{run}", "digit.png", "--out", "{run}.png"], (28, 28)),
    "pix2pix-photos-colorize": (["translate", "{run}", "grey.png", "--out", "{run}.png"], (30, 40, 3)),
}

# In one fresh process: first every saved .keras file of every run through storage.load_model (before any
# command has imported more of ganlib, as a process that only loads would), then each run's CLI command; one line
# per file and one per command with its exit code.
LOAD_ALL_THEN_EACH_CLI = """
import json, sys
from pathlib import Path
from ganlib import cli, storage
jobs = json.loads(sys.argv[1])
for run, command in jobs:
    for path in sorted(Path(run).glob("*.keras")):
        model = storage.load_model(path)
        print(run, path.name, model.input_shape, model.output_shape)
for run, command in jobs:
    print(run, "exit", cli.main(command))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """``(folder, lines, stderr)``: every case trained in-process under ``folder``, then read in one fresh process."""
    folder = tmp_path_factory.mktemp("saved")
    Image.fromarray(np.tile(np.linspace(0, 255, 40, dtype=np.uint8), (30, 1))).save(folder / "grey.png")
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    Image.fromarray(digit).save(folder / "digit.png")
    jobs = []
    for case, args in CASES.items():
        in_process(["train", *args, "--minutes", "0.02", "--out", case], folder)
        jobs.append((case, [part.format(run=case) for part in COMMANDS[case][0]]))
    out, err = fresh_process(["-c", LOAD_ALL_THEN_EACH_CLI, json.dumps(jobs)], folder, stderr=True)
    return folder, out.splitlines(), err


@pytest.mark.parametrize("case", sorted(CASES))
def test_trained_models_load_in_a_fresh_process(case, loaded):
    folder, lines, stderr = loaded
    saved = sorted(p.name for p in (folder / case).glob("*.keras"))
    assert saved == ["discriminator.keras", "generator.keras"]
    mine = [line.split()[1:] for line in lines if line.split()[0] == case]
    assert [words[0] for words in mine] == [*saved, "exit"]
    assert mine[-1] == ["exit", "0"], stderr[-3000:]
    written = folder / COMMANDS[case][0][-1].format(run=case)
    shape = np.load(written).shape if written.suffix == ".npy" else np.asarray(Image.open(written)).shape
    assert shape == COMMANDS[case][1]
