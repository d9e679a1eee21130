"""The responsibility matrix: one row a unit, one column an indicator, 牵头/责任 in the cells,
laid out to be printed (landscape A4, head rows and unit columns on every page) and shared."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from . import style
from .markup import plain
from .model import ROLE_LEAD, ROLE_SHARED, Content
from .output import normalize_zip

FACE = style.STANDARD_FACE["body"]  # 仿宋_GB2312: Excel and WPS fall back to 仿宋 or 宋体
# the unit's columns, before the indicators
HEADS = ("序号", "单位", "函号", "牵头", "责任", "合计")
TITLE_ROWS = 3  # the title, the indicators' numbers, their names


@dataclass(frozen=True)
class Matrix:
    """Every value the workbook holds, and its properties: the XLSX is made from these alone
    (so a build makes it again only when one of them changed, not at every edit of a text it
    does not show)."""

    sheet_title: str
    rows: tuple[tuple, ...]  # the title, the head rows, a row a unit
    creator: str
    stamp: dt.datetime


def matrix_of(content: Content) -> Matrix:
    """The year's matrix: one row a unit with work, one column an indicator."""
    from .sheets import letter_numbers, load_sheet_text  # the letters' numbers (sheets.yaml)

    text, _spots = load_sheet_text(content.folder)
    numbers = letter_numbers(content, text)
    indicators = content.checklist.indicators
    # 2021年度<programme>任务分工表, or after the checklist's title where no programme is set
    title = (f"{content.year}年度{text.programme}任务分工表" if text.programme
             else f"{content.checklist.title}（{content.year}年度）任务分工表")
    rows = [(title,), tuple(HEADS) + tuple(str(i.number) for i in indicators),
            # a second head row names each indicator, under its number
            ("", "指标名称") + ("",) * (len(HEADS) - 2) + tuple(plain(i.name) for i in indicators)]
    for row, (unit, assignments) in enumerate(content.assignments_by_unit().items(), start=1):
        roles = {a.indicator.number: a.role for a in assignments}
        leads = sum(r == ROLE_LEAD for r in roles.values())
        shared = sum(r == ROLE_SHARED for r in roles.values())
        number = numbers.get(unit.name)
        rows.append((row, unit.name, str(number) if number else "", leads, shared,
                     leads + shared) + tuple(roles.get(i.number, "") for i in indicators))
    return Matrix(f"{content.year}年度分工", tuple(rows), content.notice.issuer,
                  dt.datetime.combine(content.notice.date, dt.time()))


def render_matrix(content: Content) -> bytes:
    """responsibilities.xlsx for the year, byte for byte the same for the same content."""
    return workbook(matrix_of(content))


def workbook(matrix: Matrix) -> bytes:
    """The matrix as a workbook laid out to be printed."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    sheet = book.active
    sheet.title = matrix.sheet_title
    for row in matrix.rows:
        sheet.append(list(row))
    columns = len(matrix.rows[1])
    _as_text(sheet)
    _format(sheet, columns, len(matrix.rows))
    book.properties.creator = matrix.creator
    book.properties.title = sheet.cell(row=1, column=1).value
    book.properties.created = book.properties.modified = matrix.stamp
    buffer = io.BytesIO()
    # not workbook.save(): it stamps dcterms:modified with the time of saving
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return normalize_zip(_schema_order(buffer.getvalue()), matrix.stamp.timetuple()[:6])


def _as_text(sheet) -> None:
    """Every cell holds data: text that starts with "=" (a unit or indicator named
    =HYPERLINK(…)) is stored as text, never as a formula Excel would run."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _format(sheet, columns: int, rows: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin", color="999999")
    lead_fill = PatternFill("solid", fgColor="FCE4D6")
    plain_font, bold = Font(name=FACE, size=11), Font(name=FACE, size=11, bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    head = sheet.cell(row=1, column=1)
    head.font = Font(name=style.STANDARD_FACE["title"], size=16)
    head.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    for row in sheet.iter_rows(min_row=2, max_row=rows, max_col=columns):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.font = bold if cell.row <= TITLE_ROWS else plain_font
            if cell.value == ROLE_LEAD and cell.row > TITLE_ROWS:
                cell.fill = lead_fill
    first = len(HEADS) + 1
    # the head rows and the unit columns stay in view, and are printed on every page
    sheet.freeze_panes = f"{get_column_letter(first)}{TITLE_ROWS + 1}"
    sheet.print_title_rows = f"2:{TITLE_ROWS}"
    sheet.print_title_cols = "A:C"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1  # the rows fit the page's width
    sheet.page_setup.fitToHeight = 0  # and run on over as many pages as they need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    widths = {"A": 5, "B": 22, "C": 22, "D": 6, "E": 6, "F": 6}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    for column in range(first, columns + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 9
    sheet.row_dimensions[TITLE_ROWS].height = 96


# CT_Font's children in the order the schema (and Microsoft's validator) expects them;
# openpyxl writes name and family first
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign",
               "sz", "color", "name", "family", "charset", "scheme")
_FONT = re.compile(rb"<font>(.*?)</font>", re.S)
_CHILD = re.compile(rb"<(\w+)\b[^>]*/>|<(\w+)\b[^>]*>.*?</\2>", re.S)


def _schema_order(data: bytes) -> bytes:
    """The workbook with each font's properties in schema order in xl/styles.xml."""
    def order(match: re.Match) -> bytes:
        children = [(m.group(1) or m.group(2)).decode() for m in _CHILD.finditer(match.group(1))]
        parts = [m.group(0) for m in _CHILD.finditer(match.group(1))]
        ranked = sorted(zip(children, parts, strict=True),
                        key=lambda pair: _FONT_ORDER.index(pair[0]))
        return b"<font>" + b"".join(part for _name, part in ranked) + b"</font>"

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            payload = source.read(name)
            if name == "xl/styles.xml":
                payload = _FONT.sub(order, payload)
            target.writestr(name, payload)
    return out.getvalue()
