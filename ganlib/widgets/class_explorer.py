"""Lesson 4's explorer of a conditional generator: pick a class, move through the noise.

The class selector changes *what* is drawn; the seed and the direction sliders change *how* (the style).
Keeping the noise and switching the class shows the same style as every digit.
"""

from __future__ import annotations

import numpy as np

from ganlib import latent, sampling, viz


class ClassExplorer:
    """A class dropdown, a seed box and direction sliders over a conditional generator.

    Args:
        generator: a conditional generator (``[z, labels]`` inputs).
        class_names: names of the classes, in label order (default ``"0"``, ``"1"``, ...).
        n_directions: number of random unit directions to slide along.
        seed: seed of the directions.

    Attributes:
        label, seed, sliders: the controls; view: the large image; row: the same noise as every class.
        widget: the whole explorer, to display.
    """

    def __init__(self, generator, class_names=None, n_directions: int = 4, seed: int = 0):
        import ipywidgets as w

        self.generator = generator
        self.num_classes = sampling.num_classes_of(generator)
        self.latent_dim = int(generator.input_shape[0][-1])
        names = class_names or [str(k) for k in range(self.num_classes)]
        self.basis = latent.directions(self.latent_dim, min(n_directions, self.latent_dim), seed=seed)
        self.label = w.Dropdown(options=[(name, k) for k, name in enumerate(names)], value=0, description="class")
        self.seed = w.BoundedIntText(value=0, min=0, max=10**6, description="seed", layout=w.Layout(width="170px"))
        self.sliders = [
            w.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.25, description=f"direction {i + 1}")
            for i in range(len(self.basis))
        ]
        self.view = w.Image(format="png", layout=w.Layout(width="196px"))
        self.row = w.Image(format="png")
        for control in (self.label, self.seed, *self.sliders):
            control.observe(self.render, names="value")
        self.widget = w.VBox([w.HBox([self.label, self.seed]), w.HBox([self.view, w.VBox(self.sliders)]), self.row])
        self.render()

    def current_z(self) -> np.ndarray:
        """The noise of the view: the seed's vector plus the sliders' offsets along the directions."""
        offsets = np.array([slider.value for slider in self.sliders], dtype=np.float32)
        return latent.noise(self.latent_dim, 1, self.seed.value)[0] + offsets @ self.basis

    def images(self) -> tuple[np.ndarray, np.ndarray]:
        """``(the selected class, every class)`` drawn with :meth:`current_z`."""
        z = np.repeat(self.current_z()[None].astype(np.float32), self.num_classes, axis=0)
        every = np.asarray(self.generator([z, np.arange(self.num_classes, dtype=np.int32)], training=False))
        return every[self.label.value : self.label.value + 1], every

    def render(self, _change=None) -> None:
        """Redraw the view and the row of classes."""
        selected, every = self.images()
        self.view.value = viz.to_png(viz.tile(selected), scale=4)
        self.row.value = viz.to_png(viz.tile(every, ncols=self.num_classes), scale=2)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def class_explorer(generator, class_names=None, n_directions: int = 4, seed: int = 0) -> ClassExplorer:
    """Build the class explorer for a trained conditional generator (see :class:`ClassExplorer`)."""
    return ClassExplorer(generator, class_names, n_directions=n_directions, seed=seed)
