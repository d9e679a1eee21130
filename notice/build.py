"""The build: load → check → render → write, for the notice and the task sheets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .content import load_content
from .fonts import FontSet, check_coverage, resolve_fonts
from .model import Content
from .output import Written, record, write_manifest
from .pdf import render_pdf
from .render import render_notice_html


@dataclass
class BuildResult:
    content: Content
    fonts: FontSet
    root: Path
    written: list[Written] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def build(content_dir: Path, out_dir: Path, font_overrides: dict[str, str] | None = None
          ) -> BuildResult:
    """Build the year's documents into OUT/<year>/ and list them in its manifest."""
    # load and check everything before anything is written
    content = load_content(content_dir)
    fonts = resolve_fonts(font_overrides)
    check_coverage(fonts, content.spots)

    # render the notice: one semantic HTML for both formats
    html, css = render_notice_html(content, fonts)
    notice_pdf = render_pdf(html, css, fonts)

    # write
    root = Path(out_dir) / str(content.year)
    result = BuildResult(content, fonts, root)
    result.written.append(record(root, "notice.pdf", notice_pdf, "notice"))
    write_manifest(root, content.year, result.written)
    return result
