"""WeasyPrint's pagination run page by page and resumed from a page: every WeasyPrint internal
the tool relies on lives here (tests/test_paginate.py fails loudly when an upgrade changes one).

`Pagination` renders an HTML string as `HTML.render()` does, but lays its pages out only as
they are asked for, and can start from the pages and pagination states of an earlier rendering
whose HTML was the same up to a page: those pages are kept as they are, and the layout goes on
from that page's state. `finish()` completes the layout exactly as WeasyPrint's
`layout_document` does (page-based counters, bookmarks, margin boxes) and returns the
`Document`. It follows WeasyPrint 70.0 only: with another version `supported()` is false and
the tool lays documents out the slow way (notice/pdf.py); tests/test_paginate.py pins the source
of every WeasyPrint function this module copies or depends on.

`parsed` gives the HTML, parsed by lxml where it builds WeasyPrint's own tree
(notice/html_tree.py), styled against lean default stylesheets (notice/lean_css.py).
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import cssselect2
import lxml.html
import weasyprint
from weasyprint import CSS, DEFAULT_OPTIONS, HTML, _find_base_url
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, Page
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import PH, UA, UA_FORM_STYLESHEET, get_html_metadata
from weasyprint.layout import initialize_page_maker, layout_fixed_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import (
    PageType,
    make_all_pages,
    make_margin_boxes,
    set_page_type_computed_styles,
)

from . import html_tree, lean_css
from .lean_css import USES, lean, uses

WEASYPRINT = "70.0"  # the version whose internals this module follows
_MAX_LOOPS = 8  # layout_document's repaginations for page-based counters


def supported() -> bool:
    """Whether the installed WeasyPrint is the one this module follows."""
    return weasyprint.__version__ == WEASYPRINT


@dataclass(frozen=True)
class Settled:
    """Pages of an earlier rendering that stand as they are, and the pagination state at the
    start of the page after them (where the layout goes on)."""

    pages: tuple  # laid-out page boxes, before margin boxes
    states: tuple  # WeasyPrint's page_maker entries 0..len(pages)
    order: dict  # every element of the earlier renderings' trees → its place in its tree


def parsed(source: str, url_fetcher, stylesheet=None, whole: str | None = None) -> HTML:
    """WeasyPrint's HTML of `source`, to be styled with `stylesheet` (a CSS whose `uses` says
    which of lean_css.USES it holds; all, if it does not say) and WeasyPrint's default
    stylesheets less what cannot style anything in it (notice/lean_css.py): the same styles,
    in about half the time. `whole`: the document `source` is a part of (a window of its
    rows), whose lean stylesheets serve every part (one pair a document, not one a part)."""
    root = html_tree.tree(source)
    html = (HTML(string=source, base_url=None, url_fetcher=url_fetcher) if root is None
            else _html(root, url_fetcher))
    names = lean_css.names(html.etree_element.iter(), source)
    if whole is not None and names.within(wider := _names(whole)):
        names = wider
    ua_sheet, hints_sheet = _lean_sheets(names, getattr(stylesheet, "uses", None))
    # (HTML's own methods give WeasyPrint's sheets: these give the lean ones instead)
    html._ua_stylesheets = lambda forms=False: (
        [ua_sheet, UA_FORM_STYLESHEET] if forms else [ua_sheet])
    html._ph_stylesheets = lambda: [hints_sheet]
    return html


def _html(root, url_fetcher) -> HTML:
    """What HTML(string=…, base_url=None) makes of a source already parsed into `root`
    (HTML.__init__ without its parsing)."""
    html = HTML.__new__(HTML)
    html.base_url = _find_base_url(root, None)
    html.url_fetcher = url_fetcher
    html.media_type = "print"
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
    html.etree_element = html.wrapper_element.etree_element
    return html


def make_lean_stylesheets(source: str, stylesheet) -> None:
    """Make the lean stylesheets of a document now (a build does it before its workers fork,
    so that they share the work)."""
    _lean_sheets(_names(source), getattr(stylesheet, "uses", None))


@functools.lru_cache(maxsize=64)
def _names(source: str) -> lean_css.Names:
    """What any part of a document may hold (the parser may add some tags: lean_css.IMPLIED)."""
    return lean_css.names(lxml.html.document_fromstring(source).iter(), source,
                          lean_css.IMPLIED)


def _lean_sheets(names: lean_css.Names, author_uses: frozenset[str] | None) -> tuple:
    ua, hints = names.relevant(UA), names.relevant(PH)
    used = frozenset(USES.values()) if author_uses is None else author_uses | names.used | uses(
        _lean_text(UA, *ua), _lean_text(PH, *hints))
    return _lean_sheet(UA, *ua, used), _lean_sheet(PH, *hints, used)


@functools.cache
def _lean_text(text: str, tags: frozenset[str], attributes: frozenset[str]) -> str:
    return lean(text, tags, attributes)


@functools.cache
def _lean_sheet(text: str, tags: frozenset[str], attributes: frozenset[str],
                used: frozenset[str]) -> CSS:
    # its @counter-style rules are WeasyPrint's, already in the counter styles every
    # document starts from (HTML._ua_counter_style): they go to a throwaway here
    return CSS(string=lean(text, tags, attributes, used), counter_style=CounterStyle())


class Pagination:
    """One rendering of an HTML string whose pages are laid out as they are asked for."""

    def __init__(self, source: str, stylesheet, font_config, url_fetcher,
                 settled: Settled | None = None, whole: str | None = None):
        self.html = parsed(source, url_fetcher, stylesheet, whole)
        self.options = dict(DEFAULT_OPTIONS, stylesheets=[stylesheet],
                            presentational_hints=True)
        self.font_config = font_config
        self.counter_style = CounterStyle()
        context = self.context = Document._build_layout_context(
            self.html, font_config, self.counter_style, {}, self.options)
        self.root_box = build_formatting_structure(
            self.html.etree_element, context.style_for, context.get_image_from_uri,
            self.html.base_url, context.target_collector, self.counter_style,
            context.footnotes)
        initialize_page_maker(context, self.root_box)
        # an element of the kept pages belongs to an earlier rendering's tree, the same
        # element of this one's is another object: both are known by their place in the tree
        # (the child indices from the root: an element's place does not change when content
        # is taken out of another element, or added after it)
        self.order = dict(settled.order) if settled is not None else {}
        self.order.update(_places(self.html.etree_element, ()))
        kept: list = []
        if settled is not None and settled.pages:
            kept = list(settled.pages)
            context.page_maker[:] = [_copy_state(state) for state in settled.states]
            context.page_maker[-1][-1]["content_changed"] = True  # made again from here
            for page in kept:  # the page styles of this rendering's cascade
                set_page_type_computed_styles(page.page_type, self.html, context.style_for)
        self._original_footnotes = context.footnotes.copy()
        self.pages: list = []
        # whether nothing runs on past the end of each page laid out here (no footnote put off,
        # no float or positioned box broken across the page end): the next page then rests
        # on its page_maker entry alone, and may be laid out from it in another process
        self.clean: dict[int, bool] = {}
        self._making = make_all_pages(context, self.root_box, self.html, kept)
        self._done = False

    def page(self, index: int):
        """Page `index` laid out (and every page before it), or None past the last page."""
        while len(self.pages) <= index and not self._done:
            try:
                self.pages.append(next(self._making))
            except StopIteration:
                self._done = True
            else:
                self.clean[len(self.pages) - 1] = not (self.context.broken_out_of_flow
                                                      or self.context.reported_footnotes)
        return self.pages[index] if index < len(self.pages) else None

    def broken_box(self, index: int):
        """The boxes (of the box tree, outermost first) that page `index` ends inside of, that
        the next page goes on with; () when the page ends between blocks or is the last."""
        resume_at = self.context.page_maker[index + 1][0]
        box, path = self.root_box, []
        while resume_at:
            child, resume_at = tuple(resume_at.items())[-1]
            children = getattr(box, "children", None)
            if not isinstance(children, list | tuple) or child >= len(children):
                break
            box = children[child]
            if resume_at is None:  # the next page starts with this box
                break
            path.append(box)
        return tuple(path)

    def settled(self, pages: int) -> Settled:
        """The first `pages` pages as they stand, for a rendering of an HTML that differs only
        after them."""
        self.page(pages)
        return Settled(tuple(self.pages[:pages]),
                       tuple(_copy_state(state) for state in self.context.page_maker[:pages + 1]),
                       self.order)

    def elements(self):
        """The elements of this rendering's tree, in document order."""
        return self.html.etree_element.iter()

    def state(self, index: int):
        """The pagination state at the start of page `index` (laid out), as plain data
        (see plain): what a later layout needs to go on from that page in another process."""
        resume_at, next_page, right_page, page_state, _remake = self.context.page_maker[index]
        return plain((resume_at, next_page, right_page, page_state))

    def start_element(self, index: int):
        """The element page `index` begins in (the innermost one holding all that the page
        goes on with: a row broken across the page end, not one of its cells), or None for
        the first page or past the last."""
        if index >= len(self.context.page_maker):
            return None
        resume_at, box, element = self.context.page_maker[index][0], self.root_box, None
        while resume_at and len(resume_at) == 1:
            (child, resume_at), = resume_at.items()
            children = getattr(box, "children", None)
            if not isinstance(children, list | tuple) or child >= len(children):
                return None
            box = children[child]
            if box.element is not None and box.element_tag and "::" not in box.element_tag:
                element = box.element
        return element

    def adopt(self, index: int, pages: list, states: list) -> None:
        """From page `index` on, the document is `pages` (Unlaid, of an earlier layout whose
        state at that page was this one's), with `states` (plain, see state) their
        pagination states after the first: the layout ends here. Pages up to `index` are laid
        out, not the page `index`."""
        assert len(self.pages) == index, "adopted pages follow the last page laid out"
        self.pages[index:] = pages
        # WeasyPrint marks page `index` to be made (its state is new): it is made, the same
        made = [(*unplain(state), dict(_RESET)) for state in states]
        self.context.page_maker[index] = (*self.context.page_maker[index][:4], dict(_RESET))
        self.context.page_maker[index + 1:] = made
        self._done = True

    def finish(self) -> Document:
        """The whole document, as `HTML.render()` would return it (layout_document's steps
        after the first pagination)."""
        while self.page(len(self.pages)) is not None:
            pass
        context, root_box, html = self.context, self.root_box, self.html
        pages, actual_total_pages = self.pages, 0
        for loop in range(_MAX_LOOPS):
            if loop > 0:
                context.footnotes = self._original_footnotes.copy()
                pages = list(make_all_pages(context, root_box, html, pages))
            initial_total_pages, actual_total_pages = actual_total_pages, len(pages)
            reloop_content = reloop_pages = False
            for _, _, _, page_state, remake_state in context.page_maker:
                page_state[1]["pages"] = [actual_total_pages]
                if remake_state["content_changed"]:
                    reloop_content = True
                if remake_state["pages_wanted"]:
                    reloop_pages = initial_total_pages != actual_total_pages
            if not reloop_content and not reloop_pages:
                break
        _bookmarks_and_strings(context, pages, self.order)
        page_boxes = list(_with_margin_boxes(context, pages))
        document = Document([box if isinstance(box, Unlaid) else Page(box)
                             for box in page_boxes],
                            _metadata(html), html.url_fetcher, self.font_config, {},
                            self.options["output_intent"])
        document._html = html
        return document


def recorded(pages: list, states: list) -> Settled:
    """Pages of an earlier layout (Unlaid), with their pagination states (plain, see
    Pagination.state: one a page, and the one after the last), as an earlier rendering's."""
    return Settled(tuple(pages), tuple((*unplain(state), dict(_RESET)) for state in states), {})


def _metadata(html):
    from weasyprint.pdf.metadata import DocumentMetadata

    return DocumentMetadata(**get_html_metadata(html))


def _places(element, place: tuple):
    """(element, its child indices from the root) for the element and all inside it."""
    yield element, place
    for n, child in enumerate(element):
        yield from _places(child, (*place, n))


def _copy_state(state):
    """A page_maker entry of our own: its plain data copied, its remake flags reset."""
    resume_at, next_page, right_page, page_state, remake_state = state
    flags = dict(remake_state, anchors=list(remake_state["anchors"]),
                 content_lookups=list(remake_state["content_lookups"]))
    return (copy.deepcopy(resume_at), copy.deepcopy(next_page), right_page,
            copy.deepcopy(page_state), flags)


def _bookmarks_and_strings(context, pages, order: dict) -> None:
    """layout_document: one bookmark per element (known by its place in the tree: see
    Pagination.order), page-based counters of bookmark labels filled in, string-set values
    collected."""
    watch_elements, watch_before, watch_after = [], [], []
    watched = {"element": watch_elements, "before": watch_before, "after": watch_after}
    for i, page in enumerate(pages):
        if isinstance(page, Unlaid):  # its bookmarks are in the earlier PDF: none again
            for kind, place in page.bookmarked:
                watched[kind].append(place)
            continue
        page_counter_values = context.page_maker[i + 1][3][1]
        for child in page.descendants():
            if child.bookmark_label:
                if child.element_tag.endswith("::before"):
                    checklist = watch_before
                elif child.element_tag.endswith("::after"):
                    checklist = watch_after
                else:
                    checklist = watch_elements
                element = order.get(child.element, child.element)
                if element in checklist:
                    child.bookmark_label = ""
                else:
                    checklist.append(element)
            if child.missing_link:
                for (box, css_token), item in (
                        context.target_collector.counter_lookup_items.items()):
                    if child.missing_link == box and css_token != "content":
                        if css_token == "bookmark-label" and not child.bookmark_label:
                            continue
                        item.parse_again(page_counter_values)
                        if css_token == "bookmark-label":
                            child.bookmark_label = box.bookmark_label
            string_sets = child.string_set
            if string_sets and string_sets != "none":
                for string_name, text in string_sets:
                    context.string_set[string_name][i + 1].append(text)


def _with_margin_boxes(context, pages):
    """layout_document: fixed boxes, footnote areas and margin boxes added to every page."""
    for i, page in enumerate(pages):
        if isinstance(page, Unlaid):
            yield page  # drawn already, in the earlier PDF
            continue
        root, footnote_area, note_area = page.children
        root.children = [*layout_fixed_boxes(context, pages[:i], page), *root.children,
                         *layout_fixed_boxes(context, pages[i + 1:], page)]
        context.current_page = i + 1
        state = context.page_maker[context.current_page][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
        yield page



# -- pages kept from an earlier build ---------------------------------------------------------

_RESET = {"content_changed": False, "pages_wanted": False, "anchors": [], "content_lookups": []}


class Unlaid:
    """A page of an earlier layout that stands as it was: its page type (for the pagination
    that goes on around it) and what WeasyPrint's PDF writer reads of a page (size, bleed,
    bookmarks, anchors); nothing is drawn on it, its content is the earlier PDF's page
    (notice/reuse.py puts it in)."""

    def __init__(self, page: dict):
        self.page_type = PageType(*unplain(page["type"]))
        self.width, self.height = page["width"], page["height"]
        self.bleed = dict(page["bleed"])
        self.bookmarks = list(unplain(page["bookmarks"]))
        self.anchors = dict(unplain(page["anchors"]))
        self.links: list = []
        self.forms: dict = {None: []}
        self.fixed_boxes: tuple = ()  # (describe refuses a page with any)
        # the elements bookmarked on the page (kind, place): not to be bookmarked again
        self.bookmarked = [tuple(mark) for mark in unplain(page["bookmarked"])]

    def paint(self, stream, scale=1) -> None:
        pass


def describe(page, order: dict) -> dict | None:
    """What Unlaid needs of a laid-out page (weasyprint.document.Page), as plain data; None
    for a page with links (their boxes cannot be kept) or fixed boxes (drawn on every page).
    `order`: each element's place in its tree (Pagination.order), by which the elements
    bookmarked on the page are noted."""
    if page.links or any(page.forms.values()) or page._page_box.fixed_boxes:
        return None
    marked = [(_bookmark_kind(box), order.get(box.element)) for box in
              page._page_box.descendants() if box.bookmark_label]
    if any(place is None for _, place in marked):
        return None
    return {"type": plain(tuple(page._page_box.page_type)), "width": page.width,
            "height": page.height, "bleed": dict(page.bleed),
            "bookmarks": plain(page.bookmarks), "anchors": plain(page.anchors),
            "bookmarked": plain(marked)}


def _bookmark_kind(box) -> str:
    """Which of layout_document's three lists a bookmarked box's element goes to."""
    tag = box.element_tag
    return "before" if tag.endswith("::before") else "after" if tag.endswith("::after") \
        else "element"


class GlyphsKept(dict):
    """A document's fonts (Document.fonts) for a PDF some of whose pages will be an earlier
    PDF's (`earlier`, its bytes): each font, as the drawing first uses it, gets the glyphs
    the earlier PDF used with it (their widths and characters), so that its one subset serves
    the pages of both. A font that ends up with no glyph the earlier PDF lacked is not subset
    again: its program is the earlier PDF's, the very bytes the same subset would give."""

    def __init__(self, glyphs: dict, earlier: bytes | None = None):
        super().__init__()
        self.glyphs = glyphs
        self.earlier = earlier
        self._programs: dict | None = None

    def __setitem__(self, key, font) -> None:
        if font.hash in self.glyphs:
            widths, characters = self.glyphs[font.hash]
            font.widths.update(widths)
            font.to_unicode.update(characters)
            if self.earlier is not None and "fvar" not in font.tables:
                font.clean = functools.partial(self._clean, font, font.clean)
        super().__setitem__(key, font)

    def _clean(self, font, clean, to_unicode: dict, hinting) -> None:
        """Font.clean, or the earlier PDF's program where it holds the same glyphs."""
        same = set(to_unicode) == set(self.glyphs[font.hash][1])
        # (a glyph the font lacks, here or on a kept page, changes how HarfBuzz subsets it)
        lacks = font.missing or any(glyph >= font.glyph_count for glyph in to_unicode)
        program = self._program(font.hash) if same and not lacks else None
        if program is None:
            clean(to_unicode, hinting)
        else:
            font.file_content = program

    def _program(self, name: str) -> bytes | None:
        if self._programs is None:
            self._programs = _font_programs(self.earlier)
        return self._programs.get(name)


def _font_programs(pdf: bytes) -> dict[str, bytes]:
    """The embedded font program of each font of one of WeasyPrint's PDFs, by its name in
    the pages' resources (Font.hash)."""
    import io

    import pikepdf

    programs: dict[str, bytes] = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        fonts = document.pages[0].obj.Resources.get("/Font", {}) if document.pages else {}
        for name, font in fonts.items():
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get("/FontDescriptor", {})
                stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
                if stream is not None:
                    programs[name[1:]] = stream.read_bytes()
    return programs


def glyphs(document) -> dict:
    """The glyphs a written document used, by font (its name in the PDF's resources): the
    widths and characters GlyphsKept gives back."""
    found: dict = {}
    for font in document.fonts.values():
        widths, characters = found.setdefault(font.hash, ({}, {}))
        widths.update(font.widths)
        characters.update(font.to_unicode)
    return found


def plain(value):
    """WeasyPrint's pagination data (dicts with int keys, tuples, sets) as JSON's: every
    dict, tuple and set tagged, sets sorted, so that the text is the same in every process."""
    if isinstance(value, dict):
        return {"d": [[plain(k), plain(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"t": [plain(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"s": sorted(plain(v) for v in value)}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"not plain data: {type(value).__name__}")


def unplain(value):
    """plain's inverse."""
    if isinstance(value, list):
        return [unplain(v) for v in value]
    if isinstance(value, dict):
        (tag, items), = value.items()
        if tag == "d":
            return {unplain(k): unplain(v) for k, v in items}
        if tag == "t":
            return tuple(unplain(v) for v in items)
        return {unplain(v) for v in items}
    return value
