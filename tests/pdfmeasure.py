"""Reads a rendered PDF back as lines of characters, in millimetres, for the layout tests."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import pdfplumber

from notice.markup import char_width

MM = 25.4 / 72
PAGE_NUMBER = re.compile(r"^—\s*(\d+)\s*—$")
# characters that may not begin a line, and ones that may not end one (GB/T 15834 practice);
# Pango also keeps a quotation mark together with both neighbours (UAX #14, LB19)
NO_LINE_START = set("，。、；：？！）》〉】」』”’〕…—%")
NO_LINE_END = set("（《〈【「『“‘〔")
QUOTES = set("“”‘’")


@dataclass
class Line:
    top: float  # mm from the page top, of the characters' boxes
    bottom: float
    x0: float
    x1: float
    size: float
    text: str
    fonts: frozenset[str]
    colors: frozenset
    turn: int = 0  # degrees the text is turned clockwise: 90 reads top to bottom

    @property
    def full_width_only(self) -> bool:
        return all(char_width(ch) == 1 for ch in self.text)


@dataclass
class Page:
    number: int  # 1-based position in the file
    width: float
    height: float
    lines: list[Line]
    rects: list[dict]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def page_number_line(self) -> Line | None:
        return next(iter(self.page_number_lines()), None)

    def page_number_lines(self) -> list[Line]:
        return [ln for ln in self.lines if PAGE_NUMBER.match(ln.text)]

    def text_lines(self) -> list[Line]:
        """Lines of the page's text, page number excluded."""
        return [ln for ln in self.lines if not PAGE_NUMBER.match(ln.text)]


def read_pdf(path) -> list[Page]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            pages.append(Page(n, page.width * MM, page.height * MM, _lines(page.chars),
                              [dict(r) for r in page.rects]))
    return pages


def _lines(chars) -> list[Line]:
    """Lines read left to right, then lines turned a quarter (a landscape page's number)."""
    turned = [c for c in chars if _turn(c)]
    return _rows([c for c in chars if not _turn(c)]) + _columns(turned)


def _turn(char) -> int:
    """Degrees a character is turned clockwise on the page (its matrix is in PDF space, y up)."""
    a, b = char["matrix"][:2]
    return round(math.degrees(math.atan2(-b, a)))


def _rows(chars) -> list[Line]:
    """Group characters whose tops lie within 0.8 mm of each other (a sub/superscript or
    a smaller run joins the line it sits in only when it overlaps it)."""
    rows: dict[float, list] = defaultdict(list)
    for char in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        key = next((k for k in rows if abs(k - char["top"] * MM) < 0.8), char["top"] * MM)
        rows[key].append(char)
    lines = []
    for top in sorted(rows):
        cs = sorted(rows[top], key=lambda c: c["x0"])
        lines.append(Line(
            top=min(c["top"] for c in cs) * MM, bottom=max(c["bottom"] for c in cs) * MM,
            x0=cs[0]["x0"] * MM, x1=cs[-1]["x1"] * MM, size=max(c["size"] for c in cs),
            text="".join(c["text"] for c in cs),
            fonts=frozenset(c["fontname"].split("+")[-1] for c in cs),
            colors=frozenset(tuple(c.get("non_stroking_color") or ()) for c in cs)))
    return lines


def _columns(chars) -> list[Line]:
    """Group turned characters of one turn whose right edges lie within 0.8 mm of each other
    into lines read in their own direction (top to bottom for a quarter turn clockwise); a
    turned line's size is the font size, its characters' extent across the line."""
    columns: dict[tuple[int, float], list] = defaultdict(list)
    for char in sorted(chars, key=lambda c: c["x1"]):
        turn, x1 = _turn(char), char["x1"] * MM
        key = next((k for k in columns if k[0] == turn and abs(k[1] - x1) < 0.8), (turn, x1))
        columns[key].append(char)
    lines = []
    for (turn, _), cs in sorted(columns.items()):
        cs.sort(key=lambda c: c["top"] if turn > 0 else -c["bottom"])
        lines.append(Line(
            top=min(c["top"] for c in cs) * MM, bottom=max(c["bottom"] for c in cs) * MM,
            x0=min(c["x0"] for c in cs) * MM, x1=max(c["x1"] for c in cs) * MM,
            size=max(c["x1"] - c["x0"] for c in cs), text="".join(c["text"] for c in cs),
            fonts=frozenset(c["fontname"].split("+")[-1] for c in cs),
            colors=frozenset(tuple(c.get("non_stroking_color") or ()) for c in cs), turn=turn))
    return lines


def break_was_constrained(line_text: str, next_text: str) -> bool:
    """True when line-breaking rules, not the measure, ended the line early."""
    if not next_text:
        return False
    return (next_text[0] in NO_LINE_START or next_text[0] in QUOTES
            or next_text[1:2] and (next_text[1] in NO_LINE_START or next_text[1] in QUOTES)
            or line_text[-1:] in NO_LINE_END or line_text[-1:] in QUOTES
            or bool(re.match(r"[0-9A-Za-z.%]", next_text[0])))
