"""The lesson-1 training panel: the GAN's knobs, *Train N steps*, *Reset* and a live dashboard."""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ganlib import callbacks, data, recipes
from ganlib.widgets._parts import _css_hooks, _error_line

#: The losses lesson 1 teaches (the two of the GAN paper, and least squares in its exercise). The
#: Wasserstein and hinge losses need a critic constrained in ways lesson 1 does not build, so the panel does
#: not offer them.
PANEL_LOSSES = ("non_saturating", "minimax", "least_squares")


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
        dashboard: the current :class:`ganlib.callbacks.LiveDashboard` (its ``history``); ``gan.step`` is the step.
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
        """Train for ``steps`` steps (default: the *steps* box) with the current knobs; return the means over
        these steps.

        The panel's runs live in memory only (no folder, nothing to resume): the knobs may change between
        two clicks, so a run here has no fixed settings of the kind :mod:`ganlib.runs` keeps a folder for.
        """
        steps = int(steps or self.steps_input.value)
        note = self._apply_settings()
        hp = self._built_with
        dataset = data.make_image_dataset(self.images, hp["batch_size"], seed=self.seed + self.gan.step)
        self.status.value = f"{note}Training {steps} steps …"
        history = self.gan.fit(
            dataset.repeat(), epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[self.dashboard]
        )
        logs = {k: float(v[-1]) for k, v in history.history.items()}  # the means over these steps
        self.status.value = (
            f"{note}Step {self.gan.step}: d_loss {logs['d_loss']:.3f}, g_loss {logs['g_loss']:.3f}, "
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
