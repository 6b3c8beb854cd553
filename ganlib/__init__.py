"""ganlib: the helper library of the GAN Course.

Import it by module, as the lessons do::

    from ganlib import config, data, models, losses, training, metrics, viz, callbacks

``ganlib.widgets`` (ipywidgets) is the only module that needs a notebook front end; everything else runs
headless, in scripts, tests and the command line (``python -m ganlib --help``).
"""

import os

# TensorFlow's C++ start-up chatter (oneDNN, CUDA probing) hides the lines a learner should read.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
