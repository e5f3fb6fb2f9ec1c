"""One writer at a time: an ``fcntl.flock`` on ``<database>.lock``.

``run``, ``digest`` and each job of ``serve`` hold it while they write. The kernel
drops a flock when its process dies, however it dies, so a lock file left behind
by a killed process never blocks anyone; the file only tells a refused writer who
holds the lock (pid, command, since when).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path

from monitor.store import utcnow


class LockError(Exception):
    """Another process is writing to the database."""


class WriterLock:
    """Hold the database's writer lock; wait up to ``wait`` seconds for it."""

    def __init__(self, db_path: str | Path, command: str, wait: float = 0.0):
        self.db_path = Path(db_path)
        self.path = self.db_path.with_name(self.db_path.name + ".lock")
        self.command = command
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = self._holder(fd)
                    os.close(fd)
                    raise LockError(f"database {self.db_path} is in use by {holder}") from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": self.command,
                                  "since": utcnow()}).encode(), 0)
        self._fd = fd

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
            return f"`{info['command']}` (pid {info['pid']}) since {info['since']}"
        except (ValueError, KeyError, TypeError):
            return "another policy-monitor process"

    @classmethod
    def held_by(cls, db_path: str | Path, command: str) -> bool:
        """Is the lock held right now, by ``command``?"""
        path = Path(db_path).with_name(Path(db_path).name + ".lock")
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False  # nobody holds it (closing the descriptor lets it go again)
        except BlockingIOError:
            return f"`{command}`" in cls._holder(fd)
        finally:
            os.close(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
