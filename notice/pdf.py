"""Lays the semantic HTML out with WeasyPrint and writes the PDF."""

from __future__ import annotations

import functools
from copy import deepcopy

import lxml.html
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


def load_stylesheet(css: str, fonts: FontSet) -> None:
    """Parse a stylesheet and load its fonts now, as lay_out will find them (a build does it
    before its workers fork, so that they share the work)."""
    _stylesheet(css, frozenset(face.url for face in fonts.font_faces()))


def render_pdf(html: str, css: str, fonts: FontSet, *, pdf_variant: str | None = None,
               images: frozenset[str] = frozenset()) -> bytes:
    """Lay out and write one document."""
    return write_pdf(lay_out(html, css, fonts, images), pdf_variant)


def lay_out(html: str, css: str, fonts: FontSet, images: frozenset[str] = frozenset()):
    """WeasyPrint's layout of one document; the checklist's group labels settled per page.

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
    return document


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
        shown = [position[id(box.element)] for box in _descendants(page)
                 if _is_numbered_row(box) and id(box.element) in position]
        restart = None
        if any(not window[0] <= n < window[1] for n in shown):
            restart = window[1] + _WINDOW  # past the window: a wider one, from this page
        broken = [box for box in pagination.broken_box(index) if _is_numbered_row(box)]
        if restart is None and broken and cuts < _SPLIT_PASSES:
            rows = [tr for tr in tree.iter("tr") if tr.get("data-number")]
            tr = rows[position[id(broken[0].element)]]
            if tr in set(tree.xpath(f'//table[contains(@class, "{SPLIT_ROWS}")]/tbody/tr')):
                fragment = [box for box in _descendants(page)
                            if box.element is broken[0].element and box.element_tag == "tr"]
                if len(fragment) != 1:
                    return None
                split = _split_row(tree, tr, fragment[0])
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
                for box in _descendants(page._page_box) if _is_numbered_row(box)}
    if len(laid_out) != count:
        return None  # a row not laid out: split_rows would have left the layout alone
    document.split_html = html
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


SPLIT_ROWS = "split-rows"  # the class of a table whose rows split with their heads repeated
_SPLIT_PASSES = 40  # one page break a pass; a letter has a few dozen at most
CONTINUED = "（续）"  # after the repeated name of an indicator whose row goes on


def split_rows(html: str, document) -> str | None:
    """The HTML with each table row that the layout split across pages made two rows at the
    break: the first holds what the first page showed, the second the rest, with the
    indicator's 序号 and 指标名称 shown again. None when no row was split."""
    fragments: dict[int, list] = {}  # a row element → its boxes, page by page, in order
    for page in document.pages:
        for box in _descendants(page._page_box):
            if (box.element_tag == "tr" and box.element is not None
                    and box.element.get("data-number")):
                fragments.setdefault(id(box.element), []).append(box)
    boxes = list(fragments.values())  # rows in document order (each is laid out somewhere)
    if not any(len(found) > 1 for found in boxes):
        return None
    tree = lxml.html.document_fromstring(html)
    rows = [tr for tr in tree.iter("tr") if tr.get("data-number")]
    if len(rows) != len(boxes):  # not the same rows: leave the layout as it is
        return None
    splittable = set(tree.xpath(f'//table[contains(@class, "{SPLIT_ROWS}")]/tbody/tr'))
    # the first split row only: what follows it moves once it is cut, so the next break is
    # found in the next pass
    for tr, found in zip(rows, boxes, strict=True):
        if len(found) >= 2 and tr in splittable:
            return _split_row(tree, tr, found[0])
    return None


def _split_row(tree, tr, fragment) -> str:
    """The HTML with the row `tr` cut where its `fragment` (its part on the first page)
    ends, or marked to move on whole when the first page shows too little of it."""
    shown = [_shown_text(cell) for cell in fragment.children]
    if not _worth_splitting(tr.findall("td"), shown):  # little shown: the row moves on
        tr.set("data-part", "whole")
    else:
        head = deepcopy(tr)
        head.set("data-part", "head")
        tr.set("data-part", "rest")
        for head_cell, rest_cell, text in zip(head.findall("td"), tr.findall("td"), shown,
                                              strict=True):
            _cut(head_cell, rest_cell, text)
        tr.addprevious(head)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _worth_splitting(cells, shown: list[str]) -> bool:
    """Whether the first page shows the indicator's name whole and some of its long text."""
    some = False
    for cell, text in zip(cells, shown, strict=True):
        marks = set((cell.get("class") or "").split())
        full = cell.text_content()
        if "col-name" in marks and _prefix_length(full, text) < len(full.rstrip()):
            return False
        if "measure-cell" in marks and _prefix_length(full, text) < len(
                cell.find(".//tr").text_content()):  # not even the indicator's own pair
            return False
        if "col-main_tasks" in marks and full.strip() and not text.strip():
            return False  # a row whose main tasks would all go on: it moves on whole
        if marks & set(_LONG) and text.strip():
            some = True
    return some


def _shown_text(cell) -> str:
    """The text a cell's fragment shows; in a cell of long text, its last line held back
    when more follows on the next page (the fragment has no bottom padding or rule, the
    whole row will)."""
    lines = ["".join(box.text for box in _descendants(line) if isinstance(
        getattr(box, "text", None), str))
        for line in _descendants(cell) if type(line).__name__ == "LineBox"]
    full = cell.element.text_content() if hasattr(cell.element, "text_content") else None
    text = "".join(lines)
    if full is None:
        full = "".join(cell.element.itertext())
    long = set((cell.element.get("class") or "").split()) & set(_LONG)
    if long and _prefix_length(full, text) < len(full.rstrip()):
        return "".join(lines[:-1])
    return text


_REPEATED = ("col-number", "col-name", "measure-cell")  # shown again where a row goes on
_LONG = ("col-main_tasks", "col-other_leads", "col-other_responsible")  # cut where it broke


def _cut(head, rest, shown: str) -> None:
    """Keep in `head` what the first page showed of a cell, and the rest in `rest`."""
    marks = set((head.get("class") or "").split())
    if marks & set(_REPEATED):
        if "measure-cell" in marks:
            # the head keeps the name/target pairs the page showed; the rest the others,
            # after the indicator's own name, continued
            kept = _prefix_length(head.text_content(), shown)
            head_pairs, rest_pairs = list(head.iter("tr")), list(rest.iter("tr"))
            covered = 0
            for n, (head_pair, rest_pair) in enumerate(zip(head_pairs, rest_pairs,
                                                           strict=True)):
                covered += len(head_pair.text_content())
                if n == 0:
                    continue
                if covered <= kept:
                    rest_pair.getparent().remove(rest_pair)
                else:
                    head_pair.getparent().remove(head_pair)
            names = [td for td in rest.iter("td")
                     if "measure-name" in (td.get("class") or "").split()]
            _append(names[0] if names else rest, CONTINUED)
        elif "col-name" in marks:
            _append(rest, CONTINUED)
        return
    full = rest.text_content()
    if len(rest) or not marks & set(_LONG):  # short, or markup: whole in the head
        for child in list(rest):
            rest.remove(child)
        rest.text = ""
        return
    kept = _prefix_length(full, shown)
    head.text, rest.text = full[:kept], full[kept:]


def _append(element, text: str) -> None:
    """Add text at the end of an element's content."""
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _prefix_length(full: str, shown: str) -> int:
    """How many characters of `full` the laid-out `shown` covers (white space aside)."""
    want = "".join(shown.split())
    got = 0
    for n, ch in enumerate(full):
        if got >= len(want):
            return n
        if not ch.isspace():
            got += 1
    return len(full)


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
