"""The command line's conditional GAN: ``train cgan`` and what ``sample --label`` needs.

    python -m ganlib train cgan --minutes 5 --out runs/c           # lesson 4's model on MNIST digits
    python -m ganlib sample runs/c --n 500 --label 7 --out sevens.npy
    python -m ganlib train cgan --data my_pictures --size 32 --out runs/mine   # sub-folders are the classes

Training has ``train dcgan``'s outputs, options and resuming (:func:`ganlib.cli.train.fit_and_save`, which
opens the run with :mod:`ganlib.runs`); the sample grids show one class per column. ``--data`` needs one sub-folder per class; the class names, in label order,
go to ``classes.json`` in ``--out``.
"""

from __future__ import annotations

import numpy as np

CLASSES_FILE = "classes.json"


def train_cgan(args) -> None:
    """``train cgan``: lesson 4's :func:`ganlib.recipes.build_cgan` on MNIST digits or on ``--data``."""
    from ganlib import callbacks, data, folders, latent, recipes, storage
    from ganlib.cli.common import CLIError, check_split, fit_and_save

    if args.data is not None:
        size = args.size or 32
        images, labels, names = folders.load_image_folder(args.data, size)
        if labels is None or len(names) < 2:
            raise CLIError(
                f"train cgan --data needs one sub-folder per class in {args.data} (e.g. cats/ and dogs/): "
                "the sub-folders' names are the labels"
            )
        where = f"{args.data} ({len(images)} at {size} px, {len(names)} classes)"
    else:
        images, labels = data.load_mnist()
        names = tuple(str(k) for k in range(10))
        where = "MNIST digits"
    batch_size = args.batch_size or min(recipes.CGAN["batch_size"], len(images))
    if batch_size > len(images):
        raise CLIError(f"--batch-size {batch_size} is larger than the {len(images)} training images")
    check_split(batch_size, args.strategy)
    model = recipes.build_cgan(
        seed=args.seed, image_shape=images.shape[1:] if images.ndim == 4 else (*images.shape[1:], 1),
        strategy=args.strategy, num_classes=len(names),
    )
    storage.save_json_atomically({"class_names": list(names)}, args.out / CLASSES_FILE)
    samples = args.out / "samples"
    rows = max(1, min(len(names), 10))  # a square grid: one class per column, one noise vector per row
    noise = np.repeat(latent.noise(model.latent_dim, rows, args.seed), len(names), axis=0)
    grid = callbacks.GifRecorder(samples / "training.gif", folder=samples, n=len(noise), inputs=noise)
    fit_and_save(
        args,
        model,
        data.make_labelled_dataset(images, labels, batch_size, seed=args.seed),
        len(images) // batch_size,
        grid,
        default_minutes=3.0,
        what=f"the conditional GAN on {where} (batch {batch_size}, seed {args.seed})",
    )


def sample_labels(args, generator):
    """The labels ``sample`` asks for: a function ``(start, n) -> labels`` (``--label K``, or ``i mod
    classes``), or ``None`` for an unconditional generator; a one-line error for ``--label`` on one."""
    from ganlib import sampling
    from ganlib.cli.common import CLIError

    if not sampling.is_conditional(generator):
        if args.label is not None:
            raise CLIError(
                f"--label needs a conditional run (`python -m ganlib train cgan`); {args.run_dir} holds an "
                "unconditional generator: leave out --label"
            )
        return None
    classes = sampling.num_classes_of(generator)
    if args.label is not None and not 0 <= args.label < classes:
        raise CLIError(f"--label {args.label} is not a class of {args.run_dir}: use 0..{classes - 1}")
    if args.label is not None:
        return lambda start, n: np.full(n, args.label, np.int32)
    return lambda start, n: ((start + np.arange(n)) % classes).astype(np.int32)
