"""The DOCX as LibreOffice lays it out is the PDF, page for page: its tables break where the
PDF's did, with the head row and the continued indicator repeated; the 版记 on an even page
with LibreOffice's default PDF export; landscape numbers turned as in the PDF; cells aligned
as the PDF's; no punctuation past the right edge; only the standard's faces, digits in the
PDF's face. Measured on the 2021 notice and letters and on another office's content
(tests/fixtures/grid/2025: own columns, a flat checklist, a blank page before the 版记)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from gbt9704_checks import TEXT_RIGHT_MM, _check_turned_page_number, check_page_numbers
from helpers import CONTENT_2021, REPO, assert_schema_valid
from lxml import etree
from pdfmeasure import MM, PAGE_NUMBER, read_pdf

from notice import style
from notice.build import build
from notice.columns import NOTICE, columns_of
from notice.content import load_content

GRID = REPO / "tests" / "fixtures" / "grid" / "2025"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# every face the DOCX may name: the standard's faces and their fallbacks (notice/style.py)
FACES = {face.split(":")[0] for faces in style.FONT_ROLES.values() for face in faces}
PUNCTUATION = set("、，。；：？！）》〉」』”’")
# the checklist's merged columns (领域, 任务 in 2021), by their heads
MERGED = {shown.column.head for shown in columns_of(NOTICE, load_content(CONTENT_2021).checklist)
          if shown.column.merged}


@pytest.fixture(scope="module")
def grid_built(tmp_path_factory):
    return build(GRID, tmp_path_factory.mktemp("grid"), jobs=2)


@pytest.fixture(scope="module")
def documents(built_2021, grid_built):
    """{name: (PDF, DOCX)} of both notices and every letter."""
    found = {}
    for result, tag in ((built_2021, "2021"), (grid_built, "grid")):
        manifest = json.loads((result.root / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["files"]:
            if entry["format"] == "pdf":
                pdf = result.root / entry["path"]
                found[f"{tag}/{entry['path'][:-4]}"] = (pdf, pdf.with_suffix(".docx"))
    return found


@dataclass(frozen=True)
class Rendered:
    """One document: the PDF and LibreOffice's PDF of the DOCX, as files and as pages."""

    pdf_path: Path
    lo_path: Path
    pdf: list
    lo: list


@pytest.fixture(scope="module")
def rendered(documents, tmp_path_factory) -> dict[str, Rendered]:
    """Every DOCX converted once, with LibreOffice's default PDF export (blank pages
    dropped) and a profile of its own."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/setup.sh installs it)")
    out = tmp_path_factory.mktemp("lo-pages")
    made = {}
    for tag in sorted({name.split("/")[0] for name in documents}):
        names = [n for n in documents if n.startswith(tag + "/")]
        # files of one folder converted together; a letter and a notice never share a name
        target = out / tag
        subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(target),
                        *(str(documents[n][1]) for n in names)],
                       check=True, capture_output=True, timeout=600)
        for name in names:
            pdf, lo = documents[name][0], target / documents[name][1].with_suffix(".pdf").name
            made[name] = Rendered(pdf, lo, read_pdf(pdf), read_pdf(lo))
    return made


def _notices(rendered):
    return [name for name in rendered if name.endswith("/notice")]


def _letters(rendered, tag="2021"):
    return [name for name in rendered if name.startswith(f"{tag}/sheets/")]


# -- pages ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_page_counts_are_the_pdfs(rendered):
    """The notice and every letter: LibreOffice's pages as many as the PDF's (±1), portrait
    and landscape alike."""
    counts = {name: (len(r.pdf), len(r.lo)) for name, r in rendered.items()}
    assert len(counts) == 2 + 23 + 7
    for name, r in rendered.items():
        assert abs(len(r.lo) - len(r.pdf)) <= 1, (name, counts[name])
        for landscape in (False, True):
            mine = [p for p in r.lo if p.landscape == landscape]
            theirs = [p for p in r.pdf if p.landscape == landscape]
            assert abs(len(mine) - len(theirs)) <= 1, (name, landscape)
    # measured with this commit: every one equal
    assert all(pdf == lo for pdf, lo in counts.values()), counts


def _rows_by_page(path) -> list[list[str]]:
    """Each page's table rows, by the text of their 序号 cells (a continued row included),
    read under the head cell 「序号」 of the page."""
    pages = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            head = next((w for w in words if w["text"] == "序号"), None)
            if head is None:
                pages.append([])
                continue
            pages.append([w["text"] for w in words if w["top"] > head["bottom"] + 1
                          and w["x0"] >= head["x0"] - 3 and w["x1"] <= head["x1"] + 3
                          and re.fullmatch(r"\d+", w["text"])])
    return pages


@pytest.mark.slow
def test_tables_break_where_the_pdfs_did(rendered):
    """Every page of a table holds the PDF's rows: a row the PDF split shows its number again
    at the top of the next page, with its name 「（续）」, in LibreOffice too."""
    split = 0
    for name, r in rendered.items():
        assert _rows_by_page(r.lo_path) == _rows_by_page(r.pdf_path), name
        continued = [p.number for p in r.pdf if "（续）" in "".join(ln.text for ln in p.lines)]
        assert continued == [p.number for p in r.lo
                             if "（续）" in "".join(ln.text for ln in p.lines)], name
        split += len(continued)
    assert split > 10  # rows split across pages, in the 2021 letters


def _xml(docx, part="word/document.xml"):
    with zipfile.ZipFile(docx) as package:
        return etree.fromstring(package.read(part))


@pytest.mark.slow
def test_table_rows_are_whole_and_each_page_repeats_the_head_row(documents):
    """The DOCX keeps each row whole (the PDF's layout has split it), one Word table a page,
    its first row the head row marked to repeat."""
    for name, (_, docx) in documents.items():
        tables = _xml(docx).iter(f"{W}tbl")
        for table in tables:
            rows = table.findall(f"{W}tr")
            if table.find(f"{W}tblPr/{W}tblStyle") is None:
                continue  # a layout table (联合行文's 标志)
            assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None, name
            assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows), name
            assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:]), name


@pytest.mark.slow
def test_end_matter_on_an_even_page_with_the_default_export(rendered):
    """LibreOffice's default export drops the blank page an evenPage break implies: the DOCX
    holds the blank page itself, where the PDF's layout has one (grid/2025), so that the
    版记 page is even and numbered as the PDF's; the notices' numbers all in place, turned on
    the landscape pages."""
    blanks = {}
    for name in _notices(rendered):
        pdf, lo = rendered[name].pdf, rendered[name].lo
        check_page_numbers(lo)
        blanks[name] = [p.number for p in lo if not p.text_lines()]
        assert blanks[name] == [p.number for p in pdf if not p.text_lines()], name
        last = lo[-1]
        assert last.page_number_line().text == f"— {last.number} —"
        assert last.number % 2 == 0
    assert blanks["grid/notice"] == [len(rendered["grid/notice"].lo) - 1]  # a blank page kept


def test_no_text_above_the_type_area_on_a_portrait_page(rendered):
    """The 名单 and 版记 page opens a section of its own (after the landscape checklist, an
    evenPage break): LibreOffice set its body under the empty header's top, 15 mm from the
    paper's top, the 名单's title in the 天头 (23.6 mm), until the header moved above the
    版心."""
    for name in _notices(rendered):
        for page in rendered[name].lo:
            if not page.landscape and page.text_lines():
                top = min(line.top for line in page.text_lines())
                assert top >= style.TOP_MM - 0.5, (name, page.number, round(top, 1))


def test_the_blank_page_is_a_section_of_its_own(documents):
    """Where the PDF's layout leaves a blank page before the 版记 page (grid/2025), the DOCX
    holds it as a section of one empty paragraph whose headers and footers are empty, after
    which the 版记 section still starts on an even page (Word and WPS add no other page)."""
    body = _xml(documents["grid/notice"][1]).find(f"{W}body")
    sections = [p.find(f"{W}pPr/{W}sectPr") for p in body.iter(f"{W}p")
                if p.find(f"{W}pPr/{W}sectPr") is not None] + [body.find(f"{W}sectPr")]
    blank, last = sections[-2], sections[-1]
    holder = blank.getparent().getparent()
    assert "".join(holder.itertext()) == ""
    assert blank.find(f"{W}type").get(f"{W}val") == "nextPage"
    size = blank.find(f"{W}pgSz")
    assert int(size.get(f"{W}w")) < int(size.get(f"{W}h"))  # a portrait page
    assert last.find(f"{W}type").get(f"{W}val") == "evenPage"
    rels = {(ref.tag.split("}")[1], ref.get(f"{W}type")) for ref in blank
            if ref.tag in (f"{W}headerReference", f"{W}footerReference")}
    assert rels == {(kind, side) for kind in ("headerReference", "footerReference")
                    for side in ("default", "even")}
    with zipfile.ZipFile(documents["grid/notice"][1]) as package:
        targets = {r.get("Id"): r.get("Target") for r in etree.fromstring(
            package.read("word/_rels/document.xml.rels"))}
        R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        for ref in blank:
            if ref.get(R):
                part = etree.fromstring(package.read("word/" + targets[ref.get(R)]))
                assert "".join(part.itertext()).strip() == "", ref.get(R)


@pytest.mark.slow
def test_letters_number_their_landscape_pages_turned(rendered):
    """No number on a letter's first page; each landscape page's number turned a quarter,
    7 mm left of the 版心, a character from its end, as the PDF's."""
    for name in _letters(rendered) + _letters(rendered, "grid"):
        pdf, lo = rendered[name].pdf, rendered[name].lo
        assert lo[0].page_number_lines() == [], name
        for mine, theirs in zip(lo[1:], pdf[1:], strict=True):
            assert mine.landscape
            line = mine.page_number_line()
            assert line.text == f"— {mine.number} —", name
            _check_turned_page_number(mine, line)
            reference = theirs.page_number_line()
            assert abs(line.x1 - reference.x1) < 0.6 and abs(line.top - reference.top) < 0.3


# -- cells -------------------------------------------------------------------------------------


def _cells(path, number: int):
    """{(row, column's head): (text top gap, text bottom gap) in mm} of a table page: the
    cells between the page's horizontal and vertical rules, the head row left out."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[number - 1]
        tops = _row_rules([e for e in page.edges if e["orientation"] == "h"
                           and e["x1"] - e["x0"] > 20])
        xs = _positions(e["x0"] for e in page.edges if e["orientation"] == "v"
                        and e["bottom"] - e["top"] > 5)
        chars = [c for c in page.chars if c["text"].strip() and c.get("upright") is not False]
        cells = {}
        for c in chars:
            row = next((i for i in range(len(tops) - 1)
                        if tops[i] <= c["top"] and c["bottom"] <= tops[i + 1] + 0.5), None)
            col = next((i for i in range(len(xs) - 1)
                        if xs[i] - 0.5 <= c["x0"] and c["x1"] <= xs[i + 1] + 0.5), None)
            if row is None or col is None:
                continue
            cells.setdefault((row, col), []).append(c)
        heads = {col: "".join(c["text"] for c in found) for (row, col), found in cells.items()
                 if row == 0}
        cells = {(row, heads.get(col, "")): found for (row, col), found in cells.items() if row}
        return {key: ((min(c["top"] for c in found) - tops[key[0]]) * MM,
                      (tops[key[0] + 1] - max(c["bottom"] for c in found)) * MM)
                for key, found in cells.items()}


def _row_rules(edges) -> list[float]:
    """The positions of the rules between rows (pt): horizontal edges at one position (within
    1 pt) that cross at least half the table. WeasyPrint draws a border as a ring filled
    even-odd, which pdfplumber reads as the outer and inner rectangles: a measure cell's names,
    whose right border is the 指标名称|指标值 rule, give edges at their tops and bottoms too,
    across their own column only."""
    left, right = min(e["x0"] for e in edges), max(e["x1"] for e in edges)
    rules = []
    for top in _positions(e["top"] for e in edges):
        spans = sorted((e["x0"], e["x1"]) for e in edges if abs(e["top"] - top) <= 1)
        covered, reach = 0.0, left
        for x0, x1 in spans:
            covered += max(0.0, x1 - max(x0, reach))
            reach = max(reach, x1)
        if covered >= (right - left) / 2:
            rules.append(top)
    return rules


def _positions(values) -> list[float]:
    """Distinct positions (pt), those within 1 pt of each other taken as one rule."""
    out: list[float] = []
    for value in sorted(values):
        if not out or value - out[-1] > 1:
            out.append(value)
    return out


def _kind(gaps: tuple[float, float]) -> str:
    """How a cell's text sits between its rules: filling it, centred, at the top, or
    otherwise (mm)."""
    top, bottom = gaps
    if top + bottom < 5:
        return "full"
    return "centre" if abs(top - bottom) < 2.5 else "top" if top < 2.5 else "other"


@pytest.mark.slow
@pytest.mark.parametrize("which", ["letters", "notice"])
def test_cells_aligned_as_the_pdfs(rendered, which):
    """Each cell's text sits in its row as in the PDF (research/docx/FINDINGS.md, Q7): at the
    top in the letters' tables and in the notices' (their rows split at page ends too). A
    cell its text fills shows no alignment; one the PDF sets neither way (a sub-indicator's
    value under an empty one) is left out."""
    names = _letters(rendered)[:6] if which == "letters" else ["2021/notice", "grid/notice"]
    kinds = []
    for name in names:
        r = rendered[name]
        for page in (p for p in r.lo if p.landscape):
            theirs, mine = _cells(r.pdf_path, page.number), _cells(r.lo_path, page.number)
            for key, gaps in theirs.items():
                if key not in mine or _kind(gaps) in ("full", "other") or (
                        _kind(mine[key]) == "full"):
                    continue  # no alignment to see
                if key[1] in MERGED:  # a group label: the DOCX centres it on the group's
                    continue  # rows of the page (w:vMerge), the PDF in the first of them
                assert _kind(mine[key]) == _kind(gaps), (name, page.number, key, gaps,
                                                         mine[key])
                kinds.append(_kind(gaps))
    # every checklist's rows split at page ends, as a letter's do, each cell's text at the top
    counts = {kind: kinds.count(kind) for kind in ("top", "centre")}
    assert counts["top"] > 50, counts


# -- lines and faces -----------------------------------------------------------------------------


def _dates_on_one_line(path) -> int:
    """How many dates of year and month (「2021年3月」) the table pages show on one line."""
    with pdfplumber.open(path) as pdf:
        return sum(len(re.findall(r"\d{4}年\d{1,2}月", line))
                   for page in pdf.pages if page.width > page.height
                   for line in page.extract_text().splitlines())


@pytest.mark.slow
def test_no_date_broken_in_a_table_cell(rendered):
    """LibreOffice spaces digits apart from Chinese: a cell's 「2021年3月」, one line in the
    column the PDF fitted to it, would break as 「2021年3/月」 but for the DOCX's word joiners."""
    for name in _notices(rendered):
        r = rendered[name]
        assert _dates_on_one_line(r.lo_path) == _dates_on_one_line(r.pdf_path), name
    assert _dates_on_one_line(rendered["2021/notice"].pdf_path) >= 25


@pytest.mark.slow
def test_no_punctuation_past_the_right_edge(rendered):
    """LibreOffice reads w:overflowPunct inverted (FINDINGS Q3): the DOCX gives it the value it
    needs, and no character of a portrait page reaches past the 版心; none of a table crosses
    a cell's rule."""
    checked = 0
    for name, r in rendered.items():
        with pdfplumber.open(r.lo_path) as pdf:
            for page, measured in zip(pdf.pages, r.lo, strict=True):
                if measured.landscape:
                    rules = [e for e in page.edges if e["orientation"] == "v"]
                    for c in page.chars:
                        if c["text"].strip() and c.get("upright", True):
                            crossed = [e["x0"] for e in rules
                                       if c["x0"] + 0.3 < e["x0"] < c["x1"] - 0.3
                                       and e["top"] < c["bottom"] and c["top"] < e["bottom"]]
                            assert not crossed, (name, page.page_number, c["text"])
                            checked += 1
                    continue
                numbers = {ln.top for ln in measured.lines if PAGE_NUMBER.match(ln.text)}
                for c in page.chars:
                    if round(c["top"] * MM, 2) in {round(t, 2) for t in numbers}:
                        continue
                    if c["size"] > style.TITLE_PT - 1 and c["text"] not in PUNCTUATION:
                        continue  # a title line may reach a quarter character out (writer.py)
                    assert c["x1"] * MM <= TEXT_RIGHT_MM + 0.3, (name, page.page_number,
                                                                 c["text"])
                    checked += 1
    assert checked > 5000


def _family(fontname: str) -> str:
    """A PDF font's family: FandolFang of ABCDEF+FandolFang-Regular or gbt-FandolFang-Regular
    (the PDF's @font-face name)."""
    name = fontname.split("+", 1)[-1]
    return re.sub(r"^gbt-|-(Regular|Bold)(-Bold)?$", "", name)


@pytest.mark.slow
def test_libreoffice_draws_with_the_pdfs_faces(rendered):
    """Every character LibreOffice draws is in a family the PDF uses too (no Times New Roman
    or Liberation digits: the DOCX names the role's face for Latin and digits), and the body's
    digits in the family the PDF draws them in."""
    for name in ["2021/notice", "grid/notice", *_letters(rendered)[:3]]:
        faces, digits = {}, {}
        for engine, path in (("pdf", rendered[name].pdf_path),
                             ("libreoffice", rendered[name].lo_path)):
            with pdfplumber.open(path) as pdf:
                chars = [c for page in pdf.pages for c in page.chars if c["text"].strip()]
            faces[engine] = {_family(c["fontname"]) for c in chars}
            digits[engine] = {_family(c["fontname"]) for c in chars
                              if c["text"].isdigit() and c["size"] > 12}  # the body's
        assert faces["libreoffice"] <= faces["pdf"], (name, faces)
        assert digits["libreoffice"] == digits["pdf"], (name, digits)


@pytest.mark.slow
def test_theme_and_font_table_name_only_the_standards_faces(documents):
    """The theme's major and minor fonts, the font table and every w:rFonts of the DOCX name
    a face of the standard's roles (WPS reports a theme's Calibri or Cambria as missing)."""
    for name, (_, docx) in documents.items():
        theme = _xml(docx, "word/theme/theme1.xml").find(f".//{A}fontScheme")
        named = {e.get("typeface") for e in theme.iter() if e.get("typeface")}
        assert named <= FACES, (name, named - FACES)
        fonts = {e.get(f"{W}name") for e in _xml(docx, "word/fontTable.xml")}
        assert fonts <= FACES, (name, fonts - FACES)
        for part in ("word/styles.xml", "word/document.xml"):
            faces = {value for e in _xml(docx, part).iter(f"{W}rFonts")
                     for attr, value in e.attrib.items() if attr != f"{W}hint"}
            assert faces <= FACES, (name, part, faces - FACES)


@pytest.mark.slow
def test_the_other_offices_docx_files_are_schema_valid(grid_built):
    files = sorted(grid_built.root.glob("**/*.docx"))
    assert len(files) == 8
    assert_schema_valid(files)
