"""Benchmark: lesson 5's CycleGAN recipe with changed settings, each trained for the same number of steps.

Each variant is ``recipes.build_cyclegan(**overrides)`` (:data:`ganlib.recipes.CYCLEGAN`), trained on
``unpaired.load_unpaired("digits-photos")`` for ``--steps`` steps (equal steps, not equal minutes: the machine
may be shared), then scored as :mod:`benchmarks.cyclegan_quality` scores (:func:`ganlib.metrics.cyclegan.
evaluate_cyclegan` on ``--n`` held-out digits blended into crops of ``chelsea``, a photograph no training
picture came from). One more figure tells a photograph the model never saw from a model that did not learn:
the judge's accuracy on the B → A translations of the same held-out digits blended into crops of the
*training* photographs (another random draw of crops), and the grey copy's on those. Prints one JSON line
and one summary per variant (with the ``uptime`` load averages at its start and end), then a Markdown
table; writes each variant's sheet of A → B → A and B → A → B examples into ``--sheets`` when given. It
asserts nothing.

    python benchmarks/cyclegan_variants.py --steps 1300 --n 1000 '{}' '{"cycle_weight_b": 1.0}' ...
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from cyclegan_quality import train

os.environ.setdefault("GANLIB_OFFLINE", "1")


def load_averages() -> str:
    """The three load averages, as ``uptime`` prints them."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="JSON objects of recipe overrides ('{}': the default; "
                        "\"seed\": the networks' seed, the data keeping --seed)")
    parser.add_argument("--steps", type=int, default=1300)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sheets", type=Path, help="folder for each variant's sheet")
    args = parser.parse_args()

    from PIL import Image

    from ganlib import config, data, metrics, recipes
    from ganlib.data import unpaired
    from ganlib.metrics import cyclegan as scores

    variants = [json.loads(text) for text in args.variants]
    config.set_seed(args.seed)
    train_a, train_b = unpaired.load_unpaired("digits-photos", "train", seed=args.seed)
    val_a, val_b = unpaired.load_unpaired("digits-photos", "validation", n=args.n, seed=args.seed)
    labels, _ = unpaired.digit_labels("validation", n=args.n)
    judge = metrics.load_judge(*data.digits_of_pairs("train"))
    crops = unpaired.photo_crops("train", unpaired.DIGIT_SIDE, len(val_a), args.seed + 7)
    val_b_seen = unpaired.blend_with_photos(val_a[..., :1], crops)  # domain A is the grey digit, repeated

    rows = []
    for overrides in variants:
        batch_size = overrides.get("batch_size", recipes.CYCLEGAN["batch_size"])
        dataset = unpaired.make_unpaired_dataset(train_a, train_b, batch_size, seed=args.seed)
        load_start = load_averages()
        settings = {k: v for k, v in overrides.items() if k not in ("batch_size", "seed")}
        model = recipes.build_cyclegan(seed=overrides.get("seed", args.seed), **settings)
        steps, seconds = train(model, dataset, steps=args.steps)
        result = {"overrides": overrides, "steps": steps, "minutes": seconds / 60, "load_start": load_start,
                  "load_end": load_averages(), **scores.evaluate_cyclegan(model, val_a, val_b, labels, judge, train_a)}
        result["accuracy_seen_photos"] = judge.accuracy(scores.judge_view(model.translate(val_b_seen, "b2a")), labels)
        result["baseline_seen_photos"] = judge.accuracy(scores.judge_view(scores.grey_copy(val_b_seen)), labels)
        rows.append(result)
        print(json.dumps(result), flush=True)
        print(scores.summarize(result), f"; training photos: {result['accuracy_seen_photos']:.1%} vs grey copy "
              f"{result['baseline_seen_photos']:.1%}", flush=True)
        if args.sheets:
            args.sheets.mkdir(parents=True, exist_ok=True)
            sheet = scores.cycle_sheet(model, val_a, val_b, n=8)
            tag = "_".join(f"{k}={v}" for k, v in overrides.items()) or "default"
            Image.fromarray(sheet).save(args.sheets / f"cyclegan_{tag}_{steps}.png")

    print("\n| overrides | steps | minutes | load (start; end) | judge acc. B→A | grey copy | B→A, training photos "
          "| grey, training photos | FID B→A | FID grey | cycle B→A→B | cycle A→B→A |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| `{json.dumps(r['overrides'])}` | {r['steps']} | {r['minutes']:.1f} | {r['load_start']}; {r['load_end']} "
              f"| {r['accuracy']:.3f} | {r['baseline_accuracy']:.3f} | {r['accuracy_seen_photos']:.3f} "
              f"| {r['baseline_seen_photos']:.3f} | {r['fid']:.1f} | {r['baseline_fid']:.1f} | {r['cycle_b']:.3f} "
              f"| {r['cycle_a']:.3f} |")


if __name__ == "__main__":
    main()
