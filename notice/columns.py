"""The checklist's columns as data: one row a column, read by the templates, both writers,
the row-height estimate and diff.

A column shows in the documents it has a width for: the notice prints the whole checklist,
a unit's letter its own indicators with the unit's role and the other units instead of the
group, lead and responsible columns.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import style
from .markup import UNBREAKABLE, UNBREAKABLE_EMS, plain, text_width
from .usercache import Kept
from .vocabulary import CELL_PREFIX

NOTICE, LETTER = "notice", "sheet"  # the documents that print a checklist
# the indicator's own fields; a checklist may declare columns of other fields too
KNOWN_FIELDS = ("number", "name", "sub_indicators", "target", "kind", "main_tasks", "deadline",
                "lead_units", "responsible_units", "domain", "task")


@dataclass(frozen=True)
class Column:
    key: str  # the cell's class (col-KEY) and what the shared macro prints in it
    head: str  # the head row's text
    widths: Mapping[str, float | None]  # by document, where it shows: a share of the
    # table's width (declared by a checklist that sets them), None: fitted to the text
    field: str | None = None  # the indicator's attribute it shows (diff, row heights)
    align: str = "center"  # left, center, justify
    valign: str = "middle"  # top, middle
    merged: bool = False  # a group label merged over the group's rows (领域, 任务)
    head_break: int | None = None  # characters on a two-line head's first line (None: half)

    @property
    def css_class(self) -> str:
        return CELL_PREFIX + self.key


# the columns of a checklist that declares none; the notice's widths are fitted to the text
COLUMNS: tuple[Column, ...] = (
    Column("domain", "领域", {NOTICE: None}, "domain", merged=True),
    Column("task", "任务", {NOTICE: None}, "task", merged=True),
    Column("number", "序号", {NOTICE: None, LETTER: 10}, "number"),
    Column("name", "指标名称", {NOTICE: None, LETTER: 25}, "name", align="left"),
    Column("target", "指标值", {NOTICE: None, LETTER: 21}, "target"),
    Column("kind", "指标属性", {NOTICE: None, LETTER: 16}, "kind"),
    Column("main_tasks", "主要任务", {NOTICE: None, LETTER: 77}, "main_tasks",
           align="justify", valign="top"),
    Column("deadline", "完成时限", {NOTICE: None, LETTER: 16}, "deadline"),
    Column("lead_units", "牵头单位", {NOTICE: None}, "lead_units", align="left"),
    Column("responsible_units", "责任单位", {NOTICE: None}, "responsible_units", align="left"),
    # a letter's own columns, in place of the lead and responsible columns (letter_columns)
    Column("role", "本单位职责", {LETTER: 16}),
    Column("other_leads", "其他牵头单位", {LETTER: 20}, "lead_units", align="left",
           head_break=2),
    Column("other_responsible", "其他责任单位", {LETTER: 28}, "responsible_units",
           align="left", head_break=2),
)
DEFAULT_COLUMNS = tuple(c for c in COLUMNS if NOTICE in c.widths)
# the notice's unit columns, and the letter's columns that stand in for them
UNIT_COLUMNS = {"lead_units": "other_leads", "responsible_units": "other_responsible"}
LETTER_ONLY = ("role", "other_leads", "other_responsible")
BY_KEY = {c.key: c for c in COLUMNS}
# the name and the target share one cell, so that each sub-indicator sits level with its own
# target; the rule between them is drawn inside it
MEASURE = ("name", "target")


def head_lines(column: Column, width_mm: float, size_pt: float) -> list[str]:
    """A column's head as printed in a column this wide: one line where it fits, else two
    lines broken between words (指标/属性, 其他/牵头单位), not where the cell's edge falls
    (指标属/性), when both halves fit; otherwise the head as it is, wrapped where it must."""
    head = column.head
    per_line = (width_mm * style.PT_PER_MM - 2 * style.CELL_PADDING_PT[1]
                - style.TABLE_RULE_PT) / size_pt + 1e-6
    if text_width(head) <= per_line:
        return [head]
    first = column.head_break or math.ceil(len(head) / 2)
    lines = [head[:first], head[first:]]
    return lines if all(text_width(line) <= per_line for line in lines) else [head]


@dataclass(frozen=True)
class Shown:
    """A column as one document shows it."""

    column: Column
    width: float  # mm


def columns_of(document: str, checklist=None, total_mm: float = 225.0) -> tuple[Shown, ...]:
    """The columns a document shows, in order, with their widths in mm: the checklist's
    declared columns in the notice (group columns left out when nothing is grouped), the
    letter's own in a letter; widths not declared are fitted to the text."""
    if document == NOTICE and checklist is not None and checklist.columns:
        chosen = [c for c in checklist.columns
                  if not (c.merged and not any(_labels(checklist, c.field)))]
    else:
        chosen = [c for c in COLUMNS if document in c.widths]
    widths = [c.widths.get(document) for c in chosen]
    if any(w is None for w in widths):
        key = _fit_key(chosen, checklist.indicators if checklist else (), total_mm)
        widths = _FITS.get(key)
        if widths is None:
            widths = fit_widths(chosen, checklist, total_mm)
            _FITS.put(key, widths)
    else:
        scale = total_mm / sum(widths)
        widths = [w * scale for w in widths]
    return tuple(Shown(c, round(w, 2)) for c, w in zip(chosen, widths, strict=True))


def _labels(checklist, field: str) -> list[str]:
    return [getattr(i, field) for i in checklist.indicators] if checklist else []


def letter_columns(columns: tuple[Column, ...], rows=()) -> tuple[Shown, ...]:
    """A unit's letter's columns, from the notice's: the indicator's own columns as the
    notice declares them, the unit's role and the other units instead of the group, lead and
    responsible columns; a column of other units that would be empty in every row dropped,
    and the widths fitted to the rows' text (rows: the letter's LetterRow, or none for every
    column at its declared width)."""
    own = [c for c in columns if not c.merged and c.key not in UNIT_COLUMNS
           and c.key not in LETTER_ONLY]
    keys = [c.key for c in columns]
    letter = [BY_KEY["role"]] + [BY_KEY[UNIT_COLUMNS[k]] for k in UNIT_COLUMNS if k in keys]
    if rows:  # the role where it varies (the body says it otherwise), the others where any
        letter = [c for c in letter if any(getattr(r, c.key) for r in rows)
                  and (c.key != "role" or len({r.role for r in rows}) > 1)]
    chosen = own + letter
    widths = {c.key: _letter_width(c) for c in chosen}
    if rows:
        # letters with the same rows (a task list sent to several units) are fitted once a
        # process (a build, or a watch across its builds)
        key = _fit_key(chosen, widths, rows)
        fitted = _FITS.get(key)
        if fitted is None:
            fitted = _fitted(chosen, widths, rows)
            _FITS.put(key, fitted)
        widths = fitted
    return tuple(Shown(c, widths[c.key]) for c in chosen)


def _fit_key(*inputs) -> str:
    """What fitted widths depend on: the inputs as Python writes them, and the code."""
    import hashlib

    from .cache import code_fingerprint

    return hashlib.sha256(f"{code_fingerprint()}{inputs!r}".encode()).hexdigest()


# the widths fitted to a table's text, kept from run to run (and letters with the same rows,
# as the districts' of one task list, fitted once): the notice's as a list, a letter's by key
_FITS = Kept(lambda: "widths", 2000, lambda widths: all(
    isinstance(w, int | float) for w in (widths.values() if isinstance(widths, dict)
                                         else widths if isinstance(widths, list) else [None])))


_FLEXIBLE = ("main_tasks", "other_leads", "other_responsible")  # widths fitted to the text
_MIN_FLEXIBLE_MM = 20
_NARROW_KEYS = ("number", "kind", "deadline", "role")  # as narrow as their longest text


def _fitted(chosen, widths: dict, rows) -> dict:
    """Widths that make the rows as short as they can be: the landscape 版心's width less
    the fixed columns, shared among the flexible ones to least total row height."""
    top, right, bottom, left = style.LANDSCAPE_MARGINS_MM
    total = style.PAGE_HEIGHT_MM - left - right
    flexible = [c.key for c in chosen if c.key in _FLEXIBLE or c.key not in BY_KEY]
    widths = dict(widths)
    padding = 2 * style.CELL_PADDING_PT[1] + style.TABLE_RULE_PT
    for c in chosen:  # short columns as narrow as their text (a head may take two lines)
        if c.key in _NARROW_KEYS:
            values = [_row_text(r, c.key) for r in rows]
            need = max(text_width(v) for v in values) * style.LETTER_TABLE_PT + padding
            lines = 2 if text_width(c.head) > 3 else 1
            head = math.ceil(text_width(c.head) / lines) * style.LETTER_TABLE_PT + padding
            # but never narrower than a date or code a line may not break (2025年12月31日)
            whole = max([text_width(p) for v in values for p in _unbreakable(v)
                         if text_width(p) <= UNBREAKABLE_EMS] + [0])
            whole = whole * style.LETTER_TABLE_PT + padding
            widths[c.key] = max(min(widths[c.key], math.ceil(max(need, head) / style.PT_PER_MM)),
                                math.ceil(whole / style.PT_PER_MM))
    spare = total - sum(w for k, w in widths.items() if k not in flexible)
    text_widths = {k: [text_width(_row_text(r, k)) for r in rows] for k in flexible}

    @functools.cache  # the same column at the same width comes back in many splits
    def row_lines(key: str, width: float) -> list[int]:
        padding = 2 * style.CELL_PADDING_PT[1]
        per_line = max((width * style.PT_PER_MM - padding) // style.LETTER_TABLE_PT, 1)
        return [math.ceil(w / per_line) for w in text_widths[key]]

    def measure_lines(indicator) -> int:  # the name/target pairs, each as tall as its taller
        pairs = [(indicator.name, indicator.target)] + [
            (sub.name, sub.target) for sub in indicator.sub_indicators]
        return sum(max(_lines(name, widths.get("name", 0)), _lines(target,
                                                                  widths.get("target", 0)))
                   for name, target in pairs)

    others = [measure_lines(r.indicator) for r in rows]

    def height(chosen_widths) -> int:
        lines = [row_lines(k, w) for k, w in zip(flexible, chosen_widths, strict=True)]
        return sum(max(o, *ls) for o, *ls in zip(others, *lines, strict=True))

    if not flexible:
        return widths
    if len(flexible) > 3:  # too many ways to share: widen one column at a time
        best = _widened(len(flexible), spare, height)
        fitted = dict(widths)
        fitted.update(zip(flexible, (round(w, 1) for w in best), strict=True))
        return {k: int(w) if float(w).is_integer() else w for k, w in fitted.items()}
    best = None
    steps = range(_MIN_FLEXIBLE_MM, int(spare) - _MIN_FLEXIBLE_MM * (len(flexible) - 1) + 1, 2)
    for first in steps:
        rest = spare - first
        splits = ([(rest,)] if len(flexible) == 2 else
                  [()] if len(flexible) == 1 else
                  [(w, rest - w) for w in range(_MIN_FLEXIBLE_MM,
                                                int(rest) - _MIN_FLEXIBLE_MM + 1, 2)])
        if len(flexible) == 1:
            first, rest = spare, 0
        for split in splits:
            chosen_widths = (first, *split)
            rows_height = height(chosen_widths)
            if best is None or rows_height < best[0]:
                best = (rows_height, chosen_widths)
        if len(flexible) == 1:
            break
    fitted = dict(widths)
    if best:
        fitted.update(zip(flexible, (round(w, 1) for w in best[1]), strict=True))
    return {k: int(w) if float(w).is_integer() else w for k, w in fitted.items()}


def _widened(count: int, spare: float, height) -> list[float]:
    """Widths of `count` flexible columns sharing `spare` mm: each from the least width, 2 mm
    at a time to the column that shortens the rows most (the first, where none does), what
    is left under 2 mm to the first."""
    widths = [float(_MIN_FLEXIBLE_MM)] * count
    left = spare - _MIN_FLEXIBLE_MM * count
    while left >= 2:
        tries = [height([w + 2 * (n == m) for m, w in enumerate(widths)]) for n in range(count)]
        widths[tries.index(min(tries))] += 2
        left -= 2
    widths[0] += max(left, 0)
    return widths


def _lines(text: str | None, width_mm: float) -> int:
    """Lines a text takes in a letter's cell of this width."""
    if not text or not width_mm:
        return 1
    padding = 2 * style.CELL_PADDING_PT[1]
    per_line = max((width_mm * style.PT_PER_MM - padding) // style.LETTER_TABLE_PT, 1)
    return math.ceil(text_width(plain(text)) / per_line)


def _row_text(row, key: str) -> str:
    if key in LETTER_ONLY:
        value = getattr(row, key)
        return value if isinstance(value, str) else "、".join(value)
    value = row.indicator.value(BY_KEY[key].field if key in BY_KEY else key)
    return plain(getattr(value, "text", None) or str(value or ""))


def _letter_width(column: Column) -> float:
    """A column's width in a letter before fitting: the letter's own, or the notice's."""
    default = BY_KEY.get(column.key, column).widths
    return (column.widths.get(LETTER) or default.get(LETTER) or column.widths.get(NOTICE)
            or default.get(NOTICE) or _OWN_FIELD_MM)


_OWN_FIELD_MM = 20  # a column of a field the checklist declares, before fitting




def width_of(shown: tuple[Shown, ...], key: str) -> float:
    """The width a document gives a column (0 when it does not show it)."""
    return next((s.width for s in shown if s.column.key == key), 0.0)


def _cell_text(indicator, column: Column) -> str:
    """What a cell of the column prints for the indicator, as one run of text."""
    field = column.field or ""
    if field == "name":
        return "".join([indicator.name or ""] + [s.name or "" for s in indicator.sub_indicators])
    if field == "target":
        return "".join([indicator.target or ""]
                       + [s.target or "" for s in indicator.sub_indicators])
    value = indicator.value(field) if field else ""
    if isinstance(value, tuple):
        return "、".join(value)
    return plain(str(getattr(value, "text", value))) if value is not None else ""


def fit_widths(columns, checklist, total_mm: float) -> list[float]:
    """Widths that make the checklist as short as they can: each column at least as wide as
    its head (in two lines when longer than four characters), its longest unbreakable piece
    (a date, a code, a number with its unit) and its values of up to eight characters on one
    line; the width left given, a millimetre or a few at a time, to the column where it
    takes the most height off the rows (a row is as tall as its tallest cell), and what no
    column can use in proportion to each column's text."""
    indicators = checklist.indicators if checklist else ()
    low = [_least_width(column, indicators) for column in columns]
    if sum(low) >= total_mm:  # too many columns for the page: all narrowed alike
        return [w * total_mm / sum(low) for w in low]
    table = _RowHeights(columns, indicators)
    widths = list(low)
    while total_mm - sum(widths) >= 0.5:
        room = total_mm - sum(widths)
        cells = table.cells_at(widths)
        now = sum(max(row) for row in cells)
        best = None  # (height saved a mm, column, mm added)
        for n, column in enumerate(columns):
            if column.merged or n == table.target_at:  # the target moves with the name
                continue
            tried = [n] if n != table.name_at else [n, table.target_at]
            for at in [a for a in tried if a is not None]:
                others = [max((h for m, h in enumerate(row) if m not in table.coupled(at)),
                              default=0) for row in cells]

                def height(more, at=at, others=others):
                    trial = list(widths)
                    trial[at] += more
                    return sum(max(o, table.cell(r, at, trial))
                               for r, o in enumerate(others))

                if height(room) >= now:  # nothing to gain, however wide
                    continue
                for more in _steps(room):
                    saved = now - height(more)
                    if saved > 0:
                        if best is None or saved / more > best[0]:
                            best = (saved / more, at, more)
                        break  # the least width that saves anything, for this column
        if best is None:
            break
        widths[best[1]] += best[2]
    room = total_mm - sum(widths)
    weight = [0.0 if c.merged else max(table.text(n), 0.1) for n, c in enumerate(columns)]
    return [w + room * k / sum(weight) for w, k in zip(widths, weight, strict=True)]


def _steps(room: float):
    """The widths tried as an addition to a column: half millimetres, up to what is left."""
    more = 0.5
    while more < room:
        yield more
        more += 0.5
    yield room


_SHORT_CHARS = 8  # characters: a value this short is kept on one line
_LABEL_LINES = 4  # a merged group label in at most this many lines
_UNIT_CHARS = 10  # a lead unit's name this short is kept on its line
# a cell's padding and rule, and half a millimetre so that a line of exactly its width fits
_PAD_MM = (2 * style.CELL_PADDING_PT[1] + style.TABLE_RULE_PT) / style.PT_PER_MM + 0.5
# the checklist's rows split across pages (split-rows), set in 小五 in every document
_CELL_PT, _LINE_PT = style.LETTER_TABLE_PT, style.LETTER_TABLE_LINE_PT


def _least_width(column: Column, indicators) -> float:
    """The narrowest a column may be (mm): head, unbreakable pieces, short values whole."""
    char_mm = _CELL_PT / style.PT_PER_MM
    texts = [_cell_text(i, column) for i in indicators]
    if column.merged:  # a label shared by its group's rows
        texts = list(dict.fromkeys(texts))
    # a longer run of letters and digits (a URL) is broken where it must (overflow-wrap)
    pieces = [text_width(p) for t in texts for p in _unbreakable(t)
              if text_width(p) <= UNBREAKABLE_EMS] or [0]
    head = text_width(column.head)
    head = head if head <= 4 else math.ceil(head / 2)
    longest = max((text_width(t) for t in texts), default=0)
    short = longest if longest <= _SHORT_CHARS and not column.merged else 0
    label = math.ceil(longest / _LABEL_LINES) if column.merged else 0
    if column.field == "lead_units":  # one unit a line: each name whole when not long
        short = max([text_width(u) for i in indicators for u in i.lead_units
                     if text_width(u) <= _UNIT_CHARS] + [0])
    return max(head, short, max(pieces), label, 2) * char_mm + _PAD_MM


class _RowHeights:
    """The rows' heights (pt) the columns' widths give, from the cells' wrapped lines."""

    def __init__(self, columns, indicators):
        self.columns, self.indicators = columns, indicators
        keys = [c.key for c in columns]
        self.name_at = keys.index("name") if "name" in keys else None
        self.target_at = keys.index("target") if "target" in keys else None
        self.cells = [[_cell_lines_text(i, c) for c in columns] for i in indicators]

    def text(self, n: int) -> float:
        return sum(text_width("".join(row[n])) for row in self.cells) / max(len(self.cells), 1)

    def coupled(self, n: int) -> tuple:
        """The columns whose cell heights change with column n's width."""
        return (self.name_at, self.target_at) if n in (self.name_at, self.target_at) else (n,)

    def cells_at(self, widths) -> list[list[float]]:
        """Each row's cells' heights (the measure cell's under the name's column)."""
        return [[self.cell(r, n, widths) if n != self.target_at else 0.0
                 for n in range(len(self.columns))] for r in range(len(self.cells))]

    def cell(self, r: int, n: int, widths) -> float:
        if n in (self.name_at, self.target_at):
            return self.measure(self.indicators[r], widths)
        if self.columns[n].merged:
            return 0.0
        lines = sum(_wrapped(t, widths[n]) for t in self.cells[r][n])
        return lines * _LINE_PT + 2 * style.CELL_PADDING_PT[0]

    def measure(self, indicator, widths) -> float:
        """The name/target pairs, a target shared by the sub-indicators under it beside
        their names (as the template sets them)."""
        pad = 2 * style.CELL_PADDING_PT[0]
        name_mm = widths[self.name_at]
        target_mm = widths[self.target_at] if self.target_at is not None else 0
        indent = _CELL_PT / style.PT_PER_MM
        pairs = [(indicator.name, indicator.target, 0.0)] + [
            (s.name, s.target, indent) for s in indicator.sub_indicators]
        groups: list[list] = []  # [name lines, names, shared target]
        for n, (name, value, inset) in enumerate(pairs):
            lines = _wrapped(plain(name or ""), name_mm - inset)
            if n and not value and groups and groups[-1][2]:  # shares the target above
                groups[-1][0] += lines
                groups[-1][1] += 1
            else:
                groups.append([lines, 1, plain(value or "")])
        return sum(max(lines * _LINE_PT + names * pad,
                       _wrapped(target, target_mm) * _LINE_PT + pad)
                   for lines, names, target in groups)


def _cell_lines_text(indicator, column: Column) -> list[str]:
    """A cell's text as the paragraphs it is set in (lead units one a line)."""
    if column.field == "lead_units":
        return list(indicator.lead_units) or [""]
    return [_cell_text(indicator, column)]


@functools.cache
def _wrapped(text: str, width_mm: float) -> int:
    """Lines a text takes in a cell of this width: unbreakable pieces kept whole, Chinese
    characters a full 小五 em and Latin ones half."""
    if not text:
        return 0
    room = (width_mm - _PAD_MM) * style.PT_PER_MM / _CELL_PT  # ems a line
    lines, used = 1, 0.0
    for wide in _piece_widths(text):
        if used + wide > room + 1e-6 and used:
            lines += 1
            used = 0.0
        used += wide
    return lines


@functools.cache
def _piece_widths(text: str) -> tuple[float, ...]:
    """The widths of _pieces, in ems (measured once a text, tried at many widths)."""
    return tuple(text_width(piece) for piece in _pieces(text))


@functools.cache
def _pieces(text: str) -> tuple[str, ...]:
    """The text as what a line may not break inside: unbreakable runs and single
    characters, a closing mark kept with the character before it."""
    out: list[str] = []
    at = 0
    for match in _UNBREAKABLE_RUN.finditer(text):
        out.extend(text[at:match.start()])
        out.append(match.group())
        at = match.end()
    out.extend(text[at:])
    merged: list[str] = []
    for piece in out:
        if merged and piece in _NO_LINE_START:
            merged[-1] += piece
        else:
            merged.append(piece)
    return tuple(merged)


_NO_LINE_START = set("，。、；：？！）》〉】」』”’%")


def _unbreakable(text: str) -> list[str]:
    """The pieces of a text a line cannot break inside: runs of Latin letters and digits,
    dates, numbers with their units, standards' codes."""
    return _UNBREAKABLE_RUN.findall(text)


_UNBREAKABLE_RUN = re.compile(UNBREAKABLE.pattern + r"|[0-9A-Za-z.%/()\-_^{}≤≥]+")


def diff_fields() -> tuple[tuple[str, str], ...]:
    """(field, head) that diff compares: the indicator's own columns, its sub-indicators after
    its name, the merged group labels last."""
    own = [(c.field, c.head) for c in COLUMNS
           if c.field and not c.merged and NOTICE in c.widths]
    at = [f for f, _ in own].index("name") + 1
    own.insert(at, ("sub_indicators", "分项指标"))
    return tuple(own + [(c.field, c.head) for c in COLUMNS if c.merged])


_ROW_KEPT_WHOLE = 0.75  # of a landscape page's height: a row estimated taller may break


def may_break(indicator, shown: tuple[Shown, ...]) -> bool:
    """Whether an indicator's row may be too tall for a landscape page, so that it is let
    break across pages: WeasyPrint pushes a whole row that does not fit on to the next page,
    and there loses the text of one taller than the page. The estimate errs on the tall side:
    a row of three quarters of a page counts as one that may not fit."""
    def lines(text: str | None, field: str) -> int:
        width = min((s.width for s in shown if s.column.field == field), default=0)
        if not width:
            return 0
        padding = 2 * style.CELL_PADDING_PT[1]
        per_line = (width * style.PT_PER_MM - padding) // style.TABLE_PT
        return math.ceil(text_width(plain(text or "")) / max(per_line, 1))

    measure = [(indicator.name, indicator.target)] + [
        (sub.name, sub.target) for sub in indicator.sub_indicators]
    tallest = max(
        lines(indicator.main_tasks, "main_tasks"),
        sum(max(lines(name, "name") + 1, lines(target, "target")) for name, target in measure),
        sum(lines(unit, "lead_units") for unit in indicator.lead_units),
        lines("、".join(indicator.responsible_units), "responsible_units"),
    )
    top, _right, bottom, _left = style.LANDSCAPE_MARGINS_MM
    page_pt = (style.PAGE_WIDTH_MM - top - bottom) * style.PT_PER_MM  # the turned page's 版心
    return tallest * style.TABLE_LINE_PT > _ROW_KEPT_WHOLE * page_pt
