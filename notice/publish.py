"""Puts a year's outputs in place all at once: OUT/<year> is a link switched to a whole set.

A build writes into a private folder, OUT/.builds/<year>-XXXX, and publishes it with one
atomic rename of a symbolic link over OUT/<year>: a reader, and a build killed at any instant,
see the old set or the new one, never a mix. The set that was replaced is then removed; what a
killed build leaves (its folder, a link not yet renamed) is swept by the next one, under the
output folder's lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from . import lock
from .errors import EXIT_BUSY, NoticeError, OutputError
from .output import _interrupts_held, fsync_folder

BUILDS = ".builds"  # OUT/.builds/<year>-XXXX: one folder a set, the published ones linked
LOCK_FILE = ".lock"  # OUT/.lock: one build into an output folder at a time
LOCK_WAIT = 300.0
NEXT = ".next-"  # OUT/.<year>.next-XXXX: the new link, just before it replaces OUT/<year>
MOVED = "-moved-"  # OUT/.builds/<year>-moved-XXXX: an old real folder, while it is switched
RENAME_EXCHANGE = True  # swap a real folder for the link in one step where the kernel can


_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}


class OutputBusy(NoticeError):
    """Another build into the same output folder held its lock past the wait."""

    exit_code = EXIT_BUSY


@contextlib.contextmanager
def publishing(out_dir: Path, year: int, keep: Callable[[dict], bool] | None = None,
               wait: float = LOCK_WAIT,
               waiting: Callable[[], None] | None = None) -> Iterator[Draft]:
    """A draft of OUT/<year>, published when the block ends and discarded if it fails.

    With `keep` (a build of some letters only), the draft starts with the files of the
    published set whose manifest entries `keep` accepts.
    """
    out_dir = Path(out_dir)

    def busy() -> OutputBusy:
        return OutputBusy(f"another build into {out_dir} is still running (it holds "
                          f"{out_dir / LOCK_FILE}); waited {wait:g} s; try again when it has "
                          "finished")

    with lock.held(out_dir / LOCK_FILE, wait, busy, waiting):
        sweep(out_dir)
        draft = Draft(out_dir, year)
        try:
            if keep is not None:
                draft.carry_over(keep)
            yield draft
        except BaseException:
            draft.discard()
            raise
        draft.publish()


class Draft:
    """The next set of a year's outputs, in a folder of its own until it is published."""

    def __init__(self, out_dir: Path, year: int):
        self.out_dir = out_dir
        self.published = out_dir / str(year)
        builds = out_dir / BUILDS
        builds.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{year}-", dir=builds))
        os.chmod(self.folder, 0o755)  # mkdtemp makes it private; the set is to be read

    def write(self, path: Path, data: bytes) -> None:
        """Write the file that will be published as `path` (under OUT/<year>)."""
        relative = Path(path).relative_to(self.published)
        target = self.folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # a file carried over is a link to the old set's
            if self._link_unchanged(relative, target, data):
                return
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}; the outputs "
                              "already there were left as they were") from None

    def _link_unchanged(self, relative: Path, target: Path, data: bytes) -> bool:
        """Link the published set's file if it holds these bytes already (it is on disk for
        good: writing it again, and waiting for the disk, would change nothing)."""
        old = self.published / relative
        try:
            if (old.is_symlink() or not old.is_file() or old.stat().st_size != len(data)
                    or old.read_bytes() != data):
                return False
            os.link(old, target)
        except OSError:
            return False
        return True

    def carry_over(self, keep: Callable[[dict], bool]) -> None:
        """Start from the published set: its manifest and the files `keep` accepts."""
        manifest = self.published / "manifest.json"
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        except (OSError, ValueError, AttributeError):
            return  # no set yet, or one whose list cannot be read: nothing is carried over
        _link(manifest, self.folder / "manifest.json")
        for entry in entries if isinstance(entries, list) else []:
            path = entry.get("path") if isinstance(entry, dict) else None
            if not _plain_relative(path) or not keep(entry):
                continue
            source = self.published / path
            if source.is_file() and not source.is_symlink():
                _link(source, self.folder / path)

    def publish(self) -> None:
        """Switch OUT/<year> to the draft in one rename, then remove the set it replaced.

        Until the rename, a fault or Ctrl-C removes the draft and leaves the published set;
        after it, the new set is the published one (Ctrl-C is held back meanwhile).
        """
        link = self.out_dir / f".{self.published.name}{NEXT}{secrets.token_hex(4)}"
        try:
            _fsync_tree(self.folder)
            with _interrupts_held():
                try:
                    os.symlink(f"{BUILDS}/{self.folder.name}", link)
                except OSError as exc:
                    if exc.errno not in _NO_LINKS:
                        raise
                    self._publish_by_renames()  # a disk without links (FAT, some shares)
                    return
                replaced = _link_target(self.published)
                if self.published.is_dir() and not self.published.is_symlink():
                    replaced = link  # the real folder of an earlier version of the tool
                    _exchange(link, self.published, self.out_dir)
                else:
                    os.replace(link, self.published)
        except BaseException:
            _remove(link)
            self.discard()
            raise
        with _interrupts_held():
            fsync_folder(self.out_dir)
            if replaced is not None:
                _remove(replaced)

    def _publish_by_renames(self) -> None:
        """Where links cannot be made: the old folder aside, the draft in its place (two
        renames; a build killed between them is put back by sweep())."""
        moved = None
        if self.published.exists() or self.published.is_symlink():
            moved = self.out_dir / BUILDS / f"{self.published.name}{MOVED}{secrets.token_hex(4)}"
            os.rename(self.published, moved)
        try:
            os.rename(self.folder, self.published)
        except BaseException:
            if moved is not None:
                os.rename(moved, self.published)
            raise
        fsync_folder(self.out_dir)
        if moved is not None:
            _remove(moved)
        with contextlib.suppress(OSError):
            (self.out_dir / BUILDS).rmdir()

    def discard(self) -> None:
        _remove(self.folder)
        with contextlib.suppress(OSError):
            (self.out_dir / BUILDS).rmdir()  # only when empty


def sweep(out_dir: Path) -> None:
    """What builds that were killed left: put back a set caught between two renames, then
    remove links not yet renamed, unpublished build folders and temporary files."""
    out_dir = Path(out_dir)
    builds = out_dir / BUILDS
    if builds.is_dir():
        for moved in sorted(builds.glob(f"*{MOVED}*")):
            year = out_dir / moved.name.split(MOVED, 1)[0]
            if not year.exists() and not year.is_symlink():
                os.rename(moved, year)
    for link in out_dir.glob(f".*{NEXT}*"):
        _remove(link)
    if builds.is_dir():
        live = {os.path.realpath(p) for p in out_dir.iterdir() if p.is_symlink()}
        for folder in builds.iterdir():
            if os.path.realpath(folder) not in live:
                _remove(folder)
    for folder in [out_dir / ".cache"] + [p for p in out_dir.glob("[0-9]*")
                                            if p.is_dir() and not p.is_symlink()]:
        for part in folder.rglob(".*.part"):
            part.unlink(missing_ok=True)


# -- files and folders ------------------------------------------------------------------------

def _plain_relative(path) -> bool:
    """A path that names a file under the set (not absolute, no "..", no hidden part)."""
    if not isinstance(path, str) or not path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and all(
        part not in ("", ".", "..") and not part.startswith(".") for part in parts)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _link_target(published: Path) -> Path | None:
    """The build folder OUT/<year> links to, if it is such a link."""
    if not published.is_symlink():
        return None
    target = Path(os.path.realpath(published))
    return target if target.parent == Path(os.path.realpath(published.parent / BUILDS)) else None


def _exchange(link: Path, folder: Path, out_dir: Path) -> None:
    """Swap a real folder and the link in one step (Linux renameat2 RENAME_EXCHANGE); where
    that cannot be done, two renames, and sweep() puts the folder back if only one happened."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is not None and RENAME_EXCHANGE:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(link), at_fdcwd, os.fsencode(folder),
                     rename_exchange) == 0:
            return
        if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    moved = out_dir / BUILDS / f"{folder.name}{MOVED}{secrets.token_hex(4)}"
    os.rename(folder, moved)
    try:
        os.replace(link, folder)
    except BaseException:
        os.rename(moved, folder)
        raise
    os.rename(moved, link)  # removed as the set replaced


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for parent, _dirs, _names in os.walk(folder):
        fsync_folder(Path(parent))


