"""Pages an edit leaves alone are not laid out again: a document's layout is recorded when it
is made, and the next layout of the same document (or of one like it) starts from it.

A record (`Record`, JSON in the render cache) keeps, for each page of a document: WeasyPrint's
pagination state at the page's start (notice/paginate.py `Pagination.state`), a signature of
that state and of all the document holds from that point on, which table rows the page shows
and what the DOCX needs of it (`pdf.page_summary`), and what the PDF writer needs of it
(`paginate.describe`); with the HTML the layout was given, the HTML as laid out (rows cut), the
glyphs the PDF used and the PDF's render key.

A new layout of the document
- starts at the page of the first table row that changed, or the page before it where that
  row opens its page (`plan`): the pages before are the earlier PDF's, and the layout goes on
  from the recorded state (only where nothing but table rows changed);
- stops as soon as a page starts in the same state as the earlier layout's same page with
  the same content after it (`Record.converges`): the rest are the earlier PDF's pages;
- writes its PDF with the pages it did not lay out left empty and every font holding the
  earlier PDF's glyphs too (`paginate.GlyphsKept`), and puts the earlier pages' content in
  them (`splice`): one subset a font, as in a PDF made at once.

Whatever goes wrong (an earlier PDF missing, a resource of the same name that is another
object), the document is laid out whole instead. The archive never reuses a layout.
"""

from __future__ import annotations

import hashlib
import io
import json
from copy import deepcopy
from dataclasses import dataclass

import lxml.html

FORMAT = 2  # the record's layout; a record of another is ignored
_WORTH = 2  # pages kept at least, at either end: putting them in the PDF costs about a page


@dataclass
class Record:
    """One document's layout as an earlier build left it (see the module's docstring)."""

    html: str  # the HTML the layout was given
    final: str  # the HTML as laid out (rows cut)
    pages: list  # a dict a page: state, signature, clean, rows, summary, and describe's keys
    end: object  # the pagination state after the last page (plain)
    glyphs: dict  # font name → (widths, characters), by glyph id
    pdf_key: str  # the render key of the PDF it made (in the render cache)
    kept: int = 0  # pages taken from an earlier layout when this one was made

    def to_bytes(self) -> bytes:
        from .paginate import plain

        return json.dumps({"format": FORMAT, "html": self.html, "final": self.final,
                           "pages": self.pages, "end": self.end,
                           "glyphs": plain(self.glyphs), "pdf_key": self.pdf_key,
                           "kept": self.kept},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Record | None:
        """The record, or None for one that is not this version's or cannot be read."""
        from .paginate import unplain

        if not data:
            return None
        try:
            fields = json.loads(data.decode("utf-8"))
            if fields.pop("format", None) != FORMAT:
                return None
            fields["glyphs"] = unplain(fields["glyphs"])
            return cls(**fields)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def converges(self, index: int, signature: str | None) -> bool:
        """Whether a new layout whose page `index` starts with `signature` goes on as this
        one did from there: the rest of its pages are this one's."""
        return (signature is not None and 0 < index <= len(self.pages) - _WORTH
                and self.pages[index]["signature"] == signature
                and all(page["clean"] for page in self.pages[index - 1:]))


# -- where a new layout starts ----------------------------------------------------------------

@dataclass(frozen=True)
class Start:
    """Where a layout goes on from an earlier one: at `page`, with `html` (the earlier
    layout's rows, cut, before the first row that changed, the new rows after)."""

    page: int
    html: str


def plan(record: Record, tree) -> Start | None:
    """The page a layout of `tree` (the new HTML, parsed) can start at, the pages before it
    being the record's; None where the HTML changed outside table rows, or in the rows of
    the first page that holds any."""
    old = lxml.html.document_fromstring(record.html)
    if _without_rows(old) != _without_rows(tree):
        return None
    before, after = _row_texts(old), _row_texts(tree)
    first = next((n for n, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
                 min(len(before), len(after)))
    final = lxml.html.document_fromstring(record.final)
    pieces = numbered_rows(final)
    starts = [n for n, tr in enumerate(pieces)
              if n == 0 or pieces[n - 1].get("data-part") != "head"]
    if first >= len(starts) or len({tr.getparent() for tr in pieces}) != 1 \
            or len({tr.getparent() for tr in numbered_rows(tree)}) != 1:
        return None
    position = starts[first]  # the first piece of the first row that changed
    if not _rows_end_their_body(pieces, position):
        return None
    page = next((n for n, p in enumerate(record.pages) if position in p["rows"]), None)
    if page is None:
        return None
    # the page before too, unless a row before the changed one opens the page (the page
    # before then ended before reaching the changed row)
    if not [n for n in record.pages[page]["rows"] if n < position]:
        page -= 1
    if page < _WORTH or not record.pages[page - 1]["clean"]:
        return None
    body = pieces[0].getparent()
    for tr in pieces[position:]:
        body.remove(tr)
    for tr in numbered_rows(tree)[first:]:
        body.append(deepcopy(tr))
    return Start(page, lxml.html.tostring(final, encoding="unicode",
                                          doctype="<!DOCTYPE html>"))


def numbered_rows(tree) -> list:
    """A tree's checklist rows (each carries its indicator's number), in order."""
    return [tr for tr in tree.iter("tr") if tr.get("data-number")]


def _rows_end_their_body(rows: list, position: int) -> bool:
    """Whether the rows from `position` on are the last children of their table body (so
    that others can be put in their place by appending them)."""
    body = rows[0].getparent()
    return list(body)[len(body) - (len(rows) - position):] == rows[position:]


def _row_texts(tree) -> list[str]:
    return [lxml.html.tostring(tr, encoding="unicode") for tr in numbered_rows(tree)]


def _without_rows(tree) -> str:
    emptied = deepcopy(tree)
    for tr in numbered_rows(emptied):
        tr.getparent().remove(tr)
    return lxml.html.tostring(emptied, encoding="unicode")


def graft(tree, record: Record, position: int) -> str | None:
    """The HTML as laid out of a layout that took the record's pages from the one where row
    `position` goes on: the tree's rows before it, the record's (cut as they were) after."""
    rows, theirs = numbered_rows(tree), numbered_rows(lxml.html.document_fromstring(
        record.final))
    if (position >= len(rows) or position >= len(theirs)
            or len({tr.getparent() for tr in rows}) != 1
            or not _rows_end_their_body(rows, position)):
        return None
    body = rows[0].getparent()
    for tr in rows[position:]:
        body.remove(tr)
    for tr in theirs[position:]:
        body.append(tr)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


# -- signatures -------------------------------------------------------------------------------

_FURNITURE = {"colgroup", "col", "thead", "caption"}  # a table's, laid out on every page


def signature(state, root, start, rows: dict[int, str]) -> str | None:
    """A digest of a page's pagination state (plain) and of what the document holds from
    the element `start` on in the tree `root` (WeasyPrint's, whose checklist rows may be
    emptied outside a window: `rows` gives each row's HTML by the element's id)."""
    if start is None:
        return None
    parents = {child: parent for parent in root.iter() for child in parent}
    path = [start]
    while path[-1] in parents:
        path.append(parents[path[-1]])
    path.reverse()
    parts = [json.dumps(state, ensure_ascii=False)]
    for depth, element in enumerate(path[:-1]):
        parts.append(_open(element))
        child, after = path[depth + 1], False
        for other in element:
            if other is child:
                after = True
            elif after or _local(other.tag) in _FURNITURE:
                _serialise(other, rows, parts)
    _serialise(start, rows, parts)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _open(element) -> str:
    return f"<{_local(element.tag)} {sorted(element.attrib.items())}>"


def _serialise(element, rows: dict[int, str], parts: list[str]) -> None:
    if id(element) in rows:
        parts.append(rows[id(element)])
    else:
        parts.append(_open(element))
        parts.append(element.text or "")
        for child in element:
            _serialise(child, rows, parts)
        parts.append(f"</{_local(element.tag)}>")
    parts.append(element.tail or "")


# -- the PDF ----------------------------------------------------------------------------------

def _same_by_name(category: str, name: str) -> bool:
    """Whether two of WeasyPrint's PDFs that give a resource the same name hold the same one:
    a font (the new PDF's holds the old glyphs too), an alpha state (named by its value)."""
    return category == "/Font" or (category == "/ExtGState" and name.startswith("/a"))


def splice(new: bytes, old: bytes, kept: list[int]) -> bytes | None:
    """The PDF `new` with each page of `kept` (empty there) given the content of the same
    page of `old`; None where `old`'s pages use a resource whose name `new` gives another
    object (WeasyPrint numbers patterns and shadings in each PDF)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(new)) as target, pikepdf.open(io.BytesIO(old)) as source:
        if len(source.pages) < max(kept, default=-1) + 1:
            return None
        ours = target.pages[0].obj.Resources
        theirs = source.pages[0].obj.Resources
        if any(page.obj.Resources.objgen != ours.objgen for page in target.pages) or any(
                page.obj.Resources.objgen != theirs.objgen for page in source.pages):
            return None  # WeasyPrint gives all pages one resource dictionary
        for category in ("/Font", "/XObject", "/ExtGState", "/Pattern", "/Shading"):
            if category not in theirs or not len(theirs[category]):
                continue
            if category not in ours:
                ours[category] = pikepdf.Dictionary()
            for name, value in theirs[category].items():
                if name not in ours[category]:
                    if not value.is_indirect:  # (copy_foreign takes objects of their own)
                        value = source.make_indirect(value)
                    ours[category][name] = target.copy_foreign(value)
                elif not _same_by_name(category, name):
                    return None
        for index in kept:
            target.pages[index].obj.Contents = target.copy_foreign(
                source.pages[index].obj.Contents)
        out = io.BytesIO()
        target.save(out, deterministic_id=True)
        return out.getvalue()
