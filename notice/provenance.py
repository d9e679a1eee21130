"""What an archived version was made from: content, fonts, tool and libraries, fingerprinted."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import json
import platform
import re
from importlib import metadata
from pathlib import Path

from .folder import inputs

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE.parent / "templates"
TOOL = "notice"
# where the tool's own distribution cannot be read, the libraries that shape the documents
_ROOT_LIBRARIES = ("weasyprint", "python-docx", "openpyxl", "jinja2", "pyyaml", "fonttools",
                   "click")


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read afresh."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _font_sha256(path: str, _size: int, _mtime: int) -> str:
    """A font file's SHA-256, read once a process (the faces are large and do not change)."""
    return sha256_file(Path(path))


def describe_file(path: Path, name: str) -> dict:
    """A manifest entry: the name it is listed under, its size and its SHA-256."""
    return dict(path=name, size=Path(path).stat().st_size, sha256=sha256_file(path))


def _describe_font(path: str) -> dict:
    stat = Path(path).stat()
    return dict(path=path, size=stat.st_size,
                sha256=_font_sha256(path, stat.st_size, stat.st_mtime_ns))


def gather_sources(content_folder: Path, font_files: list[str]) -> dict:
    """The manifest's "sources": content files and assets, font files, tool and library
    versions."""
    return dict(
        content=[describe_file(path, name) for name, path in inputs(content_folder)],
        fonts=[_describe_font(path) for path in sorted(font_files)],
        tool=tool_identity(),
        libraries=library_versions(),
    )


def fingerprint(sources: dict) -> str:
    """What decides the documents' bytes: equal fingerprints, equal documents.

    Font files count by name and content (not by folder), content files and assets by name
    and content.
    """
    key = dict(
        content={c["path"]: c["sha256"] for c in sources["content"]},
        fonts=sorted((Path(f["path"]).name, f["sha256"]) for f in sources["fonts"]),
        tool=sources["tool"],
        libraries=sources["libraries"],
    )
    text = json.dumps(key, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def tool_identity() -> dict:
    """The tool's version, and a hash of its code and templates: the layout can change while
    the version number stays the same."""
    digest = hashlib.sha256()
    # every module, those of subpackages (notice/docx/) too
    files = sorted(PACKAGE.rglob("*.py")) + sorted(p for p in TEMPLATES.glob("*") if p.is_file())
    for path in files:
        digest.update(f"{path.relative_to(PACKAGE.parent).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    try:
        version = metadata.version(TOOL)
    except metadata.PackageNotFoundError:
        version = "unknown"
    return dict(name=TOOL, version=version, source_sha256=digest.hexdigest())


@functools.cache
def library_versions() -> dict[str, str]:
    """Python, every library the tool depends on (directly or not), Pango and HarfBuzz."""
    versions = {"python": platform.python_version()}
    for name in sorted(_dependencies(), key=str.lower):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    versions.update(_native_versions())
    return versions


def _dependencies() -> set[str]:
    """The names of the tool's installed dependencies, followed to the end (extras left out)."""
    try:
        todo = [_requirement_name(r) for r in metadata.requires(TOOL) or ()
                if "extra ==" not in r]
    except metadata.PackageNotFoundError:
        todo = list(_ROOT_LIBRARIES)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name.lower() in {s.lower() for s in seen}:
            continue
        try:
            requires = metadata.requires(name) or ()
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo += [_requirement_name(r) for r in requires if "extra ==" not in r]
    return seen


def _requirement_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group()


def _native_versions() -> dict[str, str]:
    """The C libraries WeasyPrint lays text out and subsets fonts with."""
    versions = {}
    library = ctypes.util.find_library("pango-1.0")  # as WeasyPrint loads it, without
    if library:  # importing WeasyPrint (0.6 s)
        try:
            number = ctypes.CDLL(library).pango_version()
            versions["pango"] = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
        except (OSError, AttributeError):
            pass
    library = ctypes.util.find_library("harfbuzz")
    if library:
        try:
            function = ctypes.CDLL(library).hb_version_string
            function.restype = ctypes.c_char_p
            versions["harfbuzz"] = function().decode()
        except (OSError, AttributeError):
            pass
    return versions
