"""Checks one archived version: its manifest's form, the chain to the version before, the
signature, the files the archived content calls for, each file's hash, and read-only modes."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import signing
from .archive import CONTENT_COPY, MANIFEST
from .content import load_content
from .errors import ContentError
from .folder import inputs
from .provenance import sha256_file
from .sheets import file_stems
from .writers import build_writers, document_writers


@dataclass
class Checked:
    """One version as `archive verify` found it."""

    version: str
    files: int = 0
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    unreadable: bool = False  # manifest.json is missing or not JSON
    problems: list[str] = field(default_factory=list)  # the manifest, chain, signature, modes
    signed: bool = False  # with a signature that matches
    chained: bool = False  # names the version before it (format 2; format 1 did not)
    rebuilt: bool = False  # built again from its content copy: the same bytes

    @property
    def intact(self) -> bool:
        return not (self.missing or self.added or self.altered or self.unreadable
                    or self.problems)


def check_version(folder: Path, name: str, key=None, signed_before: bool = False,
                  chained_before: bool = False) -> Checked:
    """One version against its manifest, the manifest of the version before it, and the key."""
    version = folder / name
    checked = Checked(name)
    manifest, problems = load_manifest(version)
    if manifest is None:
        checked.unreadable = True
        checked.problems = problems
        return checked
    checked.problems = list(problems)
    if problems:
        return checked
    if manifest.get("version") != name:
        checked.problems.append(f"{MANIFEST} is that of {manifest.get('version')}, not of "
                                f"{name} (versions renamed or swapped)")
    if manifest.get("year") != _int(folder.name):
        checked.problems.append(f"{MANIFEST} is of the year {manifest.get('year')}, not "
                                f"{folder.name}")
    if manifest["format"] >= 2:
        checked.chained = True
        checked.problems += _chain_problems(folder, name, manifest)
    elif chained_before:
        checked.problems.append(f"{MANIFEST} is of format {manifest['format']}, after a version "
                                "of format 2 (a manifest was replaced by an older kind)")
    checked.problems += _expected_problems(version, manifest)
    checked.problems += _signature_problems(version, manifest, key, signed_before, checked)
    _check_files(version, manifest, checked)
    return checked


def _chain_problems(folder: Path, name: str, manifest: dict) -> list[str]:
    """Each manifest names the previous version and the SHA-256 of its manifest."""
    previous = manifest.get("previous")
    number = int(name[1:])
    if number == 1:
        return [] if previous is None else [
            f"{MANIFEST} names a version before it ({_shown(previous)}), but {name} is the "
            "first"]
    expected = f"v{number - 1:03d}"
    if not isinstance(previous, dict) or previous.get("version") != expected:
        return [f"{MANIFEST} does not name {expected} as the version before it"]
    try:
        digest = sha256_file(folder / expected / MANIFEST)
    except OSError:
        return [f"the manifest of {expected}, the version before it, cannot be read"]
    if previous.get("sha256") != digest:
        return [f"the manifest of {expected} is not the one {name} was archived after (it was "
                "changed or replaced)"]
    return []


def _expected_problems(version: Path, manifest: dict) -> list[str]:
    """The files a version must hold follow from its content copy: the notice, a letter for
    every unit with work, the matrix and the content. A letter deleted together with its
    manifest entry is found here (from format 2 on: earlier versions named letters otherwise).
    """
    if manifest["format"] < 2:
        return []
    try:
        content = load_content(version / CONTENT_COPY)
    except ContentError:
        return ["the archived content cannot be read, so the files it calls for cannot be "
                "checked"]
    stems = file_stems(list(content.assignments_by_unit()))
    suffixes = [w.suffix for w in document_writers()]
    expected = {f"notice.{suffix}" for suffix in suffixes}
    expected |= {f"{w.stem}.{w.suffix}" for w in build_writers() if w.wanted(content)}
    expected |= {f"sheets/{stem}.{suffix}" for stem in stems.values() for suffix in suffixes}
    expected |= {f"{CONTENT_COPY}/{name}" for name, _path in inputs(version / CONTENT_COPY)}
    listed = {entry["path"] for entry in manifest["files"]}
    return ([f"{p}: the archived content calls for it, but the manifest does not list it"
             for p in sorted(expected - listed)]
            + [f"{p}: listed, but the archived content does not call for it"
               for p in sorted(listed - expected)])


def _signature_problems(version: Path, manifest: dict, key, signed_before: bool,
                        checked: Checked) -> list[str]:
    signature_file = version / signing.SIGNATURE
    signed_by = manifest.get("signed_by")
    if signed_by is None:
        if signature_file.exists() or signature_file.is_symlink():
            return [f"{signing.SIGNATURE} is there, but {MANIFEST} names no key"]
        if signed_before:
            return ["not signed, though a version before it is (its signature was removed)"]
        return []
    try:
        signature = signature_file.read_bytes()
    except OSError:
        return [f"{MANIFEST} names the key that signed it, but {signing.SIGNATURE} is missing"]
    if key is not None and signing.key_id(key) != signed_by:
        return ["signed with another key than the one given"]
    checking = key if key is not None else signing.from_id(str(signed_by))
    if checking is None or not signing.valid(checking, signature,
                                             (version / MANIFEST).read_bytes()):
        return [f"the signature does not match {MANIFEST} (changed after it was signed)"]
    checked.signed = True
    return []


def _check_files(version: Path, manifest: dict, checked: Checked) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk, folders = set(), set()
    writable = [] if not _writable(version) else ["."]
    for parent, dirs, names in os.walk(version):
        for item in dirs + names:
            path = Path(parent) / item
            relative = path.relative_to(version).as_posix()
            if path.is_symlink():
                checked.problems.append(f"{relative}: a link, not a file")
                continue
            (folders if path.is_dir() else on_disk).add(relative)
            if _writable(path):
                writable.append(relative)
    on_disk -= {MANIFEST, signing.SIGNATURE}
    needed = {parent.as_posix() for path in listed for parent in Path(path).parents} - {"."}
    checked.files = len(listed)
    checked.missing = sorted(p for p in listed if p not in on_disk)
    checked.added = sorted([p for p in on_disk if p not in listed]
                           + [f"{p}/" for p in folders - needed])
    for path in sorted(on_disk & set(listed)):
        entry, file = listed[path], version / path
        if file.stat().st_size != entry.get("size") or sha256_file(file) != entry.get("sha256"):
            checked.altered.append(path)
    if writable:
        checked.problems.append(f"writable, though archived versions are read-only: "
                                f"{', '.join(sorted(writable))}")


def _writable(path: Path) -> bool:
    return bool(path.lstat().st_mode & 0o222)


def load_manifest(version: Path) -> tuple[dict | None, list[str]]:
    """A version's manifest and what is wrong with its form, each problem located."""
    where = f"{version.name}/{MANIFEST}"
    path = version / MANIFEST
    if not path.is_file() or path.is_symlink():
        return None, []
    try:
        text = path.read_bytes().decode("utf-8")
        manifest = json.loads(text)
    except OSError as exc:
        return None, [f"{where}: cannot be read: {exc.strerror or exc}"]
    except UnicodeDecodeError as exc:
        return None, [f"{where}: not UTF-8 (byte {exc.start + 1})"]
    except json.JSONDecodeError as exc:
        return None, [f"{where}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}"]
    if not isinstance(manifest, dict):
        return None, [f"{where}: not an object with the version's fields"]
    problems = []
    for field_name, kind in (("format", int), ("year", int), ("version", str),
                             ("files", list)):
        if not isinstance(manifest.get(field_name), kind) or isinstance(
                manifest.get(field_name), bool):
            problems.append(f"{where}: {field_name}: missing or not {_kinds[kind]}")
    if problems:
        return manifest, problems
    seen = set()
    for n, entry in enumerate(manifest["files"]):
        at = f"{where}: files[{n}]"
        if not isinstance(entry, dict):
            problems.append(f"{at}: not an object")
            continue
        path, size, digest = entry.get("path"), entry.get("size"), entry.get("sha256")
        if not _plain_path(path):
            problems.append(f"{at}: path: {_shown(path)} is not a file's path in the version")
        elif path in seen:
            problems.append(f"{at}: path: {path} is listed twice")
        seen.add(path)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            problems.append(f"{at}: size: {_shown(size)} is not a number of bytes")
        if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            problems.append(f"{at}: sha256: {_shown(digest)} is not a SHA-256")
    return manifest, problems


_kinds = {int: "a whole number", str: "a text", list: "a list"}


def _plain_path(path) -> bool:
    if not isinstance(path, str) or not path or path in (MANIFEST, signing.SIGNATURE):
        return False
    parts = PurePosixPath(path).parts
    return not path.startswith("/") and "\\" not in path and all(
        part not in ("", ".", "..") for part in parts)


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None
