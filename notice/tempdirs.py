"""A build's temporary files in one folder of its own, removed when the build ends.

WeasyPrint's FontConfiguration copies the @font-face files into a mkdtemp folder that it
removes only when the object is collected; a cached configuration, or one in a worker that is
terminated, never is. During a build, Python's temporary folder is a private one
(TMPDIR/notice-<pid>-XXXX) that the build removes however it ends; the folder of a build that
was killed is removed by the next build, once its process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

PREFIX = "notice-"
_active: list[Path] = []  # the private folder of the block this process is in


@contextlib.contextmanager
def private_tempdir() -> Iterator[Path]:
    """Python's temporary folder (and $TMPDIR of the programs it starts) is a private one for
    the duration of the block. Inside another such block (the builds of `watch`), the same
    folder: what was loaded into it (the stylesheets' fonts) stays for the next build."""
    if _active:
        yield _active[-1]
        return
    sweep_tempdirs()
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    previous, previous_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder  # for the programs started meanwhile (ctypes runs gcc, ld)
    _active.append(Path(folder))
    try:
        yield Path(folder)
    finally:
        _active.pop()
        tempfile.tempdir = previous
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
        pdf = sys.modules.get(f"{__package__}.pdf")  # loaded when something was laid out
        if pdf is not None:
            pdf.forget_stylesheets()  # their font configurations point into the folder
        shutil.rmtree(folder, ignore_errors=True)


def sweep_tempdirs() -> None:
    """Remove the private folders of builds whose process is gone (killed, or power lost)."""
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or not folder.is_dir() \
                    or folder.stat().st_uid != os.getuid() or _alive(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

