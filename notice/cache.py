"""A render cache: a document is laid out again only when what it is made from changed."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

from .output import write_atomically

PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint() -> str:
    """The tool's own code and the versions of the libraries that lay documents out."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for library in ("weasyprint", "python-docx", "pydyf", "fonttools", "openpyxl"):
        try:
            digest.update(f"{library}={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(library.encode())
    return digest.hexdigest()


def font_fingerprint(paths: list[str]) -> str:
    """The font files by name, size and modification time (reading them would cost more)."""
    digest = hashlib.sha256()
    for path in paths:
        stat = Path(path).stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def render_key(html: str, css: str, fonts: str, variant: str | None) -> str:
    """What a document's PDF and DOCX depend on: its HTML, the CSS, fonts, code, variant."""
    digest = hashlib.sha256()
    for part in (html, css, fonts, code_fingerprint(), variant or ""):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class RenderCache:
    """Rendered files by key, in a folder of their own (OUT/.cache)."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    def get(self, key: str, suffix: str) -> bytes | None:
        if self.folder is None:
            return None
        path = self.folder / key[:2] / f"{key}.{suffix}"
        return path.read_bytes() if path.is_file() else None

    def put(self, key: str, suffix: str, data: bytes) -> None:
        if self.folder is not None:
            write_atomically(self.folder / key[:2] / f"{key}.{suffix}", data)
