"""`train cgan` and `sample --label`: the conditional run's files load in a fresh process in Keras safe mode,
`--label K` draws class K, no `--label` cycles the classes, and `--label` on an unconditional run is a
one-line error.

The commands run in-process (``cli.main``, as ``python -m ganlib`` calls it; tests/test_cli.py proves that entry
point in a subprocess), except the loading check, which needs a process that trained nothing.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_runs import fresh_process, in_process
from PIL import Image

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


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cgan")
    in_process(["train", "cgan", "--minutes", "0.02", "--out", "run"], folder)
    return folder


def test_saved_conditional_models_load_in_safe_mode_and_sample_a_label(cgan_run):
    listing = fresh_process(
        ["-c", LOAD_ALL_THEN_CLI, "run", "sample", "run", "--n", "5", "--label", "3", "--out", "threes.npy"], cgan_run
    ).splitlines()
    assert listing[0].startswith("discriminator.keras [(None, 28, 28, 1), (None,)] (None, 1)")  # projection D
    assert listing[1].startswith("generator.keras [(None, 64), (None,)] (None, 28, 28, 1)")
    threes = np.load(cgan_run / "threes.npy")
    assert threes.shape == (5, 28, 28, 1) and threes.dtype == np.float32 and np.abs(threes).max() <= 1.0
    assert json.loads((cgan_run / "run" / "classes.json").read_text())["class_names"] == [str(k) for k in range(10)]
    assert sorted(p.name for p in (cgan_run / "run").glob("*.keras")) == ["discriminator.keras", "generator.keras"]


def test_without_label_sample_i_is_class_i_mod_10(cgan_run):
    in_process(["sample", "run", "--n", "12", "--out", "cycled.npy"], cgan_run)
    in_process(["sample", "run", "--n", "12", "--label", "7", "--out", "sevens.npy"], cgan_run)
    cycled, sevens = np.load(cgan_run / "cycled.npy"), np.load(cgan_run / "sevens.npy")
    np.testing.assert_allclose(cycled[7], sevens[7], atol=1e-6)  # same noise, label 7 both times
    assert np.abs(cycled[6] - sevens[6]).max() > 1e-4  # same noise, label 6 vs 7


def test_label_out_of_range_and_on_an_unconditional_run_are_one_line_errors(cgan_run):
    error = in_process(["sample", "run", "--label", "10", "--out", "x.npy"], cgan_run, expect=2)[1]
    assert error.strip().splitlines() == ["ganlib: error: --label 10 is not a class of run: use 0..9"]
    in_process(["train", "gan", "--minutes", "0.02", "--out", "plain"], cgan_run)
    error = in_process(["sample", "plain", "--label", "3", "--out", "x.npy"], cgan_run, expect=2)[1]
    assert len(error.strip().splitlines()) == 1 and "--label needs a conditional run" in error


def test_train_cgan_again_resumes_its_run_and_other_settings_are_refused(cgan_run):
    again = in_process(["train", "cgan", "--minutes", "0.04", "--out", "run"], cgan_run)[0]
    assert "Resuming from step" in again
    error = in_process(["train", "cgan", "--minutes", "0.04", "--batch-size", "32", "--out", "run"], cgan_run, expect=2)[1]
    assert len(error.strip().splitlines()) == 1 and "other settings" in error and "--fresh" in error


def test_train_cgan_on_a_folder_with_sub_folders_as_classes(tmp_path):
    rng = np.random.default_rng(0)
    for name, shade in (("dark", 40), ("light", 220)):
        (tmp_path / "pics" / name).mkdir(parents=True)
        for i in range(6):
            pixels = np.clip(shade + rng.normal(0, 10, (32, 32, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "pics" / name / f"{i}.png")
    in_process(["train", "cgan", "--data", "pics", "--minutes", "0.02", "--out", "run"], tmp_path)
    assert json.loads((tmp_path / "run" / "classes.json").read_text())["class_names"] == ["dark", "light"]
    in_process(["sample", "run", "--n", "3", "--label", "1", "--out", "light.npy"], tmp_path)
    assert np.load(tmp_path / "light.npy").shape == (3, 32, 32, 3)
    (tmp_path / "flat").mkdir()
    for i in range(3):
        Image.fromarray(np.zeros((32, 32), np.uint8)).save(tmp_path / "flat" / f"{i}.png")
    error = in_process(["train", "cgan", "--data", "flat", "--out", "r2"], tmp_path, expect=2)[1]
    assert "needs one sub-folder per class" in error
