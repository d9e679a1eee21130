"""The checklist as a workbook a clerk edits in Excel, WPS or LibreOffice: one row an
indicator, its declared columns as heads, the field of each in a hidden row under them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from .columns import DEFAULT_COLUMNS, NOTICE, columns_of
from .model import Checklist, Content
from .output import normalize_zip

SHEET, LISTS = "清单", "可选值"  # the checklist's sheet; the values its drop-down lists offer
TITLE_ROW, HEAD_ROW, FIELD_ROW, FIRST_ROW = 1, 2, 3, 4
GROUPS = ("domain", "task")  # 领域 and 任务: merged over their rows
UNIT_FIELDS = ("lead_units", "responsible_units")
UNIT_SEPARATOR = "、"
SPARE_ROWS = 200  # rows below the last indicator that the drop-down lists also cover
_SHEET_WIDTH = 190  # Excel's width units (about one Latin character) shared by the columns
_THIN = Side(style="thin", color="808080")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def sheet_fields(checklist: Checklist) -> list[tuple[str, str]]:
    """(field, head) of the sheet's columns: the declared columns, the group columns of a
    grouped checklist first when it declares none, and any field an indicator gives that no
    column shows (so that nothing is lost on the way back)."""
    declared = [(c.field, c.head) for c in checklist.columns or DEFAULT_COLUMNS]
    fields = [f for f, _ in declared]
    used = {key for row in rows_of(checklist) for key in row} - {"sub_indicators"}
    if checklist.grouped:  # 任务 only where some indicator has one
        declared = [(g, h) for g, h in (("domain", "领域"), ("task", "任务"))
                    if g not in fields and g in used] + declared
    else:
        declared = [(f, h) for f, h in declared if f not in GROUPS]
    heads = {c.field: c.head for c in DEFAULT_COLUMNS}
    shown = {f for f, _ in declared}
    return declared + [(f, heads.get(f, f)) for f in heads if f in used and f not in shown] \
        + [(f, f) for f in sorted(used - shown - set(heads))]


def rows_of(checklist: Checklist) -> list[dict]:
    """One dict an indicator, field → value (text, or a tuple of names or of (sub-indicator,
    target) pairs), without the fields it leaves empty: what a sheet row holds."""
    rows = []
    for domain in checklist.domains:
        for task in domain.tasks:
            for i in task.indicators:
                row = dict(number=i.number, domain=domain.name, task=task.label, name=i.name,
                           sub_indicators=tuple((s.name, s.target) for s in i.sub_indicators),
                           target=i.target, kind=i.kind, main_tasks=i.main_tasks,
                           deadline=i.deadline.text if i.deadline else None,
                           lead_units=i.lead_units, responsible_units=i.responsible_units,
                           **dict(i.extra))
                rows.append({k: v for k, v in row.items() if v not in (None, "", ())})
    return rows


def cell_value(row: dict, field: str):
    """What the sheet's cell of a field holds for a row: sub-indicators on lines of their own
    under the name, their targets on the same lines of the target; units joined by 、."""
    subs = row.get("sub_indicators", ())
    if field == "name":
        return "\n".join([row.get("name", "")] + [name for name, _ in subs])
    if field == "target":
        lines = [row.get("target") or ""] + [target or "" for _, target in subs]
        while len(lines) > 1 and not lines[-1]:
            lines.pop()
        return "\n".join(lines) or None
    value = row.get(field)
    if isinstance(value, tuple):
        return UNIT_SEPARATOR.join(value)
    return value


def export_workbook(content: Content) -> bytes:
    """The workbook, byte for byte the same for the same content."""
    checklist = content.checklist
    fields = sheet_fields(checklist)
    rows = rows_of(checklist)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.cell(TITLE_ROW, 1, checklist.title or "")
    for n, (field, head) in enumerate(fields, start=1):
        sheet.cell(HEAD_ROW, n, head)
        sheet.cell(FIELD_ROW, n, field)
    for r, row in enumerate(rows, start=FIRST_ROW):
        for n, (field, _head) in enumerate(fields, start=1):
            sheet.cell(r, n, cell_value(row, field))
    _merge_groups(sheet, fields, rows)
    _lists(book, sheet, checklist, content, fields, FIRST_ROW + len(rows) + SPARE_ROWS)
    _format(sheet, checklist, fields, FIRST_ROW + len(rows) - 1)
    book.properties.creator = content.notice.issuer
    book.properties.title = checklist.title
    stamp = dt.datetime.combine(content.notice.date, dt.time())
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(buffer.getvalue(), stamp.timetuple()[:6])


def _merge_groups(sheet, fields, rows) -> None:
    """领域 and 任务 merged over their rows, as the printed checklist shows them."""
    keys = [f for f, _ in fields]
    for field in GROUPS:
        if field not in keys:
            continue
        column = keys.index(field) + 1
        start = 0
        for end in range(1, len(rows) + 1):
            if end == len(rows) or _group(rows[end], field) != _group(rows[start], field):
                if end - start > 1 and rows[start].get(field):
                    sheet.merge_cells(start_row=FIRST_ROW + start, end_row=FIRST_ROW + end - 1,
                                      start_column=column, end_column=column)
                start = end


def _group(row: dict, field: str) -> tuple:
    """A row's group: a task is the same only within the same domain."""
    return (row.get("domain"), row.get("task")) if field == "task" else (row.get("domain"),)


def _lists(book, sheet, checklist, content, fields, last: int) -> None:
    """A second sheet of the values 指标属性 and the unit columns offer, and the drop-down
    lists that offer them (a unit cell may hold several names, so any text is let in)."""
    lists = book.create_sheet(LISTS)
    kinds_head = next((h for f, h in fields if f == "kind"), "kind")
    lists.append([kinds_head, "units.yaml"])
    names = content.units.names()
    for n in range(max(len(checklist.kinds), len(names))):
        lists.append([checklist.kinds[n] if n < len(checklist.kinds) else None,
                      names[n] if n < len(names) else None])
    lists.column_dimensions["A"].width = 12
    lists.column_dimensions["B"].width = 36
    keys = [f for f, _ in fields]
    ranges = {"kind": f"'{LISTS}'!$A$2:$A${len(checklist.kinds) + 1}",
              "lead_units": f"'{LISTS}'!$B$2:$B${len(names) + 1}"}
    ranges["responsible_units"] = ranges["lead_units"]
    for field, source in ranges.items():
        if field not in keys or (field != "kind" and not names):
            continue
        letter = get_column_letter(keys.index(field) + 1)
        check = DataValidation(type="list", formula1=source, allow_blank=True,
                               showErrorMessage=field == "kind")
        if field == "kind":
            check.error = f"Choose one of: {', '.join(checklist.kinds)}"
        else:
            check.prompt = f"Unit names from units.yaml, separated by {UNIT_SEPARATOR}"
            check.showInputMessage = True
        check.add(f"{letter}{FIRST_ROW}:{letter}{last}")
        sheet.add_data_validation(check)


def _format(sheet, checklist, fields, last: int) -> None:
    """Borders, wrapped text, widths in the proportions the notice prints them, the head
    frozen and repeated on every printed page, landscape A4 one page wide."""
    count = len(fields)
    shown = {s.column.field: s.width for s in columns_of(NOTICE, checklist)}
    total = sum(shown.get(f, 20) for f, _ in fields)
    aligns = {c.field: c.align for c in checklist.columns or DEFAULT_COLUMNS}
    box = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    for n, (field, _head) in enumerate(fields, start=1):
        letter = get_column_letter(n)
        sheet.column_dimensions[letter].width = round(
            max(_SHEET_WIDTH * shown.get(field, 20) / total, 6), 1)
        head = sheet.cell(HEAD_ROW, n)
        head.font, head.fill, head.border = Font(bold=True), _HEAD_FILL, box
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        align = "left" if aligns.get(field, "center") in ("left", "justify") else "center"
        for r in range(FIRST_ROW, last + 1):
            cell = sheet.cell(r, n)
            cell.border = box
            cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
    sheet.merge_cells(start_row=TITLE_ROW, end_row=TITLE_ROW, start_column=1,
                      end_column=max(count, 1))
    title = sheet.cell(TITLE_ROW, 1)
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[TITLE_ROW].height = 30
    sheet.row_dimensions[FIELD_ROW].hidden = True  # the fields the import maps columns by
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.print_title_rows = f"{HEAD_ROW}:{HEAD_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "&P / &N"
