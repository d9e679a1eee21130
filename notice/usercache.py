"""Values worth keeping from one run to the next (a title's words, a table's fitted column
widths), each kind in a JSON file of the user's cache folder: $XDG_CACHE_HOME/notice/<name>.json
(~/.cache by default). A file that cannot be read is an empty cache, one that cannot be
written none: a value is then computed again, never wrong."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path


class Kept:
    """One kind of value, by key: read once a process, the oldest dropped past `size`,
    written by flush() when a value was added; an entry `valid` refuses is ignored."""

    def __init__(self, name: Callable[[], str], size: int, valid: Callable[[object], bool]):
        self.name, self.size, self.valid = name, size, valid
        self._values: dict | None = None
        self._changed = False
        _ALL.append(self)

    def file(self) -> Path:
        root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(root) / "notice" / f"{self.name()}.json"

    def _loaded(self) -> dict:
        if self._values is None:
            try:
                found = json.loads(self.file().read_text(encoding="utf-8"))
            except (OSError, ValueError, RuntimeError):  # none yet, damaged, or no home
                found = {}
            self._values = {key: value for key, value in found.items() if self.valid(value)} \
                if isinstance(found, dict) else {}
        return self._values

    def get(self, key: str):
        return self._loaded().get(key)

    def put(self, key: str, value) -> None:
        values = self._loaded()
        values[key] = value
        while len(values) > self.size:
            del values[next(iter(values))]
        self._changed = True

    def flush(self) -> None:
        from .output import write_atomically

        if self._changed:
            self._changed = False
            with contextlib.suppress(OSError, RuntimeError):
                write_atomically(self.file(), json.dumps(
                    self._values, ensure_ascii=False).encode("utf-8"))

    def forget(self) -> None:
        """Read the file again when next asked (as a new process would)."""
        self._values, self._changed = None, False


_ALL: list[Kept] = []


def flush() -> None:
    """Write every kind that was given a value."""
    for kept in _ALL:
        kept.flush()
