"""Checks a content file's node tree field by field and builds the model from it."""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re

import yaml

from . import limits
from .errors import Problem
from .markup import FIELD, field_problem, line_column, markup_problem
from .model import Deadline, Spot
from .yamlsource import scalar_value

# ASCII digits only: \d would also take full-width ２０２１, which prints out of style.
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{1,2})-([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日)$")
# a date inside a deadline's text: 2023年, 2023年12月, 2023年12月31日 (digits 0-9 only)
_DEADLINE = re.compile(r"(?<![0-9])([0-9]{4})年(?:([0-9]{1,2})月(?:([0-9]{1,2})日)?)?")
# Control characters other than tab and newline never belong in printed text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
# Half of a UTF-16 pair, alone: written as "\ud800" in quotes, or left by a broken copy.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
TO_FILL = "待填"  # what new-year writes where a clerk must give a new value


def suggest(word: str, choices: list[str]) -> str | None:
    """The choice a near miss was probably meant to be, or None."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    # An abbreviation keeps its characters in order: 区卫健局 → 区卫生健康局.
    in_order = [c for c in choices if _is_subsequence(word, c) and len(word) >= 3]
    return in_order[0] if len(in_order) == 1 else None


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


class Reader:
    """Reads values out of one file's nodes, recording a located Problem for each fault."""

    def __init__(self, file: str, year: int | None = None):
        self.file = file
        self.year = year or dt.date.today().year  # the year the examples in messages name
        self.problems: list[Problem] = []
        self.spots: list[Spot] = []

    def fail(self, node: yaml.Node | None, where: str, what: str) -> None:
        line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (0, 0)
        self.problems.append(Problem(self.file, line, column, where, what))

    # -- containers ------------------------------------------------------------------------

    def mapping(self, node, where: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, yaml.Node] | None:
        """The mapping's values by key; unknown keys and missing required ones are problems."""
        if not isinstance(node, yaml.MappingNode):
            keys = f"the keys {', '.join(required)}" if required else "keys"
            self.fail(node, where, f"must hold {keys}, each written as key: value on a line "
                      "of its own")
            return None
        known = required + optional
        values: dict[str, yaml.Node] = {}
        hinted: set[str] = set()
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            if name not in known:
                hint = suggest(name, list(known))
                meant = (f' (did you mean "{hint}"?)' if hint
                         else f"; known keys: {', '.join(known)}")
                self.fail(key, where, f'unknown key "{name}"{meant}')
                hinted.add(hint or "")
            else:
                values[name] = value
        # A misspelt key is reported once, as unknown with its suggestion, not also as missing.
        missing = [name for name in required if name not in values and name not in hinted]
        if len(missing) == 1:
            self.fail(node, where, f'the key "{missing[0]}" is missing')
        elif missing:
            keys = ", ".join(f'"{name}"' for name in missing)
            self.fail(node, where, f"the keys {keys} are missing")
        return values

    def sequence(self, node, where: str) -> list[yaml.Node]:
        """The items of a non-empty list."""
        if isinstance(node, yaml.ScalarNode) and scalar_value(node) is None:
            self.fail(node, where, "is empty; give at least one item")
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, where, "must be a list (one item a line, each starting with -)")
            return []
        if not node.value:
            self.fail(node, where, "the list is empty; give at least one item")
        too_many = limits.list_problem(len(node.value))
        if too_many:
            self.fail(node, where, too_many)
            return []
        return node.value

    # -- scalars ---------------------------------------------------------------------------

    def text(self, node, where: str, role: str = "body",
             fields: tuple[str, ...] | None = None) -> str | None:
        """Non-empty printable text, with balanced _{…} / ^{…} markup.

        With `fields`, the text is a template: {name} places a field, and only the names in
        `fields` may be used.
        """
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, where, "must be text, not a list or a mapping")
            return None
        if scalar_value(node) is None:
            self.fail(node, where, "is empty; write the text")
            return None
        # Keep what was typed even where YAML reads a number, a date or yes/no: 0.50 stays
        # 0.50 (not 0.5), a date stays as written.
        value = node.value.strip()
        if not value:
            self.fail(node, where, "is empty; write the text")
            return None
        if value == TO_FILL:
            self.fail(node, where, f"still says {TO_FILL}: write this year's text")
            return None
        too_long = limits.text_problem(value)
        if too_long:
            self.fail(node, where, too_long)
            return None
        broken = _SURROGATE.search(value)
        if broken:
            self.fail(node, where, f"contains U+{ord(broken.group()):04X}, which is not a "
                      "character (half of a pair of UTF-16 codes); delete it")
            return None
        bad = _CONTROL.search(value)
        if bad:
            self.fail(node, where, f"contains the invisible control character "
                      f"U+{ord(bad.group()):04X}; delete it")
            return None
        if _runs_on_into_item(node, self, where):
            return None
        markup = (markup_problem(value) if fields is None
                  else field_problem(value, fields) or markup_problem(FIELD.sub("", value)))
        if markup:
            self.fail(node, where, markup)
            return None
        self.spots.append(Spot(self.file, node.start_mark.line + 1,
                               node.start_mark.column + 1, where, value, role))
        return value

    def integer(self, node, where: str, low: int = 1, high: int = 9999) -> int | None:
        """A whole number written in the digits 0-9, read as decimal (011 is 11, not octal 9)."""
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, where, "must be a whole number, not a list or a mapping")
            return None
        typed = node.value.strip()
        if not typed:
            self.fail(node, where, "is empty; write a whole number")
            return None
        if not re.fullmatch(r"[0-9]+", typed):
            self.fail(node, where, f'"{typed}" is not a whole number; write it with the '
                      "digits 0-9")
            return None
        value = int(typed)
        if not low <= value <= high:
            self.fail(node, where, f"is {value}; it must be between {low} and {high}")
            return None
        return value

    def date(self, node, where: str) -> dt.date | None:
        """A date written 2023-02-23 or 2023年2月23日."""
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, where, f"must be a date such as {self.year}-02-23, not a list or "
                      "a mapping")
            return None
        value = scalar_value(node)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        typed = node.value.strip()
        if typed == TO_FILL:
            self.fail(node, where, f"still says {TO_FILL}: write this year's date")
            return None
        if not typed:
            self.fail(node, where, f"is empty; write a date such as {self.year}-02-23")
            return None
        match = _DATE.match(typed)
        if match:
            year, month, day = (int(g) for g in match.groups() if g is not None)
            if _day_exists(year, month, day):
                return dt.date(year, month, day)
            self.fail(node, where, f'"{typed}" is not a date that exists; check the month '
                      "and the day")
            return None
        self.fail(node, where, f'"{typed}" is not a date; write it as {self.year}-02-23 or '
                  f"{self.year}年2月23日")
        return None

    def choice(self, node, where: str, choices: tuple[str, ...]) -> str | None:
        value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
        if value in choices:
            return value
        hint = suggest(str(value), list(choices)) if isinstance(value, str) else None
        meant = f' (did you mean "{hint}"?)' if hint else ""
        self.fail(node, where, f'"{node.value if isinstance(node, yaml.ScalarNode) else "…"}"'
                  f" must be one of {' or '.join(choices)}{meant}")
        return None

    def texts(self, node, where: str, role: str = "body",
              item: str | None = None) -> tuple[str, ...]:
        """The texts of a non-empty list; each item is named `item n` (default `where n`)."""
        items = [self.text(entry, f"{item or where} {n}", role)
                 for n, entry in enumerate(self.sequence(node, where), start=1)]
        return tuple(t for t in items if t is not None)

    def deadline(self, node, where: str) -> Deadline | None:
        """完成时限: free text (「长期坚持」), and the date it names where it names one
        (「2023年12月底前」 is the end of December 2023)."""
        if isinstance(node, yaml.ScalarNode) and node.value.strip() == TO_FILL:
            self.fail(node, where, f"still says {TO_FILL}: write this year's deadline")
            return None
        value = self.text(node, where)
        if value is None:
            return None
        match = _DEADLINE.search(value)
        if not match:
            return Deadline(value)
        year, month, day = (int(g) if g else None for g in match.groups())
        if not _day_exists(year, month or 1, day or 1):
            self.fail(node, where, f'"{value}" names a date that does not exist; check the '
                      "month" + (" and the day" if day else ""))
            return None
        return Deadline(value, year, month, day)


def _day_exists(year: int, month: int, day: int) -> bool:
    return (dt.MINYEAR <= year <= dt.MAXYEAR and 1 <= month <= 12
            and 1 <= day <= calendar.monthrange(year, month)[1])


_RUN_ON_ITEM = re.compile(r"\n[ ]*(- )")


def _runs_on_into_item(node: yaml.ScalarNode, reader: Reader, where: str) -> bool:
    """A plain text that swallowed the next line "- …": a list item indented too far.

    YAML joins `- 县教育局` and a following `   - 县财政局` into one text
    "县教育局 - 县财政局"; the clerk meant two items.
    """
    start, end = node.start_mark, node.end_mark
    if node.style is not None or end.line == start.line or start.buffer is None:
        return False
    match = _RUN_ON_ITEM.search(start.buffer, start.index, end.index)
    if not match:
        return False
    line, column = line_column(start.buffer, match.start(1))
    reader.problems.append(Problem(
        reader.file, line, column, where,
        'this line starts with "-" but is indented further than the item above, so it was '
        "read as part of that item's text; line it up with the other items"))
    return True
