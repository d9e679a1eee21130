"""WeasyPrint's default stylesheets, lean (notice/lean_css.py): a selector goes only where it
cannot style anything in the document, and every document prints as with the full ones."""

from __future__ import annotations

import pytest
from helpers import CONTENT_2021, REPO
from weasyprint import HTML

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
    hints = paginate.parsed(odd, None, sheet, whole=whole)._ph_stylesheets()[0]
    assert any(test for test in hints.matcher.other_selectors)  # :is(..., td)[valign=top i]
    assert not paginate.parsed(part, None, sheet)._ph_stylesheets()[0].matcher.other_selectors
