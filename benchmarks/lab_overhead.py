"""Benchmark: what the training lab costs (issue 14): its speed against the CLI's, and how fast it reacts.

For each lesson's recipe (``gan``, ``dcgan``, ``pix2pix``, offline data, seed 0):

1. the CLI: ``python -m ganlib train KIND --minutes M`` in a subprocess; its speed is the run's steps over its
   training clock (both read from the last checkpoint);
2. the lab: :func:`ganlib.widgets.training_lab` with the same recipe and data, ``run_for(60·M seconds)``
   with its live view redrawn as in a notebook; speed = steps over the model's training clock (the drawing,
   done in the training thread, is inside it);
3. the lab's reactions, training again: the seconds from a slider change (D's learning rate; then label
   smoothing for gan/dcgan or λ for pix2pix, which re-trace the step) to the first redraw that shows its
   marker, and from *Pause* to the thread's end.

    python benchmarks/lab_overhead.py [--minutes 1] [--kinds gan dcgan pix2pix]

Run it alone on the machine. Prints one JSON line per kind and a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GANLIB_OFFLINE", "1")


def cli_speed(kind: str, minutes: float, folder: Path) -> dict:
    command = [sys.executable, "-m", "ganlib", "train", kind, "--minutes", str(minutes), "--out", str(folder)]
    subprocess.run(command, check=True, capture_output=True, text=True)
    newest = sorted((folder / "checkpoints").glob("ckpt-*"))[-1]
    meta = json.loads((newest / "meta.json").read_text())
    return {"steps": meta["step"], "seconds": meta["elapsed_seconds"], "steps_per_s": meta["step"] / meta["elapsed_seconds"]}


def build_lab(kind: str):
    from ganlib import data, widgets

    if kind == "pix2pix":
        train = data.load_pairs("digits-inpaint", "train", verbose=False)
        validation = data.load_pairs("digits-inpaint", "validation", n=6, verbose=False)
        return widgets.training_lab(kind, train, validation=validation, seed=0)
    images, _ = data.load_mnist(verbose=False)
    return widgets.training_lab(kind, images, seed=0)


def seconds_to_redraw_showing(lab, name: str, value) -> float:
    """Move knob ``name`` while the lab trains; return the seconds until a redraw that shows its marker."""
    markers, began = len(lab.live.markers), time.perf_counter()
    lab.controls[name].value = value
    while len(lab.live.markers) == markers:
        time.sleep(0.005)
    redraws = lab.redraws
    while lab.redraws == redraws:
        time.sleep(0.005)
    return time.perf_counter() - began


def lab_figures(kind: str, minutes: float) -> dict:
    lab = build_lab(kind)
    steps = lab.run_for(seconds=60 * minutes)
    clock = lab.model.clock.seconds
    result = {"steps": steps, "seconds": clock, "steps_per_s": steps / clock, "redraws": lab.redraws,
              "draw_seconds": lab.draw_seconds}
    lab.start()
    time.sleep(3)
    result["d_lr_change_to_redraw_s"] = seconds_to_redraw_showing(lab, "d_lr", lab.controls["d_lr"].value * 2)
    time.sleep(3)
    retraced = "l1_weight" if kind == "pix2pix" else "label_smoothing"
    result[f"{retraced}_change_to_redraw_s"] = seconds_to_redraw_showing(
        lab, retraced, 50.0 if kind == "pix2pix" else 0.2
    )
    time.sleep(3)
    result["pause_s"] = lab.pause()
    lab.close()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--kinds", nargs="+", default=["gan", "dcgan", "pix2pix"])
    args = parser.parse_args()
    print(f"# lab overhead — {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()}, {vars(args)}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind in args.kinds:
            cli = cli_speed(kind, args.minutes, Path(scratch) / f"cli-{kind}")
            lab = lab_figures(kind, args.minutes)
            row = {"kind": kind, "cli": cli, "lab": lab, "lab_cost": 1 - lab["steps_per_s"] / cli["steps_per_s"]}
            print(json.dumps(row), flush=True)
            rows.append(row)
    print("\n| lesson recipe | CLI steps/s | lab steps/s | lab's cost | change → redraw (D lr) | change → redraw (re-traced knob) | pause |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        lab = row["lab"]
        retraced = next(v for k, v in lab.items() if k.endswith("_change_to_redraw_s") and not k.startswith("d_lr"))
        print(f"| {row['kind']} | {row['cli']['steps_per_s']:.1f} | {lab['steps_per_s']:.1f} | {row['lab_cost']:.1%} "
              f"| {lab['d_lr_change_to_redraw_s']:.2f} s | {retraced:.2f} s | {lab['pause_s']:.2f} s |")


if __name__ == "__main__":
    main()
