"""Each lesson's training lab, live, as a learner drives it: JupyterLab in headless Chromium, real clicks.

For ``widgets.training_lab("gan" | "dcgan" | "pix2pix", ...)`` built on a small data set in a scratch notebook
(written into the server's temporary copy, never into ``notebooks/``): press *Start*, wait until the step
counter moves, type a new D learning rate (lesson 3: λ) into its slider's readout **while it trains**, and
check that

* the change is applied: its marker shows on the plot (the view's picture gains the marker colour) and in
  the status line, and the running model's optimizer (or λ) holds the new value;
* another cell runs while it trains, and training goes on after it;
* *Pause* stops the counter, with the training thread ended.

Values in the kernel are read back by running a probe cell in the page, which prints them as JSON.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time

import numpy as np
import pytest
from labdriver import LabNotebook, open_and_run

pytestmark = pytest.mark.browser

#: Seconds for the scratch notebook to import TensorFlow, load the data and show the lab (2 busy CPU cores).
OPEN_TIMEOUT = 300
#: Seconds for the first steps after *Start* (tracing the training step; pix2pix's takes longest).
FIRST_STEP_TIMEOUT = 240
#: Seconds for anything else to show in the page (a change applied, a redraw, a cell's output, a pause).
UI_TIMEOUT = 120

#: Matplotlib's "tab:purple", the colour of the change markers (ganlib.runs.lab_views), as RGB.
MARKER_RGB = (148, 103, 189)

# Per lab: the cell that builds it, the knob to move (its setting name, and the expression of the value the
# running model trains with), the value typed, and the marker it must leave (hand-written from
# ganlib.runs.live.format_value: 5e-4 -> "5e-04", 0.01 -> "0.01", 100.0 -> "100").
LABS = {
    "gan": dict(
        screenshot="01_training_lab",
        build=(
            "images, _ = data.load_mnist(verbose=False)\n"
            "lab = widgets.training_lab('gan', images[:512], seed=0)\n"
        ),
        knob="d_lr",
        trained_with="float(keras.ops.convert_to_numpy(lab.model.d_optimizer.learning_rate))",
        before=5e-4,
        typed="0.005",
        marker="D lr 5e-04 → 5e-03",
    ),
    "dcgan": dict(
        screenshot="02_training_lab",
        build=(
            "images, _ = data.load_mnist(verbose=False)\n"
            "lab = widgets.training_lab('dcgan', images[:512], seed=0)\n"
        ),
        knob="d_lr",
        trained_with="float(keras.ops.convert_to_numpy(lab.model.d_optimizer.learning_rate))",
        before=1e-3,
        typed="0.01",
        marker="D lr 1e-03 → 0.01",
    ),
    "pix2pix": dict(
        screenshot="03_training_lab",
        build=(
            "train = data.load_pairs('digits-inpaint', 'train', n=256, verbose=False)\n"
            "validation = data.load_pairs('digits-inpaint', 'validation', n=8, verbose=False)\n"
            "lab = widgets.training_lab('pix2pix', train, validation=validation, seed=0)\n"
        ),
        knob="l1_weight",
        trained_with="float(lab.model.l1_weight)",
        before=100.0,
        typed="10",
        marker="λ 100 → 10",
    ),
}


def _scratch_notebook(spec: dict) -> dict:
    """Two code cells: the lab, and a probe that prints ``2 + 2`` and the run's state as one JSON line."""
    imports = "import json\n\nimport keras\n\nfrom ganlib import data, widgets\n\n"
    probe = (
        "print(2 + 2)\n"
        "print('PROBE', json.dumps({'step': lab.step, 'running': lab.live.running, "
        f"'markers': list(lab.live.markers), 'control': float(lab.controls[{spec['knob']!r}].value), "
        f"'trained_with': {spec['trained_with']}}}))\n"
    )

    def cell(source):
        return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}

    return {
        "cells": [cell(imports + spec["build"] + "lab"), cell(probe)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _wait_for(read, accept, what: str, timeout: float):
    """Poll ``read()`` until ``accept(value)``; return the value, or fail saying what was last seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s; last seen: {value!r}")
        time.sleep(0.25)


class LabPage:
    """The lab in the page: its counter, status, view and knobs, and the probe cell."""

    def __init__(self, page, notebook: LabNotebook, widget):
        self.page, self.notebook, self.widget = page, notebook, widget

    def counter(self) -> int:
        text = self.page.locator(".ganlib-counter").inner_text()
        found = re.search(r"step (\d+)", text)
        assert found, f"the step counter reads {text!r}"
        return int(found.group(1))

    def status(self) -> str:
        text = self.page.locator(".ganlib-status").inner_text()
        assert "Training stopped" not in text and "failed" not in text, f"the lab reports an error: {text}"
        return text

    def view_png(self) -> bytes | None:
        """The bytes of the picture the view shows now (the ``Image`` widget's blob), or ``None``."""
        encoded = self.page.evaluate(
            """async () => {
                const el = document.querySelector('.ganlib-view');
                const img = el && (el.tagName === 'IMG' ? el : el.querySelector('img'));
                if (!img || !img.src) return null;
                try {
                    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
                    let text = '';
                    for (let i = 0; i < bytes.length; i += 0x8000)
                        text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
                    return btoa(text);
                } catch (e) { return null; }  // a blob revoked by a redraw meanwhile: read again
            }"""
        )
        return base64.b64decode(encoded) if encoded else None

    def marker_pixels(self) -> int:
        """How many pixels of the view have the change markers' colour (-1: no picture to read)."""
        from PIL import Image

        png = self.view_png()
        if png is None:
            return -1
        rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
        return int((np.abs(rgb - np.array(MARKER_RGB)).max(axis=-1) <= 20).sum())

    def type_into_readout(self, knob: str, text: str) -> None:
        """Type ``text`` into the slider's readout and press Enter, as a learner can (ipywidgets 8)."""
        readout = self.page.locator(f".ganlib-knob-{knob.replace('_', '-')} .widget-readout")
        readout.click()
        readout.fill(text)
        readout.press("Enter")

    def probe(self) -> tuple[str, dict]:
        """Run the probe cell (click into it, Ctrl+Enter); return its printed lines and its JSON."""
        before = self.notebook.state()["prompts"][1]
        cell = self.page.locator(".jp-Notebook .jp-Cell.jp-CodeCell").nth(1)
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Control+Enter")
        _wait_for(
            lambda: self.notebook.state()["prompts"][1],
            lambda p: p != before and "*" not in p and any(ch.isdigit() for ch in p),
            "the probe cell did not run",
            UI_TIMEOUT,
        )
        text = _wait_for(
            lambda: cell.locator(".jp-OutputArea").inner_text(),
            lambda t: "PROBE" in t or "Traceback" in t,
            "the probe cell printed nothing",
            UI_TIMEOUT,
        )
        assert "Traceback" not in text, f"the probe cell raised:\n{text}"
        line = next(line for line in text.splitlines() if line.startswith("PROBE"))
        return text, json.loads(line.split(" ", 1)[1])


def _open_lab(page, lab, kind: str) -> LabPage:
    name = f"training_lab_{kind}.ipynb"
    (lab.root / name).write_text(json.dumps(_scratch_notebook(LABS[kind])))
    notebook, widget = open_and_run(page, lab, name, "ganlib-training-lab", f"{kind} training lab", OPEN_TIMEOUT)
    return LabPage(page, notebook, widget)


@pytest.mark.parametrize("kind", list(LABS))
def test_training_lab_is_live_in_jupyterlab(lab, page, screenshots, kind):
    """Start, move the knob while it trains (marker, optimizer value), run a cell meanwhile, pause."""
    spec = LABS[kind]
    ui = _open_lab(page, lab, kind)
    _, state = ui.probe()
    assert state["step"] == 0 and not state["running"] and state["markers"] == [], state
    assert state["trained_with"] == pytest.approx(spec["before"], rel=1e-6), state
    assert ui.counter() == 0
    assert ui.marker_pixels() == 0, "the view shows a change marker before any change"

    page.locator(".ganlib-start").click()
    moving = _wait_for(ui.counter, lambda n: n > 0, "the step counter did not move after Start", FIRST_STEP_TIMEOUT)
    # the counter moves on: the run trains in the background, not in one blocking stretch
    _wait_for(ui.counter, lambda n: n > moving, "the step counter stopped moving after Start", UI_TIMEOUT)
    assert "Training" in ui.status(), ui.status()

    # the knob moves while it trains, through the slider's readout; nothing else is pressed
    ui.type_into_readout(spec["knob"], spec["typed"])
    status = _wait_for(ui.status, lambda s: spec["marker"] + " at step" in s,
                       f"the status line did not report '{spec['marker']}'", UI_TIMEOUT)
    marker_step = int(re.search(r"at step (\d+)", status).group(1))
    pixels = _wait_for(ui.marker_pixels, lambda n: n >= 30,
                       "the view did not draw the change marker (pixels of its colour)", UI_TIMEOUT)

    # another cell runs while it trains, and sees the change applied to the running model
    output, state = ui.probe()
    assert output.splitlines()[0].strip() == "4", output
    assert state["running"], f"the probe cell ran, but training had stopped: {state}"
    assert state["markers"] == [[marker_step, spec["marker"]]], state
    assert state["control"] == pytest.approx(float(spec["typed"]), rel=1e-12), state
    assert state["trained_with"] == pytest.approx(float(spec["typed"]), rel=1e-6), state
    _wait_for(ui.counter, lambda n: n > state["step"], "the step counter did not move on after the cell ran",
              UI_TIMEOUT)

    page.locator(".ganlib-pause").click()
    status = _wait_for(ui.status, lambda s: "Paused at step" in s, "the status line did not say Paused", UI_TIMEOUT)
    paused_at = int(re.search(r"Paused at step (\d+)", status).group(1))
    _wait_for(ui.counter, lambda n: n == paused_at, f"the counter did not settle at step {paused_at}", UI_TIMEOUT)
    _, state = ui.probe()
    assert not state["running"] and state["step"] == paused_at, f"paused at {paused_at}, but the kernel says {state}"
    assert ui.counter() == paused_at, "the step counter moved after Pause"
    assert ui.marker_pixels() >= pixels // 2, "the marker left the view after Pause"
    screenshots(ui.widget, spec["screenshot"])
