"""A render cache: a document is laid out again only when what it is made from changed."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path

from .output import write_atomically
from .provenance import library_versions, tool_identity


@functools.cache
def code_fingerprint() -> str:
    """The tool's code and templates and the versions of every library it rests on (the same
    identity the archive records)."""
    identity = dict(tool_identity(), libraries=library_versions())
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def font_fingerprint(paths: list[str]) -> str:
    """The font files by name, size and modification time (reading them would cost more)."""
    digest = hashlib.sha256()
    for path in paths:
        stat = Path(path).stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def render_key(html: str, css: str, fonts: str, assets: str, variant: str | None) -> str:
    """What a document's outputs depend on: its HTML, the CSS, fonts, the content's assets
    (folder.assets_digest), code, variant."""
    digest = hashlib.sha256()
    for part in (html, css, fonts, assets, code_fingerprint(), variant or ""):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def values_key(values: str) -> str:
    """What an output made from some values of the content depends on (the matrix: the
    values it shows, as text): those values and the code."""
    return hashlib.sha256(f"{values}\0{code_fingerprint()}".encode()).hexdigest()


def inputs_key(inputs: list[tuple[str, Path]], variant: str | None = None) -> str:
    """What an output made from the whole content depends on (the matrix): every file the
    build reads from the content folder (folder.inputs), by name and bytes, and the code."""
    digest = hashlib.sha256()
    for name, path in inputs:
        digest.update(name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    for part in (code_fingerprint(), variant or ""):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


class RenderCache:
    """Rendered files by key, in a folder of their own (OUT/.cache), each with the SHA-256 it
    had when it was stored: a file that no longer has it (truncated, damaged, half-written)
    is discarded, and its document laid out again."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str, suffix: str) -> bytes | None:
        if self.folder is None:
            return None
        path = self.folder / key[:2] / f"{key}.{suffix}"
        recorded = path.with_name(path.name + ".sha256")
        try:
            data, digest = path.read_bytes(), recorded.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            data, digest = None, None
        if data is not None and hashlib.sha256(data).hexdigest() == digest:
            return data
        for stale in (path, recorded):
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)
        return None

    def put(self, key: str, suffix: str, data: bytes) -> None:
        if self.folder is not None:
            path = self.folder / key[:2] / f"{key}.{suffix}"
            write_atomically(path, data)
            # the hash last: a file without its hash is never used
            write_atomically(path.with_name(path.name + ".sha256"),
                             hashlib.sha256(data).hexdigest().encode("ascii"))
