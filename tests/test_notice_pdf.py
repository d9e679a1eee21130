"""The notice PDF measured against GB/T 9704-2012, character by character."""

from __future__ import annotations

import json
import re

import pikepdf
import pytest
import yaml
from gbt9704_checks import (
    TEXT_RIGHT_MM,
    check_a4,
    check_end_matter,
    check_full_lines,
    check_full_pages,
    check_grid,
    check_page_numbers,
    check_table_heads,
    check_text_block,
)
from helpers import CONTENT_2021
from pdfmeasure import read_pdf

from notice import style
from notice.columns import NOTICE, columns_of
from notice.content import load_content

_CHECKLIST = load_content(CONTENT_2021).checklist  # its declared columns


@pytest.fixture(scope="session")
def pages(built_2021):
    return read_pdf(built_2021.root / "notice.pdf")


@pytest.fixture(scope="session")
def checklist():
    return yaml.safe_load((CONTENT_2021 / "checklist.yaml").read_text(encoding="utf-8"))


def test_every_page_is_a4(pages):
    check_a4(pages)


def test_text_block_starts_28_mm_from_the_left_and_37_mm_from_the_top(pages):
    assert check_text_block(pages) >= 2


def test_every_body_line_sits_on_the_22_line_grid(pages):
    check_grid(pages)


def test_full_pages_hold_22_lines(pages):
    assert check_full_pages(pages) >= 3  # notice page 1, 工作要点 pages 1 and 2


def test_full_lines_hold_28_characters(pages):
    assert check_full_lines(pages) > 20


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


def test_page_numbers(pages):
    check_page_numbers(pages)


def test_end_matter_on_the_bottom_of_the_last_page(pages):
    check_end_matter(pages, "巴中市创建国家生态文明建设示范市领导小组办公室", "2021年2月23日印发")
    assert any(ln.text == "信息公开选项：主动公开" for ln in pages[-1].text_lines())


def test_every_table_page_begins_with_the_head_row(pages):
    heads = ["领域", "任务", "序号", "指标名称", "指标值", "主要任务", "牵头单位", "责任单位"]
    assert check_table_heads(pages, heads) >= 5


def test_each_indicator_once_with_all_its_text(built_2021, checklist):
    import pdfplumber

    path = built_2021.root / "notice.pdf"
    left = style.LANDSCAPE_MARGINS_MM[3] * 72 / 25.4
    widths = [shown.width * 72 / 25.4 for shown in columns_of(NOTICE, _CHECKLIST)]
    edges = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    heads = [shown.column.head for shown in columns_of(NOTICE, _CHECKLIST)]
    columns = {name: "" for name in ("number", "tasks")}
    numbers: list[str] = []  # a row that goes on to the next page repeats its number there
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            if page.width < page.height:
                continue
            for name, index in (("number", 2), ("tasks", 6)):
                crop = page.crop((edges[index], 0, edges[index + 1], page.height))
                # the head row repeats on every page: the text a row goes on with follows
                # the text of the page before once the head is left out
                columns[name] += crop.extract_text().replace(heads[index], "") + "\n"
            page_numbers = re.findall(r"\d+", page.crop(
                (edges[2], 0, edges[3], page.height)).extract_text())
            if numbers and page_numbers and page_numbers[0] == numbers[-1]:
                page_numbers = page_numbers[1:]
            numbers += page_numbers
    columns["tasks"] = columns["tasks"].replace("\n", "")
    indicators = [i for d in checklist["domains"] for t in d["tasks"] for i in t["indicators"]]
    assert numbers == [str(i["number"]) for i in indicators]
    assert [i["number"] for i in indicators] == list(range(11, 36))
    for indicator in indicators:
        assert columns["tasks"].count(indicator["main_tasks"]) == 1, indicator["number"]


def test_copied_text_has_no_spaces_between_chinese_characters(built_2021):
    import pdfplumber

    with pdfplumber.open(built_2021.root / "notice.pdf") as pdf:
        text = "".join(page.extract_text() for page in pdf.pages[:5])
    assert not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", text)
    opening = "为认真贯彻落实市委、市政府关于创建国家生态文明建设示范市工作部署"
    assert opening in text.replace("\n", "")


def test_metadata_and_bookmarks(built_2021):
    with pikepdf.open(built_2021.root / "notice.pdf") as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]).startswith("巴中市创建国家生态文明建设示范市领导小组办公室关于")
        assert str(info["/Author"]) == "巴中市创建国家生态文明建设示范市领导小组办公室"
        assert "工作要点" in str(info["/Subject"])
        assert "巴生态创办发" in str(info["/Keywords"])
        assert str(info["/CreationDate"]).startswith("D:20210223")
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    # the documents' own titles
    assert titles == [
        "巴中市创建国家生态文明建设示范市领导小组办公室关于印发《巴中市创建国家生态文明建设示范市"
        "2021年度工作要点》的通知",
        "巴中市创建国家生态文明建设示范市2021年度工作要点",
        "附件 巴中市创建国家生态文明建设示范市创建清单", "市级相关部门名单"]


def test_manifest_lists_the_notice(built_2021):
    manifest = json.loads((built_2021.root / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["path"] == "notice.pdf")
    import hashlib
    assert entry["kind"] == "notice" and entry["format"] == "pdf"
    data = (built_2021.root / "notice.pdf").read_bytes()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def test_subscript_is_lowered_and_smaller(built_2021):
    import pdfplumber

    with pdfplumber.open(built_2021.root / "notice.pdf") as pdf:
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
