"""Saving and loading files safely: write to a temporary name, then rename; load models in safe mode.

A run killed halfway through a save leaves the previous file intact, never half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def _write_atomically(path, suffix: str, write) -> Path:
    """Call ``write(temporary_path)`` for a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def save_model_atomically(model, path) -> Path:
    """Save a Keras model to ``path`` (a ``.keras`` file) via a temporary file beside it."""
    return _write_atomically(path, ".tmp.keras", lambda tmp: model.save(tmp, overwrite=True))


def write_text_atomically(text: str, path) -> Path:
    """Write ``text`` to ``path`` via a temporary file beside it."""
    return _write_atomically(path, ".tmp", lambda tmp: Path(tmp).write_text(text))


def save_json_atomically(obj, path) -> Path:
    """Write ``obj`` as JSON to ``path`` via a temporary file beside it."""
    return write_text_atomically(json.dumps(obj, indent=1), path)


def load_model(path, **kwargs):
    """Load a ``.keras`` model with Keras' safe mode on; a missing file gets a clear error.

    Args:
        path: the ``.keras`` file.
        **kwargs: passed to ``keras.models.load_model`` (e.g. ``compile=False``).
    """
    import keras

    import ganlib.models  # noqa: F401 (registers ganlib's custom layers, e.g. LabToRGB, in a fresh process)

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No saved model at {path}. Train one first (e.g. `python -m ganlib train gan`).")
    return keras.models.load_model(path, safe_mode=True, **kwargs)
