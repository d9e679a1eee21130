"""Checks a content file's node tree field by field and builds the model from it."""

from __future__ import annotations

import datetime as dt
import difflib
import re

import yaml

from .errors import Problem
from .model import Spot
from .yamlsource import scalar_value

_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_DEADLINE = re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?$")
# Control characters other than tab and newline never belong in printed text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
TO_FILL = "待填"  # what new-year writes where a clerk must give a new value


def suggest(word: str, choices: list[str]) -> str | None:
    """The choice a near miss was probably meant to be, or None."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    # An abbreviation keeps its characters in order: 市住建局 → 市住房和城乡建设局.
    in_order = [c for c in choices if _is_subsequence(word, c) and len(word) >= 3]
    return in_order[0] if len(in_order) == 1 else None


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


class Reader:
    """Reads values out of one file's nodes, recording a located Problem for each fault."""

    def __init__(self, file: str):
        self.file = file
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
            self.fail(node, where, f"must be a mapping with the keys {', '.join(required)}")
            return None
        known = required + optional
        values: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            if name not in known:
                hint = suggest(name, list(known))
                meant = f' (did you mean "{hint}"?)' if hint else f"; known keys: {', '.join(known)}"
                self.fail(key, where, f'unknown key "{name}"{meant}')
            else:
                values[name] = value
        for name in required:
            if name not in values:
                self.fail(node, where, f'the key "{name}" is missing')
        return values

    def sequence(self, node, where: str) -> list[yaml.Node]:
        """The items of a non-empty list."""
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, where, "must be a list (one item a line, each starting with -)")
            return []
        if not node.value:
            self.fail(node, where, "the list is empty; give at least one item")
        return node.value

    # -- scalars ---------------------------------------------------------------------------

    def text(self, node, where: str, role: str = "body") -> str | None:
        """Non-empty printable text, with balanced _{…} / ^{…} markup."""
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, where, "must be text, not a list or a mapping")
            return None
        value = scalar_value(node)
        if isinstance(value, bool) or value is None or isinstance(value, dt.date):
            if value is None or node.value == "":
                self.fail(node, where, "is empty; write the text")
                return None
            value = node.value  # 是/no/2021-01-01 written as text: keep what was typed
        if not isinstance(value, (str, int, float)):
            self.fail(node, where, "must be text")
            return None
        value = str(value) if not isinstance(value, str) else value
        value = value.strip()
        if not value:
            self.fail(node, where, "is empty; write the text")
            return None
        if value == TO_FILL:
            self.fail(node, where, f"still says {TO_FILL}: write this year's text")
            return None
        bad = _CONTROL.search(value)
        if bad:
            self.fail(node, where, f"contains the invisible control character "
                      f"U+{ord(bad.group()):04X}; delete it")
            return None
        markup = markup_problem(value)
        if markup:
            self.fail(node, where, markup)
            return None
        self.spots.append(Spot(self.file, node.start_mark.line + 1,
                               node.start_mark.column + 1, where, value, role))
        return value

    def integer(self, node, where: str, low: int = 1, high: int = 9999) -> int | None:
        value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(node, where, "must be a whole number")
            return None
        if not low <= value <= high:
            self.fail(node, where, f"must be between {low} and {high}")
            return None
        return value

    def date(self, node, where: str) -> dt.date | None:
        """A date written 2021-02-23 or 2021年2月23日."""
        value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        if value == TO_FILL:
            self.fail(node, where, f"still says {TO_FILL}: write this year's date")
            return None
        match = _CHINESE_DATE.match(str(value)) if isinstance(value, str) else None
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                pass
        self.fail(node, where, f'"{node.value if node is not None else ""}" is not a date; '
                  "write it as 2021-02-23 or 2021年2月23日")
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

    def texts(self, node, where: str, role: str = "body") -> tuple[str, ...]:
        items = [self.text(item, f"{where} {n}", role)
                 for n, item in enumerate(self.sequence(node, where), start=1)]
        return tuple(t for t in items if t is not None)

    def deadline_match(self, node, where: str):
        value = self.text(node, where)
        if value is None:
            return None
        match = _DEADLINE.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12 or (
            match.group(3) and not 1 <= int(match.group(3)) <= 31
        ):
            self.fail(node, where, f'"{value}" is not a deadline; write it as 2021年3月 '
                      "or 2021年3月31日")
            return None
        return value, match


def markup_problem(text: str) -> str | None:
    """Why the sub/superscript markup in a text is broken, or None when it is sound."""
    depth_open = None
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in ("_{", "^{"):
            if depth_open is not None:
                return f'"{pair}" starts inside another _{{…}} or ^{{…}}; close the first one'
            depth_open = pair
            i += 2
            continue
        if text[i] == "}" and depth_open is not None:
            depth_open = None
        i += 1
    if depth_open is not None:
        return f'"{depth_open}" is never closed with "}}"'
    return None


def split_markup(text: str) -> list[tuple[str, str | None]]:
    """Split marked-up text into runs: (text, None | "sub" | "sup")."""
    runs: list[tuple[str, str | None]] = []
    for part in re.split(r"([_^]\{[^}]*\})", text):
        if not part:
            continue
        if part[:2] in ("_{", "^{") and part.endswith("}"):
            runs.append((part[2:-1], "sub" if part[0] == "_" else "sup"))
        else:
            runs.append((part, None))
    return runs


def plain(text: str) -> str:
    """The text with its markup removed: what a reader sees, letter for letter."""
    return "".join(run for run, _ in split_markup(text))
