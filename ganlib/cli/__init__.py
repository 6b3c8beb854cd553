"""Command line: ``python -m ganlib train gan|dcgan|pix2pix|cgan|cyclegan|toy ...``, ``sample ...`` and ``translate ...``.

    python -m ganlib train gan --minutes 3 --out runs/g1
    python -m ganlib train dcgan --minutes 4 --out runs/d     # Ctrl-C, then the same command resumes
    python -m ganlib sample runs/g1 --n 2000 --out samples.npy --seed 0
    python -m ganlib train pix2pix --dataset digits-inpaint --minutes 8 --out runs/p2p
    python -m ganlib translate runs/p2p holed.png --out restored.png
    python -m ganlib train cyclegan --minutes 10 --out runs/cyc                  # lesson 5 (ganlib.cli.cyclegan)
    python -m ganlib translate runs/cyc digits_on_photos.npy --direction b2a --out digits.npy
    python -m ganlib train dcgan --data my_pictures --size 32 --minutes 5 --out runs/mine   # your own folder
    python -m ganlib train cgan --minutes 5 --out runs/c && python -m ganlib sample runs/c --label 7 --out 7s.npy
    python -m ganlib train toy --dataset grid --minutes 2 --out runs/t && python -m ganlib sample runs/t --n 2500 --out s.npy

``train`` writes ``generator.keras``, ``discriminator.keras`` and ``history.json`` into ``--out``, plus
``checkpoints/`` (the whole run, saved every 30 s) and ``samples/`` (a fixed-noise grid every 100 steps, and
``training.gif``). When ``--out`` already holds a checkpoint of the same settings, training resumes from it;
one made with other settings is refused in one line naming a setting that differs (``--fresh`` starts
over); ``--minutes`` and ``--epochs`` count the whole run, resumed parts included. ``sample`` writes float32
images ``(N, H, W, C)`` in [-1, 1] to a ``.npy`` file and a PNG sheet of them beside it (``--out s.png``:
the sheet only); for a toy run (lesson 7, :mod:`ganlib.cli.toy`) it writes the points, float32 ``(N, 2)``, and a
scatter of them over the modes. ``translate`` runs a trained pix2pix generator on an image file (``.png``/``.jpg``) or a
``.npy`` batch and writes the result in the input's size and dtype. ``--data FOLDER`` trains on your own
PNG/JPEG images (:mod:`ganlib.folders`; pairs for pix2pix); the folder and size are part of the run's
settings, so resuming on other data is refused. One ``train`` at a time holds ``--out``: a second one into
the same folder ends at once with one line naming the process that trains there (exit status 2, nothing
written); ``sample`` and ``translate`` read a folder while it trains.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

from ganlib.cli.common import (
    IMAGE_SUFFIXES,
    CLIError,
    hold_out_folder,
    output_file,
    stop_on_signals,
    write_translation,
)
from ganlib.folders import DIRECTIONS

MODELS = ("gan", "dcgan", "pix2pix", "cgan", "cyclegan", "toy")


# ---------------------------------------------------------------------------------------- checks of input
# Every argument is checked here, before any data is loaded or any model is built.

#: Seeds go to ``np.random.seed``, which takes 32-bit values.
MAX_SEED = 2**32 - 1
#: Images generated and written per chunk by ``sample`` (memory stays flat for any --n).
SAMPLE_CHUNK = 1000
#: ``sample``: at most this many images go into the PNG sheet.
SHEET_MOST = 256


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (the usage is one ``--help`` away)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _positive(convert, noun):
    """An argparse type: ``convert`` the text and require a finite value > 0, with a one-line message otherwise."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {noun}, got {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite {noun}, got {text!r}")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a {noun} > 0, got {text!r}")
        return value

    return parse


_positive_float = _positive(float, "number")
_positive_int = _positive(int, "whole number")


def _seed(text):
    """An argparse type: a whole number in 0..MAX_SEED."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected a whole number in 0..{MAX_SEED}, got {text!r}")
    return value


def _free_disk(path: Path) -> int:
    """Free bytes on the disk that holds ``path`` (or its nearest existing folder)."""
    import shutil

    while not path.exists() and path.parent != path:
        path = path.parent
    return shutil.disk_usage(path).free


def _load_generator(run_dir: Path, command: str):
    """Load ``run_dir/generator.keras`` and check that ``command`` can use it (a sampler or a translator)."""
    from ganlib import storage

    path = run_dir / "generator.keras"
    if not path.is_file():
        train = "train pix2pix" if command == "translate" else "train gan"
        raise CLIError(f"no generator.keras in {run_dir}: train one first with `python -m ganlib {train}`")
    generator = storage.load_model(path)
    inputs, outputs = generator.input_shape, generator.output_shape
    from ganlib.cli.toy import is_points_generator  # lesson 7: noise to 2-D points
    from ganlib.sampling import is_conditional  # lesson 4: a conditional generator takes [z, labels]

    if command == "sample" and is_conditional(generator) and len(outputs) == 4:
        return generator
    if is_points_generator(generator):
        if command == "translate":
            raise CLIError(f"{run_dir} holds a toy generator (2-D points), which translates no images: "
                           f"use `python -m ganlib sample {run_dir} --out points.npy`")
        return generator
    if isinstance(inputs, list) or isinstance(outputs, list) or len(outputs) != 4:
        raise CLIError(f"{path} is not a generator (input {inputs}, output {outputs})")
    if command == "sample" and len(inputs) == 4:
        raise CLIError(
            f"{run_dir} holds an image-to-image translator (pix2pix), which needs an input image, not noise: "
            f"use `python -m ganlib translate {run_dir} IMAGE --out OUT`"
        )
    if command == "translate" and len(inputs) == 2:
        raise CLIError(
            f"{run_dir} holds a noise-to-image generator, which translates no images: "
            f"use `python -m ganlib sample {run_dir} --out samples.npy`"
        )
    if len(inputs) not in (2, 4):
        raise CLIError(f"{path} is not a generator (input {inputs}, output {outputs})")
    return generator


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ start-up lines (absl, CUDA probing), which no setting silences, kept
    off the terminal; they are shown if the import fails."""
    if "tensorflow" in sys.modules:
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr is not a real file (captured): nothing to hide
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, fd)
            capture.seek(0)
            sys.stderr.write(capture.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def build_parser() -> argparse.ArgumentParser:
    from ganlib.data import PAIRED_DATASETS, TOY_MIXTURES, UNPAIRED_DATASETS
    from ganlib.losses import FAMILIES

    parser = _Parser(
        prog="python -m ganlib", description="Train GANs, sample from them and translate images."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train a model and save it into --out")
    train.add_argument("model", choices=MODELS, help="which lesson's model to train")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=_positive_float, help="train for this many minutes (default 3)")
    length.add_argument("--epochs", type=_positive_int, help="train for this many passes over the data")
    train.add_argument(
        "--seed", type=_seed, default=0, help="seed of weights, noise and data order (default 0)"
    )
    train.add_argument("--batch-size", type=_positive_int, help="images per step (default: the lesson's)")
    train.add_argument("--out", required=True, type=Path, help="folder for the saved models and history")
    train.add_argument("--fresh", action="store_true", help="ignore a checkpoint in --out and start over")
    train.add_argument(
        "--dataset",
        choices=PAIRED_DATASETS + UNPAIRED_DATASETS + tuple(TOY_MIXTURES),
        help="pix2pix: which paired data (default digits-inpaint); cyclegan: which unpaired data (default "
        "digits-photos); toy: ring or grid (default grid)",
    )
    train.add_argument(
        "--size",
        type=_positive_int,
        help="image side: pix2pix and cyclegan (default: the dataset's); with --data, dcgan 28|32|64 (default 32), "
        "pix2pix 32|64|128|256 (default 64)",
    )
    train.add_argument(
        "--data", type=Path, help="dcgan, pix2pix or cgan (sub-folders as classes): train on your own PNG/JPEG images"
    )
    stabilise = train.add_argument_group(
        "train toy (lesson 7)", "without these, the lesson's recommended recipe; with any, the plain GAN with only "
        "what is named")
    stabilise.add_argument("--loss", choices=FAMILIES, help="the loss family")
    stabilise.add_argument("--penalty", choices=("gp", "r1", "clip"),
                           help="WGAN-GP's gradient penalty (λ 0.1), R1 (γ 0.1) or WGAN's weight clipping (c 0.01, "
                           "with RMSProp)")
    stabilise.add_argument("--penalty-weight", type=_positive_float, help="λ, γ or c of --penalty")
    stabilise.add_argument("--spectral-norm", action="store_true", help="spectral normalisation of every D layer")
    stabilise.add_argument("--minibatch-std", action="store_true",
                           help="the minibatch standard deviation in D (groups of 4)")
    train.add_argument(
        "--distribute",
        action="store_true",
        help="train on every device visible (GPUs, a TPU, TF_CONFIG's machines, GANLIB_CPU_DEVICES) "
        "with tf.distribute; --batch-size is the global batch, split over the replicas",
    )

    sample = commands.add_parser("sample", help="draw digits from a trained generator")
    sample.add_argument("run_dir", type=Path, help="folder written by `train` (holds generator.keras)")
    sample.add_argument("--n", type=_positive_int, default=64, help="how many images (default 64)")
    sample.add_argument("--seed", type=_seed, default=0, help="seed of the noise (default 0)")
    sample.add_argument(
        "--label", type=int, help="conditional runs (train cgan): draw this class (default: sample i is class i mod 10)"
    )
    sample.add_argument("--out", required=True, type=Path, help="output file: .npy (plus a .png sheet beside it) or .png")

    translate = commands.add_parser("translate", help="translate an image or a .npy batch with a pix2pix run")
    translate.add_argument("run_dir", type=Path, help="folder written by `train pix2pix` (holds generator.keras)")
    translate.add_argument("input", type=Path, help="an image file (.png, .jpg) or a .npy batch")
    translate.add_argument("--out", required=True, type=Path, help="output file: an image file or .npy")
    translate.add_argument(
        "--direction", choices=DIRECTIONS, help="CycleGAN runs: translate domain A to B, or B to A"
    )
    return parser


def translate(args) -> None:
    from ganlib import storage
    from ganlib.translate import translate_image

    for name, file in (("INPUT", args.input), ("--out", args.out)):
        if file.suffix.lower() not in (*IMAGE_SUFFIXES, ".npy"):
            raise CLIError(f"{name} must be an image file ({', '.join(IMAGE_SUFFIXES)}) or .npy, got {file}")
    if not args.input.is_file():
        raise CLIError(f"no file {args.input}")
    if args.out.exists() and args.out.resolve() == args.input.resolve():
        raise CLIError(f"--out {args.out} is the input file: choose another name, so that your input is kept")
    output_file("--out", args.out, (*IMAGE_SUFFIXES, ".npy"))
    from ganlib.cli import cyclegan

    if args.direction is not None or cyclegan.is_cyclegan_run(args.run_dir):
        return cyclegan.translate(args)
    generator = _load_generator(args.run_dir, "translate")
    channels = generator.input_shape[-1]
    if args.input.suffix.lower() == ".npy":
        image = storage.load_array(args.input)
        batch = image.ndim == 4 or (image.ndim == 3 and image.shape[-1] != channels and image.shape[-1] not in (3, 4))
        if batch and args.out.suffix.lower() != ".npy":
            raise CLIError(f"{args.input} holds a batch {image.shape}: use an --out ending in .npy")
    else:
        image = args.input
    write_translation(translate_image(generator, image), args.out)


def sample(args) -> None:
    import numpy as np

    from ganlib import _checks, latent, storage

    output_file("--out", args.out, (".npy", ".png"))
    generator = _load_generator(args.run_dir, "sample")
    from ganlib.cli import toy

    points = toy.is_points_generator(generator)
    shape = (args.n, *generator.output_shape[1:])
    needed, free = storage.npy_bytes(shape, np.float32), _free_disk(args.out.parent)
    if args.out.suffix.lower() == ".npy" and needed > free:
        raise CLIError(
            f"--n {args.n} images {shape[1:]} need {_checks.gib(needed)} in {args.out}, "
            f"but its disk has {_checks.gib(free)} free: ask for fewer, or write elsewhere"
        )
    from ganlib.cli.cgan import sample_labels  # lesson 4: --label, and the classes of a conditional run

    labels = sample_labels(args, generator)
    latent_dim = int(generator.input_shape[0][-1]) if labels else latent.latent_dim_of(generator)
    rng = np.random.default_rng(args.seed)

    def chunks(n):  # the same noise stream as latent.noise(latent_dim, n, seed), drawn chunk by chunk
        for start in range(0, n, SAMPLE_CHUNK):
            noise = rng.standard_normal((min(SAMPLE_CHUNK, n - start), latent_dim)).astype(np.float32)
            inputs = noise if labels is None else [noise, labels(start, len(noise))]
            yield np.asarray(generator(inputs, training=False), dtype=np.float32)

    sheet = args.out.with_suffix(".png")
    if points:  # lesson 7: every point in one scatter over the modes of the run's mixture
        mixture = toy.mixture_of_run(args.run_dir)
        if args.out.suffix.lower() == ".npy":
            with stop_on_signals():
                storage.write_npy_in_chunks(args.out, shape, np.float32, chunks(args.n))
        values = np.load(args.out) if args.out.suffix.lower() == ".npy" else np.concatenate(list(chunks(args.n)))
        toy.write_scatter(values, mixture, sheet, title=f"{args.n:,} samples")
        wrote = f"{args.n} points (N, 2) to {args.out}, and " if args.out.suffix.lower() == ".npy" else ""
        print(f"Wrote {wrote}a scatter of them over the {mixture}'s modes to {sheet}")
        return
    if args.out.suffix.lower() == ".png":
        images = np.concatenate(list(chunks(min(args.n, SHEET_MOST))))
        print(f"Wrote {_write_sheet(images, args.n, sheet)}")
        return
    with stop_on_signals():  # SIGTERM too removes the unfinished file
        storage.write_npy_in_chunks(args.out, shape, np.float32, chunks(args.n))
    first = np.load(args.out, mmap_mode="r")[:SHEET_MOST]
    print(f"Wrote {args.n} images {shape[1:]} in [-1, 1] to {args.out}, and {_write_sheet(first, args.n, sheet)}")


def _write_sheet(images, n: int, path) -> str:
    """Save ``images`` (the first of ``n`` samples) as one PNG mosaic, small ones enlarged; say what it holds."""
    from ganlib import viz

    path.write_bytes(viz.to_png(viz.tile(images), scale=max(1, 64 // images.shape[1])))
    return f"a sheet of {'the first ' if len(images) < n else ''}{len(images)} to {path}"


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    hold = None
    try:
        if args.command == "train":
            hold = hold_out_folder(args)  # first: a folder another process trains into is refused at once
        _import_tensorflow_quietly()
        if args.command == "train":
            from ganlib.cli.train import train

            train(args)
        else:
            {"sample": sample, "translate": translate}[args.command](args)
    except (CLIError, ValueError, FileNotFoundError, OSError) as error:
        print(f"ganlib: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nganlib: interrupted", file=sys.stderr)
        return 130
    finally:
        if hold is not None:
            hold.release()
    return 0


def _one_line(error) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__
