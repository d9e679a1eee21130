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
    lines: int = 1  # 联合行文: one line an organ
    line: float = 0  # pt from one organ's line to the next (a snug line: the DOCX's too)


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
class Marks:
    """份号, 密级和保密期限, 紧急程度 (7.2.1-7.2.3): flush left, one a line from the 版心's top,
    and 签发人 (7.2.6) beside the 发文字号."""

    lines: tuple[str, ...]  # the marks in their order, each on its grid line
    signer_rows: tuple[tuple[str, ...], ...]  # 签发人, two a line; () without
    label_left: float  # characters from the 版心's left edge to 「签发人：」
    names_left: float  # … to the first name of each line

    @property
    def number_lines(self) -> int:
        """Grid lines the 发文字号 (and 签发人) take."""
        return max(1, len(self.signer_rows))


@dataclass(frozen=True)
class Image:
    """A picture of the content (a seal, a 签名章) placed on the page."""

    path: str  # the file, absolute
    width: float  # pt
    height: float  # pt
    left: float  # pt from the 版心's left edge
    top: float  # pt from the top of the line it is anchored to (the 署名's, the 职务's)


@dataclass(frozen=True)
class SignOff:
    """署名, 成文日期 and 印章 (7.3.5) as the content lays them out: plain, sealed or signed."""

    kind: str  # "plain" (7.3.5.2), "sealed" (7.3.5.1), "signed" (7.3.5.3)
    names: tuple[tuple[str, float], ...]  # each 署名 (or the 职务) and its left edge, in characters
    names_on_one_line: bool  # sealed 联合行文: the 署名 side by side, each under its seal
    date_left: float  # characters
    lines_before: int  # blank grid lines between the body and the first 署名 line
    date_lines_before: int  # blank lines between the last 署名 line and the date
    lines_after: int  # grid lines the seal reaches under the date, kept free (附注 below)
    images: tuple[Image, ...]


@dataclass(frozen=True)
class Layout:
    masthead: Masthead
    head: Head
    signature: Signature
    end_matter_pt: float  # 7.4.3: 4号, or less where 印发机关 and 印发日期 would not share a line
    title_bold: bool
    body_lead: float  # pt above the body face's characters in a grid line
    marks: Marks | None = None
    sign_off: SignOff | None = None
    copy_to_indent: float = 0  # 抄送: characters from 「抄送：」's start to the first name


@functools.cache
def _vertical_metrics(path: str, index: int) -> tuple[float, float]:
    """(ascent, descent) as fractions of the em, as WeasyPrint lays lines out (hhea)."""
    with TTFont(path, fontNumber=index, lazy=True) as font:
        upm = font["head"].unitsPerEm
        return font["hhea"].ascent / upm, -font["hhea"].descent / upm


def _half_leading(face: Face, size: float, line: float) -> float:
    ascent, descent = _vertical_metrics(face.path, face.index)
    return (line - (ascent + descent) * size) / 2


def _masthead(text: str, face: Face, organs: tuple[str, ...] = (), word: str = "") -> Masthead:
    """The 标志 on one line; for a 联合行文, the organs one above the other with the word to
    their right: the longest organ and the word make the line that must fit."""
    chars = len(text) if not organs else max(len(o) for o in organs) + len(word)
    size, scale = style.masthead_size(chars)
    width = size * chars
    line = round(style.CJK_EM_ASCENT * size / style.EXACT_LINE_BASELINE, 3) if organs else size
    return Masthead(size, scale, width, (style.TEXT_WIDTH_MM * style.PT_PER_MM - width) / 2,
                    _half_leading(face, size, line), face.bold, max(1, len(organs)), line)


def _head(mast: Masthead, body_lead: float, number_lines: int = 1) -> Head:
    pitch = style.LINE_PITCH_PT
    gap = style.RULE_GAP_MM * style.PT_PER_MM - body_lead
    used = (style.MASTHEAD_OFFSET_MM * style.PT_PER_MM - mast.lead + mast.line * mast.lines
            + (number_lines + style.DOC_NUMBER_LINES_BELOW_MASTHEAD) * pitch + gap
            + style.RED_RULE_PT)
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
    mast = _masthead(notice.masthead, title_face, notice.organs, notice.masthead_word)
    marks = _marks(notice)
    return Layout(
        masthead=mast,
        head=_head(mast, body_lead, marks.number_lines),
        signature=_signature(notice.signature, chinese_date(notice.date)),
        end_matter_pt=_end_matter_pt(notice.printed_by, chinese_date(notice.printed_on)),
        title_bold=title_face.bold,
        body_lead=body_lead,
        marks=marks,
        sign_off=_sign_off(content),
        copy_to_indent=text_width(style.COPY_TO_LABEL),
    )


def _marks(notice) -> Marks:
    lines = tuple(m for m in (notice.copy_number, notice.classification, notice.urgency) if m)
    per = style.SIGNERS_PER_LINE
    rows = tuple(tuple(notice.signers[i:i + per]) for i in range(0, len(notice.signers), per))
    widest = max((text_width("　".join(row)) for row in rows), default=0)
    right = style.CHARS_PER_LINE - style.SIGNER_EDGE_CHARS
    names_left = right - widest
    return Marks(lines, rows, names_left - text_width(style.SIGNER_LABEL), names_left)


def _image_size(path: str, width_mm: float) -> tuple[float, float]:
    """(width, height) in pt of an image drawn width_mm wide, its proportions kept."""
    from PIL import Image as Picture

    with Picture.open(path) as picture:
        w, h = picture.size
    width = width_mm * style.PT_PER_MM
    return width, width * h / w


def _sign_off(content: Content) -> SignOff:
    """Where 署名, 成文日期 and the images go (7.3.5), in characters of the 3号 grid."""
    notice = content.notice
    pitch, char = style.LINE_PITCH_PT, style.CHAR_PITCH_PT
    date = chinese_date(notice.date)
    names = notice.signatures or (notice.signature,)
    cols = style.CHARS_PER_LINE
    if notice.sealed:
        date_left = cols - style.SEALED_DATE_RIGHT_CHARS - text_width(date)
        centre = (date_left + text_width(date) / 2) * char
        sizes = [_image_size(str(content.folder / p), notice.seal_size_mm) for p in notice.seals]
        step = max(w for w, _ in sizes) + style.SEAL_GAP_MM * style.PT_PER_MM
        centres = [centre - (len(sizes) - 1 - n) * step for n in range(len(sizes))]
        shift = max(0.0, sizes[0][0] / 2 - centres[0])  # 每排印章两端不得超出版心
        centres = [c + shift for c in centres]
        tallest = max(h for _, h in sizes)
        # the 署名 line at the seal's centre, so that 署名 and date sit below it (偏下); the
        # seal's top within one line of the body
        before = math.ceil((tallest / 2 - pitch / 2) / pitch)
        images = tuple(Image(str(content.folder / p), w, h, c - w / 2, pitch / 2 - h / 2)
                       for p, (w, h), c in zip(notice.seals, sizes, centres, strict=True))
        if len(names) == 1:
            placed = ((names[0], centre / char - text_width(names[0]) / 2),)
        else:
            placed = tuple((n, c / char - text_width(n) / 2)
                           for n, c in zip(names, centres, strict=False))
        below = pitch / 2 + tallest / 2 - 2 * pitch  # reach of the seal under the date line
        return SignOff("sealed", placed, len(names) > 1, date_left, before, 0,
                       max(0, math.ceil(below / pitch)), images)
    if notice.signed:
        w, h = _image_size(str(content.folder / notice.signed_image), 1)
        height = style.SIGNATURE_STAMP_HEIGHT_MM * style.PT_PER_MM
        width = height * w / h
        right = (cols - style.SIGNATURE_RIGHT_CHARS) * char
        title = notice.signed_title or ""
        title_left = (right - width) / char - text_width(title)
        date_left = cols - style.SEALED_DATE_RIGHT_CHARS - text_width(date)
        image = Image(str(content.folder / notice.signed_image), width, height, right - width,
                      pitch / 2 - height / 2)
        reach = math.ceil((pitch / 2 + height / 2) / pitch)  # lines the stamp takes
        return SignOff("signed", ((title, title_left),), False, date_left, 1, reach, 0,
                       (image,))
    widest = max(names, key=text_width)
    plain_layout = _signature(widest, date)
    return SignOff("plain", tuple((n, plain_layout.name_indent) for n in names), False,
                   plain_layout.date_indent, 1, 0, 0, ())


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
