"""Writes the notice as DOCX: walks the semantic HTML and gives each class its named Word style."""

from __future__ import annotations

import math
import re
from copy import deepcopy
from dataclasses import replace

import lxml.html
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from .. import style
from ..markup import text_width
from ..vocabulary import (
    BLANK_BEFORE,
    SECTION_PAGES,
    Kind,
    Page,
    UnknownElement,
    element_of,
    keeps_with_next,
    page_of,
)
from .blocks import (
    checklist,
    classes,
    end_matter,
    paragraph,
    put,
    run,
    tokens,
)
from .frame import (
    anchored_image,
    joint_masthead,
    letter_end_note,
    sign_off_ppr,
    signed_line_ppr,
    turned_page_number,
)
from .oxml import (
    LANDSCAPE,
    PORTRAIT,
    TABLE_PAGE,
    eighths,
    el,
    half_points,
    mm_twips,
    section_properties,
    snug_line,
    twips,
)
from .package import html_metadata, pack
from .styles import (
    configure_settings,
    font_table_xml,
    fonts,
    install_styles,
    theme_xml,
    word_only,
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
    install_styles(document, layout, context.get("letter"))
    configure_settings(document)
    writer = _Writer(document, layout, {s.column.key: s.column for s in context["columns"]},
                     context.get("letter"))
    for node in tree.body.iter("section"):
        writer.section(node)
    writer.close()
    theme = document.part.part_related_by(RT.THEME)
    return pack(document, html_metadata(tree), {"word/fontTable.xml": font_table_xml(),
                                                theme.partname.lstrip("/"): theme_xml(theme.blob)})


def head_used(layout) -> float:
    """pt from the 版心's top to the red line's bottom in the DOCX."""
    mast = half_points(layout.masthead.size) / 2
    organ_lines = max(1, layout.masthead.lines)
    number_lines = layout.marks.number_lines if layout.marks else 1
    return (style.MASTHEAD_OFFSET_MM * style.PT_PER_MM + mast
            + (organ_lines - 1) * snug_line(mast)
            + (number_lines + style.DOC_NUMBER_LINES_BELOW_MASTHEAD) * PITCH + RULE_SPACE
            + style.RED_RULE_PT)


def head_gap(layout) -> int:
    """Space above the title that follows the 版头, in twips (7.3.1).

    The 版头 (标志 35 mm down, 字号 two lines under it, the red line) takes the whole grid
    lines the shared layout gives it, so that the title and the body sit on the 22-line grid;
    two blank lines follow.
    """
    return twips((style.TITLE_LINES_BELOW_HEAD + layout.head.lines) * PITCH - head_used(layout))


class _Writer:
    """Appends Word blocks to the body, section by section of the HTML."""

    def __init__(self, document, layout, columns: dict, letter=None):
        self.body = document.element.body
        self.letter = letter  # the 信函格式's head (notice.layout.LetterLayout), in letters
        self.letter_parts: dict = {}  # its first-page header and footer
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
        self.images: list = []  # seal or 签名章 images waiting for their paragraph
        self.anchors: list = []  # images drawn so far (their drawing ids)
        self.sign_off = None  # the shared layout's 署名 block, while writing it
        self.signature_lines = 0
        self.shared: dict[str, dict[str, str]] = {}  # header and footer parts sections share
        self.pages = 0  # pages the PDF's layout gave the Word section being written
        self.noted = False  # that section holds a letter's 版记 (a footnote)

    def section(self, node) -> None:
        kind = page_of(classes(node))
        pages = int(node.get(SECTION_PAGES) or 0)  # 0: not laid out (a DOCX of the bare HTML)
        if self.kind is None:
            self.kind = kind
        elif node.get(BLANK_BEFORE) is not None:  # the PDF's layout left a blank page before it
            self._end_section()
            self._blank_page()
            self.kind, self.start, self.pages = kind, STARTS[kind], 0
        elif kind != self.kind:
            self._end_section()
            self.kind, self.start, self.pages = kind, STARTS[kind], 0
        else:  # section + section { break-before: page }
            self.pending["pageBreakBefore"] = {}
        self.pages += pages
        self.bookmark = node.get("data-bookmark")
        self._blocks(node)

    def close(self) -> None:
        if not self.in_section or self.last.tag == qn("w:tbl"):
            self._add(_hairline())  # a section, and the document, end in a paragraph
        self.body.append(self._section_properties())

    def _blocks(self, node) -> None:
        """Each child block by the kind the vocabulary declares for its class."""
        for child in node:
            if not isinstance(child.tag, str):
                continue
            element = element_of(classes(child), tag=child.tag, text=child.text_content())
            kind = element.kind if element else None
            if element is not None and element.name == "letter-head":
                self._letter_head(child)
            elif kind is Kind.TABLE:
                page = LANDSCAPE if self.kind is Page.LANDSCAPE else PORTRAIT
                for block in checklist(child, self.columns, page.text_width):
                    self._add(block)
            elif kind is Kind.FRAME:  # 联合行文's 标志
                marks = child.getprevious()
                lines = (len(self.layout.marks.lines)
                         if marks is not None and "marks" in classes(marks) else 0)
                for block in joint_masthead(child, self.layout, lines):
                    self._add(block)
            elif kind is Kind.IMAGE:  # drawn from the next 署名 or 职务 paragraph
                self.images.append(child)
            elif element and element.name == "signature-block" and (
                    classes(child) & {"plain", "sealed", "signed"}):
                self.sign_off, self.signature_lines = self.layout.sign_off, 0
                self._blocks(child)
                self.sign_off = None
            elif element is not None and element.name == "letter-end":
                self._add(letter_end_note(self.document, child))
                # not the section's last paragraph: LibreOffice 7.4 would read the note's
                # custom mark from the turned page number of the header parsed after it
                self._add(_hairline())
                self.noted = True
            elif kind is Kind.FOOTER:
                self.end_matter = end_matter(child)
            elif kind is Kind.RULE:
                self._red_rule()
            elif kind is Kind.PARAGRAPH:
                ppr, self.pending = self.pending, {}
                if keeps_with_next(classes(child)):
                    ppr["keepNext"] = {}
                before, after = child.getprevious(), child.getnext()
                if after is None:  # the last of a container (附件说明): what follows it
                    after = node.getnext()
                marks = classes(child)
                if before is not None and "head" in classes(before):
                    ppr["spacing"] = dict(before=head_gap(self.layout))
                if before is not None and "marks" in classes(before):  # 标志 still 35 mm down
                    ppr["spacing"] = dict(before=twips(
                        style.MASTHEAD_OFFSET_MM * style.PT_PER_MM
                        - len(self.layout.marks.lines) * PITCH))
                if "signed-line" in marks:
                    ppr.update(signed_line_ppr(self.layout,
                                               "doc-number" in classes(before)
                                               if before is not None else False))
                if self.sign_off is not None:
                    ppr.update(sign_off_ppr(self.sign_off, element.name, self.signature_lines))
                    self.signature_lines += element.name == "signature"
                # 7.3.5.4: the 署名 and date, or the 附件说明, keep the body's last two lines
                # (the 附件说明 does so wherever it stands, as in the PDF)
                follows = classes(after) if after is not None else set()
                signed = "signature-block" in follows or (
                    "attachment-notes" in follows and after.getnext() is not None
                    and "signature-block" in classes(after.getnext()))
                if "attachment-notes" in follows and not signed:
                    ppr.update(keepNext={}, widowControl={})
                if (signed and element.name == "paragraph" and self.last is not None
                        and self.last.tag == qn("w:p") and before is not None
                        and "paragraph" in classes(before)
                        and (one_line(child) or body_lines(before) < 4)):
                    # the last paragraph keeps the one before it too, as in the PDF (the
                    # notice's), where it is one line or the one before cannot split
                    _keep_with_next(self.last, body_lines(before))
                p = self._bookmarked(paragraph(tokens(child), element.word_style, **ppr))
                if signed:
                    _keep_with_next(p, body_lines(child) if element.name == "paragraph" else 1)
                if element.name == "signature" and self.images:
                    run = el("w:r")
                    for n, image in enumerate(self.images):
                        run.append(anchored_image(self.document, image, self.sign_off,
                                                  len(self.anchors) + n + 1))
                    self.anchors += self.images
                    self.images = []
                    p.append(run)
                self._add(p)
                if self.sign_off is not None and element.name == "date" and (
                        self.sign_off.lines_after):  # the seal's reach under the date, kept
                    self._add(paragraph([], "正文", keepNext={}, spacing=dict(
                        line=twips(self.sign_off.lines_after * PITCH), lineRule="exact")))
            elif kind is Kind.CONTAINER or not child.text_content().strip():
                self._blocks(child)
            else:  # text outside any declared block would be lost
                raise UnknownElement(f"<{child.tag} class=\"{child.get('class') or ''}\"> "
                                     "holds text but is not a block the vocabulary declares")

    def _letter_head(self, node) -> None:
        """10.1 信函格式: the 标志 and the upper double rule in the first page's header (30 mm
        from the paper's top), the lower double rule in its footer, the 发文字号 in the body
        7/8 of a 3号 character under the rule (research/docx/FINDINGS.md, Q6)."""
        masthead, number = (paragraph(tokens(child), style_name) for child, style_name in (
            (node.find(".//p[@class='letter-masthead']"), "函标志"),
            (node.find(".//p[@class='letter-number']"), "函字号")))
        lines = self._letter_marks(node) or [number]
        # the 标志 in a snug exact line: its em box starts at the line's top, 30 mm down
        mast = half_points(self.letter.masthead.size) / 2
        gap = style.LETTER_RULE_GAP_MM * style.PT_PER_MM - (snug_line(mast) - mast)
        upper = _double_rule(style.LETTER_RULE_THICK_PT, style.LETTER_RULE_THIN_PT,
                             before=twips(gap))
        lower = _double_rule(style.LETTER_RULE_THIN_PT, style.LETTER_RULE_THICK_PT)
        tiny = _hairline()
        self.letter_parts = dict(
            headers={"first": _part(self.document, "header", [masthead, upper]),
                     "default": _part(self.document, "header", [tiny]),
                     "even": _part(self.document, "header", [tiny])},
            first_footer=_part(self.document, "footer", [lower]))
        # the 发文字号: its characters' top 7/8 of a 3号 character under the rule, which ends
        # the header; the line is an exact grid line, its em box 0.8 − 0.88 × 16 pt down
        em_top = style.EXACT_LINE_BASELINE * PITCH - style.CJK_EM_ASCENT * style.BODY_PT
        # LibreOffice 7.4 starts the body right under the header in a document with a
        # footnote (a letter's 抄送, letter_end_note), a little lower otherwise (measured)
        noted = any("letter-end" in classes(f) for f in node.getroottree().iter("footer"))
        before = (style.LETTER_NUMBER_DROP * style.BODY_PT - em_top
                  - (0 if noted else style.DOCX_BODY_UNDER_HEADER_PT))
        put(lines[0].find(qn("w:pPr")), el("w:spacing", dict(before=max(twips(before), 0))))
        for line in lines:
            self._add(line)
        # the title two line pitches under the 发文字号's line
        self.pending["spacing"] = dict(before=twips((style.LETTER_TITLE_LINES_BELOW - 1)
                                                    * PITCH + style.DOCX_BODY_UNDER_HEADER_PT))
        # LibreOffice sets digits beside Chinese a little apart, and would wrap a title line
        # of 20 characters with digits: the centred title may reach a quarter of a character
        # into each margin
        reach = twips(style.TITLE_PT / 4)
        self.pending.update(ind=dict(left=-reach, right=-reach, firstLine=0))

    def _letter_marks(self, node) -> list:
        """份号, 密级 and 紧急程度 one a line, flush left in their own styles, the 函's number
        on the first line at a right tab stop on the 版心's right edge (10.1); [] without."""
        marks = [p for p in node.iter("p") if classes(p) & {"copy-number", "secrecy", "urgency"}]
        if not marks:
            return []
        lines = [paragraph(tokens(p), element_of(classes(p)).word_style) for p in marks]
        number = node.find(".//p[@class='letter-number']")
        if number.text_content().strip():
            put(lines[0].find(qn("w:pPr")), el("w:tabs", None, el(
                "w:tab", dict(val="right", pos=PORTRAIT.text_width))))
            lines[0].append(run("tab", "", {}))
            lines[0].extend(run(kind, text, dict(rpr, rFonts=fonts("body")))
                            for kind, text, rpr in tokens(number))
        return lines

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
        self.in_section, self.noted = 0, False

    def _blank_page(self) -> None:
        """A blank page of its own: one empty paragraph closing a section without header or
        footer, before a section that starts on an even page. LibreOffice's PDF export drops
        the blank page an evenPage break implies; this one it keeps, and Word and WPS add no
        other (the next page is even already). research/docx/FINDINGS.md, Q1."""
        self._add(_hairline())
        empty = self._empty_pair("header")
        put(self.last.find(qn("w:pPr")), section_properties(
            PORTRAIT, self._empty_pair("footer"), "nextPage", headers=empty))
        self.in_section = 0

    def _empty_pair(self, kind: str) -> dict[str, str]:
        """Empty header or footer parts for odd and even pages (made once)."""
        if kind not in self.shared:
            rid = _part(self.document, kind, [_hairline()])
            self.shared[kind] = {"default": rid, "even": rid}
        return self.shared[kind]

    def _turned_numbers(self) -> dict[str, str]:
        """Headers of landscape pages holding their numbers turned a quarter, where the
        portrait sheet carries them on paper (made once)."""
        if "turned" not in self.shared:
            self.shared["turned"] = {
                kind: _part(self.document, "header", [turned_page_number(
                    _page_number(side), side, 1000 + n)])
                for n, (kind, side) in enumerate((("default", "right"), ("even", "left")))}
        return self.shared["turned"]

    def _section_properties(self):
        page = PORTRAIT
        if self.kind is Page.LANDSCAPE:  # the slack, unless a letter's 版记 must end the 版心
            page = LANDSCAPE if self.noted else TABLE_PAGE
        header_mm, footer = 15, page.footer  # the page number 7 mm under the 版心
        if self.kind is Page.PORTRAIT and self.pages == 1:  # its only break is its end
            page = replace(page, bottom=page.bottom - twips(
                style.DOCX_ONE_PAGE_SLACK_LINES * PITCH))
        # every section after the first names its own headers and footers: a Word section
        # inherits those it does not name from the one before (ECMA-376 17.10.5)
        headers = None if self.start is None else self._empty_pair("header")
        if headers is not None and self.kind is not Page.LANDSCAPE:  # just above the 版心
            header_mm = page.top * 25.4 / 1440 - style.DOCX_EMPTY_HEADER_ABOVE_TEXT_MM
        if self.kind is Page.LANDSCAPE:  # the number in the header, turned; no footer
            headers, footers = self._turned_numbers(), self._empty_pair("footer")
        elif self.kind is Page.LAST:  # the 版记 on the 版心's bottom, the number 7 mm under it
            footers = _footer_pair(self.document, lambda side: (
                self.end_matter or [_hairline()]) + [_page_number(side, after_end_matter=True)])
        else:
            footers = self.numbered
        if self.start is None and self.letter_parts:  # the letter's first page
            headers = self.letter_parts["headers"]
            footers = dict(footers, first=self.letter_parts["first_footer"])
            header_mm = style.LETTER_MASTHEAD_TOP_MM
            # the lower double rule's bottom 20 mm above the paper's bottom (the page numbers
            # of a letter's later portrait pages, if any, sit 2 mm lower than 7 mm)
            footer = mm_twips(style.LETTER_RULE_BOTTOM_MM)
        return section_properties(page, footers, self.start, first=self.start is None,
                                  headers=headers, header_mm=header_mm, footer=footer)


def _keep_with_next(p, lines: int) -> None:
    """keepNext and widow control on a body paragraph of so many lines, toward the 署名.
    Word and WPS keep its last lines with the next paragraph; LibreOffice 7.4 moves a kept
    paragraph whole, and the chain before it (a letter's title and addressee went to page
    2, leaving page 1 its head alone): a paragraph that could split (4 lines or more) is kept
    in Word and WPS alone (styles.word_only)."""
    ppr = p.find(qn("w:pPr"))
    put(ppr, el("w:widowControl"))
    if lines < 4:
        put(ppr, el("w:keepNext"))
    else:
        ppr.insert(1 if ppr[0].tag == qn("w:pStyle") else 0, word_only(el("w:keepNext")))


def one_line(node) -> bool:
    """Whether a body paragraph holds one line: its text and 2-character indent fit 28."""
    return body_lines(node) == 1


def body_lines(node) -> int:
    """The lines a body paragraph takes, 28 characters a line after its 2-character indent."""
    width = text_width(node.text_content().strip()) + style.PARAGRAPH_INDENT_CHARS
    return max(1, math.ceil(width / style.CHARS_PER_LINE))


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


def _part(document, kind: str, blocks) -> str:
    """A header or footer part holding these blocks; its relationship id."""
    part, rid = (document.part.add_header_part() if kind == "header"
                 else document.part.add_footer_part())
    root = part.element
    for child in list(root):
        root.remove(child)
    root.extend(deepcopy(block) for block in blocks)
    return rid


def _double_rule(top_pt: float, bottom_pt: float, before: int = 0):
    """An empty paragraph whose top and bottom borders are a red double rule, 170 mm wide and
    centred on the paper (negative indents reach into the margins)."""
    red = style.RED.lstrip("#")
    borders = el("w:pBdr", None,
                 el("w:top", dict(val="single", sz=round(top_pt * 8), space=0, color=red)),
                 el("w:bottom", dict(val="single", sz=round(bottom_pt * 8), space=0,
                                     color=red)))
    return paragraph([], "表格文字", pBdr=borders,
                     spacing=dict(before=before, after=0,
                                  line=twips(style.LETTER_RULE_SPACE_PT), lineRule="exact"),
                     ind=dict(left=-mm_twips(style.LETTER_RULE_LEFT_MM),
                              right=-mm_twips(style.LETTER_RULE_RIGHT_MM), firstLine=0),
                     rPr=el("w:rPr", None, el("w:sz", dict(val=2)), el("w:szCs", dict(val=2))))


def _hairline():
    """An empty paragraph 1 pt high."""
    return paragraph([], "表格文字", spacing=dict(line=20, lineRule="exact"),
                     rPr=el("w:rPr", None, el("w:sz", dict(val=2)), el("w:szCs", dict(val=2))))


def _page_number(side: str, after_end_matter: bool = False):
    """「— N —」 with a PAGE field, one 4号 character in from the outer edge (7.5); under the
    版记, 7 mm below its last rule (the bottom of the 版心)."""
    one = twips(style.PAGE_NUMBER_PT)
    before, after = style.PAGE_NUMBER_DASHES
    extra = dict(spacing=dict(before=twips(style.PAGE_NUMBER_DROP_MM * style.PT_PER_MM))
                 ) if after_end_matter else {}
    p = paragraph([("text", before, {})], "页码", jc=dict(val=side),
                  ind=dict(right=one) if side == "right" else dict(left=one), **extra)
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
