"""Word paragraphs and tables made from the semantic HTML's blocks: text, checklist, 版记."""

from __future__ import annotations

import re

from lxml import etree

from .. import style
from ..markup import char_width
from ..vocabulary import CELL_PREFIX, VOCABULARY, Kind, element_of, word_styles
from .oxml import LANDSCAPE, PPR_ORDER, border, eighths, el, mm_twips, props, twips
from .styles import IDS, TABLE_CELL_MARGINS

PARAGRAPH_STYLES = word_styles(Kind.PARAGRAPH)  # class → named Word paragraph style
RUN_STYLES = word_styles(Kind.RUN)  # class → named Word character style
VERTICAL = {"sub": "subscript", "sup": "superscript"}
TAB_BEFORE = {e.name for e in VOCABULARY.values() if e.tab_before}  # placed by tab stops
# HTML collapses ASCII white space only: an ideographic space (U+3000, between 签发人's names
# or two organs in a title) and a no-break space keep their width
_SPACES = re.compile(r"[ \t\n\r\f]+")
_WIDTH = re.compile(r"width:\s*([\d.]+)(mm|%)")


def classes(node) -> set[str]:
    return set((node.get("class") or "").split())


# ---------------------------------------------------------------------------- runs


def tokens(node) -> list[tuple[str, str, dict]]:
    """The inline content of an HTML element as (kind, text, run properties), kind text/br/tab.

    White space collapses as in HTML and is dropped at the ends of each line.
    """
    out: list[tuple[str, str, dict]] = []
    for kind, text, rpr in _inline(node, {}):
        if kind == "text":
            text = _SPACES.sub(" ", text)
            if not out or out[-1][0] != "text" or out[-1][1].endswith(" "):
                text = text.lstrip(" ")
            if not text:
                continue
        elif out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1].rstrip(" "), out[-1][2])
        out.append((kind, text, rpr))
    if out and out[-1][0] == "text":
        out[-1] = ("text", out[-1][1].rstrip(" "), out[-1][2])
    return [item for item in out if item[0] != "text" or item[1]]


def _inline(node, rpr: dict):
    if node.text:
        yield "text", node.text, rpr
    for child in node:
        if isinstance(child.tag, str):
            marks = classes(child)
            element_of(marks, tag=child.tag, text=child.text_content())  # known, or raise
            if child.tag == "br":
                yield "br", "", rpr
            else:
                inner = dict(rpr)
                for name in sorted(marks & RUN_STYLES.keys()):
                    inner["rStyle"] = dict(val=IDS[RUN_STYLES[name]])
                if child.tag in VERTICAL:
                    inner["vertAlign"] = dict(val=VERTICAL[child.tag])
                if marks & TAB_BEFORE:
                    yield "tab", "", rpr
                yield from _inline(child, inner)
        if child.tail:
            yield "text", child.tail, rpr


def run(kind: str, text: str, rpr: dict) -> etree._Element:
    node = el("w:r")
    if rpr:
        node.append(props("w:rPr", rpr))
    if kind == "text":
        t = el("w:t", None)
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        node.append(t)
    else:
        node.append(el(f"w:{kind}"))
    return node


def put(parent: etree._Element, child: etree._Element, order=PPR_ORDER) -> None:
    """Insert or replace a property element where the schema's order wants it."""
    name = etree.QName(child).localname
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = order.index(name)
    for index, sibling in enumerate(parent):
        if order.index(etree.QName(sibling).localname) > rank:
            parent.insert(index, child)
            return
    parent.append(child)


def paragraph(items, style_name: str, **ppr) -> etree._Element:
    """A w:p of the named style with extra paragraph properties and the given tokens."""
    p = el("w:p", None, props("w:pPr", dict(pStyle=dict(val=IDS[style_name]), **ppr)))
    p.extend(run(*item) for item in items)
    return p


def paragraphs_split(items, style_name: str, **ppr) -> list[etree._Element]:
    """One paragraph for each line of the tokens: a table cell's <br> starts a new paragraph."""
    lines: list[list] = [[]]
    for item in items:
        if item[0] == "br":
            lines.append([])
        else:
            lines[-1].append(item)
    return [paragraph(line, style_name, **ppr) for line in lines]


# ---------------------------------------------------------------------------- checklist

# a column's alignment (notice/columns.py) as Word's w:jc and w:vAlign
_JC = {"justify": "both", "left": "left", "center": "center", "right": "right"}
_VALIGN = {"top": "top", "middle": "center", "bottom": "bottom"}


def cell_alignment(td, columns: dict) -> tuple[str, str]:
    """(w:jc, w:vAlign) of a table cell, from its column's declaration (a declared table's
    cell carries its alignment itself)."""
    if td.get("data-align"):
        return _JC[td.get("data-align")], "center"
    column = next((columns[m[len(CELL_PREFIX):]] for m in sorted(classes(td))
                   if m.startswith(CELL_PREFIX) and m[len(CELL_PREFIX):] in columns), None)
    if column is None:
        return "center", "center"
    return _JC[column.align], _VALIGN[column.valign]

_NO_LINE_START = set("，。、；：？！）》〉」』”’%")


def estimate_lines(text: str, width_pt: float, size_pt: float = style.TABLE_PT) -> int:
    """Lines a cell's text wraps to: Chinese characters one em wide, Latin ones half."""
    lines, x, last = 1, 0.0, 0.0
    for ch in text:
        advance = size_pt * char_width(ch)
        if x + advance > width_pt + 0.01:
            lines += 1
            x = last if ch in _NO_LINE_START else 0.0
        x += advance
        last = advance
    return lines


def _cell(width: int, content, valign: str = "center", merge: str | None = None,
          right: int | None = None):
    tcpr = el("w:tcPr", None, el("w:tcW", dict(w=width, type="dxa")))
    if merge == "restart":
        tcpr.append(el("w:vMerge", dict(val="restart")))
    elif merge:
        tcpr.append(el("w:vMerge"))
    if right is not None:
        tcpr.append(el("w:tcMar", None, el("w:right", dict(w=right, type="dxa"))))
    tcpr.append(el("w:vAlign", dict(val=valign)))
    return el("w:tc", None, tcpr, *content)


def _row(cells, head: bool = False, whole: bool = True):
    """A table row: kept on one page unless the HTML lets it break (tr.may-break)."""
    trpr = el("w:trPr")
    if whole:
        trpr.append(el("w:cantSplit"))
    if head:
        trpr.append(el("w:tblHeader"))
    return el("w:tr", None, trpr, *cells)


def _measure_cells(measure, widths: tuple[int, int], size: float = style.TABLE_PT,
                   line_pt: float = style.TABLE_LINE_PT) -> list:
    """Indicator and target as two real columns, each sub-indicator level with its target.

    The two cells hold one paragraph per (name, target) pair; a pair's shorter paragraph is
    given the missing lines as space after, so the two columns stay level.
    """
    name_margin = 2 * TABLE_CELL_MARGINS[1]  # the PDF draws the rule beside it, not in it
    margin = TABLE_CELL_MARGINS[1] + TABLE_CELL_MARGINS[3]
    sub_indent = twips(size)  # the PDF indents sub-indicators 1em
    gap = TABLE_CELL_MARGINS[0] + TABLE_CELL_MARGINS[2]  # the PDF pads each pair 2 pt
    line = twips(line_pt)
    rows = [tr for tr in measure.iter("tr")]
    names, values = [], []
    # a target that spans the rows of the sub-indicators under it (rowspan) is one paragraph
    # beside their names; the pairs of such a group are level only at its ends
    n = 0
    while n < len(rows):
        value = rows[n].findall("td")[1] if len(rows[n].findall("td")) > 1 else None
        span = int(value.get("rowspan", 1)) if value is not None else 1
        group = rows[n:n + span]
        name_items = [tokens(tr.findall("td")[0]) for tr in group]
        subs = ["sub" in classes(tr.findall("td")[0]) for tr in group]
        value_items = tokens(value) if value is not None else []
        name_lines = [estimate_lines(_plain(items), (widths[0] - name_margin - (
            sub_indent if sub else 0)) / 20, size) for items, sub in zip(name_items, subs,
                                                                          strict=True)]
        value_lines = estimate_lines(_plain(value_items), (widths[1] - margin) / 20, size)
        tall = max(sum(name_lines), value_lines)
        after = 0 if n + span >= len(rows) else gap
        for k, (items, sub) in enumerate(zip(name_items, subs, strict=True)):
            last = k == len(group) - 1
            name_ppr = dict(jc=dict(val="left"), spacing=dict(
                after=after + (tall - sum(name_lines)) * line if last else gap))
            if sub:
                name_ppr["ind"] = dict(left=sub_indent)
            names.append(paragraph(items, "表格文字", **name_ppr))
        values.append(paragraph(value_items, "表格文字", spacing=dict(
            after=after + (tall - value_lines) * line + (span - 1) * gap)))
        n += span
    return [_cell(widths[0], names, right=TABLE_CELL_MARGINS[1]), _cell(widths[1], values)]


def _plain(items) -> str:
    return "".join(text for kind, text, _ in items if kind == "text")


def column_widths(table, text_width: int) -> list[int]:
    """The table's columns (its <col style="width: …mm"> or "…%") in twips, the last taking
    up the rounding to the 版心's width."""
    widths = []
    for col in table.iter("col"):
        value, unit = _WIDTH.search(col.get("style", "")).groups()
        widths.append(mm_twips(float(value)) if unit == "mm"
                      else round(float(value) / 100 * text_width))
    widths[-1] += text_width - sum(widths)
    return widths


def checklist(table, columns: dict, text_width: int = LANDSCAPE.text_width) -> etree._Element:
    """A table as a Word table: head row repeating, rows whole, groups merged; `columns` are
    the declared columns by key, for each cell's alignment."""
    widths = column_widths(table, text_width)
    # a letter's table (split-rows): smaller type, rows that break across pages
    letter = "split-rows" in classes(table)
    size, line_pt = ((style.LETTER_TABLE_PT, style.LETTER_TABLE_LINE_PT) if letter
                     else (style.TABLE_PT, style.TABLE_LINE_PT))
    tbl = el("w:tbl", None, el("w:tblPr", None,
                               el("w:tblStyle", dict(val=IDS["清单表格"])),
                               el("w:tblW", dict(w=sum(widths), type="dxa")),
                               el("w:jc", dict(val="center")),
                               el("w:tblLayout", dict(type="fixed"))),
             el("w:tblGrid", None, *(el("w:gridCol", dict(w=w)) for w in widths)))
    heads = list(table.find("thead").iter("th"))
    tbl.append(_row([_cell(w, [paragraph(tokens(th), "表头")])
                     for w, th in zip(widths, heads, strict=True)], head=True))
    for tr in table.find("tbody").findall("tr"):
        cells, column = [], 0
        for td in tr.findall("td"):
            marks = classes(td)
            span = int(td.get("colspan", 1))
            width = widths[column:column + span]
            column += span
            if "measure-cell" in marks:
                cells.extend(_measure_cells(td.find(".//table"), tuple(width), size, line_pt))
            elif "group" in marks:  # domain and task merged over their indicators
                first = "cont" not in marks
                content = [paragraph(tokens(td) if first else [], "表格文字")]
                cells.append(_cell(width[0], content, merge="restart" if first else "continue"))
            else:
                jc, valign = cell_alignment(td, columns)
                cells.append(_cell(width[0], paragraphs_split(tokens(td), "表格文字",
                                                              jc=dict(val=jc)), valign))
        tbl.append(_row(cells, whole=not letter and "may-break" not in classes(tr)))
    return tbl


# ---------------------------------------------------------------------------- 版记


def end_matter(footer) -> list[etree._Element]:
    """footer.end-matter as the paragraphs of the last page's footer, whose bottom is the
    bottom of the 版心 (7.4.1).

    Lines above the rules stay plain; the lines inside div.end-rules share one border group,
    0.35 mm above the first and below the last, 0.25 mm between them.
    """
    outer, inner = eighths(style.END_RULE_OUTER_MM), eighths(style.END_RULE_INNER_MM)
    out = []
    for child in footer:
        if not isinstance(child.tag, str):
            continue
        ruled = "end-rules" in classes(child)
        for p in child.findall("p") if ruled else [child]:
            name = next(PARAGRAPH_STYLES[c] for c in sorted(classes(p)) if c in PARAGRAPH_STYLES)
            ppr = {}
            if ruled and "copy-to" in classes(p):
                # 抄送's names hang under the first: its indents would shorten a border of its
                # own, so the first rule is a hairline's above it and the 0.25 mm one is the
                # top of the next line's
                out.append(paragraph([], "版记", spacing=dict(line=20, lineRule="exact"),
                                     pBdr=el("w:pBdr", None, border("bottom", outer)),
                                     rPr=el("w:rPr", None, el("w:sz", dict(val=2)))))
            elif ruled and "copy-to" in classes(p.getprevious() if p.getprevious() is not None
                                                else p):
                ppr["pBdr"] = el("w:pBdr", None, border("top", inner), border("bottom", outer))
            elif ruled:
                ppr["pBdr"] = el("w:pBdr", None, border("top", outer), border("bottom", outer),
                                 border("between", inner))
            out.append(paragraph(tokens(p), name, **ppr))
    return out
