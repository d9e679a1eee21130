"""The responsibility matrix holds data: text typed into the content is never a formula."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from notice.content import load_content
from notice.matrix import render_matrix

HOSTILE = ['=HYPERLINK("http://example.com/x","点此")', "=1+1", "=cmd|' /C calc'!A0",
           "==", "=SUM(A1:A9)"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_looks_like_a_formula_is_stored_as_text(content, text):
    quoted = json.dumps(text, ensure_ascii=False)
    content.edit("units.yaml", "  - 市生态环境局\n", f"  - 市生态环境局\n  - {quoted}\n")
    content.edit("checklist.yaml", "lead_units: [市生态环境局]",
                 f"lead_units: [市生态环境局, {quoted}]", after="number: 11")
    checklist = content.text("checklist.yaml")
    start = checklist.index("name:", checklist.index("number: 11"))
    end = checklist.index("\n", start)
    content.path("checklist.yaml").write_text(
        checklist[:start] + f"name: {quoted}" + checklist[end:], encoding="utf-8")
    data = render_matrix(load_content(content.folder))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    cells = [cell for row in load_workbook(io.BytesIO(data)).active.iter_rows()
             for cell in row if cell.value == text]
    assert len(cells) == 2  # the unit's row and the indicator's name
    assert {cell.data_type for cell in cells} == {"s"}
