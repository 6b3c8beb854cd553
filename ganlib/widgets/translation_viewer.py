"""The translation viewer of lesson 3: input, target, output and error map of validation pairs."""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ganlib import data, metrics, viz
from ganlib.translate import translate_images
from ganlib.widgets._parts import _css_hooks


class TranslationViewer:
    """Look at an image translator's work on validation pairs: input, target, output and error map.

    Pick a pair with the *image* slider, switch between models (e.g. "L1 + GAN" and "L1 only"); for
    digit inpainting (``holes=True``) move and resize the hole yourself: the input is recomputed from the
    intact digit with :func:`ganlib.data.cut_holes`.

    Args:
        generators: ``{name: generator}``, e.g. ``{"L1 + GAN": g1, "L1 only": g2}``.
        inputs, targets: validation pairs, float32 ``(N, H, W, C)`` in [-1, 1].
        holes: show the hole sliders (digits-inpaint).
        judge: a :class:`ganlib.metrics.Judge`, to say which digit the output looks like (digits).
        labels: the true digits, with ``judge``.

    Attributes:
        index, model, hole_side, hole_top, hole_left: the controls.
        picture: the ``ipywidgets.Image`` of input | target | output | error.
        caption: an ``ipywidgets.HTML`` with the error (and the judge's reading).
        widget: the whole viewer, to display.
    """

    def __init__(self, generators: dict, inputs, targets, holes: bool = False, judge=None, labels=None):
        if not generators:
            raise ValueError("Expected at least one generator in `generators`. Received: {}")
        self.generators = dict(generators)
        self.inputs = np.asarray(inputs, dtype=np.float32)
        self.targets = np.asarray(targets, dtype=np.float32)
        if len(self.inputs) != len(self.targets) or len(self.inputs) == 0:
            raise ValueError(
                f"Expected as many `inputs` as `targets`, at least one. Received: {len(self.inputs)} and "
                f"{len(self.targets)}"
            )
        self.judge, self.labels = judge, labels
        height, width = self.inputs.shape[1:3]
        self.index = w.IntSlider(value=0, min=0, max=len(self.inputs) - 1, description="image")
        self.model = w.ToggleButtons(options=list(self.generators), description="model")
        self.hole_side = w.IntSlider(value=data.VALIDATION_HOLE, min=0, max=min(height, width), description="hole side")
        self.hole_top = w.IntSlider(value=height // 2 - 7, min=0, max=height - 1, description="hole top")
        self.hole_left = w.IntSlider(value=width // 2 - 7, min=0, max=width - 1, description="hole left")
        self.holes = holes
        self.picture = w.Image(format="png")
        self.caption = w.HTML()
        controls = [self.index, self.model] + ([self.hole_side, self.hole_top, self.hole_left] if holes else [])
        for control in controls:
            control.observe(self.on_change, names="value")
        self.widget = w.VBox([w.HBox([w.VBox(controls), self.picture]), self.caption])
        _css_hooks(
            {
                "translation-viewer": self.widget,
                "translation-index": self.index,
                "translation-model": self.model,
                "translation-picture": self.picture,
                "translation-caption": self.caption,
                "hole-side": self.hole_side,
                "hole-top": self.hole_top,
                "hole-left": self.hole_left,
            }
        )
        self.render()

    def current_input(self) -> np.ndarray:
        """The input shown: the stored one, or with ``holes`` the intact target with the slider's hole."""
        index = self.index.value
        if not self.holes:
            return self.inputs[index : index + 1]
        return data.cut_holes(self.targets[index : index + 1], self.hole_top.value, self.hole_left.value, self.hole_side.value)

    def render(self) -> dict:
        """Redraw; return ``{"input", "target", "output", "l1"}`` of the pair shown."""
        pair_input = self.current_input()
        target = self.targets[self.index.value : self.index.value + 1]
        output = translate_images(self.generators[self.model.value], pair_input)
        error = np.abs(output - target).mean(axis=-1, keepdims=True) - 1.0  # 0..2 as -1..1: white = wrong
        channels = target.shape[-1]
        row = [np.repeat(x, channels, axis=-1) if x.shape[-1] != channels else x for x in (pair_input, target, output, error)]
        self.picture.value = viz.to_png(viz.tile(np.concatenate(row), ncols=4, padding=2), scale=4)
        l1 = float(np.mean(np.abs(output - target)))
        text = f"input | target | output | error — <b>{self.model.value}</b>: L1 {l1:.3f}"
        if self.judge is not None and self.labels is not None:
            seen = int(self.judge.predict_labels(metrics.unpad_digits(output))[0])
            text += f"; the judge reads a <b>{seen}</b> (true digit {int(self.labels[self.index.value])})"
        self.caption.value = text
        return {"input": pair_input, "target": target, "output": output, "l1": l1}

    def on_change(self, _change=None) -> None:
        """Handler of every control."""
        self.render()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def translation_viewer(generators, inputs, targets, holes: bool = False, judge=None, labels=None) -> TranslationViewer:
    """Build the translation viewer (see :class:`TranslationViewer`); ``generators`` may be one model."""
    if not isinstance(generators, dict):
        generators = {"model": generators}
    return TranslationViewer(generators, inputs, targets, holes=holes, judge=judge, labels=labels)
