"""Writes outputs atomically and records them in the year's manifest."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def record(root: Path, relative: str, data: bytes, kind: str, unit: str | None = None) -> Written:
    """Write one output under root and describe it for the manifest."""
    write_atomically(root / relative, data)
    return Written(relative, kind, Path(relative).suffix.lstrip("."),
                   hashlib.sha256(data).hexdigest(), unit)


def write_manifest(root: Path, year: int, written: list[Written], extra: dict | None = None) -> None:
    """manifest.json: every file of the build, in a stable order."""
    manifest = dict(year=year, **(extra or {}),
                    files=[w.as_dict() for w in sorted(written, key=lambda w: w.path)])
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_atomically(root / "manifest.json", text.encode("utf-8"))
