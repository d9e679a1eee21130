"""Lays the semantic HTML out with WeasyPrint and writes the PDF."""

from __future__ import annotations

import functools

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .fonts import FontSet


class FontsOnlyFetcher(URLFetcher):
    """Serves the configured font files and refuses every other URL (http, file, data…)."""

    def __init__(self, allowed: frozenset[str]):
        super().__init__(allowed_protocols=("file",))
        self.allowed = allowed
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url not in self.allowed:
            self.refused.append(url)
            raise ValueError(f"refused: {url}")
        return super().fetch(url, headers)


@functools.cache
def _stylesheet(css: str, allowed: frozenset[str]) -> tuple[FontConfiguration, CSS]:
    """The stylesheet and its fonts, parsed and loaded once a process."""
    config = FontConfiguration()
    return config, CSS(string=css, font_config=config, url_fetcher=FontsOnlyFetcher(allowed))


def render_pdf(html: str, css: str, fonts: FontSet, *, pdf_variant: str | None = None,
               images: frozenset[str] = frozenset()) -> bytes:
    """Lay out and write one document."""
    return write_pdf(lay_out(html, css, fonts, images), pdf_variant)


def lay_out(html: str, css: str, fonts: FontSet, images: frozenset[str] = frozenset()):
    """WeasyPrint's layout of one document; the checklist's group labels settled per page.

    Only the font files and `images` (the file URLs of the content's declared seal and
    签名章 images) may be loaded."""
    allowed = frozenset(face.url for face in fonts.font_faces()) | images
    fonts_only = frozenset(face.url for face in fonts.font_faces())
    config, stylesheet = _stylesheet(css, fonts_only)
    document = HTML(string=html, base_url=None, url_fetcher=FontsOnlyFetcher(allowed)).render(
        stylesheets=[stylesheet], font_config=config, presentational_hints=True)
    _settle_group_labels(document)
    return document


def write_pdf(document, pdf_variant: str | None = None) -> bytes:
    """The PDF bytes of a laid-out document (fonts subset and embedded)."""
    options = dict(uncompressed_pdf=False)
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    return document.write_pdf(**options)


def _settle_group_labels(document) -> None:
    """Show each domain/task label in the first row of every page, close groups at page ends.

    The checklist fakes merged cells (WeasyPrint's rowspan breaks across pages): every row
    carries its group's label, hidden except in the group's first row. Hidden text keeps its
    room, so showing it after layout moves nothing.
    """
    for page in document.pages:
        rows = [box for box in _descendants(page._page_box)
                if box.element_tag == "tr" and box.element is not None
                and box.element.get("data-number")]
        if not rows:
            continue
        for cell in _group_cells(rows[0]):
            for box in _descendants(cell):
                _restyle(box, visibility="visible")
        for cell in _group_cells(rows[-1]):
            _restyle(cell, border_bottom_color=cell.style["border_right_color"])


def _restyle(box, **changes) -> None:
    """Change a laid-out box's style without touching the boxes that share its style."""
    box.style = box.style.copy()
    box.style.update(changes)


def _group_cells(row):
    return [cell for cell in row.children
            if cell.element is not None and cell.element.get("data-group")]


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)
