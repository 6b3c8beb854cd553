"""``python -m ganlib train …``: build the lesson's model, open its run in ``--out`` and train it (:mod:`ganlib.runs`).

``train cgan`` (lesson 4) builds its model and labelled data in :mod:`ganlib.cli.cgan` and trains it here too.
"""

from __future__ import annotations

import contextlib
import json
import time

from ganlib.cli import GRID_EVERY_N_STEPS, CLIError, _stop_on_signals, _writable_folder


def hold_out_folder(args):
    """Hold ``--out`` for this process (:mod:`ganlib.folder_lock`) before any work, TensorFlow's start included:
    a second ``train`` into the same folder ends here with one line and exit status 2, having written nothing."""
    from ganlib import folder_lock

    if args.out.exists() and not args.out.is_dir():
        raise CLIError(f"--out {args.out} exists and is not a folder")
    _writable_folder("--out", args.out)
    try:
        return folder_lock.hold(args.out / "checkpoints")
    except folder_lock.FolderInUseError as error:
        raise CLIError(
            f"--out {args.out} is being trained into by {error.holder}: wait until it finishes, or give another --out"
        ) from None


def train(args) -> None:
    from ganlib import callbacks, config, data, recipes

    if args.dataset is not None and (args.model not in ("pix2pix", "cyclegan") or args.data is not None):
        raise CLIError("--dataset applies to pix2pix and cyclegan on the course's datasets only (not with --data)")
    if args.model == "pix2pix" and args.dataset not in (None, *data.PAIRED_DATASETS):  # cyclegan's sets
        raise CLIError(f"--dataset {args.dataset} has no pairs: train cyclegan on it, or pix2pix on one of "
                       f"{', '.join(data.PAIRED_DATASETS)}")
    if args.size is not None and args.model not in ("pix2pix", "cyclegan") and args.data is None:
        raise CLIError("--size applies to pix2pix and cyclegan, or to dcgan and cgan with --data")
    args.strategy = _strategy(args, config)  # first: devices are fixed when TensorFlow starts
    config.set_seed(args.seed)
    if args.model == "cgan":  # lesson 4
        from ganlib.cli.cgan import train_cgan

        return train_cgan(args)
    if args.model == "cyclegan":  # lesson 5
        from ganlib.cli.cyclegan import train_cyclegan

        return train_cyclegan(args)
    if args.data is not None:
        return _train_on_folder(args)
    if args.model == "pix2pix":
        return _train_pix2pix(args)
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
    _check_split(batch_size, args.strategy)
    samples = args.out / "samples"
    _fit_and_save(
        args,
        model,
        data.make_pair_dataset(inputs, targets, batch_size, name=dataset, seed=args.seed),
        len(inputs) // batch_size,
        callbacks.GifRecorder(samples / "training.gif", folder=samples, inputs=preview),
        default_minutes=8.0,
        what=f"pix2pix on {dataset} (batch {batch_size}, seed {args.seed})",
        metrics=("d_loss", "g_l1"),
    )


def _run_settings(args) -> dict:
    """What `train`'s result depends on beyond the model itself (which `runs.settings_of` reads)."""
    settings = {"model": args.model, "seed": args.seed}
    if getattr(args, "data", None) is not None:
        settings.update(data=str(args.data.resolve()), size=args.size)
    elif args.model == "pix2pix":
        settings.update(dataset=args.dataset or "digits-inpaint", size=args.size)
    elif args.model == "cyclegan":
        settings.update(dataset=args.dataset or "digits-photos", size=args.size)
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
    with _stop_on_signals(), _progress_line_ended_on_error():
        run = runs.open_run(args.out / "checkpoints", model, dataset, settings=_run_settings(args), fresh=args.fresh)
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
def _progress_line_ended_on_error():
    """End the progress bar's line when training fails, so that the error is printed on a line of its own."""
    try:
        yield
    except Exception:
        print(flush=True)
        raise


