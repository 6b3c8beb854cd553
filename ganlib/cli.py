"""Command line: ``python -m ganlib train gan|dcgan ...`` and ``python -m ganlib sample ...``.

    python -m ganlib train gan --minutes 3 --out runs/g1
    python -m ganlib train dcgan --minutes 4 --out runs/d     # Ctrl-C, then the same command resumes
    python -m ganlib sample runs/g1 --n 2000 --out samples.npy --seed 0

``train`` writes ``generator.keras``, ``discriminator.keras`` and ``history.json`` into ``--out``, plus
``checkpoints/`` (the whole run, saved every epoch) and ``samples/`` (a fixed-noise grid per epoch, and
``training.gif``). When ``--out`` already holds a checkpoint, training resumes from it (``--fresh`` starts
over); ``--minutes`` and ``--epochs`` count the whole run, resumed parts included. ``sample`` writes float32
images ``(N, 28, 28, 1)`` in [-1, 1] to a ``.npy`` file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

MODELS = ("gan", "dcgan")


class CLIError(Exception):
    """A problem with the user's input, reported as one line (no traceback)."""


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a whole number > 0, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ganlib", description="Train GANs and sample from them.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a model and save it into --out")
    train.add_argument("model", choices=MODELS, help="which lesson's model to train")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=_positive_float, help="train for this many minutes (default 3)")
    length.add_argument("--epochs", type=_positive_int, help="train for this many passes over the data")
    train.add_argument(
        "--seed", type=int, default=0, help="seed of weights, noise and data order (default 0)"
    )
    train.add_argument("--batch-size", type=_positive_int, help="images per step (default: the lesson's)")
    train.add_argument("--out", required=True, type=Path, help="folder for the saved models and history")
    train.add_argument("--fresh", action="store_true", help="ignore a checkpoint in --out and start over")

    sample = commands.add_parser("sample", help="draw digits from a trained generator")
    sample.add_argument("run_dir", type=Path, help="folder written by `train` (holds generator.keras)")
    sample.add_argument("--n", type=_positive_int, default=64, help="how many images (default 64)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    sample.add_argument("--out", required=True, type=Path, help="output file, .npy")
    return parser


def train(args) -> None:
    import shutil

    from ganlib import callbacks, checkpoints, config, data, recipes, training

    if args.out.exists() and not args.out.is_dir():
        raise CLIError(f"--out {args.out} exists and is not a folder")
    if args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    config.set_seed(args.seed)
    recipe, build = recipes.RECIPES[args.model]
    batch_size = args.batch_size or recipe["batch_size"]
    images, _ = data.load_mnist()
    if batch_size > len(images):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(images)} training images")
    steps_per_epoch = len(images) // batch_size
    checkpoint_dir = args.out / "checkpoints"
    if args.fresh and checkpoint_dir.exists():
        shutil.rmtree(checkpoint_dir)

    gan = build(seed=args.seed)
    history = callbacks.StepHistory()
    grid = callbacks.GifRecorder(
        args.out / "samples" / "training.gif", folder=args.out / "samples", seed=args.seed
    )
    seconds = None if args.epochs else 60.0 * (args.minutes or 3.0)
    budget = callbacks.TimeBudget(seconds) if seconds else None
    checkpoint = checkpoints.Checkpoint(checkpoint_dir, sample_grid=grid, history=history, time_budget=budget)
    meta = checkpoints.resume(gan, checkpoint_dir, grid, history, budget, checkpoint)
    initial_epoch = int(meta["epoch"]) if meta else 0
    total_epochs = args.epochs or 10**6
    if (budget and budget.already_used >= seconds) or initial_epoch >= total_epochs:
        print("This run is already complete: ask for more --minutes/--epochs, or pass --fresh to start over.")
    else:
        if budget:
            progress = callbacks.ProgressBar(total_seconds=seconds - budget.already_used)
        else:
            progress = callbacks.ProgressBar(total_steps=(total_epochs - initial_epoch) * steps_per_epoch)
        run_callbacks = [c for c in (history, grid, budget, checkpoint, progress) if c is not None]
        dataset = data.make_image_dataset(images, batch_size, seed=args.seed + initial_epoch)
        print(f"Training the {args.model} (batch {batch_size}, seed {args.seed}) into {args.out}/ …")
        start = time.perf_counter()
        try:
            gan.fit(
                dataset, epochs=total_epochs, initial_epoch=initial_epoch, verbose=0, callbacks=run_callbacks
            )
        except KeyboardInterrupt:
            path = checkpoint.save()
            print(f"\nInterrupted at step {checkpoint.step}: saved {path}. Run the same command to resume.")
            raise
        print(
            f"\nDone: {history.step - checkpoint.initial_step} steps in {time.perf_counter() - start:.0f} s "
            f"(step {history.step} in all)."
        )
    gan.save_players(args.out)
    training.save_history(history.history, args.out / "history.json")
    print(f"Saved generator.keras, discriminator.keras, history.json and samples/ in {args.out}/.")


def sample(args) -> None:
    import numpy as np

    from ganlib import storage, training

    if args.out.suffix != ".npy":
        raise CLIError(f"--out must end in .npy, got {args.out}")
    path = args.run_dir / "generator.keras"
    if not path.is_file():
        raise CLIError(
            f"no generator.keras in {args.run_dir}: train one first with `python -m ganlib train gan`"
        )
    if args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    generator = storage.load_model(path)
    images = training.generate(generator, args.n, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, images.astype(np.float32))
    print(f"Wrote {len(images)} images {images.shape[1:]} in [-1, 1] to {args.out}")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        {"train": train, "sample": sample}[args.command](args)
    except (CLIError, ValueError, FileNotFoundError, OSError) as error:
        print(f"ganlib: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nganlib: interrupted", file=sys.stderr)
        return 130
    return 0
