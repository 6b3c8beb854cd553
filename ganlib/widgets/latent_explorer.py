"""The latent-space explorer of lesson 2: interpolate, move along directions, ask the judge for a digit."""

from __future__ import annotations

import ipywidgets as w
import numpy as np

from ganlib import latent, metrics, viz
from ganlib.widgets._parts import _css_hooks


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
