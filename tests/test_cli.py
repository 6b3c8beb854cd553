"""Tests of the command line (ganlib.cli): train, sample, and one-line errors for bad input.

Most tests call ``cli.main([...])`` in-process on 600 of the offline digits; one runs
``python -m ganlib`` in a subprocess to prove the module entry point.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from ganlib import cli, data, recipes

N_DIGITS = 600
#: The in-process runs shrink the lesson-1 recipe too: the CLI's plumbing is under test, not the model.
TINY = {"latent_dim": 8, "g_hidden": (16,), "d_hidden": (16,)}


def _run(argv, capsys):
    """Run the CLI in-process; return ``(exit code, stdout, stderr)``. argparse errors exit via SystemExit."""
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _few_digits(mnist):
    images, labels = mnist

    def load_mnist(*args, **kwargs):
        return images[:N_DIGITS], labels[:N_DIGITS]

    return load_mnist


@pytest.fixture(scope="module")
def trained_run(mnist, tmp_path_factory):
    """A run folder written by ``train gan --epochs 1 --batch-size 200`` on 600 digits (3 steps), tiny model."""
    out = tmp_path_factory.mktemp("run") / "g1"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANLIB_OFFLINE", "1")
        mp.setenv("GANLIB_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        mp.setattr(data, "load_mnist", _few_digits(mnist))
        for key, value in TINY.items():
            mp.setitem(recipes.MLP_GAN, key, value)
        code = cli.main(["train", "gan", "--epochs", "1", "--batch-size", "200", "--out", str(out)])
    assert code == 0
    return out


# ------------------------------------------------------------------------------------ train


def test_train_writes_models_and_history(trained_run):
    assert (trained_run / "generator.keras").is_file()
    assert (trained_run / "discriminator.keras").is_file()
    history = json.loads((trained_run / "history.json").read_text())
    assert set(history) >= {"d_loss", "g_loss", "d_real", "d_fake"}
    steps = N_DIGITS // 200
    assert all(len(values) == steps for values in history.values())
    assert all(np.isfinite(history["d_loss"])) and all(np.isfinite(history["g_loss"]))
    assert sorted(p.name for p in trained_run.iterdir()) == [
        "checkpoints",
        "discriminator.keras",
        "generator.keras",
        "history.json",
        "samples",
    ]
    assert (trained_run / "samples" / "training.gif").is_file()
    assert (trained_run / "checkpoints" / "latest").is_file()


def test_trained_generator_follows_recipe(trained_run):
    from ganlib import training

    generator = training.load_model(trained_run / "generator.keras")
    assert generator.input_shape == (None, TINY["latent_dim"])
    assert generator.output_shape == (None, 28, 28, 1)


# ------------------------------------------------------------------------------------ sample


def test_sample_writes_float_images(trained_run, tmp_path, capsys):
    out = tmp_path / "sub" / "f.npy"
    code, stdout, _ = _run(["sample", str(trained_run), "--n", "7", "--out", str(out), "--seed", "3"], capsys)
    assert code == 0
    images = np.load(out)
    assert images.dtype == np.float32
    assert images.shape == (7, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert "7 images" in stdout


def test_sample_seed_controls_the_images(trained_run, tmp_path, capsys):
    def sample(name, seed):
        path = tmp_path / name
        code, _, _ = _run(
            ["sample", str(trained_run), "--n", "7", "--out", str(path), "--seed", str(seed)], capsys
        )
        assert code == 0
        return np.load(path)

    first, again, other = sample("a.npy", 3), sample("b.npy", 3), sample("c.npy", 4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


# ------------------------------------------------------------------------------------ bad input


def _assert_one_line_error(code, err):
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and errors[0] == lines[-1]  # argparse puts its usage lines before it


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "gan", "--minutes", "-1", "--out", "x"],
        ["train", "gan", "--minutes", "0", "--out", "x"],
        ["train", "gan", "--minutes", "abc", "--out", "x"],
        ["train", "gan", "--minutes", "1", "--epochs", "1", "--out", "x"],
        ["train", "gan", "--epochs", "0", "--out", "x"],
        ["train", "vae", "--out", "x"],
        ["train", "gan"],
        ["sample", "run", "--n", "0", "--out", "f.npy"],
        ["fly"],
        [],
    ],
    ids=[
        "negative-minutes",
        "zero-minutes",
        "text-minutes",
        "minutes-and-epochs",
        "zero-epochs",
        "unknown-model",
        "missing-out",
        "zero-n",
        "unknown-command",
        "no-command",
    ],
)
def test_bad_arguments_exit_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(argv, capsys)
    _assert_one_line_error(code, err)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_minutes_and_epochs_message(capsys):
    _, _, err = _run(["train", "gan", "--minutes", "1", "--epochs", "1", "--out", "x"], capsys)
    assert "--epochs" in err and "--minutes" in err


def test_sample_missing_run_dir(tmp_path, capsys):
    missing = tmp_path / "no-such-run"
    code, _, err = _run(["sample", str(missing), "--out", str(tmp_path / "f.npy")], capsys)
    _assert_one_line_error(code, err)
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("ganlib: error:") and "generator.keras" in err and str(missing) in err
    assert not (tmp_path / "f.npy").exists()


def test_sample_out_must_be_npy_or_png(trained_run, tmp_path, capsys):
    code, _, err = _run(["sample", str(trained_run), "--out", str(tmp_path / "f.jpg")], capsys)
    _assert_one_line_error(code, err)
    assert len(err.strip().splitlines()) == 1 and ".npy or .png" in err
    assert list(tmp_path.iterdir()) == []


def test_sample_writes_a_png_sheet(trained_run, tmp_path, capsys):
    from PIL import Image

    code, stdout, _ = _run(["sample", str(trained_run), "--n", "6", "--out", str(tmp_path / "f.npy")], capsys)
    assert code == 0 and "a sheet of 6 to" in stdout
    # 6 digits of 28 px: 3 per row, 2 rows, 1 px apart, enlarged twice
    assert Image.open(tmp_path / "f.png").size == (2 * (3 * 28 + 2), 2 * (2 * 28 + 1))
    code, _, _ = _run(["sample", str(trained_run), "--n", "300", "--out", str(tmp_path / "only.png")], capsys)
    assert code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["f.npy", "f.png", "only.png"]
    assert Image.open(tmp_path / "only.png").size[0] == 2 * (16 * 28 + 15)  # the first 256: 16 per row


def test_sample_negative_seed(trained_run, tmp_path, capsys):
    code, _, err = _run(
        ["sample", str(trained_run), "--out", str(tmp_path / "f.npy"), "--seed", "-1"], capsys
    )
    _assert_one_line_error(code, err)
    assert "--seed" in err


def test_train_out_is_a_file(tmp_path, capsys):
    existing = tmp_path / "file.txt"
    existing.write_text("not a folder")
    code, _, err = _run(["train", "gan", "--epochs", "1", "--out", str(existing)], capsys)
    _assert_one_line_error(code, err)
    assert len(err.strip().splitlines()) == 1 and "not a folder" in err


def test_train_batch_larger_than_data(mnist, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data, "load_mnist", _few_digits(mnist))
    code, _, err = _run(
        ["train", "gan", "--epochs", "1", "--batch-size", "1000", "--out", str(tmp_path / "r")], capsys
    )
    _assert_one_line_error(code, err)
    assert "--batch-size 1000" in err and str(N_DIGITS) in err
    assert not (tmp_path / "r").exists()


# ------------------------------------------------------------------------------------ module entry point


@pytest.mark.slow
def test_python_dash_m_ganlib_trains(tmp_path):
    out = tmp_path / "run"
    env = {**os.environ, "GANLIB_OFFLINE": "1", "GANLIB_DATA_DIR": str(tmp_path / "data"), "GANLIB_CPU_DEVICES": "2"}
    env.pop("GANLIB_SMOKE", None)
    result = subprocess.run(  # --distribute too: 2 logical CPU devices, the path a learner's GPUs take
        [sys.executable, "-m", "ganlib", *"train gan --epochs 1 --batch-size 500 --distribute --out".split(), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert (out / "generator.keras").is_file() and (out / "discriminator.keras").is_file()
    history = json.loads((out / "history.json").read_text())
    assert len(history["d_loss"]) == len(history["g_loss"]) == 5000 // 500  # the 5,000 offline digits
    assert "bundled" in result.stdout  # GANLIB_OFFLINE=1 reached the child: no download was tried
    assert "tf.distribute: 2 replicas" in result.stdout and "on 2 replicas" in result.stdout


# ------------------------------------------------------------------------------------ resume


@pytest.fixture
def tiny_offline(mnist, monkeypatch):
    monkeypatch.setattr(data, "load_mnist", _few_digits(mnist))
    for key, value in TINY.items():
        monkeypatch.setitem(recipes.MLP_GAN, key, value)
    monkeypatch.setitem(recipes.DCGAN, "base_filters", 4)
    monkeypatch.setitem(recipes.DCGAN, "d_base_filters", 4)


def _history_length(out):
    return len(json.loads((out / "history.json").read_text())["d_loss"])


def test_a_second_run_resumes_and_fresh_starts_over(tiny_offline, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "gan", "--batch-size", "200", "--out", str(out)]
    assert _run([*args, "--epochs", "1"], capsys)[0] == 0
    code, stdout, _ = _run([*args, "--epochs", "2"], capsys)
    assert code == 0
    assert "Resuming from step 3 of" in stdout
    assert _history_length(out) == 6
    code, stdout, _ = _run([*args, "--epochs", "2"], capsys)
    assert code == 0 and "already complete" in stdout
    code, stdout, _ = _run([*args, "--epochs", "1", "--fresh"], capsys)
    assert code == 0 and "starting a new run" in stdout
    assert _history_length(out) == 3


def test_an_interrupted_run_saves_and_resumes_where_it_stopped(tiny_offline, tmp_path, capsys, monkeypatch):
    from ganlib import callbacks

    out = tmp_path / "run"
    args = ["train", "dcgan", "--batch-size", "100", "--epochs", "1", "--out", str(out)]
    original = callbacks.Checkpoint.on_train_batch_end

    def interrupt_at_step_4(self, batch, logs=None):
        original(self, batch, logs)
        if self.model.step == 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(callbacks.Checkpoint, "on_train_batch_end", interrupt_at_step_4)
    code, stdout, err = _run(args, capsys)
    assert code == 130 and "interrupted" in err
    assert "Interrupted at step 4" in stdout
    monkeypatch.setattr(callbacks.Checkpoint, "on_train_batch_end", original)
    code, stdout, _ = _run(args, capsys)
    assert code == 0
    assert "Resuming from step 4 of" in stdout
    # --epochs 1 is one pass of 6 steps (600 digits in batches of 100): 2 steps are left after the 4
    assert _history_length(out) == 6
    frames = sorted(p.name for p in (out / "samples").glob("samples_*.png"))
    assert frames == ["samples_000006.png"]  # grids every 100 steps, and one when training ends


def test_other_settings_into_an_old_out_are_refused_in_one_line(tiny_offline, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train", "gan", "--batch-size", "200", "--epochs", "1", "--out", str(out)]
    assert _run(args, capsys)[0] == 0
    code, stdout, err = _run([*args, "--seed", "1"], capsys)
    assert code == 2 and "Resuming" not in stdout
    assert err.count("\n") == 1 and "other settings (settings.seed: 0 there, 1 here)" in err and "--fresh" in err
    code, _, err = _run([*args[:-4], "--batch-size", "100", "--epochs", "1", "--out", str(out)], capsys)
    assert code == 2 and "data.batch_shapes[0][0]: 200 there, 100 here" in err
    assert _history_length(out) == 3  # the old run is untouched
    code, stdout, _ = _run([*args, "--seed", "1", "--fresh"], capsys)
    assert code == 0 and "starting a new run" in stdout


def test_sigterm_during_training_saves_a_checkpoint(tiny_offline, tmp_path, capsys, monkeypatch):
    import signal

    from ganlib import callbacks, checkpoints

    out = tmp_path / "run"
    original = callbacks.Checkpoint.on_train_batch_end

    def terminate_at_step_2(self, batch, logs=None):
        original(self, batch, logs)
        if self.model.step == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(callbacks.Checkpoint, "on_train_batch_end", terminate_at_step_2)
    before = signal.getsignal(signal.SIGTERM)
    code, stdout, _ = _run(["train", "gan", "--batch-size", "100", "--epochs", "1", "--out", str(out)], capsys)
    assert code == 130
    assert "Interrupted at step 2" in stdout
    assert checkpoints.latest_checkpoint(out / "checkpoints").name == "ckpt-00000002"
    assert signal.getsignal(signal.SIGTERM) is before  # the handlers are put back afterwards
