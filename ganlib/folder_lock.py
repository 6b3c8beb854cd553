"""One writer per run folder: whoever trains into a folder holds it; a second process is refused at once.

    with folder_lock.hold("runs/dcgan"):      # raises FolderInUseError if another process trains there
        ...                                   # train, checkpoint, save

The hold is an operating-system lock on the file ``.writer.lock`` in the folder (``fcntl.flock`` on Linux and
macOS, ``msvcrt.locking`` on Windows). The system drops it when its process ends, however it ends (``kill -9``,
a crashed kernel, a closed laptop), so a dead writer never blocks the next run; the file itself stays and
only says who held it last. Holds are counted per process: the process that holds a folder may hold it again
(a notebook opening the same run twice, the CLI around :func:`ganlib.runs.open_run`), and the folder is
free once every hold is released. Readers (``sample``, ``translate``, :func:`ganlib.storage.load_model`) take
no lock: they read files that are written atomically.

This module imports nothing heavy, so the CLI can refuse a held folder before TensorFlow starts.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from pathlib import Path

#: The lock's file, inside the folder it guards.
LOCK_FILE = ".writer.lock"

# The holds of this process, by lock file: [file descriptor, count, folders the first hold made]. The
# operating-system lock is per open file (flock) or per process (Windows), so one descriptor per folder
# serves every hold of the process.
_HELD: dict[str, list] = {}
_GUARD = threading.RLock()  # re-entrant: a hold collected by the garbage collector releases under it


class FolderInUseError(RuntimeError):
    """Another process trains into the folder: wait for it to finish, or use another folder.

    Attributes:
        folder: the folder.
        holder: who holds it, e.g. ``"process 1234 since 07:55:03 (3 min ago)"``.
    """

    def __init__(self, folder, holder: str):
        self.folder, self.holder = folder, holder
        super().__init__(
            f"{folder} is being trained into by {holder}: wait until it finishes, or train into another folder."
        )


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, 1 << 30, os.SEEK_SET)  # lock a byte far past the text, which stays readable
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 1 << 30, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _holder_line(path: Path) -> str:
    """Who holds the lock, as its holder wrote it: ``process 1234 since 07:55:03 (3 min ago)``."""
    try:
        holder = json.loads(path.read_text())
        since = datetime.datetime.fromisoformat(holder["since"])
        minutes = (datetime.datetime.now(datetime.timezone.utc) - since).total_seconds() / 60
        ago = "just now" if minutes < 1 else f"{minutes:.0f} min ago"
        return f"process {holder['pid']} since {since.astimezone():%H:%M:%S} ({ago})"
    except (OSError, ValueError, KeyError, TypeError):  # written a moment ago, not yet readable
        return "another process"


class FolderLock:
    """One hold on a folder; :func:`hold` makes it. Release it (or leave the ``with`` block) when done.

    Args:
        folder: the run folder (made if missing).

    Raises:
        FolderInUseError: another process holds ``folder``. The message is one line: the folder, the holder's
            process id and since when, and what to do.
    """

    def __init__(self, folder):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.held = False
        self._key = None
        self.acquire()

    def acquire(self) -> None:
        if self.held:
            return
        created = [p for p in (self.folder, *self.folder.parents) if not p.exists()]
        self.folder.mkdir(parents=True, exist_ok=True)
        key = self._key = str(self.path.resolve())
        with _GUARD:
            entry = _HELD.get(key)
            if entry is not None:
                entry[1] += 1
                self.held = True
                return
            fd = self._lock_the_file()
            record = {"pid": os.getpid(), "since": datetime.datetime.now(datetime.timezone.utc).isoformat()}
            os.lseek(fd, 0, os.SEEK_SET)
            os.ftruncate(fd, 0)
            os.write(fd, json.dumps(record).encode())
            _HELD[key] = [fd, 1, created]
            self.held = True

    def _lock_the_file(self) -> int:
        """Open and lock the lock file; return its descriptor. A file that was deleted between our open and
        our lock (a holder that left an empty folder removes it) is not the lock any more: open again."""
        for _ in range(100):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                os.close(fd)
                raise FolderInUseError(self.folder, _holder_line(self.path))
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                return fd
            _unlock(fd)
            os.close(fd)
        raise OSError(f"Could not take the lock {self.path}: it kept being replaced.")

    def release(self) -> None:
        """Give this hold back; the folder is free once the process has given back every hold.

        The last release of a folder that holds nothing but the lock (a training refused or failed before
        writing anything) removes the lock file and the empty folders the hold made.
        """
        if not self.held:
            return
        with _GUARD:
            self.held = False
            entry = _HELD.get(self._key)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1]:
                return
            del _HELD[self._key]
            fd, _, created = entry
            empty = False
            try:
                empty = [p.name for p in self.folder.iterdir()] == [LOCK_FILE]
                if empty:
                    self.path.unlink()  # still locked: whoever opened it meanwhile sees a stale file, opens again
            except OSError:
                empty = False
            _unlock(fd)
            os.close(fd)
            if empty:
                for folder in created:  # deepest first
                    try:
                        folder.rmdir()
                    except OSError:
                        break

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self):  # a forgotten hold (a notebook's old run object) ends with the object
        self.release()


def hold(folder) -> FolderLock:
    """Hold ``folder`` for writing (a :class:`FolderLock`, usable with ``with``).

    Raises:
        FolderInUseError: another process holds it.
    """
    return FolderLock(folder)
