"""Split rows laid out page by page (notice/paginate.py): the same PDF as a layout of the whole
letter once a cut, and the WeasyPrint internals it rests on pinned."""

from __future__ import annotations

import hashlib
import inspect

import pdfplumber
import pytest
import weasyprint.document
import weasyprint.draw.text
import weasyprint.layout
import weasyprint.layout.page
import weasyprint.pdf
import weasyprint.pdf.fonts
import weasyprint.pdf.stream
from helpers import CONTENT_2021
from pdfsame import outline, pixels

import notice.pdf
import notice.row_cut
from notice import paginate
from notice.checks import load_and_check
from notice.render import render_css, render_sheet_html, sheet_context
from notice.vocabulary import PAGE_START

# the letters with the most cut rows and rows moved on whole (a district's and a department's)
LETTERS = ["巴州区", "市生态环境局"]


@pytest.fixture(scope="module")
def letters():
    content, _text, sheets, fonts = load_and_check(CONTENT_2021)
    context = sheet_context(content, fonts)
    css = render_css(context)
    return {s.unit.name: (render_sheet_html(context, s), css, fonts) for s in sheets
            if s.unit.name in LETTERS}


def _by_passes(html, css, fonts, monkeypatch):
    """The letter as it was laid out before paginate.py: the whole letter again a cut."""
    with monkeypatch.context() as patched:
        patched.setattr(notice.pdf, "_lay_out_splitting", lambda *args: None)
        return notice.pdf.render_pdf(html, css, fonts, laid_out=True)


@pytest.mark.parametrize(("unit", "window"), [(LETTERS[0], None), (LETTERS[1], None),
                                              (LETTERS[0], 3)])
def test_a_letter_laid_out_page_by_page_is_the_letter_laid_out_once_a_cut(
        letters, unit, window, tmp_path, monkeypatch):
    """A window of 3 rows (less than a page holds) makes pages run past it again and again."""
    html, css, fonts = letters[unit]
    before, before_html = _by_passes(html, css, fonts, monkeypatch)
    if window:
        monkeypatch.setattr(notice.pdf, "_WINDOW", window)
    windows = []
    real = notice.pdf._windowed
    monkeypatch.setattr(notice.pdf, "_windowed", lambda tree, *w: windows.append(w) or real(
        tree, *w))
    monkeypatch.setattr(notice.pdf, "_lay_out_by_passes",
                        lambda *args: pytest.fail("lay_out fell back to the passes"))
    after, after_html = notice.pdf.render_pdf(html, css, fonts, laid_out=True)

    (tmp_path / "before.pdf").write_bytes(before)
    (tmp_path / "after.pdf").write_bytes(after)
    with pdfplumber.open(tmp_path / "before.pdf") as old, \
            pdfplumber.open(tmp_path / "after.pdf") as new:
        old_text = [page.extract_text() for page in old.pages]
        assert [page.extract_text() for page in new.pages] == old_text
    assert sum(text.count(notice.row_cut.CONTINUED) for text in old_text) >= 2  # rows were cut
    assert pixels(after, tmp_path / "after") == pixels(before, tmp_path / "before")
    assert outline(after) == outline(before)
    assert after == before  # and, as it stands, the same bytes
    # the HTML the DOCX is written from: the same cuts, and the rows that begin a page marked
    # though the pages kept come from earlier renderings
    assert after_html == before_html
    assert after_html.count(PAGE_START) == len(old_text) - 2  # the cover, then a mark a page
    assert len(windows) > 1  # the letter was laid out in windows of rows


# WeasyPrint's functions paginate.py copies (layout_document's steps after the first
# pagination, Document._render) or whose data it reads and writes (the page_maker entries,
# the resume_at dicts): a new WeasyPrint that changes one must be read before it is trusted.
# And those the reuse of an earlier PDF's pages rests on (notice/reuse.py, paginate.Unlaid,
# GlyphsKept): what the PDF writer reads of a page (Page.__init__, generate_pdf: width,
# height, bleed, links, forms, bookmarks, page.paint, Stream(document.fonts, ...)), how a font
# enters document.fonts (Stream.add_font, Font.__init__: font.hash, widths, to_unicode) and
# gets its glyphs (draw_first_line), and how the fonts are written (build_fonts_dictionary).
# And those the lean default stylesheets rest on (paginate.parsed, notice/lean_css.py): where
# a document's default stylesheets come from (HTML._ua_stylesheets, _ph_stylesheets,
# get_all_computed_styles), that styles are made for every pseudo-element a selector names
# (StyleFor.__init__), and when a pseudo-element's style is asked for (element_to_box,
# marker_to_box: a list item's marker, a footnote's call and marker, a note's).
PINNED = {
    weasyprint.layout.layout_document: "a5cbf437e99caf72",
    weasyprint.layout.initialize_page_maker: "5bb3c878d722af53",
    weasyprint.layout.layout_fixed_boxes: "5c62b9c0838af971",
    weasyprint.layout.page.make_all_pages: "b5e4034894841caa",
    weasyprint.layout.page.remake_page: "1ff09b2dffa17839",
    weasyprint.document.Document._render: "ebaceeb0fa8e79aa",
    weasyprint.document.Document._build_layout_context: "2b072254ab89701b",
    weasyprint.document.Page.__init__: "56afceec729bf2c1",
    weasyprint.pdf.generate_pdf: "626343ef25c396e8",
    weasyprint.pdf.stream.Stream.add_font: "e4226e1117477217",
    weasyprint.pdf.fonts.Font.__init__: "1f281166b10302a4",
    weasyprint.pdf.fonts.Font.clean: "794f0211f18453f1",
    weasyprint.pdf.fonts.build_fonts_dictionary: "fc551bef35d0d6c3",
    weasyprint.draw.text.draw_first_line: "1bb8eae6d88e71b1",
    weasyprint.HTML.__init__: "5f19f40b81837f87",
    weasyprint.HTML._ua_stylesheets: "4fadfde9d15075b2",
    weasyprint.HTML._ph_stylesheets: "f9dab3b96420c3f5",
    weasyprint.css.get_all_computed_styles: "e4063ec7d60e70be",
    weasyprint.css.StyleFor.__init__: "b1e725a7552502aa",
    weasyprint.formatting_structure.build.element_to_box: "2d0a37e45b7f3e0c",
    weasyprint.formatting_structure.build.marker_to_box: "b471a3133517591e",
}


def test_the_weasyprint_internals_paginate_follows_are_unchanged():
    assert paginate.supported(), f"paginate.py follows WeasyPrint {paginate.WEASYPRINT}"
    changed = [function.__qualname__ for function, digest in PINNED.items()
               if hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16] != digest]
    assert not changed, (f"WeasyPrint changed {', '.join(changed)}: read notice/paginate.py "
                         "against the new source, then update PINNED")
