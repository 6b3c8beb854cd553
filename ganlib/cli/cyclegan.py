"""The command line's CycleGAN commands (lesson 5), called by :mod:`ganlib.cli` and :mod:`ganlib.cli.train`::

    python -m ganlib train cyclegan [--dataset digits-photos|horse2zebra|summer2winter_yosemite|monet2photo] --out DIR
    python -m ganlib translate DIR INPUT --direction a2b|b2a --out OUTPUT

``train cyclegan`` writes what the other models' runs write (``generator.keras`` is the pair of generators,
``discriminator.keras`` the pair of discriminators, ``checkpoints/``, ``samples/``, ``history.json``) plus each
direction alone, ``generator_a2b.keras`` and ``generator_b2a.keras``. ``translate --direction`` reads an image
file (``.png``/``.jpg``, any size from a quarter of the training size up) or a ``.npy`` batch and writes the
result in the input's size and dtype; a one-channel input (a grey digit) is taken as grey RGB, and its B → A
translation is written back as one channel, so it keeps the input's shape too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlib.cli.common import CLIError, write_translation


def is_cyclegan_run(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a CycleGAN run (one of its single-direction generators)."""
    return any((Path(run_dir) / f"generator_{d}.keras").is_file() for d in ("a2b", "b2a"))


def train_cyclegan(args) -> None:
    """``train cyclegan``: the lesson-5 recipe (:func:`ganlib.recipes.build_cyclegan`) on ``--dataset``,
    opened and trained as a run (:mod:`ganlib.runs`) like the other models."""
    from ganlib import callbacks, data, recipes
    from ganlib.cli.common import check_split, fit_and_save
    from ganlib.data import unpaired

    if args.data is not None:
        raise CLIError("--data trains dcgan or pix2pix; cyclegan trains on --dataset")
    name = args.dataset or unpaired.DIGITS
    if name not in unpaired.UNPAIRED_DATASETS:
        raise CLIError(f"--dataset {name} is not an unpaired dataset: use one of {', '.join(unpaired.UNPAIRED_DATASETS)}")
    hp = {**recipes.CYCLEGAN, **recipes.CYCLEGAN_DATASETS[name]}
    batch_size = args.batch_size or hp.pop("batch_size")
    hp.pop("batch_size", None)
    offline = f"(the offline dataset is {unpaired.DIGITS})"
    try:  # the few validation pictures first: a bad --size fails in seconds
        preview_a, preview_b = unpaired.load_unpaired(name, "validation", size=args.size, n=4, verbose=False)
    except data.DownloadError as error:
        raise CLIError(f"{error} {offline}") from None
    except ValueError as error:
        raise CLIError(f"--size {args.size} does not fit {name}: {error}") from None
    count = min(len(preview_a), len(preview_b))
    try:
        model = recipes.build_cyclegan(preview_a.shape[1:], seed=args.seed, strategy=args.strategy, **hp)
    except ValueError as error:
        raise CLIError(f"--size {preview_a.shape[1]} does not fit the CycleGAN networks: {error}") from None
    try:
        images_a, images_b = unpaired.load_unpaired(name, "train", size=args.size, seed=args.seed)
    except data.DownloadError as error:
        raise CLIError(f"{error} {offline}") from None
    smaller = min(len(images_a), len(images_b))
    if batch_size > smaller:
        raise CLIError(f"--batch-size {batch_size} is larger than the smaller domain ({smaller} pictures)")
    check_split(batch_size, args.strategy)
    samples = args.out / "samples"
    grid = callbacks.GifRecorder(
        samples / "training.gif", folder=samples, inputs=np.stack([preview_a[:count], preview_b[:count]])
    )
    fit_and_save(
        args,
        model,
        unpaired.make_unpaired_dataset(images_a, images_b, batch_size, seed=args.seed, mirror=name != unpaired.DIGITS),
        smaller // batch_size,
        grid,
        default_minutes=8.0,
        what=f"CycleGAN on {name} (batch {batch_size}, seed {args.seed})",
        metrics=("d_loss", "g_cycle"),
    )


def _one_channel_as_rgb(image: np.ndarray, is_batch: bool) -> tuple[np.ndarray, bool]:
    """A grey image or batch (no channel axis, or one channel) repeated into RGB; and whether it was grey."""
    if image.ndim == (3 if is_batch else 2):
        image = image[..., None]
    if image.shape[-1] == 1:
        return np.repeat(image, 3, axis=-1), True
    return image, False


def translate(args) -> None:
    """``translate RUN INPUT --direction a2b|b2a --out OUTPUT`` with a CycleGAN run."""
    from ganlib import storage
    from ganlib.training import cyclegan
    from ganlib.translate import translate_image

    if args.direction is None:
        raise CLIError(f"{args.run_dir} holds a CycleGAN: say which way with --direction a2b or --direction b2a")
    if not is_cyclegan_run(args.run_dir) and not (args.run_dir / "generator.keras").is_file():
        raise CLIError(f"no CycleGAN in {args.run_dir}: train one first with `python -m ganlib train cyclegan`")
    try:
        generator = cyclegan.load_translator(args.run_dir, args.direction)
    except ValueError:
        raise CLIError(
            f"--direction applies to CycleGAN runs; {args.run_dir} holds another model: leave --direction out"
        ) from None
    if args.input.suffix.lower() == ".npy":
        image = storage.load_array(args.input)
        is_batch = image.ndim == 4 or (image.ndim == 3 and image.shape[-1] not in (1, 3, 4))
        if is_batch and args.out.suffix.lower() != ".npy":
            raise CLIError(f"{args.input} holds a batch {image.shape}: use an --out ending in .npy")
    else:
        from PIL import Image

        try:
            with Image.open(args.input) as opened:
                image = np.asarray(opened.convert("L" if opened.mode in ("L", "LA", "1", "I", "I;16") else "RGB"))
        except (OSError, ValueError, SyntaxError) as error:
            raise CLIError(f"cannot read {args.input} as an image: {error}") from None
        is_batch = False
    received_shape = image.shape
    image, grey = _one_channel_as_rgb(np.asarray(image), is_batch)
    result = translate_image(generator, image)
    if grey and args.direction == "b2a":  # domain A is grey: give it back in the input's own layout
        result = result.mean(axis=-1, keepdims=True, dtype=np.float32)
        result = np.rint(result).astype(np.uint8) if image.dtype == np.uint8 else result.astype(image.dtype)
        result = result.reshape(received_shape)
    write_translation(result, args.out)
