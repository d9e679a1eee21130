"""The frame elements the DOCX draws from the shared layout: 联合行文's 标志, the 签发人 lines,
the 署名 block's indents, the seal and 签名章 pictures anchored behind the text, and a
letter's 版记.

Constructions measured in LibreOffice 7.4 (research/docx/FINDINGS.md, Q5): a picture anchored
with `behindDoc="1"`, `wrapNone`, positioned from the 版心's left edge and from its paragraph.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import etree

from .. import style
from .blocks import PARAGRAPH_STYLES, classes, paragraph, run, tokens
from .oxml import CHAR, LINE, el, half_points, snug_line, twips
from .styles import indent

EMU_PER_PT = 12700


def _tabs(*positions: float) -> dict:
    """Left tab stops at these positions (characters from the 版心's left edge)."""
    return dict(tabs=el("w:tabs", None, *(el("w:tab", dict(val="left", pos=round(p * CHAR)))
                                         for p in positions)))


def signed_line_ppr(layout, follows_number: bool) -> dict:
    """A 上行文's 发文字号 line: the number one character in, 「签发人：」 and the names on tab
    stops (7.2.6); the paragraph itself spans the 版心, and so does the red line under it."""
    marks = layout.marks
    # the names' stop a tenth of a character past the label's end: a tab from exactly a
    # stop's position would go on to the next one
    ppr = dict(jc=dict(val="left"), ind=indent(),
               **_tabs(style.SIGNER_EDGE_CHARS, marks.label_left, marks.names_left + 0.1))
    if follows_number:  # a wrapped line of 签发人 follows the line above
        ppr["spacing"] = dict(before=0)
    return ppr


def sign_off_ppr(sign_off, name: str, index: int) -> dict:
    """Indents and spacing of the 署名 block's paragraphs, from the shared layout (7.3.5)."""
    if name == "date" and sign_off.kind == "plain":
        return dict(ind=indent(left=sign_off.date_left))
    if name == "date":  # 4 characters in from the right, whatever its digits' widths
        return dict(ind=indent(right=style.SEALED_DATE_RIGHT_CHARS), jc=dict(val="right"),
                    spacing=dict(before=sign_off.date_lines_before * LINE),
                    **(dict(keepNext={}) if sign_off.lines_after else {}))
    if name != "signature":
        return {}
    before = dict(spacing=dict(before=sign_off.lines_before * LINE if index == 0 else 0),
                  keepNext={})
    if sign_off.names_on_one_line:
        return dict(before, ind=indent(), **_tabs(*(left for _, left in sign_off.names)))
    return dict(before, ind=indent(left=sign_off.names[min(index, len(sign_off.names) - 1)][1]))


def joint_masthead(node, layout, marks_lines: int) -> list:
    """联合行文's 标志 (7.2.4): a spacer so that the first organ's characters are 35 mm under the
    版心's top, then a borderless table: the organs one above the other, spread to one width,
    and the word (文件) centred to their right."""
    mast = layout.masthead
    size = half_points(mast.size) / 2
    line = twips(snug_line(size))
    spacer = paragraph([], "表格文字", spacing=dict(
        before=0, after=0, line=max(20, twips(style.MASTHEAD_OFFSET_MM * style.PT_PER_MM
                                              - marks_lines * style.LINE_PITCH_PT)),
        lineRule="exact"))
    organs = [p for p in node.iter("p") if "masthead-organ" in classes(p)]
    words = [p for p in node.iter("p") if "masthead-word" in classes(p)]
    longest = max(len(p.text_content()) for p in organs)
    organ_width = twips(longest * size * mast.scale)
    word_width = twips(sum(len(p.text_content()) for p in words) * size * mast.scale)

    def cell(width, paragraphs):
        return el("w:tc", None, el("w:tcPr", None, el("w:tcW", dict(w=width, type="dxa")),
                                   el("w:vAlign", dict(val="center"))), *paragraphs)

    def lines(ps, jc):
        return [paragraph(tokens(p), "发文机关标志", spacing=dict(before=0, line=line),
                          jc=dict(val=jc)) for p in ps]

    cells = [cell(organ_width, lines(organs, "distribute"))]
    if words:
        cells.append(cell(word_width, lines(words, "left")))
    widths = [organ_width] + ([word_width] if words else [])
    table = el("w:tbl", None,
               el("w:tblPr", None, el("w:tblW", dict(w=sum(widths), type="dxa")),
                  el("w:jc", dict(val="center")),
                  el("w:tblLayout", dict(type="fixed")),
                  el("w:tblCellMar", None, *(el(f"w:{side}", dict(w=0, type="dxa"))
                                             for side in ("top", "left", "bottom", "right")))),
               el("w:tblGrid", None, *(el("w:gridCol", dict(w=w)) for w in widths)),
               el("w:tr", None, el("w:trPr", None, el("w:cantSplit")), *cells))
    return [spacer, table]


def _image_of(node, sign_off):
    path = Path(unquote(urlparse(node.get("src")).path))
    return next(i for i in sign_off.images if Path(i.path).resolve() == path)


def anchored_image(document, node, sign_off, number: int):
    """The seal (or 签名章) of an <img>, anchored behind the text of the paragraph it is drawn
    with: its left edge from the 版心's left, its top from the paragraph's top."""
    image = _image_of(node, sign_off)
    rid, _ = document.part.get_or_add_image(image.path)
    cx, cy = round(image.width * EMU_PER_PT), round(image.height * EMU_PER_PT)
    x = round(image.left * EMU_PER_PT)
    # from the top of the paragraph, its spacing before included (measured in LibreOffice
    # 7.4: a 'line'-relative offset is read upwards there, so the paragraph is the reference)
    y = round((image.top + sign_off.lines_before * LINE / 20) * EMU_PER_PT)
    name = Path(image.path).name
    xml = f"""<w:drawing {nsdecls('w', 'wp', 'a', 'pic', 'r')}>
 <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{number}"
            behindDoc="1" locked="1" layoutInCell="1" allowOverlap="1">
  <wp:simplePos x="0" y="0"/>
  <wp:positionH relativeFrom="margin"><wp:posOffset>{x}</wp:posOffset></wp:positionH>
  <wp:positionV relativeFrom="paragraph"><wp:posOffset>{y}</wp:posOffset></wp:positionV>
  <wp:extent cx="{cx}" cy="{cy}"/>
  <wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>
  <wp:docPr id="{number}" name="{'Seal' if 'seal' in classes(node) else 'Signature'} {number}"/>
  <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>
  <a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">
   <pic:pic><pic:nvPicPr><pic:cNvPr id="{number}" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>
    <pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>
    <pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>
     <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>
  </a:graphicData></a:graphic>
 </wp:anchor>
</w:drawing>"""
    return parse_xml(xml)




_HIDDEN_MARK = "\u200b"  # a footnote mark of no width: the 版记 is not a note


def letter_end_note(document, node):
    """10.1 a letter's 版记 (footer.letter-end: 抄送 alone, no rules) as a footnote without a
    mark or a separator line: Word and LibreOffice set it on the bottom of the 版心 of the page
    where the attachment ends (or of the next page, where that one is full), as the PDF's
    footnote area. Returns the paragraph, after the attachment's table, that refers to it."""
    def empty():
        return paragraph([], "表格文字", spacing=dict(line=20, lineRule="exact"))

    notes = [paragraph(tokens(p), next(PARAGRAPH_STYLES[c] for c in sorted(classes(p))
                                       if c in PARAGRAPH_STYLES))
             for p in node.iter("p")]
    footnotes = el("w:footnotes", None,
                   el("w:footnote", dict(type="separator", id=-1), empty()),
                   el("w:footnote", dict(type="continuationSeparator", id=0), empty()),
                   el("w:footnote", dict(id=1), *notes))
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES,
                etree.tostring(footnotes, xml_declaration=True, encoding="UTF-8",
                               standalone=True), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    # LibreOffice 7.4 takes a custom mark only from the reference's own run
    reference = el("w:r", None, el("w:footnoteReference", dict(customMarkFollows=1, id=1)))
    reference.append(run("text", _HIDDEN_MARK, {})[-1])
    anchor = empty()
    anchor.append(reference)
    return anchor
