"""Whatever a clerk deletes or blanks out, the loader answers with located problems.

Each test damages one line at a time in a copy of the small fixture year and loads it: the result is
either valid content or a ContentError whose every problem names a line (apart from the few
that concern a whole file).
"""

from __future__ import annotations

import shutil

import pytest
from helpers import SMALL

from notice.content import load_content
from notice.errors import ContentError
from notice.folder import NOTICE_FILES as FILES

WHOLE_FILE = ("the file is empty", "the file is missing")


def _damaged(name: str):
    """Each line of a file deleted, and each value replaced by empty, a list and a mapping."""
    lines = (SMALL / name).read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield i + 1, "\n".join(lines[:i] + lines[i + 1:])
        if ": " in line:
            key = line.split(": ", 1)[0]
            for value in ("", "[]", "{a: 1}"):
                yield i + 1, "\n".join(lines[:i] + [f"{key}: {value}"] + lines[i + 1:])


@pytest.mark.parametrize("name", FILES)
def test_damaged_lines_give_located_problems(tmp_path, name):
    folder = tmp_path / SMALL.name
    shutil.copytree(SMALL, folder)
    target = folder / name
    for line, text in _damaged(name):
        target.write_text(text, encoding="utf-8")
        try:
            load_content(folder)
        except ContentError as exc:
            assert exc.problems, f"line {line}: an error without problems"
            for problem in exc.problems:
                assert problem.line > 0 or problem.what.startswith(WHOLE_FILE), (
                    f"line {line}: {problem}")
                assert "None" not in str(problem), f"line {line}: {problem}"
