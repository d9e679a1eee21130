"""Pages an edit leaves alone taken from the earlier PDF (notice/reuse.py): a document so made
is the document a cold layout of the same content makes (pixels, text, bookmarks, document
info, one font program a face, the HTML the DOCX is written from), whether the edit keeps the
page breaks or moves them; a build lays out only the documents an edit changed; the archive
never reuses; a damaged record or a missing earlier PDF is ignored."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
import weasyprint.layout.page
import weasyprint.pdf.fonts
from helpers import REPO, SMALL, ContentCopy, run
from pdfsame import assert_same_document, texts

import notice.archive
import notice.build
import notice.paginate
import notice.pdf
import notice.reuse
from notice.checks import load_and_check
from notice.render import (
    notice_context,
    render_css,
    render_sheet_html,
    render_template,
    sheet_context,
)

LETTER = "巴州区"  # a district's letter: rows cut across pages, the edited rows among its own
LEDGER = REPO / "tests" / "fixtures" / "ledger" / "2026"

# edits of the 2021 checklist: (old, new, anchor)
KEEPS_BREAKS = ("提升政府绿色产品采购比重。", "提高政府绿色产品采购比重。", None)
# a row in the middle of the table reworded (the breaks kept): the pages after it are as they were
MIDWAY = "着力提升可再生能源在建筑领域应用比例。"
KEEPS_BREAKS_MIDWAY = (MIDWAY, MIDWAY.replace("提升", "提高"), None)
# the same row made longer: the pages after it start elsewhere (a row on the first pages would
# not do: a layout is not worth starting before its third page; nor a longer addition: the
# notice's checklist columns, fitted to their text, would change width, and the whole notice
# be laid out again)
MOVES_BREAKS = (MIDWAY, MIDWAY + "按月调度进展、按季评估成效、按年考核问效。" * 2, None)
# an edit of another office's checklist (a row in the middle of its long table)
LEDGER_KEEPS = ("竣工验收合格率100%；2026年6月底前", "竣工验收合格率达100%；2026年6月底前",
                "    - number: 13\n")


def _documents(folder: Path, names: set[str]) -> dict[str, tuple]:
    """The HTML, CSS and fonts of the notice ("notice") and of the named units' letters."""
    content, _text, sheets, fonts = load_and_check(folder)
    found = {}
    if "notice" in names:
        context = notice_context(content, fonts)
        found["notice"] = (render_template("notice.html.j2", **context), render_css(context),
                           fonts)
    context = sheet_context(content, fonts) if sheets else None
    for sheet in sheets:
        if sheet.unit.name in names:
            found[sheet.unit.name] = (render_sheet_html(context, sheet), render_css(context),
                                      fonts)
    return found


@dataclass
class Layout:
    """One make_pdf: what it made, the pages WeasyPrint laid out (each time it laid one out,
    a page laid out again after a cut counted again), and the pages it took from the
    earlier PDF (None: nothing spliced)."""

    made: notice.pdf.Made
    laid_out: int
    kept: list[int] | None


def _make(document: tuple, previous=None) -> Layout:
    html, css, fonts = document
    laid, kept = [], []
    remake, splice = weasyprint.layout.page.remake_page, notice.pdf.splice
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(weasyprint.layout.page, "remake_page",
                        lambda *args: laid.append(args[0]) or remake(*args))
        patched.setattr(notice.pdf, "splice",
                        lambda new, old, pages: kept.append(list(pages)) or splice(new, old,
                                                                                   pages))
        made = notice.pdf.make_pdf(html, css, fonts, previous=previous)
    assert len(kept) <= 1
    return Layout(made, len(laid), kept[0] if kept else None)


class Year:
    """A year's content before and after an edit, and layouts of its documents: the earlier
    one (the content before), and of the edited content a cold one and one reusing the
    earlier (made once each)."""

    def __init__(self, root: Path, source: Path, edit: tuple, names: set[str]):
        before, after = ContentCopy(root / "before", source), ContentCopy(root / "after", source)
        old, new, anchor = edit
        after.edit("checklist.yaml", old, new, after=anchor)
        self.before, self.after = _documents(before.folder, names), _documents(after.folder,
                                                                              names)
        self._made: dict = {}

    def layout(self, name: str, which: str) -> Layout:
        if (name, which) not in self._made:
            if which == "earlier":
                made = _make(self.before[name])
            elif which == "cold":
                made = _make(self.after[name])
            else:
                earlier = self.layout(name, "earlier").made
                assert earlier.record is not None, "the earlier layout was not recorded"
                made = _make(self.after[name], previous=(earlier.record, earlier.pdf))
            self._made[name, which] = made
        return self._made[name, which]


def _in_2021(tmp_path_factory, name: str, edit: tuple) -> Year:
    """2021's notice and LETTER before and after `edit`."""
    return Year(tmp_path_factory.mktemp(name), REPO / "content" / "2021", edit,
                {"notice", LETTER})


@pytest.fixture(scope="module")
def keeps(tmp_path_factory):
    return _in_2021(tmp_path_factory, "keeps", KEEPS_BREAKS)


@pytest.fixture(scope="module")
def keeps_midway(tmp_path_factory):
    return _in_2021(tmp_path_factory, "midway", KEEPS_BREAKS_MIDWAY)


@pytest.fixture(scope="module")
def moves(tmp_path_factory):
    return _in_2021(tmp_path_factory, "moves", MOVES_BREAKS)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    return Year(tmp_path_factory.mktemp("ledger"), LEDGER, LEDGER_KEEPS, {"notice"})


def _first_changed_page(earlier: bytes, cold: bytes) -> int:
    old, new = texts(earlier), texts(cold)
    return next(n for n, (a, b) in enumerate(zip(old, new, strict=False)) if a != b)


# -- 1. an edit that keeps the page breaks, and one that moves them ---------------------------

@pytest.mark.parametrize("name", ["notice", LETTER])
def test_an_edit_that_keeps_the_breaks_lays_out_only_the_pages_about_it(keeps, name,
                                                                        tmp_path):
    earlier, cold, made = (keeps.layout(name, which) for which in ("earlier", "cold", "made"))
    assert keeps.before[name][0] != keeps.after[name][0]  # the edit is in this document
    old, new = texts(earlier.made.pdf), texts(cold.made.pdf)
    changed = _first_changed_page(earlier.made.pdf, cold.made.pdf)
    # the breaks kept: one page changed, the others as they were
    assert len(new) == len(old)
    assert [n for n in range(len(new)) if old[n] != new[n]] == [changed]

    assert made.made.reused > 0
    assert made.kept is not None and len(made.kept) == made.made.reused
    assert changed not in made.kept  # the page with the edit was laid out
    assert made.laid_out < cold.laid_out  # fewer pages laid out than a cold layout does
    assert made.laid_out <= len(new) - made.made.reused + 1

    assert_same_document(made.made.pdf, cold.made.pdf, tmp_path)
    assert made.made.html == cold.made.html  # the DOCX is written from it


@pytest.mark.parametrize("name", ["notice", LETTER])
def test_a_font_given_no_new_glyph_keeps_the_earlier_pdfs_program(keeps, name, monkeypatch):
    """The edit brings no character the document lacked: its fonts are not subset again, the
    earlier PDF's programs serve, and the PDF is the one subsetting again would give."""
    earlier = keeps.layout(name, "earlier").made
    subset: list[str] = []
    clean = weasyprint.pdf.fonts.Font.clean
    monkeypatch.setattr(weasyprint.pdf.fonts.Font, "clean",
                        lambda font, *args: subset.append(font.hash) or clean(font, *args))
    kept = _make(keeps.after[name], previous=(earlier.record, earlier.pdf)).made
    taken = list(subset)
    subset.clear()
    monkeypatch.setattr(notice.paginate, "_font_programs", lambda pdf: {})  # none to take
    again = _make(keeps.after[name], previous=(earlier.record, earlier.pdf)).made
    assert len(taken) < len(subset)  # fonts of the pages laid out, subset only without
    assert kept.reused > 0 and kept.pdf == again.pdf


@pytest.mark.parametrize("name", ["notice", LETTER])
def test_an_edit_that_moves_the_breaks_lays_out_every_page_from_it(moves, name, tmp_path):
    earlier, cold, made = (moves.layout(name, which) for which in ("earlier", "cold", "made"))
    assert moves.before[name][0] != moves.after[name][0]
    old, new = texts(earlier.made.pdf), texts(cold.made.pdf)
    changed = _first_changed_page(earlier.made.pdf, cold.made.pdf)
    # the breaks moved: the pages after the edited one are not the pages they were
    assert [n for n in range(changed + 1, min(len(old), len(new))) if old[n] != new[n]]

    # only pages before the edit are taken from the earlier PDF, every page after it is new
    assert made.made.reused > 0
    assert made.kept == list(range(made.made.reused))
    assert made.made.reused <= changed
    assert made.laid_out >= len(new) - made.made.reused

    assert_same_document(made.made.pdf, cold.made.pdf, tmp_path)
    assert made.made.html == cold.made.html


# -- 5. another office's content --------------------------------------------------------------

def test_another_offices_checklist_edited_keeps_its_other_pages(ledger, tmp_path):
    earlier, cold, made = (ledger.layout("notice", which)
                           for which in ("earlier", "cold", "made"))
    old, new = texts(earlier.made.pdf), texts(cold.made.pdf)
    changed = _first_changed_page(earlier.made.pdf, cold.made.pdf)
    assert sum(text.count("（续）") for text in new) >= 1  # its table's rows split on pages
    assert len(new) == len(old)
    assert [n for n in range(len(new)) if old[n] != new[n]] == [changed]

    assert made.made.reused > 0
    assert changed not in made.kept
    assert made.laid_out < cold.laid_out

    assert_same_document(made.made.pdf, cold.made.pdf, tmp_path)
    assert made.made.html == cold.made.html


@pytest.mark.parametrize(("year", "name"), [("keeps_midway", "notice"),
                                            ("keeps_midway", LETTER), ("ledger", "notice")])
def test_the_pages_after_an_edit_that_keeps_the_breaks_are_the_earlier_pdfs(
        year, name, request, tmp_path):
    year = request.getfixturevalue(year)
    earlier, cold, made = (year.layout(name, which) for which in ("earlier", "cold", "made"))
    old, new = texts(earlier.made.pdf), texts(cold.made.pdf)
    changed = _first_changed_page(earlier.made.pdf, cold.made.pdf)
    assert len(new) == len(old)
    assert [n for n in range(len(new)) if old[n] != new[n]] == [changed]
    assert changed + 1 <= len(new) - 2  # pages enough after it to be worth keeping

    assert_same_document(made.made.pdf, cold.made.pdf, tmp_path)
    assert made.made.html == cold.made.html
    assert made.made.reused > 0
    assert made.laid_out < cold.laid_out
    # the layout stopped at the page after the edited one: that page and the rest are kept
    assert set(range(changed + 1, len(new))) <= set(made.kept)


# -- 2. and 4. builds -------------------------------------------------------------------------

def _docx_body(path: Path) -> bytes:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/document.xml")


def _files(root: Path, suffix: str) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob(f"*.{suffix}"))}


def _layout_records(out: Path) -> list[Path]:
    return sorted((out / ".cache").rglob(f"*.{notice.build.LAYOUT}"))


def _spy_make_pdf(monkeypatch) -> list:
    """Each make_pdf call's `previous` and the Made it gave (in this process: jobs=1)."""
    calls = []
    real = notice.pdf.make_pdf

    def spy(html, css, fonts, **options):
        made = real(html, css, fonts, **options)
        calls.append((options.get("previous"), options.get("pdf_variant"), made))
        return made

    monkeypatch.setattr(notice.pdf, "make_pdf", spy)
    return calls


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """2021 built, then its checklist edited (a row's wording, the breaks kept); the edited
    content built cold into a fresh --out; the --out of the build before the edit (the tests
    build copies of it again), and the documents the edit changed (their DOCX changed)."""
    root = tmp_path_factory.mktemp("builds")
    content = ContentCopy(root / "content")
    kept = root / "first"
    notice.build.build(content.folder, kept, jobs=2)
    original = {stem: _docx_body(path) for stem, path in _files(kept / "2021", "docx").items()}
    assert _layout_records(kept)  # the layouts were recorded
    old, new, _ = KEEPS_BREAKS
    content.edit("checklist.yaml", old, new)
    cold = root / "cold"
    notice.build.build(content.folder, cold, jobs=2)
    changed = {stem for stem, path in _files(cold / "2021", "docx").items()
               if _docx_body(path) != original[stem]}
    return content, kept, cold, changed


def _copy(kept: Path, target: Path) -> Path:
    shutil.copytree(kept, target, symlinks=True)
    return target


def _assert_built_as_cold(out: Path, cold: Path, documents: list[str], tmp_path: Path,
                          changed: set[str] | frozenset[str] = frozenset()) -> None:
    """The `changed` documents' PDFs have the text of `cold`'s, page by page, the `documents`
    are what a reader sees of `cold`'s, and every DOCX has the body of `cold`'s."""
    pdfs, cold_pdfs = _files(out / "2021", "pdf"), _files(cold / "2021", "pdf")
    assert pdfs.keys() == cold_pdfs.keys()
    for stem in changed:
        pdf = stem.removesuffix(".docx") + ".pdf"
        assert texts(pdfs[pdf].read_bytes()) == texts(cold_pdfs[pdf].read_bytes()), pdf
    for stem in documents:
        assert_same_document(pdfs[stem].read_bytes(), cold_pdfs[stem].read_bytes(),
                             tmp_path / stem.replace("/", "-"))
    docx, cold_docx = _files(out / "2021", "docx"), _files(cold / "2021", "docx")
    assert docx.keys() == cold_docx.keys()
    assert {s: _docx_body(p) for s, p in docx.items()} == {
        s: _docx_body(p) for s, p in cold_docx.items()}


def _letter(files: dict, unit: str) -> str:
    return next(stem for stem in files if stem.startswith("sheets/") and unit in stem)


def test_a_build_after_an_edit_lays_out_only_the_documents_it_changed(builds, tmp_path,
                                                                       monkeypatch):
    content, kept, cold, changed = builds
    out = _copy(kept, tmp_path / "out")
    calls = _spy_make_pdf(monkeypatch)
    result = notice.build.build(content.folder, out, jobs=1)

    documents = len(_files(out / "2021", "pdf"))
    assert documents == 24
    assert {f"{stem}.docx" for stem in result.rendered} == changed
    assert 0 < len(changed) < documents
    assert len(calls) == len(changed)
    assert all(previous is not None for previous, _variant, _made in calls)
    # the notice and the letter were made from their earlier layouts, pages reused
    pdfs = _files(out / "2021", "pdf")
    letter = _letter(pdfs, LETTER)
    made = {stem: m for stem, path in pdfs.items() for _p, _v, m in calls
            if m.pdf == path.read_bytes()}
    assert made["notice.pdf"].reused > 0 and made[letter].reused > 0
    _assert_built_as_cold(out, cold, ["notice.pdf", letter], tmp_path, changed)


def test_the_cli_says_how_many_documents_it_laid_out_again(builds, tmp_path):
    content, kept, cold, changed = builds
    out = _copy(kept, tmp_path / "out")
    result = run("build", "--content", str(content.folder), "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert (f"laid out {len(changed)} of 24 documents; the rest were unchanged and came from "
            "the cache") in result.output
    letter = _letter(_files(out / "2021", "pdf"), LETTER)
    _assert_built_as_cold(out, cold, ["notice.pdf", letter], tmp_path, changed)


def _damage(out: Path, how: str, changed: set[str]) -> None:
    """Damage the records of the layouts (or, "earlier PDF missing", take the PDFs of the
    documents the edit changes out of the cache: the others' are their PDFs as they stand)."""
    records = _layout_records(out)
    assert records
    earlier = {(out / "2021" / stem.removesuffix(".docx")).with_suffix(".pdf").read_bytes()
               for stem in changed}
    missing = 0
    for path in records:
        data = path.read_bytes()
        if how == "truncated":  # the cache's own check discards it
            path.write_bytes(data[: len(data) // 2])
            continue
        if how == "truncated, its hash matching":  # read by Record.from_bytes
            data = data[: len(data) // 2]
        elif how == "another format":
            fields = json.loads(data)
            fields["format"] = 999
            data = json.dumps(fields, ensure_ascii=False).encode("utf-8")
        elif how == "earlier PDF missing":
            key = json.loads(data)["pdf_key"]
            pdf = out / ".cache" / key[:2] / f"{key}.pdf"
            if pdf.read_bytes() in earlier:
                pdf.unlink()
                missing += 1
            continue
        path.write_bytes(data)
        path.with_name(path.name + ".sha256").write_bytes(
            hashlib.sha256(data).hexdigest().encode("ascii"))
    assert how != "earlier PDF missing" or missing == len(changed)


@pytest.mark.parametrize("how", ["truncated", "truncated, its hash matching", "another format",
                                 "earlier PDF missing"])
def test_a_damaged_record_or_a_missing_pdf_is_ignored(builds, how, tmp_path, monkeypatch):
    content, kept, cold, changed = builds
    out = _copy(kept, tmp_path / "out")
    _damage(out, how, changed)
    calls = _spy_make_pdf(monkeypatch)
    result = notice.build.build(content.folder, out, jobs=1)
    assert {f"{stem}.docx" for stem in result.rendered} == changed
    # nothing came from the damaged cache: a layout started from another only where that one
    # was made in this build (a district's letter from the first district's: build._tasks)
    made_here = []
    assert calls
    for previous, _variant, made in calls:
        assert previous is None or previous[1] in made_here
        assert made.reused == 0 or previous is not None
        made_here.append(made.pdf)
    pdfs, cold_pdfs = _files(out / "2021", "pdf"), _files(cold / "2021", "pdf")
    for stem in changed:  # laid out whole: the very PDF a cold build makes
        pdf = stem.removesuffix(".docx") + ".pdf"
        assert pdfs[pdf].read_bytes() == cold_pdfs[pdf].read_bytes(), pdf
    _assert_built_as_cold(out, cold, [], tmp_path)


# -- 3. the archive ---------------------------------------------------------------------------

# WeasyPrint 70 leaves the output intent's ICC profile open when it writes a PDF/A
# (weasyprint/pdf/__init__.py: files(__package__) / 'sRGB2014.icc').open('rb')); in a worker
# process that goes unseen, in this one (jobs=1, for the spy) it is reported when collected
@pytest.mark.filterwarnings(
    r"ignore:Exception ignored in. <_io.FileIO name='[^']*sRGB2014\.icc'"
    ":pytest.PytestUnraisableExceptionWarning",
    r"ignore:unclosed file <_io.BufferedReader name='[^']*sRGB2014\.icc'>:ResourceWarning")
def test_the_archive_never_starts_from_an_earlier_layout(tmp_path, monkeypatch):
    content = ContentCopy(tmp_path / "content", SMALL)
    out = tmp_path / "out"
    notice.build.build(content.folder, out, jobs=1)
    assert _layout_records(out)  # records the archive could have used
    calls = _spy_make_pdf(monkeypatch)
    notice.archive.archive(content.folder, out, jobs=1)
    # and a build in the archive's PDF variant given the cache
    notice.build.build(content.folder, out, jobs=1, pdf_variant=notice.archive.PDF_VARIANT,
                       root=tmp_path / "variant")
    variants = {variant for _previous, variant, _made in calls}
    assert calls and variants == {notice.archive.PDF_VARIANT}
    assert all(previous is None for previous, _variant, _made in calls)
    assert all(made.reused == 0 for _previous, _variant, made in calls)


# -- the splice itself ------------------------------------------------------------------------

def _one_resource_pdf(pages: list[bytes], resources: dict) -> bytes:
    """A PDF whose pages share one resource dictionary, as WeasyPrint writes them."""
    document = pikepdf.new()
    shared = document.make_indirect(pikepdf.Dictionary(resources))
    for content in pages:
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 100, 100],
                                  Resources=shared,
                                  Contents=document.make_stream(content))
        document.pages.append(pikepdf.Page(page))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_kept_page_gets_the_earlier_content_and_a_name_clash_gives_up():
    tile = {"/PatternType": 1, "/PaintType": 1, "/TilingType": 1, "/BBox": [0, 0, 1, 1],
            "/XStep": 1, "/YStep": 1}
    old = _one_resource_pdf([b"0 0 1 rg", b"% old page two"], {
        "/ExtGState": pikepdf.Dictionary({"/a1.0": pikepdf.Dictionary(ca=1)}),
        "/Pattern": pikepdf.Dictionary({"/p0": pikepdf.Dictionary(tile)})})
    new = _one_resource_pdf([b"% new page one", b""], {
        "/ExtGState": pikepdf.Dictionary({"/a1.0": pikepdf.Dictionary(ca=1)})})
    spliced = notice.reuse.splice(new, old, [1])
    with pikepdf.open(io.BytesIO(spliced)) as document:
        assert [page.Contents.read_bytes() for page in document.pages] == [
            b"% new page one", b"% old page two"]
        assert "/p0" in document.pages[0].Resources.Pattern  # what the old page uses, copied
    # the new PDF names another pattern /p0 (WeasyPrint numbers them in each PDF): no splice
    clash = _one_resource_pdf([b"% new page one", b""], {
        "/Pattern": pikepdf.Dictionary({"/p0": pikepdf.Dictionary({**tile, "/XStep": 2})})})
    assert notice.reuse.splice(clash, old, [1]) is None


def test_a_stylesheet_that_prints_the_total_of_pages_never_keeps_a_page(keeps):
    """A kept page would print the earlier total: with counter(pages) in the stylesheet the
    document is laid out whole, as a cold layout."""
    earlier = keeps.layout("notice", "earlier").made
    html, css, fonts = keeps.after["notice"]
    css += "\n/* a footer that says 第 N 页 共 M 页: counter(pages) */"
    made = notice.pdf.make_pdf(html, css, fonts, previous=(earlier.record, earlier.pdf))
    assert made.reused == 0
    assert made.pdf == notice.pdf.make_pdf(html, css, fonts).pdf
