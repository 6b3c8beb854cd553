"""``python -m ganlib train toy`` and ``sample`` of a toy run (lesson 7), in-process on a tiny recipe; and the
one-line errors of options that do not fit."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_cli import _run

from ganlib import recipes
from ganlib.cli import toy

#: The CLI's plumbing is under test, not the model.
TINY = {"g_hidden": (8,), "d_hidden": (8,)}


@pytest.fixture
def tiny_recipe(monkeypatch):
    for key, value in TINY.items():
        monkeypatch.setitem(recipes.TOY, key, value)


def test_train_toy_then_sample_gives_float32_points(tiny_recipe, tmp_path, capsys):
    out = tmp_path / "t"
    code, stdout, stderr = _run(["train", "toy", "--dataset", "ring", "--epochs", "1", "--batch-size", "25000",
                                 "--out", str(out)], capsys)
    assert code == 0, stderr
    assert "the toy GAN on the ring (the recommended recipe; batch 25000, seed 0)" in stdout
    assert "ring: " in stdout and " of 8 modes, " in stdout and "(2,500 samples)" in stdout
    assert (out / "generator.keras").is_file() and (out / "samples" / "step_000004.png").is_file()  # 100,000 / 25,000
    settings = json.loads((out / "checkpoints" / "settings.json").read_text())
    assert settings["settings"] == {"model": "toy", "seed": 0, "dataset": "ring"}
    code, stdout, stderr = _run(["sample", str(out), "--n", "300", "--out", str(tmp_path / "s.npy")], capsys)
    assert code == 0, stderr
    points = np.load(tmp_path / "s.npy")
    assert points.shape == (300, 2) and points.dtype == np.float32
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG" and "over the ring's modes" in stdout
    code, stdout, _ = _run(["sample", str(out), "--n", "300", "--out", str(tmp_path / "only.png")], capsys)
    assert code == 0 and (tmp_path / "only.png").is_file() and not (tmp_path / "only.npy").exists()


def test_a_method_on_the_command_line_trains_what_it_names(tiny_recipe, tmp_path, capsys):
    out = tmp_path / "sn"
    code, stdout, stderr = _run(["train", "toy", "--loss", "hinge", "--spectral-norm", "--penalty", "r1",
                                 "--penalty-weight", "0.5", "--epochs", "1", "--batch-size", "50000", "--out", str(out)],
                                capsys)
    assert code == 0, stderr
    assert "the toy GAN on the grid (hinge, R1 γ 0.5, spectral norm;" in stdout
    settings = json.loads((out / "checkpoints" / "settings.json").read_text())
    assert settings["loss_family"] == "hinge" and settings["r1_weight"] == 0.5
    assert [layer[0] for layer in settings["discriminator"]].count("SpectralDense") == 2
    # the same --out with another method is refused, naming a setting that differs
    code, _, stderr = _run(["train", "toy", "--loss", "hinge", "--epochs", "2", "--batch-size", "50000", "--out", str(out)],
                           capsys)
    assert code == 2 and "other settings" in stderr


def test_method_options_map_to_the_recipe():
    class Args:
        loss = penalty = penalty_weight = None
        spectral_norm = minibatch_std = False

    args = Args()
    assert toy.toy_overrides(args) == {}
    args.loss, args.penalty = "wasserstein", "clip"
    assert toy.toy_overrides(args) == {**recipes.TOY_METHODS["plain"], "loss": "wasserstein", "clip_weights": 0.01,
                                       "optimizer": "rmsprop"}
    args.penalty, args.penalty_weight = "gp", 1.0
    assert toy.toy_overrides(args)["gradient_penalty_weight"] == 1.0


@pytest.mark.parametrize("argv, message", [
    (["train", "toy", "--loss", "wasserstein"], "needs a Lipschitz critic"),
    (["train", "toy", "--penalty-weight", "2"], "--penalty-weight needs --penalty"),
    (["train", "gan", "--loss", "hinge"], "apply to `train toy` only"),
    (["train", "pix2pix", "--dataset", "grid"], "lesson 7's toys"),
    (["train", "cyclegan", "--dataset", "ring"], "lesson 7's toys"),
    (["train", "dcgan", "--dataset", "grid"], "--dataset applies to pix2pix, cyclegan and toy"),
    (["train", "toy", "--dataset", "facades"], "train toy trains on --dataset ring or grid"),
    (["train", "toy", "--minibatch-std", "--batch-size", "30"], "multiple of it"),
])
def test_options_that_do_not_fit_are_refused_in_one_line(argv, message, tmp_path, capsys):
    code, _, stderr = _run([*argv, "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and message in stderr and len(stderr.strip().splitlines()) == 1


def test_a_toy_run_translates_nothing(tiny_recipe, tmp_path, capsys):
    out = tmp_path / "t"
    assert _run(["train", "toy", "--epochs", "1", "--batch-size", "50000", "--out", str(out)], capsys)[0] == 0
    np.save(tmp_path / "x.npy", np.zeros((2, 2), np.float32))
    code, _, stderr = _run(["translate", str(out), str(tmp_path / "x.npy"), "--out", str(tmp_path / "y.npy")], capsys)
    assert code == 2 and "toy generator (2-D points)" in stderr
