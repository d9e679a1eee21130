"""Letters alike are laid out once (notice/build.py _tasks, notice/reuse.py): a letter whose
checklist table and all after it are another's takes that letter's pages once its cover is
past, and prints as it would laid out alone."""

from __future__ import annotations

import shutil
import zipfile

import pytest
from helpers import CONTENT_2021, REPO
from pdfsame import assert_same_document

from notice import pdf
from notice.build import build
from notice.checks import load_and_check
from notice.render import render_css, render_sheet_html, sheet_context

LEDGER = REPO / "tests" / "fixtures" / "ledger" / "2026"
DISTRICTS = ("南湖区", "北山区")  # the ledger's collective's members


def test_a_district_letter_laid_out_from_another_prints_as_laid_out_alone(tmp_path):
    content, _text_, sheets, fonts = load_and_check(CONTENT_2021)
    context = sheet_context(content, fonts)
    css = render_css(context)
    html = {s.unit.name: render_sheet_html(context, s) for s in sheets}
    first = pdf.make_pdf(html["巴州区"], css, fonts)
    made = pdf.make_pdf(html["南江县"], css, fonts, previous=(first.record, first.pdf))
    alone = pdf.make_pdf(html["南江县"], css, fonts)
    pages = len(alone.record.pages)
    assert made.reused >= pages - 2, f"only {made.reused} of {pages} pages came from 巴州区's"
    assert made.html == alone.html  # the DOCX is written from it
    assert_same_document(made.pdf, alone.pdf, tmp_path / "nanjiang")
    # and a letter not alike (another task list) takes nothing from it
    other = pdf.make_pdf(html["市林业局"], css, fonts, previous=(first.record, first.pdf))
    assert other.reused == 0
    assert_same_document(other.pdf, pdf.make_pdf(html["市林业局"], css, fonts).pdf,
                         tmp_path / "forestry")


@pytest.fixture(scope="module")
def ledger_alike(tmp_path_factory):
    """Another office's ledger whose two districts are named as their collective everywhere
    (as 2021's are), so that their letters' task lists are the same."""
    folder = tmp_path_factory.mktemp("ledger") / "2026"
    shutil.copytree(LEDGER, folder)
    checklist = folder / "checklist.yaml"
    out, named = [], False  # named: the collective is in the list being read
    for line in checklist.read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("      - "):
            named = False
        elif line.strip() in (f"- {d}" for d in DISTRICTS):
            if not named:
                out.append("      - 各区人民政府\n")
            named = True
            continue
        out.append(line)
    checklist.write_text("".join(out), encoding="utf-8")
    units = folder / "units.yaml"
    text = units.read_text(encoding="utf-8")
    head = "  - name: 各区人民政府\n"
    assert head + "    members:" in text
    units.write_text(text.replace(head, head + "    others: 另一区人民政府\n"), encoding="utf-8")
    return folder


def test_another_offices_districts_letters_are_laid_out_once_and_print_as_alone(
        ledger_alike, tmp_path):
    content, _text_, sheets, fonts = load_and_check(ledger_alike)
    context = sheet_context(content, fonts)
    html = {s.unit.name: render_sheet_html(context, s) for s in sheets}
    tables = {name: html[name][html[name].rfind("<table", 0, html[name].find("split-rows")):]
              for name in DISTRICTS}
    assert tables[DISTRICTS[0]] == tables[DISTRICTS[1]]  # the letters are alike

    result = build(ledger_alike, tmp_path / "together", use_cache=False)
    assert result.kept_pages > 0, "no letter was laid out from another"
    sheets_dir = tmp_path / "together" / "2026" / "sheets"
    for name in DISTRICTS:  # each as a build of that letter alone lays it out
        alone = build(ledger_alike, tmp_path / name, units=[name], use_cache=False)
        assert alone.kept_pages == 0
        data = (tmp_path / name / "2026" / "sheets" / f"{name}.pdf").read_bytes()
        assert_same_document((sheets_dir / f"{name}.pdf").read_bytes(), data, tmp_path / name)
        with (zipfile.ZipFile(sheets_dir / f"{name}.docx") as made,
              zipfile.ZipFile(tmp_path / name / "2026" / "sheets" / f"{name}.docx") as single):
            assert made.read("word/document.xml") == single.read("word/document.xml")
