"""The DOCX's units, OOXML elements in the schema's order, and its page setups (A4 either way
round with the 版心's margins), built from notice/style.py."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from .. import style

# ---------------------------------------------------------------------------- units and XML


def twips(pt: float) -> int:
    return round(pt * 20)


def mm_twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)


def half_points(pt: float) -> int:
    return round(pt * 2)


def eighths(mm: float) -> int:
    """A rule's thickness in eighths of a point (w:sz of a border)."""
    return max(2, round(mm * style.PT_PER_MM * 8))


def el(tag: str, attrs: dict | None = None, *children) -> etree._Element:
    """A w: element; attribute names without a prefix are in the w: namespace."""
    element = OxmlElement(tag)
    for name, value in (attrs or {}).items():
        element.set(qn(name if ":" in name else f"w:{name}"), str(value))
    element.extend(children)
    return element


# the schema's order of the children of w:pPr and w:rPr: Word rejects any other
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange").split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath").split()


def props(tag: str, spec: dict) -> etree._Element:
    """w:pPr or w:rPr from {child: attributes or element}, children in the schema's order."""
    order = PPR_ORDER if tag == "w:pPr" else RPR_ORDER
    parent = el(tag)
    for name in sorted(spec, key=order.index):
        value = spec[name]
        parent.append(value if isinstance(value, etree._Element) else el(f"w:{name}", value))
    return parent


def border(side: str, size: int, color: str = "000000", space: int = 0) -> etree._Element:
    return el(f"w:{side}", dict(val="single", sz=size, space=space, color=color))


# ---------------------------------------------------------------------------- page setups

LINE = twips(style.LINE_PITCH_PT)  # 579: 22 lines in the 225 mm 版心 (5.2.3)
CHAR = twips(style.BODY_PT) + style.DOCX_CHAR_SPACING_TWIPS  # one 3号 character's advance


def snug_line(size_pt: float) -> float:
    """The exact line height whose characters' em box starts at the top of the line."""
    return style.CJK_EM_ASCENT * size_pt / style.EXACT_LINE_BASELINE


PAGE_NUMBER_LINE_PT = snug_line(style.PAGE_NUMBER_PT)


@dataclass(frozen=True)
class PageSetup:
    """One kind of page, in twips: A4 either way round with its 版心 margins."""

    width: int
    height: int
    top: int
    right: int
    bottom: int
    left: int
    landscape: bool

    @classmethod
    def from_mm(cls, width, height, top, right, bottom, left, landscape=False) -> PageSetup:
        return cls(*(mm_twips(v) for v in (width, height, top, right, bottom, left)), landscape)

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def footer(self) -> int:
        """7.5: the top of the page number 7 mm under the 版心, in a snug line."""
        drop = self.bottom - mm_twips(style.PAGE_NUMBER_DROP_MM)
        return drop - twips(PAGE_NUMBER_LINE_PT)


PORTRAIT = PageSetup.from_mm(style.PAGE_WIDTH_MM, style.PAGE_HEIGHT_MM, style.TOP_MM,
                             style.RIGHT_MM, style.BOTTOM_MM, style.LEFT_MM)
LANDSCAPE = PageSetup.from_mm(style.PAGE_HEIGHT_MM, style.PAGE_WIDTH_MM,
                              *style.LANDSCAPE_MARGINS_MM, landscape=True)
# the landscape page as its Word section sets it: the text may reach a little under the 版心
TABLE_PAGE = replace(LANDSCAPE, bottom=LANDSCAPE.bottom - mm_twips(style.DOCX_TABLE_PAGE_SLACK_MM))
# w:charSpace: the character pitch less the Normal style's size, in 1/4096 pt, rounded down so
# that 28 pitches fit the 版心 (Word's page setup then reads 28 characters × 22 lines)
CHAR_SPACE = math.floor((PORTRAIT.text_width / 20 / style.CHARS_PER_LINE - style.BODY_PT) * 4096)


def section_properties(page: PageSetup, footers: dict[str, str], start: str | None,
                       first: bool = False, numbered: bool = True,
                       headers: dict[str, str] | None = None,
                       header_mm: float = 15, footer: int | None = None) -> etree._Element:
    """w:sectPr of one section; footers maps default/even to relationship ids.

    A section without page numbers (the 版记 page) has its footer, the 版记, end on the bottom
    of the 版心.
    """
    sect = el("w:sectPr")
    for kind, rid in (headers or {}).items():
        sect.append(el("w:headerReference", {"type": kind, "r:id": rid}))
    for kind, rid in footers.items():
        sect.append(el("w:footerReference", {"type": kind, "r:id": rid}))
    if start:
        sect.append(el("w:type", dict(val=start)))
    size = dict(w=page.width, h=page.height)
    if page.landscape:
        size["orient"] = "landscape"
    sect.append(el("w:pgSz", size))
    sect.append(el("w:pgMar", dict(top=page.top, right=page.right, bottom=page.bottom,
                                   left=page.left, header=mm_twips(header_mm),
                                   footer=footer if footer is not None
                                   else page.footer if numbered else page.bottom,
                                   gutter=0)))
    if first:
        sect.append(el("w:pgNumType", dict(start=1)))
    sect.append(el("w:cols", dict(space=425)))
    if headers and "first" in headers:  # 10.1: the letter's first page has its own head
        sect.append(el("w:titlePg"))
    grid = dict(linePitch=LINE)
    if not page.landscape:  # the 22 × 28 grid of the portrait 版心; table pages go without
        grid = dict(type="linesAndChars", linePitch=LINE, charSpace=CHAR_SPACE)
    sect.append(el("w:docGrid", grid))
    return sect
