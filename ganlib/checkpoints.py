"""Save and resume a whole GAN training run, atomically, so a stopped run carries on where it left off.

A checkpoint is a directory ``folder/ckpt-<step>`` holding

* ``state.npz`` — the value of every variable of the run: both players' weights (trainable and not, e.g.
  batch-norm moving statistics, plus the dropout layers' random-seed states), the EMA generator's weights
  when there is one, both optimizers' state (step count and moment estimates), the state of the GAN's
  noise generator, and the fixed noise of the sample grid;
* ``meta.json`` — the step, epoch, elapsed seconds, the per-step history, and how many variables of each
  group the file holds (to recognise a checkpoint made by a different model).

A checkpoint is written under a temporary name and renamed into place when complete, then the small text
file ``folder/latest`` is atomically rewritten to name it, so a run killed halfway through a save leaves
the previous checkpoint usable. ``folder/generator.keras`` and ``folder/discriminator.keras`` are rewritten
too, so images can be drawn from a checkpoint folder directly (``storage.load_model``).

Keras variables are assigned in place, so restoring into a GAN whose training function is already
compiled is fine: the compiled function reads the restored values. ``tf.train.Checkpoint`` is not used: it
does not track Keras 3 models and optimizers.

Typical use::

    checkpoint = checkpoints.Checkpoint("runs/dcgan", sample_grid=grid, history=history)
    checkpoints.resume(gan, "runs/dcgan", sample_grid=grid, history=history, checkpoint=checkpoint)
    gan.fit(dataset, epochs=10, callbacks=[history, grid, checkpoint])

or, with a time budget, interrupts and a folder per set of settings, :func:`fit_resumable`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

from ganlib import _checks, storage

FORMAT_VERSION = 1
LATEST = "latest"
STATE = "state.npz"
META = "meta.json"
_PREFIX = "ckpt-"
_TEMPORARY_PREFIX = ".tmp-ckpt-"
_NAME = re.compile(r"^ckpt-(\d+)$")


# ------------------------------------------------------------------------------------ variable groups


def _ensure_optimizers_built(gan) -> None:
    """Create the optimizers' slot variables now (they are otherwise made at the first training step)."""
    for optimizer, model in ((gan.g_optimizer, gan.generator), (gan.d_optimizer, gan.discriminator)):
        if not optimizer.built:
            optimizer.build(model.trainable_variables)


def _groups(gan) -> dict[str, list]:
    """Every variable of a training run, by group, in a fixed order."""
    groups = {
        "generator": list(gan.generator.variables),
        "discriminator": list(gan.discriminator.variables),
    }
    if getattr(gan, "ema_generator", None) is not None:
        groups["ema_generator"] = list(gan.ema_generator.variables) + [gan.ema_updates]
    groups["g_optimizer"] = list(gan.g_optimizer.variables)
    groups["d_optimizer"] = list(gan.d_optimizer.variables)
    groups["seed_generator"] = [gan.seed_generator.state]
    return groups


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


def save_checkpoint(
    gan,
    folder,
    step: int,
    epoch: int,
    history: dict | None = None,
    fixed_noise=None,
    elapsed_seconds: float = 0.0,
    keep: int = 2,
) -> Path:
    """Save the whole state of a training run as ``folder/ckpt-<step>`` (atomically).

    Args:
        gan: a compiled :class:`ganlib.training.GAN`.
        folder: the run's output folder (created if needed).
        step: training steps done so far (over all runs).
        epoch: epochs done so far.
        history: ``{metric: [value per step]}`` to store, e.g. ``StepHistory.history``.
        fixed_noise: the sample grid's fixed noise, stored so a resumed run keeps drawing the same digits.
        elapsed_seconds: training time so far, for a time budget that spans several runs.
        keep: how many checkpoint directories to keep; older ones are deleted.

    Returns:
        The new checkpoint directory.
    """
    step = int(step)
    if step < 0:
        raise ValueError(f"Expected `step` >= 0. Received: step={step!r}")
    keep = _checks.positive_int("keep", keep)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _ensure_optimizers_built(gan)
    groups = _groups(gan)

    arrays = {
        _key(group, index): np.asarray(keras.ops.convert_to_numpy(variable))
        for group, variables in groups.items()
        for index, variable in enumerate(variables)
    }
    if fixed_noise is not None:
        arrays["fixed_noise"] = np.asarray(fixed_noise, dtype=np.float32)
    meta = {
        "format_version": FORMAT_VERSION,
        "step": step,
        "epoch": int(epoch),
        "elapsed_seconds": float(elapsed_seconds),
        "history": {key: [float(v) for v in values] for key, values in (history or {}).items()},
        "counts": {group: len(variables) for group, variables in groups.items()},
        "has_fixed_noise": fixed_noise is not None,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "keras_version": keras.__version__,
    }

    final = folder / f"{_PREFIX}{step:08d}"
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=_TEMPORARY_PREFIX))
    try:
        with open(tmp / STATE, "wb") as stream:
            np.savez(stream, **arrays)
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

    storage.save_model_atomically(getattr(gan, "sampler", gan.generator), folder / "generator.keras")
    storage.save_model_atomically(gan.discriminator, folder / "discriminator.keras")
    return final


# ------------------------------------------------------------------------------------ restore


def _different_model(path: Path, detail: str) -> ValueError:
    return ValueError(
        f"The checkpoint {path} was made by a different model or different settings ({detail}), so it "
        "cannot be restored into this GAN. Use a fresh output folder (or `--fresh`) to start a new run."
    )


def restore_checkpoint(gan, folder_or_ckpt) -> dict:
    """Restore a training run saved by :func:`save_checkpoint` into ``gan``.

    ``gan`` must be built from the same recipe (same layers and sizes, EMA on or off alike); its optimizers
    are built first if they have not been. Nothing is assigned unless every variable matches.

    Args:
        gan: a compiled :class:`ganlib.training.GAN`.
        folder_or_ckpt: a run's folder (its latest complete checkpoint is used) or a ``ckpt-*`` directory.

    Returns:
        The checkpoint's metadata: ``step``, ``epoch``, ``history``, ``elapsed_seconds``, ``fixed_noise``
        (a NumPy array or ``None``), ``path`` (the checkpoint directory) and bookkeeping fields.

    Raises:
        FileNotFoundError: when there is no complete checkpoint there.
        ValueError: when the checkpoint does not fit ``gan`` (a different model or settings).
    """
    path = Path(folder_or_ckpt)
    if not (path / STATE).is_file():
        found = latest_checkpoint(path)
        if found is None:
            raise FileNotFoundError(f"No complete checkpoint in {path}.")
        path = found
    meta = json.loads((path / META).read_text())
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"The checkpoint {path} has format version {meta.get('format_version')!r}; this ganlib reads "
            f"version {FORMAT_VERSION}. Use a fresh output folder (or `--fresh`)."
        )
    _ensure_optimizers_built(gan)
    groups = _groups(gan)
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

    with np.load(path / STATE, allow_pickle=False) as state:
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
        fixed_noise = np.array(state["fixed_noise"]) if "fixed_noise" in state.files else None
    for variable, value in pairs:
        variable.assign(value.astype(variable.dtype, copy=False))
    return {**meta, "fixed_noise": fixed_noise, "path": path}


# ------------------------------------------------------------------------------------ the callback


def _non_negative_int(name: str, value) -> int:
    if value == 0 and not isinstance(value, bool):
        return 0
    return _checks.positive_int(name, value)


class Checkpoint(keras.callbacks.Callback):
    """Save the training run every few seconds and/or steps, and once more when training ends.

    Saves are scheduled in training steps or seconds, never in epochs, so a run on 60,000 digits saves as
    often as one on 5,000. Put it after the callbacks it reads from (``history``, ``sample_grid``,
    ``time_budget``) in ``fit``'s list, so what it stores is up to date.

    Args:
        folder: the run's output folder.
        every_seconds: save at the first step end after this many seconds since the last save (0: off).
        every_n_steps: also save every N steps (0: off).
        keep: how many checkpoint directories to keep.
        sample_grid: a :class:`ganlib.callbacks.SampleGrid` whose fixed noise is stored.
        history: a :class:`ganlib.callbacks.StepHistory` (or ``LiveDashboard``) whose history is stored.
        time_budget: a :class:`ganlib.callbacks.TimeBudget` whose ``elapsed`` time is stored; without one,
            the time spent in ``fit`` is measured here.

    The save when training ends, or is interrupted, always happens.

    Attributes:
        initial_step: the step the run resumed from (set by :func:`resume`; 0 for a new run).
        step: training steps done so far, over all runs.
        epoch: epochs done so far, over all runs (stored, so an ``epochs``-long run resumes correctly).
        last_path: the last checkpoint written (``None`` before the first).
    """

    def __init__(
        self,
        folder,
        every_seconds: float = 30.0,
        every_n_steps: int = 0,
        keep: int = 2,
        sample_grid=None,
        history=None,
        time_budget=None,
    ):
        super().__init__()
        self.folder = Path(folder)
        if not every_seconds >= 0:
            raise ValueError(f"Expected `every_seconds` >= 0. Received: every_seconds={every_seconds!r}")
        self.every_seconds = float(every_seconds)
        self.every_n_steps = _non_negative_int("every_n_steps", every_n_steps)
        self.keep = _checks.positive_int("keep", keep)
        self.sample_grid = sample_grid
        self.history = history
        self.time_budget = time_budget
        self.initial_step = 0
        self.step = 0
        self.epoch = 0
        self.initial_elapsed = 0.0
        self.last_path: Path | None = None
        self._last_saved_step: int | None = None
        self._last_save_time = 0.0
        self._fit_seconds = 0.0
        self._fit_start: float | None = None

    def continue_from(self, meta: dict) -> None:
        """Carry on counting from a restored checkpoint's ``meta`` (what :func:`resume` calls)."""
        self.initial_step = self.step = int(meta["step"])
        self.epoch = int(meta["epoch"])
        self.initial_elapsed = float(meta.get("elapsed_seconds", 0.0))
        self._fit_seconds = 0.0
        self._last_saved_step = self.step

    @property
    def elapsed(self) -> float:
        """Training seconds so far, over all runs."""
        if self.time_budget is not None:
            return float(self.time_budget.elapsed)
        running = time.perf_counter() - self._fit_start if self._fit_start is not None else 0.0
        return self.initial_elapsed + self._fit_seconds + running

    def on_train_begin(self, logs=None):
        self._fit_start = self._last_save_time = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        due_by_steps = self.every_n_steps and self.step % self.every_n_steps == 0
        due_by_time = self.every_seconds and time.perf_counter() - self._last_save_time >= self.every_seconds
        if due_by_steps or due_by_time:
            self.save()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch += 1

    def on_train_end(self, logs=None):
        if self.step != self._last_saved_step:
            self.save()
        if self._fit_start is not None:
            self._fit_seconds += time.perf_counter() - self._fit_start
            self._fit_start = None

    def save(self) -> Path:
        """Save a checkpoint now; return its directory."""
        self.last_path = save_checkpoint(
            self.model,
            self.folder,
            step=self.step,
            epoch=self.epoch,
            history=getattr(self.history, "history", None),
            fixed_noise=getattr(self.sample_grid, "noise", None),
            elapsed_seconds=self.elapsed,
            keep=self.keep,
        )
        self._last_saved_step = self.step
        self._last_save_time = time.perf_counter()
        return self.last_path


# ------------------------------------------------------------------------------------ resume


def resume(gan, folder, sample_grid=None, history=None, time_budget=None, checkpoint=None) -> dict | None:
    """Restore the latest checkpoint of ``folder`` into ``gan`` and the callbacks, if there is one.

    Prints one line saying what it did.

    Args:
        gan: a compiled :class:`ganlib.training.GAN` built from the same recipe as the saved run.
        folder: the run's output folder.
        sample_grid: a :class:`ganlib.callbacks.SampleGrid`: gets back the fixed noise (same digits as
            before) and its step counter.
        history: a :class:`ganlib.callbacks.StepHistory` or ``LiveDashboard``: gets back the history.
        time_budget: a :class:`ganlib.callbacks.TimeBudget`: the time already spent counts against it.
        checkpoint: the run's :class:`Checkpoint` callback: carries on the step and epoch counts.

    Returns:
        The checkpoint's metadata (see :func:`restore_checkpoint`), or ``None`` when there was none.
    """
    found = latest_checkpoint(folder)
    if found is None:
        print(f"No checkpoint in {folder}: starting a new run.")
        return None
    meta = restore_checkpoint(gan, found)
    step = int(meta["step"])
    if sample_grid is not None:
        if meta["fixed_noise"] is not None:
            sample_grid.noise = meta["fixed_noise"]
        sample_grid.step = step
        if hasattr(sample_grid, "reload_frames"):
            sample_grid.reload_frames(step)
    if history is not None:
        history.history = {key: list(values) for key, values in meta["history"].items()}
        history.step = step
    if time_budget is not None:
        time_budget.already_used = time_budget.elapsed = float(meta["elapsed_seconds"])
    if checkpoint is not None:
        checkpoint.continue_from(meta)
    print(f"Resuming from step {step} (epoch {meta['epoch']}) of {found}")
    return meta


def fit_resumable(
    gan,
    dataset,
    folder,
    *,
    seconds: float | None = None,
    epochs: int | None = None,
    history=None,
    sample_grid=None,
    extra_callbacks=(),
    fresh: bool = False,
    settings: dict | None = None,
    checkpoint_every: float = 30.0,
    verbose: int = 0,
) -> dict:
    """Train ``gan`` with regular checkpoints, resuming from ``folder`` when it holds a run of the same settings.

    The run is stopped by a time budget (``seconds``, counting earlier parts of the run) or after
    ``epochs`` epochs in all. On ``KeyboardInterrupt`` (the notebook's stop button, Ctrl-C) a checkpoint is
    saved before the interrupt is passed on, so calling this again carries on from that step.

    Args:
        gan: a compiled :class:`ganlib.training.GAN` (same recipe as the saved run, when resuming).
        dataset: one epoch of batches (not repeated), e.g. :func:`ganlib.data.make_image_dataset`.
        folder: where checkpoints go.
        seconds: training-time budget of the whole run; or
        epochs: epochs of the whole run.
        history: a :class:`ganlib.callbacks.StepHistory` / ``LiveDashboard`` to record (and restore).
        sample_grid: a :class:`ganlib.callbacks.SampleGrid` / ``GifRecorder`` whose fixed noise is kept.
        extra_callbacks: more callbacks for ``fit`` (progress bars, quality logs).
        fresh: delete the checkpoints in ``folder`` first and start over.
        settings: result-changing settings the model cannot tell (dataset name, shuffle seed, ...). With
            what :func:`ganlib.run_identity.settings_of` reads from ``gan`` and ``dataset`` they are recorded
            in ``folder/settings.json``; a folder holding a run made with other settings is refused
            (:class:`ganlib.run_identity.OtherSettingsError`) instead of resumed. Use
            :func:`ganlib.run_identity.run_folder` to give each set of settings its own folder.
        checkpoint_every: seconds between checkpoints, at least: one is saved at the first step end after
            that, when training ends, and on an interrupt. A crash (power cut, ``kill -9``) loses at most
            this much training.
        verbose: Keras' ``fit`` verbosity.

    Returns:
        ``{"resumed_from": step or None, "step": steps in all, "steps_this_run": ..., "elapsed": seconds in
        all, "complete": whether nothing was left to do, "folder": the run folder}``.

    Raises:
        ganlib.run_identity.OtherSettingsError: ``folder`` holds a run made with other settings.
    """
    from ganlib import callbacks, run_identity

    if (seconds is None) == (epochs is None):
        raise ValueError("Expected exactly one of `seconds` and `epochs`.")
    folder = Path(folder)
    if fresh and folder.exists():
        shutil.rmtree(folder)
    identity = run_identity.settings_of(gan, dataset, settings)
    run_identity.check_folder(folder, identity, has_run=latest_checkpoint(folder) is not None)
    history = history if history is not None else callbacks.StepHistory()
    budget = callbacks.TimeBudget(seconds) if seconds is not None else None
    checkpoint = Checkpoint(
        folder, every_seconds=checkpoint_every, sample_grid=sample_grid, history=history, time_budget=budget
    )
    meta = resume(gan, folder, sample_grid, history, budget, checkpoint)
    initial_epoch = int(meta["epoch"]) if meta else 0
    total_epochs = epochs if epochs is not None else 10**6
    result = {"resumed_from": checkpoint.initial_step if meta else None, "folder": folder}
    done = (budget is not None and budget.already_used >= seconds) or initial_epoch >= total_epochs
    if done:
        asked = f"{seconds:.0f} s" if budget is not None else f"{epochs} epoch(s)"
        print(f"Nothing left to train: this run already has {checkpoint.elapsed:.0f} s, {checkpoint.epoch} epoch(s) "
              f"of training (asked for {asked}).")
    if not done:
        run_callbacks = [c for c in (history, sample_grid, budget) if c is not None]
        run_callbacks += [*extra_callbacks, checkpoint]
        try:
            gan.fit(
                dataset,
                epochs=total_epochs,
                initial_epoch=initial_epoch,
                verbose=verbose,
                callbacks=run_callbacks,
            )
        except KeyboardInterrupt:
            path = checkpoint.save()
            print(f"Interrupted at step {checkpoint.step}: saved {path}. Run again to resume.")
            raise
    result.update(
        step=checkpoint.step,
        steps_this_run=checkpoint.step - checkpoint.initial_step,
        elapsed=checkpoint.elapsed,
        complete=done,
    )
    return result
