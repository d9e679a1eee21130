"""Lays the semantic HTML out with WeasyPrint and writes the PDF."""

from __future__ import annotations

import functools
import tempfile
from copy import deepcopy
from dataclasses import dataclass

import lxml.html
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .fonts import FontSet
from .lean_css import uses
from .paginate import GlyphsKept, make_lean_stylesheets, parsed
from .reuse import Record, graft, plan, signature, splice
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
    """The stylesheet and its fonts, parsed and loaded once a build (a watch: once)."""
    config = _font_configuration(allowed, tempfile.gettempdir())
    stylesheet = CSS(string=css, font_config=config, url_fetcher=FontsOnlyFetcher(allowed))
    stylesheet.uses = uses(css)  # (for paginate.parsed: the default stylesheets it needs)
    return config, stylesheet


@functools.cache
def _font_configuration(allowed: frozenset[str], folder: str) -> FontConfiguration:
    """One for every stylesheet of the same fonts (the notice's and the letters') in one
    temporary `folder` (a build's private one, notice/tempdirs.py): WeasyPrint copies each
    @font-face file into its configuration's folder once (a face already there is neither
    fetched nor copied again), and that took two thirds of parsing the two stylesheets."""
    return FontConfiguration()


def forget_stylesheets() -> None:
    """Parse the stylesheets again when next asked: their font configurations' folders are
    in the build's private temporary folder, which has gone (notice/tempdirs.py)."""
    _stylesheet.cache_clear()
    _font_configuration.cache_clear()


def load_stylesheet(css: str, fonts: FontSet, documents: list[str] = ()) -> None:
    """Parse a stylesheet and load its fonts now, as lay_out will find them, and make the lean
    default stylesheets of the `documents` (HTML) it styles (a build does it before its
    workers fork, so that they share the work)."""
    _config, stylesheet = _stylesheet(css, frozenset(face.url for face in fonts.font_faces()))
    for html in documents:
        make_lean_stylesheets(html, stylesheet)


def render_pdf(html: str, css: str, fonts: FontSet, *, pdf_variant: str | None = None,
               images: frozenset[str] = frozenset(), laid_out: bool = False,
               previous: tuple[Record, bytes] | None = None, made: bool = False):
    """Lay out and write one document: its PDF's bytes, or with `laid_out` (bytes, the HTML
    as laid out), which the DOCX is written from, or with `made` all make_pdf gives."""
    result = make_pdf(html, css, fonts, pdf_variant=pdf_variant, images=images,
                      previous=previous)
    if made:
        return result
    return (result.pdf, result.html) if laid_out else result.pdf


@dataclass
class Made:
    """One document's PDF, the HTML as laid out (for the DOCX), and its layout's record for
    the next layout of the document (notice/reuse.py; None where it cannot be recorded)."""

    pdf: bytes
    html: str
    record: Record | None
    reused: int = 0  # pages taken from the earlier layout


def make_pdf(html: str, css: str, fonts: FontSet, *, pdf_variant: str | None = None,
             images: frozenset[str] = frozenset(),
             previous: tuple[Record, bytes] | None = None) -> Made:
    """render_pdf, with the layout recorded; given an earlier layout of the document
    (`previous`: its record and its PDF), the pages it leaves alone are that PDF's."""
    if previous is not None and pdf_variant is None and "counter(pages)" not in css:
        # (a page kept would print the earlier total of pages)
        document, final = lay_out(html, css, fonts, images, previous)
        kept = [n for n, page in enumerate(document.pages) if not hasattr(page, "_page_box")]
        if kept:
            record, old = previous
            document.fonts = GlyphsKept(record.glyphs, old)
            spliced = splice(write_pdf(document), old, kept)
            if spliced is not None:
                return Made(spliced, final, _record(html, document, record), len(kept))
        else:
            pdf = write_pdf(document)
            return Made(pdf, final, _record(html, document))
    document, final = lay_out(html, css, fonts, images)
    pdf = write_pdf(document, pdf_variant)
    return Made(pdf, final, _record(html, document) if pdf_variant is None else None)


def lay_out(html: str, css: str, fonts: FontSet, images: frozenset[str] = frozenset(),
            previous: tuple[Record, bytes] | None = None):
    """WeasyPrint's layout of one document, the checklist's group labels settled per page,
    and the HTML as laid out: each table row the layout split made two (split_rows), each
    row that begins a page, each section's pages and a blank page before it marked
    (mark_breaks), for the DOCX to break where this did.

    Only the font files and `images` (the file URLs of the content's declared seal and
    签名章 images) may be loaded. The document's `split_html` is the HTML as laid out, its
    split rows cut (the DOCX can follow the same cuts). With `previous` (an earlier layout's
    record and PDF), pages it had as they are are not laid out: they are `Unlaid`, for
    make_pdf to take from its PDF."""
    allowed = frozenset(face.url for face in fonts.font_faces()) | images
    fonts_only = frozenset(face.url for face in fonts.font_faces())
    config, stylesheet = _stylesheet(css, fonts_only)
    document = None
    if SPLIT_ROWS in html:
        document = _lay_out_splitting(html, stylesheet, config, allowed,
                                      previous[0] if previous else None)
        if document is None and previous is not None:  # the earlier layout was no help
            document = _lay_out_splitting(html, stylesheet, config, allowed)
    if document is None:
        document = _lay_out_by_passes(html, stylesheet, config, allowed)
    _settle_group_labels(document)
    _draw_measure_rules_down(document)
    return document, mark_breaks(document.split_html, _summaries(document))


def _lay_out_by_passes(html: str, stylesheet, config, allowed: frozenset[str]):
    """The layout, each split row cut by a layout of the whole document again (the slow way,
    kept for what _lay_out_splitting does not expect, and to test that one against)."""
    def render(source: str):
        return parsed(source, FontsOnlyFetcher(allowed), stylesheet, whole=html).render(
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


def _lay_out_splitting(html: str, stylesheet, config, allowed: frozenset[str],
                       previous: Record | None = None):
    """The same layout as _lay_out_by_passes, each page laid out about once: pages are laid
    out one by one; where one ends inside a row of a split-rows table, the row is cut
    (split_rows' cut) and the layout goes on from that page with the new HTML, the pages
    before it kept. Each rendering holds the content of a window of rows only, the others
    left as empty rows (parsing and styling the whole letter at every cut took half its
    time): a page that reaches past the window is laid out again with a wider one. None when
    the document holds what this does not expect.

    Each page's pagination state and signature are noted as it is laid out (for the record,
    notice/reuse.py); with a `previous` record, the layout starts where reuse.plan says and
    ends where a page starts as the record's did (its pages are then the record's)."""
    from .paginate import Pagination, Unlaid, recorded, supported

    if not supported():
        return None
    whole = html  # (its lean stylesheets serve every rendering of it: paginate.parsed)
    tree = lxml.html.document_fromstring(html)
    if not tree.xpath(f'//table[contains(@class, "{SPLIT_ROWS}")]/colgroup/col'):
        return None  # an emptied row has no cells: the widths must not come from a row
    start = plan(previous, tree) if previous is not None else None
    notes: dict[int, dict] = {}  # page → its state, signature and cleanness, as laid out
    settled, index, pages_rows = None, 0, []  # pages_rows: the row positions on each page
    if start is not None:
        html, index = start.html, start.page
        tree = lxml.html.document_fromstring(html)
        pages_rows = [list(page["rows"]) for page in previous.pages[:index]]
        settled = recorded([Unlaid(page) for page in previous.pages[:index]],
                           [page["state"] for page in previous.pages[:index + 1]])
        notes = {n: dict(page, signature=None) for n, page in enumerate(
            previous.pages[:index + 1])}
    count = sum(1 for tr in tree.iter("tr") if tr.get("data-number"))
    first = max((n for rows in pages_rows for n in rows), default=0)
    window = (first, min(first + _WINDOW, count))
    source = html if window == (0, count) else _windowed(tree, *window)  # as written if it can
    pagination = Pagination(source, stylesheet, config, FontsOnlyFetcher(allowed), settled,
                            whole=whole)
    if start is None:
        notes[0] = {"state": pagination.state(0), "signature": None}
    cuts, texts, adopted = 0, None, None
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
                texts = None
        if restart is None:
            pages_rows.append(shown)
            notes[index]["clean"] = pagination.clean[index]
            index += 1
            # the next page's state, and a signature of it and of what follows it
            if texts is None:
                texts = [lxml.html.tostring(tr, encoding="unicode")
                         for tr in tree.iter("tr") if tr.get("data-number")]
            begins = pagination.start_element(index)
            state = pagination.state(index)
            notes[index] = {"state": state, "signature": signature(
                state, pagination.html.etree_element, begins,
                {id(element): texts[n] for n, element in enumerate(ours)})}
            if previous is not None and previous.converges(index, notes[index]["signature"]) \
                    and id(begins) in position:
                final = graft(tree, previous, position[id(begins)])
                if final is not None:
                    adopted = (index, final)
                    pagination.adopt(index, [Unlaid(p) for p in previous.pages[index:]],
                                     [p["state"] for p in previous.pages[index + 1:]]
                                     + [previous.end])
                    break
            continue
        # this page again: from the last row of the pages kept (it may go on on this page)
        del pages_rows[index:]
        first = max((n for rows in pages_rows for n in rows), default=window[0])
        window = (first, min(max(first + _WINDOW, restart), count))
        pagination = Pagination(_windowed(tree, *window), stylesheet, config,
                                FontsOnlyFetcher(allowed), pagination.settled(index),
                                whole=whole)
    document = pagination.finish()
    if adopted is not None:
        index, html = adopted
        for n, page in enumerate(previous.pages[index:], start=index):
            pages_rows.append(list(page["rows"]))
            notes[n] = page
        count = sum(1 for tr in lxml.html.document_fromstring(html).iter("tr")
                    if tr.get("data-number"))
    else:
        notes[len(document.pages)] = {"state": pagination.state(len(document.pages))}
    laid_out = {n for rows in pages_rows for n in rows}
    if laid_out != set(range(count)) or len(pages_rows) != len(document.pages):
        return None  # a row not laid out: split_rows would have left the layout alone
    document.split_html = html
    document.places = pagination.order  # the kept pages' elements are other renderings'
    document.notes = notes
    document.rows = pages_rows
    document.end = previous.end if adopted is not None else notes.pop(len(document.pages))[
        "state"]
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
    numbered = [tr for tr in emptied.iter("tr") if tr.get("data-number")]
    for n, tr in enumerate(numbered):
        if not start <= n < end:
            tail = tr[-1].tail if len(tr) else None
            for cell in list(tr):
                tr.remove(cell)
            tr.text = tail
    if start > 0:  # what comes before the table is on pages kept: emptied too, as the rows
        for ancestor in numbered[start].iterancestors():
            for before in ancestor.itersiblings(preceding=True):
                if isinstance(before.tag, str) and before.tag not in _KEPT_WHOLE:
                    for child in list(before):
                        before.remove(child)
                    before.text = None
    return lxml.html.tostring(emptied, encoding="unicode", doctype="<!DOCTYPE html>")


_KEPT_WHOLE = ("head", "colgroup", "col", "thead", "caption")  # drawn again on later pages


def _is_numbered_row(box) -> bool:
    """A box of a checklist row (its tr carries the indicator's number)."""
    return (box.element_tag == "tr" and box.element is not None
            and bool(box.element.get("data-number")))


_SPLIT_PASSES = 40  # one page break a pass; a letter has a few dozen at most


PAGED_TABLES = ("checklist", "data-table")  # tables the DOCX breaks where the PDF did


def page_summary(page_box, key) -> dict:
    """What mark_breaks needs of a laid-out page: the sections on it, each paged table's body
    rows on it, whether it is blank; elements known by `key`."""
    sections, tables = [], []
    for box in descendants(page_box):
        if box.element_tag == "section" and key(box.element) not in sections:
            sections.append(key(box.element))
        if type(box).__name__ == "TableBox" and set(
                (box.element.get("class") or "").split()) & set(PAGED_TABLES):
            tables.append((key(box.element), [key(row.element) for group in box.children
                                              if group.element_tag == "tbody"
                                              for row in group.children]))
    return {"sections": sections, "tables": tables, "blank": page_box.page_type.blank}


def _summaries(document) -> list[dict]:
    """page_summary of each page; an element known by its place in the tree where the
    page-by-page layout gives it (Document.places: its pages come from several renderings),
    and a page kept from an earlier layout summed up as that layout recorded it."""
    from .paginate import unplain

    places = getattr(document, "places", {})

    def key(element):
        return places.get(element, id(element))

    document.summaries = [
        page_summary(page._page_box, key) if hasattr(page, "_page_box")
        else unplain(document.notes[n]["summary"]) for n, page in enumerate(document.pages)]
    return document.summaries


def mark_breaks(html: str, summaries: list[dict]) -> str:
    """The HTML with what the DOCX needs to break its pages where the layout did (summaries:
    each page's page_summary): PAGE_START on each body row of a checklist or declared table
    that begins a page (not a table's first row, nor a row continued from the page before);
    on each section, SECTION_PAGES (the pages it is laid on) and BLANK_BEFORE if a blank
    page comes before it (the 版记's, made even)."""
    tables: dict = {}  # a table → its body rows, in order
    starts: list = []  # (table, row) beginning a page
    sections: dict = {}  # a section → the pages it is on
    after_blank: set = set()
    blank = False
    for summary in summaries:
        for section in summary["sections"]:
            if blank and section not in sections:
                after_blank.add(section)
            sections[section] = sections.get(section, 0) + 1
        for table, body in summary["tables"]:
            rows = tables.setdefault(table, [])
            for n, row in enumerate(body):
                if not rows or rows[-1] != row:  # not the row the last page ended
                    if n == 0 and rows:
                        starts.append((table, row))
                    rows.append(row)
        blank = summary["blank"]
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


def _record(html: str, document, previous: Record | None = None) -> Record | None:
    """The record of a document's layout (notice/reuse.py) once its PDF is written; None for
    a layout made another way than page by page, or a page that cannot be kept (links)."""
    from .paginate import describe, glyphs, plain

    notes = getattr(document, "notes", None)
    if notes is None:
        return None
    pages = []
    for n, page in enumerate(document.pages):
        if not hasattr(page, "_page_box"):
            pages.append(notes[n])
            continue
        described = describe(page, document.places)
        if described is None or "clean" not in notes[n]:
            return None
        pages.append(dict(described, state=notes[n]["state"], signature=notes[n]["signature"],
                          clean=notes[n]["clean"], rows=document.rows[n],
                          summary=plain(document.summaries[n])))
    used = glyphs(document)
    for name, (widths, characters) in (previous.glyphs.items() if previous else ()):
        mine = used.setdefault(name, ({}, {}))
        mine[0].update(widths)
        mine[1].update(characters)
    kept = sum(1 for page in document.pages if not hasattr(page, "_page_box"))
    return Record(html, document.split_html, pages, document.end, used, pdf_key="", kept=kept)


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
    for page in _laid(document):
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


def _laid(document) -> list:
    """The pages this layout laid out (not those kept from an earlier one)."""
    return [page for page in document.pages if hasattr(page, "_page_box")]


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
    for page in _laid(document):
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
