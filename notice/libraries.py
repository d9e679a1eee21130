"""Where the system's shared libraries are, remembered from one run to the next.

WeasyPrint loads Pango, HarfBuzz, fontconfig and GObject through cffi, trying each under the
names every platform gives it; on Linux, cffi asks `ctypes.util.find_library` for each name it
cannot open as it is, and each answer costs a run of ldconfig (and of gcc, where installed).
Measured here: 22 questions, 17 of them about names that are not there, 0.13 s of WeasyPrint's
0.31 s import, in every build that lays a document out. The answers are kept in the user's cache
(notice/usercache.py) for as long as the system's index of libraries (/etc/ld.so.cache, which
installing or removing a library rewrites) and LD_LIBRARY_PATH stay as they were; otherwise the
libraries are looked for again.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

from .usercache import Kept

_INDEX = "/etc/ld.so.cache"

# one table {name: what find_library answered} for each state of the system's libraries
_FOUND = Kept(lambda: "libraries", 8, lambda table: isinstance(table, dict) and all(
    isinstance(found, str | None) for found in table.values()))


def _system() -> str:
    """The state of the system's libraries, as far as find_library can tell."""
    try:
        index = os.stat(_INDEX)
        stamp = f"{index.st_mtime_ns} {index.st_size}"
    except OSError:
        stamp = "no index"
    return f"{sys.platform} {stamp} {os.environ.get('LD_LIBRARY_PATH', '')}"


def remember_where_libraries_are() -> None:
    """From now on, this process asks the system where a library is once, ever (see above).
    Linux only: elsewhere there is no index whose change says a library was installed."""
    if not sys.platform.startswith("linux") or getattr(
            ctypes.util.find_library, "remembered", False):
        return
    ask = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        system = _system()
        table = _FOUND.get(system) or {}
        if name in table:
            return table[name]
        found = ask(name)
        _FOUND.put(system, {**table, name: found})
        _FOUND.flush()  # (a first run only: a few small writes)
        return found

    find_library.remembered = True
    ctypes.util.find_library = find_library
