"""Benchmark: lesson 1's GAN against the *GANs in Action* ch. 3 recipe, at equal wall time on this machine.

Both train on the offline (bundled) MNIST digits for the same number of seconds; 2,000 samples of each are
scored by the judge (FID on judge features, mean top-class confidence, class coverage). It also measures
the live dashboard's cost (steps/s with and without it).

    python benchmarks/lesson1_quality.py [--seconds 180] [--seed 0] [--skip-dashboard]

This prints figures; it asserts nothing. Run it alone: other work on the machine skews the timings.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")

import keras  # noqa: E402

from ganlib import callbacks, config, data, metrics, recipes, training  # noqa: E402


def reference_gan(seed: int) -> training.GAN:
    """*GANs in Action* (Langr & Bok, 2019) ch. 3: Dense 128 + LeakyReLU(0.01) on both sides, tanh out,
    Adam defaults, batch 128, z of 100, non-saturating loss."""
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential(
        [
            keras.Input((100,)),
            keras.layers.Dense(128),
            keras.layers.LeakyReLU(negative_slope=0.01),
            keras.layers.Dense(28 * 28, activation="tanh"),
            keras.layers.Reshape((28, 28, 1)),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(128),
            keras.layers.LeakyReLU(negative_slope=0.01),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    gan = training.GAN(generator, discriminator, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam(), loss="non_saturating")
    return gan


def train_for(gan, images, batch_size, seconds, seed, extra_callbacks=()):
    dataset = data.make_image_dataset(images, batch_size, seed=seed).repeat()
    budget = callbacks.TimeBudget(gan.clock.seconds + seconds)
    gan.fit(dataset, epochs=1, steps_per_epoch=10**9, verbose=0, callbacks=[budget, *extra_callbacks])
    return gan.step, gan.clock.seconds


class _SilentOutput:
    """Stands in for an ipywidgets.Output: the dashboard renders its PNG as in a notebook, shown nowhere."""

    def __enter__(self):
        self._redirect = contextlib.redirect_stdout(io.StringIO())
        self._redirect.__enter__()
        return self

    def __exit__(self, *exc):
        return self._redirect.__exit__(*exc)

    def clear_output(self, wait=False):
        pass


def dashboard_overhead(images, seconds, seed):
    """Steps per second without and with the live dashboard, interleaved twice so drift cancels out."""
    rates = {"without dashboard": [], "with dashboard": []}
    drawing = []
    for label in ("without dashboard", "with dashboard") * 2:
        gan = recipes.build_mlp_gan(seed=seed)
        extra = []
        if label == "with dashboard":
            extra = [callbacks.LiveDashboard(out=_SilentOutput())]
        steps, elapsed = train_for(gan, images, recipes.MLP_GAN["batch_size"], seconds, seed, extra)
        rates[label].append(steps / elapsed)
        if extra:
            drawing.append((extra[0].redraws, extra[0].draw_seconds / elapsed))
    means = {label: sum(values) / len(values) for label, values in rates.items()}
    means["redraws"] = sum(r for r, _ in drawing) / len(drawing)
    means["drawing share"] = sum(share for _, share in drawing) / len(drawing)
    return means


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--dashboard-only", action="store_true")
    args = parser.parse_args()
    if args.dashboard_only:
        report_dashboard_overhead(data.load_mnist()[0], min(60.0, args.seconds) / 2, args.seed)
        return

    print(f"# lesson 1 quality benchmark — {time.strftime('%Y-%m-%d')}, {platform.node()}")
    print(config.describe_devices())
    images, labels = data.load_mnist()
    judge = metrics.load_judge(images, labels)

    rows = []
    contenders = [
        ("ganlib lesson 1 (defaults)", lambda: recipes.build_mlp_gan(seed=args.seed), recipes.MLP_GAN["batch_size"]),
        ("GANs in Action ch. 3", lambda: reference_gan(args.seed), 128),
    ]
    for name, build, batch_size in contenders:
        gan = build()
        steps, elapsed = train_for(gan, images, batch_size, args.seconds, args.seed)
        result = metrics.evaluate_generator(gan.generator, judge, images, n_samples=args.samples, seed=args.seed)
        rows.append((name, steps, elapsed, result))
        print(f"{name}: {steps} steps in {elapsed:.0f} s — {metrics.summarize(result)}", flush=True)

    print()
    print("| model | steps | s | FID (judge) ↓ | confidence ↑ | classifier score ↑ | smallest class share |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, steps, elapsed, r in rows:
        print(
            f"| {name} | {steps} | {elapsed:.0f} | {r['fid']:.2f} | {r['confidence']:.3f} | "
            f"{r['classifier_score']:.2f} | {r['min_share']:.1%} |"
        )
    ours, ref = rows[0][3], rows[1][3]
    print()
    print(f"FID ratio ganlib / reference: {ours['fid'] / ref['fid']:.3f} (target <= 0.5)")
    print(f"all 10 digits >= 5%: {ours['min_share'] >= 0.05}; confidence >= 0.8: {ours['confidence'] >= 0.8}")

    if not args.skip_dashboard:
        report_dashboard_overhead(images, min(60.0, args.seconds) / 2, args.seed)


def report_dashboard_overhead(images, seconds, seed):
    rates = dashboard_overhead(images, seconds, seed)
    slow = 1 - rates["with dashboard"] / rates["without dashboard"]
    print(
        f"dashboard cost: {rates['without dashboard']:.1f} steps/s without, "
        f"{rates['with dashboard']:.1f} with ({slow:.1%} slower; target < 10%); "
        f"{rates['redraws']:.0f} redraws per {seconds:.0f} s run took {rates['drawing share']:.1%} of the wall time"
    )


if __name__ == "__main__":
    main()
