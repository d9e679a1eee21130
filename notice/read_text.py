"""Reads the text parts of the content: a body's paragraphs, headings and tables, and the
attachments a document lists, each fault a located problem."""

from __future__ import annotations

import re

import yaml

from .model import HEADING_LEVELS, Attachment, Block, Heading, Paragraph, Table, TableColumn
from .numerals import chinese_number
from .schema import Reader
from .yamlsource import scalar_value

# 7.3.3 the four levels, as a clerk may number them by hand
_GIVEN = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"^[0-9]+[.．]")),
    (4, re.compile(r"^[（(][0-9]+[）)]")),
)
ALIGNMENTS = ("left", "center", "justify")
ATTACHMENT_KINDS = ("checklist", "body", "table", "list")


def heading_number(level: int, count: int) -> str:
    """The number a heading is given when the clerk gives none: 一、 （一） 1. （1）."""
    return {1: f"{chinese_number(count)}、", 2: f"（{chinese_number(count)}）",
            3: f"{count}.", 4: f"（{count}）"}[level]


def given_number(text: str) -> tuple[int, str] | None:
    """(level, number) when a heading starts with a number typed by the clerk."""
    for level, pattern in _GIVEN:
        match = pattern.match(text)
        if match:
            return level, match.group()
    return None


def read_body(r: Reader, node, where: str) -> tuple[Block, ...]:
    """A body: a list of paragraphs (texts), headings (heading: …, with text: to run in) and
    tables (table: …); headings are numbered level by level unless numbered by hand."""
    blocks: list[Block] = []
    counts = [0] * (HEADING_LEVELS + 1)
    for n, item in enumerate(r.sequence(node, where), start=1):
        here = f"{where} {n}"
        if isinstance(item, yaml.MappingNode):
            keys = {k.value for k, _v in item.value if isinstance(k, yaml.ScalarNode)}
            if "table" in keys:
                m = r.mapping(item, here, ("table",))
                table = read_table(r, m["table"], f"{here}: table") if m else None
                if table:
                    blocks.append(table)
                continue
            paragraph = _heading(r, item, here, counts)
            if paragraph:
                blocks.append(paragraph)
        else:
            text = r.text(item, here)
            if text is not None:
                blocks.append(Paragraph(text))
    return tuple(blocks)


def _heading(r: Reader, node, where: str, counts: list[int]) -> Paragraph | None:
    m = r.mapping(node, where, ("heading",), ("level", "text"))
    if not m or "heading" not in m:
        return None
    role = "heading"
    level = r.integer(m["level"], f"{where}: level", 1, HEADING_LEVELS) if "level" in m else None
    if level is not None:
        role = ("heading", "kai", "body", "body")[level - 1]
    text = r.text(m["heading"], f"{where}: heading", role)
    body = r.text(m["text"], f"{where}: text") if "text" in m else ""
    if text is None or body is None:
        return None
    given = given_number(text)
    if level is None:
        level = given[0] if given else 1
    if given:
        number, text = given[1], text[len(given[1]):].lstrip()
    else:
        counts[level] += 1
        number = heading_number(level, counts[level])
    for deeper in range(level + 1, HEADING_LEVELS + 1):
        counts[deeper] = 0
    return Paragraph(body, Heading(level, number, text))


def read_table(r: Reader, node, where: str) -> Table | None:
    """A declared table: columns (heads, or head/width/align) and rows (one list a row)."""
    m = r.mapping(node, where, ("columns", "rows"))
    if not m or len(m) < 2:
        return None
    columns = []
    for n, item in enumerate(r.sequence(m["columns"], f"{where}: columns"), start=1):
        here = f"{where}: column {n}"
        if isinstance(item, yaml.MappingNode):
            c = r.mapping(item, here, ("head",), ("width", "align"))
            if not c or "head" not in c:
                continue
            head = r.text(c["head"], f"{here}: head", "heading")
            width = share(r, c["width"], f"{here}: width") if "width" in c else None
            align = (r.choice(c["align"], f"{here}: align", ALIGNMENTS)
                     if "align" in c else "center")
        else:
            head, width, align = r.text(item, here, "heading"), None, "center"
        if head is not None:
            columns.append(TableColumn(f"c{n}", head, width, align or "center"))
    rows = []
    for n, item in enumerate(r.sequence(m["rows"], f"{where}: rows"), start=1):
        here = f"{where}: row {n}"
        if not isinstance(item, yaml.SequenceNode):
            r.fail(item, here, "must be a list of the row's cells, one a column, such as "
                   "[1, 市财政局, 张三]")
            continue
        if len(item.value) != len(columns):
            r.fail(item, here, f"has {len(item.value)} cells but the table has "
                   f"{len(columns)} columns; give one cell a column (write \"\" for an "
                   "empty one)")
            continue
        cells = {}
        for column, cell in zip(columns, item.value, strict=True):
            empty = isinstance(cell, yaml.ScalarNode) and not cell.value.strip()
            value = "" if empty else r.text(cell, f"{here}: {column.head}")
            cells[column.key] = value or ""
        rows.append(cells)
    return Table(tuple(columns), tuple(rows))


def share(r: Reader, node, where: str) -> float | None:
    value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1000:
        return float(value)
    r.fail(node, where, f'"{getattr(node, "value", "…")}" is not a width; write a number '
           "such as 2 (the columns share the table's width in proportion)")
    return None


def read_attachments(r: Reader, node, where: str = "attachments") -> tuple[Attachment, ...]:
    """附件: each with a title and one of checklist (the checklist of checklist.yaml), body
    (a text document), table (a declared table) or list (names, one a line)."""
    found = []
    for n, item in enumerate(r.sequence(node, where), start=1):
        here = f"attachment {n}"
        m = r.mapping(item, here, (), ("title", "landscape") + ATTACHMENT_KINDS)
        if m is None:
            continue
        kinds = [k for k in ATTACHMENT_KINDS if k in m]
        if len(kinds) != 1:
            r.fail(item, here, "give exactly one of checklist, body, table or list: what the "
                   "attachment holds" + (f" (it gives {', '.join(kinds)})" if kinds else ""))
            continue
        kind = kinds[0]
        title = r.text(m["title"], f"{here}: title", "title") if "title" in m else None
        if title is None and kind != "checklist":
            if "title" not in m:
                r.fail(item, here, 'the key "title" is missing')
            continue
        landscape = (yes_no(r, m["landscape"], f"{here}: landscape") if "landscape" in m
                     else kind == "checklist")
        if kind == "checklist":
            if not yes_no(r, m["checklist"], f"{here}: checklist"):
                continue
            found.append(Attachment(title or "", "checklist", landscape))
        elif kind == "body":
            found.append(Attachment(title, "text", landscape,
                                    body=read_body(r, m["body"], f"{here}: paragraph")))
        elif kind == "table":
            table = read_table(r, m["table"], f"{here}: table")
            if table:
                found.append(Attachment(title, "table", landscape, table=table))
        else:
            found.append(Attachment(title, "list", landscape,
                                    items=r.texts(m["list"], f"{here}: list",
                                                  item=f"{here}: name")))
    return tuple(found)


def yes_no(r: Reader, node, where: str) -> bool:
    value = scalar_value(node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, bool):
        return value
    r.fail(node, where, f'"{getattr(node, "value", "…")}" must be yes or no')
    return False
