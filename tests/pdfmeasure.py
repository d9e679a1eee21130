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


@dataclass(frozen=True)
class Rule:
    """A drawn rule of a table: its box in mm from the page's top left."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def vertical(self) -> bool:
        return self.bottom - self.top > self.x1 - self.x0

    @property
    def width(self) -> float:
        """Its thickness (mm)."""
        return min(self.x1 - self.x0, self.bottom - self.top)


def drawn_rules(path, page_number: int) -> list[Rule]:
    """The rules WeasyPrint draws on a page: each side of a cell's (or table's) border is a
    ring filled even-odd (outer and inner rectangle, `re re f*`) under a clip of that side's
    trapezoid; the side drawn is the clip's box. Read from the content stream, the current
    transformation matrix followed through q/Q and cm; an unpainted (transparent) side is not
    drawn at all. Other fills (a gradient drawing a rule, say) are returned too, as the boxes
    they fill, so that a test sees every rule however it is drawn."""
    import pikepdf

    def apply(m, x, y):
        return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]

    def times(a, b):  # a then b
        return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
                a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
                a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]

    with pikepdf.open(path) as pdf:
        page = pdf.pages[page_number - 1]
        height = float(page.MediaBox[3])
        ctm, stack, path_points, clip, fills = [1, 0, 0, 1, 0, 0], [], [], None, []
        clips, pattern = [], False  # pattern: the fill colour is a pattern (a gradient)
        alpha = 1.0  # the fill's opacity (a transparent border is filled with none)
        states = page.Resources.get("/ExtGState", {})
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            args = [float(a) for a in operands] if op in ("cm", "m", "l", "re") else []
            if op == "q":
                stack.append((ctm, clip, pattern, alpha))
            elif op == "Q":
                ctm, clip, pattern, alpha = stack.pop()
            elif op == "gs":
                alpha = float(states[str(operands[0])].get("/ca", alpha))
            elif op == "cs":
                pattern = str(operands[0]) == "/Pattern"
            elif op in ("rg", "g", "k"):
                pattern = False
            elif op == "cm":
                ctm = times(args, ctm)
            elif op in ("m", "l"):
                path_points.append(apply(ctm, *args))
            elif op == "re":
                x, y, w, h = args
                path_points += [apply(ctm, x, y), apply(ctm, x + w, y + h)]
            elif op in ("W", "W*"):
                clips.append(list(path_points))
            elif op == "n":
                if clips and clips[-1] == path_points:
                    clip = clips.pop()
                path_points = []
            elif op in ("f", "f*", "F", "B", "B*"):
                if alpha > 0:
                    fills.append((clip if clip else path_points, pattern))
                path_points = []
            elif op in ("S", "s"):
                path_points = []
    rules = []
    for points, patterned in fills:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        rule = Rule(min(xs) * MM, (height - max(ys)) * MM, max(xs) * MM, (height - min(ys)) * MM)
        if rule.width < 2 or patterned:  # a rule, or a gradient that may draw one
            rules.append(rule)
    return rules


def glyphs_and_rules(path, page_number: int) -> tuple[list[dict], list[Rule]]:
    """A page's characters (boxes in mm: x0, x1, top, bottom) and its drawn rules."""
    with pdfplumber.open(path) as pdf:
        chars = [dict(text=c["text"], size=c["size"], x0=c["x0"] * MM, x1=c["x1"] * MM,
                      top=c["top"] * MM, bottom=c["bottom"] * MM)
                 for c in pdf.pages[page_number - 1].chars if not _turn(c)]
    return chars, drawn_rules(path, page_number)


def crossings(chars: list[dict], rules: list[Rule]) -> list[tuple[str, Rule]]:
    """The characters whose boxes overlap a rule (by more than 0.01 mm)."""
    return [(c["text"], r) for c in chars for r in rules
            if min(c["x1"], r.x1) - max(c["x0"], r.x0) > 0.01
            and min(c["bottom"], r.bottom) - max(c["top"], r.top) > 0.01]


def side_gaps(chars: list[dict], rules: list[Rule]) -> list[float]:
    """For each character beside a vertical rule (level with it), the space between its
    box and the nearest such rule on either side (mm)."""
    gaps = []
    for c in chars:
        level = [r for r in rules if r.vertical and r.top < c["bottom"] and r.bottom > c["top"]]
        left = [c["x0"] - r.x1 for r in level if r.x1 <= c["x0"] + 0.01]
        right = [r.x0 - c["x1"] for r in level if r.x0 >= c["x1"] - 0.01]
        gaps += [min(left)] if left else []
        gaps += [min(right)] if right else []
    return gaps


@dataclass
class Cell:
    """The text of one table cell as printed: characters between the same two vertical rules
    and under the same horizontal one, in lines (text, top, bottom in mm)."""

    column: int  # how many vertical rules lie left of it
    x0: float  # its left rule (mm)
    x1: float  # its right rule (mm)
    lines: list[tuple[str, float, float]]

    @property
    def text(self) -> str:
        return "".join(text for text, _, _ in self.lines)


def table_cells(chars: list[dict], rules: list[Rule]) -> list[Cell]:
    """The cells of a page's table, left to right, top to bottom."""
    verticals = sorted({round(r.x0, 1) for r in rules if r.vertical})
    found: dict[tuple, list] = defaultdict(list)
    for c in chars:
        middle_x, middle_y = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        column = sum(1 for x in verticals if x < middle_x)
        if not 0 < column < len(verticals):
            continue  # outside the table
        above = [r.bottom for r in rules if not r.vertical and r.x0 < middle_x < r.x1
                 and r.bottom <= middle_y]
        if above:
            found[(column, round(max(above), 1))].append(c)
    cells = []
    for (column, _), members in sorted(found.items()):
        rows: dict[float, list] = defaultdict(list)
        for c in members:
            top = next((t for t in rows if abs(t - c["top"]) < 1.2), c["top"])
            rows[top].append(c)
        lines = [("".join(c["text"] for c in sorted(rows[t], key=lambda c: c["x0"])),
                  min(c["top"] for c in rows[t]), max(c["bottom"] for c in rows[t]))
                 for t in sorted(rows)]
        cells.append(Cell(column, verticals[column - 1], verticals[column], lines))
    return cells


def wide_gaps(chars: list[dict], rules: list[Rule]) -> list[tuple[str, float]]:
    """Spaces wider than one character between neighbouring glyphs of one line of a cell:
    (the text around the gap, the gap in characters of the line's size)."""
    verticals = [r for r in rules if r.vertical]
    found = []
    rows: dict[float, list] = defaultdict(list)
    for c in chars:
        top = next((t for t in rows if abs(t - c["top"]) < 0.5), c["top"])
        rows[top].append(c)
    for line in rows.values():
        line.sort(key=lambda c: c["x0"])
        for a, b in zip(line, line[1:], strict=False):
            gap = b["x0"] - a["x1"]
            if any(a["x1"] - 0.01 <= r.x0 and r.x1 <= b["x0"] + 0.01
                   and r.top < a["bottom"] and r.bottom > a["top"] for r in verticals):
                continue  # the glyphs are in two cells
            size = max(a["size"], b["size"]) * MM
            if gap > size + 0.01:
                found.append((a["text"] + "␣" + b["text"], round(gap / size, 2)))
    return found
