"""The checklist's columns as data: one row a column, read by the templates, both writers,
the row-height estimate and diff.

A column shows in the documents it has a width for: the notice prints the whole checklist,
a unit's letter its own indicators with the unit's role and the other units instead of the
group, lead and responsible columns.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from . import style
from .markup import plain, text_width
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
    # table's width (2021's add up to the 225 mm landscape 版心), None: fitted to the text
    field: str | None = None  # the indicator's attribute it shows (diff, row heights)
    align: str = "center"  # left, center, justify
    valign: str = "middle"  # top, middle
    merged: bool = False  # a group label merged over the group's rows (领域, 任务)

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
    Column("other_leads", "其他牵头单位", {LETTER: 20}, "lead_units", align="left"),
    Column("other_responsible", "其他责任单位", {LETTER: 28}, "responsible_units",
           align="left"),
)
DEFAULT_COLUMNS = tuple(c for c in COLUMNS if NOTICE in c.widths)
# the notice's unit columns, and the letter's columns that stand in for them
UNIT_COLUMNS = {"lead_units": "other_leads", "responsible_units": "other_responsible"}
LETTER_ONLY = ("role", "other_leads", "other_responsible")
BY_KEY = {c.key: c for c in COLUMNS}
# the name and the target share one cell, so that each sub-indicator sits level with its own
# target; the rule between them is drawn inside it
MEASURE = ("name", "target")


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
        widths = fit_widths(chosen, checklist, total_mm)
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
        widths = _fitted(chosen, widths, rows)
    return tuple(Shown(c, widths[c.key]) for c in chosen)


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
            widths[c.key] = min(widths[c.key], math.ceil(max(need, head) / style.PT_PER_MM))
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
            lines = [row_lines(k, w) for k, w in zip(flexible, chosen_widths, strict=True)]
            height = sum(max(o, *ls) for o, *ls in zip(others, *lines, strict=True))
            if best is None or height < best[0]:
                best = (height, chosen_widths)
        if len(flexible) == 1:
            break
    fitted = dict(widths)
    if best:
        fitted.update(zip(flexible, (round(w, 1) for w in best[1]), strict=True))
    return {k: int(w) if float(w).is_integer() else w for k, w in fitted.items()}


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
    """Widths that share the table among the columns by how much text each holds a row, so
    that the rows come out about as tall in every column: each column at least as wide as its
    head in two lines and its longest unbreakable word, at most as wide as its longest text
    on one line, the rest in proportion to its text."""
    char_mm = style.TABLE_PT / style.PT_PER_MM
    pad_mm = 2 * style.CELL_PADDING_PT[1] / style.PT_PER_MM + 0.5
    indicators = checklist.indicators if checklist else ()
    rows = max(len(indicators), 1)
    low, high, weight = [], [], []
    for column in columns:
        texts = [_cell_text(i, column) for i in indicators]
        if column.merged:  # a label shared by its group's rows
            texts = list(dict.fromkeys(texts))
        words = [w for t in texts for w in _unbreakable(t)] or [""]
        # a head of up to four characters, and values of up to eight (a date, 约束性, ≥95%),
        # are never broken; a longer head takes two lines
        head = text_width(column.head)
        head = head if head <= 4 else math.ceil(head / 2)
        short = max((text_width(t) for t in texts), default=0)
        short = short if short <= _SHORT_CHARS else 0
        low.append(max(head, short, max(text_width(w) for w in words), 2) * char_mm + pad_mm)
        high.append(max([text_width(t) for t in texts] + [text_width(column.head)])
                    * char_mm + pad_mm)
        weight.append(max(sum(text_width(t) for t in texts) / rows, 0.1))
    widths = list(low)
    free = set(range(len(columns)))
    while free:
        room = total_mm - sum(widths)
        if room <= 0.01:
            break
        share = sum(weight[i] for i in free)
        capped = {i for i in free if widths[i] + room * weight[i] / share >= high[i]}
        if not capped:
            for i in free:
                widths[i] += room * weight[i] / share
            break
        for i in capped:
            widths[i] = max(widths[i], high[i])
        free -= capped
    if sum(widths) < total_mm:  # every column at its widest: the text column takes the rest
        widths[max(range(len(widths)), key=lambda i: weight[i])] += total_mm - sum(widths)
    if sum(widths) > total_mm:  # too many columns for the page: all narrowed alike
        widths = [w * total_mm / sum(widths) for w in widths]
    return widths


_SHORT_CHARS = 8  # characters: a value this short is kept on one line


def _unbreakable(text: str) -> list[str]:
    """The pieces of a text a line cannot break inside: runs of Latin letters and digits."""
    import re

    return re.findall(r"[0-9A-Za-z.%/()\-_^{}≤≥]+", text)


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
