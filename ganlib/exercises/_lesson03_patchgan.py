"""Lesson 3's check of the conditional PatchGAN the learner builds (:func:`check_patchgan_discriminator`),
re-exported by :mod:`ganlib.exercises.lesson03`: built for 16, 34 and 70-pixel patches and as a PixelGAN, it is
compared with ganlib's builder by its grid of logits, its parameter count (the usual mistakes named by their
count), its seeds, its measured patch and its outputs with ganlib's weights, in training and inference mode."""

from __future__ import annotations

import keras
import numpy as np

from ganlib.exercises import _lesson03_networks as probe
from ganlib.exercises._lesson02_blocks import seed_of
from ganlib.exercises.checking import ExerciseError, not_attempted, todo
from ganlib.models import pix2pix

# Each case: image shape, target channels, receptive field, base filters, the logits grid, the parameters:
#  16 on 32×32×1 → 1: C4 s2 (4·4·2·4 + 4 = 132), C8 s1 (4·4·4·8 + 4·8 = 544), logits (4·4·8 + 1 = 129): 805;
#     grid 32 → 16 → pad 18 → 15 → pad 17 → 14.
#  34 on 32×32×3 → 3: C4 (4·4·6·4 + 4 = 388), C8 (512 + 32 = 544), C16 s1 (2048 + 64 = 2112), logits (257): 3301;
#     grid 32 → 16 → 8 → 7 → 6.
#  70 on 64×64×1 → 3: C2 (4·4·4·2 + 2 = 130), C4 (128 + 16 = 144), C8 (512 + 32 = 544), C16 s1 (2112), logits
#     (257): 3187; grid 64 → 32 → 16 → 8 → 7 → 6.
#  1 (PixelGAN) on 16×16×1 → 1: C4 1×1 (2·4 + 4 = 12), C8 1×1 (4·8 + 4·8 = 64), logits 1×1 (8 + 1 = 9): 85.
_PATCHGAN_CASES = [
    ((32, 32, 1), 1, 16, 4, (14, 14), 805),
    ((32, 32, 3), 3, 34, 4, (6, 6), 3301),
    ((64, 64, 1), 3, 70, 2, (6, 6), 3187),
    ((16, 16, 1), 1, 1, 4, (16, 16), 85),
]


def check_patchgan_discriminator(fn) -> bool:
    """Exercise: ``fn(image_shape, target_channels, receptive_field, base_filters, seed=None)`` builds the
    conditional PatchGAN: ``[input_image, target_image]`` concatenated on channels → a grid of patch logits
    (the layers of :func:`ganlib.models.build_patchgan_discriminator`)."""
    if not_attempted(fn):
        return todo("write `patchgan_discriminator(image_shape, target_channels, receptive_field, base_filters, seed)`.")
    for index, (shape, channels, field, base, grid, params) in enumerate(_PATCHGAN_CASES):
        args = (shape, channels, field, base)
        if field == 1:
            try:
                model = probe.build(fn, "patchgan_discriminator", *args, seed=5)
            except AssertionError as error:
                raise ExerciseError(
                    f"{error}. receptive_field=1 is the PixelGAN (RECEPTIVE_FIELDS[1] is None): 1×1 convolutions "
                    "C(base)–C(2·base, batch norm) and a 1×1 logit layer; or hand it to models.build_patchgan_discriminator."
                ) from error.__cause__
        else:
            model = probe.build(fn, "patchgan_discriminator", *args, seed=5)
        if model is None:
            return todo("replace `raise NotImplementedError` in `patchgan_discriminator` with your code.")
        _check_patchgan(fn, model, args, grid, params, first=index == 0)
    print("✅ Correct: your PatchGAN judges (input, output) pairs patch by patch, 16 to 70 px (and 1 px) wide.")
    return True


def _count_hint(model, args, params: int, n: int) -> str:
    """The hint for a PatchGAN with ``n`` parameters instead of ``params``: the usual mistakes by their count."""
    shape, channels, field, base = args
    called = f"patchgan_discriminator({shape}, {channels}, {field}, {base})"
    if field == 1:  # the PixelGAN: batch norm follows only its second 1×1 convolution, of 2 · base filters
        bn_filters, which = 2 * base, f"the second 1×1 Conv2D's {2 * base} biases (2 · base_filters filters)"
    else:
        bn_filters = sum(min(base * 2**i, 8 * base) for i in range(1, pix2pix.RECEPTIVE_FIELDS[field] + 1))
        which = f"the {bn_filters} biases of the convolutions that batch norm follows"
    hints = {
        params + 4 * base: "No batch norm on the first layer (C64 in the paper has none).",
        params + 3 * base: "No batch norm on the first layer (C64 in the paper has none); it keeps its bias.",
        params + bn_filters: f"{called} has {bn_filters} parameters too many: {which}. Leave them out "
                             "(use_bias=False): batch norm subtracts the mean, and its β takes the bias's place.",
        params - 3 * bn_filters: "Batch norm is missing after every convolution but the first and the logits"
                                 + (" (the PixelGAN's second 1×1 convolution has one)." if field == 1 else "."),
    }
    counts = ", ".join(f"{type(layer).__name__} {layer.count_params()}" for layer in _flat_layers(model)
                       if layer.count_params())
    return hints.get(n, f"{called} should have {params} parameters, got {n} (your layers: {counts}): compare "
                        "your layers with the docstring.")


def _flat_layers(model) -> list:
    return [inner for layer in model.layers
            for inner in (_flat_layers(layer) if isinstance(layer, keras.Model) else [layer])]


def _check_seeds(model, reference, called: str) -> None:
    """The i-th convolution (from 0) seeded with seed + i, as ganlib's builder (here seed = 5)."""
    mine, want = probe.kernels(model), probe.kernels(reference)
    if [k.shape for k in mine] != [k.shape for k in want]:
        return  # the layers do not line up: copy_weights names that
    for index, (got, expected) in enumerate(zip(mine, want, strict=True)):
        if not np.array_equal(got, expected):
            used = seed_of(got)
            named = "an unknown seed" if used is None else "seed" if used == 5 else f"seed {'+' if used > 5 else '−'} {abs(used - 5)}"
            raise ExerciseError(
                f"In {called}, convolution {index} (from 0) got {named}: the i-th convolution gets seed + i "
                f"(seed + {index} here), the order ganlib's builder uses, so that the same seed builds ganlib's "
                "discriminator weight for weight."
            )


def _check_patchgan(fn, model, args, grid, params, first: bool) -> None:
    shape, channels, field, base = args
    called = f"patchgan_discriminator({shape}, {channels}, {field}, {base})"
    if not isinstance(model, keras.Model) or len(model.inputs) != 2:
        raise ExerciseError(
            "Return a keras.Model with two inputs, [input_image, target_image]: keras.Model([image, target], logits)."
        )
    want = (*grid, 1)
    got = tuple(model.output_shape[1:])
    if got != want:
        hint = ""
        if field > 1 and got[:2] == tuple(g + 2 for g in grid):
            hint = " The two stride-1 4×4 layers each take ZeroPadding2D(1), then padding='valid': each trims one row."
        raise ExerciseError(f"{called} should give logits of shape (batch, {', '.join(map(str, want))}), got {got}.{hint}")
    inputs = [probe.batch((2, *shape), seed=4), probe.batch((2, *shape[:2], channels), seed=5)]
    if not probe.depends_on(model, inputs, 0):
        raise ExerciseError("D must see the input image too (it judges pairs): concatenate([input_image, target_image]).")
    if not probe.depends_on(model, inputs, 1):
        raise ExerciseError("D must see the target (or generated) image: concatenate([input_image, target_image]).")
    n = model.count_params()
    if n != params:
        raise ExerciseError(_count_hint(model, args, params, n))
    if first:
        probe.check_init(model, lambda: fn(*args, seed=5), lambda: fn(*args, seed=6), "patchgan_discriminator")
    reference = pix2pix.build_patchgan_discriminator(shape, channels, field, base, seed=5)
    _check_seeds(model, reference, called)
    if field in (16, 34, 70):
        big = (96, 96, shape[-1])
        measured = probe.measured_receptive_field(fn(big, channels, field, base, seed=5), big, channels)
        if measured != field:
            raise ExerciseError(f"Each logit should see {field}×{field} pixels; yours sees {measured}×{measured} (measured).")
    probe.copy_weights(model, reference, "patchgan_discriminator")

    def diagnose(got, want):  # called once, in training mode, before the check fails
        if probe.same(got, 1.0 / (1.0 + np.exp(-want))):
            raise ExerciseError("Return logits: no sigmoid at the end (the losses take logits).")
        if shape[-1] == channels and probe.same(got, probe.outputs(reference, inputs[::-1], True)):
            raise ExerciseError("Concatenate the input image first, then the target: concatenate([input_image, target_image]).")

    probe.compare_modes(model, reference, inputs, diagnose, "patchgan_discriminator")
