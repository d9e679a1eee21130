"""GB/T 9704 checks on a rendered PDF, shared by the notice's and the letters' tests."""

from __future__ import annotations

import re

import pytest
from pdfmeasure import PAGE_NUMBER, Line, Page, break_was_constrained

from notice import style

MM = 25.4 / 72
PITCH_MM = style.LINE_PITCH_PT * MM
TEXT_RIGHT_MM = style.LEFT_MM + style.TEXT_WIDTH_MM
TEXT_BOTTOM_MM = style.TOP_MM + style.TEXT_HEIGHT_MM
CHAR_MM = style.PAGE_NUMBER_PT * MM  # one 4号 character
HALF_LEADING_MM = (style.LINE_PITCH_PT - style.BODY_PT) / 2 * MM


def portrait_text_pages(pages: list[Page]) -> list[Page]:
    """The portrait pages before the first landscape one: the running text."""
    first_landscape = next((p.number for p in pages if p.landscape), len(pages) + 1)
    return [p for p in pages if p.number < first_landscape]


def body_lines(page: Page):
    """Lines of 3号 running text (on the first page, those from the title on)."""
    lines = page.text_lines()
    if page.number == 1:
        title = next(i for i, ln in enumerate(lines) if abs(ln.size - style.TITLE_PT) < 0.1)
        lines = lines[title:]
    return [ln for ln in lines if abs(ln.size - style.BODY_PT) < 0.1]


def check_a4(pages: list[Page]) -> None:
    for page in pages:
        size = sorted((round(page.width, 1), round(page.height, 1)))
        assert size == [210.0, 297.0], page.number


def check_text_block(pages: list[Page]) -> int:
    """版心 28 mm from the left, first line box 37 mm from the top; returns pages measured."""
    measured = 0
    for page in portrait_text_pages(pages):
        lines = body_lines(page)
        if page.number == 1 or not any(ln.x0 < style.LEFT_MM + 1 for ln in lines):
            continue
        assert min(ln.x0 for ln in lines) == pytest.approx(style.LEFT_MM, abs=1), page.number
        first = page.text_lines()[0]
        half = (style.LINE_PITCH_PT - first.size) / 2 * MM
        assert first.top - half == pytest.approx(style.TOP_MM, abs=1), page.number
        measured += 1
    return measured


def check_grid(pages: list[Page]) -> None:
    """Every line of running text sits in one of the 22 slots of the grid."""
    for page in portrait_text_pages(pages):
        for line in body_lines(page):
            slot = (line.top - HALF_LEADING_MM - style.TOP_MM) / PITCH_MM
            assert slot == pytest.approx(round(slot), abs=0.05), (page.number, line.text)
            assert 0 <= round(slot) < style.LINES_PER_PAGE, (page.number, line.text)


def check_full_pages(pages: list[Page]) -> int:
    """A page whose text runs on is full: its last line is the 22nd, or the 21st when what
    follows needs a blank line before it (附件说明, 署名), or fewer where lines went on to keep
    the next page's 附件说明 (with its blank line) or 署名 company (7.3.5.4). Returns the full
    pages seen."""
    portrait = portrait_text_pages(pages)
    full = 0
    for page, following in zip(portrait, portrait[1:], strict=False):
        if following.text_lines()[0].size > style.TITLE_PT - 1:
            continue
        slots = [round((ln.top - style.TOP_MM) / PITCH_MM) for ln in body_lines(page)]
        first = following.text_lines()[0]
        spaced = first.text.startswith("附件：") or first.x0 > style.LEFT_MM + 5 * 5.6
        # the 附件说明 (after a blank line) or the 署名 keeps up to three lines of the body
        # with it on the next page
        note = next((n for n, ln in enumerate(following.text_lines()[:5])
                     if ln.text.startswith("附件：")), None)
        kept = note + 1 if note else 3 if any(
            re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", ln.text.replace(" ", ""))
            for ln in following.text_lines()[:7]) else 0
        assert max(slots) + (2 if spaced else 1) + kept >= style.LINES_PER_PAGE, page.number
        assert len(slots) == len(set(slots)), page.number
        full += 1
    return full


def check_full_lines(pages: list[Page]) -> int:
    """A line followed by a line of the same paragraph is full: 28 characters, unless the
    line-breaking rules (no 「，」 at a line start, quotes kept with their neighbours) moved
    the break; then it still ends within three characters of the right edge. Returns the
    number of lines counted character by character."""
    checked = 0
    lines = [ln for page in portrait_text_pages(pages) for ln in body_lines(page)]
    for line, following in zip(lines, lines[1:], strict=False):
        if following.x0 > style.LEFT_MM + 1 or line.x0 > style.LEFT_MM + 2 * 5.6 + 1:
            continue  # the next line starts a paragraph, or this is the 署名 or the date
        assert line.x1 <= TEXT_RIGHT_MM + 0.1, line.text
        indent = round((line.x0 - style.LEFT_MM) / (style.CHAR_PITCH_PT * MM))
        if line.full_width_only and not break_was_constrained(line.text, following.text):
            assert len(line.text) + indent == style.CHARS_PER_LINE, line.text
            checked += 1
        else:
            assert TEXT_RIGHT_MM - line.x1 < 3 * 5.6, line.text
    return checked


def check_page_numbers(pages: list[Page], landscape_turned: bool = True) -> None:
    """「— N —」 on every page but a blank one, the 版记 page (the last, an even page) included
    (7.5 lets it go unnumbered only after a blank page; the tool numbers it always):
    4号, 7 mm under the 版心, odd pages right and even pages left, one character in; on
    landscape pages where portrait pages carry it on paper (or, with landscape_turned off,
    under the landscape 版心 as seen on screen, as the DOCX prints them)."""
    last = pages[-1]
    assert last.number % 2 == 0, "the 版记 page must be even"
    assert last.page_number_lines(), "the 版记 page is numbered"
    blank = [p.number for p in pages if not p.text_lines()]
    assert all(n == len(pages) - 1 for n in blank), blank
    for page in pages:
        numbers = page.page_number_lines()
        if not page.text_lines():
            assert numbers == [], page.number
            continue
        assert len(numbers) == 1, (page.number, [ln.text for ln in numbers])
        line = numbers[0]
        assert int(PAGE_NUMBER.match(line.text).group(1)) == page.number
        assert line.size == pytest.approx(style.PAGE_NUMBER_PT, abs=0.1)
        if page.landscape and landscape_turned:
            _check_turned_page_number(page, line)
            continue
        assert line.turn == 0, page.number
        top, right, bottom, left = (style.LANDSCAPE_MARGINS_MM if page.landscape else (
            style.TOP_MM, style.RIGHT_MM, style.BOTTOM_MM, style.LEFT_MM))
        assert line.top - (page.height - bottom) == pytest.approx(
            style.PAGE_NUMBER_DROP_MM, abs=0.6), page.number
        if page.number % 2:
            assert page.width - right - line.x1 == pytest.approx(CHAR_MM, abs=0.3), page.number
        else:
            assert line.x0 - left == pytest.approx(CHAR_MM, abs=0.3), page.number


def _check_turned_page_number(page: Page, line: Line) -> None:
    """A landscape page is the portrait sheet turned a quarter, its table head toward the
    paper's left edge (the binding on odd pages, the outer edge on even ones): paper left is
    the screen's top, paper top the screen's right, paper bottom the screen's left. The number
    reads top to bottom, turned a quarter clockwise; its glyph tops 7 mm left of the 版心; on
    odd pages it ends one character above the 版心's bottom, on even pages it begins one
    character below the 版心's top."""
    top, _, bottom, left = style.LANDSCAPE_MARGINS_MM
    assert line.turn == 90, (page.number, line.turn)
    assert left - line.x1 == pytest.approx(style.PAGE_NUMBER_DROP_MM, abs=0.6), page.number
    if page.number % 2:
        assert page.height - bottom - line.bottom == pytest.approx(CHAR_MM, abs=0.3), page.number
    else:
        assert line.top - top == pytest.approx(CHAR_MM, abs=0.3), page.number


def check_end_matter(pages: list[Page], organ: str, printed: str) -> None:
    """版记 on the bottom of the last page: two 0.35 mm rules as wide as the 版心, with
    印发机关 and 印发日期 on one line between them."""
    last = pages[-1]
    issued = last.text_lines()[-1]
    assert issued.text.startswith(organ) and issued.text.endswith(printed), issued.text
    # WeasyPrint draws the two rules as one even-odd path: an outer and an inner rectangle
    boxes = {(round(r["top"], 2), round(r["bottom"], 2), round(r["x0"], 2), round(r["x1"], 2))
             for r in last.rects if (r["x1"] - r["x0"]) * MM > 150}
    outer, inner = sorted(boxes, key=lambda b: b[1] - b[0], reverse=True)[:2]
    assert (outer[3] - outer[2]) * MM == pytest.approx(style.TEXT_WIDTH_MM, abs=0.5)
    assert (inner[0] - outer[0]) * MM == pytest.approx(style.END_RULE_OUTER_MM, abs=0.03)
    assert (outer[1] - inner[1]) * MM == pytest.approx(style.END_RULE_OUTER_MM, abs=0.03)
    assert outer[1] * MM == pytest.approx(TEXT_BOTTOM_MM, abs=0.3)
    assert inner[0] * MM < issued.top and issued.bottom < inner[1] * MM


def check_table_heads(pages: list[Page], heads: list[str]) -> int:
    """Every landscape page begins with the table's head row; returns the pages seen."""
    tables = [p for p in pages if p.landscape]
    for n, page in enumerate(tables):
        lines = page.text_lines()
        if n == 0:  # 「附件」 and the attachment's title come first
            lines = [ln for ln in lines if ln.text != "附件" and ln.size < style.TITLE_PT - 1]
        zone = "".join(ln.text for ln in lines if ln.top < lines[0].top + 8)
        for head in heads:
            assert head in zone, (page.number, head)
    return len(tables)
