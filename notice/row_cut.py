"""Cutting a table row where a page ends: the part the page showed, and the part that goes on
with the indicator's 序号 and 指标名称 shown again (「（续）」). notice/pdf.py lays the document out
and calls these where a row of a `split-rows` table breaks across pages."""

from __future__ import annotations

from copy import deepcopy

import lxml.html

SPLIT_ROWS = "split-rows"  # the class of a table whose rows split with their heads repeated
CONTINUED = "（续）"  # after the repeated name of an indicator whose row goes on


def split_rows(html: str, document) -> str | None:
    """The HTML with each table row that the layout split across pages made two rows at the
    break: the first holds what the first page showed, the second the rest, with the
    indicator's 序号 and 指标名称 shown again. None when no row was split."""
    fragments: dict[int, list] = {}  # a row element → its boxes, page by page, in order
    for page in document.pages:
        for box in descendants(page._page_box):
            if (box.element_tag == "tr" and box.element is not None
                    and box.element.get("data-number")):
                fragments.setdefault(id(box.element), []).append(box)
    boxes = list(fragments.values())  # rows in document order (each is laid out somewhere)
    if not any(len(found) > 1 for found in boxes):
        return None
    tree = lxml.html.document_fromstring(html)
    rows = [tr for tr in tree.iter("tr") if tr.get("data-number")]
    if len(rows) != len(boxes):  # not the same rows: leave the layout as it is
        return None
    splittable = set(tree.xpath(f'//table[contains(@class, "{SPLIT_ROWS}")]/tbody/tr'))
    # the first split row only: what follows it moves once it is cut, so the next break is
    # found in the next pass
    bottoms = {id(box): _content_bottom(page) for page in document.pages
               for box in descendants(page._page_box) if box.element_tag == "tr"}
    for tr, found in zip(rows, boxes, strict=True):
        if len(found) >= 2 and tr in splittable:
            return split_row(tree, tr, found[0], bottoms[id(found[0])])
    return None


def split_row(tree, tr, fragment, bottom: float) -> str:
    """The HTML with the row `tr` cut where its `fragment` (its part on the first page, whose
    版心 ends at `bottom`) ends, or marked to move on whole when the first page shows too
    little of it."""
    shown = [_shown_text(cell, bottom) for cell in fragment.children]
    if not _worth_splitting(tr.findall("td"), shown):  # little shown: the row moves on
        tr.set("data-part", "whole")
    else:
        head = deepcopy(tr)
        head.set("data-part", "head")
        tr.set("data-part", "rest")
        for head_cell, rest_cell, text in zip(head.findall("td"), tr.findall("td"), shown,
                                              strict=True):
            _cut(head_cell, rest_cell, text)
        _keep_groups_open(head, tr)
        tr.addprevious(head)
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _worth_splitting(cells, shown: list[str]) -> bool:
    """Whether the first page shows the indicator's name whole (with its own target) and some
    of the row's longest text."""
    cut = [(cell, text) for cell, text in zip(cells, shown, strict=True) if _is_cut(cell)]
    for cell, text in zip(cells, shown, strict=True):
        marks = class_set(cell)
        full = cell.text_content()
        if "measure-cell" in marks:  # at least the indicator's own pair
            if _letters(text) < _letters(cell.find(".//tr").text_content()):
                return False
        elif "col-name" in marks and _prefix_length(full, text) < len(full.rstrip()):
            return False
        elif (cell.get("data-group") and "cont" not in marks
              and _prefix_length(full, text) < len(full.rstrip())):
            return False  # the group it opens would start without its whole label
    if not cut:
        return False
    longest, text = max(cut, key=lambda pair: len(pair[0].text_content().strip()))
    return bool(text.strip()) or not longest.text_content().strip()


def _letters(text: str) -> int:
    """The characters of a text, white space aside."""
    return len("".join(text.split()))


def class_set(element) -> set[str]:
    return set((element.get("class") or "").split())


def _is_cut(cell) -> bool:
    """A cell whose text is cut where the page ends (not repeated, not a group label)."""
    return not class_set(cell) & set(_REPEATED) and not cell.get("data-group")


def _shown_text(cell, bottom: float) -> str:
    """The text a cell's fragment shows, less its last lines where they would not leave room
    above the page's bottom for the cell's bottom padding and rule (the fragment has none,
    the row cut from it will)."""
    boxes = [line for line in descendants(cell) if type(line).__name__ == "LineBox"]
    room = bottom - cell.style["padding_bottom"].value - cell.style["border_bottom_width"]
    while boxes and boxes[-1].position_y + boxes[-1].height > room + 0.01:
        boxes.pop()
    return "".join("".join(box.text for box in descendants(line) if isinstance(
        getattr(box, "text", None), str)) for line in boxes)


def _content_bottom(page) -> float:
    """Where a page's 版心 ends (CSS px from the page's top)."""
    box = page._page_box
    return box.content_box_y() + box.height


_REPEATED = ("col-number", "col-name", "measure-cell")  # shown again where a row goes on


def _cut(head, rest, shown: str) -> None:
    """Keep in `head` what the first page showed of a cell, and the rest in `rest`."""
    marks = class_set(head)
    if head.get("data-group"):  # the label goes on with its group (shown where a page starts)
        return
    if marks & set(_REPEATED):
        if "measure-cell" in marks:
            # the head keeps the name/target pairs the page showed; the rest the others,
            # after the indicator's own name, continued
            kept = _letters(shown)
            head_pairs, rest_pairs = list(head.iter("tr")), list(rest.iter("tr"))
            covered = 0
            for n, (head_pair, rest_pair) in enumerate(zip(head_pairs, rest_pairs,
                                                           strict=True)):
                covered += _letters(head_pair.text_content())
                if n == 0:
                    continue
                if covered <= kept:
                    rest_pair.getparent().remove(rest_pair)
                else:
                    head_pair.getparent().remove(head_pair)
            for part in (head, rest):
                _fit_spans(part)
            names = [td for td in rest.iter("td")
                     if "measure-name" in (td.get("class") or "").split()]
            _append(names[0] if names else rest, CONTINUED)
            # the indicator's own target again only where it stands for sub-indicators
            # that go on beside it
            own = rest.find(".//tr").findall("td")
            if len(own) > 1 and not own[1].get("rowspan"):
                _keep_range(own[1], 0, 0)
        elif "col-name" in marks:
            _append(rest, CONTINUED)
        return
    kept = _prefix_length(rest.text_content(), shown)
    _keep_range(head, 0, kept)
    _keep_range(rest, kept, len(rest.text_content()))


def _keep_groups_open(head, rest) -> None:
    """The group cells of a row cut in two: no rule between the parts, the label once."""
    for head_cell, rest_cell in zip(head.findall("td"), rest.findall("td"), strict=True):
        if head_cell.get("data-group"):
            head_cell.set("class", " ".join(sorted(class_set(head_cell) | {"open"})))
            rest_cell.set("class", " ".join(sorted(class_set(rest_cell) | {"cont"})))


def _fit_spans(measure) -> None:
    """A target's rowspan over the pairs left under it without a target of their own."""
    rows = list(measure.iter("tr"))
    for n, tr in enumerate(rows):
        cells = tr.findall("td")
        if len(cells) < 2 or not cells[1].get("rowspan"):
            continue
        span = 1
        while n + span < len(rows) and len(rows[n + span].findall("td")) < 2:
            span += 1
        if span > 1:
            cells[1].set("rowspan", str(span))
        else:
            del cells[1].attrib["rowspan"]


def _keep_range(element, start: int, end: int) -> None:
    """Keep of an element's content only its characters start…end (as text_content counts
    them), its markup (spans, sub/superscripts, line breaks inside the range) kept."""
    at = 0

    def clip(text: str | None) -> str:
        nonlocal at
        text = text or ""
        first = at
        at += len(text)
        return text[max(start - first, 0):max(min(end, at) - first, 0)]

    def walk(node) -> None:
        node.text = clip(node.text)
        for child in list(node):
            if not isinstance(child.tag, str):
                continue
            inside = start < at < end
            walk(child)
            child.tail = clip(child.tail)
            if not child.text_content() and not (child.tag == "br" and inside):
                _drop(child)

    walk(element)


def _drop(child) -> None:
    """Remove an element, keeping its tail."""
    parent, previous = child.getparent(), child.getprevious()
    if child.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


def _append(element, text: str) -> None:
    """Add text at the end of an element's content."""
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _prefix_length(full: str, shown: str) -> int:
    """How many characters of `full` the laid-out `shown` covers (white space aside)."""
    want = "".join(shown.split())
    got = 0
    for n, ch in enumerate(full):
        if got >= len(want):
            return n
        if not ch.isspace():
            got += 1
    return len(full)


def descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)
