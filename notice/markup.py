"""The content's inline markup: _{…} / ^{…} runs, {field} templates, and text widths."""

from __future__ import annotations

import re

FIELD = re.compile(r"(?<![_^])\{([A-Za-z_]+)\}")  # {name} in a template
_BRACED = re.compile(r"(?<![_^])\{([^{}]*)\}")
_RUN = re.compile(r"([_^]\{[^}]*\})")  # one subscript or superscript run
# what a line may not break inside: a standard's code (HJ/T 338-2018), a number with its unit
# or sign (≥95%, 3000个, 12.5平方米, 2021年, 3月); in a table cell also a whole date
# (2021年3月, 3月31日) and an ordinal in brackets (（二）, the task's number). Running text
# on the 28-character grid may break a date between its year, month and day.
_CODE = r"[A-Z]{1,4}(?:/[A-Z]{1,2})? ?\d+(?:[.\-]\d+)*"
_AMOUNT = (r"[≥≤<>＜＞±]?\d+(?:[.,]\d+)*(?:平方公里|平方米|立方米|公里|千米|公顷|千克|小时|分钟"
           r"|万元|亿元|[个处所家座条项次人户辆台套名万亿元米吨克天年月日倍度%‰℃])")
_DATE = r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日"
_ORDINAL = r"（[一二三四五六七八九十百零〇]+）"
UNBREAKABLE = re.compile("|".join((_CODE, _ORDINAL, _DATE, _AMOUNT)))
UNBREAKABLE_IN_TEXT = re.compile("|".join((_CODE, _AMOUNT)))
UNBREAKABLE_EMS = 12  # a longer match (a run of 30 digits) may break, as any long word
# Below U+2000 a character is drawn half as wide as a Chinese one (Latin letters, digits);
# from there on (punctuation such as 「」, CJK) full width.
_HALF_WIDTH_BELOW = 0x2000


def char_width(ch: str) -> float:
    """A character's width in full-width characters: 0.5 or 1."""
    return 0.5 if ord(ch) < _HALF_WIDTH_BELOW else 1


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII letters and digits count half."""
    return sum(char_width(ch) for ch in text)


def field_problem(template: str, fields: tuple[str, ...]) -> str | None:
    """Why a template's {fields} are wrong, or None: in a template every {…} is a field."""
    for name in _BRACED.findall(template):
        if name not in fields:
            return (f'"{{{name}}}" is not a field you can use here; use one of '
                    + ", ".join(f"{{{f}}}" for f in fields))
    return None


def fill(template: str, fields: dict) -> str:
    """The template with each {field} replaced by its value, and nothing else interpreted:
    not str.format, which would read {0}, {unit.__class__} or {year:>9} in the content."""
    return FIELD.sub(lambda match: str(fields[match.group(1)]), template)


def markup_problem(text: str) -> str | None:
    """Why the sub/superscript markup in a text is broken, or None when it is sound.

    Other braces are text ({{ 7*7 }}, a{b}), but each "}" must close a "{": a stray one is
    most often a typo in the markup (PM2.5} for PM_{2.5}).
    """
    depth_open = None
    plain_open = 0  # braces of the text itself, open
    i = 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in ("_{", "^{"):
            if depth_open is not None:
                return f'"{pair}" starts inside another _{{…}} or ^{{…}}; close the first one'
            depth_open = pair
            i += 2
            continue
        if text[i] == "{":
            if depth_open is not None:
                return (f'"{{" inside {depth_open}…}}: a subscript or superscript cannot hold '
                        "braces")
            plain_open += 1
        elif text[i] == "}":
            if depth_open is not None:
                depth_open = None
            elif plain_open:
                plain_open -= 1
            else:
                return ('"}" closes nothing: write _{…} for a subscript or ^{…} for a '
                        "superscript, or delete it")
        i += 1
    if depth_open is not None:
        return f'"{depth_open}" is never closed with "}}"'
    return None


def split_markup(text: str) -> list[tuple[str, str | None]]:
    """Split marked-up text into runs: (text, None | "sub" | "sup")."""
    runs: list[tuple[str, str | None]] = []
    for part in _RUN.split(text):
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


def line_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of text[index], as an editor shows them."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
