"""The pix2pix facades (label map → photo): downloaded once, checksum-pinned, extracted, read and resized."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ganlib import config
from ganlib.data.downloads import DownloadError, download, sha256sum
from ganlib.data.pipelines import scale_to_unit

FACADES_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"
FACADES_FILENAME = "facades.tar.gz"
#: Pairs of the facades splits (all are loaded, then cut to ``n``).
FACADES_PAIRS = {"train": 400, "validation": 100}
#: The authors publish no checksum of the archive: unless ``GANLIB_FACADES_SHA256`` pins one, the digest of
#: the first complete download is recorded beside it (``facades.tar.gz.sha256``) and checked from then on.
FACADES_SHA256_ENV = "GANLIB_FACADES_SHA256"


def _facades_archive(timeout: float) -> Path:
    """Return the verified facades archive, downloading it first when needed."""
    path = config.data_dir() / FACADES_FILENAME
    record = path.with_name(path.name + ".sha256")
    expected = os.environ.get(FACADES_SHA256_ENV) or (record.read_text().strip() if record.is_file() else None)
    if path.is_file():
        if expected is None or sha256sum(path) == expected:
            return path
        print(f"facades: the cached file {path} is corrupt or truncated (checksum mismatch); fetching it again.")
        path.unlink()
    if config.offline():
        raise DownloadError("facades: GANLIB_OFFLINE=1 is set and the archive is not cached.")
    url = os.environ.get("GANLIB_FACADES_URL", FACADES_URL)
    download(url, path, sha256=expected, timeout=timeout)
    if expected is None:
        record.write_text(sha256sum(path) + "\n")
    return path


def _facades_folder(timeout: float) -> Path:
    """Return the extracted ``facades`` folder, accepting the ``facades/`` and ``facades_extracted/facades/``
    layouts (the second is what ``keras.utils.get_file(..., extract=True)`` makes)."""
    import tarfile

    root = config.data_dir()
    for candidate in (root / "facades", root / "facades_extracted" / "facades"):
        if (candidate / "train").is_dir():
            return candidate
    archive = _facades_archive(timeout)
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    if not (root / "facades" / "train").is_dir():
        raise DownloadError(f"facades: {archive} holds no facades/train folder. Delete it and run again.")
    return root / "facades"


def load_facades(split: str, size: int, timeout: float) -> tuple[np.ndarray, np.ndarray]:
    """Facades (label map → photo), each ``label | photo`` file split in two and resized to ``size``."""
    from PIL import Image

    folder = _facades_folder(timeout) / ("train" if split == "train" else "val")
    files = sorted(folder.glob("*.jpg"), key=lambda p: (len(p.stem), p.stem))
    if not files:
        raise DownloadError(f"facades: no .jpg files in {folder}.")
    photos, labels = [], []
    for path in files:
        pair = Image.open(path).convert("RGB")
        half = pair.width // 2
        photo, label = pair.crop((0, 0, half, pair.height)), pair.crop((half, 0, pair.width, pair.height))
        photos.append(np.asarray(photo.resize((size, size), Image.Resampling.BICUBIC)))
        labels.append(np.asarray(label.resize((size, size), Image.Resampling.NEAREST)))
    return scale_to_unit(np.stack(labels)), scale_to_unit(np.stack(photos))

