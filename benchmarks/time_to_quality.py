"""Benchmark: lesson 2's DCGAN against the TensorFlow tutorial's DCGAN and lesson 1's GAN, at equal time.

Each contender trains on the offline (bundled) MNIST digits for the same wall time, in a fresh Python
process of its own (so no run inherits another's memory or warm caches), then 2,000 samples are scored by
the judge. It also prints training throughput (images/s) and the achieved GFLOP/s against this machine's
measured float32 matmul peak.

    python benchmarks/time_to_quality.py [--seconds 300] [--seed 0]

It prints figures and asserts nothing. Run it alone: other work on the machine skews the timings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")

CONTENDERS = ("ganlib DCGAN (lesson 2 defaults)", "TF tutorial DCGAN", "ganlib MLP GAN (lesson 1)")


def tutorial_gan(seed: int):
    """The TensorFlow DCGAN tutorial's recipe: its generator and discriminator, Adam 1e-4, batch 256, noise 100."""
    import keras

    from ganlib import training

    keras.utils.set_random_seed(seed)
    layers = keras.layers
    generator = keras.Sequential(
        [
            keras.Input((100,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"),
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    gan = training.GAN(generator, discriminator, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-4), g_optimizer=keras.optimizers.Adam(1e-4))
    return gan, 256


def build(name: str, seed: int):
    from ganlib import recipes

    if name == CONTENDERS[0]:
        return recipes.build_dcgan(seed=seed), recipes.DCGAN["batch_size"]
    if name == CONTENDERS[1]:
        return tutorial_gan(seed)
    return recipes.build_mlp_gan(seed=seed), recipes.MLP_GAN["batch_size"]


def forward_flops(model) -> int:
    """Multiply-adds ×2 of one image through ``model``'s Dense and (transposed) convolution layers."""
    import keras

    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            flops += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            kh, kw, out_c, in_c = layer.kernel.shape
            _, h, w, _ = layer.input.shape
            flops += 2 * h * w * in_c * kh * kw * out_c
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw, in_c, out_c = layer.kernel.shape
            _, h, w, _ = layer.output.shape
            flops += 2 * h * w * in_c * kh * kw * out_c
    return flops


def step_flops(gan, batch_size: int) -> int:
    """FLOPs of one training step: D step = G forward + D forward/backward on reals and fakes; G step =
    G and D forward/backward. A backward pass costs about twice a forward one."""
    g, d = forward_flops(gan.generator), forward_flops(gan.discriminator)
    return batch_size * (g + 3 * 2 * d + 3 * g + 3 * d)


def matmul_peak_gflops(n: int = 2048, repeats: int = 20) -> float:
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))

    @tf.function
    def work():
        c = a
        for _ in range(repeats):
            c = tf.matmul(c, b) * 1e-3
        return c

    work().numpy()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        work().numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 * repeats / best / 1e9


def run_one(name: str, seconds: float, seed: int, samples: int) -> dict:
    """Train one contender for ``seconds`` and score it (runs inside its own process)."""
    from ganlib import callbacks, data, metrics

    images, labels = data.load_mnist(verbose=False)
    judge = metrics.load_judge(images, labels, verbose=False)
    gan, batch_size = build(name, seed)
    budget = callbacks.TimeBudget(seconds)
    dataset = data.make_image_dataset(images, batch_size, seed=seed).repeat()
    gan.fit(dataset, epochs=1, steps_per_epoch=10**9, verbose=0, callbacks=[budget])
    result = metrics.evaluate_generator(gan.sampler, judge, images, n_samples=samples, seed=seed)
    elapsed, steps = gan.clock.seconds, gan.step
    flops = step_flops(gan, batch_size)
    return {
        "name": name,
        "steps": steps,
        "seconds": elapsed,
        "images_per_s": steps * batch_size / elapsed,
        "gflops": steps * flops / elapsed / 1e9,
        "step_gflop": flops / 1e9,
        **{k: result[k] for k in ("fid", "confidence", "classifier_score", "min_share", "coverage")},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--only", help=argparse.SUPPRESS)  # internal: run one contender, print JSON
    args = parser.parse_args()
    if args.only:
        print("RESULT " + json.dumps(run_one(args.only, args.seconds, args.seed, args.samples)))
        return

    from ganlib import config, data, metrics

    print(f"# time-to-quality benchmark — {time.strftime('%Y-%m-%d')}, {platform.node()}")
    print(config.describe_devices())
    images, labels = data.load_mnist()
    metrics.load_judge(images, labels)  # train and cache it once, outside the timed runs
    peak = matmul_peak_gflops()
    print(f"float32 matmul peak on this machine: {peak:.0f} GFLOP/s")
    rows = []
    for name in CONTENDERS:
        command = [sys.executable, __file__, "--only", name, "--seconds", str(args.seconds), "--seed", str(args.seed)]
        command += ["--samples", str(args.samples)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        row = json.loads(output.split("RESULT ", 1)[1])
        rows.append(row)
        print(f"{name}: {row['steps']} steps — FID {row['fid']:.2f}, confidence {row['confidence']:.3f}", flush=True)

    print()
    print("| model | steps | images/s | GFLOP/step | GFLOP/s (% of peak) | FID ↓ | confidence ↑ | classifier score ↑ | rarest digit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['name']} | {r['steps']} | {r['images_per_s']:.0f} | {r['step_gflop']:.2f} | "
            f"{r['gflops']:.1f} ({r['gflops'] / peak:.0%}) | {r['fid']:.2f} | {r['confidence']:.3f} | "
            f"{r['classifier_score']:.2f} | {r['min_share']:.1%} |"
        )
    ours, tutorial, mlp = rows
    print()
    print(f"FID ratio DCGAN / TF tutorial: {ours['fid'] / tutorial['fid']:.3f} (target <= 0.2)")
    print(f"FID ratio DCGAN / lesson-1 GAN: {ours['fid'] / mlp['fid']:.3f} (target < 1)")
    print(f"all 10 digits >= 5%: {ours['min_share'] >= 0.05}; confidence >= 0.9: {ours['confidence'] >= 0.9}")


if __name__ == "__main__":
    main()
