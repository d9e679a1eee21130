"""The build: load → check → render → write, for the notice and one task sheet a unit."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .content import load_content
from .errors import NoticeError
from .fonts import FontSet, check_coverage, resolve_fonts
from .matrix import render_matrix
from .model import Content
from .output import Written, record, write_manifest
from .pdf import render_pdf
from .render import notice_context, render_css, render_sheet_html, render_template, sheet_context
from .sheets import Sheet, load_sheet_text, make_sheets


class SheetFailed(NoticeError):
    """One unit's letter could not be rendered; nothing of it was written."""


@dataclass
class BuildResult:
    content: Content
    fonts: FontSet
    root: Path
    written: list[Written] = field(default_factory=list)
    idle_recipients: list[str] = field(default_factory=list)


def build(content_dir: Path, out_dir: Path, font_overrides: dict[str, str] | None = None,
          units: list[str] | None = None, jobs: int | None = None,
          progress: Callable[[int], None] | None = None, pdf_variant: str | None = None,
          root: Path | None = None) -> BuildResult:
    """Build the year's documents into OUT/<year>/ (or `root`) and list them in its manifest.

    With `units`, only those units' letters are built, and the manifest keeps the rest.
    `pdf_variant` ("pdf/a-2b" for the archive) is handed to WeasyPrint.
    """
    # load and check everything before anything is written
    content = load_content(content_dir)
    text, text_spots = load_sheet_text(content.folder)
    sheets = make_sheets(content, text, units)
    fonts = resolve_fonts(font_overrides)
    check_coverage(fonts, content.spots + text_spots)

    # render: the notice in this process, the letters in a pool of workers
    outputs: list[tuple[str, bytes, str, str | None]] = []
    if not units:
        context = notice_context(content, fonts)
        html = render_template("notice.html.j2", **context)
        outputs += _render_both("notice", html, context, fonts, "notice", None, pdf_variant)
        outputs.append(("responsibilities.xlsx", render_matrix(content), "matrix", None))
    for _sheet, rendered in _render_sheets(content, fonts, sheets, jobs, progress, pdf_variant):
        outputs += rendered

    # write: each file atomically, then the manifest
    root = Path(root) if root is not None else Path(out_dir) / str(content.year)
    result = BuildResult(content, fonts, root)
    for relative, data, kind, unit in outputs:
        result.written.append(record(root, relative, data, kind, unit))
    write_manifest(root, content.year, result.written, keep_others=bool(units))
    working = {s.unit.name for s in make_sheets(content, text)}
    result.idle_recipients = [u.name for u in content.units.recipients if u.name not in working]
    return result


def _render_both(stem: str, html: str, context: dict, fonts: FontSet, kind: str,
                 unit: str | None, pdf_variant: str | None
                 ) -> list[tuple[str, bytes, str, str | None]]:
    """The PDF and the DOCX of one semantic HTML document."""
    from .docx_writer import render_docx

    css = _css(context)
    return [(f"{stem}.pdf", render_pdf(html, css, fonts, pdf_variant=pdf_variant), kind, unit),
            (f"{stem}.docx", render_docx(html, context), kind, unit)]


_CSS: dict[int, str] = {}


def _css(context: dict) -> str:
    """The stylesheet, rendered once a process for each kind of document."""
    key = id(context)
    if key not in _CSS:
        _CSS[key] = render_css(context)
    return _CSS[key]


# -- the letters, in parallel -----------------------------------------------------------------

_WORKER: dict = {}


def _render_sheets(content: Content, fonts: FontSet, sheets: list[Sheet], jobs: int | None,
                   progress: Callable[[int], None] | None, pdf_variant: str | None):
    """Yield (sheet, outputs) for every sheet, rendered by `jobs` processes."""
    context = sheet_context(content, fonts)
    _WORKER.update(context=context, fonts=fonts, sheets=sheets, pdf_variant=pdf_variant)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sheets) or 1))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        results = map(_render_sheet, range(len(sheets)))
        pool = None
    else:
        # fork: the workers inherit the parsed templates, fonts and content
        pool = multiprocessing.get_context("fork").Pool(jobs)
        results = pool.imap(_render_sheet, range(len(sheets)))
    try:
        for index, rendered, error in results:
            if error:
                raise SheetFailed(f"the letter to {sheets[index].unit.name} failed: {error}; "
                                  "nothing of it was written")
            if progress:
                progress(len(sheets))
            yield sheets[index], rendered
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _WORKER.clear()


def _render_sheet(index: int):
    sheet = _WORKER["sheets"][index]
    try:
        html = render_sheet_html(_WORKER["context"], sheet)
        stem = f"sheets/{sheet.stem}"
        return index, _render_both(stem, html, _WORKER["context"], _WORKER["fonts"], "sheet",
                                   sheet.unit.name, _WORKER["pdf_variant"]), None
    except NoticeError as exc:
        return index, None, exc.format_message()
    except Exception as exc:  # noqa: BLE001 - reported with the unit's name
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return index, None, f"{type(exc).__name__}: {exc}"
