"""YAML text for one value, written so that it reads back as exactly that value, and edits of
a file's text by position (what is not edited stays byte for byte)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


def apply(text: str, edits: list[Edit], base: int = 0) -> str:
    """text (which starts at `base` of the file) with the edits made."""
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:e.start - base] + e.text + text[e.end - base:]
    return text


def scalar(value: str, key_col: int, style: str | None = None) -> str:
    """A value as YAML text that reads back as exactly `value`: in the style given where it
    can be (plain, quoted, folded >-), a literal block for several lines, else in quotes."""
    if "\n" in value:
        candidate = "|-\n" + "\n".join((" " * (key_col + 2) + line) if line else ""
                                       for line in value.split("\n"))
    elif style == ">":
        candidate = ">-\n" + " " * (key_col + 2) + value
    elif style == "'":
        candidate = "'" + value.replace("'", "''") + "'"
    elif style == '"':
        candidate = json.dumps(value, ensure_ascii=False)
    else:
        candidate = value
    if _reads_as(candidate, value, key_col):
        return candidate
    return json.dumps(value, ensure_ascii=False)


def _reads_as(candidate: str, value: str, key_col: int) -> bool:
    """Whether the YAML text reads back as the value, and as text (not a number or a date)."""
    try:
        node = yaml.compose(" " * key_col + "k: " + candidate + "\n")
    except yaml.YAMLError:
        return False
    got = node.value[0][1] if isinstance(node, yaml.MappingNode) else None
    if not isinstance(got, yaml.ScalarNode) or got.value != value:
        return False
    return got.style is not None or got.tag == "tag:yaml.org,2002:str"


def flow(names, key_col: int) -> str:
    """A list written in brackets on one line: [A, B]."""
    return "[" + ", ".join(_item(n, key_col) for n in names) + "]"


def _item(name: str, key_col: int) -> str:
    plain = scalar(name, key_col)
    return plain if not any(c in plain for c in ",[]{}") or plain.startswith('"') \
        else json.dumps(name, ensure_ascii=False)


def reindent(block: str, by: int) -> str:
    """A block of lines moved right (by > 0) or left by `by` columns; blank lines stay."""
    if by == 0:
        return block
    lines = block.split("\n")
    if by > 0:
        return "\n".join((" " * by + line) if line.strip() else line for line in lines)
    return "\n".join(line[min(-by, len(line) - len(line.lstrip(" "))):] for line in lines)
