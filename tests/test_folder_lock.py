"""One writer per run folder (ganlib.folder_lock): a second training into a held folder is refused in one line,
a killed holder leaves no lock behind, readers are never blocked.

Other processes are real: either the CLI, or a small holder process that takes the lock and sleeps (so a
refused writer can be checked to have written nothing, with no other writer in the folder).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import cli_runs
import numpy as np
import pytest

from ganlib import folder_lock, runs, widgets

ROOT = Path(__file__).resolve().parents[1]

HOLDER = (
    "import sys, time\n"
    "from ganlib import folder_lock\n"
    "hold = folder_lock.hold(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def _env(tmp_path):
    env = {**os.environ, "GANLIB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "GANLIB_DATA_DIR": str(tmp_path / "data")}
    env.pop("GANLIB_SMOKE", None)
    return env


def _in_this_process(args, tmp_path):
    """The CLI run by this (test) process, which is not the one holding the folder: what a CLI process would meet,
    without starting TensorFlow again. Returns what ``subprocess.run`` would."""
    return subprocess.CompletedProcess(args, *cli_runs.run_in_process(args, tmp_path))


def _cli_in_background(args, tmp_path):
    return subprocess.Popen([sys.executable, "-m", "ganlib", *map(str, args)], cwd=tmp_path, env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _holder(folder, tmp_path):
    """Another process holding ``folder``; returns once it does."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], cwd=tmp_path, env=_env(tmp_path),
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def _wait_until_held_by(folder, pid, timeout=600.0):
    """Wait until ``folder``'s lock file names process ``pid`` (it writes it once it holds the lock)."""
    deadline = time.monotonic() + timeout
    path = Path(folder) / folder_lock.LOCK_FILE
    while time.monotonic() < deadline:
        try:
            if json.loads(path.read_text())["pid"] == pid:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    pytest.fail(f"process {pid} never held {folder}")


def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in Path(folder).rglob("*")}


def _stop(process):
    process.kill()
    process.wait(60)


# ---------------------------------------------------------------------------------------------- the lock


def test_holds_are_counted_per_process_and_the_folder_is_free_after_the_last(tmp_path):
    first = folder_lock.hold(tmp_path / "run")
    second = folder_lock.hold(tmp_path / "run")  # the same process may hold it again (a run opened twice)
    first.release()
    other = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(600)", ""), str(tmp_path / "run")],
                           env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert other.returncode != 0 and "FolderInUseError" in other.stderr  # one hold is still out
    assert f"process {os.getpid()} since" in other.stderr
    second.release()
    other = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(600)", ""), str(tmp_path / "run")],
                           env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert other.returncode == 0 and other.stdout.strip() == "held"


def test_another_process_holding_the_folder_refuses_open_run_in_one_line(tmp_path, tiny_gan, real_images):
    from ganlib import data

    holder = _holder(tmp_path / "run", tmp_path)
    try:
        with pytest.raises(runs.FolderInUseError) as caught:
            runs.open_run(tmp_path / "run", tiny_gan(), data.make_image_dataset(real_images, 16, seed=0))
        message = str(caught.value)
        assert "\n" not in message
        assert f"is being trained into by process {holder.pid} since" in message
        assert "wait until it finishes, or train into another folder" in message
        assert not list((tmp_path / "run").glob("ckpt-*"))
    finally:
        _stop(holder)
    run = runs.open_run(tmp_path / "run", tiny_gan(), data.make_image_dataset(real_images, 16, seed=0))
    run.close()


def test_fresh_keeps_the_lock_file_it_holds(tmp_path, tiny_gan, real_images):
    """Deleting the lock's file while holding it would let a second writer lock a new file of that name."""
    from ganlib import data

    dataset = data.make_image_dataset(real_images, 16, seed=0)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "old.txt").write_text("from an earlier run")
    with runs.open_run(tmp_path / "run", tiny_gan(), dataset, fresh=True) as run:
        assert sorted(p.name for p in run.folder.iterdir()) == [folder_lock.LOCK_FILE, "settings.json"]  # old.txt gone
        refused = subprocess.run([sys.executable, "-c", HOLDER, str(tmp_path / "run")], env=_env(tmp_path),
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0 and "FolderInUseError" in refused.stderr


# ---------------------------------------------------------------------------------------------- the CLI


@pytest.mark.slow
def test_two_trainings_into_one_folder_exactly_one_trains(tmp_path):
    """The first trains until it is interrupted (so how long the second takes to start never matters); the
    second, started while the first holds the folder, is refused in one line and writes nothing."""
    first = _cli_in_background(["train", "gan", "--minutes", "30", "--out", "same"], tmp_path)
    try:
        _wait_until_held_by(tmp_path / "same" / "checkpoints", first.pid)
        began = []
        for line in first.stdout:  # until the first has opened its run and starts training
            began.append(line)
            if "starting a new run" in line:
                break
        second = _in_this_process(["train", "gan", "--minutes", "0.02", "--out", "same"], tmp_path)
        assert first.poll() is None  # the first still trains
        deadline = time.monotonic() + 600  # only catches a hang
        while not re.search(r"\d+/\d+", began[-1]):  # Keras' progress bar ("0/1800 …"): the first trains
            began.append(first.stdout.readline())
            if not began[-1] or time.monotonic() > deadline:  # it ended, or never showed a step
                pytest.fail(f"the first training shows no step: {''.join(began)[-2000:]}")
        first.send_signal(signal.SIGINT)  # Ctrl-C: it saves a checkpoint and stops
        out, err = first.communicate(timeout=600)
        out = "".join(began) + out
    finally:
        first.kill()
    assert second.returncode == 2
    assert second.stdout == ""  # refused before any work: no "Training …", no "starting a new run"
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganlib: error: --out same is being trained into by ")
    assert f"process {first.pid} since" in lines[0] and "or give another --out" in lines[0]
    assert first.returncode == 130, err[-2000:]
    assert "starting a new run" in out and "Interrupted at step" in out


def test_a_refused_training_writes_nothing(tmp_path):
    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    holder = _holder(tmp_path / "run" / "checkpoints", tmp_path)
    try:
        before = _snapshot(tmp_path / "run")
        refused = _in_this_process(["train", "dcgan", "--minutes", "0.02", "--out", "run"], tmp_path)
        assert _snapshot(tmp_path / "run") == before
    finally:
        _stop(holder)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and f"process {holder.pid} since" in refused.stderr


@pytest.mark.slow
def test_a_killed_holder_leaves_no_lock_and_sample_reads_while_a_run_holds_the_folder(tmp_path):
    assert _in_this_process(["train", "gan", "--minutes", "0.02", "--out", "run"], tmp_path).returncode == 0
    trainer = _cli_in_background(["train", "gan", "--minutes", "5", "--out", "run"], tmp_path)
    try:
        _wait_until_held_by(tmp_path / "run" / "checkpoints", trainer.pid)
        # a reader is never blocked: it reads the saved generator while the training holds the folder
        sampled = _in_this_process(["sample", "run", "--n", "4", "--out", "s.npy"], tmp_path)
        assert sampled.returncode == 0, sampled.stderr
        assert np.load(tmp_path / "s.npy").shape == (4, 28, 28, 1)
        assert trainer.poll() is None  # still holding it
        trainer.send_signal(signal.SIGKILL)  # no handler, no clean-up: the operating system drops the lock
        trainer.wait(60)
    finally:
        trainer.kill()
    resumed = _in_this_process(["train", "gan", "--minutes", "0.03", "--out", "run"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "Resuming from step" in resumed.stdout


# ---------------------------------------------------------------------------------------------- the lab


def test_the_labs_save_into_a_folder_the_cli_trains_is_refused_in_its_status_line(mnist, tmp_path):
    lab = widgets.training_lab("gan", mnist[0][:256], seed=0, g_hidden=(16,), d_hidden=(16,), latent_dim=8,
                               batch_size=32)
    (tmp_path / "lab" / "checkpoints").mkdir(parents=True)
    holder = _holder(tmp_path / "lab" / "checkpoints", tmp_path)
    try:
        lab.run_for(steps=2)
        lab.save_input.value = str(tmp_path / "lab")
        lab.on_save_clicked()
        assert "Save failed" in lab.status.value
        assert f"is being trained into by process {holder.pid} since" in lab.status.value
        assert {p.name for p in (tmp_path / "lab").rglob("*")} == {"checkpoints", folder_lock.LOCK_FILE}
    finally:
        _stop(holder)
        lab.close()
    lab_again = widgets.training_lab("gan", mnist[0][:256], seed=0, g_hidden=(16,), d_hidden=(16,), latent_dim=8,
                                     batch_size=32)
    try:
        lab_again.save(tmp_path / "lab")  # the holder is gone: the save goes through
        assert (tmp_path / "lab" / "generator.keras").is_file()
    finally:
        lab_again.close()
