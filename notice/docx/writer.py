"""Writes the notice as DOCX: walks the semantic HTML and gives each class its named Word style."""

from __future__ import annotations

import re
from copy import deepcopy

import lxml.html
from docx import Document
from docx.oxml.ns import qn

from .. import style
from ..vocabulary import Kind, Page, UnknownElement, element_of, keeps_with_next, page_of
from .blocks import (
    checklist,
    classes,
    end_matter,
    paragraph,
    put,
    run,
    tokens,
)
from .package import html_metadata, pack
from .styles import (
    LANDSCAPE,
    PORTRAIT,
    configure_settings,
    eighths,
    el,
    font_table_xml,
    half_points,
    install_styles,
    section_properties,
    twips,
)

# where the kind of page changes, a Word section starts: the 版记 page on an even page
STARTS = {Page.PORTRAIT: "nextPage", Page.LANDSCAPE: "nextPage", Page.LAST: "evenPage"}
PITCH = style.LINE_PITCH_PT
# 7.2.5: the red line 4 mm under the 发文字号's characters, as w:space under its exact line
RULE_SPACE = round(style.RULE_GAP_MM * style.PT_PER_MM
                   - (1 - style.EXACT_LINE_BASELINE) * PITCH
                   + (1 - style.CJK_EM_ASCENT) * style.BODY_PT)


def render_docx(html: str, context: dict) -> bytes:
    """The notice as DOCX bytes, from the semantic HTML the PDF is laid out from."""
    tree = lxml.html.document_fromstring(html)
    document = Document()
    layout = context["layout"]
    install_styles(document, layout)
    configure_settings(document)
    writer = _Writer(document, layout, {s.column.key: s.column for s in context["columns"]})
    for node in tree.body.iter("section"):
        writer.section(node)
    writer.close()
    return pack(document, html_metadata(tree), {"word/fontTable.xml": font_table_xml()})


def head_gap(layout) -> int:
    """Space above the title that follows the 版头, in twips (7.3.1).

    The 版头 (标志 35 mm down, 字号 two lines under it, the red line) takes the whole grid
    lines the shared layout gives it, so that the title and the body sit on the 22-line grid;
    two blank lines follow.
    """
    mast = half_points(layout.masthead.size) / 2
    used = (style.MASTHEAD_OFFSET_MM * style.PT_PER_MM + mast
            + (1 + style.DOC_NUMBER_LINES_BELOW_MASTHEAD) * PITCH + RULE_SPACE
            + style.RED_RULE_PT)
    return twips((style.TITLE_LINES_BELOW_HEAD + layout.head.lines) * PITCH - used)


class _Writer:
    """Appends Word blocks to the body, section by section of the HTML."""

    def __init__(self, document, layout, columns: dict):
        self.body = document.element.body
        for child in list(self.body):
            self.body.remove(child)
        self.layout = layout
        self.columns = columns  # the checklist's columns by key, for cell alignment
        self.document = document
        # footers: page numbers, odd pages right and even pages left
        self.numbered = _footer_pair(document, lambda side: [_page_number(side)])
        self.end_matter: list = []  # the 版记's paragraphs, for the last page's footer
        self.kind: Page | None = None  # the kind of page of the Word section being written
        self.start: str | None = None  # how that section starts (None: the first)
        self.last = None  # the last block written
        self.pending: dict = {}  # paragraph properties for the next paragraph
        self.bookmark: str | None = None
        self.bookmarks = 0
        self.in_section = 0  # blocks written in the Word section being written

    def section(self, node) -> None:
        kind = page_of(classes(node))
        if self.kind is None:
            self.kind = kind
        elif kind != self.kind:
            self._end_section()
            self.kind, self.start = kind, STARTS[kind]
        else:  # section + section { break-before: page }
            self.pending["pageBreakBefore"] = {}
        self.bookmark = node.get("data-bookmark")
        self._blocks(node)

    def close(self) -> None:
        if not self.in_section or self.last.tag == qn("w:tbl"):
            self._add(paragraph([], "正文"))  # a section, and the document, end in a paragraph
        self.body.append(self._section_properties())

    def _blocks(self, node) -> None:
        """Each child block by the kind the vocabulary declares for its class."""
        for child in node:
            if not isinstance(child.tag, str):
                continue
            element = element_of(classes(child), tag=child.tag, text=child.text_content())
            kind = element.kind if element else None
            if kind is Kind.TABLE:
                page = LANDSCAPE if self.kind is Page.LANDSCAPE else PORTRAIT
                self._add(checklist(child, self.columns, page.text_width))
            elif kind is Kind.FOOTER:
                self.end_matter = end_matter(child)
            elif kind is Kind.RULE:
                self._red_rule()
            elif kind is Kind.PARAGRAPH:
                ppr, self.pending = self.pending, {}
                if keeps_with_next(classes(child)):
                    ppr["keepNext"] = {}
                before = child.getprevious()
                if before is not None and "head" in classes(before):
                    ppr["spacing"] = dict(before=head_gap(self.layout))
                self._add(self._bookmarked(paragraph(tokens(child), element.word_style,
                                                     **ppr)))
            elif kind is Kind.CONTAINER or not child.text_content().strip():
                self._blocks(child)
            else:  # text outside any declared block would be lost
                raise UnknownElement(f"<{child.tag} class=\"{child.get('class') or ''}\"> "
                                     "holds text but is not a block the vocabulary declares")

    def _add(self, block) -> None:
        self.body.append(block)
        self.last = block
        self.in_section += 1

    def _bookmarked(self, p):
        """The first paragraph of an HTML section carries its data-bookmark (通知, 附件…)."""
        if self.bookmark:
            self.bookmarks += 1
            # Word takes a bookmark name of at most 40 letters, digits and _
            name = re.sub(r"\W", "_", self.bookmark)[:40]
            p.insert(1, el("w:bookmarkStart", dict(id=self.bookmarks, name=name)))
            p.append(el("w:bookmarkEnd", dict(id=self.bookmarks)))
            self.bookmark = None
        return p

    def _red_rule(self) -> None:
        """hr.red-rule: the 发文字号 paragraph's bottom border, red, the 版心 wide."""
        rule = el("w:bottom", dict(val="single", sz=eighths(style.RED_RULE_PT / style.PT_PER_MM),
                                   space=RULE_SPACE, color=style.RED.lstrip("#")))
        put(self.last.find(qn("w:pPr")), el("w:pBdr", None, rule))

    def _end_section(self) -> None:
        """Close the Word section being written in its last paragraph (7.3.6, 7.4)."""
        if not self.in_section or self.last.tag == qn("w:tbl"):
            self._add(_hairline())  # a section ending in a table needs a paragraph to end it
        put(self.last.find(qn("w:pPr")), self._section_properties())
        self.in_section = 0

    def _section_properties(self):
        page = LANDSCAPE if self.kind is Page.LANDSCAPE else PORTRAIT
        if self.start is None:
            footers = self.numbered
        elif self.kind is Page.LAST:  # 7.5: no page number on the 版记 page; the 版记 instead
            footers = _footer_pair(self.document, lambda side: self.end_matter or [_hairline()])
        else:  # linked to the previous section: the numbers run on
            footers = {}
        return section_properties(page, footers, self.start, first=self.start is None,
                                  numbered=self.kind is not Page.LAST)


def _footer_pair(document, content) -> dict[str, str]:
    """Footer parts for odd (default) and even pages, filled with the blocks content(side)."""
    made = {}
    for kind, side in (("default", "right"), ("even", "left")):
        part, rid = document.part.add_footer_part()
        footer = part.element
        for child in list(footer):
            footer.remove(child)
        footer.extend(deepcopy(block) for block in content(side))
        made[kind] = rid
    return made


def _hairline():
    """An empty paragraph 1 pt high."""
    return paragraph([], "表格文字", spacing=dict(line=20, lineRule="exact"),
                     rPr=el("w:rPr", None, el("w:sz", dict(val=2)), el("w:szCs", dict(val=2))))


def _page_number(side: str):
    """「— N —」 with a PAGE field, one 4号 character in from the outer edge (7.5)."""
    one = twips(style.PAGE_NUMBER_PT)
    before, after = style.PAGE_NUMBER_DASHES
    p = paragraph([("text", before, {})], "页码", jc=dict(val=side),
                  ind=dict(right=one) if side == "right" else dict(left=one))
    instruction = el("w:instrText")
    instruction.text = " PAGE "
    instruction.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    p.extend([el("w:r", None, el("w:fldChar", dict(fldCharType="begin"))),
              el("w:r", None, instruction),
              el("w:r", None, el("w:fldChar", dict(fldCharType="separate"))),
              run("text", "1", {}),
              el("w:r", None, el("w:fldChar", dict(fldCharType="end"))),
              run("text", after, {})])
    return p
