"""A proof that needs no key: build a version again from its content copy and compare.

The archive's documents are reproducible byte for byte (PDF/A with a fixed date, zips with
fixed stamps): with the same tool, libraries and fonts, the content copy makes exactly the
documents that were archived. A document changed together with its manifest entry, in a
version nobody signed, is found this way.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from .archive import CONTENT_COPY, PDF_VARIANT, _source_date
from .errors import ContentError

DOCUMENT_KINDS = ("notice", "sheet", "matrix")


def rebuild_problems(version: Path, manifest: dict, jobs: int | None = None) -> tuple[
        list[str], str | None]:
    """(problems, why not checked): each archived document the content copy no longer makes."""
    from .build import build
    from .checks import load_and_check
    from .provenance import fingerprint, gather_sources

    copy = version / CONTENT_COPY
    recorded = manifest.get("sources")
    try:
        _content, _text, _sheets, fonts = load_and_check(copy)  # the fonts, as archive finds them
    except ContentError as exc:
        # a face missing on this machine, as likely as a changed copy (which its hash shows)
        return [], f"not rebuilt: the content copy cannot be built here ({exc.problems[0]})"
    try:
        here = gather_sources(copy, fonts.files())
        same = dict(here, content=recorded["content"]) if isinstance(recorded, dict) else None
        rebuildable = same is not None and fingerprint(same) == fingerprint(recorded)
    except (KeyError, TypeError, AttributeError, OSError):
        rebuildable = False
    if not rebuildable:
        return [], ("not rebuilt: the tool, its libraries or the fonts here are not those it "
                    "was archived with, so the bytes may differ")
    if [c["sha256"] for c in here["content"]] != [c.get("sha256") for c in recorded["content"]]:
        return ["the content copy is not the content the version was archived from"], None
    work = Path(tempfile.mkdtemp(prefix="notice-rebuild-"))
    try:
        with _source_date(copy):
            result = build(copy, work, jobs=jobs, pdf_variant=PDF_VARIANT, root=work / "v",
                           use_cache=False)
        made = {w.path: w.sha256 for w in result.written}
    except ContentError:
        return ["the content copy can no longer be built"], None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    problems = []
    for entry in manifest["files"]:
        if entry.get("kind") not in DOCUMENT_KINDS:
            continue
        path = entry["path"]
        on_disk = version / path
        actual = hashlib.sha256(on_disk.read_bytes()).hexdigest() if on_disk.is_file() else None
        if made.get(path) is None:
            problems.append(f"{path}: the content copy does not make it")
        elif actual != made[path]:
            problems.append(f"{path}: not what the content copy makes (built again and "
                            "compared)")
    for path in sorted(set(made) - {e["path"] for e in manifest["files"]}):
        problems.append(f"{path}: the content copy makes it, but the version lacks it")
    return problems, None
