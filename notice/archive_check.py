"""Reads the archive back: lists its versions with what changed, verifies them file by file."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .archive import CONTENT_COPY, MANIFEST, archive_folder, read_manifest, versions
from .diff import compare
from .errors import EXIT_DAMAGED, EXIT_USAGE, ContentError, NoticeError
from .provenance import sha256_file


class ArchiveDamaged(NoticeError):
    """An archived version no longer matches its manifest."""

    exit_code = EXIT_DAMAGED


class NotArchived(NoticeError):
    """The year or the version asked for is not in the archive."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Listed:
    """One version as `archive list` shows it."""

    version: str
    archived_at: str  # local time, to the minute
    doc_number: str
    files: int
    changes: tuple[str, ...]


@dataclass
class Checked:
    """One version as `archive verify` found it."""

    version: str
    files: int = 0
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    unreadable: bool = False  # manifest.json is missing or not JSON

    @property
    def intact(self) -> bool:
        return not (self.missing or self.added or self.altered or self.unreadable)


def year_folder(out_dir: Path, year: int | None) -> Path:
    """OUT/archive/<year>: the year given, or the latest year archived."""
    root = Path(out_dir) / "archive"
    if year is None:
        years = sorted(p.name for p in root.glob("[0-9][0-9][0-9][0-9]") if versions(p))
        if not years:
            raise NotArchived(f"nothing is archived under {root} yet")
        return root / years[-1]
    folder = archive_folder(out_dir, year)
    if not versions(folder):
        raise NotArchived(f"nothing of {year} is archived under {root}")
    return folder


def list_versions(folder: Path) -> list[Listed]:
    """Every version of a year, oldest first, each with what changed since the one before."""
    listed = []
    previous: tuple[str, dict] | None = None
    for name in versions(folder):
        manifest = read_manifest(folder / name) or {}
        changes = (_changes(folder, previous, (name, manifest)) if previous
                   else ["first version"])
        listed.append(Listed(name, _local_time(manifest.get("archived_at")),
                             manifest.get("doc_number", "?"), len(manifest.get("files", [])),
                             tuple(changes)))
        previous = (name, manifest)
    return listed


def verify(folder: Path, only: str | None = None) -> list[Checked]:
    """Recompute every hash of a year's versions (or of one) against their manifests."""
    names = versions(folder)
    if only is not None:
        if only not in names:
            span = f"{names[0]}–{names[-1]}" if len(names) > 1 else names[0]
            raise NotArchived(f"{folder / only} does not exist; the archive of {folder.name} "
                              f"holds {span}")
        names = [only]
    return [_verify_version(folder / name) for name in names]


def _verify_version(version: Path) -> Checked:
    checked = Checked(version.name)
    manifest = read_manifest(version)
    if manifest is None or not isinstance(manifest.get("files"), list):
        checked.unreadable = True
        return checked
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {(Path(folder) / name).relative_to(version).as_posix()
               for folder, _dirs, names in os.walk(version) for name in names} - {MANIFEST}
    checked.files = len(listed)
    checked.missing = sorted(p for p in listed if p not in on_disk)
    checked.added = sorted(p for p in on_disk if p not in listed)
    for path in sorted(on_disk & set(listed)):
        entry, file = listed[path], version / path
        if file.stat().st_size != entry.get("size") or sha256_file(file) != entry.get("sha256"):
            checked.altered.append(path)
    return checked


def report(checked: list[Checked]) -> list[str]:
    """What verify prints: a line a version, then a line a file that does not match."""
    lines = []
    for check in checked:
        if check.unreadable:
            lines.append(f"{check.version}: {MANIFEST} is missing or unreadable")
            continue
        if check.intact:
            lines.append(f"{check.version}: intact ({check.files} files)")
            continue
        count = len(check.missing) + len(check.added) + len(check.altered)
        lines.append(f"{check.version}: {count} {'file does' if count == 1 else 'files do'} "
                     "not match the manifest")
        lines += [f"  altered: {p}" for p in check.altered]
        lines += [f"  missing: {p}" for p in check.missing]
        lines += [f"  added: {p}" for p in check.added]
    return lines


def raise_if_damaged(folder: Path, checked: list[Checked]) -> None:
    damaged = [c.version for c in checked if not c.intact]
    if damaged:
        raise ArchiveDamaged(f"{len(damaged)} of {len(checked)} versions of {folder.name} do "
                             f"not match their manifests: {', '.join(damaged)}")


# -- what changed between two versions --------------------------------------------------------

def _changes(folder: Path, previous: tuple[str, dict], current: tuple[str, dict]) -> list[str]:
    (old_name, old), (new_name, new) = previous, current
    old_sources, new_sources = old.get("sources", {}), new.get("sources", {})
    lines = []
    files = _changed_entries(old_sources.get("content", []), new_sources.get("content", []))
    if files:
        lines.append(f"content changed: {', '.join(files)}")
        try:
            lines += compare(folder / old_name / CONTENT_COPY,
                             folder / new_name / CONTENT_COPY).summary()
        except ContentError:
            lines.append("(the content copies cannot be compared indicator by indicator)")
    fonts = _changed_entries(old_sources.get("fonts", []), new_sources.get("fonts", []),
                             by_name=True)
    if fonts:
        lines.append(f"fonts changed: {', '.join(fonts)}")
    old_libs, new_libs = old_sources.get("libraries", {}), new_sources.get("libraries", {})
    libraries = [f"{name} {old_libs.get(name, '(none)')} → {new_libs.get(name, '(none)')}"
                 for name in sorted(set(old_libs) | set(new_libs), key=str.lower)
                 if old_libs.get(name) != new_libs.get(name)]
    if libraries:
        lines.append(f"libraries changed: {', '.join(libraries)}")
    old_tool, new_tool = old_sources.get("tool", {}), new_sources.get("tool", {})
    if old_tool != new_tool:
        lines.append(f"tool changed: {old_tool.get('version')} → {new_tool.get('version')} "
                     f"(code {str(old_tool.get('source_sha256'))[:8]} → "
                     f"{str(new_tool.get('source_sha256'))[:8]})")
    return lines or ["no change in content, fonts, libraries or tool"]


def _changed_entries(old: list[dict], new: list[dict], by_name: bool = False) -> list[str]:
    """Names of the entries added, removed or changed between two lists of files."""
    def key(entry: dict) -> str:
        return Path(entry["path"]).name if by_name else entry["path"]

    before = {key(e): e.get("sha256") for e in old}
    after = {key(e): e.get("sha256") for e in new}
    return [name for name in sorted(set(before) | set(after))
            if before.get(name) != after.get(name)]


def _local_time(stamp: str | None) -> str:
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return "(no date)"
