"""Benchmark: lesson 7's stabilisers on the two toy mixtures, at equal CPU time, scored as the papers score them.

Every method of :data:`ganlib.recipes.TOY_METHODS` trains lesson 7's toy GAN (:func:`ganlib.recipes.build_toy_gan`,
its recipe :data:`ganlib.recipes.TOY` with the method's overrides) on the ring of 8 and the grid of 25 Gaussians
(:func:`ganlib.data.toy_mixture`, 100,000 points drawn with the run's seed) until the process has used a given
number of CPU seconds (``time.process_time``: all of the process's threads, so the figure does not depend on how
busy the machine is). At each mark (``--marks``, CPU seconds) the averaged generator (``gan.sampler``: the
trained one where a method keeps no average) draws 2,500 points (noise seed 1) and
:func:`ganlib.metrics.mode_coverage` scores them: modes covered (≥ 20 of the 2,500 points within 3σ), the share of
high-quality points (within 3σ of some centre) and the reverse KL of the mode histogram to uniform. Scoring
time is not counted in the budget.

TensorFlow runs on one thread per process (``--threads``), so that two processes (``--shard 0/2`` and
``--shard 1/2``) fill two cores without slowing each other; every process appends one JSON line per run to
``--out``, and ``--table FILE...`` prints the table of means, minima and maxima over the seeds::

    python benchmarks/stabilise.py --out /tmp/st.jsonl --shard 0/2 &
    python benchmarks/stabilise.py --out /tmp/st.jsonl --shard 1/2
    python benchmarks/stabilise.py --table /tmp/st.jsonl

It asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

#: CPU-second marks at which every run is scored, by toy; a method's run ends at its toy's last mark, the
#: recommended recipe's at ``RECOMMENDED_MARKS`` (the lesson's target: 2 CPU minutes).
MARKS = {"ring": (15.0, 30.0), "grid": (30.0, 60.0)}
RECOMMENDED_MARKS = (30.0, 60.0, 120.0)


def jobs(toys, methods, seeds):
    return [(toy, method, seed) for toy in toys for method in methods for seed in seeds]


def run_one(toy: str, method: str, seed: int, marks) -> dict:
    import keras

    from ganlib import data, metrics, recipes

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    points, centres = data.toy_mixture(toy, data.TOY_POINTS, seed=seed)
    sigma = data.toy_centres(toy)[1]
    gan = recipes.build_toy_gan(toy, seed=seed, **recipes.TOY_METHODS[method])
    dataset = data.make_toy_dataset(points, recipes.TOY["batch_size"], seed=seed).repeat()
    scores = []

    class Marks(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.scoring = 0.0  # CPU seconds spent scoring, not counted
            self.start = time.process_time()
            self.wall = time.perf_counter()
            self.pending = list(marks)

        def on_train_batch_end(self, batch, logs=None):
            used = time.process_time() - self.start - self.scoring
            if used < self.pending[0]:
                return
            before = time.process_time()
            samples = gan.generate(metrics.MODE_SAMPLES, seed=1)
            finite = bool(np.all(np.isfinite(samples)))
            result = metrics.mode_coverage(samples, centres, sigma) if finite else None
            scores.append({
                "cpu_s": round(used, 1), "wall_s": round(time.perf_counter() - self.wall, 1), "step": int(gan.step),
                "modes": result["modes"] if finite else 0, "of": len(centres),
                "high_quality": round(float(result["high_quality"]), 4) if finite else 0.0,
                "reverse_kl": round(float(result["reverse_kl"]), 4) if finite else float("inf"),
                "diverged": not finite,
            })
            self.scoring += time.process_time() - before
            self.pending.pop(0)
            if not self.pending:
                self.model.stop_training = True

    gan.fit(dataset, epochs=1, steps_per_epoch=10**8, verbose=0, callbacks=[Marks()])
    return {"toy": toy, "method": method, "seed": seed, "overrides": recipes.TOY_METHODS[method], "marks": scores}


def table(paths) -> None:
    rows = [json.loads(line) for path in paths for line in open(path, encoding="utf-8") if line.strip()]
    by_key: dict = {}
    for row in rows:
        for mark in row["marks"]:
            by_key.setdefault((row["toy"], row["method"], mark_key(mark["cpu_s"])), []).append(mark)
    print("| toy | method | CPU s | seeds | modes covered: mean (min–max) | high quality % : mean (min–max) "
          "| reverse KL: mean | steps: mean | all modes & HQ ≥ target |")
    print("|---|---|---:|---:|---|---|---:|---:|---|")
    for (toy, method, cpu), marks in sorted(by_key.items(), key=lambda item: (item[0][0], order(item[0][1]), item[0][2])):
        modes = np.array([m["modes"] for m in marks])
        hq = np.array([100 * m["high_quality"] for m in marks])
        kl = np.array([m["reverse_kl"] for m in marks])
        steps = np.array([m["step"] for m in marks])
        target = 90.0 if toy == "grid" else 95.0
        hits = sum(int(m["modes"] == m["of"] and 100 * m["high_quality"] >= target) for m in marks)
        kl_text = f"{kl.mean():.3f}" if np.all(np.isfinite(kl)) else "∞ in " + str(int(np.sum(~np.isfinite(kl))))
        print(f"| {toy} | {method} | {cpu} | {len(marks)} | {modes.mean():.1f} ({modes.min()}–{modes.max()}) "
              f"| {hq.mean():.1f} ({hq.min():.1f}–{hq.max():.1f}) | {kl_text} | {steps.mean():,.0f} "
              f"| {hits} of {len(marks)} |")


def mark_key(cpu_s: float) -> int:
    """The mark a score was taken at (a score lands on the first step past its mark)."""
    candidates = sorted(set(RECOMMENDED_MARKS) | {m for marks in MARKS.values() for m in marks})
    return int(max(m for m in candidates if m <= cpu_s + 1e-9))


def order(method: str) -> int:
    from ganlib import recipes

    return list(recipes.TOY_METHODS).index(method)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toys", nargs="+", default=["grid", "ring"])
    parser.add_argument("--methods", nargs="+", default=None, help="default: every method of recipes.TOY_METHODS")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--shard", default="0/1", help="I/N: run every N-th job starting at I")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads per process")
    parser.add_argument("--out", help="append a JSON line per run here")
    parser.add_argument("--table", nargs="+", help="print the table of these JSON-lines files and stop")
    args = parser.parse_args(argv)
    if args.table:
        table(args.table)
        return
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from ganlib import recipes

    methods = args.methods or list(recipes.TOY_METHODS)
    index, count = (int(part) for part in args.shard.split("/"))
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, TF threads {args.threads}, "
          f"shard {args.shard}", file=sys.stderr)
    for toy, method, seed in jobs(args.toys, methods, args.seeds)[index::count]:
        marks = RECOMMENDED_MARKS if method == "recommended" else MARKS[toy]
        result = run_one(toy, method, seed, marks)
        line = json.dumps(result)
        print(line, flush=True)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as file:
                file.write(line + "\n")


if __name__ == "__main__":
    main()
