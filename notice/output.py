"""Writes outputs atomically and records them in the year's manifest."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
import signal
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError


def normalize_zip(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """The same zip with every entry dated `when` and stored in name order: same bytes for
    the same content (DOCX and XLSX writers stamp the time of writing)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        # [Content_Types].xml first, as Office writes it; then the rest by name
        for name in sorted(names, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    pending: list = []
    try:
        os.replace(_write_beside(path, data, pending), path)
    except BaseException:
        for tmp, _path in pending:
            tmp.unlink(missing_ok=True)
        raise


def _write_beside(path: Path, data: bytes, pending: list | None = None) -> Path:
    """The data in a temporary file beside path (.NAME.XXXX.part), flushed to the disk.

    The temporary's name is chosen, and recorded in `pending`, before the file exists: a
    Ctrl-C at any moment leaves a name that the caller's clean-up can remove.
    """
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    if pending is not None:
        pending.append((tmp, path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # less the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            # fsync and write do not name the file, and open names the temporary one
            exc.filename = str(path)
        raise
    return tmp


class Staging:
    """A set of outputs that replaces the previous set all at once, or not at all.

    Each file is written beside its target under a temporary name as it comes (the slow part,
    where a full disk or a denied permission shows up); when the `with` block ends, the files
    are renamed into place one after the other — renames in one folder, which need no space
    and take microseconds — with Ctrl-C held back until the last one. A fault or Ctrl-C
    before then removes the temporary files and leaves every earlier output as it was.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []  # (temporary file, target)

    def write(self, path: Path, data: bytes) -> None:
        try:
            _write_beside(path, data, self._pending)
        except OSError as exc:
            # named as it would be published, never by its temporary (.part) name
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}; "
                              "the outputs already there were left as they were") from None

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                with _interrupts_held():
                    for tmp, path in self._pending:
                        os.replace(tmp, path)
        finally:
            for tmp, _path in self._pending:
                tmp.unlink(missing_ok=True)
            self._pending.clear()


@contextlib.contextmanager
def _interrupts_held():
    """Ctrl-C arrives after the block, not in it (where the main thread can block it)."""
    if threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@dataclass(frozen=True)
class Written:
    """One file a build wrote, as the manifest lists it."""

    path: str  # relative to the manifest
    kind: str  # notice, sheet, matrix
    format: str  # pdf, docx, xlsx
    sha256: str
    unit: str | None = None

    def as_dict(self) -> dict:
        entry = dict(path=self.path, kind=self.kind, format=self.format, sha256=self.sha256)
        if self.unit is not None:
            entry["unit"] = self.unit
        return entry


def record(root: Path, relative: str, data: bytes, kind: str, unit: str | None = None,
           staging: Staging | None = None) -> Written:
    """Write one output under root (or stage it) and describe it for the manifest."""
    (staging.write if staging else write_atomically)(root / relative, data)
    return Written(relative, kind, Path(relative).suffix.lstrip("."),
                   hashlib.sha256(data).hexdigest(), unit)


def write_manifest(root: Path, year: int, written: list[Written], keep_others: bool = False,
                   staging: Staging | None = None) -> None:
    """manifest.json: every file of the build, in a stable order.

    With keep_others (a build of some letters only), the entries of files this build did not
    write are kept when the file is still there.
    """
    entries = {w.path: w.as_dict() for w in written}
    base = getattr(staging, "folder", root)  # a draft (notice/publish.py) holds its own set
    previous = base / "manifest.json"
    if keep_others and previous.is_file():
        for entry in json.loads(previous.read_text(encoding="utf-8")).get("files", []):
            if entry["path"] not in entries and (base / entry["path"]).is_file():
                entries[entry["path"]] = entry
    manifest = dict(year=year, files=[entries[p] for p in sorted(entries)])
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (staging.write if staging else write_atomically)(root / "manifest.json",
                                                     text.encode("utf-8"))


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to the disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
