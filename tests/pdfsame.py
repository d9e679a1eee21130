"""What a reader sees of a PDF, to compare two: text by page, pixels, outline, document
information and embedded font programs (the reuse of pages, tests/test_reuse.py and
tests/test_families.py, and the page-by-page layout, tests/test_paginate.py, are held to a
cold layout's PDF by these)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf


def texts(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() for page in document.pages]


def pixels(pdf: bytes, folder: Path) -> list[bytes]:
    folder.mkdir(parents=True)
    (folder / "in.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(folder / "in.pdf"), str(folder / "p")],
                   check=True)
    return [page.read_bytes() for page in sorted(folder.glob("p-*.png"))]


def outline(pdf: bytes) -> list[tuple[str, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = {page.objgen: n for n, page in enumerate(document.pages)}
        found = []
        with document.open_outline() as outline:
            def walk(items):
                for item in items:
                    found.append((item.title, pages[item.destination[0].objgen]))
                    walk(item.children)

            walk(outline.root)
        return found


def info(pdf: bytes) -> dict[str, str]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return {str(key): str(value) for key, value in document.docinfo.items()}


def font_programs(pdf: bytes) -> tuple[int, list[str]]:
    """The embedded font programs (FontFile streams of the font descriptors), and the faces
    they are of (subset tags left off)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        programs, faces = set(), []
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                files = [obj[key].objgen for key in ("/FontFile", "/FontFile2", "/FontFile3")
                         if key in obj]
                programs.update(files)
                faces.append(str(obj.FontName).split("+", 1)[-1])
        return len(programs), sorted(faces)


def assert_same_document(made: bytes, cold: bytes, folder: Path) -> None:
    """`made` is what a reader sees of `cold`, page by page, and its outline."""
    pages = texts(cold)
    assert texts(made) == pages
    assert info(made) == info(cold)
    programs, faces = font_programs(cold)
    assert font_programs(made) == (programs, faces)
    assert programs == len(faces) == len(set(faces))  # one font program a face
    drawn = pixels(cold, folder / "cold")
    assert len(drawn) == len(pages)
    assert pixels(made, folder / "made") == drawn
    assert outline(made) == outline(cold)
