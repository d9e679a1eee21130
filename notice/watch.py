"""Watch mode: build, then rebuild whenever a content file is saved, in one process kept warm.

The process keeps what a build loads once (WeasyPrint and the other libraries imported, the
templates compiled, the stylesheets parsed with their fonts, jieba's dictionary) and the
render cache (OUT/.cache) keeps every document laid out: a save lays out again only the
documents whose HTML it changed. A content problem is reported, located, like `build` reports
it, nothing is written, and the watch goes on; the next save is built again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .errors import NoticeError
from .folder import FILES, assets
from .tempdirs import private_tempdir

POLL = 0.05  # seconds between two looks at the content files (a few stat calls: nothing)
SETTLE = 0.05  # a save seen is read once the files have stayed as they are this long (an
# editor's write-then-rename takes well under a millisecond)


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
        seen = snapshot(folder)
        _build_once(build, built, failed)
        while not stop():
            time.sleep(poll)
            now = snapshot(folder)
            if now == seen:
                continue
            time.sleep(SETTLE)  # an editor may save in steps (write, then rename)
            if snapshot(folder) != now:
                continue  # still changing: looked at again on the next round
            seen = now
            _build_once(build, built, failed)


def _build_once(build, built, failed) -> None:
    start = time.perf_counter()
    try:
        result = build()
    except NoticeError as exc:
        failed(exc)
        return
    built(result, time.perf_counter() - start)
