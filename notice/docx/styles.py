"""The named Word styles of GB/T 9704, built from notice/style.py and the shared layout."""

from __future__ import annotations

import math

from docx.oxml.ns import qn
from lxml import etree

from .. import style
from ..layout import Layout
from ..vocabulary import ELEMENTS
from .oxml import (
    CHAR,
    LINE,
    PAGE_NUMBER_LINE_PT,
    PORTRAIT,
    border,
    el,
    half_points,
    props,
    snug_line,
    twips,
)

# ---------------------------------------------------------------------------- styles


def fonts(role: str) -> dict:
    """w:rFonts of a font role: its standard face for Chinese; digits and Latin letters in
    LATIN_FACE beside the body faces, in the role's own face in titles, 黑体 and page numbers."""
    face = style.STANDARD_FACE[role]
    latin = style.LATIN_FACE if role in ("body", "kai") else face
    return {"ascii": latin, "hAnsi": latin, "eastAsia": face, "cs": latin, "hint": "eastAsia"}


def spacing(before: float = 0, after: float = 0, line: int = LINE) -> dict:
    return dict(before=before, after=after, line=line, lineRule="exact")


def indent(left: float = 0, first: float = 0, hanging: float = 0, right: float = 0) -> dict:
    """w:ind in body characters: the *Chars form for Word and WPS, twips for LibreOffice."""
    ind = dict(leftChars=round(left * 100), left=round(left * CHAR),
               rightChars=round(right * 100), right=round(right * CHAR))
    if hanging:
        ind.update(hangingChars=round(hanging * 100), hanging=round(hanging * CHAR))
    else:
        ind.update(firstLineChars=round(first * 100), firstLine=round(first * CHAR))
    return ind


OFF = dict(val=0)
# paragraphs off the character grid, no indent: in twips alone, so that a paragraph's own
# indent in twips (a sub-indicator, a page number) is not overridden by the style's *Chars
FLAT = dict(snapToGrid=OFF, ind=dict(left=0, right=0, firstLine=0))


def _style(kind, style_id, name, ppr=None, rpr=None, based_on=None, follow=None,
           default=False, tblpr=None) -> etree._Element:
    attrs = {"type": kind, "styleId": style_id}
    if default:
        attrs["default"] = 1
    node = el("w:style", attrs, el("w:name", dict(val=name)))
    if based_on:
        node.append(el("w:basedOn", dict(val=based_on)))
    if follow:
        node.append(el("w:next", dict(val=follow)))
    node.append(el("w:uiPriority", dict(val=1 if default else 9)))
    node.append(el("w:qFormat"))
    if ppr:
        node.append(props("w:pPr", ppr))
    if rpr:
        node.append(props("w:rPr", rpr))
    if tblpr is not None:
        node.append(tblpr)
    return node


def _table_properties(borders: int | None, cell_margins: tuple[int, int, int, int]):
    tblpr = el("w:tblPr", None, el("w:tblInd", dict(w=0, type="dxa")))
    if borders:
        tblpr.append(el("w:tblBorders", None, *(border(side, borders) for side in
                                                ("top", "left", "bottom", "right",
                                                 "insideH", "insideV"))))
    top, left, bottom, right = cell_margins
    tblpr.append(el("w:tblCellMar", None, el("w:top", dict(w=top, type="dxa")),
                    el("w:left", dict(w=left, type="dxa")),
                    el("w:bottom", dict(w=bottom, type="dxa")),
                    el("w:right", dict(w=right, type="dxa"))))
    return tblpr


# style ids the writer uses, by the Word name a clerk sees
IDS = {
    "正文": "Body", "发文机关标志": "Masthead", "发文字号": "DocNumber", "标题": "DocTitle",
    "主送机关": "Addressee", "一级标题": "Heading1Hei", "二级标题": "Heading2Kai",
    "附件说明": "AttachmentNote", "署名": "Signer", "成文日期": "SignDate",
    "附件标签": "AttachmentLabel", "附件标题": "AttachmentTitle", "表格文字": "TableText",
    "表头": "TableHead", "版记": "EndMatter", "页码": "PageNumber", "名单标题": "ListTitle",
    "清单表格": "ChecklistTable", "三级标题": "Heading3", "三级标题加粗": "Heading3Bold",
    "四级标题": "Heading4", "附件说明首项": "AttachmentNoteFirst",
    "附件说明续项": "AttachmentNoteMore", "份号": "CopyNumber", "密级": "Secrecy",
    "紧急程度": "Urgency", "签发人姓名": "SignerNames", "附注": "Notes", "抄送": "CopyTo",
    "函标志": "LetterMasthead", "函字号": "LetterNumber",
}
TABLE_RULE = round(style.TABLE_RULE_PT * 8)  # w:sz is in eighths of a point
# top, left, bottom, right: the PDF's cell padding (2 pt, 1.5 pt); on the right also the
# 0.75 pt rule the PDF draws inside each cell (made 1 pt: LibreOffice squeezes a character
# into a line that lacks a twentieth of a point), so that lines wrap where the PDF's do
_PAD_V, _PAD_H = style.CELL_PADDING_PT
TABLE_CELL_MARGINS = (twips(_PAD_V), twips(_PAD_H), twips(_PAD_V), twips(_PAD_H + 1))


# the vocabulary's alignments as Word's w:jc: Word justifies Chinese lines, the PDF cannot
_JC = {"justify": "both", "left": "left", "center": "center", "right": "right"}
ALIGNMENT = {e.word_style: _JC[e.align] for e in ELEMENTS if e.word_style and e.align}


def _jc(style_name: str) -> dict:
    return dict(val=ALIGNMENT[style_name])


def width_percent(mast) -> int:
    """w:w of the 标志: the layout's scale for the size Word takes, a whole number of half
    points (36 pt for 35.8): rounded down, so that the line is no wider than the PDF's and
    does not wrap (a 19-character name did in LibreOffice)."""
    return math.floor(mast.size * mast.scale / (half_points(mast.size) / 2) * 100)


def letter_styles(letter) -> list[etree._Element]:
    """The 信函格式's 标志 (in the first page's header) and 发文字号 (10.1)."""
    s, mast, b = style, letter.masthead, IDS
    mast_pt = half_points(mast.size) / 2
    return [
        _style("paragraph", b["函标志"], "函标志", ppr=dict(
            FLAT, spacing=spacing(line=twips(snug_line(mast_pt))), jc=_jc("函标志")),
            rpr=dict(dict(snapToGrid=OFF, spacing=dict(val=0)), rFonts=fonts("title"),
                     color=dict(val=s.RED.lstrip("#")), w=dict(val=width_percent(mast)),
                     sz=dict(val=half_points(mast_pt)), szCs=dict(val=half_points(mast_pt)))),
        _style("paragraph", b["函字号"], "函字号", based_on="Normal", follow=b["标题"],
               ppr=dict(ind=indent(), jc=_jc("函字号"))),
    ]


def build_styles(layout: Layout) -> list[etree._Element]:
    """Every named style of the notice, with the numbers of style.py and the shared layout."""
    s, mast, signed = style, layout.masthead, layout.signature
    body_pt = half_points(s.BODY_PT)
    mast_pt = half_points(mast.size) / 2
    # 7.4.3: 4号, or smaller where 印发机关 and 印发日期 would not share a line; in half points
    end_size = math.floor(layout.end_matter_pt * 2)
    end_indent = round(end_size * 10 * s.END_MATTER_INDENT_CHARS)  # in twips
    note = s.PARAGRAPH_INDENT_CHARS + s.ATTACHMENT_LEAD_CHARS  # where attachment names start
    number = s.ATTACHMENT_NUMBER_CHARS
    body = dict(rFonts=fonts("body"), spacing=dict(val=s.DOCX_CHAR_SPACING_TWIPS),
                sz=dict(val=body_pt), szCs=dict(val=body_pt))
    loose = dict(snapToGrid=OFF, spacing=dict(val=0))  # type off the grid keeps its own width
    b = IDS
    return [
        # Normal carries the body format: a paragraph a clerk adds or clears looks like 正文
        _style("paragraph", "Normal", "Normal", default=True, follow=b["正文"], ppr=dict(
            widowControl=OFF, snapToGrid=OFF, spacing=spacing(),
            ind=indent(first=s.PARAGRAPH_INDENT_CHARS), jc=_jc("正文")), rpr=body),
        _style("paragraph", b["正文"], "正文", based_on="Normal", follow=b["正文"]),
        _style("paragraph", b["发文机关标志"], "发文机关标志", follow=b["发文字号"], ppr=dict(
            FLAT, spacing=spacing(before=twips(s.MASTHEAD_OFFSET_MM * s.PT_PER_MM),
                                  line=twips(snug_line(mast_pt))),
            jc=_jc("发文机关标志")), rpr=dict(
            loose, rFonts=fonts("title"), color=dict(val=s.RED.lstrip("#")),
            w=dict(val=width_percent(mast)), sz=dict(val=half_points(mast_pt)),
            szCs=dict(val=half_points(mast_pt)))),
        # 7.2.4 two blank lines under the 标志
        _style("paragraph", b["发文字号"], "发文字号", based_on="Normal", follow=b["标题"],
               ppr=dict(ind=indent(), spacing=spacing(
                   before=twips(mast_pt + s.DOC_NUMBER_LINES_BELOW_MASTHEAD * s.LINE_PITCH_PT
                                - snug_line(mast_pt))),
                   jc=_jc("发文字号"))),
        _style("paragraph", b["标题"], "标题", follow=b["主送机关"], ppr=dict(
            FLAT, keepNext={}, spacing=spacing(after=LINE), jc=_jc("标题")), rpr=dict(
            loose, rFonts=fonts("title"), sz=dict(val=half_points(s.TITLE_PT)),
            szCs=dict(val=half_points(s.TITLE_PT)))),
        _style("paragraph", b["主送机关"], "主送机关", based_on="Normal", follow=b["正文"],
               ppr=dict(ind=indent(), jc=_jc("主送机关"))),
        _style("character", b["一级标题"], "一级标题", based_on="DefaultParagraphFont",
               rpr=dict(rFonts=fonts("heading"))),
        _style("character", b["二级标题"], "二级标题", based_on="DefaultParagraphFont",
               rpr=dict(rFonts=fonts("kai"))),
        _style("character", b["三级标题"], "三级标题", based_on="DefaultParagraphFont",
               rpr=dict(rFonts=fonts("body"))),
        _style("character", b["三级标题加粗"], "三级标题加粗", based_on="DefaultParagraphFont",
               rpr=dict(rFonts=fonts("body"), b={}, bCs={})),
        _style("character", b["四级标题"], "四级标题", based_on="DefaultParagraphFont",
               rpr=dict(rFonts=fonts("body"))),
        # 附件：name, wrapped lines aligned under the name's first character; of several,
        # 「附件：1.」 then a tab to the names' column, later numbers under the first
        _style("paragraph", b["附件说明"], "附件说明", based_on="Normal", follow=b["正文"],
               ppr=dict(spacing=spacing(before=LINE), jc=_jc("附件说明"), ind=indent(
                   left=note, hanging=s.ATTACHMENT_LEAD_CHARS))),
        _style("paragraph", b["附件说明首项"], "附件说明首项", based_on="Normal",
               follow=b["附件说明续项"], ppr=dict(
                   keepNext={}, spacing=spacing(before=LINE), jc=_jc("附件说明首项"), ind=indent(
                       left=note + number, hanging=s.ATTACHMENT_LEAD_CHARS + number))),
        _style("paragraph", b["附件说明续项"], "附件说明续项", based_on="Normal",
               follow=b["附件说明续项"], ppr=dict(keepNext={}, jc=_jc("附件说明续项"), ind=indent(
                   left=note + number, hanging=number))),
        _style("paragraph", b["署名"], "署名", based_on="Normal", follow=b["成文日期"],
               ppr=dict(keepNext={}, spacing=spacing(before=LINE),
                        ind=indent(left=signed.name_indent), jc=_jc("署名"))),
        _style("paragraph", b["成文日期"], "成文日期", based_on="Normal", follow=b["正文"],
               ppr=dict(ind=indent(left=signed.date_indent), jc=_jc("成文日期"))),
        # 7.2.1-7.2.3 份号 (digits), 密级 and 紧急程度 (黑体), flush left from the 版心's top
        _style("paragraph", b["份号"], "份号", based_on="Normal", follow=b["密级"],
               ppr=dict(ind=indent(), jc=_jc("份号"))),
        _style("paragraph", b["密级"], "密级", based_on="Normal", follow=b["紧急程度"],
               ppr=dict(ind=indent(), jc=_jc("密级")), rpr=dict(rFonts=fonts("heading"))),
        _style("paragraph", b["紧急程度"], "紧急程度", based_on="Normal",
               follow=b["发文机关标志"], ppr=dict(ind=indent(), jc=_jc("紧急程度")),
               rpr=dict(rFonts=fonts("heading"))),
        # 7.2.6 签发人's names in 楷体
        _style("character", b["签发人姓名"], "签发人姓名", based_on="DefaultParagraphFont",
               rpr=dict(rFonts=fonts("kai"))),
        # 7.3.6 附注: two characters in, in （）
        _style("paragraph", b["附注"], "附注", based_on="Normal", follow=b["正文"],
               ppr=dict(ind=indent(left=s.NOTES_INDENT_CHARS), jc=_jc("附注"))),
        _style("paragraph", b["附件标签"], "附件标签", based_on="Normal", follow=b["附件标题"],
               ppr=dict(keepNext={}, ind=indent(), jc=_jc("附件标签")),
               rpr=dict(rFonts=fonts("heading"))),
        _style("paragraph", b["附件标题"], "附件标题", follow=b["正文"], ppr=dict(
            FLAT, keepNext={}, spacing=spacing(before=LINE, after=LINE // 2),
            jc=_jc("附件标题")), rpr=dict(
            loose, rFonts=fonts("title"), sz=dict(val=half_points(s.TITLE_PT)),
            szCs=dict(val=half_points(s.TITLE_PT)))),
        _style("paragraph", b["名单标题"], "名单标题", follow=b["正文"], ppr=dict(
            FLAT, keepNext={}, spacing=spacing(after=LINE), jc=_jc("名单标题")), rpr=dict(
            loose, rFonts=fonts("title"), sz=dict(val=half_points(s.TITLE_PT)),
            szCs=dict(val=half_points(s.TITLE_PT)))),
        _style("paragraph", b["表格文字"], "表格文字", follow=b["表格文字"], ppr=dict(
            FLAT, spacing=spacing(line=twips(s.TABLE_LINE_PT)), jc=dict(val="center")),
            rpr=dict(loose, rFonts=fonts("body"), sz=dict(val=half_points(s.TABLE_PT)),
                     szCs=dict(val=half_points(s.TABLE_PT)))),
        _style("paragraph", b["表头"], "表头", based_on=b["表格文字"], follow=b["表格文字"],
               rpr=dict(rFonts=fonts("heading"))),
        # 7.4.3: 印发机关 one character in from the left, 印发日期 one from the right, by tab
        # stops: the paragraph itself spans the 版心, and so do its rules
        _style("paragraph", b["版记"], "版记", follow=b["版记"], ppr=dict(
            FLAT, tabs=el("w:tabs", None,
                          el("w:tab", dict(val="left", pos=end_indent)),
                          el("w:tab", dict(val="right", pos=PORTRAIT.text_width - end_indent))),
            spacing=spacing(), jc=_jc("版记")), rpr=dict(
            loose, rFonts=fonts("body"), sz=dict(val=end_size), szCs=dict(val=end_size))),
        # 7.4.2 抄送: 「抄送：」 one character in, the names wrapped under the first
        _style("paragraph", b["抄送"], "抄送", based_on=b["版记"], follow=b["版记"], ppr=dict(
            FLAT, ind=dict(left=end_indent + round(end_size * 10 * layout.copy_to_indent),
                           hanging=round(end_size * 10 * layout.copy_to_indent),
                           right=end_indent),
            spacing=spacing(), jc=_jc("抄送"))),
        # 7.5 page numbers: 4号 half-width 宋体 digits
        _style("paragraph", b["页码"], "页码", ppr=dict(
            FLAT, spacing=spacing(line=twips(PAGE_NUMBER_LINE_PT))), rpr=dict(
            loose, rFonts=fonts("page_number"),
            sz=dict(val=half_points(s.PAGE_NUMBER_PT)),
            szCs=dict(val=half_points(s.PAGE_NUMBER_PT)))),
        _style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True),
        _style("table", "TableNormal", "Normal Table", default=True,
               tblpr=_table_properties(None, (0, 108, 0, 108))),
        _style("table", b["清单表格"], "清单表格", based_on="TableNormal",
               tblpr=_table_properties(TABLE_RULE, TABLE_CELL_MARGINS)),
    ]


def install_styles(document, layout: Layout, letter=None) -> None:
    """Replace the template's styles with the notice's; keep its latent style list."""
    styles = document.styles.element
    for node in styles.findall(qn("w:style")):
        styles.remove(node)
    defaults = styles.find(qn("w:docDefaults"))
    defaults.clear()
    body_pt = half_points(style.BODY_PT)
    defaults.append(el("w:rPrDefault", None, props("w:rPr", dict(
        rFonts=fonts("body"), sz=dict(val=body_pt), szCs=dict(val=body_pt),
        lang=dict(val="en-US", eastAsia="zh-CN", bidi="ar-SA")))))
    # as in the PDF, no punctuation hanging past the 版心 and no extra space between Chinese
    # and Latin letters or digits (Word's defaults do both)
    defaults.append(el("w:pPrDefault", None, props("w:pPr", dict(
        overflowPunct=OFF, autoSpaceDE=OFF, autoSpaceDN=OFF, spacing=spacing()))))
    made = build_styles(layout)
    if letter is not None:  # a letter's task list in smaller type (style.LETTER_TABLE_PT)
        small = half_points(style.LETTER_TABLE_PT)
        for node in made:
            if node.get(qn("w:styleId")) == IDS["表格文字"]:
                for tag in ("w:sz", "w:szCs"):
                    node.find(f".//{qn(tag)}").set(qn("w:val"), str(small))
                node.find(f".//{qn('w:spacing')}").set(
                    qn("w:line"), str(twips(style.LETTER_TABLE_LINE_PT)))
        made += letter_styles(letter)
    styles.extend(made)


def configure_settings(document) -> None:
    """Odd and even footers, Word 2013+ layout, Chinese as the East Asian language."""
    settings = document.settings
    settings.odd_and_even_pages_header_footer = True
    root = settings.element
    for node in root.iter(qn("w:compatSetting")):
        if node.get(qn("w:name")) == "compatibilityMode":
            node.set(qn("w:val"), "15")
    for node in root.iter(qn("w:themeFontLang")):
        node.set(qn("w:eastAsia"), "zh-CN")


# w:font entries: the substitute Word and WPS take where the standard face is missing
_ALT_NAMES = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体"}


def font_table_xml() -> bytes:
    """word/fontTable.xml naming every face the styles use."""
    root = el("w:fonts")
    roman = el("w:font", dict(name=style.LATIN_FACE), el("w:charset", dict(val="00")),
               el("w:family", dict(val="roman")), el("w:pitch", dict(val="variable")))
    root.append(roman)
    for face in dict.fromkeys(style.STANDARD_FACE.values()):
        node = el("w:font", dict(name=face))
        if face in _ALT_NAMES:
            node.append(el("w:altName", dict(val=_ALT_NAMES[face])))
        node.extend([el("w:charset", dict(val="86")), el("w:family", dict(val="modern")),
                     el("w:pitch", dict(val="fixed"))])
        root.append(node)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
