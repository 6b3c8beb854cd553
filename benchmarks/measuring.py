"""Benchmark: lessons 1, 2 and 4's generators measured as lesson 8 measures: FID, FID_∞, KID, precision and
recall, and the nearest training digit, at N = 500 and N = 2,000, over three training seeds.

The 5,000 bundled digits (offline) are split at random (seed 0) into a training half, which every generator
trains on and every score uses as its real reference, and a held-out half, scored like a generator: the floor
of real digits. Each generator trains with its lesson's recipe for a fixed number of steps (``--steps``:
lesson 1's MLP GAN 3,000 — lesson 8's default —, lesson 2's DCGAN 1,500, lesson 4's conditional GAN 1,000);
the DCGAN and the conditional GAN are scored through their averaged generator (``gan.sampler``) as in their
lessons; the conditional GAN draws class ``i mod 10`` for sample ``i``. Features are the course judge's
(``metrics.load_judge`` on all 5,000 digits, as in lessons 1–4).

At each N: FID of N samples against the whole training half; KID over 10 subsets of N (both sets capped at
their sizes); precision and recall (k = 3) of N samples against N training digits; the median root-mean-square
pixel distance of N samples to their nearest training digit. FID_∞ extrapolates FIDs at N = 250 … 5,000 (one
subset each) in 1/N (Chong & Forsyth 2020).

    python benchmarks/measuring.py [--seeds 0 1 2] [--models mlp dcgan cgan] [--steps 3000 1500 1000]

It prints a JSON line per (model, seed) and then a table of means ± standard deviations over the seeds; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")

import numpy as np  # noqa: E402

from ganlib import data, metrics, recipes, sampling  # noqa: E402
from ganlib.inference import predict_in_batches  # noqa: E402

NS = (500, 2000)
EXTRAPOLATION_NS = (250, 500, 1000, 2000, 5000)
MODELS = {
    "mlp": ("lesson 1 MLP GAN", lambda seed: recipes.build_mlp_gan(seed=seed), recipes.MLP_GAN["batch_size"], False),
    "dcgan": ("lesson 2 DCGAN (EMA)", lambda seed: recipes.build_dcgan(seed=seed), recipes.DCGAN["batch_size"], False),
    "cgan": ("lesson 4 conditional GAN (EMA)", lambda seed: recipes.build_cgan(seed=seed), recipes.CGAN["batch_size"], True),
}
DEFAULT_STEPS = {"mlp": 3000, "dcgan": 1500, "cgan": 1000}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scores(train_f, generated_f, generated_pixels, train_pixels, seed) -> dict:
    """Every score of lesson 8 at each N in NS, and FID_∞."""
    result = {}
    for n in NS:
        fid = metrics.frechet_distance(train_f, generated_f[:n])
        kid_mean, kid_std = metrics.kid(train_f, generated_f, subset_size=n, subsets=10, seed=seed)
        precision, recall = metrics.precision_recall(train_f[:n], generated_f[:n], k=3)
        distances, _ = metrics.nearest_neighbours(generated_pixels[:n], train_pixels)
        result[n] = {"fid": fid, "kid": kid_mean, "kid_std": kid_std, "precision": precision, "recall": recall,
                     "nearest": float(np.median(distances) / np.sqrt(train_pixels.shape[1]))}
    usable = [n for n in EXTRAPOLATION_NS if n <= len(generated_f)]
    by_n = metrics.fid_by_n(train_f, generated_f, usable, draws=1, seed=seed)
    result["fid_infinity"] = metrics.extrapolate_fid(by_n["n"], by_n["fid"])[0]
    return result


def train(key, seed, steps, images, labels):
    name, build, batch_size, conditional = MODELS[key]
    gan = build(seed)
    dataset = (data.make_labelled_dataset(images, labels, batch_size, seed=seed) if conditional
               else data.make_image_dataset(images, batch_size, seed=seed)).repeat()
    start, cpu = time.perf_counter(), cpu_seconds()
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    return gan.sampler, time.perf_counter() - start, cpu_seconds() - cpu


def mean_std(values) -> str:
    values = np.asarray(values, dtype=np.float64)
    spread = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{values.mean():.3f} ± {spread:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--steps", type=int, nargs="+", default=None,
                        help="steps per model, in the order of --models (default: 3000 1500 1000)")
    args = parser.parse_args()
    steps = dict(zip(args.models, args.steps, strict=True)) if args.steps else {m: DEFAULT_STEPS[m] for m in args.models}

    print(f"# lesson 8 measuring benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"load {tuple(round(x, 1) for x in os.getloadavg())}", flush=True)
    images, labels = data.load_mnist()
    order = np.random.default_rng(0).permutation(len(images))
    half = len(images) // 2
    train_idx, held_idx = order[:half], order[half : 2 * half]
    judge = metrics.load_judge(images, labels)
    extractor = metrics.feature_extractor(judge.model)

    def features(pictures):
        return predict_in_batches(extractor, metrics.judge.judge_input(pictures), 500)

    def pixels(pictures):
        return data.as_model_input(pictures).reshape(len(pictures), -1)

    train_images, train_labels = images[train_idx], labels[train_idx]
    train_f, train_pixels = features(train_images), pixels(train_images)
    held = images[held_idx]
    floor = scores(train_f, features(held), pixels(held), train_pixels, seed=0)
    print(json.dumps({"model": "held-out real digits", **{str(k): v for k, v in floor.items()}}), flush=True)

    rows = {}
    for key in args.models:
        for seed in args.seeds:
            generator, wall, cpu = train(key, seed, steps[key], train_images, train_labels)
            pictures = sampling.generate(generator, max(EXTRAPOLATION_NS), seed=seed + 1)
            result = scores(train_f, features(pictures), pixels(pictures), train_pixels, seed)
            rows.setdefault(key, []).append(result)
            print(json.dumps({"model": MODELS[key][0], "seed": seed, "steps": steps[key], "train_s": round(wall, 1),
                              "train_cpu_s": round(cpu, 1), "load": [round(x, 1) for x in os.getloadavg()],
                              **{str(k): v for k, v in result.items()}}), flush=True)

    print(f"\n{len(args.seeds)} seeds ({', '.join(map(str, args.seeds))}); mean ± standard deviation over the seeds; "
          f"{half:,} training digits as the reference; process CPU time {cpu_seconds() / 60:.1f} min\n")
    print("| generator | steps | N | FID ↓ | FID_∞ ↓ | KID ↓ | precision ↑ | recall ↑ | nearest training digit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in NS:
        f = floor[n]
        print(f"| held-out real digits | — | {n:,} | {f['fid']:.3f} | {floor['fid_infinity']:.3f} | {f['kid']:.4f} | "
              f"{f['precision']:.3f} | {f['recall']:.3f} | {f['nearest']:.3f} |")
        for key, results in rows.items():
            cells = [mean_std([r[n][name] for r in results]) for name in ("fid",)]
            cells.append(mean_std([r["fid_infinity"] for r in results]))
            kid = np.array([r[n]["kid"] for r in results])
            cells.append(f"{kid.mean():.4f} ± {kid.std(ddof=1) if len(kid) > 1 else 0.0:.4f}")
            cells += [mean_std([r[n][name] for r in results]) for name in ("precision", "recall", "nearest")]
            print(f"| {MODELS[key][0]} | {steps[key]:,} | {n:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
