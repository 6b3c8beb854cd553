"""Interactive panels for the notebooks (the only ganlib module that imports ipywidgets).

:func:`training_panel` puts the lesson-1 GAN's knobs next to *Train* and *Reset* buttons and a live
dashboard. Every handler is a plain method of :class:`TrainingPanel`, so tests drive it without a browser::

    panel = widgets.training_panel(images)
    panel.controls["d_lr"].value = 2e-3
    panel.train(200)          # what the Train button does
    panel.reset()             # what the Reset button does

Every part a learner sees carries a ``ganlib-…`` CSS class (``panel.train_button`` is
``.ganlib-train``, …) so that the browser tests in ``tests/browser`` can find it in JupyterLab.
"""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ganlib import callbacks, data, latent, metrics, recipes, viz
from ganlib.translate import translate_images


def _css_hooks(parts: dict) -> None:
    """Give each widget the CSS class ``ganlib-<name>`` (``_`` written as ``-``): stable handles for the
    browser tests; nothing else depends on them."""
    for name, widget in parts.items():
        widget.add_class("ganlib-" + name.replace("_", "-"))


#: The losses lesson 1 teaches (the two of the GAN paper, and least squares in its exercise). The
#: Wasserstein and hinge losses need a critic constrained in ways lesson 1 does not build, so the panel does
#: not offer them.
PANEL_LOSSES = ("non_saturating", "minimax", "least_squares")


def _error_line(what: str, error: Exception) -> str:
    return f"<span style='color:#b00'>{what}: {type(error).__name__}: {error}</span>"


def _knob_widgets(hp: dict) -> dict:
    style = {"description_width": "140px"}
    layout = w.Layout(width="420px")

    def learning_rate_slider(value, player):
        return w.FloatLogSlider(
            value=value,
            base=10,
            min=-5,
            max=-1,
            step=0.1,
            description=f"{player} learning rate",
            readout_format=".1e",
            style=style,
            layout=layout,
        )

    return {
        "g_lr": learning_rate_slider(hp["g_lr"], "G"),
        "d_lr": learning_rate_slider(hp["d_lr"], "D"),
        "latent_dim": w.Dropdown(
            options=[2, 8, 16, 32, 64, 100, 128],
            value=hp["latent_dim"],
            description="latent size",
            style=style,
            layout=layout,
        ),
        "batch_size": w.Dropdown(
            options=[16, 32, 64, 128, 256],
            value=hp["batch_size"],
            description="batch size",
            style=style,
            layout=layout,
        ),
        "d_steps": w.IntSlider(
            value=hp["d_steps"], min=1, max=5, description="D steps per G step", style=style, layout=layout
        ),
        "loss": w.Dropdown(
            options=list(PANEL_LOSSES), value=hp["loss"], description="loss", style=style, layout=layout
        ),
        "label_smoothing": w.FloatSlider(
            value=hp["label_smoothing"],
            min=0.0,
            max=0.3,
            step=0.05,
            description="label smoothing",
            style=style,
            layout=layout,
        ),
    }


class TrainingPanel:
    """The lesson-1 training panel: knobs, *Train N steps*, *Reset*, and a live dashboard.

    Args:
        images: training digits (uint8 ``(N, 28, 28)`` or floats in [-1, 1]).
        steps: the *Train N steps* default.
        seed: seed of weights, noise and data order; *Reset* re-uses it, so a reset run is repeatable.
        redraw_every: steps between dashboard redraws.
        **overrides: starting values of the knobs (keys of :data:`ganlib.recipes.MLP_GAN`).

    Attributes:
        controls: the knob widgets by setting name.
        train_button, reset_button, steps_input: the buttons and the step count.
        status: an HTML line saying what happened last.
        output: the ``ipywidgets.Output`` the dashboard draws into.
        gan: the current :class:`ganlib.training.GAN`.
        dashboard: the current :class:`ganlib.callbacks.LiveDashboard` (its ``history`` and ``step``).
        widget: the whole panel, to display.
    """

    def __init__(self, images, steps: int = 300, seed: int = 0, redraw_every: int = 25, **overrides):
        self.images = data.as_model_input(images)
        self.seed = seed
        self.redraw_every = redraw_every
        hp = recipes.settings(recipes.MLP_GAN, **overrides)
        if hp["loss"] not in PANEL_LOSSES:
            raise ValueError(f"Expected `loss` to be one of {PANEL_LOSSES}. Received: loss={hp['loss']!r}")
        self.controls = _knob_widgets(hp)
        self.steps_input = w.BoundedIntText(
            value=steps, min=1, max=100_000, description="steps", layout=w.Layout(width="180px")
        )
        self.train_button = w.Button(description="Train N steps", button_style="success", icon="play")
        self.reset_button = w.Button(description="Reset", button_style="warning", icon="refresh")
        self.status = w.HTML()
        self.output = w.Output()
        self.train_button.on_click(self.on_train_clicked)
        self.reset_button.on_click(self.on_reset_clicked)
        self._built_with = None
        self.widget = w.VBox(
            [
                w.HBox([w.VBox(list(self.controls.values())[:4]), w.VBox(list(self.controls.values())[4:])]),
                w.HBox([self.steps_input, self.train_button, self.reset_button]),
                self.status,
                self.output,
            ]
        )
        _css_hooks(
            {
                "training-panel": self.widget,
                "train": self.train_button,
                "reset": self.reset_button,
                "steps": self.steps_input,
                "status": self.status,
                "dashboard": self.output,
                **{f"knob-{name}": control for name, control in self.controls.items()},
            }
        )
        self.reset()

    def settings(self) -> dict:
        """Return the knobs' current values as a recipe dict (see :func:`ganlib.recipes.settings`)."""
        return recipes.settings(recipes.MLP_GAN, **{name: c.value for name, c in self.controls.items()})

    def reset(self) -> None:
        """Start over: new players from the current knobs, fresh optimizers, an empty dashboard."""
        hp = self.settings()
        self.gan = recipes.build_mlp_gan(seed=self.seed, **hp)
        self.dashboard = callbacks.LiveDashboard(
            out=self.output, every_n_steps=self.redraw_every, min_interval=1.0
        )
        self._built_with = hp
        self.output.clear_output()
        self.status.value = (
            f"New GAN: latent size {hp['latent_dim']}, loss <b>{hp['loss']}</b>. Press <i>Train N steps</i>."
        )

    def _apply_settings(self) -> str:
        """Bring the GAN in line with the knobs; return what changed (for the status line)."""
        hp = self.settings()
        if hp["latent_dim"] != self._built_with["latent_dim"]:
            self.reset()
            return "latent size changed: started a new GAN. "
        changed = [k for k in ("loss", "d_steps", "label_smoothing") if hp[k] != self._built_with[k]]
        self.gan.g_optimizer.learning_rate.assign(hp["g_lr"])
        self.gan.d_optimizer.learning_rate.assign(hp["d_lr"])
        if changed:
            self.gan.compile(
                d_optimizer=self.gan.d_optimizer,
                g_optimizer=self.gan.g_optimizer,
                loss=hp["loss"],
                d_steps=hp["d_steps"],
                label_smoothing=hp["label_smoothing"],
            )
        self._built_with = hp
        return f"now using {', '.join(changed)}. " if changed else ""

    def train(self, steps: int | None = None) -> dict:
        """Train for ``steps`` steps (default: the *steps* box) with the current knobs; return the last logs."""
        steps = int(steps or self.steps_input.value)
        note = self._apply_settings()
        hp = self._built_with
        dataset = data.make_image_dataset(self.images, hp["batch_size"], seed=self.seed + self.dashboard.step)
        self.status.value = f"{note}Training {steps} steps …"
        history = self.gan.fit(
            dataset.repeat(), epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[self.dashboard]
        )
        logs = {k: float(v[-1]) for k, v in history.history.items()}
        self.status.value = (
            f"{note}Step {self.dashboard.step}: d_loss {logs['d_loss']:.3f}, g_loss {logs['g_loss']:.3f}, "
            f"D(x) {logs['d_real']:.2f}, D(G(z)) {logs['d_fake']:.2f}."
        )
        return logs

    def on_train_clicked(self, _button=None) -> None:
        """Handler of *Train N steps*: buttons are disabled while it runs."""
        self.train_button.disabled = self.reset_button.disabled = True
        try:
            self.train()
        except Exception as error:  # show the learner what went wrong instead of a silent widget
            self.status.value = _error_line("Training stopped", error)
        finally:
            self.train_button.disabled = self.reset_button.disabled = False

    def on_reset_clicked(self, _button=None) -> None:
        """Handler of *Reset*: a failure shows in the status line."""
        try:
            self.reset()
        except Exception as error:  # show the learner what went wrong instead of a silent widget
            self.status.value = _error_line("Reset failed", error)

    def samples(self, n: int = 16, seed: int = 0) -> np.ndarray:
        """Return ``n`` samples of the current generator (float32 in [-1, 1])."""
        return self.gan.generate(n, seed=seed)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def training_panel(images, steps: int = 300, seed: int = 0, **overrides) -> TrainingPanel:
    """Build the lesson-1 training panel; show it by making it a cell's last value (or ``display(panel)``).

    See :class:`TrainingPanel` for the arguments.
    """
    return TrainingPanel(images, steps=steps, seed=seed, **overrides)


class LatentExplorer:
    """Explore a trained generator: interpolate between two seeds, move along latent directions, ask the
    judge for a digit, and look at the class histogram of a batch.

    Args:
        generator: a trained generator ``(batch, latent_dim) -> images``.
        judge: a :class:`ganlib.metrics.Judge` for the digit search and the histogram (optional).
        n_directions: sliders on random orthonormal latent directions.
        steps: images in the interpolation strip.
        seed: seed of the directions.

    Attributes:
        z: the noise vector shown in the large view (seed A moved along the directions and towards B).
        view, strip: ``ipywidgets.Image`` widgets with the current image and the interpolation strip.
        histogram: an ``ipywidgets.Output`` for the class histogram.
        widget: the whole explorer, to display.
    """

    def __init__(self, generator, judge=None, n_directions: int = 4, steps: int = 8, seed: int = 0):
        self.generator = generator
        self.judge = judge
        self.latent_dim = latent.latent_dim_of(generator)
        self.steps = steps
        self.basis = latent.directions(self.latent_dim, min(n_directions, self.latent_dim), seed=seed)
        self.seed_a = w.BoundedIntText(
            value=0, min=0, max=10**6, description="seed A", layout=w.Layout(width="170px")
        )
        self.seed_b = w.BoundedIntText(
            value=1, min=0, max=10**6, description="seed B", layout=w.Layout(width="170px")
        )
        self.t = w.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, description="A → B")
        self.sliders = [
            w.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.25, description=f"direction {i + 1}")
            for i in range(len(self.basis))
        ]
        self.digit = w.Dropdown(
            options=list(range(10)), value=7, description="digit", layout=w.Layout(width="150px")
        )
        self.find_button = w.Button(description="Show me this digit", icon="search", disabled=judge is None)
        self.histogram_button = w.Button(
            description="Class histogram", icon="bar-chart", disabled=judge is None
        )
        self.view = w.Image(format="png", layout=w.Layout(width="196px"))
        self.strip = w.Image(format="png")
        self.histogram = w.Output()
        self.message = w.HTML()
        for control in (self.seed_a, self.seed_b, self.t, *self.sliders):
            control.observe(self.on_change, names="value")
        self.find_button.on_click(self.on_find_clicked)
        self.histogram_button.on_click(self.on_histogram_clicked)
        self.widget = w.VBox(
            [
                w.HBox([self.seed_a, self.seed_b, self.t]),
                w.HBox([self.view, w.VBox(self.sliders)]),
                self.strip,
                w.HBox([self.digit, self.find_button, self.histogram_button]),
                self.message,
                self.histogram,
            ]
        )
        _css_hooks(
            {
                "latent-explorer": self.widget,
                "seed-a": self.seed_a,
                "seed-b": self.seed_b,
                "interpolation": self.t,
                "latent-view": self.view,
                "latent-strip": self.strip,
                "digit": self.digit,
                "find-digit": self.find_button,
                "histogram-button": self.histogram_button,
                "histogram": self.histogram,
                "latent-message": self.message,
                **{f"direction-{i + 1}": slider for i, slider in enumerate(self.sliders)},
            }
        )
        self.render()

    def endpoints(self):
        """Return the noise vectors of seed A and seed B."""
        return latent.noise(self.latent_dim, 1, self.seed_a.value)[0], latent.noise(
            self.latent_dim, 1, self.seed_b.value
        )[0]

    def current_z(self) -> np.ndarray:
        """Return the noise vector of the large view, from the seeds, the A → B slider and the directions."""
        z_a, z_b = self.endpoints()
        z = latent.interpolate(z_a, z_b, steps=101)[int(round(self.t.value * 100))]
        offsets = np.array([slider.value for slider in self.sliders], dtype=np.float32)
        return z + offsets @ self.basis

    def render(self) -> None:
        """Redraw the large view and the interpolation strip."""
        self.z = self.current_z()
        image = latent.render(self.generator, self.z)
        self.view.value = viz.to_png(viz.tile(image), scale=4)
        z_a, z_b = self.endpoints()
        strip = latent.render(self.generator, latent.interpolate(z_a, z_b, self.steps))
        self.strip.value = viz.to_png(viz.tile(strip, ncols=self.steps), scale=2)

    def on_change(self, _change=None) -> None:
        """Handler of every slider and seed box."""
        self.render()

    def find_digit(self, digit: int | None = None, n_candidates: int = 512) -> float:
        """Search seeds for the judge's most convincing ``digit`` and show it as seed A; return its confidence."""
        digit = self.digit.value if digit is None else digit
        seeds, _, confidences = latent.search_digit(self.generator, self.judge, digit, n_candidates, top=1)
        self.seed_a.value = int(seeds[0])  # redraws through on_change
        self.render()
        self.message.value = (
            f"Seed {int(seeds[0])} draws a {digit} the judge is {float(confidences[0]):.0%} sure of."
        )
        return float(confidences[0])

    def on_find_clicked(self, _button=None) -> None:
        """Handler of *Show me this digit*."""
        self.find_digit()

    def class_histogram(self, n: int = 500):
        """Draw the class shares of ``n`` samples into :attr:`histogram`; return them."""
        from IPython.display import display

        shares = metrics.class_coverage(
            self.judge.predict_labels(latent.render(self.generator, latent.noise(self.latent_dim, n, seed=0)))
        )
        with self.histogram:
            self.histogram.clear_output(wait=True)
            display(viz.class_shares(shares, title=f"judge's labels for {n} samples"))
        self.message.value = metrics.mode_collapse_report(shares)
        return shares

    def on_histogram_clicked(self, _button=None) -> None:
        """Handler of *Class histogram*."""
        self.class_histogram()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def latent_explorer(
    generator, judge=None, n_directions: int = 4, steps: int = 8, seed: int = 0
) -> LatentExplorer:
    """Build the latent-space explorer for a trained generator (see :class:`LatentExplorer`)."""
    return LatentExplorer(generator, judge, n_directions=n_directions, steps=steps, seed=seed)


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
