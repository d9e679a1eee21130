"""The layout both writers share: GB/T 9704's rules worked out once for one content and fonts.

notice/style.py holds the standard's numbers; this module applies them to what a document
holds (the 标志's length, the 署名's width, the 版记's words) and to the faces found, and
gives one frozen Layout that the stylesheet's context and the DOCX writer both read.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from fontTools.ttLib import TTFont

from . import style
from .fonts import Face, FontSet
from .markup import text_width
from .model import Content, chinese_date


@dataclass(frozen=True)
class Masthead:
    """发文机关标志 (7.2.4): one line, narrowed rather than wrapped."""

    size: float  # pt
    scale: float  # horizontal scale of the characters
    width: float  # pt, before scaling
    indent: float  # pt from the 版心's left edge to the unscaled line's start
    lead: float  # pt between the top of the line box and the top of the characters
    bold: bool  # the title face is a bold weight of its family (Fandol)


@dataclass(frozen=True)
class Head:
    """The 版头's height, rounded up to whole grid lines so that the title sits on the grid."""

    lines: int  # grid lines from the 版心's top to the end of the 版头
    rule_gap: float  # pt from the 发文字号's line box to the red line (4 mm from its glyphs)
    after: float  # pt of padding after the red line, to the next grid line


@dataclass(frozen=True)
class Signature:
    """7.3.5.2 without seal, in grid characters from the 版心's left edge."""

    name_indent: int  # 署名: 2 characters in from the right, as the date allows
    date_indent: int  # 成文日期: 2 characters right of the 署名's start


@dataclass(frozen=True)
class Layout:
    masthead: Masthead
    head: Head
    signature: Signature
    end_matter_pt: float  # 7.4.3: 4号, or less where 印发机关 and 印发日期 would not share a line
    title_bold: bool
    body_lead: float  # pt above the body face's characters in a grid line


@functools.cache
def _vertical_metrics(path: str, index: int) -> tuple[float, float]:
    """(ascent, descent) as fractions of the em, as WeasyPrint lays lines out (hhea)."""
    with TTFont(path, fontNumber=index, lazy=True) as font:
        upm = font["head"].unitsPerEm
        return font["hhea"].ascent / upm, -font["hhea"].descent / upm


def _half_leading(face: Face, size: float, line: float) -> float:
    ascent, descent = _vertical_metrics(face.path, face.index)
    return (line - (ascent + descent) * size) / 2


def _masthead(text: str, face: Face) -> Masthead:
    size, scale = style.masthead_size(len(text))
    width = size * len(text)
    return Masthead(size, scale, width, (style.TEXT_WIDTH_MM * style.PT_PER_MM - width) / 2,
                    _half_leading(face, size, size), face.bold)


def _head(mast: Masthead, body_lead: float) -> Head:
    pitch = style.LINE_PITCH_PT
    gap = style.RULE_GAP_MM * style.PT_PER_MM - body_lead
    used = (style.MASTHEAD_OFFSET_MM * style.PT_PER_MM - mast.lead + mast.size
            + (1 + style.DOC_NUMBER_LINES_BELOW_MASTHEAD) * pitch + gap + style.RED_RULE_PT)
    lines = math.ceil(used / pitch)
    return Head(lines, round(gap, 3), round(lines * pitch - used, 3))


def _signature(name: str, date: str) -> Signature:
    right = style.CHARS_PER_LINE - style.SIGNATURE_RIGHT_CHARS
    date_left = min(right - text_width(name) + style.DATE_AFTER_SIGNATURE_CHARS,
                    right - text_width(date))
    return Signature(int(date_left - style.DATE_AFTER_SIGNATURE_CHARS), int(date_left))


def _end_matter_pt(printed_by: str, printed_on: str) -> float:
    issued = text_width(printed_by) + text_width(printed_on + "印发")
    width_pt = style.TEXT_WIDTH_MM * style.PT_PER_MM
    # one character in at each side and at least one between
    return round(min(style.END_MATTER_PT, width_pt / (issued + 3)), 2)


def lay_out(content: Content, fonts: FontSet) -> Layout:
    """The shared layout of the year's documents."""
    notice = content.notice
    title_face = fonts.roles["title"][0]
    body_lead = _half_leading(fonts.roles["body"][0], style.BODY_PT, style.LINE_PITCH_PT)
    mast = _masthead(notice.masthead, title_face)
    return Layout(
        masthead=mast,
        head=_head(mast, body_lead),
        signature=_signature(notice.signature, chinese_date(notice.date)),
        end_matter_pt=_end_matter_pt(notice.printed_by, chinese_date(notice.printed_on)),
        title_bold=title_face.bold,
        body_lead=body_lead,
    )


@dataclass(frozen=True)
class LetterLayout:
    """The 信函格式's head (GB/T 9704 10.1) for one organ's name and the faces found."""

    masthead: Masthead  # the organ's name, one line, narrowed as the notice's 标志
    top: float  # pt from the 版心's top to the 标志's line box (negative: above it)
    number_gap: float  # pt from the rule's bottom to the 发文字号's line box


def letter_layout(masthead: str, fonts: FontSet) -> LetterLayout:
    mast = _masthead(masthead, fonts.roles["title"][0])
    body_lead = _half_leading(fonts.roles["body"][0], style.BODY_PT, style.LINE_PITCH_PT)
    top = (style.LETTER_MASTHEAD_TOP_MM - style.TOP_MM) * style.PT_PER_MM - mast.lead
    drop = style.LETTER_NUMBER_DROP * style.BODY_PT
    return LetterLayout(mast, round(top, 3), round(drop - body_lead, 3))
