"""The responsibility matrix: one row a unit, one column an indicator, 牵头/配合 in the cells."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .markup import plain
from .model import ROLE_LEAD, ROLE_SHARED, Content
from .output import normalize_zip

_THIN = Side(style="thin", color="999999")
_LEAD_FILL = PatternFill("solid", fgColor="FCE4D6")


def render_matrix(content: Content) -> bytes:
    """responsibilities.xlsx for the year, byte for byte the same for the same content."""
    indicators = content.checklist.indicators
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{content.year}年度分工"
    heads = ["序号", "单位", "牵头", "配合", "合计"] + [str(i.number) for i in indicators]
    sheet.append(heads)
    by_unit = content.assignments_by_unit()
    for row, (unit, assignments) in enumerate(by_unit.items(), start=1):
        roles = {a.indicator.number: a.role for a in assignments}
        leads = sum(r == ROLE_LEAD for r in roles.values())
        shared = sum(r == ROLE_SHARED for r in roles.values())
        sheet.append([row, unit.name, leads, shared, leads + shared]
                     + [roles.get(i.number, "") for i in indicators])
    # a second header row names each indicator, under its number
    names = ["", "指标名称", "", "", ""] + [plain(i.name) for i in indicators]
    sheet.insert_rows(2)
    for column, name in enumerate(names, start=1):
        sheet.cell(row=2, column=column, value=name or None)
    _as_text(sheet)
    _format(sheet, len(heads), len(by_unit) + 2)
    workbook.properties.creator = content.notice.issuer
    workbook.properties.title = f"{content.year}年度创建任务分工"
    stamp = dt.datetime.combine(content.notice.date, dt.time())
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    # not workbook.save(): it stamps dcterms:modified with the time of saving
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(buffer.getvalue(), stamp.timetuple()[:6])


def _as_text(sheet) -> None:
    """Every cell holds data: text that starts with "=" (a unit or indicator named
    =HYPERLINK(…)) is stored as text, never as a formula Excel would run."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _format(sheet, columns: int, rows: int) -> None:
    bold = Font(bold=True)
    for row in sheet.iter_rows(min_row=1, max_row=rows, max_col=columns):
        for cell in row:
            cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if cell.row <= 2:
                cell.font = bold
            elif cell.value == ROLE_LEAD:
                cell.fill = _LEAD_FILL
    sheet.freeze_panes = "F3"  # the two header rows and the unit columns stay in view
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 26
    for letter in "CDE":
        sheet.column_dimensions[letter].width = 7
    for column in range(6, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.row_dimensions[2].height = 96
