"""Writes outputs atomically and records them in the year's manifest."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


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


def write_manifest(root: Path, year: int, written: list[Written], keep_others: bool = False
                   ) -> None:
    """manifest.json: every file of the build, in a stable order.

    With keep_others (a build of some letters only), the entries of files this build did not
    write are kept when the file is still there.
    """
    entries = {w.path: w.as_dict() for w in written}
    previous = root / "manifest.json"
    if keep_others and previous.is_file():
        for entry in json.loads(previous.read_text(encoding="utf-8")).get("files", []):
            if entry["path"] not in entries and (root / entry["path"]).is_file():
                entries[entry["path"]] = entry
    manifest = dict(year=year, files=[entries[p] for p in sorted(entries)])
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_atomically(root / "manifest.json", text.encode("utf-8"))
