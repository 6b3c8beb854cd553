"""Benchmark: lesson 3's pix2pix on digit inpainting and photo colourisation, offline, lesson defaults.

1. **Honest digit measurement.** Scores are taken on held-out digits that neither the translator nor the
   judge ever saw: the judge trains on the translator's training digits only (``data.digits_of_pairs
   ("train")``), and the 2,000 validation digits (offline: a fixed held-out part of the 5,000 bundled
   digits; online: MNIST's test split, other writers) get one 14-px hole each, placed on the 28×28 digit
   (``data.DIGIT_AREA``), never on the empty border of the 32×32 frame. Trains the default recipe
   (``recipes.build_pix2pix("digits-inpaint")`` with ``data.make_pair_dataset``'s default augmentation)
   with L1 + GAN and with L1 alone — and with ``--compare`` the same with ``data.WRITER_DISTORTION`` (rotation,
   scale and shear of the training digits as well as the default 2-px shift) — for ``--steps`` steps each (equal steps: the machine may be shared) or
   ``--minutes``; reports judge accuracy, FID against the training digits, L1, PSNR and SSIM for the holed
   input, each model and the intact digits, and the information ceiling: a judge-architecture classifier
   trained on holed training digits, tested on the holed validation digits.
2. **What the old figures measured.** Scores one L1 + GAN generator under the old measurement (a judge
   trained on all the bundled digits, the scored ones included; holes anywhere on the 32×32 frame), each
   weak point fixed in turn, and through ``translate`` on 28×28 arrays (padded into the 32×32 frame, as the CLI does).
3. Trains the colouriser (with ``--compare`` also one without its chroma cap and with the full adversarial
   weight) for ``--color-minutes`` and reports PSNR/SSIM against the grey copy on crops of a
   photograph it never saw (``chelsea``), and the lightness kept (PSNR of the output's lightness).
4. Times a training step of the TensorFlow tutorial's 256-pixel pix2pix (batch 1) and of the lesson's
   model (batch 64), and prints the ratio.

Every model is scored through ``model.sampler``: the exponential moving average of its generator when the
recipe keeps one (``ema_decay``), which is what ``train`` saves and ``translate`` uses.

It writes a PNG sheet of validation translations (``--sheet``) and prints Markdown tables; it asserts
nothing. Other work on the machine skews the timings (steps/s are printed).

    python benchmarks/pix2pix_quality.py [--steps 3000 | --minutes 8] [--compare] [--color-minutes 2.5]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")



def train(model, dataset, seconds: float | None = None, steps: int | None = None) -> tuple[int, float]:
    """Train for ``steps`` steps, or for ``seconds``; return (steps, seconds)."""
    from ganlib import callbacks

    start = time.perf_counter()
    if steps:
        model.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0)
    else:
        model.fit(dataset, epochs=10**6, verbose=0, callbacks=[callbacks.TimeBudget(seconds)])
    return int(model.g_optimizer.iterations.numpy()), time.perf_counter() - start


def honest_digits(seed: int = 0) -> dict:
    """The honest digit test: held-out digits with holes on the digit, and a judge that never saw them."""
    from ganlib import data, metrics

    train_digits, train_labels = data.digits_of_pairs("train")
    _, train_targets = data.load_pairs("digits-inpaint", "train", seed=seed, verbose=False)
    val_inputs, val_targets = data.load_pairs("digits-inpaint", "validation", n=2000, seed=seed)
    return {
        "judge": metrics.load_judge(train_digits, train_labels),
        "train_targets": train_targets,
        "train_labels": train_labels,
        "val_inputs": val_inputs,
        "val_targets": val_targets,
        "val_labels": data.labels_of_pairs("validation", n=2000),
    }


def holed_judge_accuracy(train_targets, train_labels, val_inputs, val_labels, seed: int) -> float:
    """Accuracy on the holed validation digits of a judge-architecture classifier trained on the training
    digits with the same kind of holes (14 px on the 28×28 digit, 8 holed copies of each): the information
    ceiling of any restoration scored by a judge."""
    import keras
    import numpy as np

    from ganlib import data, metrics

    holed = np.concatenate([
        data.corrupt_digits(train_targets, data.VALIDATION_HOLE, seed=seed + 100 + s, within=data.DIGIT_AREA)
        for s in range(8)
    ])
    model = metrics.build_judge(seed=seed)
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(metrics.unpad_digits(holed), np.tile(train_labels, 8), epochs=6, batch_size=128, verbose=0)
    return float(model.evaluate(metrics.unpad_digits(val_inputs), val_labels, verbose=0)[1])


def measurement_variants(generator, honest: dict, seed: int = 0) -> dict:
    """Scores of the holed input and of ``generator`` under the old measurement and each fix in turn."""
    import numpy as np

    from ganlib import data, metrics, translate

    old_judge = metrics.load_judge(verbose=False)  # all 5,000 bundled digits: the scored ones included
    frame_inputs = data.corrupt_digits(honest["val_targets"], data.VALIDATION_HOLE, seed=seed)  # old holes
    labels, reference = honest["val_labels"], honest["train_targets"]
    variants = {
        "old: judge saw the scored digits, holes anywhere on 32×32": (old_judge, frame_inputs),
        "judge trained on other digits, holes anywhere on 32×32": (honest["judge"], frame_inputs),
        "judge saw the scored digits, holes on the 28×28 digit": (old_judge, honest["val_inputs"]),
        "honest: judge trained on other digits, holes on the 28×28 digit": (honest["judge"], honest["val_inputs"]),
    }
    rows = {}
    for name, (judge, inputs) in variants.items():
        rows[name] = {
            "input": metrics.restoration_scores(judge, inputs, labels, reference),
            "restored": metrics.restoration_scores(judge, metrics.translate_batches(generator, inputs), labels, reference),
        }
    small = data.scale_to_uint8(metrics.unpad_digits(honest["val_inputs"]))[..., 0]  # (N, 28, 28) uint8
    through_cli = np.asarray(translate.translate_image(generator, small)).reshape(small.shape)
    rows["honest, through translate on 28×28 arrays (padded into the 32×32 frame, as the CLI does)"] = {
        "input": rows["honest: judge trained on other digits, holes on the 28×28 digit"]["input"],
        "restored": metrics.restoration_scores(honest["judge"], through_cli, labels, reference),
    }
    return rows


def tutorial_pix2pix():
    """The TensorFlow pix2pix tutorial's generator (U-Net, 256×256×3, 8 downsamplings, 64…512 filters) and
    70×70 PatchGAN discriminator, as a ganlib Pix2Pix with Adam 2e-4 and λ = 100."""
    import keras
    import tensorflow as tf

    from ganlib import training

    init = keras.initializers.RandomNormal(0.0, 0.02, seed=0)

    def down(filters, batch_norm=True):
        block = keras.Sequential([keras.layers.Conv2D(filters, 4, 2, "same", kernel_initializer=init, use_bias=False)])
        if batch_norm:
            block.add(keras.layers.BatchNormalization())
        block.add(keras.layers.LeakyReLU())
        return block

    def up(filters, dropout=False):
        block = keras.Sequential(
            [keras.layers.Conv2DTranspose(filters, 4, 2, "same", kernel_initializer=init, use_bias=False)]
        )
        block.add(keras.layers.BatchNormalization())
        if dropout:
            block.add(keras.layers.Dropout(0.5))
        block.add(keras.layers.ReLU())
        return block

    inputs = keras.Input((256, 256, 3))
    downs = [down(64, False), down(128), down(256), down(512), down(512), down(512), down(512), down(512)]
    ups = [up(512, True), up(512, True), up(512, True), up(512), up(256), up(128), up(64)]
    x, skips = inputs, []
    for block in downs:
        x = block(x)
        skips.append(x)
    for block, skip in zip(ups, reversed(skips[:-1]), strict=True):
        x = keras.layers.Concatenate()([block(x), skip])
    outputs = keras.layers.Conv2DTranspose(3, 4, 2, "same", kernel_initializer=init, activation="tanh")(x)
    generator = keras.Model(inputs, outputs)

    inp, tar = keras.Input((256, 256, 3)), keras.Input((256, 256, 3))
    x = keras.layers.Concatenate()([inp, tar])
    x = down(128)(down(64, False)(x))
    x = down(256)(x)
    x = keras.layers.ZeroPadding2D()(x)
    x = keras.layers.Conv2D(512, 4, 1, kernel_initializer=init, use_bias=False)(x)
    x = keras.layers.LeakyReLU()(keras.layers.BatchNormalization()(x))
    x = keras.layers.ZeroPadding2D()(x)
    discriminator = keras.Model([inp, tar], keras.layers.Conv2D(1, 4, 1, kernel_initializer=init)(x))
    model = training.Pix2Pix(generator, discriminator, l1_weight=100.0)
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    pair = tf.random.uniform((1, 256, 256, 3), -1, 1)
    return model, tf.data.Dataset.from_tensors((pair, pair))


def step_seconds(model, dataset, steps: int) -> float:
    """Seconds per training step, after two warm-up steps (tracing)."""
    model.fit(dataset.repeat(2), verbose=0)
    start = time.perf_counter()
    model.fit(dataset.repeat(steps), verbose=0)
    return (time.perf_counter() - start) / steps


def digit_table(results: dict, runs: dict, names) -> None:
    print("| | steps | steps/s | judge accuracy ↑ | FID ↓ | L1 ↓ | PSNR dB ↑ | SSIM ↑ |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        r, run = results[name], runs.get(name, {})
        speed = f"{run['steps'] / run['seconds']:.1f}" if run else ""
        print(f"| {name} | {run.get('steps', '')} | {speed} | {r['accuracy']:.3f} | {r['fid']:.2f} | {r['l1']:.4f} "
              f"| {r['psnr']:.2f} | {r['ssim']:.3f} |")


def colorize(args, **overrides) -> dict:
    """Train the default colouriser (or one with ``overrides``, e.g. ``max_chroma=1.0, gan_weight=1.0``: no
    cap, full adversarial weight); score it and the grey copy on crops of a photograph it never saw."""
    import numpy as np

    from ganlib import data, metrics, recipes

    color_train = data.load_pairs("photos-colorize", "train", size=64, n=2000, seed=args.seed)
    val_grey, val_colour = data.load_pairs("photos-colorize", "validation", size=64, n=200, seed=args.seed)
    colorizer = recipes.build_pix2pix("photos-colorize", seed=args.seed, **overrides)
    batch = recipes.PIX2PIX_DATASETS["photos-colorize"]["batch_size"]
    dataset = data.make_pair_dataset(*color_train, batch, name="photos-colorize", seed=args.seed)
    steps, seconds = train(colorizer, dataset, 60 * args.color_minutes, args.color_steps)
    grey = data.lab_to_rgb(np.concatenate([val_grey, np.zeros_like(val_colour[..., :2])], axis=-1))
    coloured = metrics.translate_batches(colorizer.sampler, val_grey)

    def per_crop(outputs):
        return np.array([metrics.psnr(val_colour[i : i + 1], outputs[i : i + 1]) for i in range(len(outputs))])

    gap = per_crop(coloured) - per_crop(grey)
    chroma = {name: float(np.abs(data.rgb_to_lab(x)[..., 1:]).mean() * data.LAB_AB_SCALE)
              for name, x in (("grey copy", grey), ("colouriser", coloured), ("original", val_colour))}
    rows = {name: {**metrics.translation_scores(val_colour, x), "chroma": chroma[name],
                   "lightness_psnr": metrics.psnr(val_grey, data.rgb_to_lab(x)[..., :1])}
            for name, x in (("grey copy", grey), ("colouriser", coloured))}
    what = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"
    print(f"\n### photos-colorize ({what}): 200 crops (64×64) of `chelsea`, never trained on; "
          f"{steps} steps in {seconds:.0f} s\n")
    print("| | PSNR dB ↑ | SSIM ↑ | L1 ↓ | lightness PSNR dB ↑ | mean chroma |a|,|b| |\n|---|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['psnr']:.2f} | {r['ssim']:.3f} | {r['l1']:.4f} | {r['lightness_psnr']:.1f} | {r['chroma']:.1f} |")
    print(f"| original | | | | | {chroma['original']:.1f} |")
    print(f"Per crop, colouriser minus grey copy: median {np.median(gap):+.2f} dB, worst {gap.min():+.2f} dB, "
          f"best {gap.max():+.2f} dB; {np.mean(gap < -1):.1%} of crops more than 1 dB below the grey copy.")
    return {"rows": rows, "steps": steps, "seconds": seconds, "gap_worst": float(gap.min()),
            "gap_median": float(np.median(gap)), "grey": grey, "coloured": coloured, "original": val_colour}


def colour_sheet(colour: dict):
    """Six crops of :func:`colorize`'s result as a uint8 sheet; rows: grey copy, colourised, original."""
    import numpy as np

    from ganlib import viz

    return viz.tile(np.concatenate([colour[k][:6] for k in ("grey", "coloured", "original")]), ncols=6, padding=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=8.0, help="training time of each digit model")
    parser.add_argument("--steps", type=int, default=None, help="train each digit model this many steps instead")
    parser.add_argument("--compare", action="store_true",
                        help="also train the alternatives: digits with data.WRITER_DISTORTION, the colouriser without its cap")
    parser.add_argument("--color-minutes", type=float, default=2.5, help="training time of the colouriser")
    parser.add_argument("--color-steps", type=int, default=None, help="colouriser steps instead of minutes")
    parser.add_argument("--tutorial-steps", type=int, default=5, help="timed steps of the tutorial's model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", default="benchmarks/pix2pix_sheet.png", help="PNG sheet of translations")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--color-only", action="store_true",
                        help="train and score the colouriser only; its sheet goes to --color-sheet")
    parser.add_argument("--color-sheet", default="benchmarks/colorize_sheet.png",
                        help="with --color-only: PNG sheet of grey copies, colourised crops and originals")
    args = parser.parse_args()

    import numpy as np
    from PIL import Image

    from ganlib import config, data, metrics, recipes, viz

    started = time.perf_counter()
    config.set_seed(args.seed)
    print(config.describe_devices())
    if args.color_only:
        colour = colorize(args)
        Image.fromarray(colour_sheet(colour)).save(args.color_sheet)
        print(f"\nSheet: {args.color_sheet} (rows: grey copy, colourised, original)")
        return
    honest = honest_digits(args.seed)
    val_inputs, val_targets, val_labels = honest["val_inputs"], honest["val_targets"], honest["val_labels"]
    train_inputs, train_targets = data.load_pairs("digits-inpaint", "train", seed=args.seed, verbose=False)
    hp = recipes.PIX2PIX
    arms = [("L1 + GAN", {}, None), ("L1 only", {"gan_weight": 0.0}, None)]
    if args.compare:
        arms += [("L1 + GAN, writer distortion", {}, data.WRITER_DISTORTION),
                 ("L1 only, writer distortion", {"gan_weight": 0.0}, data.WRITER_DISTORTION)]
    results, runs, generators = {}, {}, {}
    for name, overrides, distortion in arms:
        dataset = data.make_pair_dataset(train_inputs, train_targets, hp["batch_size"], name="digits-inpaint",
                                         seed=args.seed, distortion=distortion)
        model = recipes.build_pix2pix("digits-inpaint", seed=args.seed, **overrides)
        steps, seconds = train(model, dataset, 60 * args.minutes, args.steps)
        runs[name] = {"steps": steps, "seconds": seconds}
        generators[name] = model.sampler
        print(f"{name}: {steps} steps in {seconds:.0f} s ({steps / seconds:.1f} steps/s)", flush=True)
        if name == "L1 + GAN":
            lesson_model, lesson_dataset = model, dataset

    for name, images in (("holed input", val_inputs), ("intact", val_targets)):
        results[name] = {
            **metrics.restoration_scores(honest["judge"], images, val_labels, train_targets),
            **metrics.translation_scores(val_targets, images),
        }
    for name, generator in generators.items():
        results[name] = metrics.evaluate_translator(
            generator, val_inputs, val_targets, honest["judge"], val_labels, train_targets
        )
    ceiling = holed_judge_accuracy(train_targets, honest["train_labels"], val_inputs, val_labels, args.seed)

    print("\n### digits-inpaint, honest: 2,000 held-out digits, one 14-px hole each on the 28×28 digit; "
          "judge trained on other digits\n")
    digit_table(results, runs, ["holed input", *generators, "intact"])
    print(f"\nInformation ceiling: a judge-architecture classifier trained on holed training digits reads the "
          f"holed held-out digits with accuracy {ceiling:.3f}.")
    fid_ratio = results["L1 + GAN"]["fid"] / results["holed input"]["fid"]
    print(f"Default (L1 + GAN): judge accuracy {results['L1 + GAN']['accuracy']:.3f} (target ≥ 0.85), "
          f"FID {fid_ratio:.2f}× the holed input's (target ≤ 0.5).")

    print("\n### What the measurement choices do (the same L1 + GAN generator; holed input → restored)\n")
    variants = measurement_variants(generators["L1 + GAN"], honest, args.seed)
    print("| measurement | input accuracy | restored accuracy | input FID | restored FID |\n|---|---:|---:|---:|---:|")
    for name, row in variants.items():
        print(f"| {name} | {row['input']['accuracy']:.3f} | {row['restored']['accuracy']:.3f} | "
              f"{row['input']['fid']:.2f} | {row['restored']['fid']:.2f} |")

    colour = colorize(args)
    if args.compare:
        colorize(args, max_chroma=1.0, gan_weight=1.0)  # the colouriser without the cap, for comparison

    # step time against the tutorial's model
    lesson_step = step_seconds(lesson_model, lesson_dataset.take(1), 20)
    tutorial_model, tutorial_data = tutorial_pix2pix()
    tutorial_step = step_seconds(tutorial_model, tutorial_data, args.tutorial_steps)
    print("\n### step time\n")
    print("| model | images per step | s per step | s per image |\n|---|---:|---:|---:|")
    print(f"| TF tutorial pix2pix, 256×256×3 | 1 | {tutorial_step:.3f} | {tutorial_step:.3f} |")
    print(f"| lesson 3 pix2pix, 32×32×1 | {hp['batch_size']} | {lesson_step:.3f} | {lesson_step / hp['batch_size']:.5f} |")
    print(f"Tutorial step / lesson step: {tutorial_step / lesson_step:.1f}×.")

    # the sheet: 12 held-out digits (input, L1 only, L1 + GAN, target) and 8 colourised crops
    shown = slice(0, 12)
    digit_rows = [val_inputs[shown], metrics.translate_batches(generators["L1 only"], val_inputs[shown]),
                  metrics.translate_batches(generators["L1 + GAN"], val_inputs[shown]), val_targets[shown]]
    digits_sheet = viz.tile(np.concatenate(digit_rows), ncols=12, padding=2)
    color_sheet = colour_sheet(colour)
    width = max(digits_sheet.shape[1] * 2, color_sheet.shape[1])
    canvas = Image.new("RGB", (width, digits_sheet.shape[0] * 2 + color_sheet.shape[0] + 8))
    canvas.paste(Image.fromarray(digits_sheet).convert("RGB").resize(
        (digits_sheet.shape[1] * 2, digits_sheet.shape[0] * 2), Image.Resampling.NEAREST), (0, 0))
    canvas.paste(Image.fromarray(color_sheet), (0, digits_sheet.shape[0] * 2 + 8))
    canvas.save(args.sheet)
    print(f"\nSheet: {args.sheet} (rows: holed input, L1 only, L1 + GAN, intact; then grey copy, colourised, "
          "original)")
    print(f"Total benchmark time {(time.perf_counter() - started) / 60:.1f} min.")
    if args.json:
        colour_rows = {k: v for k, v in colour.items() if k not in ("grey", "coloured", "original")}
        with open(args.json, "w") as handle:
            json.dump({"digits": results, "runs": runs, "ceiling": ceiling, "variants": variants,
                       "colorize": colour_rows, "tutorial_step_s": tutorial_step, "lesson_step_s": lesson_step},
                      handle, indent=1)


if __name__ == "__main__":
    main()
