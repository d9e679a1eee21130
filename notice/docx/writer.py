"""Writes the notice as DOCX: walks the semantic HTML and gives each class its named Word style."""

from __future__ import annotations

import math
from copy import deepcopy

import lxml.html
from docx import Document
from docx.oxml.ns import qn

from .. import style
from .blocks import (
    PARAGRAPH_STYLES,
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

# a section's class → its kind of page; where the kind changes, a Word section starts
PAGE_KINDS = {"attachment": "landscape", "last-page": "last"}
STARTS = {"portrait": "nextPage", "landscape": "nextPage", "last": "evenPage"}  # 版记 page even
PITCH = style.LINE_PITCH_PT
# 7.2.5: the red line 4 mm under the 发文字号's characters, as w:space under its exact line
RULE_SPACE = round(style.RULE_GAP_MM * style.PT_PER_MM
                   - (1 - style.EXACT_LINE_BASELINE) * PITCH
                   + (1 - style.CJK_EM_ASCENT) * style.BODY_PT)


def render_docx(html: str, context: dict) -> bytes:
    """The notice as DOCX bytes, from the semantic HTML the PDF is laid out from."""
    tree = lxml.html.document_fromstring(html)
    document = Document()
    install_styles(document, context)
    configure_settings(document)
    writer = _Writer(document, context)
    for node in tree.body.iter("section"):
        writer.section(node)
    writer.close()
    return pack(document, html_metadata(tree), {"word/fontTable.xml": font_table_xml()})


def head_gap(context: dict) -> int:
    """Space above the title that follows the 版头, in twips (7.3.1).

    The 版头 (标志 35 mm down, 字号 two lines under it, the red line) is rounded up to whole
    lines, so that the title and the body sit on the 22-line grid; two blank lines follow.
    """
    mast = half_points(context["mast"].size) / 2
    used = (style.MASTHEAD_OFFSET_MM * style.PT_PER_MM + mast + 3 * PITCH + RULE_SPACE
            + style.RED_RULE_PT)
    lines = math.ceil(used / PITCH - 1e-6)
    return twips((2 + lines) * PITCH - used)


class _Writer:
    """Appends Word blocks to the body, section by section of the HTML."""

    def __init__(self, document, context: dict):
        self.body = document.element.body
        for child in list(self.body):
            self.body.remove(child)
        self.context = context
        self.document = document
        # footers: page numbers, odd pages right and even pages left
        self.numbered = _footer_pair(document, lambda side: [_page_number(side)])
        self.end_matter: list = []  # the 版记's paragraphs, for the last page's footer
        self.kind: str | None = None  # the kind of page of the Word section being written
        self.start: str | None = None  # how that section starts (None: the first)
        self.last = None  # the last block written
        self.pending: dict = {}  # paragraph properties for the next paragraph
        self.bookmark: str | None = None
        self.bookmarks = 0
        self.in_section = 0  # blocks written in the Word section being written

    def section(self, node) -> None:
        kind = next((PAGE_KINDS[c] for c in sorted(classes(node)) if c in PAGE_KINDS),
                    "portrait")
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
        for child in node:
            if not isinstance(child.tag, str):
                continue
            marks = classes(child)
            if "checklist" in marks:
                self._add(checklist(child))
            elif "end-matter" in marks:
                self.end_matter = end_matter(child)
            elif "red-rule" in marks:
                self._red_rule()
            elif marks & PARAGRAPH_STYLES.keys():
                name = PARAGRAPH_STYLES[min(marks & PARAGRAPH_STYLES.keys())]
                ppr, self.pending = self.pending, {}
                before = child.getprevious()
                if before is not None and "head" in classes(before):
                    ppr["spacing"] = dict(before=head_gap(self.context))
                self._add(self._bookmarked(paragraph(tokens(child), name, **ppr)))
            else:  # header.head, div.signature-block and other containers
                self._blocks(child)

    def _add(self, block) -> None:
        self.body.append(block)
        self.last = block
        self.in_section += 1

    def _bookmarked(self, p):
        """The first paragraph of an HTML section carries its data-bookmark (通知, 附件…)."""
        if self.bookmark:
            self.bookmarks += 1
            p.insert(1, el("w:bookmarkStart", dict(id=self.bookmarks, name=self.bookmark)))
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
        page = LANDSCAPE if self.kind == "landscape" else PORTRAIT
        if self.start is None:
            footers = self.numbered
        elif self.kind == "last":  # 7.5: no page number on the 版记 page; the 版记 instead
            footers = _footer_pair(self.document, lambda side: self.end_matter or [_hairline()])
        else:  # linked to the previous section: the numbers run on
            footers = {}
        return section_properties(page, footers, self.start, first=self.start is None,
                                  numbered=self.kind != "last")


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
