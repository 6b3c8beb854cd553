"""The training lab: a lesson's game trains in the background while the learner moves its knobs.

``widgets.training_lab("gan", images)`` (lesson 1), ``("dcgan", images, judge=judge)`` (lesson 2),
``("pix2pix", (inputs, targets), validation=(val_inputs, val_targets))`` (lesson 3) or ``("toy", "grid")``
(lesson 7, on a 2-D toy of :func:`ganlib.data.toy_mixture`) builds the lesson's recipe
(:mod:`ganlib.recipes`, as the CLI does) and shows *Start* / *Pause* / *Reset* / *Save run*, the knobs, a
status line, a step counter and a live view (:mod:`ganlib.runs.lab_views`). Training runs in a
:class:`ganlib.runs.LiveRun` thread, so other cells run meanwhile.

*Live* knobs (learning rates, label smoothing, D steps per G step, λ, the penalties' weights) change the running
game at its next step and leave a labelled marker on the curves; *structural* knobs (sizes, loss, batch size, EMA,
the discriminator's stabilisers) need new networks and apply at *Reset*. The view is a PNG in an ``ipywidgets.Image``, rendered with matplotlib's Agg
canvas in the training thread: setting a widget's value from another thread is safe, printing into an
``Output`` widget from one is not.
"""

from __future__ import annotations

import time
import weakref

import ipywidgets as w
import numpy as np

from ganlib import callbacks, data, latent, losses, metrics, recipes
from ganlib.callbacks._redraw_pacing import RedrawPacing
from ganlib.runs import LiveRun, lab_views
from ganlib.runs.live import LIVE_KNOBS, format_value
from ganlib.widgets._parts import _css_hooks, _error_line

#: The losses the labs of lessons 1-3 offer: the two of the GAN paper and least squares (all with label smoothing).
LAB_LOSSES = ("non_saturating", "minimax", "least_squares")
#: The losses each lab offers (lesson 7's toy: every family ganlib trains).
LAB_KIND_LOSSES = {"gan": LAB_LOSSES, "dcgan": LAB_LOSSES, "pix2pix": LAB_LOSSES, "toy": losses.FAMILIES}

#: Per lesson: the recipe, its live knobs, its structural knobs (applied at Reset).
LAB_KINDS = {
    "gan": (recipes.MLP_GAN, ("g_lr", "d_lr", "label_smoothing", "d_steps"), ("latent_dim", "batch_size", "loss")),
    "dcgan": (
        recipes.DCGAN,
        ("g_lr", "d_lr", "label_smoothing", "d_steps"),
        ("latent_dim", "base_filters", "d_base_filters", "batch_size", "loss", "ema_decay"),
    ),
    "pix2pix": (
        recipes.PIX2PIX,
        ("g_lr", "d_lr", "label_smoothing", "l1_weight"),
        ("base_filters", "d_base_filters", "receptive_field", "batch_size", "loss", "ema_decay"),
    ),
    "toy": (
        recipes.TOY,
        ("g_lr", "d_lr", "d_steps", "gradient_penalty_weight", "r1_weight"),
        ("loss", "spectral_norm", "minibatch_std", "clip_weights", "batch_size"),
    ),
}

_STRUCTURAL_OPTIONS = {
    "latent_dim": ("latent size", [2, 8, 16, 32, 64, 100, 128]),
    "batch_size": ("batch size", [16, 32, 64, 128, 256]),
    "loss": ("loss", list(LAB_LOSSES)),
    "base_filters": ("G width", [16, 32, 64, 96]),
    "d_base_filters": ("D width", [8, 16, 32, 64]),
    "ema_decay": ("EMA of G", [("off", None), ("0.99", 0.99), ("0.999", 0.999)]),
    "receptive_field": ("PatchGAN patch (px)", [1, 16, 34]),
    "spectral_norm": ("spectral norm (D)", [("off", False), ("on", True)]),
    "minibatch_std": ("minibatch std (D)", [("off", 0), ("groups of 4", 4)]),
    "clip_weights": ("clip D's weights", [("off", None), ("±0.01", 0.01), ("±0.1", 0.1)]),
}


def _weakly(method):
    """``method`` called through a weak reference: a handler or the thread never keeps the lab alive."""
    ref = weakref.WeakMethod(method)

    def call(*args):
        target = ref()
        if target is not None:
            return target(*args)

    return call


def _live_control(name: str, value):
    style, layout = {"description_width": "150px"}, w.Layout(width="430px")
    label = {"g_lr": "G learning rate", "d_lr": "D learning rate", "label_smoothing": "label smoothing",
             "d_steps": "D steps per G step", "l1_weight": "λ (L1 weight)",
             "gradient_penalty_weight": "GP λ (0: off)", "r1_weight": "R1 γ (0: off)"}[name]
    common = dict(description=label, style=style, layout=layout, continuous_update=False)
    if name in ("g_lr", "d_lr"):
        return w.FloatLogSlider(value=value, base=10, min=-5, max=-1, step=0.1, readout_format=".1e", **common)
    if name == "label_smoothing":
        return w.FloatSlider(value=value, min=0.0, max=0.3, step=0.05, **common)
    if name == "d_steps":
        return w.IntSlider(value=value, min=1, max=5, **common)
    if name in ("gradient_penalty_weight", "r1_weight"):
        return w.FloatSlider(value=value, min=0.0, max=10.0, step=0.05, **common)
    return w.FloatSlider(value=value, min=0.0, max=200.0, step=10.0, **common)


def _structural_control(name: str, value, kind: str = "gan"):
    label, options = _STRUCTURAL_OPTIONS[name]
    if name == "loss":
        options = list(LAB_KIND_LOSSES[kind])
    values = [o[1] if isinstance(o, tuple) else o for o in options]
    if value not in values:
        options = [*options, value]
    return w.Dropdown(options=options, value=value, description=label + " ⟳",
                      style={"description_width": "150px"}, layout=w.Layout(width="330px"))


class TrainingLab:
    """A lesson's game training in a background thread, with live and structural knobs and a live view.

    Args:
        kind: ``"gan"`` (lesson 1), ``"dcgan"`` (lesson 2), ``"pix2pix"`` (lesson 3, hole filling) or ``"toy"``
            (lesson 7).
        train: the training digits (``"gan"``, ``"dcgan"``), ``(inputs, targets)`` pairs (``"pix2pix"``), or the
            toy mixture's name, ``"ring"`` or ``"grid"`` (``"toy"``: its :data:`ganlib.data.TOY_POINTS` points,
            drawn with ``seed``).
        validation: ``"pix2pix"``: ``(inputs, targets)`` pairs to show (the first ``n_shown``).
        judge: ``"dcgan"``: a :class:`ganlib.metrics.Judge` for the FID curve and the class histogram.
        seed: seed of weights, noise and data order; *Reset* re-uses it.
        fid_every: ``"dcgan"``: steps between FID points.
        redraw_seconds: seconds between redraws, at least (a change is drawn at once).
        max_overhead: the largest share of time the periodic redraws take (0.05: about 5%); a change, a
            pause and a reset are drawn at once besides.
        save_folder: the folder *Save run* offers (editable in the lab).
        n_shown: samples (or validation pairs) in the view (the toy shows :data:`ganlib.metrics.MODE_SAMPLES`).
        **overrides: starting values of the recipe's settings (e.g. ``d_lr=2e-3``).

    Attributes:
        controls: every knob by setting name (``controls["d_lr"]``); live ones in ``live_knobs``.
        live: the :class:`ganlib.runs.LiveRun` (``live.model``, ``live.history``, ``live.markers``).
        status, counter, view: the status line, the step counter and the ``Image`` of the live view.
        redraws, draw_seconds: how often and how long the view was drawn.
        widget: the whole lab, to display.
    """

    def __init__(self, kind, train, validation=None, judge=None, seed: int = 0, fid_every: int = 500,
                 redraw_seconds: float = 1.0, max_overhead: float = 0.05, save_folder: str = "",
                 n_shown: int = 16, **overrides):
        if kind not in LAB_KINDS:
            raise ValueError(f"Expected `kind` to be one of {sorted(LAB_KINDS)}. Received: kind={kind!r}")
        self.kind, self.seed = kind, seed
        self.pacing = RedrawPacing(redraw_seconds, max_overhead)
        recipe, live_names, structural_names = LAB_KINDS[kind]
        hp = recipes.settings(recipe, **overrides)
        if hp["loss"] not in LAB_KIND_LOSSES[kind]:
            raise ValueError(f"Expected `loss` to be one of {LAB_KIND_LOSSES[kind]}. Received: loss={hp['loss']!r}")
        self._recipe = recipe
        self._fixed_hp = {k: v for k, v in hp.items() if k not in live_names and k not in structural_names}
        if kind == "pix2pix":
            self.train_pairs = tuple(np.asarray(a, np.float32) for a in train)
            if validation is None:
                raise ValueError("Expected `validation=(inputs, targets)` for the pix2pix lab: the pairs it shows.")
            self.fixed = tuple(np.asarray(a, np.float32)[:min(n_shown, 6)] for a in validation)
        elif kind == "toy":
            self.mixture = train
            self.points, self.centres = data.toy_mixture(train, data.TOY_POINTS, seed=seed)
            self.fixed = None  # (noise, centres, σ), drawn once the latent size is known
        else:
            self.images = data.as_model_input(train)
            self.fixed = None  # fixed noise, drawn once the latent size is known
        self.n_shown = n_shown
        self.judge, self.fid_every = judge, fid_every
        self.live_knobs = {name: _live_control(name, hp[name]) for name in live_names}
        structural = {name: _structural_control(name, hp[name], kind) for name in structural_names}
        self.controls = {**self.live_knobs, **structural}
        for control in self.live_knobs.values():
            control.observe(_weakly(self._on_live_knob), "value")
        for control in structural.values():
            control.observe(_weakly(self._on_structural_knob), "value")

        self.start_button = w.Button(description="Start", button_style="success", icon="play")
        self.pause_button = w.Button(description="Pause", icon="pause")
        self.reset_button = w.Button(description="Reset", button_style="warning", icon="refresh")
        self.save_button = w.Button(description="Save run", icon="save")
        self.save_input = w.Text(value=str(save_folder), placeholder="folder, e.g. runs/lab", layout=w.Layout(width="260px"))
        for button, handler in ((self.start_button, self.on_start_clicked), (self.pause_button, self.on_pause_clicked),
                                (self.reset_button, self.on_reset_clicked), (self.save_button, self.on_save_clicked)):
            button.on_click(_weakly(handler))
        self.status, self.counter = w.HTML(), w.HTML(value="step 0")
        self.view = w.Image(format="png", layout=w.Layout(max_width="100%"))
        legend = w.HTML("<small>Sliders change the running game at its next step; ⟳ settings apply at <i>Reset</i>.</small>")
        self.widget = w.VBox([
            w.HBox([w.VBox(list(self.live_knobs.values())), w.VBox(list(structural.values()))]),
            legend,
            w.HBox([self.start_button, self.pause_button, self.reset_button, self.save_button, self.save_input, self.counter]),
            self.status,
            self.view,
        ])
        _css_hooks({"training-lab": self.widget, "start": self.start_button, "pause": self.pause_button,
                    "reset": self.reset_button, "save": self.save_button, "save-folder": self.save_input,
                    "status": self.status, "counter": self.counter, "view": self.view,
                    **{f"knob-{name}": control for name, control in self.controls.items()}})
        self._next_count, self._draw_now = 0.0, False
        self.quality_log = None
        self.coverage = None  # the toy's modes covered, step by step (redraw adds a point)
        self.live = LiveRun(_weakly(self._build), _weakly(self._make_dataset), callbacks=self._callbacks(),
                            on_step=_weakly(self._on_step), on_change=_weakly(self._on_change),
                            on_error=_weakly(self._on_error), on_stop=_weakly(self._on_stop))
        self._finalizer = weakref.finalize(self, self.live._stop.set)
        self._after_reset()

    # ------------------------------------------------------------------------------------ settings

    def settings(self) -> dict:
        """The recipe with the knobs' current values (see :func:`ganlib.recipes.settings`)."""
        return recipes.settings(self._recipe, **self._fixed_hp, **{n: c.value for n, c in self.controls.items()})

    def _build(self):
        self._built_with = hp = self.settings()
        values = {k: v for k, v in hp.items() if k != "batch_size"}
        if self.kind == "gan":
            return recipes.build_mlp_gan(seed=self.seed, **values)
        if self.kind == "dcgan":
            return recipes.build_dcgan(seed=self.seed, **values)
        if self.kind == "toy":
            return recipes.build_toy_gan(self.mixture, seed=self.seed, **values)
        return recipes.build_pix2pix("digits-inpaint", image_shape=self.train_pairs[0].shape[1:], seed=self.seed, **values)

    def _make_dataset(self, step: int):
        batch_size, seed = self._built_with["batch_size"], self.seed + step
        if self.kind == "pix2pix":
            return data.make_pair_dataset(*self.train_pairs, batch_size, name="digits-inpaint", seed=seed)
        if self.kind == "toy":
            return data.make_toy_dataset(self.points, batch_size, seed=seed)
        return data.make_image_dataset(self.images, batch_size, seed=seed)

    def _callbacks(self):
        if self.kind != "dcgan" or self.judge is None:
            return []
        self.quality_log = callbacks.QualityLog(self.judge, self.images, every_n_steps=self.fid_every, n_samples=500)
        return [self.quality_log]

    def _after_reset(self):
        model = self.live.model
        if self.kind == "toy":
            sigma = data.toy_centres(self.mixture)[1]
            self.fixed = (latent.noise(model.latent_dim, metrics.MODE_SAMPLES, self.seed), self.centres, sigma)
            self.coverage = {"step": [], "modes": [], "high_quality": [], "of": len(self.centres)}
        elif self.kind != "pix2pix":
            self.fixed = latent.noise(model.latent_dim, self.n_shown, self.seed)
        self.counter.value = f"step {model.step}"
        hp = self._built_with
        labels = {n: dict((o[1], o[0]) for o in _STRUCTURAL_OPTIONS[n][1] if isinstance(o, tuple)) for n in hp
                  if n in _STRUCTURAL_OPTIONS}
        sizes = ", ".join(f"{_STRUCTURAL_OPTIONS[n][0]} {labels[n].get(hp[n], format_value(hp[n]))}"
                          for n in LAB_KINDS[self.kind][2])
        self.status.value = f"New {self.kind}: {sizes}. Press <i>Start</i>."
        self.redraw()

    # ------------------------------------------------------------------------------------ actions

    @property
    def model(self):
        """The model being trained."""
        return self.live.model

    @property
    def step(self) -> int:
        return self.live.step

    def start(self) -> None:
        """Train in the background (what *Start* does).

        The status line is written before the thread starts: a thread that fails at once writes its reason
        after it, never under it.
        """
        if not self.live.running:
            self.status.value = f"Training from step {self.step} …"
        self.live.start()

    def pause(self) -> float:
        """Stop after the step under way (what *Pause* does); return the seconds it took."""
        return self.live.pause()

    def run_for(self, seconds: float | None = None, steps: int | None = None) -> int:
        """Train for ``seconds`` or ``steps`` more steps, then pause (blocking; for scripted experiments and the
        lessons' smoke runs); return the steps made. See :meth:`ganlib.runs.LiveRun.run_for`."""
        self.status.value = f"Training from step {self.step} …"
        return self.live.run_for(seconds=seconds, steps=steps)

    def reset(self) -> None:
        """New networks from the current knobs and seed, an empty history (what *Reset* does)."""
        self.live.reset()
        if self.quality_log is not None:
            self.live.callbacks = self._callbacks()
        self._after_reset()

    def save(self, folder=None):
        """Save the run (what *Save run* does): ``folder/generator.keras`` and a checkpoint; returns its path."""
        folder = folder or self.save_input.value.strip()
        if not folder:
            raise ValueError("Type a folder to save into next to *Save run* (e.g. runs/lab).")
        settings = {"model": self.kind, "seed": self.seed}
        if self.kind == "pix2pix":
            settings.update(dataset="digits-inpaint", size=None)
        if self.kind == "toy":  # as `python -m ganlib train toy` records it
            settings.update(dataset=self.mixture)
        path = self.live.save(folder, settings=settings)
        command = "translate" if self.kind == "pix2pix" else "sample"
        self.status.value = (f"Saved step {self.step} in {folder} (<code>python -m ganlib {command} {folder} …</code> "
                             f"reads it; <code>storage.load_model('{folder}/generator.keras')</code> too).")
        return path

    def close(self) -> None:
        """Stop training, join the thread and close the widgets."""
        self.live.close()
        self.widget.close()

    # ------------------------------------------------------------------------------------ drawing

    def redraw(self) -> None:
        """Draw the live view now."""
        began = self.pacing.clock()
        shares = None
        if self.quality_log is not None and self.quality_log.last_result is not None:
            shares = self.quality_log.last_result["coverage"]
        quality = self.quality_log.quality if self.quality_log is not None else None
        if self.kind == "dcgan" and self.judge is None:
            quality = {"note": "no judge: pass judge= for the FID"}
        if self.kind == "toy":
            quality = self._toy_coverage()
        self.view.value = lab_views.png(self.kind, self.live, self.fixed, quality=quality, shares=shares)
        self.counter.value = f"step {self.step}"
        self.pacing.drawn(began)

    def _toy_coverage(self) -> dict:
        """The coverage so far, with a point for the current step (:func:`ganlib.metrics.mode_coverage` of the fixed
        noise's samples) unless it has one."""
        coverage, step = self.coverage, self.step
        if step and (not coverage["step"] or coverage["step"][-1] != step):
            noise, centres, sigma = self.fixed
            points = np.asarray(self.model.sampler(noise, training=False))
            if np.all(np.isfinite(points)):  # a diverged generator's NaN: the scatter shows it, no point here
                result = metrics.mode_coverage(points, centres, sigma)
                for key, value in (("step", step), ("modes", result["modes"]), ("high_quality", result["high_quality"])):
                    coverage[key].append(value)
        return coverage

    @property
    def redraws(self) -> int:
        return self.pacing.redraws

    @property
    def draw_seconds(self) -> float:
        return self.pacing.draw_seconds

    # ------------------------------------------------------------------------------------ handlers

    def _on_step(self, live):
        now = time.perf_counter()
        if self._draw_now or self.pacing.due():
            self._draw_now = False
            self.redraw()
        elif now >= self._next_count:
            self.counter.value = f"step {live.step}"
            self._next_count = now + 0.5

    def _on_change(self, live, marker):
        step, text = marker
        self.status.value = f"{text} at step {step}."
        self._draw_now = True
        if not live.running:
            self.redraw()

    def _on_error(self, live, error):
        self.status.value = _error_line(f"Training stopped at step {live.step}", error)

    def _on_stop(self, live):
        if live.error is None:
            speed = f" ({live.steps_per_second:.1f} steps/s)" if live.steps_per_second else ""
            self.status.value = f"Paused at step {live.step}{speed}. <i>Start</i> continues this run."
        try:
            self.redraw()
        except Exception as error:  # a drawing failure must not hide the reason training stopped
            if live.error is None:
                self.status.value = _error_line("Drawing failed", error)

    def _on_live_knob(self, change):
        name = next(n for n, c in self.live_knobs.items() if c is change["owner"])
        try:
            if self.live.running:  # said before queuing: the thread's "… at step N" may come at once and must stay
                label = LIVE_KNOBS[name][0]
                self.status.value = f"{label} → {format_value(change['new'])}: applied at the next step …"
            self.live.change(name, change["new"])
        except Exception as error:
            self.status.value = _error_line(f"{name} not changed", error)

    def _on_structural_knob(self, change):
        name = next(n for n, c in self.controls.items() if c is change["owner"])
        self.status.value = f"{_STRUCTURAL_OPTIONS[name][0]} changes the networks: press <i>Reset</i> to apply it."

    def on_start_clicked(self, _button=None):
        self._guarded("Start failed", self.start)

    def on_pause_clicked(self, _button=None):
        self._guarded("Pause failed", self.pause)

    def on_reset_clicked(self, _button=None):
        self._guarded("Reset failed", self.reset)

    def on_save_clicked(self, _button=None):
        self._guarded("Save failed", self.save)

    def _guarded(self, what, action):
        try:
            action()
        except Exception as error:  # the learner sees it in the status line, not as a silent widget
            self.status.value = _error_line(what, error)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def training_lab(kind: str, train, **kwargs) -> TrainingLab:
    """Build a lesson's training lab; show it by making it a cell's last value. See :class:`TrainingLab`."""
    return TrainingLab(kind, train, **kwargs)
