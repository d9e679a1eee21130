"""The one exception family a clerk can meet: each prints as plain words, never a traceback."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import click

# Exit statuses, documented in `build.py --help` and the README.
EXIT_OK = 0
EXIT_CONTENT = 1  # the content (or a font it needs) is wrong: the clerk can fix it
EXIT_USAGE = 2  # click's own status for a bad command line
EXIT_INTERNAL = 3  # a fault in the tool or the machine (disk full, permissions, a bug)
EXIT_DAMAGED = 4  # archive verify: an archived version no longer matches its manifest
EXIT_BUSY = 5  # archive: another archive of the year held the lock past the wait


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located as file:line:column."""

    file: str
    line: int
    column: int
    where: str
    what: str

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{place}: {self.where}: {self.what}" if self.where else f"{place}: {self.what}"
        return shown(text)


def shown(text: str) -> str:
    """The text on one line as any terminal can print it: a character that is invisible,
    breaks the line, turns the text right to left or is no character at all (a lone
    surrogate) is written <U+XXXX>, so that a problem quoting the content stays one line."""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in _UNSHOWN else c
                   for c in text)


_UNSHOWN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


class NoticeError(click.ClickException):
    """Base of every error the tool reports to a user."""

    exit_code = EXIT_INTERNAL


class ContentError(NoticeError):
    """The content has problems; all of them are listed, nothing was written."""

    exit_code = EXIT_CONTENT

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} {noun} in the content; nothing was written.")
        super().__init__("\n".join(lines))

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        """Print one problem a line, each starting with its file:line:column (no "Error:")."""
        click.echo(self.format_message(), file=file, err=file is None)


class OutputError(NoticeError):
    """Writing an output failed (disk full, permission denied, …); earlier outputs are intact."""

    exit_code = EXIT_INTERNAL
