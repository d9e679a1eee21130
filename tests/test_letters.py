"""The letters (函) a clerk sends: read back from the PDF and from LibreOffice's render of the
DOCX, and checked against the YAML — number, addressee and second person, role sentences,
rows and co-units, the 信函格式's geometry, page counts and cell rules."""

from __future__ import annotations

import json
import re
import subprocess

import pdfplumber
import pytest
import yaml
from helpers import CONTENT_2021, run

from notice import style
from notice.columns import BY_KEY, LETTER
from notice.content import load_content
from notice.sheets import load_sheet_text, make_sheets

MM = 72 / 25.4
DISTRICTS = ["巴州区", "恩阳区", "通江县", "南江县", "平昌县"]
ZONE = "巴中经开区"
DEPARTMENTS = ["市林业局", "市生态环境局", "市财政局"]
CHECKED = DISTRICTS + [ZONE] + DEPARTMENTS
PAGE_TARGETS = {"市林业局": 4, **{d: 8 for d in DISTRICTS}}
NAME_MM = BY_KEY["name"].widths[LETTER]  # the letter's 指标名称 column, mm


def _yaml(name: str):
    return yaml.safe_load((CONTENT_2021 / name).read_text(encoding="utf-8"))


def _units() -> dict:
    """name → its declaration (a mapping), and collective → (members, others)."""
    units = _yaml("units.yaml")
    declared, collectives = {}, {}
    for item in units["recipients"] + units.get("other_units", []):
        declared.setdefault(item if isinstance(item, str) else item["name"],
                            {} if isinstance(item, str) else item)
    for c in units["collectives"]:
        members = [m if isinstance(m, str) else m["name"] for m in c.get("members", [c])]
        for m in c.get("members", [c]):
            declared.setdefault(m if isinstance(m, str) else m["name"],
                                {} if isinstance(m, str) else m)
        collectives[c["name"]] = (members, c.get("others"))
    return declared, collectives


def _indicators():
    checklist = _yaml("checklist.yaml")
    return [i for d in checklist["domains"] for t in d["tasks"] for i in t["indicators"]]


def _expected(unit: str) -> dict[int, tuple[str, list[str], list[str]]]:
    """indicator → (role, other lead units, other responsible units) as `unit` sees them."""
    _declared, collectives = _units()

    def seen(names):
        out = []
        for name in names:
            members, others = collectives.get(name, ([name], None))
            if unit in members:
                rest = [m for m in members if m != unit]
                if rest:
                    out.append(others or "、".join(rest))
            elif name != unit:
                out.append(name)
        return out

    found = {}
    for i in _indicators():
        for role, key in (("牵头单位", "lead_units"), ("责任单位", "responsible_units")):
            names = i[key]
            if any(unit in collectives.get(n, ([n], None))[0] for n in names):
                found.setdefault(i["number"], (role, seen(i["lead_units"]),
                                               seen(i["responsible_units"])))
    return found


@pytest.fixture(scope="module")
def letters(built_2021):
    manifest = json.loads((built_2021.root / "manifest.json").read_text(encoding="utf-8"))
    return {f["unit"]: built_2021.root / f["path"] for f in manifest["files"]
            if f["kind"] == "sheet" and f["format"] == "pdf"}


@pytest.fixture(scope="module")
def rendered_docx(built_2021, letters, tmp_path_factory):
    """LibreOffice's PDF of the DOCX of the letters checked here."""
    out = tmp_path_factory.mktemp("lo")
    docx = [str(letters[u].with_suffix(".docx")) for u in CHECKED]
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{out}/profile",
                             "--headless", "--convert-to", "pdf", "--outdir", str(out), *docx],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return {u: out / letters[u].with_suffix(".pdf").name for u in CHECKED}


@pytest.fixture(scope="module")
def sheets():
    content = load_content(CONTENT_2021)
    text, _ = load_sheet_text(CONTENT_2021)
    return {s.unit.name: s for s in make_sheets(content, text)}


def _text(path, pages=None) -> str:
    """The text of the first pages, white space left out (LibreOffice's render sets digits
    apart from Chinese with spaces)."""
    with pdfplumber.open(path) as pdf:
        chosen = pdf.pages if pages is None else pdf.pages[:pages]
        return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in chosen))


def _letter_number(unit: str) -> str:
    spec = _yaml("sheets.yaml")["letter_number"]
    with_work = [u for u in _order() if _expected(u)]
    return f"{spec['prefix']}〔2021〕{spec['first'] + with_work.index(unit)}号"


def _order() -> list[str]:
    declared, _ = _units()
    return list(declared)


ALL = [u for u in _order() if _expected(u)]  # every unit with a letter, in the units' order
# every letter's PDF, and LibreOffice's render of the DOCX of the letters in CHECKED
CASES = [("pdf", u) for u in ALL] + [("docx", u) for u in CHECKED]


def _letter(request, engine: str, unit: str):
    """The PDF read back: WeasyPrint's, or LibreOffice's of the DOCX (rendered once)."""
    return request.getfixturevalue("letters" if engine == "pdf" else "rendered_docx")[unit]


# -- wording -----------------------------------------------------------------------------------

@pytest.mark.parametrize("engine, unit", CASES)
def test_letter_wording_by_unit_kind_and_role(request, engine, unit):
    declared, _ = _units()
    kind = declared[unit].get("kind", "部门")
    person = declared[unit].get("second_person") or {
        "部门": "你单位", "区": "你区", "县": "你县", "开发区": "你区"}[kind]
    addressee = declared[unit].get("addressee") or declared[unit].get("full_name") or unit
    if unit == ZONE:
        assert addressee == "巴中经济开发区"
    text = _text(_letter(request, engine, unit), 2)
    roles = [r for r, _l, _o in _expected(unit).values()]
    leads, shared = roles.count("牵头单位"), roles.count("责任单位")
    assert _letter_number(unit) in text
    assert f"{addressee}：" in text
    sentences = _yaml("sheets.yaml")["roles"]
    which = "both" if leads and shared else "lead" if leads else "responsible"
    sentence = (sentences[which].replace("{second_person}", person)
                .replace("{lead_count}", str(leads)).replace("{responsible_count}", str(shared))
                .replace("{indicator_count}", str(leads + shared)))
    assert sentence.startswith(person) and "{" not in sentence
    assert sentence + "，最早完成时限为2021年3月" in text
    assert f"现将{person}2021年度" in text
    for wrong in ("牵头0项", "配合", "信息公开选项", "文件巴生态"):
        assert wrong not in text, wrong
    # a title quoted inside a title takes 〈〉
    assert "印发〈巴中市创建国家生态文明建设示范市2021年度工作要点〉的通知》" in text
    # the title names the office and the 文种; the attachment the unit and the programme
    assert "领导小组办公室关于印发《" + unit + "2021年度" in text
    assert "任务清单》的函" in text
    assert f"附件：{unit}2021年度创建国家生态文明建设示范市任务清单" in text


def test_rebuilding_one_letter_keeps_its_number(tmp_path, letters):
    result = run("build", "--content", str(CONTENT_2021), "--out", str(tmp_path),
                 "--unit", "巴州区", "--jobs", "1")
    assert result.exit_code == 0, result.output
    alone = next((tmp_path / "2021" / "sheets").glob("*巴州区.pdf"))
    number = _letter_number("巴州区")
    assert number == "巴生态创办函〔2021〕18号"
    assert number in _text(alone, 1) and number in _text(letters["巴州区"], 1)


# -- rows and co-units ---------------------------------------------------------------------------

def _rows(path) -> tuple[list[str], dict[int, list[str]]]:
    """The attachment's head and its rows by indicator, the parts of a split row joined (in
    the PDF the part after a page break repeats the 序号; a Word row broken across pages
    goes on without it)."""
    head, rows, last = None, {}, None
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[1:]:
            for table in page.extract_tables():
                for row in table:
                    cells = [re.sub(r"\s+", "", c or "") for c in row]
                    if cells[0] == "序号":
                        head = cells
                    elif cells[0].isdigit():
                        last = int(cells[0])
                        if last in rows:  # the row goes on after a page break
                            rows[last] = [a if a == b else a + b
                                          for a, b in zip(rows[last], cells, strict=True)]
                        else:
                            rows[last] = cells
                    elif not cells[0] and last is not None and any(cells):
                        rows[last] = [a + b for a, b in zip(rows[last], cells, strict=True)]
    return head, rows


@pytest.mark.parametrize("engine, unit", CASES)
def test_each_row_and_its_co_units(request, engine, unit):
    expected = _expected(unit)
    head, rows = _rows(_letter(request, engine, unit))
    want_order = sorted(expected, key=lambda n: (expected[n][0] != "牵头单位", n))
    assert list(rows) == want_order
    column = {name: head.index(name) for name in head}
    for number, (role, leads, others) in expected.items():
        cells = rows[number]
        if "本单位职责" in column:
            assert cells[column["本单位职责"]] == role
        else:  # one role for every row: the body says it
            assert {r for r, _l, _o in expected.values()} == {role}
        if "其他牵头单位" in column:
            assert cells[column["其他牵头单位"]] == ("、".join(leads) or "—")
        else:
            assert not leads
        assert cells[column["其他责任单位"]] == ("、".join(others) or "—"), number
        assert unit not in cells[column["其他责任单位"]].split("、")
    if unit in DISTRICTS:  # the other four districts share every indicator
        assert all("其他区县党委和人民政府" in rows[n][column["其他责任单位"]] for n in rows)
    if unit == ZONE:
        assert all("各区县党委和人民政府" in rows[n][column["其他责任单位"]] for n in rows)


@pytest.mark.parametrize("engine, unit", CASES)
def test_no_line_of_the_first_page_holds_one_character_alone(request, engine, unit):
    """A wrapped line of one character (「…任务清」 over 「单」 in the 附件说明) is sent back by
    any clerk: the attachment's name keeps its last two characters together."""
    with pdfplumber.open(_letter(request, engine, unit)) as pdf:
        lines = [re.sub(r"\s+", "", line) for line in (pdf.pages[0].extract_text() or "")
                 .splitlines()]
    assert [line for line in lines if len(line) == 1] == [], unit


# a head too wide for its narrow column breaks between words, on every page
HEAD_LINES = {"指标属性": ["指标", "属性"], "本单位职责": ["本单位", "职责"],
              "其他牵头单位": ["其他", "牵头单位"], "其他责任单位": ["其他", "责任单位"]}


@pytest.mark.parametrize("engine, unit", [(e, u) for e in ("pdf", "docx")
                                          for u in ("市林业局", ZONE)])
def test_a_two_line_head_breaks_between_words(request, engine, unit):
    heads = []
    with pdfplumber.open(_letter(request, engine, unit)) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages[1:]:
            for table in page.extract_tables():
                for row in table:
                    lines = [[re.sub(r"\s+", "", line) for line in (c or "").split("\n")]
                             for c in row]
                    if lines and lines[0] == ["序号"]:
                        heads.append(lines)
    assert len(heads) == pages - 1  # the head repeated on every page of the attachment
    for head in heads:
        broken = {"".join(c): c for c in head if len(c) > 1}
        assert "指标属性" in broken  # 3 characters wide: it takes two lines
        for text, lines in broken.items():
            assert lines == HEAD_LINES.get(text, lines), (text, lines)
            assert all(len(line) > 1 for line in lines), (text, lines)


def test_a_split_row_shows_its_number_and_name_again(letters):
    with pdfplumber.open(letters["巴州区"]) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages[1:])
    assert "（续）" in text


# -- 信函格式 geometry ---------------------------------------------------------------------------

def _first_page(path):
    """(lines by baseline: size, em top mm, x0, x1, red, text), rules (top, bottom, x0, x1 mm),
    characters below the 版心 on page 1, and the page count."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        lines = {}
        for c in page.chars:
            lines.setdefault(round(page.height - c["matrix"][5], 1), []).append(c)
        found = []
        for base in sorted(lines):
            cs = lines[base]
            colour = tuple(cs[0].get("non_stroking_color") or (0,))
            found.append((cs[0]["size"], (base - 0.88 * cs[0]["size"]) / MM,
                          min(c["x0"] for c in cs) / MM, max(c["x1"] for c in cs) / MM,
                          colour[0] > 0.8, "".join(c["text"] for c in cs)))
        rules = []
        for r in page.rects + page.lines:
            half = r.get("linewidth", 0) / 2 if r["bottom"] - r["top"] < 0.01 else 0
            rules.append(((r["top"] - half) / MM, (r["bottom"] + half) / MM,
                          r["x0"] / MM, r["x1"] / MM))
        below = [c["text"] for c in page.chars if c["top"] > 262 * MM]
        return found, sorted(set(rules)), below, len(pdf.pages)


def _check_letter_format(path, unit):
    lines, rules, below, pages = _first_page(path)
    masthead = lines[0]
    assert masthead[4] and masthead[5] == _yaml("sheets.yaml")["masthead"]
    assert masthead[1] == pytest.approx(30, abs=0.3)  # 30 mm from the paper's top
    em_bottom = masthead[1] + masthead[0] / MM
    upper = [r for r in rules if r[0] < 60]
    lower = [r for r in rules if r[0] > 250]
    for pair in (upper, lower):
        assert pair and all(r[2] == pytest.approx(20, abs=0.2) for r in pair)
        assert all(r[3] == pytest.approx(190, abs=0.2) for r in pair)  # 170 mm, centred
    assert min(r[0] for r in upper) - em_bottom == pytest.approx(4, abs=0.3)
    assert 297 - max(r[1] for r in lower) == pytest.approx(20, abs=0.3)
    number = lines[1]
    assert number[5] == _letter_number(unit)
    assert number[3] == pytest.approx(184, abs=0.5)  # flush right on the 版心
    drop = number[1] - max(r[1] for r in upper)
    assert drop == pytest.approx(7 / 8 * 16 / MM, abs=0.4)  # 7/8 of a 3号 character
    assert not below  # no page number on page 1
    if unit in PAGE_TARGETS:
        assert pages <= PAGE_TARGETS[unit]
    return pages


@pytest.mark.parametrize("unit", ALL)
def test_letter_format_in_the_pdf(letters, unit):
    _check_letter_format(letters[unit], unit)


@pytest.mark.parametrize("unit", CHECKED)
def test_letter_format_in_libreoffice(rendered_docx, unit):
    _check_letter_format(rendered_docx[unit], unit)


def test_every_letter_keeps_its_signature_on_its_first_page(letters, rendered_docx):
    """The letter is one page, 署名 and 成文日期 on it: the attachment begins on page 2."""
    for path in [*letters.values(), *rendered_docx.values()]:
        with pdfplumber.open(path) as pdf:
            second = pdf.pages[1]
            assert second.width > second.height, f"{path.name}: page 2 is not the attachment"
            assert "2021年2月23日" in re.sub(r"\s+", "", pdf.pages[0].extract_text())


def test_every_letter_is_compact(letters):
    """No attachment page under half full unless it is the last; no blank page."""
    for unit, path in letters.items():
        with pdfplumber.open(path) as pdf:
            for n, page in enumerate(pdf.pages):
                assert page.chars, f"{unit}: page {n + 1} is blank"
                if n == 0 or n == len(pdf.pages) - 1:
                    continue
                bottom = max(c["bottom"] for c in page.chars)
                top, bottom_margin = 28 * MM, 26 * MM
                used = (bottom - top) / (page.height - top - bottom_margin)
                assert used > 0.5, f"{unit}: page {n + 1} is {used:.0%} full"


@pytest.mark.parametrize("engine, unit", CASES)
def test_no_glyph_crosses_a_cell_rule(request, engine, unit):
    """No character of the attachment's table reaches over a vertical rule (WeasyPrint draws
    each rule as the edges of filled rectangles, LibreOffice as lines: pdfplumber's vertical
    edges)."""
    with pdfplumber.open(_letter(request, engine, unit)) as pdf:
        for n, page in enumerate(pdf.pages[1:], start=2):
            rules = [(e["top"], e["bottom"], e["x0"]) for e in page.edges
                     if e["orientation"] == "v" and e["bottom"] - e["top"] > 5]
            # the rule between 指标名称 and 指标值, drawn inside their shared cell (its
            # background, a pattern) one name column's width from its left
            rules += [(r["top"], r["bottom"], r["x0"] + NAME_MM * MM) for r in page.rects
                      if isinstance(r["non_stroking_color"], str)]
            assert rules, f"{unit} p.{n}: no table"
            for c in page.chars:
                middle = (c["top"] + c["bottom"]) / 2
                for top, bottom, x in rules:
                    if top <= middle <= bottom:
                        assert not (c["x0"] < x - 0.2 and c["x1"] > x + 0.2), (
                            f"{unit} p.{n}: 「{c['text']}」 crosses the rule at {x / MM:.1f} mm")


def test_page_counts(letters, sheets):
    counts = {}
    for unit, path in letters.items():
        with pdfplumber.open(path) as pdf:
            counts[unit] = len(pdf.pages)
    for unit, most in PAGE_TARGETS.items():
        assert counts[unit] <= most, (unit, counts[unit])
    assert set(counts) == set(sheets)


def test_a_title_of_many_pieces_is_packed_line_after_line():
    """A letter's title of hundreds of pieces (pasted text, a fuzzed file) is filled line by
    line: trying every way of cutting it would take 2^199 steps."""
    from notice.markup import text_width
    from notice.sheets import TITLE_LINE_LIMIT, pack_title

    pieces = ["单位名称" * 4, "甲"] * 100
    lines = pack_title(pieces)
    assert "".join(lines) == "".join(pieces)
    assert all(text_width(line) <= TITLE_LINE_LIMIT for line in lines)
    assert len(lines) == 100  # a 16-character piece and a 1-character one a line


def test_a_blank_line_stands_above_the_attachment_note(letters):
    """7.3.4: the 附件说明 one line under the body, in every letter."""
    for path in letters.values():
        with pdfplumber.open(path) as pdf:
            lines = pdf.pages[0].extract_text_lines()
        note = next(n for n, line in enumerate(lines) if line["text"].startswith("附件："))
        gap = lines[note]["top"] - lines[note - 1]["top"]
        assert gap > 1.5 * style.LINE_PITCH_PT, path.name
