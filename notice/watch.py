"""Watch mode: build, then rebuild whenever a content file is saved, in one process kept warm.

The process keeps what a build loads once (WeasyPrint and the other libraries imported, the
templates compiled, the stylesheets parsed with their fonts, jieba's dictionary) and the
render cache (OUT/.cache) keeps every document laid out: a save lays out again only the
documents whose HTML it changed. A content problem is reported, located, like `build` reports
it, nothing is written, and the watch goes on; the next save is built again.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .errors import NoticeError
from .folder import FILES, assets
from .tempdirs import private_tempdir

POLL = 0.05  # seconds between two looks at the content files (a few stat calls: nothing)
SETTLE = 0.05  # a save seen is read once the files have stayed as they are this long (an
# editor's write-then-rename takes well under a millisecond)
QUIET = 0.01  # where the system tells of each change (Linux): read once it has told of none
# for this long (a save's write, close and rename come within a millisecond)


def snapshot(folder: Path) -> dict[str, tuple[int, int] | None]:
    """What the build reads from the folder, by name: (modification time, size), or None for
    a file that is not there (a content file may appear, an asset may go)."""
    seen: dict[str, tuple[int, int] | None] = {}
    for name in [*FILES, *assets(folder)]:
        try:
            stat = (Path(folder) / name).stat()
            seen[name] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen[name] = None
    return seen


def watch(folder: Path, build: Callable[[], object], built: Callable[[object, float], None],
          failed: Callable[[NoticeError], None], *, poll: float = POLL,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Build now, then each time the folder's files change, until `stop()` is true (or
    Ctrl-C). `built(result, seconds)` is told of each build, `failed(error)` of each build
    that a problem stopped (a content problem, another build holding the output folder)."""
    with private_tempdir():  # one for the whole watch: what a build loads stays loaded
        with _Changes(folder) as changes:  # (a save during the first build is told too)
            seen = snapshot(folder)
            _build_once(build, built, failed)
            while not stop():
                told = changes.wait(poll)  # (a change the system does not tell of: polled)
                now = snapshot(folder)
                if now == seen:
                    continue
                # an editor may save in steps (write, then rename)
                if told:
                    while changes.wait(QUIET):
                        pass
                else:
                    time.sleep(SETTLE)
                if snapshot(folder) != now:
                    continue  # still changing: looked at again on the next round
                seen = now
                _build_once(build, built, failed)


class _Changes:
    """The system's word that something in the folder changed (Linux's inotify: a save is
    seen at once rather than at the next look, half a poll later on average, and then read
    after QUIET rather than SETTLE). Elsewhere, or where it cannot be had (the limit of
    watches reached), it never tells, and the watch polls as before. (The workers a build
    forks inherit its descriptor and never read it.)"""

    # a file closed after writing, renamed in or out, deleted: a save is told once it is
    # whole (not at each write of an editor that writes in several, nor when a file is made)
    _EVENTS = 0x8 | 0x40 | 0x80 | 0x200  # close-write, moved from, moved to, delete
    _FLAGS = 0o4000 | 0o2000000  # non-blocking, close-on-exec

    def __init__(self, folder: Path):
        self.folder, self.fd = Path(folder), None

    def __enter__(self) -> _Changes:
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None, use_errno=True)
                fd = libc.inotify_init1(self._FLAGS)
                if fd >= 0:
                    self.fd = fd
                    self._watch(libc, self.folder)
                    for sub in (p for p in self.folder.rglob("*") if p.is_dir()):
                        self._watch(libc, sub)  # (the assets' folders)
        return self

    def _watch(self, libc, folder: Path) -> None:
        libc.inotify_add_watch(self.fd, os.fsencode(folder), self._EVENTS)

    def wait(self, seconds: float) -> bool:
        """Whether the system told of a change within `seconds` (what it told is read)."""
        if self.fd is None:
            time.sleep(seconds)
            return False
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return False
        with contextlib.suppress(BlockingIOError):
            while os.read(self.fd, 65536):
                pass
        return True

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _build_once(build, built, failed) -> None:
    start = time.perf_counter()
    try:
        result = build()
    except NoticeError as exc:
        failed(exc)
        return
    built(result, time.perf_counter() - start)
