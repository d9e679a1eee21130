"""The frame elements of GB/T 9704-2012 (7.2-7.5), measured in the PDF and in LibreOffice's
render of the DOCX: small content folders of other offices (tests/framekit.py) built here."""

from __future__ import annotations

import shutil
import subprocess

import pdfplumber
import pytest
from framekit import joint_request, one_string_title, sealed, signed
from helpers import assert_schema_valid
from pdfmeasure import MM, PAGE_NUMBER, read_pdf

from notice import style
from notice.checks import check_build
from notice.content import TITLE_LINE_LIMIT, load_content
from notice.render import notice_context, render_css, render_template
from notice.writers import Document, render_document

PITCH = style.LINE_PITCH_PT * MM  # 10.21 mm
CHAR = style.CHAR_PITCH_PT * MM  # 5.56 mm
RIGHT = style.LEFT_MM + style.TEXT_WIDTH_MM  # 184 mm
END_CHAR = style.END_MATTER_PT * MM  # 4号: 4.94 mm


def render(folder, out):
    """notice.pdf and notice.docx of a content folder, and LibreOffice's PDF of the DOCX."""
    content = load_content(folder)
    _text, _sheets, fonts = check_build(content, None, None)
    context = notice_context(content, fonts)
    document = Document(render_template("notice.html.j2", **context), render_css(context),
                        context, fonts, None)
    out.mkdir(parents=True, exist_ok=True)
    for suffix, data in render_document(document)[0].items():
        (out / f"notice.{suffix}").write_bytes(data)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/setup.sh installs it)")
    lo = out / "lo"
    export = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'
    subprocess.run([soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                    "--convert-to", export, "--outdir", str(lo), str(out / "notice.docx")],
                   check=True, capture_output=True, timeout=300)
    return {"pdf": out / "notice.pdf", "libreoffice": lo / "notice.pdf"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("frame")
    made = {}
    for name, make in (("joint", joint_request), ("sealed", sealed), ("signed", signed),
                       ("title", one_string_title)):
        made[name] = render(make(root / "content"), root / "out" / name)
    return made


ENGINES = ("pdf", "libreoffice")


def lines(path, page: int):
    return read_pdf(path)[page - 1].text_lines()


def images(path, page: int) -> list[dict]:
    with pdfplumber.open(path) as pdf:
        return [dict(x0=i["x0"] * MM, x1=i["x1"] * MM, top=i["top"] * MM,
                     bottom=i["bottom"] * MM) for i in pdf.pages[page - 1].images]


def rules(path, page: int) -> list[tuple[float, float]]:
    """(centre y, thickness) in mm of the lines drawn across the 版心 on a page.

    WeasyPrint fills a box's borders as an outer and an inner rectangle (even-odd): each rule
    lies between two of their edges less than half a millimetre apart. LibreOffice strokes
    each border as a line, twice."""
    found = []
    with pdfplumber.open(path) as pdf:
        p = pdf.pages[page - 1]
        edges = sorted({round(y * MM, 3) for r in p.rects if (r["x1"] - r["x0"]) * MM > 150
                        for y in (r["top"], r["bottom"])})
        found += [((a + b) / 2, b - a) for a, b in zip(edges, edges[1:], strict=False)
                  if b - a < 0.5]
        found += [(ln["top"] * MM, ln["linewidth"] * MM) for ln in p.lines
                  if (ln["x1"] - ln["x0"]) * MM > 150]
    merged: list[tuple[float, float]] = []
    for y, t in sorted(found):
        if not merged or abs(merged[-1][0] - y) > 0.3:
            merged.append((y, t))
    return merged


def line_with(found, text: str):
    return next(ln for ln in found if text in ln.text)


def centre(box) -> float:
    return (box.x0 + box.x1) / 2 if hasattr(box, "x0") else (box["x0"] + box["x1"]) / 2


# -- 7.2 版头 --------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_copy_number_classification_urgency_top_left_one_a_line(built, engine):
    first = lines(built["joint"][engine], 1)
    number, secrecy, urgency = first[0], first[1], first[2]
    assert (number.text, secrecy.text, urgency.text) == ("000123", "机密★1年", "特急")
    for n, line in enumerate((number, secrecy, urgency)):
        assert abs(line.x0 - style.LEFT_MM) < 0.4, line
        # line n+1 of the 版心: the characters in the grid line's box
        assert style.TOP_MM + n * PITCH < line.top < style.TOP_MM + n * PITCH + 3.5, line
    assert all("Hei" in f for f in secrecy.fonts | urgency.fonts), (secrecy.fonts, urgency.fonts)
    assert abs(number.size - style.BODY_PT) < 0.1


@pytest.mark.parametrize("engine", ENGINES)
def test_joint_masthead_organs_stacked_word_centred_to_their_right(built, engine):
    found = lines(built["joint"][engine], 1)
    host, word, other = (line_with(found, t) for t in ("水利局", "文件", "生态环境局"))
    # the 标志's top 35 mm under the 版心's top whatever stands above it (LibreOffice sets the
    # title face 1.4 mm higher, as for the 2021 标志)
    assert abs(host.top - (style.TOP_MM + style.MASTHEAD_OFFSET_MM)) < 1.5, host
    assert host.top < other.top and abs(host.x0 - other.x0) < 0.3  # host first, aligned
    assert abs(host.x1 - other.x1) < 0.5  # spread to one width
    assert word.x0 >= host.x1 - 0.5  # to their right
    middle = (host.top + other.bottom) / 2
    assert abs((word.top + word.bottom) / 2 - middle) < 0.5
    assert all(c[:1] and abs(c[0] - 0.902) < 0.01 for c in word.colors | host.colors)


@pytest.mark.parametrize("engine", ENGINES)
def test_signers_right_and_doc_number_left_on_one_line_red_rule_4_mm_under(built, engine):
    path = built["joint"][engine]
    found = lines(path, 1)
    line = line_with(found, "签发人")
    other = line_with(found, "生态环境局")
    assert line.text.startswith("青河长办发〔2023〕7号")
    assert abs(line.x0 - (style.LEFT_MM + CHAR)) < 0.5  # one character in from the left
    assert abs(line.x1 - (RIGHT - CHAR)) < 1.6  # one character in from the right
    assert "张三" in line.text and "李四" in line.text
    # two lines under the 标志
    assert 2 * PITCH <= line.top - other.bottom <= 2.5 * PITCH
    red = [y for y, _t in rules(path, 1)]
    # LibreOffice within 1 mm, as the 2021 test allows it (test_docx.py)
    assert len(red) == 1
    assert abs(red[0] - line.bottom - style.RULE_GAP_MM) < (0.6 if engine == "pdf" else 1.0)
    with pdfplumber.open(path) as pdf:
        names = [c for c in pdf.pages[0].chars if c["text"] in "张三李四"]
    assert names and all("Kai" in c["fontname"] for c in names)


# -- 7.3 主体 --------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_title_given_as_one_string_is_broken_by_meaning(built, engine):
    found = [ln for ln in lines(built["title"][engine], 1)
             if abs(ln.size - style.TITLE_PT) < 0.5]
    texts = [ln.text.replace(" ", "") for ln in found]
    assert "".join(texts) == ("青溪县全面推行河长制工作领导小组办公室关于印发《青溪县2023年度"
                              "河湖管护和水生态修复工作要点》的通知")
    assert texts[0] == "青溪县全面推行河长制工作领导小组办公室"  # the issuer kept whole
    assert len(texts) == 3 and all(len(t) <= TITLE_LINE_LIMIT for t in texts)
    for ln in found:  # centred
        assert abs(centre(ln) - (style.LEFT_MM + RIGHT) / 2) < 1.0


def _sign_page(path):
    """The page holding the 署名 and its lines."""
    for page in read_pdf(path):
        if any("年3月6日" in ln.text.replace(" ", "") for ln in page.text_lines()):
            return page.number, page.text_lines()
    raise AssertionError("no date")


@pytest.mark.parametrize("engine", ENGINES)
def test_sealed_seal_over_signature_and_date(built, engine):
    path = built["sealed"][engine]
    number, found = _sign_page(path)
    (seal,) = images(path, number)
    name = next(ln for ln in found if ln.text == "青溪县河长制办公室")
    date = next(ln for ln in found if "年3月6日" in ln.text.replace(" ", ""))
    body = [ln for ln in found if ln.top < name.top and ln.x0 < style.LEFT_MM + 3 * CHAR]
    assert abs(seal["x1"] - seal["x0"] - style.SEAL_SIZE_MM) < 0.2  # 42 mm
    assert abs(date.x1 - (RIGHT - style.SEALED_DATE_RIGHT_CHARS * CHAR)) < 0.8
    # 署名 and seal centred on the date (LibreOffice: see the joint test)
    tolerance = 0.8 if engine == "pdf" else 3.0
    assert abs(centre(name) - centre(date)) < tolerance
    assert abs(centre(seal) - centre(date)) < tolerance
    assert abs(centre(seal) - centre(name)) < 0.8
    seal_middle = (seal["top"] + seal["bottom"]) / 2
    assert seal["top"] < name.top and date.bottom < seal["bottom"]  # 下压 both
    assert (name.top + date.bottom) / 2 > seal_middle  # 署名 and date under the centre
    assert 0 <= seal["top"] - body[-1].bottom <= PITCH  # top within one line of the body


@pytest.mark.parametrize("engine", ENGINES)
def test_joint_seals_side_by_side_each_over_its_signature(built, engine):
    path = built["joint"][engine]
    number, found = _sign_page(path)
    seals = sorted(images(path, number), key=lambda i: i["x0"])
    assert len(seals) == 2
    assert seals[0]["x1"] < seals[1]["x0"]  # not touching
    assert abs(seals[0]["top"] - seals[1]["top"]) < 0.1
    assert seals[0]["x0"] >= style.LEFT_MM - 0.1 and seals[1]["x1"] <= RIGHT + 0.1
    line = line_with(found, "水利局")
    with pdfplumber.open(path) as pdf:
        chars = [c for c in pdf.pages[number - 1].chars if abs(c["top"] * MM - line.top) < 1]
    text = "".join(c["text"] for c in chars)
    split = text.index("青溪县生态环境局")
    first, second = chars[:split], chars[split:]
    for seal, part in zip(seals, (first, second), strict=True):
        middle = (part[0]["x0"] + part[-1]["x1"]) / 2 * MM
        assert abs(middle - centre(seal)) < 0.8, (middle, seal)
    date = next(ln for ln in found if "年3月6日" in ln.text.replace(" ", ""))
    # the last seal over the date; LibreOffice sets the date's digits in the stand-in for
    # Times New Roman, wider than the PDF's, and its right edge stays put: 3 mm there
    tolerance = 0.8 if engine == "pdf" else 3.0
    assert abs(centre(date) - centre(seals[1])) < tolerance


@pytest.mark.parametrize("engine", ENGINES)
def test_signature_stamp_after_the_title_date_a_line_under(built, engine):
    path = built["signed"][engine]
    number, found = _sign_page(path)
    (stamp,) = images(path, number)
    title = next(ln for ln in found if ln.text == "主任")
    date = next(ln for ln in found if "年3月6日" in ln.text.replace(" ", ""))
    assert abs(stamp["bottom"] - stamp["top"] - style.SIGNATURE_STAMP_HEIGHT_MM) < 0.2
    assert abs(stamp["x1"] - (RIGHT - style.SIGNATURE_RIGHT_CHARS * CHAR)) < 0.6
    assert -0.3 <= stamp["x0"] - title.x1 < 1.0  # the 职务 right before the stamp
    assert abs((stamp["top"] + stamp["bottom"]) / 2 - (title.top + title.bottom) / 2) < 1.0
    assert date.top - stamp["bottom"] >= 0.9 * PITCH - 2  # one blank line under the stamp
    assert abs(date.x1 - (RIGHT - style.SEALED_DATE_RIGHT_CHARS * CHAR)) < 0.8


@pytest.mark.parametrize("engine", ENGINES)
def test_notes_two_characters_in_under_the_seal(built, engine):
    path = built["sealed"][engine]
    number, found = _sign_page(path)
    (seal,) = images(path, number)
    notes = line_with(found, "此件公开发布")
    date = next(ln for ln in found if "年3月6日" in ln.text.replace(" ", ""))
    assert notes.text == "（此件公开发布）"
    assert abs(notes.x0 - (style.LEFT_MM + style.NOTES_INDENT_CHARS * CHAR)) < 0.6
    assert notes.top > seal["bottom"] - 1 and notes.top - date.top < 2 * PITCH + 0.5


# -- 7.4 版记, 7.5 page numbers ---------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_copy_to_above_the_issuer_with_rules_and_the_end_page_numbered(built, engine):
    path = built["sealed"][engine]
    pages = read_pdf(path)
    last = pages[-1]
    found = last.text_lines()
    first = line_with(found, "抄送")
    wrapped = found[found.index(first) + 1]
    issued = line_with(found, "印发")
    assert first.text.startswith("抄送：县委办公室，") and wrapped.text.endswith("纪委监委。")
    assert abs(first.x0 - (style.LEFT_MM + END_CHAR)) < 0.5
    assert abs(wrapped.x0 - (style.LEFT_MM + 4 * END_CHAR)) < 0.6  # under the first name
    assert abs(first.size - style.END_MATTER_PT) < 0.1
    ys = rules(path, last.number)
    assert len(ys) == 3, ys
    (top, outer1), (between, inner), (bottom, outer2) = ys
    assert top < first.top and wrapped.bottom < between < issued.top and issued.bottom < bottom
    assert abs(outer1 - style.END_RULE_OUTER_MM) < 0.06
    assert abs(outer2 - style.END_RULE_OUTER_MM) < 0.06
    assert abs(inner - style.END_RULE_INNER_MM) < 0.06
    assert abs(bottom - (style.TOP_MM + style.TEXT_HEIGHT_MM)) < 0.6  # on the 版心's bottom
    number = last.page_number_line()
    assert number is not None and PAGE_NUMBER.match(number.text).group(1) == str(last.number)


# -- the DOCX files ----------------------------------------------------------------------------


@pytest.mark.slow
def test_frame_docx_files_are_schema_valid(built):
    """Microsoft's schema validator on each folder's DOCX (anchored seals, the joint 标志's
    table, the 签发人 tabs)."""
    assert_schema_valid(made["pdf"].with_suffix(".docx") for made in built.values())


# -- 7.3.5.4 此页无正文 --------------------------------------------------------------------------


def _body_lines_with_the_signature(path, date: str, signature: str) -> int:
    """Body lines (paragraphs flush left or indented two characters) on the page of the
    署名, above it and above any 附件说明."""
    for page in read_pdf(path):
        found = page.text_lines()
        if any(date in ln.text.replace(" ", "") for ln in found):
            # the last line of the office's name: a letter's red 标志 is its name too
            name = [ln for ln in found if ln.text.replace(" ", "") == signature][-1]
            return len([ln for ln in found if ln.top < name.top
                        and ln.x0 < style.LEFT_MM + 2 * CHAR + 1
                        and not ln.text.startswith("附件：") and ln.size < style.TITLE_PT - 1])
    raise AssertionError("no date")


@pytest.mark.parametrize("paragraphs", [5, 6])
def test_signature_and_date_keep_two_body_lines_with_them(tmp_path, paragraphs):
    """Short one-line paragraphs that end where the 署名 block no longer fits page 1: the
    closing line and the paragraph before it go with it, in both formats."""
    import yaml
    from framekit import _base, folder

    body = yaml.safe_dump({"body": ["本段为测试正文，一行即可写完。"] * paragraphs},
                          allow_unicode=True)
    made = render(folder(tmp_path, "alone", _base(body=True) + body + (
        "masthead: 青溪县河长制办公室文件\n"
        "title: [青溪县河长制办公室关于印发, 《2023年度河湖管护工作要点》的通知]\n"
        "signature: 青溪县河长制办公室\n")), tmp_path / "out")
    for engine in ENGINES:
        pages = read_pdf(made[engine])
        assert len(pages) > 2  # the notice runs on past its first page
        assert _body_lines_with_the_signature(made[engine], "2023年3月6日",
                                              "青溪县河长制办公室") >= 2, engine


@pytest.mark.slow
def test_2021_letters_keep_two_body_lines_with_the_signature(built_2021):
    """Every 2021 letter's 附件说明, 署名 and date used to stand alone on page 2."""
    for path in sorted((built_2021.root / "sheets").glob("*.pdf")):
        assert _body_lines_with_the_signature(
            path, "2021年2月23日", "巴中市创建国家生态文明建设示范市领导小组办公室") >= 2, path.name


def test_three_signers_wrap_under_the_first_name(tmp_path):
    """Two names a line; the third under the first name, on the 发文字号's line (7.2.6)."""
    from framekit import _base, folder

    made = render(folder(tmp_path, "three", _base() + (
        "masthead: 青溪县河长制办公室文件\n"
        "title: [青溪县河长制办公室关于申请, 河湖管护专项资金的请示]\n"
        "direction: 上行文\nsigners: [张三, 李四, 王五]\nsignature: 青溪县河长制办公室\n")),
        tmp_path / "out")
    for engine in ENGINES:
        with pdfplumber.open(made[engine]) as pdf:
            chars = {}  # the first of each on the page (the body may hold a 号 too)
            for c in pdf.pages[0].chars:
                if c["text"] in "签张四王号":
                    chars.setdefault(c["text"], c)
        label, first, second, third = (chars[t] for t in "签张四王")
        number_end = chars["号"]
        assert abs(label["top"] - first["top"]) < 1 and abs(first["top"] - second["top"]) < 1
        assert abs(third["top"] - first["top"] - style.LINE_PITCH_PT) < 1, engine
        assert abs(third["x0"] - first["x0"]) * MM < 0.5, engine  # under the first name
        assert abs(number_end["top"] - third["top"]) < 1  # 发文字号 on the last line
        assert abs(second["x1"] * MM - (RIGHT - CHAR)) < 1.6, engine
