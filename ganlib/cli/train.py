"""``python -m ganlib train …``: build the lesson's model, open its run in ``--out`` and train it (:mod:`ganlib.runs`).

``train cgan`` (lesson 4), ``train cyclegan`` (lesson 5) and ``train toy`` (lesson 7) are :mod:`ganlib.cli.cgan`,
:mod:`ganlib.cli.cyclegan` and :mod:`ganlib.cli.toy`; :func:`train` dispatches to them through :data:`TRAINERS`. What every command
shares (opening, training and saving the run) is :mod:`ganlib.cli.common`.
"""

from __future__ import annotations

import json

from ganlib.cli import cgan, cyclegan, toy
from ganlib.cli.common import GRID_EVERY_N_STEPS, CLIError, check_split, fit_and_save, strategy_for


def train(args) -> None:
    """``python -m ganlib train MODEL …``: check the options that concern every model, then train MODEL."""
    from ganlib import config, data

    if args.dataset is not None and (args.model not in ("pix2pix", "cyclegan", "toy") or args.data is not None):
        raise CLIError("--dataset applies to pix2pix, cyclegan and toy on the course's datasets only (not with --data)")
    if args.model != "toy" and args.dataset in data.TOY_MIXTURES:
        raise CLIError("--dataset ring|grid are lesson 7's toys: `train toy --dataset ring|grid`")
    if args.model == "pix2pix" and args.dataset not in (None, *data.PAIRED_DATASETS):  # cyclegan's sets
        raise CLIError(f"--dataset {args.dataset} has no pairs: train cyclegan on it, or pix2pix on one of "
                       f"{', '.join(data.PAIRED_DATASETS)}")
    if args.model == "toy" and args.dataset not in (None, *data.TOY_MIXTURES):
        raise CLIError(f"train toy trains on --dataset {' or '.join(data.TOY_MIXTURES)}")
    given = [f"--{name.replace('_', '-')}" for name in toy.METHOD_OPTIONS if getattr(args, name, None)]
    if given and args.model != "toy":
        raise CLIError(f"{', '.join(given)} choose lesson 7's stabilisers: they apply to `train toy` only")
    if args.data is not None and args.model == "toy":
        raise CLIError("train toy trains on the 2-D toys (--dataset ring|grid), not on a folder of pictures")
    if args.size is not None and args.model not in ("pix2pix", "cyclegan") and args.data is None:
        raise CLIError("--size applies to pix2pix and cyclegan, or to dcgan and cgan with --data")
    args.strategy = strategy_for(args, config)  # first: devices are fixed when TensorFlow starts
    config.set_seed(args.seed)
    if args.data is not None and args.model in ("gan", "dcgan", "pix2pix"):
        return _train_on_folder(args)
    return TRAINERS[args.model](args)


def _train_mnist(args) -> None:
    """``train gan|dcgan``: lesson 1's or 2's recipe on MNIST digits."""
    from ganlib import callbacks, data, recipes

    recipe, build = recipes.RECIPES[args.model]
    batch_size = args.batch_size or recipe["batch_size"]
    images, _ = data.load_mnist()
    if batch_size > len(images):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(images)} training images")
    check_split(batch_size, args.strategy)
    samples = args.out / "samples"
    fit_and_save(
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

    dataset = args.dataset or "digits-inpaint"
    hp = recipes.settings(recipes.PIX2PIX, **recipes.PIX2PIX_DATASETS[dataset])
    batch_size = args.batch_size or hp["batch_size"]
    try:  # the few validation pairs first: a bad --size fails in seconds, before the training data is made
        preview, _ = data.load_pairs(dataset, "validation", size=args.size, n=8, verbose=False)
    except data.DownloadError as error:
        raise CLIError(f"{error} (the offline datasets are digits-inpaint and photos-colorize)") from None
    except ValueError as error:
        raise CLIError(f"--size {args.size} does not fit {dataset}: {error}") from None
    try:
        model = recipes.build_pix2pix(
            dataset, image_shape=preview.shape[1:], seed=args.seed, strategy=args.strategy
        )
    except ValueError as error:
        raise CLIError(f"--size {preview.shape[1]} does not fit the pix2pix networks: {error}") from None
    try:
        inputs, targets = data.load_pairs(dataset, "train", size=args.size, seed=args.seed)
    except data.DownloadError as error:
        raise CLIError(f"{error} (the offline datasets are digits-inpaint and photos-colorize)") from None
    if batch_size > len(inputs):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(inputs)} training pairs")
    check_split(batch_size, args.strategy)
    samples = args.out / "samples"
    fit_and_save(
        args,
        model,
        data.make_pair_dataset(inputs, targets, batch_size, name=dataset, seed=args.seed),
        len(inputs) // batch_size,
        callbacks.GifRecorder(samples / "training.gif", folder=samples, inputs=preview),
        default_minutes=8.0,
        what=f"pix2pix on {dataset} (batch {batch_size}, seed {args.seed})",
        metrics=("d_loss", "g_l1"),
    )


def _train_on_folder(args) -> None:
    """``train dcgan|pix2pix --data FOLDER``: your own images (:mod:`ganlib.folders`), the lessons' recipes."""
    from ganlib import callbacks, data, folders, recipes, storage

    if args.model == "gan":
        raise CLIError("--data trains dcgan or pix2pix (gan is lesson 1's model for MNIST digits)")
    size = args.size or (32 if args.model == "dcgan" else 64)
    record = {"model": args.model, "data": str(args.data.resolve()), "size": size}
    previous = args.out / "data.json"
    from ganlib.folder_lock import LOCK_FILE

    saved = args.out / "checkpoints"  # this command holds it already: its lock file is in it
    if not args.fresh and saved.is_dir() and any(p.name != LOCK_FILE for p in saved.iterdir()):
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
    check_split(batch_size, args.strategy)
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
    fit_and_save(
        args,
        model,
        dataset,
        len(pairs[0]) // batch_size,
        grid,
        default_minutes=3.0 if args.model == "dcgan" else 8.0,
        what=f"{args.model} on {args.data} ({len(pairs[0])} at {size} px, batch {batch_size}, seed {args.seed})",
        metrics=("d_loss", "g_loss") if args.model == "dcgan" else ("d_loss", "g_l1"),
    )


#: ``train MODEL``: the function that builds, trains and saves each model.
TRAINERS = {
    "gan": _train_mnist,
    "dcgan": _train_mnist,
    "pix2pix": _train_pix2pix,
    "cgan": cgan.train_cgan,
    "cyclegan": cyclegan.train_cyclegan,
    "toy": toy.train_toy,
}
