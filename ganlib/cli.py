"""Command line: ``python -m ganlib train gan|dcgan|pix2pix ...``, ``sample ...`` and ``translate ...``.

    python -m ganlib train gan --minutes 3 --out runs/g1
    python -m ganlib train dcgan --minutes 4 --out runs/d     # Ctrl-C, then the same command resumes
    python -m ganlib sample runs/g1 --n 2000 --out samples.npy --seed 0
    python -m ganlib train pix2pix --dataset digits-inpaint --minutes 8 --out runs/p2p
    python -m ganlib translate runs/p2p holed.png --out restored.png
    python -m ganlib train dcgan --data my_pictures --size 32 --minutes 5 --out runs/mine   # your own folder

``train`` writes ``generator.keras``, ``discriminator.keras`` and ``history.json`` into ``--out``, plus
``checkpoints/`` (the whole run, saved every 30 s) and ``samples/`` (a fixed-noise grid every 100 steps, and
``training.gif``). When ``--out`` already holds a checkpoint of the same settings, training resumes from it;
one made with other settings is refused in one line naming a setting that differs (``--fresh`` starts
over); ``--minutes`` and ``--epochs`` count the whole run, resumed parts included. ``sample`` writes float32
images ``(N, H, W, C)`` in [-1, 1] to a ``.npy`` file and a PNG sheet of them beside it (``--out s.png``:
the sheet only). ``translate`` runs a trained pix2pix generator on an image file (``.png``/``.jpg``) or a
``.npy`` batch and writes the result in the input's size and dtype. ``--data FOLDER`` trains on your own
PNG/JPEG images (:mod:`ganlib.folders`; pairs for pix2pix); the folder and size are part of the run's
settings, so resuming on other data is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

MODELS = ("gan", "dcgan", "pix2pix")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
#: ``train --data``: steps between the sample grids of samples/ and training.gif.
GRID_EVERY_N_STEPS = 200


class CLIError(Exception):
    """A problem with the user's input, reported as one line (no traceback)."""


def _positive(convert, what):
    """An argparse type: ``convert`` the text and require a value > 0, with a one-line message otherwise."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected {what} > 0, got {text!r}")
        return value

    return parse


_positive_float = _positive(float, "a number")
_positive_int = _positive(int, "a whole number")


def build_parser() -> argparse.ArgumentParser:
    from ganlib.data import PAIRED_DATASETS

    parser = argparse.ArgumentParser(
        prog="python -m ganlib", description="Train GANs, sample from them and translate images."
    )
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
    train.add_argument(
        "--dataset",
        choices=PAIRED_DATASETS,
        default="digits-inpaint",
        help="pix2pix only: which paired data (default digits-inpaint)",
    )
    train.add_argument(
        "--size",
        type=_positive_int,
        help="image side: pix2pix (default: the dataset's); with --data, dcgan 28|32|64 (default 32), "
        "pix2pix 32|64|128|256 (default 64)",
    )
    train.add_argument("--data", type=Path, help="dcgan or pix2pix: train on your own folder of PNG/JPEG images")
    train.add_argument(
        "--distribute",
        action="store_true",
        help="train on every device visible (GPUs, a TPU, TF_CONFIG's machines, GANLIB_CPU_DEVICES) "
        "with tf.distribute; --batch-size is the global batch, split over the replicas",
    )

    sample = commands.add_parser("sample", help="draw digits from a trained generator")
    sample.add_argument("run_dir", type=Path, help="folder written by `train` (holds generator.keras)")
    sample.add_argument("--n", type=_positive_int, default=64, help="how many images (default 64)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    sample.add_argument("--out", required=True, type=Path, help="output file: .npy (plus a .png sheet beside it) or .png")

    translate = commands.add_parser("translate", help="translate an image or a .npy batch with a pix2pix run")
    translate.add_argument("run_dir", type=Path, help="folder written by `train pix2pix` (holds generator.keras)")
    translate.add_argument("input", type=Path, help="an image file (.png, .jpg) or a .npy batch")
    translate.add_argument("--out", required=True, type=Path, help="output file: an image file or .npy")
    return parser


def train(args) -> None:
    from ganlib import callbacks, config, data, recipes

    if args.out.exists() and not args.out.is_dir():
        raise CLIError(f"--out {args.out} exists and is not a folder")
    if args.seed < 0:
        raise CLIError(f"--seed must be >= 0, got {args.seed}")
    args.strategy = _strategy(args, config)  # first: devices are fixed when TensorFlow starts
    config.set_seed(args.seed)
    if args.data is not None:
        return _train_on_folder(args)
    if args.model == "pix2pix":
        return _train_pix2pix(args)
    if args.size is not None:
        raise CLIError("--size applies to pix2pix only")
    recipe, build = recipes.RECIPES[args.model]
    batch_size = args.batch_size or recipe["batch_size"]
    images, _ = data.load_mnist()
    if batch_size > len(images):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(images)} training images")
    _check_split(batch_size, args.strategy)
    samples = args.out / "samples"
    _fit_and_save(
        args,
        build(seed=args.seed, strategy=args.strategy),
        data.make_image_dataset(images, batch_size, seed=args.seed),
        len(images) // batch_size,
        callbacks.GifRecorder(samples / "training.gif", folder=samples, seed=args.seed),
        default_minutes=3.0,
        what=f"the {args.model} (batch {batch_size}, seed {args.seed})",
    )


def _train_pix2pix(args) -> None:
    from ganlib import callbacks, data, recipes

    hp = recipes.settings(recipes.PIX2PIX, **recipes.PIX2PIX_DATASETS[args.dataset])
    batch_size = args.batch_size or hp["batch_size"]
    try:
        inputs, targets = data.load_pairs(args.dataset, "train", size=args.size, seed=args.seed)
        preview, _ = data.load_pairs(args.dataset, "validation", size=args.size, n=8, verbose=False)
    except data.DownloadError as error:
        raise CLIError(f"{error} (the offline datasets are digits-inpaint and photos-colorize)") from None
    if batch_size > len(inputs):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(inputs)} training pairs")
    _check_split(batch_size, args.strategy)
    samples = args.out / "samples"
    _fit_and_save(
        args,
        recipes.build_pix2pix(args.dataset, image_shape=inputs.shape[1:], seed=args.seed, strategy=args.strategy),
        data.make_pair_dataset(inputs, targets, batch_size, name=args.dataset, seed=args.seed),
        len(inputs) // batch_size,
        callbacks.GifRecorder(samples / "training.gif", folder=samples, inputs=preview),
        default_minutes=8.0,
        what=f"pix2pix on {args.dataset} (batch {batch_size}, seed {args.seed})",
        metrics=("d_loss", "g_l1"),
    )


def _run_settings(args) -> dict:
    """What `train`'s result depends on beyond the model itself (which `run_identity` reads)."""
    settings = {"model": args.model, "seed": args.seed}
    if getattr(args, "data", None) is not None:
        settings.update(data=str(args.data.resolve()), size=args.size)
    elif args.model == "pix2pix":
        settings.update(dataset=args.dataset, size=args.size)
    return settings


def _strategy(args, config):
    """``--distribute``: the strategy for the visible devices (it prints its choice); else ``None``."""
    if not getattr(args, "distribute", False):
        return None
    try:
        return config.distribution_strategy()
    except RuntimeError as error:
        raise CLIError(str(error)) from None


def _check_split(batch_size, strategy) -> None:
    if strategy is not None and batch_size % strategy.num_replicas_in_sync:
        replicas = strategy.num_replicas_in_sync
        raise CLIError(
            f"--batch-size {batch_size} does not split evenly over {replicas} replicas: use a multiple of {replicas}"
        )


def _train_on_folder(args) -> None:
    """``train dcgan|pix2pix --data FOLDER``: your own images (:mod:`ganlib.folders`), the lessons' recipes."""
    from ganlib import callbacks, data, folders, recipes, storage

    if args.model == "gan":
        raise CLIError("--data trains dcgan or pix2pix (gan is lesson 1's model for MNIST digits)")
    size = args.size or (32 if args.model == "dcgan" else 64)
    record = {"model": args.model, "data": str(args.data.resolve()), "size": size}
    previous = args.out / "data.json"
    if not args.fresh and (args.out / "checkpoints").is_dir():
        if (json.loads(previous.read_text()) if previous.is_file() else None) != record:
            raise CLIError(f"{args.out} holds a run on other data or at another size: pass --fresh, or another --out")
    if args.model == "dcgan":
        images, _, _ = folders.load_image_folder(args.data, size)
        batch_size = args.batch_size or min(recipes.DCGAN["batch_size"], len(images))
        pairs = (images,)
    else:
        inputs, targets = folders.load_paired_folder(args.data, size)
        batch_size = args.batch_size or min(recipes.PIX2PIX_BY_SIZE[size]["batch_size"], len(inputs))
        pairs = (data.scale_to_unit(inputs), data.scale_to_unit(targets))
    if batch_size > len(pairs[0]):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(pairs[0])} images in {args.data}")
    _check_split(batch_size, args.strategy)
    storage.save_json_atomically(record, args.out / "data.json")
    samples = args.out / "samples"
    every = {"every_n_steps": GRID_EVERY_N_STEPS}
    if args.model == "dcgan":
        model = recipes.build_dcgan(seed=args.seed, image_shape=images.shape[1:], strategy=args.strategy)
        dataset = data.make_image_dataset(images, batch_size, seed=args.seed)
        grid = callbacks.GifRecorder(samples / "training.gif", folder=samples, seed=args.seed, **every)
    else:  # RGB → RGB like facades, with pix2pix's jitter and mirroring; the receptive field fits the size
        field = recipes.PIX2PIX_BY_SIZE[size]["receptive_field"]
        model = recipes.build_pix2pix(
            "facades", pairs[0].shape[1:], seed=args.seed, receptive_field=field, strategy=args.strategy
        )
        dataset = data.make_pair_dataset(*pairs, batch_size, name="facades", seed=args.seed)
        grid = callbacks.GifRecorder(samples / "training.gif", folder=samples, inputs=pairs[0][:8], **every)
    _fit_and_save(
        args,
        model,
        dataset,
        len(pairs[0]) // batch_size,
        grid,
        default_minutes=3.0 if args.model == "dcgan" else 8.0,
        what=f"{args.model} on {args.data} ({len(pairs[0])} at {size} px, batch {batch_size}, seed {args.seed})",
        metrics=("d_loss", "g_loss") if args.model == "dcgan" else ("d_loss", "g_l1"),
    )


def _fit_and_save(args, model, dataset, steps_per_epoch, grid, default_minutes, what, metrics=("d_loss", "g_loss")):
    """Train with checkpoints (resuming from --out), then save the players, the history and the samples."""
    from ganlib import callbacks, checkpoints, training

    seconds = None if args.epochs else 60.0 * (args.minutes or default_minutes)
    if seconds:
        progress = callbacks.ProgressBar(total_seconds=seconds, metrics=metrics)
    else:
        progress = callbacks.ProgressBar(total_steps=args.epochs * steps_per_epoch, metrics=metrics)
    history = callbacks.StepHistory()
    if getattr(args, "strategy", None) is not None:
        replicas = args.strategy.num_replicas_in_sync
        what += f" on {replicas} replica{'s' * (replicas != 1)}"
    print(f"Training {what} into {args.out}/ …")
    start = time.perf_counter()
    with _stop_on_signals():
        run = checkpoints.fit_resumable(
            model,
            dataset,
            args.out / "checkpoints",
            seconds=seconds,
            epochs=args.epochs,
            history=history,
            sample_grid=grid,
            extra_callbacks=[progress],
            fresh=args.fresh,
            settings=_run_settings(args),
        )
    if run["complete"]:
        print("This run is already complete: ask for more --minutes/--epochs, or pass --fresh to start over.")
    else:
        print(
            f"\nDone: {run['steps_this_run']} steps in {time.perf_counter() - start:.0f} s "
            f"(step {run['step']} in all, {run['elapsed']:.0f} s of training)."
        )
    model.save_players(args.out)
    training.save_history(history.history, args.out / "history.json")
    print(f"Saved generator.keras, discriminator.keras, history.json and samples/ in {args.out}/.")


def translate(args) -> None:
    import numpy as np

    from ganlib import storage
    from ganlib.translate import translate_image

    path = args.run_dir / "generator.keras"
    if not path.is_file():
        raise CLIError(f"no generator.keras in {args.run_dir}: train one first with `python -m ganlib train pix2pix`")
    for name, file in (("INPUT", args.input), ("--out", args.out)):
        if file.suffix.lower() not in (*IMAGE_SUFFIXES, ".npy"):
            raise CLIError(f"{name} must be an image file ({', '.join(IMAGE_SUFFIXES)}) or .npy, got {file}")
    if not args.input.is_file():
        raise CLIError(f"no file {args.input}")
    generator = storage.load_model(path)
    image = np.load(args.input, allow_pickle=False) if args.input.suffix == ".npy" else args.input
    result = translate_image(generator, image)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix == ".npy":
        np.save(args.out, result)
    else:
        from PIL import Image

        from ganlib import data

        pixels = result if result.dtype == np.uint8 else data.scale_to_uint8(result)
        if pixels.ndim == 4:
            raise CLIError("a .npy batch translates to a batch: use an --out ending in .npy")
        Image.fromarray(pixels[..., 0] if pixels.ndim == 3 and pixels.shape[-1] == 1 else pixels).save(args.out)
    print(f"Wrote {result.dtype} {result.shape} to {args.out}")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_on_signals():
    """Within the block, SIGINT and SIGTERM stop training with a checkpoint, even where the shell started us
    with SIGINT ignored (a background job of a script) or a scheduler sends SIGTERM."""
    import signal

    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def sample(args) -> None:
    import numpy as np

    from ganlib import storage, training

    if args.out.suffix not in (".npy", ".png"):
        raise CLIError(f"--out must end in .npy or .png, got {args.out}")
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
    sheet = _write_sheet(images, args.out.with_suffix(".png"))
    if args.out.suffix == ".npy":
        np.save(args.out, images.astype(np.float32))
        print(f"Wrote {len(images)} images {images.shape[1:]} in [-1, 1] to {args.out}, and {sheet}")
    else:
        print(f"Wrote {sheet} ({len(images)} images {images.shape[1:]})")


def _write_sheet(images, path, most: int = 256) -> str:
    """Save the first ``most`` images as one PNG mosaic (small images enlarged); return what it holds."""
    from ganlib import viz

    shown = images[:most]
    path.write_bytes(viz.to_png(viz.tile(shown), scale=max(1, 64 // images.shape[1])))
    return f"a sheet of {'the first ' if len(shown) < len(images) else ''}{len(shown)} to {path}"


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        {"train": train, "sample": sample, "translate": translate}[args.command](args)
    except (CLIError, ValueError, FileNotFoundError, OSError) as error:
        print(f"ganlib: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nganlib: interrupted", file=sys.stderr)
        return 130
    return 0
