"""The output formats are one table: a format added to it is built, listed and summarised."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from helpers import run

from notice import writers


def test_a_new_format_is_one_entry_of_the_table(small, tmp_path, monkeypatch):
    def text_of(document: writers.Document) -> bytes:
        return re.sub(r"<[^>]+>", "", document.html).encode("utf-8")

    monkeypatch.setattr(writers, "WRITERS", writers.WRITERS + (
        writers.Writer("txt", "TXT", writers.DOCUMENT, text_of),))
    out = tmp_path / "out"
    result = run("build", "--content", str(small.folder), "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.output
    year = out / "2023"
    lines = result.output.splitlines()
    assert f"wrote {year / 'notice.txt'}" in lines
    assert f"wrote 3 letters (PDF, DOCX and TXT) in {year / 'sheets'}" in lines
    assert "laid out 4 of 4 documents; the rest were unchanged and came from the cache" in lines
    assert "河湖管护工作要点" in (year / "notice.txt").read_text(encoding="utf-8")
    assert "县水务局" in (year / "sheets/县水务局.txt").read_text(encoding="utf-8")
    manifest = json.loads((year / "manifest.json").read_text(encoding="utf-8"))
    texts = [(f["path"], f["kind"]) for f in manifest["files"] if f["format"] == "txt"]
    assert sorted(texts) == sorted([("notice.txt", "notice"), ("sheets/县水务局.txt", "sheet"),
                                    ("sheets/县生态环境局.txt", "sheet"),
                                    ("sheets/县农业农村局.txt", "sheet")])


def test_the_table_loads_no_layout_engine():
    code = "import sys, notice.writers; print('weasyprint' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "False\n"


def test_the_matrix_is_made_again_only_when_what_it_shows_changes(small, tmp_path,
                                                                    monkeypatch):
    """It shows the units' roles under each indicator's number and name, not the main tasks:
    an edit of those leaves it as it was, without making it again."""
    from openpyxl import load_workbook

    from notice import matrix

    made = []
    workbook = matrix.workbook
    monkeypatch.setattr(matrix, "workbook", lambda values: made.append(values) or workbook(
        values))
    out = tmp_path / "out"
    xlsx = out / "2023" / "responsibilities.xlsx"

    def build() -> bytes:
        result = run("build", "--content", str(small.folder), "--out", str(out), "--jobs", "1")
        assert result.exit_code == 0, result.output
        return xlsx.read_bytes()

    first = build()
    small.edit("checklist.yaml", "一河一策落实整改。", "一河一策落实整改，按月通报。")
    assert build() == first
    assert len(made) == 1
    small.edit("checklist.yaml", "name: 县控断面水质达标率", "name: 县控断面水质优良率")
    build()
    assert len(made) == 2
    names = [cell.value for cell in load_workbook(xlsx).active[3]]
    assert "县控断面水质优良率" in names and "县控断面水质达标率" not in names
