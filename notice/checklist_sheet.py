"""Reads the checklist's rows back from a workbook as a clerk left it: each value as it was
meant (shared strings, rich text, dates as serial numbers, stray spaces), each fault located
by its cell."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from .checklist_xlsx import GROUPS, UNIT_FIELDS
from .errors import ContentError, Problem

# spaces a clerk leaves around a value: ordinary, full-width (U+3000), no-break, tab
_SPACES = " \t\u3000\u00a0"
# the separators a clerk types between unit names: 、 as exported, and commas and semicolons
_NAMES = re.compile(r"[、，,；;\n]")
_TASK = re.compile(r"^[（(]\s*([〇零一二三四五六七八九十百]+)\s*[）)]\s*(.*)$", re.S)
# Chinese date formats that Excel and WPS store by number only (zh-CN built-in ids)
_CJK_DATE_IDS = set(range(27, 37)) | set(range(50, 59))
_HEAD_ROWS = 10  # the head is looked for in the first rows


@dataclass(frozen=True)
class CellProblem(Problem):
    """A fault of the workbook, located as FILE.xlsx!Sheet!D14 (file is FILE.xlsx!Sheet,
    line the row, column the column); row 0 is the sheet as a whole. Sorted row by row,
    among the problems of content files too."""

    def _key(self) -> tuple:
        return (self.file, self.line, self.column, self.where, self.what)

    def __lt__(self, other: Problem) -> bool:
        return self._key() < (other.file, other.line, other.column, other.where, other.what)

    def __gt__(self, other: Problem) -> bool:
        return self._key() > (other.file, other.line, other.column, other.where, other.what)

    def __str__(self) -> str:
        place = f"{self.file}!{get_column_letter(self.column)}{self.line}" if self.line \
            else self.file
        return str(Problem(place, 0, 0, self.where, self.what))


@dataclass
class SheetRows:
    """What a sheet holds: its title, the column of each field, one dict an indicator."""

    place: str  # FILE.xlsx!Sheet
    title: str | None
    columns: dict[str, int]  # field → column number
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (sheet row, values)
    problems: list[CellProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bad_cells: set[tuple[int, int]] = field(default_factory=set)

    def fail(self, row: int, column: int, where: str, what: str) -> None:
        self.problems.append(CellProblem(self.place, row, column, where, what))
        self.bad_cells.add((row, column))


def open_workbook(path: Path, shown: str):
    try:
        return load_workbook(path, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable file is the clerk's to fix
        raise ContentError([Problem(shown, 0, 0, "", "cannot be read as an XLSX workbook; "
                                    "open it in Excel, WPS or LibreOffice and save it as "
                                    "Excel 2007-365 (.xlsx)")]) from None


def read_sheet(book, shown: str, fields: list[tuple[str, str]]) -> SheetRows:
    """The rows of the first sheet that names the checklist's fields in a row (the hidden
    row under the heads), or failing that its heads."""
    wanted = {f for f, _ in fields}
    heads = {h: f for f, h in fields}
    found = None
    for by in ("field", "head"):
        for sheet in book.worksheets:
            for r in range(1, min(sheet.max_row, _HEAD_ROWS) + 1):
                values = [_plain(c.value) for c in sheet[r]]
                names = values if by == "field" else [heads.get(v) for v in values]
                if len({n for n in names if n in wanted}) >= min(len(wanted), 2) \
                        and (by == "head" or all(n in wanted for n in names if n)):
                    found = (sheet, r, names, 1 if by == "field" else 0)
                    break
            if found:
                break
        if found:
            break
    if not found:
        place = f"{shown}!{book.worksheets[0].title}"
        raise ContentError([CellProblem(place, 0, 0, "", "no row names the checklist's "
                                        "columns (the heads " + "、".join(heads)
                                        + "); export the checklist again and copy the "
                                        "changes into it")])
    sheet, at, names, hidden = found
    head_row = at - hidden
    title_cell = sheet.cell(head_row - 1, 1) if head_row > 1 else None
    read = SheetRows(f"{shown}!{sheet.title}", None, {})
    if title_cell is not None:
        read.title = _lines(read, title_cell, "title") or None
    for n, name in enumerate(names, start=1):
        if name in wanted and name not in read.columns:
            read.columns[name] = n
        elif _plain(sheet.cell(head_row, n).value):
            read.notes.append(f"column {get_column_letter(n)} "
                              f"({_plain(sheet.cell(head_row, n).value)}) is not a column of "
                              "the checklist; it was left out")
    for f, head in fields:
        if f not in read.columns:
            read.fail(0, 0, "", f'the column "{head}" ({f}) is missing; add it back (export '
                      "the checklist again to see where it goes)")
    merged = _merges(read, sheet, at + 1)
    domains = _rows(read, sheet, at + 1, merged)
    _check_tasks(read, sheet, merged, domains)
    return read


def _merges(read: SheetRows, sheet, first: int) -> dict[tuple[int, int], tuple[int, int]]:
    """Each cell of a merged region below the head → the region's first cell; a region that
    is not a 领域 or 任务 running down its column is a problem."""
    groups = {read.columns[g] for g in GROUPS if g in read.columns}
    found = {}
    for region in sheet.merged_cells.ranges:
        if region.max_row < first:
            continue
        top, left = region.min_row, region.min_col
        if region.min_col != region.max_col or top < first or left not in groups:
            read.fail(max(top, first), left, "", f"the cells {region.coord} are merged; only "
                      "领域 and 任务 cells may be merged, down their column: unmerge them and "
                      "give each row its own value")
            read.bad_cells.update((r, c) for r in range(top, region.max_row + 1)
                                  for c in range(left, region.max_col + 1))
            continue
        for r in range(top, region.max_row + 1):
            found[(r, left)] = (top, left)
    return found


def _rows(read: SheetRows, sheet, first: int, merged) -> dict[int, str]:
    """One dict an indicator row (rows with nothing but a group label are left out); the
    领域 of each row."""
    domain = task = None
    seen: dict[int, int] = {}
    domains: dict[int, str] = {}
    for r in range(first, sheet.max_row + 1):
        row: dict = {}
        for f, n in read.columns.items():
            if f in GROUPS:
                continue
            value = _value(read, sheet, r, n, f)
            if value not in (None, "", ()):
                row[f] = value
        if not row and all((r, n) not in read.bad_cells for n in read.columns.values()):
            continue
        labels = {}
        for g in GROUPS:
            if g in read.columns:
                n = read.columns[g]
                top = merged.get((r, n), (r, n))
                labels[g] = _lines(read, sheet.cell(*top), g, report=top == (r, n))
        if "domain" in labels:
            given = labels["domain"]
            if not given and domain is None:
                read.fail(r, read.columns["domain"], "", "is empty; write the 领域 (the rows "
                          "below share it until another is written)")
            if given and given != domain:
                task = None
            domain = given or domain or "?"  # "?": reported above, stands in
            row["domain"] = domains[r] = domain
        if "task" in labels:
            task = labels["task"] or task or ""
            if task:
                row["task"] = task
        _number(read, sheet, r, row, seen)
        _name_cells(read, r, row)
        _pair(read, r, row)
        read.rows.append((r, row))
    return domains


def _name_cells(read: SheetRows, r: int, row: dict) -> None:
    """A formula or an error value found before the row's number was read is named as the
    other problems are: indicator 13: deadline."""
    fields = {n: f for f, n in read.columns.items() if f not in GROUPS}
    label = f"indicator {row['number']}" if "number" in row else "indicator"
    read.problems = [replace(p, where=f"{label}: {fields[p.column]}")
                     if p.line == r and not p.where and p.column in fields
                     and p.what.startswith("holds ") else p
                     for p in read.problems]


def _pair(read: SheetRows, r: int, row: dict) -> None:
    """The name cell's lines: the name, then a sub-indicator a line; the target cell's: the
    indicator's target (the first line may be empty), then each sub-indicator's."""
    names = row.pop("name", "").split("\n")
    targets = row.pop("target", "").split("\n")
    if names[0]:
        row["name"] = names[0]
    if targets[0]:
        row["target"] = targets[0]
    where = f"indicator {row['number']}" if "number" in row else "indicator"
    if len(targets) > len(names) and "target" in read.columns:
        read.fail(r, read.columns["target"], f"{where}: target", f"has {len(targets)} lines "
                  f"but the name has {len(names) - 1} sub-indicators under it; the lines "
                  "after the first are the targets of the sub-indicators on the same lines "
                  "of the name")
    subs = tuple((name, targets[k] if k < len(targets) and targets[k] else None)
                 for k, name in enumerate(names) if k)
    if subs:
        row["sub_indicators"] = subs


def _check_tasks(read: SheetRows, sheet, merged, domains: dict[int, str]) -> None:
    """A merged 任务 region must lie within one 领域."""
    if "task" not in read.columns:
        return
    n = read.columns["task"]
    for region in sheet.merged_cells.ranges:
        if (region.min_row, n) not in merged.values() or region.min_col != n:
            continue
        names = list(dict.fromkeys(domains[r] for r in range(region.min_row, region.max_row + 1)
                                   if r in domains))
        if len(names) > 1:
            read.fail(region.min_row, n, "", f"the merged cells {region.coord} run over two 领域 "
                      f"(\"{names[0]}\" and \"{names[1]}\"); a 任务 belongs to one 领域: "
                      "unmerge them where the 领域 changes")


def _number(read: SheetRows, sheet, r: int, row: dict, seen: dict[int, int]) -> None:
    if "number" not in read.columns:
        return
    n = read.columns["number"]
    value = row.get("number")
    if value is None:
        if (r, n) not in read.bad_cells:
            read.fail(r, n, "indicator: number", "is empty; write a whole number")
        return
    typed = unicodedata.normalize("NFKC", str(value)).strip()
    if isinstance(value, float) and value.is_integer():
        typed = str(int(value))
    if not re.fullmatch(r"[0-9]+", typed):
        read.fail(r, n, "indicator: number", f'"{value}" is not a whole number; write it '
                  "with the digits 0-9")
        del row["number"]
        return
    number = row["number"] = int(typed)
    if number in seen:
        read.fail(r, n, f"indicator {number}: number", f"{number} is used twice (first in "
                  f"row {seen[number]}); numbers must be unique and increasing")
    seen.setdefault(number, r)


def _value(read: SheetRows, sheet, r: int, n: int, f: str):
    """A cell's value for a field: the number as typed, the name with its sub-indicators,
    the target with theirs, a list of unit names, or a text."""
    cell = sheet.cell(r, n)
    if f == "number":
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
            return cell.value
        return _lines(read, cell, f) or None
    text = _lines(read, cell, f, keep_lines=f in ("name", "target"))
    if f in UNIT_FIELDS:
        return tuple(x.strip(_SPACES) for x in _NAMES.split(text) if x.strip(_SPACES))
    return text


def _lines(read: SheetRows, cell, f: str, keep_lines: bool = False, report: bool = True) -> str:
    """The text a cell holds, as the clerk meant it: each line without the spaces around it
    (full-width ones too), line breaks as \\n, a date as the Chinese date its format shows,
    a number as its format shows it. A formula or an error value is a problem."""
    value = cell.value
    where = "title" if f == "title" else ""
    if cell.data_type == "f" or isinstance(value, (ArrayFormula, DataTableFormula)):
        if report:
            formula = value.text if isinstance(value, ArrayFormula) else value
            read.fail(cell.row, cell.column, where, f"holds a formula ({formula}); type the "
                      "value itself (copy the cell and paste it as values only)")
        return ""
    if cell.data_type == "e":
        if report:
            read.fail(cell.row, cell.column, where, f"holds the error value {value}; type the "
                      "value itself")
        return ""
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        text = _date(value, cell.number_format)
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, (int, float)):
        text = _number_text(value, cell)
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    lines = [line.strip(_SPACES) for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    if not keep_lines:
        while lines and not lines[0]:
            lines.pop(0)
    return "\n".join(lines)


def _date(value, number_format: str) -> str:
    """2021年3月31日, 2021年3月 or 2021年, as much as the cell's format shows."""
    shown = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format or "").lower()
    if "d" in shown or number_format in ("General", ""):
        return f"{value.year}年{value.month}月{value.day}日"
    if "m" in shown:
        return f"{value.year}年{value.month}月"
    return f"{value.year}年"


def _number_text(value, cell) -> str:
    """A number as the cell shows it: a date stored by its serial number, 95% for 0.95 in a
    percent format, the decimals its format gives, else as short as it is."""
    style_id = cell._style.numFmtId if cell.has_style else 0  # the id, not its format
    if style_id in _CJK_DATE_IDS and value > 0:
        day = from_excel(value)
        formats = {27: "m", 28: "d", 29: "d", 30: "d", 31: "d", 32: "h", 33: "h", 34: "h",
                   35: "h", 36: "m", 50: "m", 51: "d", 52: "m", 53: "d", 54: "d", 55: "h",
                   56: "h", 57: "m", 58: "d"}
        if formats[style_id] in "md":
            return _date(day, "yyyy-m" if formats[style_id] == "m" else "yyyy-m-d")
    fmt = cell.number_format or "General"
    match = re.fullmatch(r"0(?:\.(0+))?(%?)", fmt)
    if match:
        decimals = len(match.group(1) or "")
        scaled = value * 100 if match.group(2) else value
        return f"{scaled:.{decimals}f}{match.group(2)}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _plain(value) -> str:
    return str(value).strip(_SPACES) if value is not None else ""


def task_parts(label: str) -> tuple[str, str]:
    """（二）水质提升 → (二, 水质提升); a label without a numeral → ('', label)."""
    match = _TASK.match(label)
    return (match.group(1), match.group(2).strip(_SPACES)) if match else ("", label)
