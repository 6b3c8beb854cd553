"""Saving and loading files safely: write to a temporary name, then rename; load models in safe mode.

A run killed halfway through a save leaves the previous file intact, never half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_atomically(path, suffix: str, write) -> Path:
    """Call ``write(temporary_path)`` for a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(handle)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it private; give it a new file's usual mode
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


def _keras_archive_problem(path: Path) -> str | None:
    """Say what is wrong with a ``.keras`` file that is not a complete Keras archive (``None`` if it is one)."""
    size = path.stat().st_size
    with open(path, "rb") as file:
        head = file.read(4)
    if head != b"PK\x03\x04":
        return f"it is not a Keras model archive (a .keras file is a zip archive; this one's {size:,} bytes are not)"
    if not zipfile.is_zipfile(path):
        return (
            f"it is truncated (a zip archive that ends early, {size:,} bytes): the save was cut short. "
            "Train again, or copy the file again"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f"it is a damaged zip archive ({error})"
    if bad is not None:
        return f"it is damaged: {bad} inside it fails its checksum"
    missing = [name for name in ("config.json", "model.weights.h5") if name not in names]
    if missing:
        return f"it is a zip archive but not a Keras model (no {' or '.join(missing)} inside)"
    return None


def _model_class(path: Path) -> str:
    """``module.ClassName`` of the model saved in a ``.keras`` archive, as its config.json names it."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
        return f"{config.get('module') or '?'}.{config.get('class_name') or '?'}"
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return "?"


def save_array_atomically(array, path) -> Path:
    """Save a NumPy array to ``path`` (a ``.npy`` file) via a temporary file beside it."""
    array = np.asarray(array)
    return _write_atomically(path, ".tmp.npy", lambda tmp: np.save(tmp, array, allow_pickle=False))


def save_picture_atomically(pixels, path) -> Path:
    """Save uint8 pixels ``(H, W)`` or ``(H, W, 3)`` as an image file (format from ``path``'s suffix, e.g.
    ``.png``, ``.jpg``) via a temporary file beside it."""
    from PIL import Image

    path = Path(path)
    picture = Image.fromarray(np.asarray(pixels, dtype=np.uint8))
    return _write_atomically(path, ".tmp" + path.suffix.lower(), picture.save)


def load_model(path, **kwargs):
    """Load a ``.keras`` model with Keras' safe mode on; a bad file gets one line saying what is wrong with it.

    Args:
        path: the ``.keras`` file.
        **kwargs: passed to ``keras.models.load_model`` (e.g. ``compile=False``).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is truncated, not a Keras archive, or holds a model ganlib cannot rebuild.
    """
    import keras

    import ganlib.models  # noqa: F401 (registers ganlib's custom layers, e.g. LabToRGB, in a fresh process)

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No saved model at {path}. Train one first (e.g. `python -m ganlib train gan`).")
    problem = _keras_archive_problem(path)
    if problem:
        raise ValueError(f"Cannot load {path}: {problem}.")
    try:
        return keras.models.load_model(path, safe_mode=True, **kwargs)
    except (TypeError, ValueError, KeyError, AttributeError, NotImplementedError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ValueError(
            f"Cannot load {path}: it holds a {_model_class(path)} model that this ganlib cannot rebuild "
            f"(made by another kind of model or another version?): {first[:200]}"
        ) from None
    except OSError as error:
        raise ValueError(f"Cannot load {path}: its weights cannot be read ({error}).") from None


NPY_MAGIC = b"\x93NUMPY"


def load_array(path) -> np.ndarray:
    """Load a ``.npy`` file of numbers (no pickled objects); a bad file gets one line saying what is wrong.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: not a ``.npy`` file, truncated, or holding Python objects instead of numbers.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file at {path}.")
    with open(path, "rb") as file:
        if file.read(len(NPY_MAGIC)) != NPY_MAGIC:
            raise ValueError(f"Cannot read {path}: it is not a NumPy .npy file (it lacks the .npy header).")
        file.seek(0)
        try:
            version = np.lib.format.read_magic(file)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(file)
        except (ValueError, OSError, SyntaxError) as error:
            raise ValueError(f"Cannot read {path}: its .npy header is damaged ({error}).") from None
        data_start = file.tell()
    if dtype.hasobject:
        raise ValueError(f"Cannot read {path}: it holds Python objects (pickled data), not an array of numbers.")
    expected = data_start + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    size = path.stat().st_size
    if size < expected:
        raise ValueError(
            f"Cannot read {path}: it is truncated ({size:,} of the {expected:,} bytes that its header, "
            f"shape {shape} {dtype}, announces)."
        )
    return np.load(path, allow_pickle=False)


def npy_bytes(shape, dtype) -> int:
    """The size in bytes of a ``.npy`` file holding an array of ``shape`` and ``dtype`` (header included)."""
    return 128 + int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize


def write_npy_in_chunks(path, shape, dtype, chunks) -> Path:
    """Write an array chunk by chunk into ``path`` (``.npy``), keeping memory flat for any size.

    The file is opened with :func:`numpy.lib.format.open_memmap` under a temporary name beside ``path``
    and renamed when complete: an interruption or an error leaves no half-written file. Each chunk is
    written through a fresh memory map that is closed afterwards, so written pages do not stay resident.

    Args:
        path: the ``.npy`` file to write.
        shape: the whole array's shape; the chunks split its first axis.
        dtype: its dtype.
        chunks: an iterable of arrays whose lengths add up to ``shape[0]``.
    """
    shape, total = tuple(int(d) for d in shape), 0

    def write(tmp):
        nonlocal total
        np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=shape).flush()
        for chunk in chunks:
            chunk = np.asarray(chunk, dtype=dtype)
            if total + len(chunk) > shape[0]:
                raise ValueError(f"Expected chunks of {shape[0]} rows in all. Received more.")
            mapped = np.lib.format.open_memmap(tmp, mode="r+")
            mapped[total : total + len(chunk)] = chunk
            mapped.flush()
            del mapped
            total += len(chunk)
        if total != shape[0]:
            raise ValueError(f"Expected chunks of {shape[0]} rows in all. Received: {total}")

    return _write_atomically(path, ".tmp.npy", write)
