"""Everything a build checks before rendering, beyond the content files; validate runs it too."""

from __future__ import annotations

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
