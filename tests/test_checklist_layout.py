"""The checklist as a typesetter would set it (issue 15), measured in the notice's PDF: pages and
their fill, type size, rows split with their number and name repeated, sub-indicators at the
top of their cell, labels centred on their group, glyphs clear of the rules, one rule width,
no break inside a date, a number with its unit or a code, no stretched space, no page of one
or two lines. On the 2021 notice and on a checklist of another balance (tests/fixtures/ledger:
its long text in a column of its own and in the 责任单位 lists, no 指标属性)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from gbt9704_checks import body_lines, portrait_text_pages
from helpers import CONTENT_2021
from pdfmeasure import (
    MM,
    crossings,
    glyphs_and_rules,
    read_pdf,
    side_gaps,
    table_cells,
    wide_gaps,
)

from notice import style
from notice.content import load_content
from notice.fonts import resolve_fonts
from notice.markup import UNBREAKABLE, UNBREAKABLE_IN_TEXT, plain, split_markup
from notice.pdf import render_pdf
from notice.render import render_notice_html
from notice.row_cut import CONTINUED

LEDGER = Path(__file__).resolve().parent / "fixtures" / "ledger" / "2026"
# content, most checklist pages, indicators whose sub-indicators share its target
CASES = {"2021": (CONTENT_2021, 8, (11, 12, 19)), "ledger": (LEDGER, 4, (3, 10))}
RULE_MM = style.TABLE_RULE_PT * MM
LEAST_FILL = 0.75  # of the 版心's height, on every table page but the last


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    """(name, content, PDF path, landscape page numbers) of one notice, rendered once."""
    folder, _, _ = CASES[request.param]
    content = load_content(folder)
    fonts = resolve_fonts()
    html, css = render_notice_html(content, fonts)
    path = tmp_path_factory.mktemp(request.param) / "notice.pdf"
    path.write_bytes(render_pdf(html, css, fonts))
    with pdfplumber.open(path) as pdf:
        landscape = [n for n, page in enumerate(pdf.pages, start=1) if page.width > page.height]
    return request.param, content, path, landscape


@pytest.fixture(scope="module")
def measured(case):
    """Each table page's characters, drawn rules and cells."""
    _, _, path, landscape = case
    pages = {}
    for n in landscape:
        chars, rules = glyphs_and_rules(path, n)
        pages[n] = (chars, rules, table_cells(chars, rules))
    return pages


def _table_chars(chars, rules):
    """The characters inside the table (the attachment's label and title are above it)."""
    top = min(r.top for r in rules)
    return [c for c in chars if c["top"] >= top]


def test_the_checklist_takes_few_pages_each_but_the_last_three_quarters_full(case, measured):
    name, _, _, landscape = case
    assert len(landscape) <= CASES[name][1], landscape
    top, _right, bottom, _left = style.LANDSCAPE_MARGINS_MM
    height = style.PAGE_WIDTH_MM - top - bottom  # the landscape 版心's height
    for n in landscape[:-1]:
        _, rules, _ = measured[n]
        fill = (max(r.bottom for r in rules) - top) / height
        assert fill >= LEAST_FILL, (n, round(fill, 2))


def test_table_text_is_9_pt_or_larger_sub_and_superscripts_aside(case, measured):
    _, content, _, _ = case
    scripts = {ch for i in content.checklist.indicators
               for text in (i.name, i.target or "", *(s.name for s in i.sub_indicators))
               for run, kind in split_markup(text) if kind for ch in run}
    for n, (chars, rules, _) in measured.items():
        for c in _table_chars(chars, rules):
            if c["size"] < style.LETTER_TABLE_PT - 0.01:
                assert c["text"] in scripts, (n, c["text"], c["size"])
                assert c["size"] == pytest.approx(style.LETTER_TABLE_PT * style.SCRIPT_SCALE,
                                                  abs=0.05)


def _numbers(cells) -> list[tuple[int, object]]:
    """(序号, cell) of the number column's cells of a page, top to bottom."""
    column = next(c.column for c in cells if c.text == "序号")
    return [(int(c.text), c) for c in cells if c.column == column and c.text.isdigit()]


def test_a_row_that_goes_on_repeats_its_number_name_and_labels(case, measured):
    _, content, _, landscape = case
    by_number = {i.number: i for i in content.checklist.indicators}
    groups = {i.number: (d.name, t.label) for d in content.checklist.domains
              for t in d.tasks for i in t.indicators}
    seen, continued = None, 0
    for n in landscape:
        _, _, cells = measured[n]
        numbers = _numbers(cells)
        first, cell = numbers[0]
        if first == seen:  # the row of the page before goes on
            continued += 1
            name = next(c for c in cells if c.column == cell.column + 1
                        and abs(c.lines[0][1] - cell.lines[0][1]) < 0.5)
            indicator = by_number[first]
            assert name.text.startswith(plain(indicator.name).replace("_", "")[:4]), name.text
            assert CONTINUED in name.text, (n, name.text)
            texts = "".join(c.text for c in cells if c.column < cell.column)
            for label in groups[first]:
                if label:
                    assert label in texts, (n, label)
        seen = numbers[-1][0]
        assert [number for number, _ in numbers] == sorted({number for number, _ in numbers})
    assert continued >= 2  # rows do split where pages end


def test_sub_indicators_stand_under_their_name_beside_the_shared_target(case, measured):
    name, content, _, _ = case
    by_number = {i.number: i for i in content.checklist.indicators}
    for number in CASES[name][2]:
        indicator = by_number[number]
        parent = plain(indicator.name)
        cell, target = next((cell, target) for _, (_, _, cells) in measured.items()
                            for cell in cells if cell.text.startswith(parent)
                            for target in cells if target.column == cell.column + 1
                            and abs(target.lines[0][1] - cell.lines[0][1]) < 0.5)
        # the name's lines, then the first sub-indicator's right under them
        joined, k = "", 0
        while joined != parent:
            joined += cell.lines[k][0]
            k += 1
        gap = cell.lines[k][1] - cell.lines[k - 1][2]
        assert 0 < gap < 4, (number, round(gap, 2))  # padding and leading, not the target's
        assert cell.lines[k][0].startswith(plain(indicator.sub_indicators[0].name)[:3])
        assert target.text.startswith(plain(indicator.target)[:4]), target.text
        assert target.lines[0][1] == pytest.approx(cell.lines[0][1], abs=0.3)


def test_group_labels_are_centred_on_their_rows_of_each_page(case, measured):
    _, content, _, landscape = case
    labels = {d.name for d in content.checklist.domains} | {
        t.label for d in content.checklist.domains for t in d.tasks}
    centred = 0
    for n in landscape:
        _, rules, cells = measured[n]
        number_column = next(c.column for c in cells if c.text == "序号")
        for cell in cells:
            if cell.column >= number_column or cell.text not in labels:
                continue
            middle = (cell.x0 + cell.x1) / 2
            above = max(r.bottom for r in rules if not r.vertical and r.x0 < middle < r.x1
                        and r.bottom <= cell.lines[0][1])
            below = min(r.top for r in rules if not r.vertical and r.x0 < middle < r.x1
                        and r.top >= cell.lines[-1][2])
            text_middle = (cell.lines[0][1] + cell.lines[-1][2]) / 2
            assert text_middle == pytest.approx((above + below) / 2, abs=1.0), (n, cell.text)
            centred += 1
    assert centred >= len(landscape)


def test_no_glyph_touches_a_rule_and_every_rule_has_one_width(measured):
    for n, (chars, rules, _) in measured.items():
        assert not crossings(chars, rules), n
        assert {round(r.width, 3) for r in rules} == {round(RULE_MM, 3)}, n
        assert min(side_gaps(chars, rules)) >= style.CELL_PADDING_PT[1] * MM - 0.05, n


def test_no_break_inside_a_date_a_number_with_its_unit_or_a_code(measured):
    for n, (_, _, cells) in measured.items():
        for cell in cells:
            lines = [text for text, _, _ in cell.lines]
            for line, following in zip(lines, lines[1:], strict=False):
                joined = line + following
                for match in UNBREAKABLE.finditer(joined):
                    assert not match.start() < len(line) < match.end(), (n, line, following)


def test_running_text_keeps_a_number_with_its_unit(case):
    """「2021年3/月下旬」 in the body breaks as 「2021年/3月下旬」: a date may break between its
    parts on the grid, a number not from its unit."""
    _, _, path, _ = case
    lines = [ln.text for page in portrait_text_pages(read_pdf(path)) for ln in body_lines(page)]
    seen = 0
    for line, following in zip(lines, lines[1:], strict=False):
        for match in UNBREAKABLE_IN_TEXT.finditer(line + following):
            assert not match.start() < len(line) < match.end(), (line, following)
            seen += 1
    assert seen


def test_no_space_is_stretched_wider_than_a_character(measured):
    for n, (chars, rules, _) in measured.items():
        assert wide_gaps(_table_chars(chars, rules), rules) == [], n


def test_no_page_holds_one_or_two_lines_and_the_attachment_note_keeps_body_company(case):
    _, _, path, _ = case
    pages = read_pdf(path)
    for page in pages:
        lines = page.text_lines()
        assert not 0 < len(lines) <= 2, (page.number, [ln.text for ln in lines])
        note = next((k for k, ln in enumerate(lines) if ln.text.startswith("附件：")), None)
        if note is not None:
            assert note >= 3, (page.number, note)  # three of the body's lines with it
            assert not re.match(r"\s", lines[note - 1].text)
