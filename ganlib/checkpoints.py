"""Save and restore the whole state of a training run, atomically; find the newest intact checkpoint.

A checkpoint is a directory ``folder/ckpt-<step>`` holding

* ``state.npz`` — the value of every variable of the run: both players' weights (trainable and not, e.g.
  batch-norm moving statistics, plus the dropout layers' random-seed states), the EMA generator's weights
  when there is one, both optimizers' state (their step counts — the run's step counter — and moment
  estimates), the state of the GAN's noise generator, and arrays the callbacks keep (a sample grid's fixed
  inputs);
* ``meta.json`` — the step, the training clock's seconds, what the callbacks keep (the per-step history, the
  quality curve), and how many variables of each group the file holds (to recognise a checkpoint made by a
  different model).

A checkpoint is written under a temporary name and renamed into place when complete, then the small text
file ``folder/latest`` is atomically rewritten to name it, so a run killed halfway through a save leaves
the previous checkpoint usable. A checkpoint damaged later (a truncated file, say, after a full disk) is
skipped by :func:`restore_latest`, which falls back to the newest intact one. ``folder/generator.keras`` and
``folder/discriminator.keras`` are rewritten too, so images can be drawn from a checkpoint folder directly
(``storage.load_model``).

Keras variables are assigned in place, so restoring into a GAN whose training function is already
compiled is fine: the compiled function reads the restored values. ``tf.train.Checkpoint`` is not used: it
does not track Keras 3 models and optimizers.

Starting, resuming and saving a run on a cadence is :mod:`ganlib.runs`' job; this module only reads and
writes checkpoints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import keras
import numpy as np

from ganlib import _checks, storage

FORMAT_VERSION = 1
LATEST = "latest"
STATE = "state.npz"
META = "meta.json"
DAMAGED_PREFIX = "damaged-"
_PREFIX = "ckpt-"
_TEMPORARY_PREFIX = ".tmp-ckpt-"
_NAME = re.compile(r"^ckpt-(\d+)$")


class DamagedCheckpointError(ValueError):
    """A checkpoint's files cannot be read (truncated, or not what :func:`save_checkpoint` wrote)."""


# ------------------------------------------------------------------------------------ variable groups


def _ensure_optimizers_built(gan) -> None:
    """Create the optimizers' slot variables now (they are otherwise made at the first training step)."""
    for optimizer, model in ((gan.g_optimizer, gan.generator), (gan.d_optimizer, gan.discriminator)):
        if not optimizer.built:
            optimizer.build(model.trainable_variables)


def _key(group: str, index: int) -> str:
    return f"{group}.{index:04d}"


# ------------------------------------------------------------------------------------ finding checkpoints


def _step_of(path: Path) -> int | None:
    match = _NAME.match(path.name)
    return int(match.group(1)) if match else None


def _is_complete(path: Path) -> bool:
    return _step_of(path) is not None and (path / STATE).is_file() and (path / META).is_file()


def _complete_checkpoints(folder: Path) -> list[Path]:
    """Complete ``ckpt-*`` directories of ``folder``, oldest (lowest step) first."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_dir() and _is_complete(p)), key=_step_of)


def latest_checkpoint(folder) -> Path | None:
    """Return the newest complete checkpoint directory in ``folder``, or ``None`` when there is none.

    The one named by ``folder/latest`` is taken when it is complete; otherwise (file missing, or naming a
    missing or half-written directory) the complete ``ckpt-*`` directory with the highest step. Temporary
    directories of an interrupted save are ignored.
    """
    folder = Path(folder)
    pointer = folder / LATEST
    if pointer.is_file():
        name = pointer.read_text().strip()
        if name and Path(name).name == name and _is_complete(folder / name):
            return folder / name
    found = _complete_checkpoints(folder)
    return found[-1] if found else None


# ------------------------------------------------------------------------------------ save


def save_checkpoint(gan, folder, records: dict | None = None, arrays: dict | None = None, keep: int = 2) -> Path:
    """Save the whole state of a training run as ``folder/ckpt-<step>`` (atomically).

    The step is the model's (:attr:`ganlib.training.Trainer.step`) and so is the training time
    (``gan.clock``).

    Args:
        gan: a compiled :class:`ganlib.training.GAN` or :class:`ganlib.training.Pix2Pix`.
        folder: the run's output folder (created if needed).
        records: JSON-able values to keep in ``meta.json``, e.g. ``{"history": {metric: [value per step]}}``.
        arrays: NumPy arrays to keep in ``state.npz`` by name, e.g. ``{"fixed_inputs": ...}``.
        keep: how many checkpoint directories to keep; older ones are deleted.

    Returns:
        The new checkpoint directory.
    """
    keep = _checks.positive_int("keep", keep)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _ensure_optimizers_built(gan)
    groups = gan.state_groups()
    step = gan.step

    state = {
        _key(group, index): np.asarray(keras.ops.convert_to_numpy(variable))
        for group, variables in groups.items()
        for index, variable in enumerate(variables)
    }
    for name, value in (arrays or {}).items():
        if "." in name:
            raise ValueError(f"Expected array names without '.' (those name variables). Received: {name!r}")
        state[name] = np.asarray(value, dtype=np.float32)
    meta = {
        **(records or {}),
        "format_version": FORMAT_VERSION,
        "step": step,
        "elapsed_seconds": float(gan.clock.seconds),
        "counts": {group: len(variables) for group, variables in groups.items()},
        "arrays": sorted(arrays or {}),
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "keras_version": keras.__version__,
    }

    final = folder / f"{_PREFIX}{step:08d}"
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=_TEMPORARY_PREFIX))
    try:
        with open(tmp / STATE, "wb") as stream:
            np.savez(stream, **state)
            stream.flush()
            os.fsync(stream.fileno())
        (tmp / META).write_text(json.dumps(meta, indent=1))
        if final.exists():  # the same step saved again (e.g. the final save of a run that just saved)
            old = Path(tempfile.mkdtemp(dir=folder, prefix=_TEMPORARY_PREFIX))
            os.replace(final, old / final.name)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    storage.write_text_atomically(final.name + "\n", folder / LATEST)

    for old in _complete_checkpoints(folder)[:-keep]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in folder.glob(f"{_TEMPORARY_PREFIX}*"):  # from saves interrupted earlier
        shutil.rmtree(leftover, ignore_errors=True)

    storage.save_model_atomically(gan.sampler, folder / "generator.keras")
    storage.save_model_atomically(gan.discriminator, folder / "discriminator.keras")
    return final


# ------------------------------------------------------------------------------------ restore


def _different_model(path: Path, detail: str) -> ValueError:
    return ValueError(
        f"The checkpoint {path} was made by a different model or different settings ({detail}), so it "
        "cannot be restored into this GAN. Use a fresh output folder (or `--fresh`) to start a new run."
    )


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads((path / META).read_text())
        int(meta["step"]), dict(meta["counts"])  # noqa: B018 (the fields every checkpoint has)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise DamagedCheckpointError(f"{META}: {error}") from None
    return meta


def _read_state(path: Path, names) -> dict:
    """The arrays ``names`` of ``path/state.npz``, every one read in full (so a truncated file shows here)."""
    try:
        with np.load(path / STATE, allow_pickle=False) as state:
            return {name: np.array(state[name]) for name in names}
    except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error) as error:
        raise DamagedCheckpointError(f"{STATE}: {error}") from None


def restore_checkpoint(gan, folder_or_ckpt) -> dict:
    """Restore a training run saved by :func:`save_checkpoint` into ``gan``, its clock included.

    ``gan`` must be built from the same recipe (same layers and sizes, EMA on or off alike); its optimizers
    are built first if they have not been. Nothing is assigned unless every variable is read and matches.

    Args:
        gan: a compiled :class:`ganlib.training.GAN` or :class:`ganlib.training.Pix2Pix`.
        folder_or_ckpt: a run's folder (its latest complete checkpoint is used) or a ``ckpt-*`` directory.

    Returns:
        The checkpoint's metadata: ``step``, ``elapsed_seconds``, what the callbacks kept (``history``, ...,
        and each saved array by name), ``path`` (the checkpoint directory) and bookkeeping fields.

    Raises:
        FileNotFoundError: when there is no complete checkpoint there.
        DamagedCheckpointError: when its files cannot be read.
        ValueError: when the checkpoint does not fit ``gan`` (a different model or settings).
    """
    path = Path(folder_or_ckpt)
    if not (path / STATE).is_file():
        found = latest_checkpoint(path)
        if found is None:
            raise FileNotFoundError(f"No complete checkpoint in {path}.")
        path = found
    meta = _read_meta(path)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"The checkpoint {path} has format version {meta.get('format_version')!r}; this ganlib reads "
            f"version {FORMAT_VERSION}. Use a fresh output folder (or `--fresh`)."
        )
    _ensure_optimizers_built(gan)
    groups = gan.state_groups()
    counts = meta["counts"]
    if set(counts) != set(groups):
        detail = f"variable groups {sorted(counts)} saved, {sorted(groups)} here"
        if "ema_generator" in counts and "ema_generator" not in groups:
            detail = "the checkpoint has an EMA generator, this GAN has none"
        elif "ema_generator" in groups and "ema_generator" not in counts:
            detail = "the checkpoint has no EMA generator, this GAN has one"
        raise _different_model(path, detail)
    for group, variables in groups.items():
        if counts[group] != len(variables):
            raise _different_model(path, f"{group}: {counts[group]} variables saved, {len(variables)} here")

    extras = list(meta.get("arrays", []))
    keys = [_key(group, index) for group, variables in groups.items() for index in range(len(variables))]
    state = _read_state(path, keys + extras)
    pairs = []
    for group, variables in groups.items():
        for index, variable in enumerate(variables):
            value = state[_key(group, index)]
            if tuple(value.shape) != tuple(variable.shape):
                raise _different_model(
                    path,
                    f"{group} variable {variable.path!r} has shape {tuple(variable.shape)} here but "
                    f"{tuple(value.shape)} in the checkpoint",
                )
            pairs.append((variable, value))
    for variable, value in pairs:
        variable.assign(value.astype(variable.dtype, copy=False))
    gan.clock.set(float(meta.get("elapsed_seconds", 0.0)))
    return {**meta, **{name: state[name] for name in extras}, "path": path}


def restore_latest(gan, folder) -> dict | None:
    """Restore the newest intact checkpoint of ``folder`` into ``gan``; ``None`` when there is none.

    A damaged checkpoint (a file that cannot be read) is moved aside to ``damaged-ckpt-<step>`` and the one
    before it is tried, with one line saying which was skipped and why. A checkpoint of another model is
    not skipped: it raises, as :func:`restore_checkpoint` does.

    Returns:
        The restored checkpoint's metadata (see :func:`restore_checkpoint`), or ``None``.
    """
    folder = Path(folder)
    newest = latest_checkpoint(folder)
    candidates = [] if newest is None else [newest] + [p for p in reversed(_complete_checkpoints(folder)) if p != newest]
    skipped = []
    for path in candidates:
        try:
            meta = restore_checkpoint(gan, path)
        except DamagedCheckpointError as error:
            skipped.append(f"{path.name} ({error})")
            aside = path.with_name(DAMAGED_PREFIX + path.name)
            shutil.rmtree(aside, ignore_errors=True)
            os.replace(path, aside)
            continue
        if skipped:
            print(f"Skipping the damaged checkpoint {', '.join(skipped)}; resuming from {path.name}")
        return meta
    if skipped:
        print(f"Skipping the damaged checkpoint {', '.join(skipped)}; no intact checkpoint is left: starting over")
    return None
