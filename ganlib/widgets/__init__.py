"""Interactive widgets for the notebooks (the only ganlib package that imports ipywidgets).

:func:`training_lab` trains a lesson's game in the background while the learner moves its knobs (lessons
1–3); :func:`latent_explorer`, :func:`class_explorer` and :func:`translation_viewer` look at a trained model.
Every handler is a plain method, so tests drive them without a browser::

    lab = widgets.training_lab("gan", images)
    lab.start()                          # what the Start button does: training runs in a thread
    lab.controls["d_lr"].value = 2e-3    # a live knob: applied at the next step, marked on the curves
    lab.pause()                          # what the Pause button does

Every part a learner sees carries a ``ganlib-…`` CSS class (``lab.start_button`` is ``.ganlib-start``, …)
so that the browser tests in ``tests/browser`` can find it in JupyterLab.
"""

from ganlib.widgets.class_explorer import ClassExplorer, class_explorer  # noqa: F401
from ganlib.widgets.latent_explorer import LatentExplorer, latent_explorer  # noqa: F401
from ganlib.widgets.training_lab import LAB_KINDS, TrainingLab, training_lab  # noqa: F401
from ganlib.widgets.translation_viewer import TranslationViewer, translation_viewer  # noqa: F401
