"""A letter's frame elements from sheets.yaml (信函格式, GB/T 9704 10.1): 份号, 密级和保密期限 and
紧急程度 under the rule, and the 版记 of 抄送 alone on the bottom of the last page's 版心,
measured in the PDF and in LibreOffice's render of the DOCX of a copy of 2021 that sets them."""

from __future__ import annotations

import re
import shutil
import subprocess

import pdfplumber
import pytest
from helpers import CONTENT_2021, SMALL, assert_schema_valid
from test_letters import _first_page, _letter_number

from notice import style
from notice.build import build

MM = 72 / 25.4
UNITS = ["市林业局", "巴州区"]
MARKS = 'copy_number: "000001"\nclassification: 秘密★1年\nurgency: 加急\n'
COPY_TO = ["市委办公室", "市政府办公室"]
EM_DROP_MM = style.LETTER_NUMBER_DROP * style.BODY_PT / MM  # 7/8 of a 3号 character


def _build(folder, out, units, marked: bool) -> dict:
    """The letters to `units` of a copy of 2021, with or without the frame elements; PDF and
    LibreOffice's PDF of the DOCX by unit."""
    shutil.copytree(CONTENT_2021, folder)
    if marked:
        sheets = folder / "sheets.yaml"
        text = sheets.read_text(encoding="utf-8")
        text = text.replace("letter_number:", MARKS + "copy_to:\n"
                            + "".join(f"  - {name}\n" for name in COPY_TO) + "letter_number:", 1)
        sheets.write_text(text, encoding="utf-8")
    result = build(folder, out, units=units, jobs=2)
    pdfs = {u: next(p for p in result.root.rglob(f"{u}.pdf")) for u in units}
    lo = out / "lo"
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{out}/profile",
                           "--headless", "--convert-to", "pdf", "--outdir", str(lo),
                           *(str(p.with_suffix(".docx")) for p in pdfs.values())],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return {"pdf": pdfs, "docx": {u: lo / f"{u}.pdf" for u in units}, "folder": folder}


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = tmp_path_factory.mktemp("marked")
    return _build(root / "2021", root / "out", UNITS, marked=True)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """The first letter without them, to compare the title's place with."""
    root = tmp_path_factory.mktemp("plain")
    return _build(root / "2021", root / "out", UNITS[:1], marked=False)


def _fonts(path, text: str) -> set[str]:
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    line = next(n for n in range(len(chars)) if "".join(
        c["text"] for c in chars[n:n + len(text)]) == text)
    return {c["fontname"] for c in chars[line:line + len(text)] if c["text"] not in "★1"}


@pytest.mark.parametrize("engine", ["pdf", "docx"])
@pytest.mark.parametrize("unit", UNITS)
def test_marks_under_the_rule_and_the_number_beside_the_first(marked, plain, engine, unit):
    lines, rules, below, _pages = _first_page(marked[engine][unit])
    number = _letter_number(unit)
    serial = int(re.search(r"〕(\d+)号", number).group(1))
    upper = max(r[1] for r in rules if r[0] < 60)
    first, secrecy, urgency = lines[1:4]
    # 份号 of each letter in the units' order, as its number: 000014 for the 14th letter
    assert first[5] == f"{serial:06d}{number}"
    assert (secrecy[5], urgency[5]) == ("秘密★1年", "加急")
    for line in (first, secrecy, urgency):
        assert line[2] == pytest.approx(style.LEFT_MM, abs=0.5)  # flush left
    assert first[3] == pytest.approx(style.LEFT_MM + style.TEXT_WIDTH_MM, abs=0.5)  # the number
    assert first[1] - upper == pytest.approx(EM_DROP_MM, abs=0.4)
    pitch = style.LINE_PITCH_PT / MM
    assert secrecy[1] - first[1] == pytest.approx(pitch, abs=0.3)  # one a line
    assert urgency[1] - secrecy[1] == pytest.approx(pitch, abs=0.3)
    # 密级 and 紧急程度 in 黑体 (7.2.2-7.2.3)
    for text in ("秘密", "加急"):
        assert all("Hei" in f for f in _fonts(marked[engine][unit], text)), text
    # the title two lines under the last of them, as it is under the number without marks
    title = lines[4]
    plain_lines = _first_page(plain[engine][UNITS[0]])[0]
    assert title[1] - urgency[1] == pytest.approx(plain_lines[2][1] - plain_lines[1][1],
                                                  abs=0.3)
    assert not below  # still no page number on page 1


@pytest.mark.parametrize("engine", ["pdf", "docx"])
@pytest.mark.parametrize("unit", UNITS)
def test_copy_to_alone_on_the_bottom_of_the_last_page(marked, engine, unit):
    with pdfplumber.open(marked[engine][unit]) as pdf:
        pages = pdf.pages
        found = [n for n, p in enumerate(pages) if "抄送" in (p.extract_text() or "")]
        assert found == [len(pages) - 1], "抄送 once, on the last page"
        page = pages[-1]
        landscape = page.width > page.height
        top, right, bottom, left = (style.LANDSCAPE_MARGINS_MM if landscape else (
            style.TOP_MM, style.RIGHT_MM, style.BOTTOM_MM, style.LEFT_MM))
        floor = page.height / MM - bottom  # the 版心's bottom
        label = next(n for n, c in enumerate(page.chars) if c["text"] == "抄"
                     and page.chars[n + 1]["text"] == "送")
        base = page.height - page.chars[label]["matrix"][5]
        line = [c for c in page.chars if abs(page.height - c["matrix"][5] - base) < 0.5]
        text = "".join(c["text"] for c in sorted(line, key=lambda c: c["x0"]))
        assert text == "抄送：" + "，".join(COPY_TO) + "。"
        size = line[0]["size"]
        # 「抄送：」 one 4号 character in; the line's characters on the 版心's bottom line
        assert line[0]["x0"] / MM == pytest.approx(left + size / MM, abs=0.3)
        em_bottom = (base + 0.12 * size) / MM
        assert floor - style.LINE_PITCH_PT / MM < em_bottom <= floor + 0.1
        assert floor - em_bottom < 4  # on the bottom of the 版心, not a line above it
        # nothing else in the 版心 under it, no 印发机关 or 印发日期, no rule around it
        under = [c for c in page.chars if c["top"] > page.chars[label]["bottom"]
                 and c["bottom"] / MM < floor]
        assert not under, "".join(c["text"] for c in under)
        assert "印发" not in page.extract_text()
        em_top = (base - 0.88 * size) / MM
        rules = [e for e in page.edges if e["orientation"] == "h"
                 and em_top - 1 < e["top"] / MM < floor + 1]
        assert not rules, "a rule beside 抄送"


def test_a_letter_rebuilt_alone_keeps_its_copy_number(marked, tmp_path):
    """The partial build of the fixture already numbered 巴州区 by its place among all the
    units with work; built alone it keeps the number."""
    out = tmp_path / "alone"
    build(marked["folder"], out, units=["巴州区"], jobs=1)
    alone = next(out.rglob("巴州区.pdf"))
    with pdfplumber.open(alone) as pdf:
        first = re.sub(r"\s+", "", pdf.pages[0].extract_text())
    assert "000018巴生态创办函〔2021〕18号" in first


# another office's letters (tests/fixtures/small/2023): a 标志 of 19 characters, no 函 number,
# a 抄送 of two lines
SMALL_COPY_TO = ["县委办公室", "县人民政府办公室", "县人大常委会办公室", "县政协办公室",
                 "县纪委监委", "县委组织部", "县委宣传部", "县发展和改革局"]


@pytest.fixture(scope="module")
def small_letter(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    shutil.copytree(SMALL, root / "2023")
    sheets = root / "2023" / "sheets.yaml"
    sheets.write_text(sheets.read_text(encoding="utf-8") + 'copy_number: "000001"\n'
                      "urgency: 加急\ncopy_to:\n"
                      + "".join(f"  - {name}\n" for name in SMALL_COPY_TO), encoding="utf-8")
    result = build(root / "2023", root / "out", units=["县水务局"], jobs=1)
    pdf = next(result.root.rglob("县水务局.pdf"))
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{root}/profile",
                           "--headless", "--convert-to", "pdf", "--outdir", str(root / "lo"),
                           str(pdf.with_suffix(".docx"))], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return {"pdf": pdf, "docx": root / "lo" / "县水务局.pdf"}


@pytest.mark.parametrize("engine", ["pdf", "docx"])
def test_another_offices_letter_head_and_copy_to(small_letter, engine):
    lines, _rules, below, _pages = _first_page(small_letter[engine])
    masthead = lines[0]
    assert masthead[5] == "青溪县全面推行河长制工作领导小组办公室"  # one line
    assert masthead[2] > style.LEFT_MM - 0.5
    assert masthead[3] < style.LEFT_MM + style.TEXT_WIDTH_MM + 0.5
    assert [line[5] for line in lines[1:3]] == ["000001", "加急"]
    assert not below
    with pdfplumber.open(small_letter[engine]) as pdf:
        page = pdf.pages[-1]
        by_line: dict[float, list] = {}
        for c in page.chars:
            by_line.setdefault(round(page.height - c["matrix"][5]), []).append(c)
        rows = [sorted(cs, key=lambda c: c["x0"]) for _, cs in sorted(by_line.items())]
    copy_to = [row for row in rows if row[0]["text"] == "抄"]
    assert len(copy_to) == 1
    first = rows.index(copy_to[0])
    second = rows[first + 1]
    text = "".join(c["text"] for row in (rows[first], second) for c in row)
    assert text == "抄送：" + "，".join(SMALL_COPY_TO) + "。"
    # the names wrapped under the first name, the last line on the 版心's bottom
    assert second[0]["x0"] == pytest.approx(rows[first][3]["x0"], abs=0.3)
    floor = page.height / MM - style.LANDSCAPE_MARGINS_MM[2]
    em_bottom = (page.height - second[0]["matrix"][5] + 0.12 * second[0]["size"]) / MM
    assert 0 <= floor - em_bottom < 4


def test_a_letter_with_marks_and_copy_to_passes_the_schema_validator(marked, small_letter):
    """The 抄送's footnote part (word/footnotes.xml) and the marks' tab stop are valid OOXML."""
    assert_schema_valid(pdf.with_suffix(".docx")
                        for pdf in [*marked["pdf"].values(), small_letter["pdf"]])
