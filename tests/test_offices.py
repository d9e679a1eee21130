"""Other offices' notices: headings at four levels, declared tables, several attachments,
optional parts, a checklist of other columns; measured in the PDF and the DOCX."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from helpers import REPO, run

from notice import style
from notice.build import build
from notice.content import load_content

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PLAN = FIXTURES / "plan" / "2024"  # a plan with sub-points, a body table, three attachments
GRID = FIXTURES / "grid" / "2025"  # a checklist of its own columns, no 领域/任务
MM = 25.4 / 72
PITCH = 28.95  # pt between grid lines
TOP, LEFT = 37.0, 28.0  # mm: the 版心's top and left edges


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    result = build(PLAN, out)
    with pdfplumber.open(result.root / "notice.pdf") as pdf:
        yield result, pdf


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid")
    result = build(GRID, out)
    with pdfplumber.open(result.root / "notice.pdf") as pdf:
        yield result, pdf


def _lines(page) -> list[dict]:
    return page.extract_text_lines(return_chars=True)


def _line(pdf, text: str) -> tuple[int, dict]:
    """(page number, line) of the first line that starts with text."""
    for n, page in enumerate(pdf.pages, start=1):
        for line in _lines(page):
            if line["text"].replace(" ", "").startswith(text):
                return n, line
    raise AssertionError(f"no line starts with {text!r}")


def _font(line: dict, text: str) -> str:
    """The font of the first character of `text` in the line."""
    joined = "".join(c["text"] for c in line["chars"])
    return line["chars"][joined.index(text)]["fontname"]


# -- a plan: headings, a table in the body, three attachments, no checklist ------------------


def test_the_plan_validates_and_says_what_it_holds(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("validate", "--content", str(PLAN.relative_to(REPO)))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "tests/fixtures/plan/2024: valid — 松教发〔2024〕12号",
        "  2 documents, 3 attachments",
    ]


def test_headings_are_numbered_by_level_in_their_faces(plan):
    _result, pdf = plan
    content = load_content(PLAN)
    headings = [b.heading for b in content.workpoints.body if getattr(b, "heading", None)]
    assert [(h.level, h.number, h.text) for h in headings] == [
        (1, "一、", "总体要求"), (1, "二、", "整治内容"), (2, "（一）", "消防安全"),
        (3, "1.", "全面检查消防设施。"), (3, "2.", "开展疏散演练。"),
        (2, "（二）", "食品安全"), (1, "三、", "时间安排"),
    ]
    faces = {"一、总体要求": "FandolHei", "（一）消防安全": "FandolKai",
             "1.全面检查消防设施": "FandolFang", "（二）食品安全": "FandolKai"}
    for text, face in faces.items():
        _page, line = _line(pdf, text)
        assert face in _font(line, text[1] if text[0] == "（" else text[0]), text
        # a heading is indented two characters, as a paragraph is (7.3.3)
        assert abs(line["x0"] - (LEFT / MM + 32)) < 0.6, text


def test_a_heading_on_its_own_line_stays_with_what_follows(plan):
    _result, pdf = plan
    for page in pdf.pages:
        lines = [ln for ln in _lines(page) if not ln["text"].startswith("—")]
        if lines:
            last = lines[-1]["text"].replace(" ", "")
            assert not re.match(r"^[一二三四五六七八九十]+、\S{1,8}$", last), last


def test_the_attachment_note_aligns_numbers_and_names(plan):
    _result, pdf = plan
    page, first = _line(pdf, "附件：1.")
    chars = first["chars"]
    text = "".join(c["text"] for c in chars)
    one = chars[text.index("1")]["x0"]
    name = chars[text.index("校")]["x0"]
    assert abs(first["x0"] - (LEFT / MM + 32)) < 0.6  # two characters in
    for number, start in (("2.校园", "校"), ("3.专项", "专")):
        _p, line = _line(pdf, number)
        line_text = "".join(c["text"] for c in line["chars"])
        assert abs(line["x0"] - one) < 0.6, number  # numbers under each other
        assert abs(line["chars"][line_text.index(start)]["x0"] - name) < 0.6  # names too


def test_attachments_start_a_page_labelled_and_titled(plan):
    _result, pdf = plan
    found = []
    for n, page in enumerate(pdf.pages, start=1):
        lines = _lines(page)
        if lines and re.fullmatch(r"附件\d", lines[0]["text"]):
            label, title = lines[0], lines[1]
            found.append((lines[0]["text"], title["text"], page.width > page.height))
            # the label in 黑体 on the first line at the top left of the 版心 (GB/T 9704)
            portrait = page.width < page.height
            left, width = (LEFT, 156) if portrait else (style.LANDSCAPE_MARGINS_MM[3], 225)
            assert "FandolHei" in label["chars"][0]["fontname"]
            assert abs(label["x0"] * MM - left) < 0.5, n
            # the title centred on the 版心, its line the third of the grid
            middle = (title["x0"] + title["x1"]) / 2
            assert abs(middle * MM - (left + width / 2)) < 1, n
            centre = (title["top"] + title["bottom"] - label["top"] - label["bottom"]) / 2
            assert abs(centre - 2 * PITCH) < 3, n
    assert found == [
        ("附件1", "校园安全隐患排查要点", False),
        ("附件2", "校园安全隐患排查情况统计表", True),
        ("附件3", "专项整治工作联系人名单", False),
    ]


def test_a_table_in_the_body_keeps_its_rows_and_columns(plan):
    _result, pdf = plan
    words = " ".join(p.extract_text() or "" for p in pdf.pages)
    for cell in ("阶段", "主要工作", "动员部署", "全面排查，建立问题清单并逐项整改", "11月至12月"):
        assert cell in words.replace("\n", ""), cell


def test_optional_parts_are_left_out(plan):
    result, pdf = plan
    text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "信息公开选项" not in text and "特此通知" not in text
    last = [ln["text"] for ln in _lines(pdf.pages[-1])]
    # no 名单: the 版记 alone on the last page (even), numbered as 7.5 wants
    assert last == ["松阳县教育局办公室 2024年3月15日印发", f"— {len(pdf.pages)} —"]
    assert len(pdf.pages) % 2 == 0
    manifest = json.loads((result.root / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(e["path"] for e in manifest["files"]) == ["notice.docx", "notice.pdf"]
    # bookmarks and keywords come from the documents' own titles
    outline = [o["title"] for o in pdf.doc.catalog.get("Outlines") and _outline(pdf) or []]
    assert outline[:2] == ["松阳县教育局关于印发《2024年中小学校园安全专项整治方案》的通知",
                           "2024年中小学校园安全专项整治方案"]
    assert "附件1 校园安全隐患排查要点" in outline
    assert "2024年中小学校园安全专项整治方案" in pdf.metadata["Keywords"]


def _outline(pdf) -> list[dict]:
    import pikepdf

    with pikepdf.open(pdf.stream.name) as doc, doc.open_outline() as outline:
        return [dict(title=item.title) for item in outline.root]


@pytest.mark.slow
def test_the_plan_docx_is_valid_and_paginates_as_the_pdf(plan, tmp_path):
    result, pdf = plan
    docx = result.root / "notice.docx"
    checked = subprocess.run([str(REPO / "node_modules/.bin/ooxml-validator"), str(docx)],
                             capture_output=True, text=True)
    assert json.loads(checked.stdout)["ok"], checked.stdout[:2000]
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    with pdfplumber.open(tmp_path / "notice.pdf") as lo:
        assert abs(len(lo.pages) - len(pdf.pages)) <= 1
        text = "".join(p.extract_text() or "" for p in lo.pages).replace(" ", "")
        page, first = _line(lo, "附件：1.")
        _p, second = _line(lo, "2.校园")
    for part in ("（一）消防安全", "1.全面检查消防设施。", "附件：1.校园安全隐患排查要点",
                 "附件2", "校园安全隐患排查情况统计表", "县第一中学、县第二中学、县实验小学。"):
        assert part in text, part
    assert abs(second["x0"] - first["chars"][3]["x0"]) < 1.5  # 「2.」 under 「1.」


# -- a checklist of its own columns -------------------------------------------------------


def test_a_checklist_of_other_columns(grid):
    result, pdf = grid
    content = load_content(GRID)
    indicators = content.checklist.indicators
    assert [i.kind for i in indicators] == ["预期性", "约束性", "预期性"]
    assert [(d.text, d.year, d.month, d.day) for d in (i.deadline for i in indicators)] == [
        ("2025年8月底前", 2025, 8, None), ("2025年12月31日", 2025, 12, 31),
        ("长期坚持", None, None, None)]
    assert indicators[2].responsible_units == ()
    page = next(p for p in pdf.pages if p.width > p.height)
    heads = [ln["text"] for ln in _lines(page)][2]
    assert heads.split() == ["序号", "项目名称", "目标", "属性", "完成标准", "完成时限",
                             "牵头单位", "责任单位"]
    text = page.extract_text().replace("\n", "")
    assert "新建、改扩建公办幼儿园10所" in text and "长期坚持" in text
    assert not (result.root / "sheets").exists() or list((result.root / "sheets").iterdir())


def test_fitted_widths_give_room_to_long_text_and_keep_short_values_whole(grid):
    _result, pdf = grid
    page = next(p for p in pdf.pages if p.width > p.height)
    # every deadline and kind on one line
    text = page.extract_text()
    for value in ("2025年8月底前", "2025年12月31日", "长期坚持", "预期性", "约束性"):
        assert value in text, value
    # the widest column is the one with the most text a row (完成标准)
    edges = sorted({round(e["x0"], 1) for e in page.vertical_edges})
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    heads = ["序号", "项目名称", "目标", "属性", "完成标准", "完成时限", "牵头单位", "责任单位"]
    assert len(widths) >= len(heads)
    head_line = _lines(page)[2]
    head_chars = "".join(c["text"] for c in head_line["chars"])
    standard_x = head_line["chars"][head_chars.index("完成标准")]["x0"]
    widest = max(range(len(widths)), key=lambda i: widths[i])
    assert edges[widest] < standard_x < edges[widest + 1]


def test_a_unit_letter_and_the_matrix_come_with_a_checklist(grid):
    result, _pdf = grid
    manifest = json.loads((result.root / "manifest.json").read_text(encoding="utf-8"))
    kinds = {e["kind"] for e in manifest["files"]}
    assert kinds == {"notice", "sheet", "matrix"}


def test_a_long_date_stays_inside_its_narrow_cell_in_every_letter(grid):
    """A narrow column of a letter (完成时限) is at least as wide as its widest date, which a
    line may not break: 「2025年12月31日」 printed over the next cell's text otherwise."""
    result, _pdf = grid
    letters = sorted((result.root / "sheets").glob("*.pdf"))
    assert letters
    seen = 0
    for path in letters:
        with pdfplumber.open(path) as pdf:
            for n, page in enumerate(pdf.pages[1:], start=2):
                rules = [(e["top"], e["bottom"], e["x0"]) for e in page.edges
                         if e["orientation"] == "v" and e["bottom"] - e["top"] > 5]
                seen += "2025年12月31日" in (page.extract_text() or "")
                for c in page.chars:
                    middle = (c["top"] + c["bottom"]) / 2
                    for top, bottom, x in rules:
                        if top <= middle <= bottom:
                            assert not (c["x0"] < x - 0.2 and c["x1"] > x + 0.2), (
                                f"{path.name} p.{n}: 「{c['text']}」 crosses a rule")
    assert seen  # the long date is there, on one line


# -- bad values ------------------------------------------------------------------------------


@pytest.fixture
def plan_copy(tmp_path, monkeypatch):
    folder = tmp_path / "2024"
    shutil.copytree(PLAN, folder)
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture
def grid_copy(tmp_path, monkeypatch):
    folder = tmp_path / "2025"
    shutil.copytree(GRID, folder)
    monkeypatch.chdir(tmp_path)
    return folder


def _first_problem() -> str:
    """The first problem validate reports on the copy of the grid year (it must refuse)."""
    result = run("validate", "--content", "2025")
    assert result.exit_code == 1, result.output
    return result.output.splitlines()[0]


def _edit(folder: Path, name: str, old: str, new: str) -> tuple[int, int]:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old):], encoding="utf-8")
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _refused(*expected: str) -> None:
    result = run("validate", "--content", "2024")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [*expected, f"{len(expected)} problem"
                                          f"{'s' if len(expected) > 1 else ''} in the content; "
                                          "nothing was written."]


def test_a_heading_level_past_four_is_refused(plan_copy):
    line, column = _edit(plan_copy, "workpoints.yaml", "level: 2", "level: 5")
    _refused(f"2024/workpoints.yaml:{line}:{column + 7}: body 5: level: is 5; it must be "
             "between 1 and 4")


def test_a_table_row_of_the_wrong_length_is_refused(plan_copy):
    line, column = _edit(plan_copy, "workpoints.yaml", "- [动员部署, 3月, 制定方案，召开部署会]",
                         "- [动员部署, 3月]")
    _refused(f"2024/workpoints.yaml:{line}:{column + 2}: body 11: table: row 1: has 2 cells "
             'but the table has 3 columns; give one cell a column (write "" for an empty one)')


def test_an_attachment_of_two_kinds_is_refused(plan_copy):
    line, column = _edit(plan_copy, "workpoints.yaml", "    list:\n",
                         "    body: [正文]\n    list:\n")
    title_line = line - 1
    _refused(f"2024/workpoints.yaml:{title_line}:5: attachment 3: give exactly one of "
             "checklist, body, table or list: what the attachment holds (it gives body, list)")


def test_a_checklist_attachment_needs_the_checklist(plan_copy):
    _edit(plan_copy, "workpoints.yaml", "attachments:\n", "attachments:\n  - checklist: yes\n")
    _refused("2024/workpoints.yaml: attachments: an attachment is the checklist, but "
             "checklist.yaml is missing")


def test_a_kind_the_checklist_does_not_declare_is_refused(grid_copy):
    line, column = _edit(grid_copy, "checklist.yaml", "kind: 约束性", "kind: 参考性")
    assert _first_problem() == (
        f"2025/checklist.yaml:{line}:{column + 6}: indicator 2: kind: \"参考性\" must be one "
        "of 约束性 or 预期性")


def test_a_unit_twice_in_one_list_is_refused(grid_copy):
    line, column = _edit(grid_copy, "checklist.yaml", "[市财政局, 市自然资源局",
                         "[市财政局, 市财政局")
    assert _first_problem() == (
        f"2025/checklist.yaml:{line}:{column + 7}: indicator 1: responsible unit 2: "
        '"市财政局" is named twice in this list (first as responsible unit 1); name it once')


def test_widths_for_some_columns_only_are_refused(grid_copy):
    _edit(grid_copy, "checklist.yaml", "{field: number, head: 序号}",
          "{field: number, head: 序号, width: 2}")
    assert _first_problem() == (
        "2025/checklist.yaml:4:3: columns: give a width to every column or to none (then the "
        "widths are fitted to the text)")


def test_the_target_column_must_follow_the_name(grid_copy):
    _edit(grid_copy, "checklist.yaml", "  - {field: target, head: 目标}\n", "")
    _edit(grid_copy, "checklist.yaml", "  - {field: deadline,", "  - {field: target, head: 目标}\n"
          "  - {field: deadline,")
    assert _first_problem() == (
        '2025/checklist.yaml:4:3: columns: the column "target" must come right after "name" '
        "(each sub-indicator is printed level with its own target)")


# -- new-year and diff on another office's content ---------------------------------------------


def test_new_year_moves_every_mention_of_the_programme_year(tmp_path, monkeypatch):
    root = tmp_path / "content"
    shutil.copytree(GRID, root / "2025")
    monkeypatch.chdir(tmp_path)
    result = run("new-year", "2026")
    assert result.exit_code == 0, result.output
    text = (root / "2026" / "checklist.yaml").read_text(encoding="utf-8")
    assert "title: 2026年度为民办实事项目清单" in text
    notice = (root / "2026" / "notice.yaml").read_text(encoding="utf-8")
    assert "现将2026年度为民办实事项目清单印发给你们" in notice
    lines = result.output.splitlines()
    assert lines[2:6] == [
        "  moved to 2026: 3 mentions of the year 2025 (「2025年」, 「2025年度」, 「2025年3月」 …)",
        "    content/2026/checklist.yaml:1:8: title: 「2025年度为民办实」 now says 2026",
        "    content/2026/notice.yaml:11:5: title 2: 「2025年度为民办实」 now says 2026",
        "    content/2026/notice.yaml:17:14: body 1: 「府同意，现将2025年度为民办实」 now says "
        "2026",
    ]


def test_diff_compares_a_checklists_own_columns(tmp_path, monkeypatch):
    root = tmp_path / "content"
    shutil.copytree(GRID, root / "2025")
    shutil.copytree(GRID, root / "2026")
    monkeypatch.chdir(tmp_path)
    _edit(root / "2026", "checklist.yaml", "公园绿地开放共享区域不少于20处",
          "公园绿地开放共享区域不少于30处")
    result = run("diff", "2025", "2026")
    assert result.exit_code == 0, result.output
    assert "  ~ 3 城市公园绿地开放共享" in result.output.splitlines()
    assert any(line.startswith("      完成标准: ") and "30" in line
               for line in result.output.splitlines())


def test_units_says_when_no_unit_has_work(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("units", "--content", str(PLAN.relative_to(REPO)))
    assert result.exit_code == 0, result.output
    assert result.stdout == "no unit has work: the content has no checklist naming units\n"


def test_a_landscape_that_is_not_yes_or_no_is_refused(plan_copy):
    line, column = _edit(plan_copy, "workpoints.yaml", "landscape: yes", "landscape: 横向")
    _refused(f'2024/workpoints.yaml:{line}:{column + 11}: attachment 2: landscape: "横向" must '
             "be yes or no")


def test_a_column_alignment_outside_the_three_is_refused(grid_copy):
    line, column = _edit(grid_copy, "checklist.yaml", "{field: name, head: 项目名称}",
                         "{field: name, head: 项目名称, align: middle}")
    assert _first_problem() == (
        f'2025/checklist.yaml:{line}:{column + 33}: column 2: align: "middle" must be one of '
        "left or center or justify")


def test_a_column_field_that_is_not_a_name_is_refused(grid_copy):
    line, column = _edit(grid_copy, "checklist.yaml", "{field: standard,", "{field: 完成 标准,")
    assert _first_problem() == (
        f'2025/checklist.yaml:{line}:{column + 8}: column 5: field: "完成 标准" must be a name '
        "of letters, digits and _ (the key the indicators give the column's value under)")


def test_a_heading_3_bold_that_is_not_yes_or_no_is_refused(plan_copy):
    line, _column = _edit(plan_copy, "notice.yaml", "signature: 松阳县教育局",
                          "heading_3_bold: 加粗\nsignature: 松阳县教育局")
    _refused(f'2024/notice.yaml:{line}:17: heading_3_bold: "加粗" must be yes or no')


def test_a_member_of_a_collective_named_alone_gets_one_letter_of_both(grid_copy, tmp_path):
    """东城区 is one of 各区人民政府 (indicators 1 and 2) and named alone on indicator 3: one
    letter, in both formats, lists all three."""
    import docx

    _edit(grid_copy, "checklist.yaml", "    lead_units: [市城市管理局]\n",
          "    lead_units: [市城市管理局]\n    responsible_units: [东城区]\n")
    result = build(grid_copy, tmp_path / "out")
    letters = sorted(p.name for p in (result.root / "sheets").glob("*.pdf"))
    assert letters.count("东城区.pdf") == 1
    with pdfplumber.open(result.root / "sheets" / "东城区.pdf") as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages).replace("\n", "")
    words = "".join(p.text for p in docx.Document(result.root / "sheets" / "东城区.docx")
                    .paragraphs)
    for name in ("幼儿园", "老旧小区", "公园绿地"):  # indicators 1, 2 and 3 (names wrap)
        assert name in text, name
    assert "你区" in words and "东城区" in words


def test_a_short_masthead_is_centred_on_the_text_block(plan):
    """「松阳县教育局文件」 is far narrower than the 版心: centred, not shifted right by its own
    indent as well (the 2021 name fills the line and never showed it)."""
    _result, pdf = plan
    first = _lines(pdf.pages[0])[0]
    assert first["text"] == "松阳县教育局文件"
    assert abs((first["x0"] + first["x1"]) / 2 * MM - (LEFT + 156 / 2)) < 0.5
