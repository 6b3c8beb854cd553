"""Interactive panels for the notebooks (the only ganlib package that imports ipywidgets).

:func:`training_panel` puts the lesson-1 GAN's knobs next to *Train* and *Reset* buttons and a live
dashboard. Every handler is a plain method of :class:`TrainingPanel`, so tests drive it without a browser::

    panel = widgets.training_panel(images)
    panel.controls["d_lr"].value = 2e-3
    panel.train(200)          # what the Train button does
    panel.reset()             # what the Reset button does

Every part a learner sees carries a ``ganlib-…`` CSS class (``panel.train_button`` is
``.ganlib-train``, …) so that the browser tests in ``tests/browser`` can find it in JupyterLab.
"""

from ganlib import recipes  # noqa: F401 (tests replace `widgets.recipes.build_mlp_gan`)
from ganlib.widgets.class_explorer import ClassExplorer, class_explorer  # noqa: F401
from ganlib.widgets.latent_explorer import LatentExplorer, latent_explorer  # noqa: F401
from ganlib.widgets.training_lab import LAB_KINDS, TrainingLab, training_lab  # noqa: F401
from ganlib.widgets.training_panel import PANEL_LOSSES, TrainingPanel, training_panel  # noqa: F401
from ganlib.widgets.translation_viewer import TranslationViewer, translation_viewer  # noqa: F401
