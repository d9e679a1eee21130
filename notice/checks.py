"""Everything a build checks before rendering, beyond the content files; validate runs it too."""

from __future__ import annotations

from pathlib import Path

from .content import load_content
from .errors import ContentError
from .folder import LETTERS_FILE
from .fonts import FontSet, check_coverage, resolve_fonts
from .model import Content
from .sheets import Sheet, SheetText, load_sheet_text, make_sheets


def check_build(content: Content, font_overrides: dict[str, str] | None = None,
                units: list[str] | None = None) -> tuple[SheetText | None, list[Sheet], FontSet]:
    """The letters' text (sheets.yaml), the letters (title lines within their limit) and the
    fonts, every character of the content and of the letters drawn by a face of its role."""
    if content.assignments() or units:
        text, text_spots = load_sheet_text(content.folder)
        sheets = make_sheets(content, text, units)
    else:  # no unit has work: no letters, and no need of their wording
        text, text_spots, sheets = None, (), []
    fonts = resolve_fonts(font_overrides)
    check_coverage(fonts, content.spots + text_spots)
    return text, sheets, fonts


def load_and_check(folder: Path, font_overrides: dict[str, str] | None = None,
                   units: list[str] | None = None
                   ) -> tuple[Content, SheetText | None, list[Sheet], FontSet]:
    """Load the content and run check_build's checks in one pass: the problems of the
    content files, of sheets.yaml, of the letters and of the fonts are listed together.

    sheets.yaml is read when it is there or when some unit has work (a letter needs it)."""
    problems = []
    content = text = fonts = None
    text_spots: tuple = ()
    try:
        content = load_content(folder)
    except ContentError as exc:
        if not Path(folder).is_dir():
            raise
        problems += exc.problems
    letters = (Path(folder) / LETTERS_FILE).exists() or units or (
        content is not None and content.assignments())
    for step in ("text", "fonts"):
        try:
            if step == "text" and letters:
                text, text_spots = load_sheet_text(Path(folder))
            elif step == "fonts":
                fonts = resolve_fonts(font_overrides)
        except ContentError as exc:
            problems += exc.problems
    if fonts is not None:
        try:
            check_coverage(fonts, (content.spots if content else ()) + text_spots)
        except ContentError as exc:
            problems += exc.problems
    sheets: list[Sheet] = []
    if content is not None and text is not None:
        try:
            sheets = make_sheets(content, text, units)
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    return content, text, sheets, fonts
