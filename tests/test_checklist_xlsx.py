"""checklist export / import: the checklist as a workbook a clerk edits, and back into
checklist.yaml with only what changed, or refused with every problem located by its cell."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import CONTENT_2021, REPO, run
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from notice.content import load_content

GRID = REPO / "tests" / "fixtures" / "grid" / "2025"
SHEET = REPO / "tests" / "fixtures" / "sheet" / "2024"  # grouped by 领域 only, own columns
NOTHING = "1 problem in the content; nothing was written."


@pytest.fixture
def year(tmp_path, monkeypatch):
    """Copies a year's folder into the scratch folder (the current directory)."""
    monkeypatch.chdir(tmp_path)

    def copy(source: Path = CONTENT_2021) -> Path:
        shutil.copytree(source, tmp_path / source.name)
        return Path(source.name)
    return copy


def export(folder: Path, book: str = "book.xlsx") -> Path:
    result = run("checklist", "export", "--content", str(folder), book)
    assert result.exit_code == 0, result.output
    return Path(book)


def edit(book: Path, change, to: str = "edited.xlsx") -> Path:
    """The workbook as a clerk leaves it after `change(sheet)`, saved by openpyxl."""
    workbook = openpyxl.load_workbook(book)
    change(workbook["清单"])
    workbook.save(to)
    return Path(to)


def set_cells(**cells):
    def change(sheet):
        for ref, value in cells.items():
            sheet[ref] = value
    return change


def imported(book: Path, folder: Path):
    return run("checklist", "import", str(book), "--content", str(folder))


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# -- export ---------------------------------------------------------------------------------

def test_export_lays_out_one_row_an_indicator(year):
    folder = year()
    book = export(folder)
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["清单"]
    assert sheet["A1"].value == "巴中市创建国家生态文明建设示范市创建清单"
    assert [c.value for c in sheet[2]] == ["领域", "任务", "序号", "指标名称", "指标值",
                                           "指标属性", "主要任务", "完成时限", "牵头单位",
                                           "责任单位"]
    assert [c.value for c in sheet[3]] == ["domain", "task", "number", "name", "target", "kind",
                                           "main_tasks", "deadline", "lead_units",
                                           "responsible_units"]
    assert sheet.row_dimensions[3].hidden
    assert sheet.freeze_panes == "A4"
    assert sheet.max_row == 3 + 25
    row = [c.value for c in sheet[4]]
    assert row[:6] == ["生态安全", "（二）生态环境质量改善", 11,
                       "环境空气质量\n优良天数比例\nPM_{2.5}浓度下降幅度",
                       "完成上级规定的考核任务；保持稳定或持续改善", "约束性"]
    assert row[7:9] == ["2021年3月", "市生态环境局"]
    assert row[9].startswith("市经济和信息化局、市公安局、")
    # indicator 15 has no target of its own: its sub-indicators' targets on their lines
    assert sheet["E8"].value == "\n≥95%\n不明显\n不降低"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:J1", "A4:A11", "B4:B5", "B6:B9", "B10:B11"} <= merged
    assert "A12:A12" not in merged and "A12" not in merged  # 19 is alone in its 领域
    validations = {str(v.sqref): (v.formula1, v.showErrorMessage)
                   for v in sheet.data_validations.dataValidation}
    assert validations["F4:F229"] == ("'可选值'!$A$2:$A$4", True)
    names = len(load_content(CONTENT_2021).units.names())  # every name units.yaml gives
    assert validations["I4:I229"] == (f"'可选值'!$B$2:$B${names + 1}", False)
    lists = workbook["可选值"]
    assert [lists.cell(r, 1).value for r in range(2, 5)] == ["约束性", "预期性", "参考性"]
    assert "各区县党委和人民政府" in [lists.cell(r, 2).value for r in range(2, names + 2)]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$2:$2"


def test_export_names_the_workbook_after_the_year_and_is_the_same_every_time(year):
    folder = year(GRID)
    result = run("checklist", "export", "--content", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output == "wrote checklist-2025.xlsx (3 indicators)\n"
    first = Path("checklist-2025.xlsx").read_bytes()
    assert run("checklist", "export", "--content", str(folder), "--force").exit_code == 0
    assert Path("checklist-2025.xlsx").read_bytes() == first
    sheet = openpyxl.load_workbook("checklist-2025.xlsx")["清单"]
    assert [c.value for c in sheet[3]] == ["number", "name", "target", "kind", "standard",
                                           "deadline", "lead_units", "responsible_units"]
    assert [c.value for c in sheet[6]][4] == "公园绿地开放共享区域不少于20处"


def test_export_never_overwrites_a_workbook(year):
    folder = year()
    Path("book.xlsx").write_bytes(b"a clerk's edits")
    result = run("checklist", "export", "--content", str(folder), "book.xlsx")
    assert result.exit_code == 1
    assert result.output == ("Error: book.xlsx already exists; export does not overwrite a "
                             "workbook that may hold a clerk's edits (name another file, or "
                             "give --force)\n")
    assert Path("book.xlsx").read_bytes() == b"a clerk's edits"
    assert run("checklist", "export", "--content", str(folder), "book.xlsx",
               "--force").exit_code == 0


# -- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("source", [CONTENT_2021, GRID, SHEET], ids=["2021", "grid", "sheet"])
def test_export_then_import_leaves_the_file_byte_identical(year, source):
    folder = year(source)
    before = (folder / "checklist.yaml").read_bytes()
    result = imported(export(folder), folder)
    assert result.exit_code == 0, result.output
    assert result.output == f"{folder}/checklist.yaml unchanged: the workbook holds what it " \
                            "already holds\n"
    assert (folder / "checklist.yaml").read_bytes() == before


def test_changed_cells_change_only_their_values(year):
    folder = year()
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")
    book = edit(export(folder), set_cells(
        E4="完成上级考核任务",  # 11's target
        I5="市生态环境局、市水利局",  # 12's lead units (a list written in brackets)
        F7="约束性",  # 14's kind
        D8="生物多样性保护\n国家重点保护野生动植物保护率\n外来物种入侵",  # 15: one sub less
        E8="\n≥96%\n不明显"))
    result = imported(book, folder)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {folder}/checklist.yaml: indicators 4 changed " \
                            "(11, 12, 14, 15)\n"
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "-            target: 完成上级规定的考核任务；保持稳定或持续改善",
        "+            target: 完成上级考核任务",
        "-            lead_units: [市生态环境局]",
        "+            lead_units: [市生态环境局, 市水利局]",
        "-            kind: 参考性",
        "+            kind: 约束性",
        '-                target: "≥95%"',
        '+                target: "≥96%"',
        "-              - name: 特有性或指示性水生物种保持率",
        '-                target: "不降低"',
    ]
    assert run("validate", "--content", str(folder)).exit_code == 0


def test_a_unit_removed_from_a_list_is_one_line_less(year):
    folder = year()
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")
    book = edit(export(folder), lambda s: s.__setitem__(
        "J6", s["J6"].value.replace("市林业局、", "")))
    assert imported(book, folder).exit_code == 0
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["-              - 市林业局"]


def _regroup(sheet):
    """Unmerge the groups and write every row's 领域 and 任务 (the other way a sheet holds
    them); drop 16, move 35 to a new 领域 and 任务 with a new 36 under it, and a 37 in a
    second new 任务."""
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    for region in list(sheet.merged_cells.ranges):
        if region.min_row >= 4:
            sheet.unmerge_cells(str(region))
    domain = task = None
    full = []
    for values in rows:
        domain, task = values[0] or domain, values[1] or task
        if values[2] != 16:
            full.append([domain, task] + values[2:])
    last = full.pop()
    full.append(["新领域", "（九）新任务"] + last[2:])
    new = [36, "土壤环境质量\n受污染耕地安全利用率", "\n≥90%", "约束性", "开展土壤污染防治。",
           "2022年12月底前", "市生态环境局", "市农业农村局、各区县党委和人民政府"]
    full.append([None, None] + new)
    full.append([None, "（十）另一任务", 37] + new[1:])
    for r in range(4, sheet.max_row + 1):
        for c in range(1, 11):
            sheet.cell(r, c).value = None
    for r, values in enumerate(full, start=4):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c).value = value


def test_rows_added_removed_and_moved_between_groups(year):
    folder = year()
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")
    result = imported(edit(export(folder), _regroup), folder)
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {folder}/checklist.yaml: indicators 2 added (36, 37); " \
                            "1 removed (16); 1 changed (35)\n"
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    diff = changed_lines(before, after)
    assert diff[:2] == ["-          - number: 16", "-            name: 危险废物利用处置率"]
    assert diff[21:] == [
        "+  - name: 新领域",
        "+    tasks:",
        "+      - ordinal: 九",
        "+        name: 新任务",
        "+        indicators:",
        "+          - number: 36",
        "+            name: 土壤环境质量",
        "+            sub_indicators:",
        "+              - name: 受污染耕地安全利用率",
        '+                target: "≥90%"',
        "+            kind: 约束性",
        "+            deadline: 2022年12月底前",
        "+            lead_units: [市生态环境局]",
        "+            responsible_units:",
        "+              - 市农业农村局",
        "+              - 各区县党委和人民政府",
        "+            main_tasks: >-",
        "+              开展土壤污染防治。",
        "+      - ordinal: 十",
        "+        name: 另一任务",
        "+        indicators:",
        "+          - number: 37",
        "+            name: 土壤环境质量",
        "+            sub_indicators:",
        "+              - name: 受污染耕地安全利用率",
        '+                target: "≥90%"',
        "+            kind: 约束性",
        "+            deadline: 2022年12月底前",
        "+            lead_units: [市生态环境局]",
        "+            responsible_units:",
        "+              - 市农业农村局",
        "+              - 各区县党委和人民政府",
        "+            main_tasks: >-",
        "+              开展土壤污染防治。",
    ]
    assert "# 附件：巴中市创建国家生态文明建设示范市创建清单 (2021)" in after
    assert run("validate", "--content", str(folder)).exit_code == 0


def test_other_columns_an_own_field_and_a_new_indicator(year):
    folder = year(SHEET)
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")

    def change(sheet):
        sheet["J5"] = "张某"  # 2's contact, a field of the office's own, added
        sheet["J4"] = None  # 1's contact removed
        sheet["E6"] = "实施农村公路提档升级。"  # 3's measures
        for c, value in enumerate([None, 5, "农村人居环境", "卫生厕所普及率≥85%", "推进改厕。",
                                   "县水务局", None, "2024年12月", "预期性", None], start=1):
            sheet.cell(8, c).value = value
    result = imported(edit(export(folder), change), folder)
    assert result.exit_code == 0, result.output
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "-        contact: 王某",
        "+        contact: 张某",
        "-          实施农村公路提档升级，完善安全防护设施。",
        "+          实施农村公路提档升级。",
        "+      - number: 5",
        "+        name: 农村人居环境",
        "+        target: 卫生厕所普及率≥85%",
        "+        measures: >-",
        "+          推进改厕。",
        "+        lead_units:",
        "+          - 县水务局",
        "+        deadline: 2024年12月",
        "+        kind: 预期性",
    ]
    for comment in ("# the first indicator of the year, kept from last year's list",
                    "# roads and water: the county's share of the provincial programme",
                    "# carried over from 2023"):
        assert comment in after


def test_comments_go_with_the_indicator_and_the_group_below_them(year):
    """A comment above an item is the item's: it stays when the row above goes, and moves
    with its row."""
    folder = year(SHEET)
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")

    def change(sheet):  # 3 deleted; 4 (with its comment) moved to the first 领域
        values = [[c.value for c in sheet[r]] for r in (4, 5, 7)]
        sheet.unmerge_cells("A4:A5")
        sheet.unmerge_cells("A6:A7")
        values[2][0] = values[0][0]
        for r in range(4, 8):
            for c in range(1, 11):
                sheet.cell(r, c).value = None
        for r, row in enumerate(values, start=4):
            for c, value in enumerate(row, start=1):
                sheet.cell(r, c).value = value
    result = imported(edit(export(folder), change), folder)
    assert result.exit_code == 0, result.output
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert after == before.split("\n\n  # roads")[0] + "\n" + before.split(
        "contact: 李某\n")[1]


# -- as the clerk meant it ------------------------------------------------------------------

def test_spaces_rich_text_numbers_and_dates_are_read_as_meant(year):
    folder = year()
    before = (folder / "checklist.yaml").read_bytes()

    def change(sheet):
        sheet["C4"] = 11.0  # a number stored as a float
        sheet["D4"] = "环境空气质量 \r\n优良天数比例　\r\nPM_{2.5}浓度下降幅度"  # CR LF, spaces
        sheet["F4"] = "约束性　"  # a full-width space typed after it
        sheet["I4"] = " 市生态环境局 "
        sheet["J7"] = "市自然资源和规划局，市农业农村局 、各区县党委和人民政府、　巴中经开区"
        sheet["D6"] = CellRichText(["生态环境", TextBlock(InlineFont(b=True), "状况指数")])
        sheet["H4"] = dt.datetime(2021, 3, 1)  # typed 2021年3月, made a date by the program
        sheet["H4"].number_format = 'yyyy"年"m"月"'
        sheet["E9"] = 1  # typed 100%, stored as a number in a percent format
        sheet["E9"].number_format = "0%"
    result = imported(edit(export(folder), change), folder)
    assert result.exit_code == 0, result.output
    assert (folder / "checklist.yaml").read_bytes() == before


def test_a_date_stored_by_its_serial_number_in_a_chinese_format(year):
    """WPS and Chinese Excel store 2021年3月 as the number 44256 in the built-in format 57,
    which openpyxl does not know as a date."""
    folder = year()
    before = (folder / "checklist.yaml").read_bytes()

    def change(sheet):
        sheet["H5"] = 44256
        sheet["H5"].number_format = "0.000"  # a format of its own, renumbered below
    book = edit(export(folder), change)
    parts = zipfile.ZipFile(book)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in parts.namelist():
            data = parts.read(name)
            if name == "xl/styles.xml":  # the format's own definition out, its id 57
                own = re.search(rb'<numFmt numFmtId="(\d+)" formatCode="0.000"/>', data)
                data = data.replace(own.group(0), b"")
                data = data.replace(b'numFmtId="' + own.group(1) + b'"', b'numFmtId="57"')
            target.writestr(name, data)
    book.write_bytes(out.getvalue())
    assert openpyxl.load_workbook(book)["清单"]["H5"].value == 44256
    result = imported(book, folder)
    assert result.exit_code == 0, result.output
    assert (folder / "checklist.yaml").read_bytes() == before


def _as_excel_and_wps_write_strings(book: Path) -> None:
    """The workbook's texts moved into a shared-string table, as Excel and WPS store them
    (openpyxl writes each in its cell), the kind of F4 split into two runs of rich text with
    a phonetic run (<rPh>) after them, as WPS writes a text typed through a Pinyin IME."""
    parts = zipfile.ZipFile(book)
    files = {name: parts.read(name).decode("utf-8") for name in parts.namelist()}
    table: list[str] = []

    def shared(match) -> str:
        cell, inner = match.group(1), match.group(2)
        if 'r="F4"' in cell:
            inner = ("<r><t>约束</t></r><r><rPr><b/></rPr><t>性</t></r>"
                     '<rPh sb="0" eb="3"><t>yueshuxing</t></rPh>')
        table.append(f"<si>{inner}</si>")
        return f'{cell.replace("inlineStr", "s")}<v>{len(table) - 1}</v></c>'
    sheet = "xl/worksheets/sheet1.xml"
    files[sheet] = re.sub(r'(<c [^>]*t="inlineStr"[^>]*>)<is>(.*?)</is></c>', shared,
                          files[sheet], flags=re.S)
    files["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(table)}" uniqueCount="{len(table)}">{"".join(table)}</sst>')
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>", '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>")
    with zipfile.ZipFile(book, "w") as target:
        for name, text in files.items():
            target.writestr(name, text)


def test_shared_strings_with_rich_text_and_phonetic_runs(year):
    folder = year()
    before = (folder / "checklist.yaml").read_bytes()
    book = export(folder)
    _as_excel_and_wps_write_strings(book)
    assert 'r="F4" s="3" t="s"' in zipfile.ZipFile(book).read(
        "xl/worksheets/sheet1.xml").decode()
    result = imported(book, folder)
    assert result.exit_code == 0, result.output
    assert (folder / "checklist.yaml").read_bytes() == before


# -- refusals -------------------------------------------------------------------------------

def _unmerge(sheet, ref):
    sheet.unmerge_cells(ref)


REFUSALS = {
    "unknown unit": (set_cells(I7="市林业"), [
        'edited.xlsx!清单!I7: indicator 14: lead unit 1: "市林业" is not a known unit (did '
        'you mean "市林业局"?)']),
    "bad kind": (set_cells(F5="约束"), [
        'edited.xlsx!清单!F5: indicator 12: kind: "约束" must be one of 约束性 or 预期性 or '
        '参考性 (did you mean "约束性"?)']),
    "empty required cell": (set_cells(G6="　"), [
        "edited.xlsx!清单!G6: indicator 13: main_tasks: is empty; write the text"]),
    "empty target with a sub-indicator lacking its own": (set_cells(E4=None), [
        "edited.xlsx!清单!E4: indicator 11: target: is empty; only an indicator whose every "
        "sub-indicator has its own target (on its line) may leave its own empty"]),
    "duplicate number": (set_cells(C7=13), [
        "edited.xlsx!清单!C7: indicator 13: number: 13 is used twice (first in row 6); "
        "numbers must be unique and increasing"]),
    "number going back": (set_cells(C5=10), [
        "edited.xlsx!清单!C5: indicator 10: number: 10 comes after 11; numbers must be "
        "unique and increasing"]),
    "number not a number": (set_cells(C5="十二"), [
        'edited.xlsx!清单!C5: indicator: number: "十二" is not a whole number; write it with '
        "the digits 0-9"]),
    "a 任务 merged over two 领域": (
        lambda s: (s.unmerge_cells("B10:B11"), s.merge_cells("B10:B12")), [
            'edited.xlsx!清单!B10: the merged cells B10:B12 run over two 领域 ("生态安全" and '
            '"生态空间"); a 任务 belongs to one 领域: unmerge them where the 领域 changes']),
    "cells merged outside 领域 and 任务": (lambda s: s.merge_cells("H4:H5"), [
        "edited.xlsx!清单!H4: the cells H4:H5 are merged; only 领域 and 任务 cells may be "
        "merged, down their column: unmerge them and give each row its own value"]),
    "the first 领域 left empty": (
        lambda s: (s.unmerge_cells("A4:A11"), s.__setitem__("A4", None)), [
            "edited.xlsx!清单!A4: is empty; write the 领域 (the rows below share it until "
            "another is written)"]),
    "no indicator left": (
        lambda s: ([s.unmerge_cells(str(r)) for r in list(s.merged_cells.ranges)
                    if r.min_row >= 4], s.delete_rows(4, 30)), [
            "edited.xlsx!清单: holds no indicator under its heads; a checklist has at least "
            "one"]),
    "a formula": (set_cells(H6="=H5"), [
        "edited.xlsx!清单!H6: indicator 13: deadline: holds a formula (=H5); type the value "
        "itself (copy the cell and paste it as values only)"]),
    "an error value": (set_cells(E7="#N/A"), [
        "edited.xlsx!清单!E7: indicator 14: target: holds the error value #N/A; type the "
        "value itself"]),
    "more targets than sub-indicators": (set_cells(E5="a\nb\nc\nd\ne"), [
        "edited.xlsx!清单!E5: indicator 12: target: has 5 lines but the name has 3 "
        "sub-indicators under it; the lines after the first are the targets of the "
        "sub-indicators on the same lines of the name"]),
    "a column deleted": (lambda s: s.delete_cols(7), [
        'edited.xlsx!清单: the column "主要任务" (main_tasks) is missing; add it back (export '
        "the checklist again to see where it goes)"]),
    "markup left open (the loader's check)": (set_cells(D4="环境空气质量\n优良天数比例\nPM_{2.5"), [
        'edited.xlsx!清单!D4: indicator 11: sub-indicator 2: name: "_{" is never closed with '
        '"}"']),
    "待填 left in (the loader's check)": (set_cells(H8="待填"), [
        "edited.xlsx!清单!H8: indicator 15: deadline: still says 待填: write this year's "
        "deadline"]),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_sheet_with_a_problem_is_refused_and_nothing_written(year, case):
    folder = year()
    change, expected = REFUSALS[case]
    book = edit(export(folder), change)
    before = {p: p.read_bytes() for p in sorted(Path().rglob("*")) if p.is_file()}
    result = imported(book, folder)
    assert result.exit_code == 1
    assert result.output.splitlines() == expected + [NOTHING]
    assert {p: p.read_bytes() for p in sorted(Path().rglob("*")) if p.is_file()} == before


def test_every_problem_of_a_sheet_at_once(year):
    folder = year()
    book = edit(export(folder), set_cells(I7="市林业", F5="约束", G6=None, C7=13, H9="=H8",
                                          E10="#DIV/0!"))
    before = (folder / "checklist.yaml").read_bytes()
    result = imported(book, folder)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        'edited.xlsx!清单!F5: indicator 12: kind: "约束" must be one of 约束性 or 预期性 or '
        '参考性 (did you mean "约束性"?)',
        "edited.xlsx!清单!G6: indicator 13: main_tasks: is empty; write the text",
        "edited.xlsx!清单!C7: indicator 13: number: 13 is used twice (first in row 6); "
        "numbers must be unique and increasing",
        'edited.xlsx!清单!I7: indicator 13: lead unit 1: "市林业" is not a known unit (did '
        'you mean "市林业局"?)',
        "edited.xlsx!清单!H9: indicator 16: deadline: holds a formula (=H8); type the value "
        "itself (copy the cell and paste it as values only)",
        "edited.xlsx!清单!E10: indicator 17: target: holds the error value #DIV/0!; type the "
        "value itself",
        "6 problems in the content; nothing was written.",
    ]
    assert (folder / "checklist.yaml").read_bytes() == before


def test_a_file_that_is_not_a_workbook(year):
    folder = year()
    Path("notes.xlsx").write_text("not a workbook", encoding="utf-8")
    result = imported(Path("notes.xlsx"), folder)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "notes.xlsx: cannot be read as an XLSX workbook; open it in Excel, WPS or LibreOffice "
        "and save it as Excel 2007-365 (.xlsx)", NOTHING]


# -- through LibreOffice, as a clerk saves it -----------------------------------------------

def _saved_by_libreoffice(books: list[Path], out: Path) -> list[Path]:
    """Each workbook opened and saved as XLSX by LibreOffice headless."""
    out.mkdir()
    profile = (out.parent / "lo-profile").resolve().as_uri()  # its own: no lock shared
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out)] + [str(b) for b in books],
                   check=True, capture_output=True, timeout=120)
    return [out / b.name for b in books]


@pytest.mark.slow
def test_workbooks_saved_by_libreoffice(year):
    folder, own = year(), year(SHEET)
    plain = export(folder)
    changed = edit(plain, set_cells(F7="约束性", I5="市生态环境局、市水利局"))
    other = export(own, "own.xlsx")
    plain, changed, other = _saved_by_libreoffice([plain, changed, other], Path("lo"))
    for book, where in ((plain, folder), (other, own)):
        before = (where / "checklist.yaml").read_bytes()
        result = imported(book, where)
        assert result.exit_code == 0, result.output
        assert (where / "checklist.yaml").read_bytes() == before
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert imported(changed, folder).exit_code == 0
    assert changed_lines(before, (folder / "checklist.yaml").read_text(encoding="utf-8")) == [
        "-            lead_units: [市生态环境局]",
        "+            lead_units: [市生态环境局, 市水利局]",
        "-            kind: 参考性",
        "+            kind: 约束性",
    ]


def test_a_new_title_and_a_column_of_the_clerks_own(year):
    folder = year()
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")

    def change(sheet):
        sheet["A1"] = "创建清单（征求意见稿）"
        sheet["K2"] = "备注"  # a column for comments, with no field under it
        sheet["K4"] = "建议调整"
    result = imported(edit(export(folder), change), folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "note: column K (备注) is not a column of the checklist; it was left out",
        f"wrote {folder}/checklist.yaml: the title changed",
    ]
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert changed_lines(before, after) == ["-title: 巴中市创建国家生态文明建设示范市创建清单",
                                            "+title: 创建清单（征求意见稿）"]


def test_a_file_saved_on_windows_keeps_its_line_ends_and_byte_order_mark(year):
    folder = year()
    path = folder / "checklist.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    book = export(folder)
    assert imported(book, folder).exit_code == 0
    assert path.read_bytes() == before
    assert imported(edit(book, set_cells(F7="约束性")), folder).exit_code == 0
    assert path.read_bytes() == before.replace("kind: 参考性\r\n            deadline: 2021年3月\r\n"
                                               "            lead_units: [市林业局]".encode(),
                                               "kind: 约束性\r\n            deadline: 2021年3月\r\n"
                                               "            lead_units: [市林业局]".encode(), 1)


def test_a_text_of_several_lines_is_kept_in_lines(year):
    folder = year(SHEET)
    before = (folder / "checklist.yaml").read_text(encoding="utf-8")
    book = edit(export(folder), set_cells(E7="建设集中供水工程。 \n\n　推进城乡供水一体化。"))
    assert imported(book, folder).exit_code == 0
    after = (folder / "checklist.yaml").read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "-        measures: >-",
        "-          建设集中供水工程，推进城乡供水一体化。",
        "+        measures: |-",
        "+          建设集中供水工程。",
        "+",
        "+          推进城乡供水一体化。",
    ]
