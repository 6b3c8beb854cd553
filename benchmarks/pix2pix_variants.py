"""Benchmark: lesson 3's pix2pix (digit inpainting) with changed settings, each trained for the same steps.

Each variant is ``recipes.build_pix2pix("digits-inpaint", **overrides)`` (:data:`ganlib.recipes.PIX2PIX`),
trained on the default data pipeline (``data.make_pair_dataset`` with its default augmentation, the recipe's
batch size; the override keys in :data:`DATA_KEYS` go to the pipeline instead: ``"holes"``, ``"within"``,
``"distortion"``) for ``--steps`` steps (equal steps, not equal minutes: the machine may be shared; a run is cut at
``--max-minutes``, and the steps it reached are printed), then scored as :mod:`benchmarks.pix2pix_quality`
scores it (:func:`pix2pix_quality.honest_digits`), through ``model.sampler`` (the generator's moving
average when the recipe keeps one; the raw generator's scores then follow as ``raw_*``): the 2,000 held-out digits with one 14-px hole each on the
28×28 digit, a judge trained on the translator's training digits only, FID against those digits. Prints the
holed input's scores, then one JSON line per variant (judge accuracy, FID, L1, PSNR, SSIM, steps, minutes and
``os.getloadavg()`` at its start and end), then a Markdown table. Variants not started before ``--deadline``
(UTC, ``HH:MM``) are skipped. It asserts nothing.

    python benchmarks/pix2pix_variants.py --steps 2400 '{}' '{"d_base_filters": 32, "receptive_field": 34}' ...
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import time

from pix2pix_quality import honest_digits

os.environ.setdefault("GANLIB_OFFLINE", "1")

#: Override keys that change the data pipeline (``data.make_pair_dataset``'s arguments), not the recipe.
DATA_KEYS = ("holes", "within", "distortion")


def past(deadline: str | None) -> bool:
    """Whether the UTC wall clock reads ``deadline`` (``HH:MM``) or later today."""
    if not deadline:
        return False
    now = datetime.datetime.now(datetime.timezone.utc)
    hours, minutes = (int(part) for part in deadline.split(":"))
    return (now.hour, now.minute) >= (hours, minutes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", help="JSON objects of recipe overrides ('{}': the default; "
                        "\"seed\": the networks' seed, the data keeping --seed)")
    parser.add_argument("--steps", type=int, default=2400)
    parser.add_argument("--max-minutes", type=float, default=10.0, help="cut a variant's training here")
    parser.add_argument("--deadline", default=None, help="UTC HH:MM after which no variant is started")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from ganlib import callbacks, config, data, metrics, recipes

    variants = [json.loads(text) for text in args.variants]
    config.set_seed(args.seed)
    honest = honest_digits(args.seed)
    val_inputs, val_targets, val_labels = honest["val_inputs"], honest["val_targets"], honest["val_labels"]
    train_inputs, train_targets = data.load_pairs("digits-inpaint", "train", seed=args.seed, verbose=False)
    holed = {**metrics.restoration_scores(honest["judge"], val_inputs, val_labels, train_targets),
             **metrics.translation_scores(val_targets, val_inputs)}
    print(json.dumps({"holed input": holed}), flush=True)

    rows = []
    for overrides in variants:
        if past(args.deadline):
            print(f"Deadline {args.deadline} UTC reached: skipping {json.dumps(overrides)}", flush=True)
            continue
        batch_size = overrides.get("batch_size", recipes.PIX2PIX["batch_size"])
        pipeline = {k: overrides[k] for k in DATA_KEYS if k in overrides}
        dataset = data.make_pair_dataset(train_inputs, train_targets, batch_size, name="digits-inpaint",
                                         seed=args.seed, **pipeline)
        settings = {k: v for k, v in overrides.items() if k not in ("batch_size", "seed", *DATA_KEYS)}
        load_start = os.getloadavg()
        model = recipes.build_pix2pix("digits-inpaint", seed=overrides.get("seed", args.seed), **settings)
        start = time.perf_counter()
        budget = callbacks.TimeBudget(60 * args.max_minutes)
        model.fit(dataset.repeat(), steps_per_epoch=args.steps, epochs=1, verbose=0, callbacks=[budget])
        seconds = time.perf_counter() - start
        scores = metrics.evaluate_translator(model.sampler, val_inputs, val_targets, honest["judge"], val_labels,
                                             train_targets)
        if model.ema_generator is not None:  # the average is what is saved and translated; the raw one for comparison
            raw = metrics.evaluate_translator(model.generator, val_inputs, val_targets, honest["judge"], val_labels,
                                              train_targets)
            scores.update({f"raw_{key}": raw[key] for key in ("accuracy", "fid", "l1")})
        result = {"overrides": overrides, "steps": int(model.g_optimizer.iterations.numpy()),
                  "minutes": seconds / 60, "cut_by_time": budget.stopped,
                  "load_start": [round(x, 2) for x in load_start],
                  "load_end": [round(x, 2) for x in os.getloadavg()], **scores}
        rows.append(result)
        print(json.dumps(result), flush=True)

    print("\n| overrides | steps | minutes | load 1/5/15 min (start; end) | judge accuracy ↑ | FID ↓ | L1 ↓ |")
    print("|---|---:|---:|---|---:|---:|---:|")
    print(f"| holed input | | | | {holed['accuracy']:.3f} | {holed['fid']:.2f} | {holed['l1']:.4f} |")
    for r in rows:
        load = f"{'/'.join(f'{x:.1f}' for x in r['load_start'])}; {'/'.join(f'{x:.1f}' for x in r['load_end'])}"
        print(f"| `{json.dumps(r['overrides'])}` | {r['steps']} | {r['minutes']:.1f} | {load} "
              f"| {r['accuracy']:.3f} | {r['fid']:.2f} | {r['l1']:.4f} |")


if __name__ == "__main__":
    main()
