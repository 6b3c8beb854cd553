"""Benchmark: does a conditional GAN's output help a classifier with N labelled digits? (lesson 4)

For each N (balanced: N/10 per class) and seed: N digits are drawn from the offline (bundled) MNIST digits
outside a fixed held-out test set; lesson 4's conditional GAN is trained on those N digits only; then four
classifiers (the judge's architecture, the same number of steps each) are trained on the N digits plus
nothing / classic augmentation / GAN samples / both (:mod:`ganlib.augment`), and scored on the test set.

    python benchmarks/augmentation.py [--sizes 100 500] [--seeds 0 1 2] [--gan-steps 600] [--steps 300]

Prints a JSON line per run and a table of mean ± standard deviation over the seeds; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")

import numpy as np  # noqa: E402

from ganlib import augment, data  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--gan-steps", type=int, default=600, help="conditional GAN steps on the N digits")
    parser.add_argument("--steps", type=int, default=300, help="classifier steps (batch 64), every arm")
    parser.add_argument("--extra", type=int, default=9, help="extra images per real digit, per source")
    parser.add_argument("--n-test", type=int, default=1000)
    args = parser.parse_args()

    print(f"# augmentation benchmark — {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()}, {vars(args)}")
    images, labels = data.load_mnist()
    pool_x, pool_y, test_x, test_y = data.split_train_test(images, labels, args.n_test, seed=0)
    results = {}
    for n in args.sizes:
        for seed in args.seeds:
            x, y = data.balanced_subset(pool_x, pool_y, n, seed=seed)
            start = time.perf_counter()
            gan = augment.train_gan_on(x, y, steps=args.gan_steps, seed=seed)
            gan_seconds = time.perf_counter() - start
            for arm in augment.ARMS:
                score = augment.run_arm(arm, x, y, test_x, test_y, args.extra * n,
                                        gan=gan if "gan" in arm else None, steps=args.steps, seed=seed)
                results.setdefault((n, arm), []).append(score)
                print(json.dumps({"n": n, "seed": seed, "arm": arm, "test_accuracy": round(score, 4),
                                  "gan_seconds": round(gan_seconds, 1), "load": os.getloadavg()}), flush=True)
    print(f"\n| N | {' | '.join(augment.ARMS)} |\n|---|{'---|' * len(augment.ARMS)}")
    for n in args.sizes:
        cells = [f"{np.mean(results[n, a]):.3f} ± {np.std(results[n, a], ddof=1) if len(results[n, a]) > 1 else 0:.3f}"
                 for a in augment.ARMS]
        print(f"| {n} | {' | '.join(cells)} |")
    print(f"# done {time.strftime('%H:%M')}, load {os.getloadavg()}")


if __name__ == "__main__":
    main()
