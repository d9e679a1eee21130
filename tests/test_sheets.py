"""One letter a unit with work: which units, which indicators, which role, and its layout."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import yaml
from gbt9704_checks import (
    check_a4,
    check_full_lines,
    check_table_heads,
)
from helpers import CONTENT_2021, SMALL
from openpyxl import load_workbook
from pdfmeasure import read_pdf

from notice.content import load_content
from notice.matrix import render_matrix
from notice.model import Unit
from notice.sheets import file_stem

DISTRICTS = ["巴州区", "恩阳区", "通江县", "南江县", "平昌县"]


def _expected_roles() -> dict[str, dict[int, str]]:
    """unit → {indicator number → 牵头/责任}, read straight from the YAML files."""
    checklist = yaml.safe_load((CONTENT_2021 / "checklist.yaml").read_text(encoding="utf-8"))
    units = yaml.safe_load((CONTENT_2021 / "units.yaml").read_text(encoding="utf-8"))
    members = {c["name"]: [m if isinstance(m, str) else m["name"]
                           for m in c.get("members", [c["name"]])]
               for c in units["collectives"]}
    roles: dict[str, dict[int, str]] = {}
    for domain in checklist["domains"]:
        for task in domain["tasks"]:
            for indicator in task["indicators"]:
                for role, key in (("责任", "responsible_units"), ("牵头", "lead_units")):
                    for name in indicator[key]:
                        for unit in members.get(name, [name]):
                            roles.setdefault(unit, {})[indicator["number"]] = role
    return roles


@pytest.fixture(scope="module")
def manifest(built_2021):
    return json.loads((built_2021.root / "manifest.json").read_text(encoding="utf-8"))


def _sheets(manifest, fmt):
    return {f["unit"]: f for f in manifest["files"] if f["kind"] == "sheet" and f["format"] == fmt}


def test_one_letter_per_unit_with_work(manifest):
    expected = _expected_roles()
    assert len(expected) == 23
    assert {"市生态环境局", "巴中经开区", *DISTRICTS} <= set(expected)
    for fmt in ("pdf", "docx"):
        sheets = _sheets(manifest, fmt)
        assert set(sheets) == set(expected), fmt
        for unit, entry in sheets.items():
            assert entry["path"].startswith("sheets/") and entry["path"].endswith(f".{fmt}")
            assert unit in entry["path"]


def test_letter_text_counts_and_deadline(built_2021, manifest):
    import pdfplumber

    entry = _sheets(manifest, "pdf")["市生态环境局"]
    with pdfplumber.open(built_2021.root / entry["path"]) as pdf:
        # page numbers left out: the 署名 takes the body's last lines to page 2 (7.3.5.4)
        text = "".join(ln for p in pdf.pages[:2] for ln in p.extract_text().splitlines()
                       if not re.fullmatch(r"—\s*\d+\s*—", ln.strip()))
    roles = _expected_roles()["市生态环境局"]
    leads = sum(r == "牵头" for r in roles.values())
    assert (f"你单位作为牵头单位承担{leads}项、作为责任单位承担{len(roles) - leads}项，"
            f"共{len(roles)}项指标" in text)
    assert "巴生态创办发〔2021〕1号" in text and "最早完成时限为2021年3月" in text
    assert text.startswith("巴中市创建国家生态文明建设示范市领导小组办公室巴生态创办函〔2021〕")
    assert "文件" not in text[:40]
    assert "市生态环境局：" in text


def test_addressee_line_from_the_content(built_2021, manifest):
    import pdfplumber

    entry = _sheets(manifest, "pdf")["巴中经开区"]
    with pdfplumber.open(built_2021.root / entry["path"]) as pdf:
        text = pdf.pages[0].extract_text()
    assert "巴中经济开发区：" in text


@pytest.mark.parametrize("unit", ["市生态环境局", "巴州区", "市气象局"])
def test_letter_layout(built_2021, manifest, unit):
    """A4, full lines of 28 characters, the table head on every landscape page (the 信函格式's
    own geometry: tests/test_letters.py)."""
    pages = read_pdf(built_2021.root / _sheets(manifest, "pdf")[unit]["path"])
    check_a4(pages)
    assert check_full_lines(pages) >= 1
    assert check_table_heads(pages, ["序号", "指标名称", "指标值", "主要任务"]) >= 1


def test_matrix_holds_the_same_assignments(built_2021):
    workbook = load_workbook(built_2021.root / "responsibilities.xlsx")
    sheet = workbook.active
    assert sheet["A1"].value == "2021年度创建国家生态文明建设示范市任务分工表"
    assert [c.value for c in sheet[2][:6]] == ["序号", "单位", "函号", "牵头", "责任", "合计"]
    numbers = [int(c.value) for c in sheet[2][6:]]
    got, order, letters = {}, [], []
    for row in sheet.iter_rows(min_row=4, values_only=True):
        got[row[1]] = {n: role for n, role in zip(numbers, row[6:], strict=True) if role}
        order.append(row[1])
        letters.append(row[2])
        assert row[3] == sum(r == "牵头" for r in got[row[1]].values())
        assert row[4] == sum(r == "责任" for r in got[row[1]].values())
    assert got == _expected_roles()
    # units in the 名单's order, other units after; each with its letter's number
    units = yaml.safe_load((CONTENT_2021 / "units.yaml").read_text(encoding="utf-8"))
    listed = [u if isinstance(u, str) else u["name"] for u in units["recipients"]]
    on_list = [u for u in order if u in listed]
    assert on_list == [u for u in listed if u in on_list] == order[:len(on_list)]
    assert letters == [f"巴生态创办函〔2021〕{n}号" for n in range(1, len(order) + 1)]
    # printed: landscape A4 fitted to the width, head rows and unit columns on every page
    assert sheet.freeze_panes == "G4"
    assert sheet.print_title_rows == "$2:$3" and sheet.print_title_cols == "$A:$C"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert {sheet.cell(row=5, column=c).font.name for c in range(1, 8)} == {"仿宋_GB2312"}


def test_matrix_passes_the_schema_validator(built_2021):
    import subprocess

    validator = Path(__file__).resolve().parent.parent / "node_modules/.bin/ooxml-validator"
    if not validator.exists():
        pytest.skip("node_modules/.bin/ooxml-validator is missing (scripts/setup.sh runs npm)")
    result = subprocess.run([str(validator), str(built_2021.root / "responsibilities.xlsx")],
                            capture_output=True, text=True, timeout=120)
    assert json.loads(result.stdout)["ok"], result.stdout


def test_matrix_names_each_indicator_as_printed(content):
    content.edit("checklist.yaml", "name: 环境空气质量", "name: 总量{试行}指标PM_{2.5}")
    data = render_matrix(load_content(content.folder))
    sheet = load_workbook(io.BytesIO(data)).active
    names = {number.value: name.value for number, name in zip(sheet[2], sheet[3], strict=True)}
    assert names["11"] == "总量{试行}指标PM2.5"  # the markup goes, the braces of the text stay


def test_matrix_opens_in_libreoffice(built_2021, tmp_path):
    import subprocess

    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path),
         str(built_2021.root / "responsibilities.xlsx")],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "responsibilities.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 3 + 23
    assert rows[3].split(",")[1] == "市发展和改革委员会"


@pytest.mark.parametrize("name, stem", [
    ("市林业局", "市林业局"),
    ("../etc/passwd", "_etc_passwd"),
    ('a\\b:c*d?"e<f>g|h', "a_b_c_d__e_f_g_h"),
    ("CON", "CON_"),
    ("nul.txt", "nul_.txt"),
    ("COM1", "COM1_"),
    ("CONSOLE", "CONSOLE"),
    ("x" * 300, "x" * 60),
    ("名称\x00带NUL", "名称_带NUL"),
])
def test_file_names_are_safe_and_stable(name, stem):
    assert file_stem(Unit(name, name, 27)) == stem
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem


def test_build_only_some_units(tmp_path):
    from click.testing import CliRunner

    from notice.cli import main

    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT_2021), "--out",
                                       str(tmp_path), "--unit", "市林业局", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "2021").rglob("*") if p.is_file())
    assert files == ["manifest.json", "市林业局.docx", "市林业局.pdf"]


def test_unknown_unit_is_refused_with_a_suggestion(tmp_path):
    from click.testing import CliRunner

    from notice.cli import main

    result = CliRunner().invoke(main, ["build", "--content", str(CONTENT_2021), "--out",
                                       str(tmp_path), "--unit", "市林业"])
    assert result.exit_code == 1
    assert result.output == ('--unit: 市林业: not a unit with work (did you mean "市林业局"?)\n'
                             "1 problem in the content; nothing was written.\n")
    assert not Path(tmp_path / "2021").exists()


def test_a_failing_letter_is_named_and_nothing_is_written(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import notice.pdf
    from notice.cli import main

    real = notice.pdf.render_pdf

    def fail_for_one_unit(html, *args, **kwargs):
        if "县水务局：" in html:
            raise RuntimeError("the layout engine gave up")
        return real(html, *args, **kwargs)

    monkeypatch.setattr(notice.pdf, "render_pdf", fail_for_one_unit)
    result = CliRunner().invoke(main, ["build", "--content", str(SMALL), "--out",
                                       str(tmp_path), "--jobs", "1", "--no-cache"])
    assert result.exit_code == 3
    assert result.output == ("Error: the letter to 县水务局 failed: RuntimeError: the layout "
                             "engine gave up; nothing of it was written\n")
    # nothing but the output folder's lock file (kept: removing it would race a next build)
    assert [p.name for p in tmp_path.rglob("*")] == [".lock"]


def test_a_rebuild_lays_out_only_the_documents_an_edit_touches(small, tmp_path):
    from notice.build import build

    out = tmp_path / "out"
    assert len(build(small.folder, out, jobs=2).rendered) == 4
    assert build(small.folder, out, jobs=2).rendered == []
    sentence = "清理乱占、乱采、乱堆、乱建问题。"  # in indicator 3's main tasks
    small.edit("checklist.yaml", sentence, sentence[:-1] + "（改）。")
    rendered = build(small.folder, out, jobs=2).rendered
    assert sorted(rendered) == ["notice", "sheets/县农业农村局", "sheets/县水务局"]
    pdf = (out / "2023" / "notice.pdf").read_bytes()
    assert build(small.folder, out, jobs=2, use_cache=False).rendered != []
    assert (out / "2023" / "notice.pdf").read_bytes() == pdf


def test_the_matrix_comes_from_the_cache_only_while_the_content_is_unchanged(
        small, tmp_path, monkeypatch):
    import notice.matrix
    from notice.build import build

    made = []
    real = notice.matrix.render_matrix
    monkeypatch.setattr(notice.matrix, "render_matrix",
                        lambda content: made.append(1) or real(content))
    out, matrix = tmp_path / "out", tmp_path / "out" / "2023" / "responsibilities.xlsx"
    build(small.folder, out, jobs=1)
    first = matrix.read_bytes()
    build(small.folder, out, jobs=1)
    assert (len(made), matrix.read_bytes()) == (1, first)  # from the cache, the same bytes

    small.edit("checklist.yaml", "responsible_units: [县水务局, 县农业农村局]",
               "responsible_units: [县水务局]")
    build(small.folder, out, jobs=1)
    assert len(made) == 2 and matrix.read_bytes() != first
    edited = matrix.read_bytes()
    build(small.folder, tmp_path / "cold", jobs=1, use_cache=False)
    assert (tmp_path / "cold" / "2023" / "responsibilities.xlsx").read_bytes() == edited


def test_a_changed_asset_lays_every_document_out_again(small, tmp_path):
    from notice.build import build

    out = tmp_path / "out"
    seal = small.folder / "assets" / "seal.png"
    seal.parent.mkdir()
    seal.write_bytes(b"\x89PNG first seal")
    assert len(build(small.folder, out, jobs=2).rendered) == 4
    assert build(small.folder, out, jobs=2).rendered == []
    seal.write_bytes(b"\x89PNG second seal")
    assert len(build(small.folder, out, jobs=2).rendered) == 4


def test_a_letter_with_four_columns_to_fit_is_built(tmp_path):
    """An office's own columns (tests/fixtures/sheet/2024: 工作措施 and 联系人 beside the other
    lead and responsible units) give a letter four columns whose widths are fitted to the
    text: they share the landscape 版心's width (the build used to stop on a template
    problem there)."""
    import pdfplumber

    from notice import style
    from notice.build import build

    source = Path(__file__).resolve().parent / "fixtures" / "sheet" / "2024"
    result = build(source, tmp_path, units=["县财政局"], jobs=1)
    mm = 72 / 25.4
    with pdfplumber.open(next(result.root.rglob("县财政局.pdf"))) as pdf:
        page = pdf.pages[1]
        rules = [e["x0"] / mm for e in page.edges if e["orientation"] == "v"]
        head = [re.sub(r"\s+", "", c) for c in page.extract_tables()[0][0]]
    top, right, bottom, left = style.LANDSCAPE_MARGINS_MM
    assert min(rules) == pytest.approx(left, abs=0.5)
    assert max(rules) == pytest.approx(style.PAGE_HEIGHT_MM - right, abs=0.5)
    assert head == ["编号", "任务名称", "目标值", "工作措施", "时限", "性质", "联系人",
                    "本单位职责", "其他牵头单位", "其他责任单位"]
