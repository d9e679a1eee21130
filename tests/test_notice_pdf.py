"""The notice PDF measured against GB/T 9704-2012, character by character."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
import pytest
import yaml
from helpers import CONTENT_2021
from pdfmeasure import PAGE_NUMBER, break_was_constrained, read_pdf

from notice import style
from notice.build import build

PITCH_MM = style.LINE_PITCH_PT * 25.4 / 72
TOP_OF_TEXT_MM = style.TOP_MM
TEXT_RIGHT_MM = style.LEFT_MM + style.TEXT_WIDTH_MM
TEXT_BOTTOM_MM = style.TOP_MM + style.TEXT_HEIGHT_MM
CHAR_MM = style.PAGE_NUMBER_PT * 25.4 / 72  # one 4号 character


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = build(CONTENT_2021, out)
    return result


@pytest.fixture(scope="session")
def pages(built):
    return read_pdf(built.root / "notice.pdf")


@pytest.fixture(scope="session")
def checklist():
    return yaml.safe_load((CONTENT_2021 / "checklist.yaml").read_text(encoding="utf-8"))


def _section_pages(pages):
    """Portrait pages of the notice and the 工作要点 (before the landscape 附件)."""
    first_landscape = next(p.number for p in pages if p.landscape)
    return [p for p in pages if p.number < first_landscape]


def _body_lines(page):
    """Lines of 3号 running text (on the first page, those under the 版头's title)."""
    lines = page.text_lines()
    if page.number == 1:
        title = next(i for i, ln in enumerate(lines) if abs(ln.size - style.TITLE_PT) < 0.1)
        lines = lines[title:]
    return [ln for ln in lines if abs(ln.size - style.BODY_PT) < 0.1]


def test_every_page_is_a4(pages):
    for page in pages:
        size = sorted((round(page.width, 1), round(page.height, 1)))
        assert size == [210.0, 297.0], page.number


def test_text_block_starts_28_mm_from_the_left_and_37_mm_from_the_top(pages):
    """On every page of running text: the lines' left edge, and the first line's box top
    (its characters' top less the half-leading of the 28.95 pt line)."""
    measured = 0
    for page in _section_pages(pages)[1:]:
        lines = _body_lines(page)
        if len(lines) < 10:
            continue
        assert min(ln.x0 for ln in lines) == pytest.approx(style.LEFT_MM, abs=1), page.number
        first = page.text_lines()[0]
        half = (style.LINE_PITCH_PT - first.size) / 2 * 25.4 / 72
        assert first.top - half == pytest.approx(TOP_OF_TEXT_MM, abs=1), page.number
        measured += 1
    assert measured >= 2


def test_every_body_line_sits_on_the_22_line_grid(pages):
    half_leading_mm = (style.LINE_PITCH_PT - style.BODY_PT) / 2 * 25.4 / 72
    for page in _section_pages(pages):
        for line in _body_lines(page):
            slot = (line.top - half_leading_mm - TOP_OF_TEXT_MM) / PITCH_MM
            assert slot == pytest.approx(round(slot), abs=0.05), (page.number, line.text)
            assert 0 <= round(slot) < style.LINES_PER_PAGE, (page.number, line.text)


def test_full_pages_hold_22_lines(pages):
    """A page whose text runs on to the next page is full: its last line is the 22nd, or
    the 21st when what follows is the 附件说明, which needs a blank line before it."""
    portrait = _section_pages(pages)
    full = [(p, following) for p, following in zip(portrait, portrait[1:], strict=False)
            if following.text_lines()[0].size < style.TITLE_PT - 1]
    assert len(full) >= 2, "the notice and the 工作要点 should each run on to a second page"
    for page, following in full:
        lines = [ln for ln in _body_lines(page)]
        slots = [round((ln.top - TOP_OF_TEXT_MM) / PITCH_MM) for ln in lines]
        needs = 2 if following.text_lines()[0].text.startswith("附件：") else 1
        assert max(slots) + needs == style.LINES_PER_PAGE, page.number
        assert len(slots) == len(set(slots)), page.number


def test_full_lines_hold_28_characters(pages):
    """A line followed by a line of the same paragraph is full: 28 characters, unless the
    line-breaking rules (no 「，」 at a line start, quotes kept with their neighbours) moved
    the break; then it still ends within three characters of the right edge."""
    checked = 0
    lines = [ln for page in _section_pages(pages) for ln in _body_lines(page)]
    for line, following in zip(lines, lines[1:], strict=False):
        if following.x0 > style.LEFT_MM + 1:  # the next line starts a paragraph
            continue
        assert line.x1 <= TEXT_RIGHT_MM + 0.1, line.text
        constrained = break_was_constrained(line.text, following.text)
        indent = round((line.x0 - style.LEFT_MM) / (style.CHAR_PITCH_PT * 25.4 / 72))
        if line.full_width_only and not constrained:
            assert len(line.text) + indent == style.CHARS_PER_LINE, line.text
            checked += 1
        else:
            assert TEXT_RIGHT_MM - line.x1 < 3 * 5.6, line.text
    assert checked > 20


def test_masthead_72_mm_from_the_top_and_red(pages):
    first = pages[0].text_lines()[0]
    assert first.text == "巴中市创建国家生态文明建设示范市领导小组办公室文件"
    assert first.top == pytest.approx(style.TOP_MM + style.MASTHEAD_OFFSET_MM, abs=1)
    assert first.x0 >= style.LEFT_MM - 0.5 and first.x1 <= TEXT_RIGHT_MM + 0.5
    assert (first.x0 + first.x1) / 2 == pytest.approx(style.LEFT_MM + 78, abs=0.5)
    assert all(c and c[0] > 0.85 and c[1] < 0.1 for c in first.colors), first.colors


def test_red_line_is_156_mm_and_4_mm_under_the_doc_number(pages):
    page = pages[0]
    number = next(ln for ln in page.text_lines() if ln.text == "巴生态创办发〔2021〕1号")
    red = [r for r in page.rects if r.get("non_stroking_color")
           and tuple(r["non_stroking_color"])[:1] == (pytest.approx(0.902, abs=0.01),)]
    assert len(red) == 1
    rule = red[0]
    assert (rule["x1"] - rule["x0"]) * 25.4 / 72 == pytest.approx(156, abs=0.5)
    assert rule["top"] * 25.4 / 72 - number.bottom == pytest.approx(4, abs=1)


def test_page_numbers(pages, built):
    last = pages[-1]
    assert last.number % 2 == 0, "the 版记 page must be even"
    assert last.page_number_line() is None
    numbered = [p for p in pages if p.text_lines() and p is not last]
    for page in pages:
        line = page.page_number_line()
        if page not in numbered:
            assert line is None, page.number
            continue
        assert line is not None, page.number
        assert int(PAGE_NUMBER.match(line.text).group(1)) == page.number
        bottom = page.height - (style.LANDSCAPE_MARGINS_MM[2] if page.landscape
                                else style.BOTTOM_MM)
        assert line.top - bottom == pytest.approx(style.PAGE_NUMBER_DROP_MM, abs=0.6)
        left = style.LANDSCAPE_MARGINS_MM[3] if page.landscape else style.LEFT_MM
        right = page.width - (style.LANDSCAPE_MARGINS_MM[1] if page.landscape
                              else style.RIGHT_MM)
        if page.number % 2:
            assert right - line.x1 == pytest.approx(CHAR_MM, abs=0.3), page.number
        else:
            assert line.x0 - left == pytest.approx(CHAR_MM, abs=0.3), page.number
        assert line.size == pytest.approx(style.PAGE_NUMBER_PT, abs=0.1)


def test_blank_page_only_before_the_end_matter(pages):
    blank = [p.number for p in pages if not p.text_lines()]
    assert all(n == len(pages) - 1 for n in blank)


def test_end_matter_on_the_bottom_of_the_last_page(pages):
    last = pages[-1]
    issued = last.text_lines()[-1]
    assert issued.text.startswith("巴中市创建国家生态文明建设示范市领导小组办公室")
    assert issued.text.endswith("2021年2月23日印发")
    # WeasyPrint draws the two rules as one even-odd path: an outer and an inner rectangle
    boxes = {(round(r["top"], 2), round(r["bottom"], 2), round(r["x0"], 2), round(r["x1"], 2))
             for r in last.rects if (r["x1"] - r["x0"]) * 25.4 / 72 > 150}
    outer, inner = sorted(boxes, key=lambda b: b[1] - b[0], reverse=True)
    mm = 25.4 / 72
    assert (outer[3] - outer[2]) * mm == pytest.approx(156, abs=0.5)
    assert (inner[0] - outer[0]) * mm == pytest.approx(style.END_RULE_OUTER_MM, abs=0.03)
    assert (outer[1] - inner[1]) * mm == pytest.approx(style.END_RULE_OUTER_MM, abs=0.03)
    assert outer[1] * mm == pytest.approx(TEXT_BOTTOM_MM, abs=0.3)
    assert inner[0] * mm < issued.top and issued.bottom < inner[1] * mm
    assert any(ln.text == "信息公开选项：主动公开" for ln in last.text_lines())


def _table_pages(pages):
    return [p for p in pages if p.landscape]


def test_every_table_page_begins_with_the_head_row(pages):
    heads = ["领域", "任务", "序号", "指标名称", "指标值", "主要任务", "牵头单位", "责任单位"]
    for n, page in enumerate(_table_pages(pages)):
        lines = page.text_lines()
        if n == 0:
            lines = [ln for ln in lines if ln.text not in ("附件",) and ln.size < 20]
        head_zone = [ln for ln in lines if ln.top < lines[0].top + 8]
        text = "".join(ln.text for ln in head_zone)
        for head in heads:
            assert head in text, (page.number, head)


def test_each_indicator_once_with_all_its_text(built, checklist):
    import pdfplumber

    path = built.root / "notice.pdf"
    left = style.LANDSCAPE_MARGINS_MM[3] * 72 / 25.4
    widths = [w * 72 / 25.4 for w in (11, 18, 10, 26, 18, 12, 72, 14, 16, 28)]
    edges = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    columns = {name: "" for name in ("number", "tasks")}
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if page.width < page.height:
                continue
            for name, index in (("number", 2), ("tasks", 6)):
                crop = page.crop((edges[index], 0, edges[index + 1], page.height))
                columns[name] += crop.extract_text() + "\n"
    numbers = re.findall(r"\d+", columns["number"])
    columns["tasks"] = columns["tasks"].replace("\n", "")
    indicators = [i for d in checklist["domains"] for t in d["tasks"] for i in t["indicators"]]
    assert numbers == [str(i["number"]) for i in indicators]
    assert [i["number"] for i in indicators] == list(range(11, 36))
    for indicator in indicators:
        assert columns["tasks"].count(indicator["main_tasks"]) == 1, indicator["number"]


def test_copied_text_has_no_spaces_between_chinese_characters(built):
    import pdfplumber

    with pdfplumber.open(built.root / "notice.pdf") as pdf:
        text = "".join(page.extract_text() for page in pdf.pages[:5])
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", text)
    assert "为认真贯彻落实市委、市政府关于创建国家生态文明建设示范市工作部署" in text.replace("\n", "")


def test_metadata_and_bookmarks(built):
    with pikepdf.open(built.root / "notice.pdf") as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]).startswith("巴中市创建国家生态文明建设示范市领导小组办公室关于印发")
        assert str(info["/Author"]) == "巴中市创建国家生态文明建设示范市领导小组办公室"
        assert "工作要点" in str(info["/Subject"])
        assert "巴生态创办发" in str(info["/Keywords"])
        assert str(info["/CreationDate"]).startswith("D:20210223")
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert titles == ["通知", "工作要点", "附件", "名单"]


def test_manifest_lists_the_notice(built):
    manifest = json.loads((built.root / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["path"] == "notice.pdf")
    import hashlib
    assert entry["kind"] == "notice" and entry["format"] == "pdf"
    assert entry["sha256"] == hashlib.sha256((built.root / "notice.pdf").read_bytes()).hexdigest()


def test_subscript_is_lowered_and_smaller(built):
    import pdfplumber

    with pdfplumber.open(built.root / "notice.pdf") as pdf:
        page = next(p for p in pdf.pages if p.width > p.height)
        chars = page.chars
    m = next(i for i, c in enumerate(chars) if c["text"] == "P" and chars[i + 1]["text"] == "M")
    letters, sub = chars[m + 1], chars[m + 2:m + 5]
    assert "".join(c["text"] for c in sub) == "2.5"
    for char in sub:
        assert char["size"] < letters["size"] * 0.8
        assert char["bottom"] > letters["bottom"]


def test_fonts_are_the_roles_faces(pages):
    fonts = {f for p in pages for ln in p.lines for f in ln.fonts}
    assert any("FandolFang" in f for f in fonts)
    assert any("FandolSong-Bold" in f for f in fonts)
    assert any("FandolHei" in f for f in fonts)


def test_notice_path(built):
    assert Path(built.root / "notice.pdf").is_file()
