"""A training run's identity: every setting that changes its result, and a short fingerprint of them.

A run folder belongs to one set of settings, so a changed knob never silently resumes (or shows) a run made
with other settings. :func:`settings_of` reads what it can from the model and the data itself — both
players' architectures (layer types, sizes, initialiser seeds), the optimizers' learning rates and betas, the
batch shapes and the number of batches per pass — takes what the trainer declares in its ``run_settings()``
(the loss, label smoothing, λ of L1, the EMA decay, the training-noise seed, a conditional GAN's number of
classes …; see :meth:`ganlib.training.Trainer.run_settings`) and adds what the caller names (e.g. the
dataset's name and shuffle seed).
:func:`fingerprint` hashes them; :func:`run_folder` gives each set of settings its own folder under a base
folder; :func:`check_folder` refuses a folder that holds a run made with other settings, in one line that
names a setting that differs. ``settings.json`` in the run folder records them.

Typical use::

    folder = runs.run_folder("runs/pix2pix", model, dataset, {"seed": 0})   # runs/pix2pix/3f9c0a1b2d4e
    run = runs.open_run(folder, model, dataset, settings={"seed": 0})     # refuses other settings
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import keras

from ganlib import storage

SETTINGS_FILE = "settings.json"
FINGERPRINT_LENGTH = 12

#: Config keys that name things rather than change them (Keras numbers layer names per session).
_NAMING_KEYS = {"name", "registered_name"}


class OtherSettingsError(ValueError):
    """A run folder holds a run made with other settings."""


def _plain(value):
    """``value`` as JSON-able plain data, without Keras' naming keys."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items()) if k not in _NAMING_KEYS}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.7g}")  # float32 round trips (1e-3 read back from a variable) compare equal
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "item"):  # NumPy scalars
        return _plain(value.item())
    return str(value)


def _architecture(model) -> list:
    """Each layer's type and configuration, without names (so two builds of one recipe agree).

    A model nested in ``model`` (CycleGAN's pair of generators holds two) is described by its own layers: its
    configuration would name its inner layers and their connections by the names Keras numbered this session.
    """
    return [
        [type(layer).__name__, _architecture(layer) if isinstance(layer, keras.Model) else _plain(layer.get_config())]
        for layer in model.layers
    ]


def _optimizer(optimizer) -> dict:
    return {"class": type(optimizer).__name__, **_plain(optimizer.get_config())}


def _dataset(dataset) -> dict:
    """The batch shapes and batches per pass of a ``tf.data.Dataset`` (5,000 and 60,000 digits differ)."""
    found = {}
    spec = getattr(dataset, "element_spec", None)
    if spec is not None:
        import tensorflow as tf

        specs = tf.nest.flatten(spec)
        found["batch_shapes"] = [[_plain(d) for d in s.shape] for s in specs]  # the batch size comes first
        found["dtypes"] = [getattr(s.dtype, "name", str(s.dtype)) for s in specs]
    cardinality = getattr(dataset, "cardinality", None)
    if cardinality is not None:
        found["batches_per_pass"] = int(cardinality())
    return found


def settings_of(gan, dataset=None, settings: dict | None = None) -> dict:
    """Every result-changing setting of a run that can be read from ``gan`` and ``dataset``, plus ``settings``.

    Args:
        gan: a compiled :class:`ganlib.training.GAN` or :class:`ganlib.training.Pix2Pix`.
        dataset: the training batches (their shapes and count are recorded), or ``None``.
        settings: what the model cannot tell, e.g. ``{"dataset": "digits-inpaint", "seed": 0}``.

    Returns:
        A JSON-able dict.
    """
    found = {"trainer": type(gan).__name__}
    found.update({name: _plain(value) for name, value in gan.run_settings().items()})
    found["generator"] = _architecture(gan.generator)
    found["discriminator"] = _architecture(gan.discriminator)
    for name in ("g_optimizer", "d_optimizer"):
        if getattr(gan, name, None) is not None:
            found[name] = _optimizer(getattr(gan, name))
    if dataset is not None:
        found["data"] = _dataset(dataset)
    if settings:
        found["settings"] = _plain(dict(settings))
    return found


def fingerprint(settings: dict) -> str:
    """A short stable hash of ``settings`` (hex): equal settings give equal fingerprints."""
    text = json.dumps(_plain(settings), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def run_folder(base, gan, dataset=None, settings: dict | None = None) -> Path:
    """The folder of this run's settings under ``base``: ``base/<fingerprint>``.

    The same settings always give the same folder (so running again resumes); a changed setting gives
    another folder (so it trains anew).
    """
    return Path(base) / fingerprint(settings_of(gan, dataset, settings))


def first_difference(saved, current, path: str = "") -> str | None:
    """Name the first setting that differs between two settings dicts, with both values, or ``None``."""
    if isinstance(saved, dict) and isinstance(current, dict):
        keys = [*saved, *(k for k in current if k not in saved)]
        if not path:  # name the caller's settings and plain values before architecture details
            keys.sort(key=lambda k: (k != "settings", isinstance(saved.get(k, current.get(k)), (dict, list))))
        for key in keys:
            where = f"{path}.{key}" if path else str(key)
            if key not in saved or key not in current:
                return f"{where} only {'here' if key in current else 'there'}"
            found = first_difference(saved[key], current[key], where)
            if found:
                return found
        return None
    if isinstance(saved, list) and isinstance(current, list) and len(saved) == len(current):
        for index, (a, b) in enumerate(zip(saved, current, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if saved != current:
        if isinstance(saved, list) and isinstance(current, list):
            return f"{path}: {len(saved)} entries there, {len(current)} here"
        return f"{path}: {saved!r} there, {current!r} here"
    return None


def read_settings(folder) -> dict | None:
    """The settings recorded in ``folder/settings.json``, or ``None`` when there are none."""
    path = Path(folder) / SETTINGS_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def check_folder(folder, settings: dict, has_run: bool) -> None:
    """Record ``settings`` in ``folder``, or refuse a folder whose run was made with other settings.

    Args:
        folder: the run folder.
        settings: the run's settings (from :func:`settings_of`).
        has_run: whether ``folder`` already holds a checkpoint.

    Raises:
        OtherSettingsError: ``folder`` holds a run with other (or unrecorded) settings.
    """
    folder = Path(folder)
    settings = _plain(settings)
    saved = read_settings(folder)
    if has_run and saved is None:
        raise OtherSettingsError(
            f"{folder} holds a run whose settings were not recorded: start over with fresh=True "
            "(`--fresh`) or use another folder."
        )
    if has_run and saved != settings:
        raise OtherSettingsError(
            f"{folder} holds a run made with other settings ({first_difference(saved, settings)}): "
            "start over with fresh=True (`--fresh`) or use another folder."
        )
    if saved != settings:
        folder.mkdir(parents=True, exist_ok=True)
        storage.write_text_atomically(json.dumps(settings, indent=1) + "\n", folder / SETTINGS_FILE)
