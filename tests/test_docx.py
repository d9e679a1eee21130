"""The notice DOCX: valid, reproducible, styled by name, the same words as the PDF, and laid out
by LibreOffice (measured on its PDF) as GB/T 9704 wants."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile

import lxml.html
import pdfplumber
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from gbt9704_checks import (
    PITCH_MM,
    TEXT_RIGHT_MM,
    body_lines,
    check_a4,
    check_page_numbers,
    check_table_heads,
    portrait_text_pages,
)
from helpers import CONTENT_2021, assert_schema_valid
from pdfmeasure import PAGE_NUMBER, break_was_constrained, read_pdf

from notice import style
from notice.columns import NOTICE, columns_of
from notice.content import load_content
from notice.docx import render_docx
from notice.docx.blocks import JOINER, PARAGRAPH_STYLES, classes
from notice.fonts import resolve_fonts
from notice.pdf import lay_out
from notice.render import notice_context, render_css, render_template

_CHECKLIST = load_content(CONTENT_2021).checklist  # its declared columns
COLUMN_HEADS = tuple(shown.column.head for shown in columns_of(NOTICE, _CHECKLIST))
COLUMN_WIDTHS_MM = tuple(shown.width for shown in columns_of(NOTICE, _CHECKLIST))

MM = 25.4 / 72
ROLE_OF_STYLE = {
    "发文机关标志": "title", "发文字号": "body", "标题": "title", "主送机关": "body",
    "正文": "body", "一级标题": "heading", "二级标题": "kai", "附件说明": "body", "署名": "body",
    "成文日期": "body", "附件标签": "heading", "附件标题": "title", "表格文字": "body",
    "表头": "heading", "版记": "body", "页码": "page_number", "名单标题": "title",
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def docx_path(built_2021):
    return built_2021.root / "notice.docx"


@pytest.fixture(scope="session")
def document(docx_path):
    return Document(docx_path)


@pytest.fixture(scope="session")
def lo_pdf(docx_path, tmp_path_factory):
    """The DOCX as LibreOffice headless lays it out, converted once with a profile of its own;
    the blank page that puts the 版记 on an even page is kept, as a printer gets it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/setup.sh installs it)")
    out = tmp_path_factory.mktemp("libreoffice")
    export = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
    subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                    "--convert-to", export, "--outdir", str(out), str(docx_path)],
                   check=True, capture_output=True, timeout=300)
    return out / "notice.pdf"


@pytest.fixture(scope="session")
def lo_pages(lo_pdf):
    return read_pdf(lo_pdf)


@pytest.fixture(scope="session")
def pdf_pages(built_2021):
    return read_pdf(built_2021.root / "notice.pdf")


# -- the file -------------------------------------------------------------------------------


@pytest.mark.slow
def test_schema_validator_finds_no_error(built_2021):
    """Microsoft's schema validator, on the notice and on every letter to a unit."""
    files = sorted(built_2021.root.glob("**/*.docx"))
    assert len(files) == 24
    assert_schema_valid(files)


def test_same_content_gives_the_same_bytes(docx_path):
    """The DOCX of the HTML as the PDF's layout left it, twice, is the built one."""
    content, fonts = load_content(CONTENT_2021), resolve_fonts()
    context = notice_context(content, fonts)
    _, html = lay_out(render_template("notice.html.j2", **context), render_css(context), fonts)
    first = render_docx(html, context)
    second = render_docx(html, notice_context(content, fonts))
    assert first == second == docx_path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        entries = package.infolist()
    assert entries[0].filename == "[Content_Types].xml"
    assert {e.date_time for e in entries} == {(2021, 2, 23, 0, 0, 0)}


def test_manifest_lists_the_docx(built_2021, docx_path):
    import hashlib

    manifest = json.loads((built_2021.root / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["path"] == "notice.docx")
    assert entry["kind"] == "notice" and entry["format"] == "docx"
    assert entry["sha256"] == hashlib.sha256(docx_path.read_bytes()).hexdigest()


def test_core_properties(document):
    core = document.core_properties
    assert core.title.startswith("巴中市创建国家生态文明建设示范市领导小组办公室关于印发")
    assert core.author == "巴中市创建国家生态文明建设示范市领导小组办公室"
    assert "工作要点" in core.subject
    assert "巴生态创办发" in core.keywords and "2021" in core.keywords
    # 2021-02-23 00:00 in Beijing
    assert core.created == core.modified == dt.datetime(2021, 2, 22, 16, 0, tzinfo=dt.UTC)


# -- styles and structure -------------------------------------------------------------------


def _east_asian_face(named_style) -> str | None:
    while named_style is not None:
        fonts = named_style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        named_style = named_style.base_style
    return None


def test_named_styles_carry_the_standard_faces(document):
    styles = {s.name: s for s in document.styles}
    for name, role in ROLE_OF_STYLE.items():
        assert name in styles, name
        assert _east_asian_face(styles[name]) == style.STANDARD_FACE[role], name
    assert styles["一级标题"].type == WD_STYLE_TYPE.CHARACTER
    assert "清单表格" in {s.name for s in document.styles if s.type == WD_STYLE_TYPE.TABLE}
    # a paragraph a clerk adds is body text: Normal has the 正文 format, styles lead to 正文
    normal = document.styles["Normal"].element
    assert normal.find(f"{qn('w:pPr')}/{qn('w:ind')}").get(qn("w:firstLineChars")) == "200"
    assert styles["主送机关"].next_paragraph_style.name == "正文"


def test_paragraphs_follow_the_html_classes(document, built_2021):
    """The writer walks the HTML: its blocks, in order, are the DOCX's paragraphs and styles."""
    tree = lxml.html.document_fromstring(render_template("notice.html.j2", **notice_context(
        built_2021.content, built_2021.fonts)))
    blocks = [(PARAGRAPH_STYLES[min(classes(node) & PARAGRAPH_STYLES.keys())],
               squeeze(node.text_content()))
              for node in tree.body.iter()
              if classes(node) & PARAGRAPH_STYLES.keys()
              and not any(a.tag == "table" or "end-matter" in classes(a)
                          for a in node.iterancestors())]
    paragraphs = [(p.style.name, squeeze(p.text)) for p in document.paragraphs if p.text.strip()]
    assert paragraphs == blocks
    heading = document.paragraphs[next(i for i, p in enumerate(document.paragraphs)
                                       if p.text.startswith("一、"))]
    assert heading.runs[0].style.name == "一级标题"
    marks = [m.get(qn("w:name")) for m in document.element.body.iter(qn("w:bookmarkStart"))]
    # Word's bookmark names: at most 40 letters, digits and _
    assert marks == [re.sub(r"\W", "_", s.get("data-bookmark"))[:40]
                     for s in tree.body.iter("section")]


def test_rows_stay_whole_unless_the_html_lets_them_break(built_2021):
    context = notice_context(built_2021.content, built_2021.fonts)
    html = render_template("notice.html.j2", **context)
    # the notice's checklist splits its rows where the PDF's layout cut them (split-rows): the
    # DOCX keeps each of those parts whole, so Word cannot cut them elsewhere
    notice = Document(io.BytesIO(render_docx(html, context))).element.body.find(qn("w:tbl"))
    assert [row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
            for row in notice.findall(qn("w:tr"))][1:] == [True] * 25
    # a table whose rows do not split keeps them whole, but for a row let break
    html = html.replace('class="checklist split-rows"', 'class="checklist"')
    html = html.replace('<tr data-number="12">', '<tr data-number="12" class="may-break">')
    table = Document(io.BytesIO(render_docx(html, context))).element.body.find(qn("w:tbl"))
    rows = table.findall(qn("w:tr"))
    whole = [row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in rows]
    assert whole == [True, True, False] + [True] * (len(rows) - 3)
    assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert rows[1].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None
    lowered = ["".join(t.text for t in r.iter(qn("w:t"))) for r in table.iter(qn("w:r"))
               if r.find(f"{qn('w:rPr')}/{qn('w:vertAlign')}") is not None]
    assert "2.5" in lowered  # PM<sub>2.5</sub>


def test_sections_pages_grid_and_footers(document):
    first, table, last = document.sections
    for section in (first, last):
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        margins = (section.top_margin, section.right_margin, section.bottom_margin,
                   section.left_margin)
        assert [round(m.mm, 1) for m in margins] == [37, 26, 35, 28]
    grid = first._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "579"
    pitch = style.BODY_PT + int(grid.get(qn("w:charSpace"))) / 4096
    width = (first.page_width.pt - first.left_margin.pt - first.right_margin.pt)
    assert 28 * pitch <= width < 29 * pitch
    assert 22 * 579 / 20 <= first.page_height.pt - first.top_margin.pt - first.bottom_margin.pt
    assert table.orientation == WD_ORIENT.LANDSCAPE and table.start_type == WD_SECTION.NEW_PAGE
    assert (round(table.page_width.mm), round(table.page_height.mm)) == (297, 210)
    margins = (table.top_margin, table.right_margin, table.bottom_margin, table.left_margin)
    top, right, bottom, left = style.LANDSCAPE_MARGINS_MM
    # the tables break where the PDF's did; the text may reach a little under the 版心
    slack = style.DOCX_TABLE_PAGE_SLACK_MM
    assert tuple(round(m.mm, 1) for m in margins) == (top, right, bottom - slack, left)
    assert last.start_type == WD_SECTION.EVEN_PAGE
    assert document.settings.odd_and_even_pages_header_footer
    for footer, side in ((first.footer, "right"), (first.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert " PAGE " in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert p.alignment is not None and p.alignment.name.lower() == side
        assert re.fullmatch(r"— \d+ —", p.text)
    # the landscape pages' numbers turned, in a text box of their headers; no footer
    for header, side in ((table.header, "right"), (table.even_page_header, "left")):
        box = header._element.find(f".//{qn('w:txbxContent')}")
        assert " PAGE " in "".join(t.text for t in box.iter(qn("w:instrText")))
        assert box.find(f".//{qn('w:jc')}").get(qn("w:val")) == side
    for footer in (table.footer, table.even_page_footer):
        assert not footer.is_linked_to_previous and squeeze(footer._element.xpath(
            "string(.)")) == ""
    # the 版记 on the bottom of the 版心, the page number 7 mm under it (7.5)
    for footer, side in ((last.footer, "right"), (last.even_page_footer, "left")):
        assert squeeze(footer.paragraphs[-2].text).endswith("2021年2月23日印发")
        p = footer.paragraphs[-1]
        assert " PAGE " in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert p.alignment.name.lower() == side


# -- the same words as the PDF --------------------------------------------------------------


def _docx_flow(document) -> tuple[str, str]:
    """Body text before the checklist, and after it with the 版记 (the last page's footer)."""
    before, after, seen_table = [], [], False
    for block in document.element.body:
        if block.tag == qn("w:tbl"):
            seen_table = True
        elif block.tag == qn("w:p"):
            (after if seen_table else before).append("".join(
                t.text or "" for t in block.iter(qn("w:t"))))
    after += [p.text for p in document.sections[-1].even_page_footer.paragraphs
              if not PAGE_NUMBER.match(p.text.strip())]
    return squeeze("".join(before)), squeeze("".join(after))


def _pdf_text(page, bottom=None) -> str:
    if bottom is not None:
        page = page.crop((0, 0, page.width, bottom))
    # a landscape page's number is turned a quarter, beside the text rather than under it
    page = page.filter(lambda o: o.get("object_type") != "char" or o["upright"])
    lines = (page.extract_text(y_tolerance=5) or "").splitlines()
    return squeeze("".join(ln for ln in lines if not PAGE_NUMBER.match(ln.strip())))


def _head_top(page) -> float:
    return min(c["top"] for c in page.chars if c["text"] == COLUMN_HEADS[0][0]
               and abs(c["size"] - style.LETTER_TABLE_PT) < 0.5)  # split-rows: 小五


def test_flowing_text_is_the_pdfs_in_order(document, built_2021):
    before, after = _docx_flow(document)
    pdf_before, pdf_after, seen_table = "", "", False
    with pdfplumber.open(built_2021.root / "notice.pdf") as pdf:
        for page in pdf.pages:
            if page.width > page.height:  # the checklist: only what stands above its head
                if not seen_table:
                    pdf_before += _pdf_text(page, _head_top(page) - 1)
                seen_table = True
            elif seen_table:
                pdf_after += _pdf_text(page)
            else:
                pdf_before += _pdf_text(page)
    assert before == pdf_before
    assert after == pdf_after


def _docx_columns(document) -> list[list[str]]:
    """The checklist's body cells, column by column, top to bottom (one Word table a page,
    each with the head row)."""
    columns: list[list[str]] = [[] for _ in COLUMN_HEADS]
    for table in document.element.body.iter(qn("w:tbl")):
        for row in table.findall(qn("w:tr"))[1:]:
            for n, cell in enumerate(row.findall(qn("w:tc"))):
                text = "".join(t.text or "" for t in cell.iter(qn("w:t")))
                columns[n].append(squeeze(text.replace(JOINER, "")))  # dates kept whole
    return columns


def _pdf_columns(path) -> list[str]:
    """The PDF's checklist column by column, each page's head cell left off."""
    left = style.LANDSCAPE_MARGINS_MM[3] / MM
    edges = [left + sum(COLUMN_WIDTHS_MM[:i]) / MM for i in range(len(COLUMN_WIDTHS_MM) + 1)]
    columns = [""] * len(COLUMN_HEADS)
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if page.width < page.height:
                continue
            top, bottom = _head_top(page) - 1, page.height - style.LANDSCAPE_MARGINS_MM[2] / MM
            for n, head in enumerate(COLUMN_HEADS):
                cell = page.filter(lambda o, n=n, top=top, bottom=bottom:
                                   o.get("object_type") == "char"
                                   and edges[n] <= (o["x0"] + o["x1"]) / 2 < edges[n + 1]
                                   and top <= o["top"] < bottom)
                # a subscript joins its line, the next line (12.6 pt down) does not
                text = squeeze(cell.extract_text(y_tolerance=style.LETTER_TABLE_LINE_PT / 2))
                assert text.startswith(head), (page.page_number, head)
                columns[n] += text[len(head):]
    return columns


def test_checklist_cells_are_the_pdfs_column_by_column(document, built_2021):
    docx_columns = _docx_columns(document)
    pdf_columns = _pdf_columns(built_2021.root / "notice.pdf")
    for n in range(2, len(COLUMN_HEADS)):
        assert "".join(docx_columns[n]) == pdf_columns[n], COLUMN_HEADS[n]
    # domain and task cells are merged in the DOCX; the PDF repeats the label on every page
    for n in (0, 1):
        labels = [label for label in docx_columns[n] if label]
        assert labels and len(labels) < len(docx_columns[n])
        pattern = "".join(f"(?:{re.escape(label)})+" for label in labels)
        assert re.fullmatch(pattern, pdf_columns[n]), COLUMN_HEADS[n]


# -- LibreOffice's layout of the DOCX -------------------------------------------------------


def _workpoint_pages(pages):
    """The portrait pages of the 工作要点: from its title to the checklist."""
    text = portrait_text_pages(pages)
    start = next(p.number for p in text[1:] if p.text_lines()[0].size > style.TITLE_PT - 1)
    return [p for p in text if p.number >= start]


@pytest.mark.slow
def test_libreoffice_pages_are_a4_and_as_many_as_the_pdfs(lo_pages, pdf_pages):
    check_a4(lo_pages)
    assert abs(len(lo_pages) - len(pdf_pages)) <= 1
    for part in (portrait_text_pages, lambda ps: [p for p in ps if p.landscape]):
        assert abs(len(part(lo_pages)) - len(part(pdf_pages))) <= 1
    assert len(lo_pages) % 2 == 0  # the 版记 page


@pytest.mark.slow
def test_libreoffice_lines_hold_28_characters(lo_pages):
    """Lines followed by a line of the same paragraph are full: 28 grid characters."""
    lines = [ln for page in _workpoint_pages(lo_pages) for ln in body_lines(page)]
    counted = 0
    char_mm = (style.BODY_PT + style.DOCX_CHAR_SPACING_TWIPS / 20) * MM
    for line, following in zip(lines, lines[1:], strict=False):
        if following.x0 > style.LEFT_MM + 1:
            continue  # the next line begins a paragraph
        # no punctuation hangs past the 版心 (w:overflowPunct as LibreOffice reads it)
        assert line.x1 <= TEXT_RIGHT_MM + 0.3, line.text
        inside = len(line.text)
        indent = round((line.x0 - style.LEFT_MM) / char_mm)
        if line.full_width_only and not break_was_constrained(line.text[:inside],
                                                               following.text):
            assert inside + indent == style.CHARS_PER_LINE, line.text
            counted += 1
        else:
            assert TEXT_RIGHT_MM - line.x1 < 3 * char_mm, line.text
    assert counted > 20


def _slots(page) -> list[int]:
    return [round((ln.top - style.TOP_MM) / PITCH_MM) for ln in page.text_lines()]


@pytest.mark.slow
def test_libreoffice_full_pages_hold_22_lines(lo_pages, pdf_pages):
    """Lines on the 22-line grid, one a slot; a page ends on the 22nd line unless the PDF's
    page ends short too (a paragraph's last lines kept with what follows: widows, 附件说明)."""
    pages = _workpoint_pages(lo_pages)
    assert len(pages) >= 2
    full = 0
    for page in pages[:-1]:
        slots = _slots(page)
        assert len(slots) == len(set(slots)), page.number
        if max(slots) < style.LINES_PER_PAGE - 1:
            assert max(_slots(pdf_pages[page.number - 1])) < style.LINES_PER_PAGE - 1
        else:
            full += 1
    assert full


@pytest.mark.slow
def test_libreoffice_text_block_at_28_and_37_mm(lo_pages):
    for page in _workpoint_pages(lo_pages):
        lines = body_lines(page)
        assert min(ln.x0 for ln in lines) == pytest.approx(style.LEFT_MM, abs=1), page.number
        first = page.text_lines()[0]
        half_leading = (style.LINE_PITCH_PT - first.size) / 2 * MM
        assert first.top - half_leading == pytest.approx(style.TOP_MM, abs=1), page.number


@pytest.mark.slow
def test_libreoffice_head_masthead_and_red_line(lo_pdf, lo_pages):
    lines = lo_pages[0].text_lines()
    masthead, number = lines[0], lines[1]
    assert masthead.text == "巴中市创建国家生态文明建设示范市领导小组办公室文件"
    assert masthead.top == pytest.approx(style.TOP_MM + style.MASTHEAD_OFFSET_MM, abs=1)
    assert (masthead.x0 + masthead.x1) / 2 == pytest.approx(style.LEFT_MM + 78, abs=0.5)
    assert all(c and c[0] > 0.85 and c[1] < 0.1 for c in masthead.colors)
    assert number.text == "巴生态创办发〔2021〕1号"
    with pdfplumber.open(lo_pdf) as pdf:
        red = {(round(ln["top"], 1), round(ln["x0"], 1), round(ln["x1"], 1))
               for ln in pdf.pages[0].lines if (ln.get("stroking_color") or (0,))[0] > 0.85}
    assert len(red) == 1
    top, x0, x1 = next(iter(red))
    assert (x1 - x0) * MM == pytest.approx(style.TEXT_WIDTH_MM, abs=0.5)
    assert top * MM - number.bottom == pytest.approx(style.RULE_GAP_MM, abs=1)


@pytest.mark.slow
def test_libreoffice_page_numbers(lo_pages):
    # the landscape pages' numbers turned where the paper carries them, as in the PDF
    check_page_numbers(lo_pages)


@pytest.mark.slow
def test_libreoffice_checklist_pages_are_landscape_with_the_head_row(lo_pages):
    heads = ["领域", "任务", "序号", "指标名称", "指标值", "主要任务", "牵头单位", "责任单位"]
    assert check_table_heads(lo_pages, heads) >= 5


@pytest.mark.slow
def test_libreoffice_end_matter_on_the_bottom_of_the_last_page(lo_pdf, lo_pages):
    last = lo_pages[-1]
    issued = last.text_lines()[-1]
    assert issued.text == "巴中市创建国家生态文明建设示范市领导小组办公室2021年2月23日印发"
    assert last.text_lines()[-2].text == "信息公开选项：主动公开"
    assert last.page_number_line().text == f"— {last.number} —"
    with pdfplumber.open(lo_pdf) as pdf:
        rules = sorted({(round(ln["top"] * MM, 2), round((ln["x1"] - ln["x0"]) * MM, 1),
                         round(ln["linewidth"] * MM, 2)) for ln in pdf.pages[-1].lines})
    assert len(rules) == 2
    (above, width, thick), (below, _, _) = rules
    assert width == pytest.approx(style.TEXT_WIDTH_MM, abs=0.5)
    assert thick == pytest.approx(style.END_RULE_OUTER_MM, abs=0.05)
    assert below == pytest.approx(style.TOP_MM + style.TEXT_HEIGHT_MM, abs=0.5)
    assert above < issued.top and issued.bottom < below
