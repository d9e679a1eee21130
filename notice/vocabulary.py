"""The semantic HTML's vocabulary: every class a template may emit, and what each is for.

The templates write these classes, the stylesheet styles them, and the DOCX writer maps each to
a named Word style; none of them keeps a list of its own. An element of a kind the writer does
not know is an error there (as docutils' unknown_visit), never text silently lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    SECTION = "section"  # a part of the document (通知, 工作要点, 附件 …): its kind of page
    CONTAINER = "container"  # groups blocks; no text of its own
    PARAGRAPH = "paragraph"  # a block of text: one Word paragraph of its named style
    RUN = "run"  # text inside a paragraph, perhaps in a character style of its own
    RULE = "rule"  # a drawn line (the red line under the 版头)
    TABLE = "table"  # a table: its cells are the columns of notice/columns.py
    FOOTER = "footer"  # the 版记: on the bottom of the last page's 版心
    MODIFIER = "modifier"  # qualifies another class of the same element
    IMAGE = "image"  # a picture of the content (a seal, a 签名章) placed by the shared layout
    FRAME = "frame"  # a block both writers place from the shared layout (联合行文's 标志)


class Page(Enum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"  # the portrait sheet turned a quarter (tables)
    LAST = "last"  # the 版记 page: an even page, unnumbered after a blank page


@dataclass(frozen=True)
class Element:
    """One class of the semantic HTML."""

    name: str
    kind: Kind
    meaning: str
    word_style: str | None = None  # the named Word style (paragraph or character style)
    page: Page | None = None  # sections: the kind of page they are laid on
    align: str | None = None  # left, center, right, justify: in both formats
    tab_before: bool = False  # runs: placed by a tab stop of their paragraph's style
    keep_with_next: bool = False  # kept on the page of the block that follows it

    @property
    def text(self) -> bool:
        """Whether the element's own text is printed (and must reach every format)."""
        return self.kind in (Kind.PARAGRAPH, Kind.RUN)


_S, _C, _P, _R = Kind.SECTION, Kind.CONTAINER, Kind.PARAGRAPH, Kind.RUN
ELEMENTS: tuple[Element, ...] = (
    # parts of a document, each on its own kind of page
    Element("notice", _S, "the covering document: 版头, title, body, signature",
            page=Page.PORTRAIT),
    Element("workpoints", _S, "a document the notice issues, printed after it",
            page=Page.PORTRAIT),
    Element("attachment", _S, "an attachment (7.3.7): its label, title and content, from a "
            "new page"),
    Element("landscape", Kind.MODIFIER, "the section is laid on landscape pages (tables)",
            page=Page.LANDSCAPE),
    Element("recipients", _S, "the list of recipients (名单) before the 版记",
            page=Page.PORTRAIT),
    Element("letter", _S, "a letter (函) in the 信函格式: head, title, body, signature",
            page=Page.PORTRAIT),
    Element("end-page", _S, "a page holding only the 版记", page=Page.PORTRAIT),
    Element("last-page", Kind.MODIFIER, "the section is the last page, which carries the 版记",
            page=Page.LAST),
    # 7.2 版头
    Element("head", _C, "the 版头: 标志, 发文字号 and the red line"),
    Element("marks", _C, "份号, 密级和保密期限, 紧急程度 at the top left (7.2.1-7.2.3)"),
    Element("copy-number", _P, "份号 (7.2.1)", "份号", align="left"),
    Element("secrecy", _P, "密级和保密期限 (7.2.2)", "密级", align="left"),
    Element("urgency", _P, "紧急程度 (7.2.3)", "紧急程度", align="left"),
    Element("masthead", _P, "发文机关标志 (7.2.4)", "发文机关标志", align="center"),
    Element("masthead-text", _R, "the 标志's characters, narrowed to fit one line"),
    Element("masthead-joint", Kind.FRAME, "联合行文's 标志: the organs one above the other, "
            "the word (文件) to their right (7.2.4)"),
    Element("masthead-organs", _C, "the organs of a 联合行文's 标志"),
    Element("masthead-organ", _P, "one organ of a 联合行文's 标志", "发文机关标志"),
    Element("masthead-word", _P, "「文件」 right of a 联合行文's organs", "发文机关标志"),
    Element("doc-number", _P, "发文字号 (7.2.5)", "发文字号", align="center"),
    Element("signed-line", Kind.MODIFIER, "a 上行文's line of 签发人 (and 发文字号 on the last)"),
    Element("doc-number-text", _R, "发文字号 one character in from the left (7.2.6)",
            tab_before=True),
    Element("signer-label", _R, "「签发人：」 (7.2.6)", tab_before=True),
    Element("signer-names", _R, "签发人's names in 楷体 (7.2.6)", "签发人姓名", tab_before=True),
    Element("red-rule", Kind.RULE, "the red line under the 发文字号 (7.2.7)"),
    # 10.1 信函格式
    Element("letter-head", _C, "the 信函格式's head: 标志, double rule and 发文字号"),
    Element("letter-masthead", _P, "the organ's name, red, 30 mm from the paper's top",
            "函标志", align="center"),
    Element("letter-rule", Kind.RULE, "the red double rule under the letter's 标志"),
    Element("letter-marks", _C, "份号, 密级和保密期限, 紧急程度 flush left under the letter's "
            "rule, one a line, the 函's number beside the first"),
    Element("letter-number", _P, "the 函's 发文字号, flush right under the rule", "函字号",
            align="right"),
    # 7.3 主体
    Element("title", _P, "标题 (7.3.1)", "标题", align="center"),
    Element("addressee", _P, "主送机关 (7.3.2)", "主送机关", align="justify"),
    Element("paragraph", _P, "a paragraph of the body (7.3.3)", "正文", align="justify"),
    Element("heading-1", _R, "a first-level heading (一、, 黑体)", "一级标题"),
    Element("heading-2", _R, "a second-level heading (（一）, 楷体)", "二级标题"),
    Element("heading-3", _R, "a third-level heading (1., 仿宋)", "三级标题"),
    Element("heading-3-bold", _R, "a third-level heading set bold (an office's practice)",
            "三级标题加粗"),
    Element("heading-4", _R, "a fourth-level heading (（1）, 仿宋)", "四级标题"),
    Element("heading-line", Kind.MODIFIER, "the paragraph is a heading on a line of its own",
            keep_with_next=True),
    Element("attachment-notes", _C, "the 附件说明, kept whole and with the body's last lines"),
    Element("attachment-note", _P, "附件说明 (7.3.4) of one attachment", "附件说明",
            align="justify"),
    Element("attachment-note-first", _P, "附件说明 of several: 「附件：1. 名称」", "附件说明首项",
            align="justify"),
    Element("attachment-note-more", _P, "附件说明 of several: the second name and later",
            "附件说明续项", align="justify"),
    Element("attachment-number", _R, "an attachment's number in a 附件说明 of several"),
    Element("attachment-name", _R, "an attachment's name after its number", tab_before=True),
    Element("signature-block", _C, "署名 and 成文日期 (7.3.5)"),
    Element("signature", _P, "发文机关署名", "署名", align="left"),
    Element("signature-name", _R, "one organ's 署名 under its seal (联合行文)", tab_before=True),
    Element("date", _P, "成文日期", "成文日期", align="left"),
    Element("plain", Kind.MODIFIER, "署名 without seal (7.3.5.2)"),
    Element("sealed", Kind.MODIFIER, "署名 and date under the seal (7.3.5.1)"),
    Element("signed", Kind.MODIFIER, "职务 and 签名章 (7.3.5.3)"),
    Element("seal", Kind.IMAGE, "印章 drawn over 署名 and 成文日期 (7.3.5.1)"),
    Element("signature-stamp", Kind.IMAGE, "签名章 after the signer's 职务 (7.3.5.3)"),
    Element("notes", _P, "附注, in （）, under the date (7.3.6)", "附注", align="left"),
    Element("attachment-label", _P, "「附件」 at the top left of an attachment (7.3.7)",
            "附件标签", align="left"),
    Element("attachment-title", _P, "an attachment's title", "附件标题", align="center"),
    Element("list-title", _P, "the title of the list of recipients", "名单标题",
            align="center"),
    # tables
    Element("checklist", Kind.TABLE, "a table of indicators, one row each"),
    Element("data-table", Kind.TABLE, "a table the content declares (columns and rows)"),
    Element("split-rows", Kind.MODIFIER, "a table whose rows break across pages, the "
            "indicator's 序号 and 指标名称 shown again after the break"),
    Element("measure-cell", _C, "an indicator's name and target, side by side"),
    Element("measure", _C, "the name/target pairs of an indicator and its sub-indicators"),
    Element("measure-name", _R, "an indicator's or sub-indicator's name", align="left"),
    Element("measure-value", _R, "an indicator's or sub-indicator's target", align="center"),
    Element("sub", Kind.MODIFIER, "a sub-indicator, indented under its indicator"),
    Element("nobreak", _R, "a date, a number with its unit or a standard's code, which a "
            "line may not break inside"),
    Element("group", _C, "a domain or task cell, merged over its indicators"),
    Element("group-label", _R, "the label of a merged group"),
    Element("open", Kind.MODIFIER, "the group goes on in the next row (no rule under it)"),
    Element("cont", Kind.MODIFIER, "the group began in an earlier row (its label hidden)"),
    Element("may-break", Kind.MODIFIER, "a row that may be too tall for a page, let break"),
    # 7.4 版记
    Element("end-matter", Kind.FOOTER, "the 版记 (7.4)"),
    Element("letter-end", Kind.FOOTER, "a letter's 版记 (10.1): 抄送 alone, no rules, on the "
            "bottom of the last page's 版心"),
    Element("disclosure", _P, "信息公开选项 above the 版记's rules", "正文", align="justify"),
    Element("end-rules", _C, "the ruled lines of the 版记 (7.4.1)"),
    Element("copy-to", _P, "抄送机关 (7.4.2)", "抄送", align="left"),
    Element("copy-to-label", _R, "「抄送：」 one character in"),
    Element("copy-to-names", _R, "the 抄送机关, wrapped under the first"),
    Element("issued", _P, "印发机关 and 印发日期 (7.4.3)", "版记", align="left"),
    Element("issued-by", _R, "印发机关, one character in from the left", tab_before=True),
    Element("issued-on", _R, "印发日期, one character in from the right", tab_before=True),
)
VOCABULARY: dict[str, Element] = {e.name: e for e in ELEMENTS}
# classes a table's cells carry come from the columns table (notice/columns.py), prefixed
CELL_PREFIX = "col-"


class UnknownElement(Exception):
    """The HTML holds an element the vocabulary does not declare: a template fault."""


def element_of(classes: set[str], *, tag: str = "", text: str = "") -> Element | None:
    """The element a set of classes declares (modifiers aside), or None for none.

    A class that is neither declared nor a table cell's column is an error when the element
    prints text of its own, since a writer would otherwise drop it unseen.
    """
    unknown = sorted(c for c in classes
                     if c not in VOCABULARY and not c.startswith(CELL_PREFIX))
    if unknown and text.strip():
        raise UnknownElement(
            f'<{tag or "?"} class="{" ".join(sorted(classes))}"> holding 「{text.strip()[:20]}」: '
            f"the class {', '.join(unknown)} is not declared in notice/vocabulary.py")
    found = [VOCABULARY[c] for c in sorted(classes)
             if c in VOCABULARY and VOCABULARY[c].kind is not Kind.MODIFIER]
    return found[0] if found else None


def page_of(classes: set[str]) -> Page:
    """The kind of page a section with these classes is laid on."""
    pages = [VOCABULARY[c].page for c in classes if c in VOCABULARY and VOCABULARY[c].page]
    return Page.LAST if Page.LAST in pages else (pages[0] if pages else Page.PORTRAIT)


def keeps_with_next(classes: set[str]) -> bool:
    """Whether an element of these classes stays on the page of the block after it."""
    return any(VOCABULARY[c].keep_with_next for c in classes if c in VOCABULARY)


def word_styles(kind: Kind) -> dict[str, str]:
    """class → named Word style, for the elements of one kind that have one."""
    return {e.name: e.word_style for e in ELEMENTS if e.kind is kind and e.word_style}
