"""Course-wide settings: smoke mode, where data lives, seeding and the devices in use.

Everything here is read from the environment when asked, so a test or a notebook can change a variable
and call again:

* ``GANLIB_SMOKE=1`` — smoke mode: every notebook shrinks to tiny data and a few steps (used by CI).
* ``GANLIB_OFFLINE=1`` — never try the network; use the data that ships inside pip packages.
* ``GANLIB_DATA_DIR=/some/folder`` — where downloads and cached artefacts go.
* ``GANLIB_CPU_DEVICES=N`` — split the CPU into N logical devices, so that :func:`distribution_strategy`
  trains on N replicas even on a laptop. Read by :func:`configure_cpu_devices`, which must run before
  TensorFlow starts (the first TensorFlow operation); set the variable before starting Python.
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


# ------------------------------------------------------------------------------------------ tf.distribute

CPU_DEVICES_VARIABLE = "GANLIB_CPU_DEVICES"


def cpu_devices() -> int:
    """Return the number of logical CPU devices asked for by ``GANLIB_CPU_DEVICES`` (1 when unset)."""
    text = os.environ.get(CPU_DEVICES_VARIABLE, "").strip()
    if not text:
        return 1
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(
            f"Expected {CPU_DEVICES_VARIABLE} to be a whole number >= 1. Received: {CPU_DEVICES_VARIABLE}={text!r}"
        )
    return count


def configure_cpu_devices(count: int | None = None) -> int:
    """Split the CPU into ``count`` logical devices (default: ``GANLIB_CPU_DEVICES``); return how many there are.

    TensorFlow fixes its devices when it starts, at its first operation, so this must run before that:
    first thing in a script, or in a fresh process. Calling it again with the same count is harmless.

    Args:
        count: logical CPU devices wanted; 1 leaves the CPU whole.

    Returns:
        The number of logical CPU devices TensorFlow now has.

    Raises:
        RuntimeError: if TensorFlow has already started with a different number of CPU devices.
    """
    import tensorflow as tf

    count = cpu_devices() if count is None else _checks.positive_int("count", count)
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if count == (len(current) if current else 1):
        return count
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
    except RuntimeError:
        have = len(tf.config.list_logical_devices("CPU"))
        if have == count:
            return count
        raise RuntimeError(
            f"TensorFlow has already started with {have} CPU device(s), so it cannot be split into {count}. "
            f"Set {CPU_DEVICES_VARIABLE}={count} before starting Python (e.g. `{CPU_DEVICES_VARIABLE}={count} "
            "python -m ganlib train dcgan --distribute ...`), or run the training in a fresh process."
        ) from None
    return count


def _tpu_resolver():
    """Return a ``TPUClusterResolver`` when a TPU is visible (a TPU VM, Colab, ``TPU_NAME``), else ``None``."""
    import tensorflow as tf

    name = os.environ.get("TPU_NAME")
    local = Path("/dev/accel0").exists() or bool(tf.config.list_physical_devices("TPU"))
    if not (name or local or os.environ.get("COLAB_TPU_ADDR")):
        return None  # no sign of a TPU: do not let the resolver probe the network for one
    try:
        return tf.distribute.cluster_resolver.TPUClusterResolver(tpu=name or ("local" if local else None))
    except (ValueError, RuntimeError):
        return None


def distribution_strategy(verbose: bool = True):
    """Return the ``tf.distribute`` strategy for the devices this process can see, and say which in one line.

    In order of preference:

    * a TPU (Colab, a TPU VM, or ``TPU_NAME``) — ``TPUStrategy`` over its cores;
    * ``TF_CONFIG`` set — ``MultiWorkerMirroredStrategy``: one replica per device on every machine listed;
    * several GPUs — ``MirroredStrategy`` over all of them;
    * ``GANLIB_CPU_DEVICES=N`` with N > 1 — ``MirroredStrategy`` over N logical CPU devices (the same code
      path as several GPUs, for trying it on a laptop; no faster, the cores are shared);
    * else TensorFlow's default strategy: one replica, on the GPU when there is one.

    Build and compile the models inside ``strategy.scope()`` (the builders of :mod:`ganlib.recipes` take
    ``strategy=``), and batch the dataset at the *global* batch size: each step splits it over
    ``strategy.num_replicas_in_sync`` replicas. Call this first, before any other TensorFlow work, so that
    ``GANLIB_CPU_DEVICES`` and the TPU or cluster set-up can take effect.

    Args:
        verbose: print the one-line choice.

    Returns:
        A ``tf.distribute.Strategy``.
    """
    import tensorflow as tf

    configure_cpu_devices()
    resolver = _tpu_resolver()
    if resolver is not None:
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        strategy = tf.distribute.TPUStrategy(resolver)
        what = "TPUStrategy over the TPU's cores"
    elif os.environ.get("TF_CONFIG"):
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        workers = strategy.cluster_resolver.cluster_spec().num_tasks("worker")
        what = f"MultiWorkerMirroredStrategy over {workers} worker(s) of TF_CONFIG"
    elif len(tf.config.list_physical_devices("GPU")) > 1:
        strategy = tf.distribute.MirroredStrategy()
        what = f"MirroredStrategy over {len(tf.config.list_physical_devices('GPU'))} GPUs"
    elif len(cpus := tf.config.list_logical_devices("CPU")) > 1:
        strategy = tf.distribute.MirroredStrategy([device.name for device in cpus])
        what = f"MirroredStrategy over {len(cpus)} logical CPU devices ({CPU_DEVICES_VARIABLE})"
    else:
        strategy = tf.distribute.get_strategy()
        device = "the GPU" if tf.config.list_physical_devices("GPU") else "the CPU"
        what = f"the default strategy on {device}"
    if verbose:
        print(f"tf.distribute: {describe_replicas(strategy.num_replicas_in_sync)} — {what}.")
    return strategy


def describe_replicas(count: int) -> str:
    """``"1 replica"``, ``"2 replicas"``, ..."""
    return f"{count} replica" + ("" if count == 1 else "s")
