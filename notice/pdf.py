"""Lays the semantic HTML out with WeasyPrint and writes the PDF."""

from __future__ import annotations

import functools
from copy import deepcopy

import lxml.html
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .fonts import FontSet
from .row_cut import SPLIT_ROWS, class_set, descendants, split_row, split_rows
from .vocabulary import BLANK_BEFORE, PAGE_START, SECTION_PAGES


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


def load_stylesheet(css: str, fonts: FontSet) -> None:
    """Parse a stylesheet and load its fonts now, as lay_out will find them (a build does it
    before its workers fork, so that they share the work)."""
    _stylesheet(css, frozenset(face.url for face in fonts.font_faces()))


def render_pdf(html: str, css: str, fonts: FontSet, *, pdf_variant: str | None = None,
               images: frozenset[str] = frozenset(), laid_out: bool = False):
    """Lay out and write one document: its PDF's bytes, or with `laid_out` (bytes, the HTML
    as laid out), which the DOCX is written from."""
    document, final = lay_out(html, css, fonts, images)
    pdf = write_pdf(document, pdf_variant)
    return (pdf, final) if laid_out else pdf


def lay_out(html: str, css: str, fonts: FontSet, images: frozenset[str] = frozenset()):
    """WeasyPrint's layout of one document, the checklist's group labels settled per page,
    and the HTML as laid out: each table row the layout split made two (split_rows), each
    row that begins a page, each section's pages and a blank page before it marked
    (mark_breaks), for the DOCX to break where this did.

    Only the font files and `images` (the file URLs of the content's declared seal and
    签名章 images) may be loaded. The document's `split_html` is the HTML as laid out, its
    split rows cut (the DOCX can follow the same cuts)."""
    allowed = frozenset(face.url for face in fonts.font_faces()) | images
    fonts_only = frozenset(face.url for face in fonts.font_faces())
    config, stylesheet = _stylesheet(css, fonts_only)
    document = None
    if SPLIT_ROWS in html:
        document = _lay_out_splitting(html, stylesheet, config, allowed)
    if document is None:
        document = _lay_out_by_passes(html, stylesheet, config, allowed)
    _settle_group_labels(document)
    _draw_measure_rules_down(document)
    return document, mark_breaks(document.split_html, document)


def _lay_out_by_passes(html: str, stylesheet, config, allowed: frozenset[str]):
    """The layout, each split row cut by a layout of the whole document again (the slow way,
    kept for what _lay_out_splitting does not expect, and to test that one against)."""
    def render(source: str):
        return HTML(string=source, base_url=None, url_fetcher=FontsOnlyFetcher(allowed)).render(
            stylesheets=[stylesheet], font_config=config, presentational_hints=True)

    document = render(html)
    # a table whose rows may split: each split row made two, the second repeating the
    # indicator's number and name, one page break a pass until no row splits
    for _ in range(_SPLIT_PASSES if SPLIT_ROWS in html else 0):
        split = split_rows(html, document)
        if split is None:
            break
        html = split
        document = render(html)
    document.split_html = html
    return document


def _lay_out_splitting(html: str, stylesheet, config, allowed: frozenset[str]):
    """The same layout as _lay_out_by_passes, each page laid out about once: pages are laid
    out one by one; where one ends inside a row of a split-rows table, the row is cut
    (split_rows' cut) and the layout goes on from that page with the new HTML, the pages
    before it kept. Each rendering holds the content of a window of rows only, the others
    left as empty rows (parsing and styling the whole letter at every cut took half its
    time): a page that reaches past the window is laid out again with a wider one. None when
    the document holds what this does not expect."""
    from .paginate import Pagination, supported

    if not supported():
        return None
    tree = lxml.html.document_fromstring(html)
    if not tree.xpath(f'//table[contains(@class, "{SPLIT_ROWS}")]/colgroup/col'):
        return None  # an emptied row has no cells: the widths must not come from a row
    count = sum(1 for tr in tree.iter("tr") if tr.get("data-number"))
    window = (0, min(_WINDOW, count))
    first = html if count <= _WINDOW else _windowed(tree, *window)  # as written if it can
    pagination = Pagination(first, stylesheet, config, FontsOnlyFetcher(allowed))
    index, cuts, pages_rows = 0, 0, []  # pages_rows: the row positions on each page kept
    while (page := pagination.page(index)) is not None:
        ours = [e for e in pagination.elements() if e.tag == "tr" and e.get("data-number")]
        if len(ours) != count:
            return None
        position = {id(element): n for n, element in enumerate(ours)}
        shown = [position[id(box.element)] for box in descendants(page)
                 if _is_numbered_row(box) and id(box.element) in position]
        restart = None
        if any(not window[0] <= n < window[1] for n in shown):
            restart = window[1] + _WINDOW  # past the window: a wider one, from this page
        broken = [box for box in pagination.broken_box(index) if _is_numbered_row(box)]
        if restart is None and broken and cuts < _SPLIT_PASSES:
            rows = [tr for tr in tree.iter("tr") if tr.get("data-number")]
            tr = rows[position[id(broken[0].element)]]
            if tr in set(tree.xpath(f'//table[contains(@class, "{SPLIT_ROWS}")]/tbody/tr')):
                fragment = [box for box in descendants(page)
                            if box.element is broken[0].element and box.element_tag == "tr"]
                if len(fragment) != 1:
                    return None
                bottom = page.content_box_y() + page.height  # as _content_bottom
                split = split_row(tree, tr, fragment[0], bottom)
                cuts = cuts + 1 if split != html else _SPLIT_PASSES  # cut again: no more
                if split != html:
                    html, restart = split, 0
                tree = lxml.html.document_fromstring(html)
                count = sum(1 for tr in tree.iter("tr") if tr.get("data-number"))
        if restart is None:
            pages_rows.append(shown)
            index += 1
            continue
        # this page again: from the last row of the pages kept (it may go on on this page)
        del pages_rows[index:]
        first = max((n for rows in pages_rows for n in rows), default=window[0])
        window = (first, min(max(first + _WINDOW, restart), count))
        pagination = Pagination(_windowed(tree, *window), stylesheet, config,
                                FontsOnlyFetcher(allowed), pagination.settled(index))
    document = pagination.finish()
    laid_out = {pagination.order[box.element] for page in document.pages
                for box in descendants(page._page_box) if _is_numbered_row(box)}
    if len(laid_out) != count:
        return None  # a row not laid out: split_rows would have left the layout alone
    document.split_html = html
    document.places = pagination.order  # the kept pages' elements are other renderings'
    return document


_WINDOW = 12  # rows with their content in one rendering (a letter's page holds about 4)


def _windowed(tree, start: int, end: int) -> str:
    """The HTML with the checklist rows outside [start, end) emptied: each keeps its
    attributes (its styles) and its place in the box tree, but no cells, so that it costs
    nothing to parse, style and build. The columns' widths come from the colgroup."""
    rows = [tr for tr in tree.iter("tr") if tr.get("data-number")]
    if start == 0 and end >= len(rows):
        return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    emptied = deepcopy(tree)
    for n, tr in enumerate([tr for tr in emptied.iter("tr") if tr.get("data-number")]):
        if not start <= n < end:
            tail = tr[-1].tail if len(tr) else None
            for cell in list(tr):
                tr.remove(cell)
            tr.text = tail
    return lxml.html.tostring(emptied, encoding="unicode", doctype="<!DOCTYPE html>")


def _is_numbered_row(box) -> bool:
    """A box of a checklist row (its tr carries the indicator's number)."""
    return (box.element_tag == "tr" and box.element is not None
            and bool(box.element.get("data-number")))


_SPLIT_PASSES = 40  # one page break a pass; a letter has a few dozen at most


PAGED_TABLES = ("checklist", "data-table")  # tables the DOCX breaks where the PDF did


def mark_breaks(html: str, document) -> str:
    """The HTML with what the DOCX needs to break its pages where the layout did: PAGE_START
    on each body row of a checklist or declared table that begins a page (not a table's first
    row, nor a row continued from the page before); on each section, SECTION_PAGES (the pages
    it is laid on) and BLANK_BEFORE if a blank page comes before it (the 版记's, made even)."""
    # an element known by its place in the tree: the page-by-page layout keeps pages of
    # earlier renderings, whose elements are other objects (Document.places)
    places = getattr(document, "places", {})

    def key(element):
        return places.get(element, id(element))

    tables: dict[int, list] = {}  # a table element → its body rows' elements, in order
    starts: list[tuple[int, int]] = []  # (table element, row element) beginning a page
    sections: dict[int, int] = {}  # a section element → the pages it is on, in order
    after_blank: set[int] = set()
    blank = False
    for page in document.pages:
        here = set()
        for box in descendants(page._page_box):
            if box.element_tag == "section" and key(box.element) not in here:
                here.add(key(box.element))
                if blank and key(box.element) not in sections:
                    after_blank.add(key(box.element))
                sections[key(box.element)] = sections.get(key(box.element), 0) + 1
            if type(box).__name__ != "TableBox" or not set(
                    (box.element.get("class") or "").split()) & set(PAGED_TABLES):
                continue
            rows = tables.setdefault(key(box.element), [])
            body = [row for group in box.children if group.element_tag == "tbody"
                    for row in group.children]
            for n, row in enumerate(body):
                if not rows or rows[-1] != key(row.element):  # not the row the last page ended
                    if n == 0 and rows:
                        starts.append((key(box.element), key(row.element)))
                    rows.append(key(row.element))
        blank = page._page_box.page_type.blank
    tree = lxml.html.document_fromstring(html)
    found = [t for t in tree.iter("table")
             if set((t.get("class") or "").split()) & set(PAGED_TABLES)]
    bodies = [t.find("tbody").findall("tr") if t.find("tbody") is not None else []
              for t in found]
    marked = list(tree.body.iter("section"))
    if ([len(rows) for rows in bodies] != [len(rows) for rows in tables.values()]
            or len(marked) != len(sections)):
        return html  # not the same tables and sections: leave the HTML as it is
    where = {(table, row): (n, index) for n, (table, rows) in enumerate(tables.items())
             for index, row in enumerate(rows)}
    for start in starts:
        n, index = where[start]
        bodies[n][index].set(PAGE_START, "")
    for section, (element, pages) in zip(marked, sections.items(), strict=True):
        section.set(SECTION_PAGES, str(pages))
        if element in after_blank:
            section.set(BLANK_BEFORE, "")
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def write_pdf(document, pdf_variant: str | None = None) -> bytes:
    """The PDF bytes of a laid-out document (fonts subset and embedded)."""
    options = dict(uncompressed_pdf=False)
    if pdf_variant:
        options["pdf_variant"] = pdf_variant
    return document.write_pdf(**options)


def _settle_group_labels(document) -> None:
    """Show each domain/task label once a page, centred on its group's rows there, and close
    groups at page ends.

    The checklist fakes merged cells (WeasyPrint's rowspan breaks across pages): every row
    carries its group's label, hidden except in the group's first row. A hidden label keeps
    its room (or, in a table whose rows split, takes none: it is drawn over the rows below),
    so showing it after layout moves nothing; the label is then moved down to the middle of
    the rows its group has on the page.
    """
    for page in document.pages:
        rows = _data_rows(page)
        if not rows:
            continue
        for key in {cell.element.get("data-group") for cell in _group_cells(rows[0])}:
            run: list = []
            for row in rows:
                cell = _group_cell(row, key)
                if run and "cont" not in class_set(cell.element):
                    _centre_label(run)
                    run = []
                run.append(cell)
            _centre_label(run)
        for cell in _group_cells(rows[-1]):
            _restyle(cell, border_bottom_color=cell.style["border_right_color"])


def _data_rows(page) -> list:
    return [box for box in descendants(page._page_box)
            if box.element_tag == "tr" and box.element is not None
            and box.element.get("data-number")]


def _group_cell(row, key: str):
    return next(cell for cell in _group_cells(row) if cell.element.get("data-group") == key)


def _centre_label(cells: list) -> None:
    """Show the label in the first of a group's cells on a page, in the middle of them all."""
    first, last = cells[0], cells[-1]
    for box in descendants(first):
        _restyle(box, visibility="visible")
    lines = [box for box in descendants(first) if type(box).__name__ == "LineBox"]
    if not lines:
        return
    pad = first.padding_top  # a top-aligned cell's room under its text is bottom padding
    top = first.content_box_y()
    bottom = last.border_box_y() + last.border_height() - last.border_bottom_width - pad
    text_top = lines[0].position_y
    text_bottom = lines[-1].position_y + lines[-1].height
    shift = (top + bottom) / 2 - (text_top + text_bottom) / 2
    if shift > 0:
        for child in first.children:
            child.translate(dy=shift)


def _draw_measure_rules_down(document) -> None:
    """Draw the rule between 指标名称 and 指标值 (the names' right border in the measure
    cell) down to the bottom of the row: the last name's cell made as tall as what is left."""
    for page in document.pages:
        for row in _data_rows(page):
            for cell in row.children:
                if cell.element is None or "measure-cell" not in class_set(cell.element):
                    continue
                tables = [box for box in descendants(cell) if box.element_tag == "table"
                          and box is not cell and type(box).__name__ == "TableBox"]
                if not tables:
                    continue
                table = tables[0]
                names = [box for box in descendants(table)
                         if type(box).__name__ == "TableCellBox"
                         and "measure-name" in class_set(box.element)]
                if not names:
                    continue
                last = names[-1]
                # a cell's room under its content is bottom padding after table layout
                room = (cell.content_box_y() + cell.height + cell.padding_bottom) - (
                    last.border_box_y() + last.border_height())
                if room > 0:
                    last.height += room


def _restyle(box, **changes) -> None:
    """Change a laid-out box's style without touching the boxes that share its style."""
    box.style = box.style.copy()
    box.style.update(changes)


def _group_cells(row):
    return [cell for cell in row.children
            if cell.element is not None and cell.element.get("data-group")]
