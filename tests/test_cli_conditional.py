"""`train cgan` and `sample --label`: the conditional run's files load in a fresh process in Keras safe mode,
`--label K` draws class K, no `--label` cycles the classes, and `--label` on an unconditional run is a
one-line error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]

# In one fresh process: every saved .keras file through storage.load_model (safe mode), then the CLI.
LOAD_ALL_THEN_CLI = """
import sys
from pathlib import Path
from ganlib import cli, storage
for path in sorted(Path(sys.argv[1]).glob("*.keras")):
    model = storage.load_model(path)
    print(path.name, model.input_shape, model.output_shape)
sys.exit(cli.main(sys.argv[2:]))
"""


def _run(args, tmp_path, expect=0):
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "GANLIB_DATA_DIR": str(tmp_path / "data")}
    env.pop("GANLIB_SMOKE", None)
    result = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == expect, f"{args}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("cgan")
    _run(["-m", "ganlib", "train", "cgan", "--minutes", "0.02", "--out", "run"], tmp_path)
    return tmp_path


def test_saved_conditional_models_load_in_safe_mode_and_sample_a_label(cgan_run):
    listing = _run(
        ["-c", LOAD_ALL_THEN_CLI, "run", "sample", "run", "--n", "5", "--label", "3", "--out", "threes.npy"], cgan_run
    ).stdout.splitlines()
    assert listing[0].startswith("discriminator.keras [(None, 28, 28, 1), (None,)] (None, 1)")  # projection D
    assert listing[1].startswith("generator.keras [(None, 64), (None,)] (None, 28, 28, 1)")
    threes = np.load(cgan_run / "threes.npy")
    assert threes.shape == (5, 28, 28, 1) and threes.dtype == np.float32 and np.abs(threes).max() <= 1.0
    assert json.loads((cgan_run / "run" / "classes.json").read_text())["class_names"] == [str(k) for k in range(10)]
    assert sorted(p.name for p in (cgan_run / "run").glob("*.keras")) == ["discriminator.keras", "generator.keras"]


def test_without_label_sample_i_is_class_i_mod_10(cgan_run):
    _run(["-m", "ganlib", "sample", "run", "--n", "12", "--out", "cycled.npy"], cgan_run)
    _run(["-m", "ganlib", "sample", "run", "--n", "12", "--label", "7", "--out", "sevens.npy"], cgan_run)
    cycled, sevens = np.load(cgan_run / "cycled.npy"), np.load(cgan_run / "sevens.npy")
    np.testing.assert_allclose(cycled[7], sevens[7], atol=1e-6)  # same noise, label 7 both times
    assert np.abs(cycled[6] - sevens[6]).max() > 1e-4  # same noise, label 6 vs 7


def test_label_out_of_range_and_on_an_unconditional_run_are_one_line_errors(cgan_run):
    error = _run(["-m", "ganlib", "sample", "run", "--label", "10", "--out", "x.npy"], cgan_run, expect=2).stderr
    assert error.strip().splitlines() == ["ganlib: error: --label 10 is not a class of run: use 0..9"]
    _run(["-m", "ganlib", "train", "gan", "--minutes", "0.02", "--out", "plain"], cgan_run)
    error = _run(["-m", "ganlib", "sample", "plain", "--label", "3", "--out", "x.npy"], cgan_run, expect=2).stderr
    assert len(error.strip().splitlines()) == 1 and "--label needs a conditional run" in error


def test_train_cgan_again_resumes_its_run_and_other_settings_are_refused(cgan_run):
    again = _run(["-m", "ganlib", "train", "cgan", "--minutes", "0.04", "--out", "run"], cgan_run).stdout
    assert "Resuming from step" in again
    error = _run(
        ["-m", "ganlib", "train", "cgan", "--minutes", "0.04", "--batch-size", "32", "--out", "run"], cgan_run, expect=2
    ).stderr
    assert len(error.strip().splitlines()) == 1 and "other settings" in error and "--fresh" in error


def test_train_cgan_on_a_folder_with_sub_folders_as_classes(tmp_path):
    rng = np.random.default_rng(0)
    for name, shade in (("dark", 40), ("light", 220)):
        (tmp_path / "pics" / name).mkdir(parents=True)
        for i in range(6):
            pixels = np.clip(shade + rng.normal(0, 10, (32, 32, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "pics" / name / f"{i}.png")
    _run(["-m", "ganlib", "train", "cgan", "--data", "pics", "--minutes", "0.02", "--out", "run"], tmp_path)
    assert json.loads((tmp_path / "run" / "classes.json").read_text())["class_names"] == ["dark", "light"]
    _run(["-m", "ganlib", "sample", "run", "--n", "3", "--label", "1", "--out", "light.npy"], tmp_path)
    assert np.load(tmp_path / "light.npy").shape == (3, 32, 32, 3)
    (tmp_path / "flat").mkdir()
    for i in range(3):
        Image.fromarray(np.zeros((32, 32), np.uint8)).save(tmp_path / "flat" / f"{i}.png")
    error = _run(["-m", "ganlib", "train", "cgan", "--data", "flat", "--out", "r2"], tmp_path, expect=2).stderr
    assert "needs one sub-folder per class" in error
