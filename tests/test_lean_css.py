"""WeasyPrint's default stylesheets, lean (notice/lean_css.py): a selector goes only where it
cannot style anything in the document, and every document prints as with the full ones."""

from __future__ import annotations

import pytest
from helpers import CONTENT_2021, REPO
from weasyprint import HTML
from weasyprint.html import PH, UA

import notice.build
from notice import lean_css, paginate, pdf

FIXTURES = REPO / "tests" / "fixtures"
TAGS = frozenset({"html", "body", "table", "tr", "td", "p"})
ATTRIBUTES = frozenset({"class", "colspan"})


ALL_USES = frozenset(lean_css.USES.values())


def _lean(text: str, tags=TAGS, attributes=ATTRIBUTES, used=ALL_USES):
    return lean_css.lean(text, tags, attributes, used)


def test_a_selector_needing_an_attribute_or_tag_no_element_has_goes():
    text = (":is(thead, tbody, tr, td)[valign=top i] { vertical-align: top }\n"
            "td[nowrap], p { white-space: nowrap }\n"
            "table[rules=all i] > tr > :is(td, th) { border-style: solid }\n"
            ":is(ol, ul) :is(ol, ul) { margin-top: 0 }\n"
            ":is(p, h1):is([align=left i], [align=right i]) { text-align: left }\n"
            ":link { color: blue }\n"
            "td { padding: 1px }")
    assert _lean(text) == "p { white-space: nowrap }\ntd { padding: 1px }"
    # the attribute (or tag) on some element of the document: kept
    with_valign = _lean(text, attributes=ATTRIBUTES | {"valign", "rules"})
    assert with_valign.splitlines()[0] == text.splitlines()[0]
    assert "table[rules=all i] > tr > :is(td, th)" in with_valign
    assert ":is(ol, ul) :is(ol, ul)" in _lean(text, tags=TAGS | {"ol"})
    assert ":link" in _lean(text, tags=TAGS | {"a"}, attributes=ATTRIBUTES | {"href"})
    assert ":link" not in _lean(text, tags=TAGS | {"a"})  # an a without href is no link


def test_what_is_not_understood_is_kept_and_the_order_stays():
    text = ("td:first-child { color: red }\n"
            ":not([hidden]) { color: green }\n"
            "@page { margin: 1cm }\n"
            ":is(td[x] y, z) { color: blue }\n"
            "td { color: black }")
    assert _lean(text).splitlines() == [
        "td:first-child { color: red }", ":not([hidden]) { color: green }",
        "@page { margin: 1cm }", ":is(td[x] y, z) { color: blue }", "td { color: black }"]


def test_a_pseudo_element_goes_where_nothing_would_ask_for_it():
    text = ("::marker { white-space: pre }\n::footnote-call { content: counter(footnote) }\n"
            "::note-call { content: counter(note) }\np::before { content: \"x\" }")
    assert _lean(text, used=frozenset()) == "p::before { content: \"x\" }"
    assert _lean(text, used=lean_css.uses(".a { float: footnote }")).splitlines() == [
        "::footnote-call { content: counter(footnote) }", "p::before { content: \"x\" }"]
    assert lean_css.uses("li { display: list-item }", "x") == {"list-item"}
    assert lean_css.uses(".n { position: note(aside) }") == {"note("}


@pytest.mark.parametrize("folder, units", [
    (CONTENT_2021, ["巴州区", "市财政局"]),  # two letters
    (FIXTURES / "small" / "2023", None),
    (FIXTURES / "plan" / "2024", None),
    (FIXTURES / "grid" / "2025", None),
    (FIXTURES / "ledger" / "2026", None),
])
def test_every_document_prints_as_with_weasyprints_full_default_stylesheets(
        folder, units, tmp_path, monkeypatch):
    notice.build.build(folder, tmp_path / "lean", units=units, jobs=1, use_cache=False)

    def full(source, url_fetcher, stylesheet=None, whole=None):
        return HTML(string=source, base_url=None, url_fetcher=url_fetcher)

    monkeypatch.setattr(paginate, "parsed", full)
    monkeypatch.setattr(pdf, "parsed", full)
    notice.build.build(folder, tmp_path / "full", units=units, jobs=1, use_cache=False)
    year = tmp_path / "full" / folder.name  # (a link to the set published)
    made = sorted(p.relative_to(year.resolve()) for p in year.resolve().rglob("*.pdf"))
    assert made
    for name in made:
        assert (tmp_path / "lean" / folder.name / name).read_bytes() == (
            year / name).read_bytes(), name


def test_a_part_of_a_document_is_styled_with_the_whole_documents_lean_stylesheets():
    """One pair of lean stylesheets a document, whatever window of it is rendered; a part that
    holds what the whole does not (it cannot, as the layout makes parts) gets its own."""
    whole = ("<html><body><table><tr><td class='a'>1</td></tr></table>"
             "<ol><li>x</li></ol></body></html>")
    part = "<html><body><table><tr><td class='a'>1</td></tr></table></body></html>"
    sheet = type("Sheet", (), {"uses": frozenset()})()
    full_ua = paginate.parsed(whole, None, sheet, whole=whole)._ua_stylesheets()[0]
    assert paginate.parsed(part, None, sheet, whole=whole)._ua_stylesheets()[0] is full_ua
    alone = paginate.parsed(part, None, sheet)._ua_stylesheets()[0]
    assert alone is not full_ua  # (no list in it: no list rules)
    odd = "<html><body><table><tr><td valign='top'>1</td></tr></table></body></html>"
    own = paginate.parsed(odd, None, sheet, whole=whole)._ua_stylesheets()[0]
    assert own is not full_ua
    own_names = lean_css.names(HTML(string=odd).etree_element.iter(), odd)
    assert "[valign=top i]" in lean_css.lean(PH, *own_names.relevant(PH), own_names.used)
    part_names = lean_css.names(HTML(string=part).etree_element.iter(), part)
    assert "valign" not in lean_css.lean(PH, *part_names.relevant(PH), part_names.used)


def test_an_svg_is_known_by_its_tag_without_its_namespace():
    source = "<html><body><p>x<svg width='10' height='10'><rect/></svg></p></body></html>"
    names = lean_css.names(HTML(string=source).etree_element.iter(), source)
    assert {"svg", "rect"} <= names.tags
    lean = lean_css.lean(UA, *names.relevant(UA), names.used)
    assert "svg { overflow: hidden }" in lean.splitlines()  # (no img: that one went)


def test_lists_footnotes_and_svg_print_as_with_the_full_default_stylesheets():
    """What the templates do not emit today, laid out both ways: the same PDF."""
    source = ("<html><head><style>.f { float: footnote } li { margin-left: 3em }</style></head>"
              "<body><ol><li>one</li><li>two<ul><li>in</li></ul></li></ol>"
              "<p>text<span class='f'>a footnote</span></p>"
              "<table border='1' rules='all'><tr><td valign='top' nowrap>cell</td></tr></table>"
              "<p dir='rtl' hidden>hidden</p><a href='x'>link</a>"
              "<svg width='20' height='20'><rect width='10' height='10'/></svg></body></html>")
    author = type("Sheet", (), {"uses": frozenset()})()  # (the words come from the HTML)
    lean = paginate.parsed(source, None, author, whole=source).write_pdf()
    full = HTML(string=source).write_pdf()
    assert lean == full
