"""Benchmark: lesson 3's pix2pix on digit inpainting and photo colourisation, offline, lesson defaults.

1. Trains the default pix2pix (``recipes.build_pix2pix("digits-inpaint")``) for ``--minutes`` and the same
   U-Net with L1 alone for as long, on the training digits; scores 2,000 **validation** digits (never seen
   in training) with a 14-px hole each: judge accuracy, FID against the training digits, L1, PSNR, SSIM —
   for the holed input, L1 only, L1 + GAN and the intact digits (the ceiling). Also the accuracy of a judge
   trained on holed digits directly: roughly the best any restoration can reach.
2. Trains the colouriser for ``--color-minutes`` and reports validation PSNR/SSIM against the grey copy.
3. Times a training step of the TensorFlow tutorial's 256-pixel pix2pix (batch 1) and of the lesson's
   model (batch 64), and prints the ratio.

It writes a PNG sheet of validation translations (``--sheet``) and prints Markdown tables; it asserts
nothing. Run it alone: other work on the machine skews the timings.

    python benchmarks/pix2pix_quality.py [--minutes 6] [--color-minutes 2.5] [--sheet benchmarks/pix2pix_sheet.png]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")


def train(model, dataset, seconds: float) -> tuple[int, float]:
    from ganlib import callbacks

    start = time.perf_counter()
    model.fit(dataset, epochs=10**6, verbose=0, callbacks=[callbacks.TimeBudget(seconds)])
    return int(model.g_optimizer.iterations.numpy()), time.perf_counter() - start


def holed_judge_accuracy(train_targets, train_labels, val_inputs, val_labels, seed: int) -> float:
    """Accuracy on holed validation digits of a judge-architecture classifier trained on holed digits."""
    import keras
    import numpy as np

    from ganlib import data, metrics

    holed = np.concatenate([data.corrupt_digits(train_targets, data.TRAIN_HOLES, seed=seed + s) for s in range(8)])
    model = metrics.build_judge(seed=seed)
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(metrics.unpad_digits(holed), np.tile(train_labels, 8), epochs=6, batch_size=128, verbose=0)
    return float(model.evaluate(metrics.unpad_digits(val_inputs), val_labels, verbose=0)[1])


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
    model = training.Pix2Pix(generator, discriminator, l1_weight=100.0, seed=0)
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    pair = tf.random.uniform((1, 256, 256, 3), -1, 1)
    return model, tf.data.Dataset.from_tensors((pair, pair))


def step_seconds(model, dataset, steps: int) -> float:
    """Seconds per training step, after two warm-up steps (tracing)."""
    model.fit(dataset.repeat(2), verbose=0)
    start = time.perf_counter()
    model.fit(dataset.repeat(steps), verbose=0)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=6.0, help="training time of each digit model")
    parser.add_argument("--color-minutes", type=float, default=2.5, help="training time of the colouriser")
    parser.add_argument("--tutorial-steps", type=int, default=5, help="timed steps of the tutorial's model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheet", default="benchmarks/pix2pix_sheet.png", help="PNG sheet of translations")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()

    import numpy as np
    from PIL import Image

    from ganlib import config, data, metrics, recipes, viz

    started = time.perf_counter()
    config.set_seed(args.seed)
    print(config.describe_devices())
    train_inputs, train_targets = data.load_pairs("digits-inpaint", "train", seed=args.seed)
    train_labels = data.labels_of_pairs("train")
    val_inputs, val_targets = data.load_pairs("digits-inpaint", "validation", n=2000, seed=args.seed)
    val_labels = data.labels_of_pairs("validation", n=2000)
    judge = metrics.load_judge()
    hp = recipes.PIX2PIX
    dataset = data.make_pair_dataset(train_inputs, train_targets, hp["batch_size"], name="digits-inpaint", seed=args.seed)

    results, runs, generators = {}, {}, {}
    for name, overrides in (("L1 + GAN", {}), ("L1 only", {"gan_weight": 0.0})):
        model = recipes.build_pix2pix("digits-inpaint", seed=args.seed, **overrides)
        steps, seconds = train(model, dataset, 60 * args.minutes)
        runs[name] = {"steps": steps, "seconds": seconds}
        generators[name] = model.generator
        print(f"{name}: {steps} steps in {seconds:.0f} s ({steps / seconds:.1f} steps/s)", flush=True)
        if name == "L1 + GAN":
            lesson_model = model

    rows = {"holed input": val_inputs, "intact (ceiling)": val_targets}
    for name, images in rows.items():
        results[name] = {
            **metrics.restoration_scores(judge, images, val_labels, train_targets),
            **metrics.translation_scores(val_targets, images),
        }
    for name, generator in generators.items():
        results[name] = metrics.evaluate_translator(generator, val_inputs, val_targets, judge, val_labels, train_targets)
    holed_ceiling = holed_judge_accuracy(train_targets, train_labels, val_inputs, val_labels, args.seed)

    print("\n### digits-inpaint: 2,000 validation digits, 14-px hole\n")
    print("| | steps | judge accuracy ↑ | FID ↓ | L1 ↓ | PSNR dB ↑ | SSIM ↑ |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in ("holed input", "L1 only", "L1 + GAN", "intact (ceiling)"):
        r, steps = results[name], runs.get(name, {}).get("steps", "")
        print(
            f"| {name} | {steps} | {r['accuracy']:.3f} | {r['fid']:.2f} | {r['l1']:.4f} | {r['psnr']:.2f} | {r['ssim']:.3f} |"
        )
    print(f"\nA judge-architecture classifier trained on holed digits reads the holed inputs with accuracy "
          f"{holed_ceiling:.3f}: about the most any restoration can give the judge.")
    best_fid = min(("holed input", "L1 only", "L1 + GAN"), key=lambda k: results[k]["fid"])
    print(f"L1 + GAN judge accuracy {results['L1 + GAN']['accuracy']:.3f} (target ≥ 0.90); lowest FID of the three: {best_fid}.")

    # colourisation
    color_train = data.load_pairs("photos-colorize", "train", size=64, n=2000, seed=args.seed)
    color_val = data.load_pairs("photos-colorize", "validation", size=64, n=200, seed=args.seed)
    colorizer = recipes.build_pix2pix("photos-colorize", seed=args.seed)
    color_batch = recipes.PIX2PIX_DATASETS["photos-colorize"]["batch_size"]
    color_steps, color_seconds = train(
        colorizer,
        data.make_pair_dataset(*color_train, color_batch, name="photos-colorize", seed=args.seed),
        60 * args.color_minutes,
    )
    grey = data.lab_to_rgb(np.concatenate([color_val[0], np.zeros_like(color_val[1][..., :2])], axis=-1))
    colored = metrics.translate_batches(colorizer.generator, color_val[0])
    color_rows = {"grey copy": metrics.translation_scores(color_val[1], grey),
                  "colouriser": metrics.translation_scores(color_val[1], colored)}
    print(f"\n### photos-colorize: 200 validation crops (64×64) of `chelsea`; {color_steps} steps in {color_seconds:.0f} s\n")
    print("| | PSNR dB ↑ | SSIM ↑ | L1 ↓ |\n|---|---:|---:|---:|")
    for name, r in color_rows.items():
        print(f"| {name} | {r['psnr']:.2f} | {r['ssim']:.3f} | {r['l1']:.4f} |")

    # step time against the tutorial's model
    lesson_step = step_seconds(lesson_model, dataset.take(1), 20)
    tutorial_model, tutorial_data = tutorial_pix2pix()
    tutorial_step = step_seconds(tutorial_model, tutorial_data, args.tutorial_steps)
    print("\n### step time\n")
    print("| model | images per step | s per step | s per image |\n|---|---:|---:|---:|")
    print(f"| TF tutorial pix2pix, 256×256×3 | 1 | {tutorial_step:.3f} | {tutorial_step:.3f} |")
    print(f"| lesson 3 pix2pix, 32×32×1 | {hp['batch_size']} | {lesson_step:.3f} | {lesson_step / hp['batch_size']:.5f} |")
    print(f"Tutorial step / lesson step: {tutorial_step / lesson_step:.1f}×; the tutorial's 40,000 steps would take "
          f"{40000 * tutorial_step / 3600:.1f} h here.")

    # the sheet: 12 validation digits (input, L1 only, L1 + GAN, target) and 8 colourised crops
    shown = slice(0, 12)
    digit_rows = [val_inputs[shown], metrics.translate_batches(generators["L1 only"], val_inputs[shown]),
                  metrics.translate_batches(generators["L1 + GAN"], val_inputs[shown]), val_targets[shown]]
    digits_sheet = viz.tile(np.concatenate(digit_rows), ncols=12, padding=2)
    color_sheet = viz.tile(np.concatenate([grey[:6], colored[:6], color_val[1][:6]]), ncols=6, padding=2)
    width = max(digits_sheet.shape[1] * 2, color_sheet.shape[1])
    canvas = Image.new("RGB", (width, digits_sheet.shape[0] * 2 + color_sheet.shape[0] + 8))
    canvas.paste(Image.fromarray(digits_sheet).convert("RGB").resize((digits_sheet.shape[1] * 2, digits_sheet.shape[0] * 2), Image.Resampling.NEAREST), (0, 0))
    canvas.paste(Image.fromarray(color_sheet), (0, digits_sheet.shape[0] * 2 + 8))
    canvas.save(args.sheet)
    print(f"\nSheet of validation translations: {args.sheet} (rows: holed input, L1 only, L1 + GAN, intact; "
          "then grey copy, colourised, original)")
    print(f"Total benchmark time {(time.perf_counter() - started) / 60:.1f} min.")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"digits": results, "runs": runs, "holed_judge_accuracy": holed_ceiling, "colorize": color_rows,
                       "tutorial_step_s": tutorial_step, "lesson_step_s": lesson_step}, handle, indent=1)


if __name__ == "__main__":
    main()
