"""Downloading a file safely: a timeout that also covers name look-up, a checksum, an atomic rename.

Used by :mod:`ganlib.data.mnist` (the Keras MNIST mirror) and :mod:`ganlib.data.facades` (the pix2pix
facades archive).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import urllib.request
from pathlib import Path


class DownloadError(RuntimeError):
    """A download failed, timed out or gave a file whose checksum does not match."""


def sha256sum(path: str | os.PathLike) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_url(url: str, timeout: float):
    """Open ``url``, giving up after ``timeout`` seconds even where name look-up hangs."""
    result: dict = {}

    def target():
        try:
            result["response"] = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (https only)
        except Exception as error:  # noqa: BLE001 (reported to the caller below)
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if "response" in result:
        return result["response"]
    if "error" in result:
        raise DownloadError(f"could not reach {url}: {result['error']}")
    raise DownloadError(f"no answer from {url} within {timeout:g} s")


def download(url: str, path: str | os.PathLike, sha256: str | None = None, timeout: float = 10.0) -> Path:
    """Download ``url`` to ``path`` atomically and check its SHA-256 digest.

    The file is written to a temporary name beside ``path`` and renamed only once complete and verified,
    so an interrupted or corrupt download never leaves a half file behind.

    Args:
        url: where to fetch from (``https://`` or ``file://``).
        path: where the file should end up.
        sha256: the expected hex digest; ``None`` skips the check.
        timeout: seconds to wait for the connection and for each read.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        DownloadError: the server could not be reached in time, the transfer broke off, or the digest
            does not match.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    response = _open_url(url, timeout)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out, response:
            shutil.copyfileobj(response, out, length=1 << 20)
        if sha256 is not None:
            got = sha256sum(tmp_name)
            if got != sha256:
                raise DownloadError(f"{url} gave a file with SHA-256 {got}, expected {sha256}")
        os.replace(tmp_name, path)
    except DownloadError:
        raise
    except Exception as error:  # a transfer that broke off midway
        raise DownloadError(f"download of {url} failed: {error}") from error
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)
    return path
