"""One writer at a time: an flock on a folder's lock file, which a second process waits for."""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing.util
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import NoticeError


@contextlib.contextmanager
def held(lock_file: Path, wait: float, busy: Callable[[], NoticeError],
         waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold `lock_file`; while another process holds it, wait up to `wait` seconds (telling
    `waiting` once), then raise `busy()`. The lock dies with the process that holds it."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = _Lock(os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644))
    try:
        deadline = time.monotonic() + wait
        while not lock.take():
            if time.monotonic() >= deadline:
                raise busy()
            if waiting is not None:
                waiting()
                waiting = None
            time.sleep(0.2)
        # rendering workers are forked: they must not keep the lock alive if we die
        multiprocessing.util.register_after_fork(lock, _Lock.forget)
        yield
    finally:
        lock.release()


class _Lock:
    """An flock on an open file; a forked child closes its copy without releasing ours."""

    def __init__(self, fd: int):
        self.fd: int | None = fd

    def take(self) -> bool:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def forget(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the file releases the lock
            self.fd = None
