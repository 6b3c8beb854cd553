"""Benchmark: lesson 4's conditional GAN against the keras-io conditional GAN recipe and lesson 2's DCGAN.

Every arm trains on the offline (bundled) MNIST digits with their labels for the same wall time (or, with
``--steps``, the same number of steps); then 200 samples per requested class are scored by the course's
judge: conditional accuracy (the judge agrees with the requested class), the overall FID of the 2,000 samples
and each class's FID (200 samples against the real digits of that class). Lesson 2's unconditional DCGAN is
asked for nothing: its 2,000 samples are grouped by the judge's predicted class for the per-class FIDs.

    python benchmarks/cgan_quality.py [--seconds 300 | --steps 1000] [--seed 0] [--arms default keras-io dcgan]

Arms: ``default`` (lesson 4: projection D), ``concat`` and ``acgan`` (the same players with the other two
ways of giving D the label), ``keras-io`` (the reference), ``dcgan`` (lesson 2, unconditional).
This prints figures (a JSON line per arm, then a table); it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ganlib import callbacks, data, metrics, recipes, training  # noqa: E402


def keras_io_reference(seed: int) -> training.ConditionalGAN:
    """keras-io's "Conditional GAN" example (Sayak Paul, 2021): the one-hot label joins z (G) and the image as
    10 channels (D); D: Conv 64 → Conv 128 (3×3, stride 2, LeakyReLU 0.2) → global max pool → Dense(1);
    G: Dense(7·7·138) → two Conv2DTranspose(128, 4×4, stride 2, LeakyReLU 0.2) → Conv2D(1, 7×7, sigmoid);
    latent 128, Adam(3e-4) for both, non-saturating cross-entropy, batch 64. The sigmoid output is mapped
    to [-1, 1] (``2x − 1``), the range of the course's data; the recipe scales its data to [0, 1] instead."""
    keras.utils.set_random_seed(seed)
    latent_dim, classes = 128, 10
    layers = keras.layers
    z, label = keras.Input((latent_dim,), name="z"), keras.Input((), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(classes, output_mode="one_hot")(label)
    x = layers.Concatenate()([z, one_hot])
    x = layers.LeakyReLU(0.2)(layers.Dense(7 * 7 * (latent_dim + classes))(x))
    x = layers.Reshape((7, 7, latent_dim + classes))(x)
    x = layers.LeakyReLU(0.2)(layers.Conv2DTranspose(128, 4, strides=2, padding="same")(x))
    x = layers.LeakyReLU(0.2)(layers.Conv2DTranspose(128, 4, strides=2, padding="same")(x))
    x = layers.Conv2D(1, 7, padding="same", activation="sigmoid")(x)
    generator = keras.Model([z, label], layers.Rescaling(2.0, offset=-1.0)(x), name="generator")

    image, d_label = keras.Input((28, 28, 1), name="images"), keras.Input((), dtype="int32", name="label")
    maps = layers.Reshape((28, 28, classes))(layers.RepeatVector(28 * 28)(
        layers.CategoryEncoding(classes, output_mode="one_hot")(d_label)))
    x = layers.Concatenate()([image, maps])
    x = layers.LeakyReLU(0.2)(layers.Conv2D(64, 3, strides=2, padding="same")(x))
    x = layers.LeakyReLU(0.2)(layers.Conv2D(128, 3, strides=2, padding="same")(x))
    logits = layers.Dense(1)(layers.GlobalMaxPooling2D()(x))
    discriminator = keras.Model([image, d_label], logits, name="discriminator")
    gan = training.ConditionalGAN(generator, discriminator, classes, seed=seed)
    gan.compile(keras.optimizers.Adam(3e-4), keras.optimizers.Adam(3e-4), loss="non_saturating")
    return gan


ARMS = {
    "default": (lambda seed: recipes.build_cgan(seed=seed), recipes.CGAN["batch_size"]),
    "concat": (lambda seed: recipes.build_cgan(seed=seed, form="concat"), recipes.CGAN["batch_size"]),
    "acgan": (lambda seed: recipes.build_cgan(seed=seed, form="acgan"), recipes.CGAN["batch_size"]),
    "keras-io": (keras_io_reference, 64),
    "dcgan": (lambda seed: recipes.build_dcgan(seed=seed), recipes.DCGAN["batch_size"]),
}


def train(gan, images, labels, batch_size, seed, seconds=None, steps=None):
    """Train for ``seconds`` of wall time or ``steps`` steps; return (steps, seconds)."""
    dataset = data.make_labelled_dataset(images, labels, batch_size, seed=seed).repeat()
    budget = [callbacks.TimeBudget(seconds)] if seconds else []
    start = time.perf_counter()
    gan.fit(dataset, epochs=1, steps_per_epoch=steps or 10**9, verbose=0, callbacks=budget)
    return gan.step, time.perf_counter() - start


def score(name, gan, judge, images, labels, n_per_class, seed):
    if name == "dcgan":
        return metrics.evaluate_unconditional_by_class(
            gan.sampler, judge, images, labels, n=10 * n_per_class, seed=seed)
    return metrics.evaluate_conditional(gan.sampler, judge, images, labels, n_per_class, seed=seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--seconds", type=float, default=None)
    length.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-per-class", type=int, default=200)
    parser.add_argument("--arms", nargs="+", default=["default", "keras-io", "dcgan"], choices=sorted(ARMS))
    parser.add_argument("--save", help="folder: save each arm's generator as <arm>.keras there")
    args = parser.parse_args()
    seconds = args.seconds if args.steps else (args.seconds or 300.0)

    print(f"# lesson 4 conditional GAN benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"load {os.getloadavg()}")
    images, labels = data.load_mnist()
    judge = metrics.load_judge(images, labels)
    rows = []
    for name in args.arms:
        build, batch_size = ARMS[name]
        gan = build(args.seed)
        steps, elapsed = train(gan, images, labels, batch_size, args.seed, seconds=seconds, steps=args.steps)
        result = score(name, gan, judge, images, labels, args.n_per_class, args.seed)
        result.update(arm=name, steps=steps, seconds=round(elapsed, 1), load=os.getloadavg())
        if args.save:
            os.makedirs(args.save, exist_ok=True)
            gan.sampler.save(os.path.join(args.save, f"{name}.keras"))
        print(json.dumps({k: (np.round(v, 4).tolist() if isinstance(v, list) else v) for k, v in result.items()}),
              flush=True)
        rows.append(result)
    print("\n| arm | steps | s | judge agrees | FID | worst class FID (class) | per-class FID |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        per = np.asarray(r["per_class_fid"])
        accuracy = f"{r['accuracy']:.1%}" if "accuracy" in r else "—"
        print(f"| {r['arm']} | {r['steps']} | {r['seconds']:.0f} | {accuracy} | {r['fid']:.1f} | "
              f"{np.nanmax(per):.1f} ({int(np.nanargmax(per))}) | {' '.join(f'{v:.0f}' for v in per)} |")


if __name__ == "__main__":
    main()
