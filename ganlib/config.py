"""Course-wide settings: smoke mode, where data lives, seeding and the devices in use.

Everything here is read from the environment when asked, so a test or a notebook can change a variable
and call again:

* ``GANLIB_SMOKE=1`` — smoke mode: every notebook shrinks to tiny data and a few steps (used by CI).
* ``GANLIB_OFFLINE=1`` — never try the network; use the data that ships inside pip packages.
* ``GANLIB_DATA_DIR=/some/folder`` — where downloads and cached artefacts go.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from ganlib import _checks

_TRUE = {"1", "true", "yes", "on"}


def env_flag(name: str) -> bool:
    """Return whether the environment variable ``name`` is set to a true value (1, true, yes, on)."""
    return os.environ.get(name, "").strip().lower() in _TRUE


def smoke() -> bool:
    """Return whether smoke mode (``GANLIB_SMOKE=1``) is on: tiny data, a few steps, seconds per notebook."""
    return env_flag("GANLIB_SMOKE")


def offline() -> bool:
    """Return whether ``GANLIB_OFFLINE=1`` forbids any network access."""
    return env_flag("GANLIB_OFFLINE")


#: Smoke mode as it was when ganlib was imported. Notebooks read this once, in their settings cell.
SMOKE = smoke()

_REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Return the folder for downloads and cached artefacts, creating it if needed.

    ``GANLIB_DATA_DIR`` wins when set. Otherwise, when ganlib runs from a checkout of the course, the
    repository's ``data/`` folder; when installed elsewhere, ``$XDG_CACHE_HOME/ganlib`` (default
    ``~/.cache/ganlib``).
    """
    configured = os.environ.get("GANLIB_DATA_DIR")
    if configured:
        path = Path(configured).expanduser()
    elif (_REPO_ROOT / "pyproject.toml").is_file() and (_REPO_ROOT / "data").is_dir():
        path = _REPO_ROOT / "data"
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = Path(cache) / "ganlib"
    path.mkdir(parents=True, exist_ok=True)
    return path


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy, TensorFlow and Keras together, so a run can be repeated.

    Args:
        seed: a non-negative integer.
    """
    seed = _checks.seed(seed)
    import keras
    import numpy as np
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    keras.utils.set_random_seed(seed)


def describe_devices() -> str:
    """Return a short, human-readable summary: TF and Keras versions, CPU cores and GPUs found."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        gpu_line = f"{len(gpus)} GPU(s): " + ", ".join(names) + " — TensorFlow will use the GPU."
    else:
        gpu_line = "no GPU found — training runs on the CPU (the course is sized for that)."
    return "\n".join(
        [
            f"TensorFlow {tf.__version__}, Keras {keras.__version__} (backend: {keras.backend.backend()})",
            f"CPU cores: {os.cpu_count()}",
            f"GPU: {gpu_line}",
        ]
    )
