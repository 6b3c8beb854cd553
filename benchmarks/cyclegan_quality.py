"""Benchmark: lesson 5's CycleGAN on digits ↔ digits on photos, offline, the lesson's default recipe.

Trains ``recipes.build_cyclegan()`` (:data:`ganlib.recipes.CYCLEGAN`) on ``unpaired.load_unpaired
("digits-photos")`` for ``--minutes`` of wall-clock time, scoring it at ``--early`` minutes and at the end;
then trains two variants for as many steps as the default made in ``--early`` minutes (equal steps: the
machine may be shared, and a step's first call, the tracing, can take a minute on a loaded machine), to
compare with the default's early score: without the image pool, and with the learning rate decayed linearly
to 0 over the second half of those steps. ``--variants-only STEPS`` trains only the variants, for STEPS steps. Scores (:func:`ganlib.metrics.cyclegan.evaluate_cyclegan`) are taken on
``--n`` held-out digits that neither the CycleGAN nor the judge ever saw (the judge trains on the training
digits only): judge accuracy of the B → A translations against the labels vs the grey copy of the B
picture, FID against the training digits, cycle errors, and steps/s (tracing included; the machine may be
shared, so steps/s say how loaded it was as much as how fast the model is). Writes a sheet of A → B → A and
B → A → B examples (``--sheet``) and prints a Markdown table; it asserts nothing.

    python benchmarks/cyclegan_quality.py [--minutes 5] [--early 1.5] [--n 2000] [--no-variants | --variants-only STEPS]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("GANLIB_OFFLINE", "1")


def train(model, dataset, seconds: float | None = None, steps: int | None = None) -> tuple[int, float]:
    """Train until the model's clock reads ``seconds`` (:class:`ganlib.callbacks.TimeBudget` counts the
    whole run), or for ``steps`` more steps; return (steps in all, seconds this call)."""
    from ganlib import callbacks

    start = time.perf_counter()
    if steps:
        model.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0)
    else:
        model.fit(dataset, epochs=10**6, verbose=0, callbacks=[callbacks.TimeBudget(seconds)])
    return model.step, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--early", type=float, default=1.5)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-variants", action="store_true")
    parser.add_argument("--variants-only", type=int, metavar="STEPS")
    parser.add_argument("--sheet", default="benchmarks/cyclegan_sheet.png")
    args = parser.parse_args()

    from PIL import Image

    from ganlib import config, data, metrics, recipes
    from ganlib.data import unpaired
    from ganlib.metrics import cyclegan as cyclegan_scores

    config.set_seed(args.seed)
    train_a, train_b = unpaired.load_unpaired("digits-photos", "train", seed=args.seed)
    val_a, val_b = unpaired.load_unpaired("digits-photos", "validation", n=args.n, seed=args.seed)
    labels, _ = unpaired.digit_labels("validation", n=args.n)
    judge = metrics.load_judge(*data.digits_of_pairs("train"))
    batch_size = recipes.CYCLEGAN["batch_size"]
    dataset = unpaired.make_unpaired_dataset(train_a, train_b, batch_size, seed=args.seed)

    def score(model):
        return cyclegan_scores.evaluate_cyclegan(model, val_a, val_b, labels, judge, train_a)

    rows = []

    def record(name, model, steps, seconds, minutes):
        result = {"name": name, "minutes": minutes, "steps": steps, "steps_per_s": steps / seconds, **score(model)}
        rows.append(result)
        print(json.dumps(result), flush=True)
        print(cyclegan_scores.summarize(result), flush=True)

    early_steps = args.variants_only
    if not args.variants_only:
        model = recipes.build_cyclegan(seed=args.seed)
        steps, seconds = train(model, dataset, 60 * args.early)
        record("default", model, steps, seconds, args.early)
        early_steps = steps
        more_steps, more_seconds = train(model, dataset, 60 * args.minutes)
        record("default", model, more_steps, seconds + more_seconds, args.minutes)
        sheet = cyclegan_scores.cycle_sheet(model, val_a, val_b, n=8)
        Image.fromarray(sheet).resize((sheet.shape[1] * 3, sheet.shape[0] * 3), Image.Resampling.NEAREST).save(args.sheet)
    if not args.no_variants:
        half = max(1, early_steps // 2)
        for name, overrides in (("no image pool", {"pool_size": 0}), ("linear decay", {"decay_steps": half})):
            variant = recipes.build_cyclegan(seed=args.seed, **overrides)
            steps, seconds = train(variant, dataset, steps=early_steps)
            record(name, variant, steps, seconds, None)

    print("\n| run | minutes | steps | steps/s | judge acc. B→A | grey copy | plain digits | FID B→A | FID grey "
          "| cycle B→A→B | cycle A→B→A |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {'-' if r['minutes'] is None else format(r['minutes'], 'g')} | {r['steps']} | {r['steps_per_s']:.2f} | {r['accuracy']:.3f} "
              f"| {r['baseline_accuracy']:.3f} | {r['real_accuracy']:.3f} | {r['fid']:.1f} | {r['baseline_fid']:.1f} "
              f"| {r['cycle_b']:.3f} | {r['cycle_a']:.3f} |")


if __name__ == "__main__":
    main()
