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
