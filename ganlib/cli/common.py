"""What the command line's commands share: its one-line error, checks of output paths, holding ``--out``,
and opening, training and saving a run. Below :mod:`ganlib.cli.train`, :mod:`ganlib.cli.cgan` and
:mod:`ganlib.cli.cyclegan`, which import it; it imports none of them."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from ganlib.folders import IMAGE_SUFFIXES  # noqa: F401  (the files `translate` reads and writes)

#: ``train --data``: steps between the sample grids of samples/ and training.gif.
GRID_EVERY_N_STEPS = 200


class CLIError(Exception):
    """A problem with the user's input, reported as one line (no traceback)."""


def writable_folder(option: str, folder: Path) -> None:
    """Fail now, not after training, when files cannot be written into ``folder`` (root included)."""
    from ganlib import _checks

    try:
        _checks.writable_folder(option, folder)
    except ValueError as error:
        raise CLIError(str(error)) from None


def output_file(option: str, path: Path, suffixes) -> None:
    """Check an output file's suffix and that its folder can be written, before any work."""
    if path.suffix.lower() not in suffixes:
        raise CLIError(f"{option} must end in {' or '.join(suffixes)}, got {path}")
    if path.is_dir():
        raise CLIError(f"{option} {path} is a folder: give a file name")
    from ganlib import _checks

    try:
        _checks.writable_folder(option, path.parent)
    except ValueError as error:
        raise CLIError(f"{option} {path} cannot be written: {str(error).split('Received: ')[-1]}") from None


def write_translation(result, out: Path) -> None:
    """Write a translation to ``out``: the array as it is (``.npy``) or a picture (uint8, grey or RGB)."""
    import numpy as np

    from ganlib import data, storage

    if out.suffix.lower() == ".npy":
        storage.save_array_atomically(result, out)
    else:
        pixels = result if result.dtype == np.uint8 else data.scale_to_uint8(result)
        storage.save_picture_atomically(pixels[..., 0] if pixels.shape[-1] == 1 else pixels, out)
    print(f"Wrote {result.dtype} {result.shape} to {out}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def stop_on_signals():
    """Within the block, SIGINT and SIGTERM stop training with a checkpoint, even where the shell started us
    with SIGINT ignored (a background job of a script) or a scheduler sends SIGTERM."""
    import signal

    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def hold_out_folder(args):
    """Hold ``--out`` for this process (:mod:`ganlib.folder_lock`) before any work, TensorFlow's start included:
    a second ``train`` into the same folder ends here with one line and exit status 2, having written nothing."""
    from ganlib import folder_lock

    if args.out.exists() and not args.out.is_dir():
        raise CLIError(f"--out {args.out} exists and is not a folder")
    writable_folder("--out", args.out)
    try:
        return folder_lock.hold(args.out / "checkpoints")
    except folder_lock.FolderInUseError as error:
        raise CLIError(
            f"--out {args.out} is being trained into by {error.holder}: wait until it finishes, or give another --out"
        ) from None


def run_settings(args) -> dict:
    """What `train`'s result depends on beyond the model itself (which `runs.settings_of` reads)."""
    settings = {"model": args.model, "seed": args.seed}
    if getattr(args, "data", None) is not None:
        settings.update(data=str(args.data.resolve()), size=args.size)
    elif args.model == "pix2pix":
        settings.update(dataset=args.dataset or "digits-inpaint", size=args.size)
    elif args.model == "cyclegan":
        settings.update(dataset=args.dataset or "digits-photos", size=args.size)
    elif args.model == "toy":
        settings.update(dataset=args.dataset or "grid")
    return settings


def strategy_for(args, config):
    """``--distribute``: the strategy for the visible devices (it prints its choice); else ``None``."""
    if not getattr(args, "distribute", False):
        return None
    try:
        return config.distribution_strategy()
    except RuntimeError as error:
        raise CLIError(str(error)) from None


def check_split(batch_size, strategy) -> None:
    if strategy is not None and batch_size % strategy.num_replicas_in_sync:
        replicas = strategy.num_replicas_in_sync
        raise CLIError(
            f"--batch-size {batch_size} does not split evenly over {replicas} replicas: use a multiple of {replicas}"
        )


def fit_and_save(args, model, dataset, steps_per_epoch, grid, default_minutes, what, metrics=("d_loss", "g_loss")):
    """Open the run in --out/checkpoints (resuming it when it can), train it, then save the players, the
    history and the samples."""
    from ganlib import callbacks, runs, training

    minutes = None if args.epochs else args.minutes or default_minutes
    steps = args.epochs * steps_per_epoch if args.epochs else None
    if minutes:
        progress = callbacks.ProgressBar(total_seconds=60.0 * minutes, metrics=metrics)
    else:
        progress = callbacks.ProgressBar(total_steps=steps, metrics=metrics)
    history = callbacks.StepHistory()
    if getattr(args, "strategy", None) is not None:
        replicas = args.strategy.num_replicas_in_sync
        what += f" on {replicas} replica{'s' * (replicas != 1)}"
    print(f"Training {what} into {args.out}/ …")
    start = time.perf_counter()
    with stop_on_signals(), progress_line_ended_on_error():
        with runs.open_run(args.out / "checkpoints", model, dataset, settings=run_settings(args), fresh=args.fresh) as run:
            result = runs.train(run, minutes=minutes, steps=steps, callbacks=[history, grid, progress])
    if result["complete"]:
        print("This run is already complete: ask for more --minutes/--epochs, or pass --fresh to start over.")
    else:
        print(
            f"\nDone: {result['steps_this_run']} steps in {time.perf_counter() - start:.0f} s "
            f"(step {result['step']} in all, {result['elapsed']:.0f} s of training)."
        )
    model.save_players(args.out)
    training.save_history(history.history, args.out / "history.json")
    print(f"Saved generator.keras, discriminator.keras, history.json and samples/ in {args.out}/.")


@contextlib.contextmanager
def progress_line_ended_on_error():
    """End the progress bar's line when training fails, so that the error is printed on a line of its own."""
    try:
        yield
    except Exception:
        print(flush=True)
        raise


