"""The semantic HTML's vocabulary: declared once, styled, and carried into the DOCX whole."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
from helpers import CONTENT_2021, REPO

from notice.checks import check_build
from notice.content import load_content
from notice.docx import render_docx
from notice.docx.blocks import JOINER
from notice.docx.styles import IDS
from notice.render import (
    notice_context,
    render_css,
    render_sheet_html,
    render_template,
    sheet_context,
)
from notice.vocabulary import CELL_PREFIX, VOCABULARY, Kind, UnknownElement

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def documents():
    """(html, css, context) of the 2021 notice and of two letters (a department, a district)."""
    content = load_content(CONTENT_2021)
    _text, sheets, fonts = check_build(content)
    notice = notice_context(content, fonts)
    letter = sheet_context(content, fonts)
    chosen = [s for s in sheets if s.unit.name in ("市林业局", "巴州区")]
    assert len(chosen) == 2
    made = {"notice": (render_template("notice.html.j2", **notice), render_css(notice), notice)}
    for sheet in chosen:
        made[f"letter-{sheet.unit.name}"] = (render_sheet_html(letter, sheet), render_css(letter),
                                             letter)
    return made


def _classes(html: str) -> set[str]:
    tree = lxml.html.document_fromstring(html)
    return {c for node in tree.iter() if isinstance(node.tag, str)
            for c in (node.get("class") or "").split()}


def _css_classes(css: str) -> set[str]:
    """Every class a selector of the stylesheet names."""
    selectors = re.sub(r"\{[^{}]*\}", "\n", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    return set(re.findall(r"\.([A-Za-z][\w-]*)", selectors))


def _docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return "".join(package.read(name).decode("utf-8") for name in package.namelist()
                       if name.startswith("word/") and name.endswith(".xml"))


def _docx_text(xml: str) -> str:
    """The DOCX's text, without the word joiners that keep a table cell's dates whole."""
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)).replace(JOINER, "")


def test_every_class_is_declared_and_styled(documents):
    for name, (html, css, _context) in documents.items():
        used = _classes(html)
        undeclared = {c for c in used if c not in VOCABULARY and not c.startswith(CELL_PREFIX)}
        assert not undeclared, (name, undeclared)
        unstyled = used - _css_classes(css)
        assert not unstyled, (name, unstyled)


def test_every_printed_element_reaches_the_docx(documents):
    """Each paragraph and run of the HTML prints its text in the DOCX, in its named style."""
    for name, (html, _css, context) in documents.items():
        xml = _docx_xml(render_docx(html, context))
        text = _docx_text(xml)
        tree = lxml.html.document_fromstring(html)
        checked = 0
        for node in tree.body.iter():
            if not isinstance(node.tag, str):
                continue
            for cls in (node.get("class") or "").split():
                element = VOCABULARY.get(cls)
                if element is None or not element.text:
                    continue
                words = re.sub(r"\s+", "", node.text_content())
                if words:
                    assert words in text, (name, cls, words[:30])
                    checked += 1
                if element.word_style:
                    assert f'w:val="{IDS[element.word_style]}"' in xml, (name, cls)
        assert checked > 20, name


def test_an_undeclared_class_stops_the_docx_writer(documents):
    """「特此通知。」 in a class nobody declared would vanish from the DOCX: the writer refuses."""
    html, _css, context = documents["notice"]
    renamed = html.replace('<p class="paragraph">特此通知。</p>',
                           '<p class="closing">特此通知。</p>')
    assert renamed != html
    with pytest.raises(UnknownElement) as caught:
        render_docx(renamed, context)
    assert "closing" in str(caught.value)
    assert "notice/vocabulary.py" in str(caught.value)


def test_a_run_of_an_undeclared_class_stops_the_docx_writer(documents):
    html, _css, context = documents["notice"]
    marked = html.replace('<span class="heading-1">', '<span class="heading-one">', 1)
    assert marked != html
    with pytest.raises(UnknownElement):
        render_docx(marked, context)


_LENGTH = re.compile(r"(?<![\w.#-])(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|pc|px|em|ex|rem|ch|q)\b")


def _bare_lengths(text: str) -> list[str]:
    """Lengths written as literals, outside Jinja expressions and comments."""
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|/\*.*?\*/", "", text, flags=re.S)
    return [m.group(0) for m in _LENGTH.finditer(text) if float(m.group(1)) != 0]


def test_stylesheets_take_every_length_from_the_style_module():
    sheets = sorted((REPO / "templates").glob("*.css.j2"))
    assert sheets
    for sheet in sheets:
        assert _bare_lengths(sheet.read_text(encoding="utf-8")) == [], sheet.name


def test_the_bare_length_check_catches_one():
    assert _bare_lengths("a { margin: 2mm {{ s.X }}pt; text-indent: 2em }") == ["2mm", "2em"]
    assert _bare_lengths("{# 5mm #} /* 3pt */ a { width: {{ w }}mm; b: 0pt }") == []


def test_the_page_number_dashes_come_from_the_style_module(documents, monkeypatch):
    from notice import style

    _html, css, _context = documents["notice"]
    assert f'content: "{style.PAGE_NUMBER_DASHES[0]}" counter(page)' in css


# -- golden semantic HTML: a template change shows as a readable diff -----------------------


def test_golden_html(documents, request):
    """The notice's and two letters' HTML as the templates make it today. After a deliberate
    template change, refresh with `pytest tests/test_vocabulary.py --update-golden` and
    read the diff of tests/golden/ before committing it."""
    update = request.config.getoption("--update-golden")
    for name, (html, _css, _context) in documents.items():
        path = GOLDEN / f"{name}.html"
        if update:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(html, encoding="utf-8")
        assert path.is_file(), f"{path} is missing: run pytest with --update-golden"
        assert html == path.read_text(encoding="utf-8"), (
            f"{name}: the HTML differs from {path}; if the change is meant, run pytest with "
            "--update-golden and review the diff")


def test_kinds_of_the_vocabulary_are_consistent():
    for element in VOCABULARY.values():
        assert element.meaning
        if element.word_style:
            assert element.kind in (Kind.PARAGRAPH, Kind.RUN), element.name
            assert element.word_style in IDS, element.name
        if element.page:
            assert element.kind in (Kind.SECTION, Kind.MODIFIER), element.name
