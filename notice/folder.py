"""A year's content folder declared once: the files a build reads, and its assets."""

from __future__ import annotations

import hashlib
from pathlib import Path

NOTICE_FILES = ("notice.yaml", "workpoints.yaml", "checklist.yaml", "units.yaml")  # the model
LETTERS_FILE = "sheets.yaml"  # the wording of the letters
FILES = NOTICE_FILES + (LETTERS_FILE,)
# Images and fonts the documents use (a seal, a face of the office's own): any file under
# <year>/assets/, listed by its path in the folder. Hidden files (.DS_Store) are not assets.
ASSETS = "assets"


def assets(folder: Path) -> list[str]:
    """The year's assets, as paths relative to the folder ("assets/seal.png"), sorted."""
    root = Path(folder) / ASSETS
    if not root.is_dir():
        return []
    found = [path.relative_to(folder).as_posix() for path in root.rglob("*")
             if path.is_file() and not any(part.startswith(".")
                                           for part in path.relative_to(root).parts)]
    return sorted(found)


def inputs(folder: Path) -> list[tuple[str, Path]]:
    """(name, path) of everything a build reads from the folder: its files, then its assets.

    The loader, the archive's copy, the provenance fingerprint and the render cache all read
    this list, so a changed seal image makes a new archive version and a new render.
    """
    folder = Path(folder)
    files = [name for name in FILES if (folder / name).exists()]  # only notice.yaml is needed
    return [(name, folder / name) for name in files + assets(folder)]


def assets_digest(folder: Path) -> str:
    """A SHA-256 of the assets' names and bytes: what the render cache keys on."""
    digest = hashlib.sha256()
    for name in assets(folder):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update((Path(folder) / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
