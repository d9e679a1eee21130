"""Reads the archive back: lists its versions with what changed, verifies them file by file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import signing
from .archive import (
    CONTENT_COPY,
    LOCK_FILE,
    MANIFEST,
    TEMP_PREFIX,
    archive_folder,
    versions,
)
from .archive_version import Checked, check_version, load_manifest
from .diff import compare
from .errors import EXIT_DAMAGED, EXIT_USAGE, ContentError, NoticeError


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
class Verified:
    """A year's archive as `archive verify` found it: each version, and the year's set."""

    folder: Path
    versions: list[Checked]
    problems: list[str] = field(default_factory=list)  # versions missing, entries not versions
    key_given: bool = False
    latest: str = ""  # the year's newest version
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems and all(c.intact for c in self.versions)


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
        manifest, problems = load_manifest(folder / name)
        if problems:
            listed.append(Listed(name, "(no date)", "?", 0, (
                f"{MANIFEST} cannot be read; run: archive verify {name}",)))
            previous = None
            continue
        try:
            changes = (_changes(folder, previous, (name, manifest)) if previous
                       else ["first version"] if name == "v001" else [
                           "(the version before it cannot be read)"])
        except (AttributeError, TypeError, KeyError, ValueError):
            changes = ["(what changed cannot be read from the manifests; run: archive verify)"]
        listed.append(Listed(name, _local_time(manifest.get("archived_at")),
                             str(manifest.get("doc_number", "?")), len(manifest["files"]),
                             tuple(changes)))
        previous = (name, manifest)
    return listed


def verify(folder: Path, only: str | None = None, key_file: Path | None = None,
           rebuild: bool = False, jobs: int | None = None) -> Verified:
    """Check a year's versions (or one): the set of versions, each manifest's form, the
    chain of manifests, the signatures, every file's size and SHA-256, and read-only modes.
    With `rebuild`, the version named (or the latest) is also built again from its content
    copy and its documents compared byte for byte (notice/archive_rebuild.py)."""
    names = versions(folder)
    key = signing.public_key(key_file) if key_file is not None else None
    if only is not None and only not in names:
        span = f"{names[0]}–{names[-1]}" if len(names) > 1 else names[0]
        raise NotArchived(f"{folder / only} does not exist; the archive of {folder.name} "
                          f"holds {span}")
    verified = Verified(folder, [], key_given=key is not None, latest=names[-1])
    if only is None:
        verified.problems = _year_problems(folder, names)
    signed_before = chained_before = False
    for name in names:
        checked = check_version(folder, name, key, signed_before, chained_before)
        signed_before = signed_before or checked.signed
        chained_before = chained_before or checked.chained
        if only is None or name == only:
            verified.versions.append(checked)
    if rebuild:
        _rebuild(folder, only or names[-1], verified, jobs)
    return verified


def _rebuild(folder: Path, name: str, verified: Verified, jobs: int | None) -> None:
    from .archive_rebuild import rebuild_problems

    checked = next(c for c in verified.versions if c.version == name)
    manifest, problems = load_manifest(folder / name)
    if manifest is None or problems:
        verified.notes.append(f"{name}: not rebuilt: its manifest cannot be read")
        return
    found, why_not = rebuild_problems(folder / name, manifest, jobs)
    checked.problems += found
    if why_not:
        verified.notes.append(f"{name}: {why_not}")
    elif not found:
        checked.rebuilt = True


def _year_problems(folder: Path, names: list[str]) -> list[str]:
    """Versions missing from the sequence v001, v002…, and entries that are not versions."""
    problems = []
    numbers = {int(name[1:]) for name in names}
    for number in range(1, max(numbers) + 1):
        if number not in numbers:
            problems.append(f"v{number:03d} is missing (versions are numbered from v001 "
                            "without a gap)")
    for path in sorted(folder.iterdir()):
        if path.name in names or path.name == LOCK_FILE or (
                path.name.startswith(TEMP_PREFIX) and path.is_dir()):
            continue
        problems.append(f"{path.name}: not a version (added to the archive)")
    return problems


def report(verified: Verified) -> list[str]:
    """What verify prints: the year's problems, a line a version, then a line a problem."""
    lines = [f"{verified.folder.name}: {problem}" for problem in verified.problems]
    for check in verified.versions:
        if check.unreadable:
            lines.append(f"{check.version}: {MANIFEST} is missing or unreadable")
            lines += [f"  {p}" for p in check.problems]
            continue
        if check.intact:
            signed = ", signed" if check.signed else ""
            rebuilt = ", rebuilt the same" if check.rebuilt else ""
            lines.append(f"{check.version}: intact ({check.files} files{signed}{rebuilt})")
            continue
        count = len(check.missing) + len(check.added) + len(check.altered)
        if check.problems:
            lines.append(f"{check.version}: not as it was archived")
            lines += [f"  {p}" for p in check.problems]
        else:
            lines.append(f"{check.version}: {count} {'file does' if count == 1 else 'files do'}"
                         " not match the manifest")
        lines += [f"  altered: {p}" for p in check.altered]
        lines += [f"  missing: {p}" for p in check.missing]
        lines += [f"  added: {p}" for p in check.added]
    lines += verified.notes
    latest = next((c for c in verified.versions if c.version == verified.latest), None)
    if latest is not None and latest.intact and not latest.signed and not latest.rebuilt:
        lines.append(f"{latest.version} is not signed: the versions before it are proven by "
                     "the chain, but its own files and manifest could have been changed "
                     "together; sign new versions with the office's key (archive --key), or "
                     "check it with archive verify --rebuild")
    if not verified.key_given and any(c.signed and c.intact for c in verified.versions):
        lines.append("signatures were checked with the keys the manifests name; give the "
                     f"office's public key (--key FILE or {signing.KEY_ENV}) to check they "
                     "are the office's")
    return lines


def raise_if_damaged(folder: Path, verified: Verified) -> None:
    damaged = [c.version for c in verified.versions if not c.intact]
    if verified.problems:
        raise ArchiveDamaged(f"the versions of {folder.name} are not the set that was "
                             f"archived ({'; '.join(verified.problems)})"
                             + (f"; and {len(damaged)} of {len(verified.versions)} versions "
                                f"do not match their manifests: {', '.join(damaged)}"
                                if damaged else ""))
    if damaged:
        raise ArchiveDamaged(f"{len(damaged)} of {len(verified.versions)} versions of "
                             f"{folder.name} do not match their manifests: "
                             f"{', '.join(damaged)}")


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
