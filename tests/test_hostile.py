"""Hostile and broken input: no crash, no empty boxes, no escape, nothing lost (issue 8).

One guarantee a section: injection, names, characters, sizes, faults, exit statuses. The
mutation runs (hypothesis) are in test_fuzz.py.

Most checks read one build of a hostile copy of content/2021, made once for the module: HTML,
CSS, Jinja and URLs in the texts, units whose names would make bad file names, a character
only the fallback face has, an indicator whose main tasks fill several pages.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from gbt9704_checks import check_table_heads
from helpers import CONTENT_2021, REPO, ContentCopy, takes_ctrl_c, title_by_hand
from pdfmeasure import _lines, read_pdf
from weasyprint.urls import URLFetcher

import notice.build
import notice.docx
import notice.output
import notice.pdf
import notice.publish
from notice import style
from notice.cli import main
from notice.columns import NOTICE, columns_of
from notice.content import TITLE_LINE_LIMIT, load_content
from notice.docx.blocks import JOINER
from notice.fonts import _cmap, resolve_fonts
from notice.model import Unit
from notice.output import write_atomically
from notice.pdf import FontsOnlyFetcher, render_pdf
from notice.read_units import UNIT_NAME_LIMIT
from notice.render import render_notice_html
from notice.sheets import file_stem

_CHECKLIST = load_content(CONTENT_2021).checklist  # its declared columns
COLUMN_HEADS = tuple(shown.column.head for shown in columns_of(NOTICE, _CHECKLIST))
COLUMN_WIDTHS_MM = tuple(shown.width for shown in columns_of(NOTICE, _CHECKLIST))
MM = 25.4 / 72
# what a clerk might paste from a web page: markup, style, template syntax, links
INJECTED = ('<script>alert(1)</script><img src="http://127.0.0.1:9/x.png">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            "</style><style>body{display:none}</style>{{ 7*7 }}{% for x in range(3) %}x"
            "{% endfor %}{# note #} file:///etc/passwd http://127.0.0.1:9/a.css "
            "a < b & c &amp; d &lt; e")
IN_OPENING = "<b>粗</b>&nbsp;{{ workpoints }}<!-- x -->"
IN_TASKS = "<td>{{ i.number }}</td>http://127.0.0.1:9/" + "a" * 60
FALLBACK_ONLY = "㐀"  # U+3400: FandolFang lacks it, Noto Serif CJK has it
NO_FACE = "𠀀"  # U+20000: no installed face has it
# main tasks of about seven landscape pages
LONG_TASKS = "".join(f"第{n}项：加强大气污染联防联控，推进重点行业超低排放改造，强化监测执法。"
                     for n in range(1, 100))[:3000]
# units whose names would make bad file names; each is given indicator 11
BAD_NAMES = ["../../escape", "/abs/path", "back\\slash", "C:evil", "CON", "..",
             "<i>&amp;{{x}}</i>", ("超长单位名称" * 9)[:UNIT_NAME_LIMIT]]
LONG_NAME_ADDRESSEE = "超长单位"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return _squeeze("".join(c["text"] for page in pdf.pages for c in page.chars))


def _docx_text(path: Path) -> str:
    document = Document(io.BytesIO(path.read_bytes()))
    text = "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))
    return _squeeze(text.replace(JOINER, ""))  # the joiners keeping a cell's dates whole


def _column_text(path: Path, widths: tuple[float, ...], index: int, head: str) -> str:
    """The text of one column of the landscape table pages, page after page, without its
    head cell."""
    left = style.LANDSCAPE_MARGINS_MM[3] + sum(widths[:index])
    right = left + widths[index]
    text = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if page.width < page.height:
                continue
            chars = [c for c in page.chars if left < c["x0"] * MM < right]
            text += [line.text for line in _lines(chars) if line.text != head]
    return _squeeze("".join(text))


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _hostile_content(root: Path) -> ContentCopy:
    content = ContentCopy(root)
    content.edit("notice.yaml", "closing: ", f"  - |-\n    {INJECTED} {FALLBACK_ONLY}\nclosing: ")
    content.edit("workpoints.yaml", "制定本工作要点。", f"制定本工作要点。{IN_OPENING}")
    content.edit("checklist.yaml", "              按照《巴中市打赢蓝天保卫战",
                 f"              {IN_TASKS}{LONG_TASKS}按照《巴中市打赢蓝天保卫战",
                 after="number: 11")
    names = "".join(f"              - {json.dumps(n, ensure_ascii=False)}\n" for n in BAD_NAMES)
    content.edit("checklist.yaml", "              - 巴中经开区\n",
                 f"              - 巴中经开区\n{names}", after="number: 11")
    units = "".join(f"  - {json.dumps(n, ensure_ascii=False)}\n" for n in BAD_NAMES[:-1])
    units += f"  - name: {BAD_NAMES[-1]}\n    addressee: {LONG_NAME_ADDRESSEE}\n"
    content.edit("units.yaml", "  - 市生态环境局\n", f"  - 市生态环境局\n{units}")
    return content


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile content built into OUT, every URL WeasyPrint asked for logged (from the
    workers too), and every file under the scratch folder before and after."""
    root = tmp_path_factory.mktemp("hostile")
    content = _hostile_content(root)
    fetched, opened = root / "fetched.log", root / "opened.log"
    before = _files(root)

    def logged(log: Path, method):
        def fetch(self, url, *args, **kwargs):
            with log.open("a", encoding="utf-8") as handle:
                handle.write(getattr(url, "full_url", url) + "\n")
            return method(self, url, *args, **kwargs)
        return fetch

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setattr(FontsOnlyFetcher, "fetch", logged(fetched, FontsOnlyFetcher.fetch))
        patch.setattr(URLFetcher, "fetch", logged(opened, URLFetcher.fetch))
        result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                           "--jobs", "2"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((root / "OUT/2021/manifest.json").read_text(encoding="utf-8"))
    letters = {f["unit"]: root / "OUT/2021" / f["path"] for f in manifest["files"]
               if f["kind"] == "sheet" and f["format"] == "pdf"}
    return dict(root=root, content=content, before=before, after=_files(root),
                out=root / "OUT/2021", letters=letters, fetched=fetched, opened=opened)


# -- injection: content is text, WeasyPrint loads nothing but the fonts -------------------------

@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.png", "https://example.com/a.css", "file:///etc/passwd",
    "data:text/css,body{display:none}", "ftp://example.com/x", "file:///usr/share/fonts/",
])
def test_the_fetcher_refuses_every_url_but_the_fonts(url):
    face = resolve_fonts().font_faces()[0]
    fetcher = FontsOnlyFetcher(frozenset({face.url}))
    with pytest.raises(ValueError) as refused:
        fetcher.fetch(url)
    assert str(refused.value) == f"refused: {url}"
    assert fetcher.refused == [url]
    response = fetcher.fetch(face.url)
    try:
        assert response.read(4) in (b"OTTO", b"\x00\x01\x00\x00", b"ttcf", b"true")
    finally:
        response.close()


def test_rendering_fetches_only_the_project_fonts(hostile):
    """The content's URLs (img, link, file:, http:) are never asked for; the fonts are."""
    fonts = {face.url for face in resolve_fonts().font_faces()}
    fetched = hostile["fetched"].read_text(encoding="utf-8").split()
    opened = hostile["opened"].read_text(encoding="utf-8").split()
    assert fetched, "WeasyPrint loaded no font at all: the log does not work"
    assert set(fetched) <= fonts
    assert set(opened) <= fonts


def test_a_font_file_name_cannot_break_out_of_the_stylesheet(tmp_path):
    """--font body=FILE: the file's name goes into the CSS, quoted; quotes and braces in it
    stay inside the quotes."""
    body = resolve_fonts().roles["body"][0]
    odd = tmp_path / 'x"; } body { display: none } @import url(data:,p{}); {.otf'
    shutil.copyfile(body.path, odd)
    fonts = resolve_fonts({"body": str(odd)})
    content = load_content(CONTENT_2021)
    html, css = render_notice_html(content, fonts)
    with pdfplumber.open(io.BytesIO(render_pdf(html, css, fonts))) as pdf:
        first = pdf.pages[0]
        names = {c["fontname"].split("+")[-1] for c in first.chars if c["text"] == "为"}
        text = first.extract_text()
    assert names == {"gbt-" + re.sub(r"[^0-9A-Za-z_-]", "_", odd.stem)}  # the @font-face held
    assert "为认真贯彻落实" in _squeeze(text)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_markup_css_jinja_and_urls_come_out_as_text_in_the_notice(hostile, fmt):
    path = hostile["out"] / f"notice.{fmt}"
    text = _pdf_text(path) if fmt == "pdf" else _docx_text(path)
    for injected in (INJECTED, IN_OPENING, IN_TASKS):
        assert _squeeze(injected) in text, injected
    assert "a<b&c&amp;d&lt;e" in text  # a raw < and & are themselves on the page
    assert "49" not in text.replace("第49项", "")  # {{ 7*7 }} was not evaluated


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_markup_in_a_unit_name_comes_out_as_text_in_its_letter(hostile, fmt):
    path = hostile["letters"]["<i>&amp;{{x}}</i>"].with_suffix(f".{fmt}")
    text = _pdf_text(path) if fmt == "pdf" else _docx_text(path)
    assert "<i>&amp;{{x}}</i>2021年度创建国家生态文明建设示范市任务清单" in text
    assert _squeeze(IN_TASKS) in text


# -- names: nothing is written outside OUT, every file name is safe ----------------------------

SAFE_NAME = re.compile(r'^[^\\/:*?"<>|\x00-\x1f.][^\\/:*?"<>|\x00-\x1f]*\.(pdf|docx)$')


def test_units_with_bad_names_get_safe_files_inside_out(hostile):
    before, after = hostile["before"], hostile["after"]
    assert {k: v for k, v in after.items() if k in before} == before  # nothing changed
    new = sorted(set(after) - set(before))
    outside = [p for p in new if not p.startswith("OUT/") and not p.endswith(".log")]
    assert outside == []
    # OUT/2021 links to the published set in OUT/.builds (notice/publish.py)
    assert not [p for p in new if p.startswith("OUT/") and p != "OUT/.lock" and not
                p.startswith(("OUT/2021/", "OUT/.cache/", "OUT/.builds/2021-"))]
    sheets = [p.name for p in (hostile["out"] / "sheets").iterdir()]
    for name in sheets:
        assert SAFE_NAME.match(name), name
        assert len(name.encode("utf-8")) <= 200, name
    assert len(sheets) == 2 * (23 + len(BAD_NAMES))
    stems = {u: p.stem for u, p in hostile["letters"].items()}
    assert stems["../../escape"] == "_.._escape"
    assert stems["/abs/path"] == "_abs_path"
    assert stems["back\\slash"] == "back_slash"
    assert stems["C:evil"] == "C_evil"
    assert stems["CON"] == "CON_"  # never the device name CON
    assert stems[".."] == "unit"
    assert stems["<i>&amp;{{x}}</i>"] == "_i_&amp;{{x}}__i_"
    assert stems[BAD_NAMES[-1]] == BAD_NAMES[-1]


@pytest.mark.parametrize("name, kept", [
    ("长" * 300, 60),  # 60 characters, 180 bytes
    ("𠀾" * 300, 45),  # characters of four bytes: 180 bytes
    ("a" * 59 + " ." + "b", 59),
])
def test_file_names_are_cut_to_what_every_file_system_holds(name, kept):
    stem = file_stem(Unit(name, name, 7))
    assert stem == name[:kept]
    # with the suffix and the temporary name written beside it, within 255 bytes
    assert len(f".{stem}.docx.abcdefgh.part".encode()) <= 255


def test_a_unit_name_over_the_limit_is_refused(content):
    name = "超长单位名称" * 50
    spot = content.edit("units.yaml", "  - 市生态环境局\n", f"  - 市生态环境局\n  - {name}\n")
    result = CliRunner().invoke(main, ["validate", "--content", "2021"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"2021/units.yaml:{spot.line + 1}:5: other_units: holds 300 characters; a unit's name "
        f"holds at most {UNIT_NAME_LIMIT}",
        "1 problem in the content; nothing was written."]


@pytest.mark.parametrize("typed, what", [
    ('"市林业局\\0"', "contains the invisible control character U+0000; delete it"),
    ('"市林业局\\ud800"', "contains U+D800, which is not a character (half of a pair of "
                          "UTF-16 codes); delete it"),
])
def test_a_unit_name_with_nul_or_a_broken_character_is_refused(content, typed, what):
    spot = content.edit("units.yaml", "  - 市林业局", f"  - {typed}")
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == (
        f"2021/units.yaml:{spot.line}:{spot.column + 4}: recipients: {what}")
    assert not Path("OUT").exists()


def test_a_raw_nul_byte_is_refused(content):
    spot = content.edit("units.yaml", "  - 市林业局", "  - 市林业局\x00")
    result = CliRunner().invoke(main, ["validate", "--content", "2021"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"2021/units.yaml:{spot.line}:{spot.column + 8}: contains the invisible control "
        "character U+0000; delete it",
        "1 problem in the content; nothing was written."]


@pytest.mark.parametrize("year", ["../../x", "/etc", "2021/..", "20 21"])
def test_a_year_that_is_not_a_number_is_refused(content, year):
    spot = content.edit("notice.yaml", "  year: 2021", f'  year: "{year}"')
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT"])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f'2021/notice.yaml:{spot.line}:9: doc_number: year: "{year}" is not a whole number; '
        "write it with the digits 0-9",
        "1 problem in the content; nothing was written."]
    assert not Path("OUT").exists()


def test_out_pointing_at_a_file_is_a_usage_error(content):
    Path("OUT").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--out': Directory 'OUT' is a file.")
    assert Path("OUT").read_text(encoding="utf-8") == "not a folder"


# -- characters: no empty boxes ---------------------------------------------------------------

def test_the_rare_characters_are_what_these_tests_assume():
    fonts = resolve_fonts()
    faces = {face for role in fonts.roles.values() for face in role}
    assert not [f.family for f in faces if ord(NO_FACE) in _cmap(f.path, f.index)]
    listed = subprocess.run(["fc-list", f":charset={ord(NO_FACE):x}", "family"],
                            capture_output=True, text=True, check=True).stdout
    assert listed.strip() == "", listed  # no face on this machine at all
    body = fonts.roles["body"]
    assert ord(FALLBACK_ONLY) not in _cmap(body[0].path, body[0].index)
    assert fonts.face_for("body", FALLBACK_ONLY).family.startswith("Noto Serif CJK")


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_character_no_face_has_is_refused_before_rendering(content, monkeypatch, command):
    def no_rendering(*args, **kwargs):
        raise AssertionError("rendering started")

    monkeypatch.setattr(notice.pdf, "render_pdf", no_rendering)
    spot = content.edit("notice.yaml", "closing: 特此通知。", f"closing: 特此{NO_FACE}通知。")
    args = ["--out", "OUT"] if command == "build" else []
    result = CliRunner().invoke(main, [command, "--content", "2021", *args])
    assert result.exit_code == 1, result.output
    families = ", ".join(f.family for f in resolve_fonts().roles["body"])
    assert result.stderr.splitlines() == [
        f"2021/notice.yaml:{spot.line}:{spot.column + len('closing: ')}: closing: the "
        f'character "{NO_FACE}" (U+20000, {unicodedata.name(NO_FACE)}) is in none of the '
        f"fonts for 正文 ({families}); replace it or install a font that has it",
        "1 problem in the content; nothing was written."]
    assert not Path("OUT").exists()


def test_a_character_only_the_fallback_face_has_is_drawn_by_it(hostile):
    with pdfplumber.open(hostile["out"] / "notice.pdf") as pdf:
        drawn = [c for page in pdf.pages for c in page.chars if c["text"] == FALLBACK_ONLY]
    assert len(drawn) == 1
    assert re.search(r"Noto.?Serif.?CJK", drawn[0]["fontname"]), drawn[0]["fontname"]


# -- sizes: a row of several pages, long titles and names -------------------------------------

def test_a_row_of_several_pages_splits_cleanly_in_the_notice(hostile):
    path = hostile["out"] / "notice.pdf"
    pages = read_pdf(path)
    assert check_table_heads(pages, list(COLUMN_HEADS)) >= 10
    tasks = _column_text(path, COLUMN_WIDTHS_MM, COLUMN_HEADS.index("主要任务"), "主要任务")
    assert tasks.count(LONG_TASKS) == 1  # all of it, once, in order
    assert tasks.count(_squeeze(IN_TASKS)) == 1
    pages_of_11 = [p.number for p in pages if p.landscape
                   and any(LONG_TASKS[1500:1510] in ln.text for ln in p.lines)]
    assert pages_of_11, "the middle of the row is on some page"


def test_a_row_of_several_pages_splits_cleanly_in_a_letter(hostile):
    from notice.columns import COLUMNS, letter_columns
    from notice.content import load_content
    from notice.sheets import load_sheet_text, make_sheets

    path = hostile["letters"]["CON"]
    heads = ["序号", "指标名称", "指标值", "主要任务"]  # the heads on one line
    assert check_table_heads(read_pdf(path), heads) >= 4
    content = load_content(hostile["root"] / "2021")
    text, _spots = load_sheet_text(content.folder)
    sheet = next(s for s in make_sheets(content, text) if s.unit.name == "CON")
    shown = letter_columns(COLUMNS, sheet.rows)  # the letter's columns, fitted to its rows
    tasks = _column_text(path, tuple(c.width for c in shown),
                         [c.column.head for c in shown].index("主要任务"), "主要任务")
    assert tasks.count(LONG_TASKS) == 1


def _docx_column(path: Path, head: str) -> str:
    """The text of one column of the DOCX's tables (one a page), table after table, without
    the head rows."""
    document = Document(io.BytesIO(path.read_bytes()))
    text = []
    for table in document.element.body.iter(qn("w:tbl")):
        rows = [[_squeeze("".join(t.text or "" for t in cell.iter(qn("w:t")))).replace(
            JOINER, "") for cell in row.findall(qn("w:tc"))] for row in table.findall(qn("w:tr"))]
        if head in rows[0]:
            text += [row[rows[0].index(head)] for row in rows[1:]]
    return "".join(text)


def test_a_row_of_several_pages_is_whole_in_the_docx(hostile):
    """All of the row's main tasks, once and in order, in the DOCX's 主要任务 cells (split where
    the PDF's pages end, as the PDF's rows are)."""
    for path in (hostile["out"] / "notice.docx", hostile["letters"]["CON"].with_suffix(".docx")):
        assert _docx_column(path, "主要任务").count(LONG_TASKS) == 1, path.name


@pytest.mark.slow
def test_a_row_of_several_pages_splits_cleanly_when_libreoffice_lays_the_docx_out(hostile):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/setup.sh installs it)")
    out = hostile["root"] / "libreoffice"
    subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out),
                    str(hostile["out"] / "notice.docx")],
                   check=True, capture_output=True, timeout=300)
    path = out / "notice.pdf"
    heads = ["领域", "任务", "序号", "指标名称", "指标值", "主要任务", "牵头单位", "责任单位"]
    assert check_table_heads(read_pdf(path), heads) >= 10
    tasks = _column_text(path, COLUMN_WIDTHS_MM, COLUMN_HEADS.index("主要任务"), "主要任务")
    assert tasks.count(LONG_TASKS) == 1


def test_a_title_line_of_300_characters_is_refused_with_the_limit(content):
    title_by_hand(content)
    spot = content.edit("notice.yaml", "  - 工作要点》的通知", "  - " + "通" * 300)
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"2021/notice.yaml:{spot.line}:5: title line 4: holds 300 characters; a title line "
        f"holds at most {TITLE_LINE_LIMIT}: break it into two lines",
        "1 problem in the content; nothing was written."]
    assert not Path("OUT").exists()


def test_a_unit_name_too_long_for_a_title_line_is_broken_inside(content):
    """The clerk's own words fit the line; only the unit's long name overflows it: the name is
    broken where the line ends (there is no better place)."""
    name = "巴中市生态环境保护综合行政执法支队第一大队"
    content.edit("units.yaml", "  - 市生态环境局\n", f"  - 市生态环境局\n  - {name}\n")
    content.edit("checklist.yaml", "lead_units: [市生态环境局]",
                 f"lead_units: [市生态环境局, {name}]", after="number: 11")
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                       "--unit", name, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    letter = next(Path("OUT/2021/sheets").glob("*.pdf"))
    assert f"关于印发《{name}2021年度" in _pdf_text(letter)


def test_a_letter_with_an_attachment_name_of_300_characters_is_built(content):
    """The name is printed whole; the DOCX's subject property (at most 255) is cut."""
    long = "年度任务清单" + "附" * 294
    content.edit("sheets.yaml", 'attachment: "{unit}{year}年度{programme}任务清单"',
                 f'attachment: "{long}"')
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                       "--unit", "市林业局", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    letter = Path("OUT/2021/sheets/市林业局.pdf")
    # the 信函格式's red 标志 (drawn last on page 1) and the 署名 aside: 附件说明 and the title
    office = "巴中市创建国家生态文明建设示范市领导小组办公室"
    assert _pdf_text(letter).replace(office, "").count(long) == 2
    docx = letter.with_suffix(".docx")
    assert _docx_text(docx).count(long) == 2
    subject = Document(io.BytesIO(docx.read_bytes())).core_properties.subject
    assert subject == long[:254] + "…"


def test_a_field_in_a_letter_is_filled_and_nothing_else(content):
    """{unit} is a field; {0}, {unit.__class__} are not and are refused, not evaluated."""
    spot = content.edit("sheets.yaml", "  - 领导小组办公室关于印发",
                        "  - 领导小组办公室关于印发{unit.__class__}")
    result = CliRunner().invoke(main, ["validate", "--content", "2021"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f'2021/sheets.yaml:{spot.line}:{spot.column + 4}: title piece 2: "{{unit.__class__}}" '
        "is not a field you can use here; use one of {year}, {unit}, {addressee}, "
        "{second_person}, {office}, {programme}, {notice_title}, {doc_number}, "
        "{letter_number}, {lead_count}, {responsible_count}, {shared_count}, "
        "{indicator_count}, {earliest_deadline}, {roles}")


# -- faults: the previous outputs stay whole ---------------------------------------------------

@pytest.fixture
def previous(content, monkeypatch):
    """A first build (fast stand-ins for the PDF and DOCX writers), and content changed
    since, so that a second build would replace every file."""
    builds = iter(range(1, 100))
    state = dict(build=0, rendered=0)

    def fake_pdf(html, css, fonts, **options):
        state["rendered"] += 1
        return f"%PDF build {state['build']} {len(html)}".encode()

    def fake_docx(html, context):
        return f"DOCX build {state['build']} {len(html)}".encode()

    monkeypatch.setattr(notice.pdf, "render_pdf", fake_pdf)
    monkeypatch.setattr(notice.docx, "render_docx", fake_docx)

    def build(*args: str):
        state["build"] = next(builds)
        return CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                         "--jobs", "1", "--no-cache", *args])

    first = build()
    assert first.exit_code == 0, first.output
    content.edit("notice.yaml", "date: 2021-02-23", "date: 2021-02-24")
    state.update(out=Path("OUT/2021"), before=_files(Path("OUT/2021")), build_again=build)
    assert len(state["before"]) == 2 + 1 + 2 * 23 + 1
    return state


def _untouched(previous) -> None:
    assert _files(previous["out"]) == previous["before"]  # byte for byte
    assert not list(Path("OUT").rglob("*.part"))
    # nothing of the failed build is left: OUT/.builds holds the published set only
    assert [p.resolve() for p in Path("OUT/.builds").iterdir()] == [previous["out"].resolve()]


def _fail_at(count: int, fault: BaseException):
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == count:
            raise fault
        return real(*args, **kwargs)

    real = os.fsync
    return failing, calls


@pytest.mark.parametrize("at", [1, 25, 50])  # the notice's PDF, a letter, the manifest
def test_disk_full_while_writing_leaves_the_previous_outputs(previous, monkeypatch, at):
    fsync, calls = _fail_at(at, OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr(os, "fsync", fsync)
    written = []
    real_write = notice.publish.Draft.write
    monkeypatch.setattr(notice.publish.Draft, "write",
                        lambda self, path, data: (written.append(path),
                                                  real_write(self, path, data)))
    result = previous["build_again"]()
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        f"Error: cannot write {written[-1]}: No space left on device; the outputs already "
        "there were left as they were"]
    assert len(calls) == at
    _untouched(previous)


def test_permission_denied_while_writing_leaves_the_previous_outputs(previous, monkeypatch):
    real = os.open
    calls, written = [], []

    def open_staged(path, flags, *args, **kwargs):
        """The 10th output file of the new set cannot be created (other opens go through)."""
        if "/.builds/" in str(path) and flags & os.O_CREAT:
            calls.append(path)
            if len(calls) == 10:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(notice.publish.os, "open", open_staged)
    real_write = notice.publish.Draft.write
    monkeypatch.setattr(notice.publish.Draft, "write",
                        lambda self, path, data: (written.append(path),
                                                  real_write(self, path, data)))
    result = previous["build_again"]()
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        f"Error: cannot write {written[-1]}: Permission denied; the outputs already there "
        "were left as they were"]  # the file as it would be published, not a temporary name
    assert str(written[-1]).startswith("OUT/2021/")
    _untouched(previous)


def test_ctrl_c_while_rendering_leaves_the_previous_outputs(previous, monkeypatch):
    rendering = notice.pdf.render_pdf

    def interrupted(*args, **kwargs):
        if previous["rendered"] == 30:
            raise KeyboardInterrupt
        return rendering(*args, **kwargs)

    monkeypatch.setattr(notice.pdf, "render_pdf", interrupted)
    result = previous["build_again"]()
    assert result.exit_code == 130
    assert result.stderr == "Interrupted; nothing half-written was left behind.\n"
    _untouched(previous)


@pytest.mark.parametrize("at", [1, 30, 50])
def test_ctrl_c_while_writing_leaves_the_previous_outputs(previous, monkeypatch, at):
    fsync, calls = _fail_at(at, KeyboardInterrupt())
    monkeypatch.setattr(os, "fsync", fsync)
    result = previous["build_again"]()
    assert result.exit_code == 130
    assert result.stderr == "Interrupted; nothing half-written was left behind.\n"
    _untouched(previous)


def test_the_build_switches_the_whole_set(previous):
    result = previous["build_again"]()
    assert result.exit_code == 0, result.output
    after = _files(previous["out"])
    assert set(after) == set(previous["before"])
    assert all(after[name] != previous["before"][name] for name in after)


def test_write_atomically_names_the_file_it_could_not_write(tmp_path, monkeypatch):
    target = tmp_path / "notice.pdf"
    target.write_bytes(b"old")
    fsync, _calls = _fail_at(1, OSError(errno.ENOSPC, "No space left on device"))
    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError) as fault:
        write_atomically(target, b"new")
    assert fault.value.filename == str(target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notice.pdf"]


def test_ctrl_c_in_a_real_build_leaves_no_partial_file(previous, tmp_path):
    """Ctrl-C in a terminal reaches the build and its workers (one process group): exit 130,
    one line, no traceback from a worker, no staged file left, the last set whole."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--content", "2021", "--out", "OUT",
         "--jobs", "2", "--no-cache"], start_new_session=True, preexec_fn=takes_ctrl_c,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    published = previous["out"].resolve()
    while not [p for p in Path("OUT/.builds").glob("*/sheets/*")
               if p.parent.parent.resolve() != published]:  # the first documents are written
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "nothing was staged"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err == "Interrupted; nothing half-written was left behind.\n"
    _untouched(previous)


# -- exit statuses, documented --------------------------------------------------------------

def _commands(group, path=()):
    yield path
    for name, command in getattr(group, "commands", {}).items():
        yield from _commands(command, path + (name,))


@pytest.mark.parametrize("path", list(_commands(main)), ids=lambda p: " ".join(p) or "main")
def test_every_command_documents_the_exit_statuses(path):
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    if path == ("watch",):  # it stops with Ctrl-C, and outlives a content problem
        assert ("Exit status: 0 stopped with Ctrl-C (nothing half-written is left); 2 the "
                "command line is wrong; 3 a fault of the tool or the machine (disk full, "
                "permission denied). A content problem does not end the watch") in text
        return
    assert ("Exit status: 0 success; 1 the content has problems (each is listed with its file "
            "and line, nothing is written); 2 the command line is wrong; 3 a fault of the tool "
            "or the machine (disk full, permission denied); 130 interrupted with Ctrl-C "
            "(nothing half-written is left).") in text


def test_the_readme_says_what_happens_when_something_is_wrong():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### When something is wrong\n", 1)[1].split("\n#", 1)[0]
    text = " ".join(section.split())
    assert ("Exit status: 0 success; 1 the content has problems; 2 the command line is wrong; "
            "3 a fault of the tool or the machine (disk full, permission denied); 130 "
            "interrupted with Ctrl-C.") in text
    for promise in ("none of the installed faces", "left as they were", "safe file name"):
        assert promise in text, promise
