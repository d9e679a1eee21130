"""Freezes what would be issued as OUT/archive/<year>/vNNN: whole or not at all, under a lock."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import lock, signing
from .checks import load_and_check
from .content import load_content
from .errors import EXIT_BUSY, NoticeError
from .folder import inputs
from .output import fsync_folder, write_atomically
from .provenance import (
    describe_file,
    fingerprint,
    gather_sources,
    sha256_file,
    tool_identity,
)
from .writers import archival_suffixes

PDF_VARIANT = "pdf/a-2b"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 2  # 2: "previous" (the chain) and "signed_by"
CONTENT_COPY = "content"  # the version's copy of the content it was built from
LOCK_FILE = ".lock"
LOCK_WAIT = 300.0  # seconds a second clerk waits for the first one's archive
TEMP_PREFIX = ".tmp-"
_VERSION = re.compile(r"^v([0-9]{3,})$")


class ArchiveBusy(NoticeError):
    """Another archive of the same year held the lock for longer than we were to wait."""

    exit_code = EXIT_BUSY


@dataclass(frozen=True)
class Archived:
    """The outcome of an archive: a new version, or the one that already holds the content."""

    year: int
    version: str
    folder: Path
    created: bool
    latest: str  # the newest version of the year
    files: int  # files the version holds, manifest.json not counted


def archive_folder(out_dir: Path, year: int) -> Path:
    return Path(out_dir) / "archive" / str(year)


def versions(year_folder: Path) -> list[str]:
    """The year's complete versions, oldest first (temporary folders are not versions)."""
    if not year_folder.is_dir():
        return []
    found = [p.name for p in year_folder.iterdir() if p.is_dir() and _VERSION.match(p.name)]
    return sorted(found, key=lambda name: int(name[1:]))


def read_manifest(version_folder: Path) -> dict | None:
    """A version's manifest, or None when it is missing or unreadable."""
    try:
        manifest = json.loads((version_folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def archive(content_dir: Path, out_dir: Path, jobs: int | None = None,
            wait: float = LOCK_WAIT, waiting: Callable[[], None] | None = None,
            key_file: Path | None = None) -> Archived:
    """Archive the year's documents as its next version, unless a version already holds them.

    The new version's manifest records the SHA-256 of the previous version's manifest, and is
    signed with the office's key when `key_file` is given. The latest version (and the one
    that already holds the content) is verified first: a damaged archive is not built upon.
    """
    # check everything first: a clerk's mistake is reported without waiting for anyone
    content, _text, _sheets, fonts = load_and_check(content_dir)
    signer = signing.private_key(key_file) if key_file is not None else None
    tool_identity()  # the code this process runs, read before any wait for the lock
    year_folder = archive_folder(out_dir, content.year)
    with _year_lock(year_folder, content.year, wait, waiting):
        _remove_stale(year_folder)
        existing = versions(year_folder)
        if existing:
            _refuse_if_damaged(year_folder, existing[-1])
        work = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=year_folder))
        try:
            # freeze the content first, and build from the frozen copy
            _copy_content(content.folder, work / CONTENT_COPY)
            sources = gather_sources(work / CONTENT_COPY, fonts.files())
            same = _version_with(year_folder, existing, fingerprint(sources))
            if same:
                if same != existing[-1]:
                    _refuse_if_damaged(year_folder, same)
                _remove_tree(work)
                return Archived(content.year, same, year_folder / same, False, existing[-1],
                                _count(read_manifest(year_folder / same)))
            name = f"v{int(existing[-1][1:]) + 1 if existing else 1:03d}"
            previous = (dict(version=existing[-1], sha256=sha256_file(
                year_folder / existing[-1] / MANIFEST)) if existing else None)
            manifest = _fill(work, out_dir, jobs, sources, content.year, name, previous,
                             signer)
            _seal(work)
            os.rename(work, year_folder / name)
        except BaseException:
            _remove_tree(work)
            raise
        fsync_folder(year_folder)
    return Archived(content.year, name, year_folder / name, True, name, _count(manifest))


def _count(manifest: dict | None) -> int:
    return len(manifest.get("files", [])) if manifest else 0


# -- the lock ---------------------------------------------------------------------------------

@contextlib.contextmanager
def _year_lock(year_folder: Path, year: int, wait: float,
               waiting: Callable[[], None] | None) -> Iterator[None]:
    """Hold OUT/archive/<year>/.lock: a second archiver waits up to `wait` seconds."""
    def busy() -> ArchiveBusy:
        return ArchiveBusy(f"another archive of {year} is still running (it holds "
                           f"{year_folder / LOCK_FILE}); waited {wait:g} s; try again when it "
                           "has finished")

    with lock.held(year_folder / LOCK_FILE, wait, busy, waiting):
        yield


# -- building a version -----------------------------------------------------------------------

def _copy_content(folder: Path, target: Path) -> None:
    """The content files and the assets, as they are now."""
    for name, path in inputs(folder):
        write_atomically(target / name, path.read_bytes())


def _version_with(year_folder: Path, existing: list[str], key: str) -> str | None:
    """The newest version whose sources have this fingerprint."""
    for name in reversed(existing):
        manifest = read_manifest(year_folder / name)
        if manifest and manifest.get("fingerprint") == key:
            return name
    return None


def _refuse_if_damaged(year_folder: Path, name: str) -> None:
    """Verify one version (files, manifest, chain, signature); exit 4 if it is damaged."""
    from .archive_check import ArchiveDamaged, check_version

    checked = check_version(year_folder, name)
    if not checked.intact:
        details = checked.problems + [f"{kind}: {path}" for kind, paths in (
            ("altered", checked.altered), ("missing", checked.missing),
            ("added", checked.added)) for path in paths]
        if checked.unreadable and not checked.problems:
            details.append(f"{MANIFEST} is missing")
        raise ArchiveDamaged(f"{year_folder / name} no longer matches what was archived "
                             f"({'; '.join(details[:5])}{'; …' if len(details) > 5 else ''}); "
                             "nothing was added; run: archive verify")


def _fill(work: Path, out_dir: Path, jobs: int | None, sources: dict, year: int,
          name: str, previous: dict | None = None, signer=None) -> dict:
    """Build the documents into the work folder and write the manifest listing everything."""
    from .build import build

    with _source_date(work / CONTENT_COPY):
        result = build(work / CONTENT_COPY, out_dir, jobs=jobs, pdf_variant=PDF_VARIANT,
                       root=work, use_cache=False)
    written = {w.path: w for w in result.written}
    files = []
    for path in sorted(p for p in work.rglob("*") if p.is_file()):
        relative = path.relative_to(work).as_posix()
        if relative == MANIFEST:
            continue  # the build's own manifest, replaced below
        entry = describe_file(path, relative)
        if relative in written:
            w = written[relative]
            if w.sha256 != entry["sha256"]:
                raise OSError(f"{relative} changed on disk while it was archived")
            entry.update(kind=w.kind, format=w.format)
            if w.format in archival_suffixes():
                entry["variant"] = PDF_VARIANT
            if w.unit:
                entry["unit"] = w.unit
        else:
            entry["kind"] = "content" if relative.startswith(f"{CONTENT_COPY}/") else "other"
        files.append(entry)
    manifest = dict(
        format=MANIFEST_FORMAT, year=year, version=name,
        archived_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        doc_number=str(result.content.notice.doc_number), pdf_variant=PDF_VARIANT,
        fingerprint=fingerprint(sources), sources=sources, files=files, previous=previous,
    )
    if signer is not None:
        manifest["signed_by"] = signing.key_id(signer.public_key())
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    write_atomically(work / MANIFEST, data)
    if signer is not None:
        write_atomically(work / signing.SIGNATURE, signing.sign(signer, data))
    return manifest


@contextlib.contextmanager
def _source_date(content_folder: Path) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for libraries that stamp the time (fontTools): the notice's date,
    unless the caller set one."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    date = load_content(content_folder).notice.date
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(date.timetuple()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _seal(work: Path) -> None:
    """Make the version read-only (files 0444, folders 0555) and flush it to the disk."""
    for folder, _dirs, names in os.walk(work, topdown=False):
        for name in names:
            os.chmod(Path(folder) / name, 0o444)
        os.chmod(folder, 0o555)
        fsync_folder(Path(folder))




# -- leftovers --------------------------------------------------------------------------------

def _remove_stale(year_folder: Path) -> None:
    """Temporary folders of archives that crashed or were killed: never a version, removed."""
    for path in year_folder.glob(f"{TEMP_PREFIX}*"):
        _remove_tree(path)


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for folder, _dirs, _names in os.walk(path):
        os.chmod(folder, 0o755)  # a sealed folder's entries cannot be removed otherwise
    shutil.rmtree(path)

