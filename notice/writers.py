"""The output formats, one table: what each writes, for which documents, with which function.

A new format is one module with a render function and one line in WRITERS. `build` renders
every entry, the manifest lists what they wrote, the CLI summarises them and the archive
stamps the archival ones; none of them names a format itself. Each render function imports
its module when first called, so reading this table does not load WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

DOCUMENT = "document"  # once a document: the notice and each unit's letter
BUILD = "build"  # once a build, from the whole content (the matrix)


@dataclass(frozen=True)
class Document:
    """What a document writer gets: the semantic HTML and what it was rendered with."""

    html: str
    css: str
    context: dict  # the template context (the DOCX writer's layout figures)
    fonts: Any  # FontSet
    variant: str | None  # the PDF variant the archive asks for ("pdf/a-2b"), or None
    # the HTML as the PDF's layout left it (notice/pdf.py lay_out): each table row split at a
    # page break made two, each row that begins a page marked; None until the PDF is laid out
    laid_out: str | None = None
    # an earlier layout of the document, whose pages the PDF may keep (notice/reuse.py: its
    # Record and its PDF's bytes), or None
    previous: tuple | None = None


@dataclass(frozen=True)
class Writer:
    """One output format."""

    suffix: str  # the file name's ending, without the dot; also the manifest's "format"
    label: str  # how the CLI names it: PDF, DOCX
    scope: str  # DOCUMENT or BUILD
    render: Callable[[Any], Any]  # Document → bytes (DOCUMENT); Content → bytes (BUILD)
    lays_out: bool = False  # DOCUMENT: render gives (bytes, the HTML as laid out, record)
    archival: bool = False  # written to the archive's PDF variant (PDF/A)
    stem: str = ""  # BUILD: the file's name under OUT/<year>/, without suffix
    kind: str = ""  # BUILD: the manifest's "kind" of the file
    wanted: Callable[[Any], bool] = lambda content: True  # BUILD: whether the content has it
    # BUILD: what its file is made from, as a text the cache keys on (Content → str); None:
    # every file of the content folder
    made_from: Callable[[Any], str] | None = None


def _pdf(document: Document) -> tuple[bytes, str, Any]:
    from pathlib import Path

    from . import pdf

    layout = document.context.get("layout")
    images = frozenset(Path(i.path).resolve().as_uri()
                       for i in (layout.sign_off.images if layout and layout.sign_off else ()))
    made = pdf.render_pdf(document.html, document.css, document.fonts,
                          pdf_variant=document.variant, images=images, made=True,
                          previous=document.previous)
    # a stand-in renderer (the tests') gives the bytes alone: the DOCX reads the HTML as made
    if isinstance(made, bytes):
        return made, document.html, None
    return made.pdf, made.html, made.record


def _docx(document: Document) -> bytes:
    from .docx import render_docx

    if document.laid_out is None:
        raise ValueError("the DOCX is written from the PDF's layout: render the PDF first")
    return render_docx(document.laid_out, document.context)


def _xlsx(content) -> bytes:
    from .matrix import render_matrix

    return render_matrix(content)


def _xlsx_made_from(content) -> str:
    from .matrix import matrix_of

    return repr(matrix_of(content))


WRITERS: tuple[Writer, ...] = (
    Writer("pdf", "PDF", DOCUMENT, _pdf, archival=True, lays_out=True),
    Writer("docx", "DOCX", DOCUMENT, _docx),
    Writer("xlsx", "XLSX", BUILD, _xlsx, stem="responsibilities", kind="matrix",
           wanted=lambda content: content.checklist is not None, made_from=_xlsx_made_from),
)


def document_writers() -> tuple[Writer, ...]:
    """The formats every document is written in, in the table's order."""
    return tuple(w for w in WRITERS if w.scope == DOCUMENT)


def render_document(document: Document) -> tuple[dict[str, bytes], Any]:
    """One document in every document format, in the table's order: ({suffix: bytes}, the
    record of its layout for the next build (notice/reuse.py Record) or None).

    The PDF comes first; the HTML as its layout left it (rows split at its page breaks) goes
    to the writers after it, so that the DOCX breaks its tables where the PDF did."""
    files, record = {}, None
    for writer in document_writers():
        made = writer.render(document)
        if writer.lays_out:
            made, laid_out, record = made
            document = replace(document, laid_out=laid_out)
        files[writer.suffix] = made
    return files, record


def build_writers() -> tuple[Writer, ...]:
    """The formats written once a build."""
    return tuple(w for w in WRITERS if w.scope == BUILD)


def archival_suffixes() -> frozenset[str]:
    """The formats the archive writes in its PDF variant."""
    return frozenset(w.suffix for w in WRITERS if w.archival)


def labels(writers: tuple[Writer, ...]) -> str:
    """The formats named for a reader: "PDF", "PDF and DOCX", "PDF, DOCX and TXT"."""
    names = [w.label for w in writers]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
