"""The HTML the templates write, parsed by libxml2 (lxml) into the very tree WeasyPrint's own
parser (tinyhtml5, an HTML5 parser in Python) builds, about eight times as fast: 7 ms a
letter, each time a document is laid out again after a cut (notice/pdf.py).

The two parsers build the same tree from well-formed HTML but for three things, done here as
HTML5 does them: white space before <head> is dropped; a table's rows written without
<tbody> get one; white space after </body> goes to the end of the body. Anything else on which
they may differ (a comment, foreign SVG or MathML, raw-text elements, a CR or a control
character, an end tag out of place or left out, a block inside a <p>, text or something
unexpected in a table) makes `tree` give None, and WeasyPrint's parser reads the document.
tests/test_html_tree.py compares both trees for every rendering of 2021 and the fixture
offices."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import lxml.html

# what only tinyhtml5 reads as HTML5 says: the source is left to it
_NOT_FOR_LIBXML2 = re.compile(
    r"<!--|<!\[|<\?|<(?:svg|math|script|style|template|noscript|textarea|xmp|iframe|noembed"
    r"|noframes|plaintext|select|option|frameset|base|form|image|isindex|listing|pre)\b"
    r"|[\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|&(?!(?:amp|lt|gt|quot|#39|#x27|#34);)", re.I)
# the elements the templates write, and where each may stand (None: anywhere but where a
# table's parts must be): any other element, or one elsewhere, is left to tinyhtml5
_PARENTS = {
    "html": (), "head": ("html",), "body": ("html",), "meta": ("head",), "title": ("head",),
    "table": None, "caption": ("table",), "colgroup": ("table",), "col": ("colgroup",),
    "thead": ("table",), "tbody": ("table",), "tfoot": ("table",),
    "tr": ("table", "thead", "tbody", "tfoot"), "td": ("tr",), "th": ("tr",),
    **{tag: None for tag in "section header footer div p h1 h2 h3 h4 h5 h6 hr span sub sup "
       "b i strong em br img".split()},
}
# elements HTML5 ends an open <p> before (libxml2 may keep them in it); a heading also ends
# an open heading
_CLOSE_P = frozenset("section header footer div p h1 h2 h3 h4 h5 h6 hr table".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_VOID = frozenset("area br col embed hr img input link meta param source track wbr".split())
_START, _END = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)"), re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)")
_ROW_GROUPS = frozenset(("thead", "tbody", "tfoot"))
_TABLE_TEXTLESS = _ROW_GROUPS | {"table", "tr", "colgroup"}


def tree(source: str) -> ET.Element | None:
    """The root <html> element tinyhtml5.parse(source, namespace_html_elements=False)
    gives, or None where this cannot be sure to give the same."""
    if not source.startswith("<!DOCTYPE html>") or _NOT_FOR_LIBXML2.search(source):
        return None
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(source, parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return None
    if len(parser.error_log):  # an end tag out of place: each parser mends it its own way
        return None
    if root.tag != "html" or len(root) != 2 or [c.tag for c in root] != ["head", "body"]:
        return None
    if not _as_written(source, root):
        return None
    built = _copy(root)
    if built is None:
        return None
    head, body = built
    built.text = None  # white space before <head>
    if (head.tail or "").strip() or (body.tail or "").strip():
        return None
    end = source.rfind("</html>")
    after = source[end + len("</html>"):] if end >= 0 else ""
    if after.strip():
        return None
    trailing = (body.tail or "") + after  # after </body> and </html>: to the body's end
    body.tail = None
    if trailing and len(body):
        body[-1].tail = (body[-1].tail or "") + trailing
    elif trailing:
        body.text = (body.text or "") + trailing
    return built


def _copy(element, ancestors: tuple[str, ...] = ()) -> ET.Element | None:
    """An ElementTree copy of an lxml element (below `ancestors`, outermost first), tables
    given their implied <tbody>; None at anything _NOT_FOR_LIBXML2 did not catch that HTML5
    may build otherwise."""
    tag = element.tag
    if not isinstance(tag, str) or tag not in _PARENTS:
        return None
    allowed = _PARENTS[tag]
    parent = ancestors[-1] if ancestors else None
    if (allowed is not None and (parent not in allowed if ancestors else allowed)) or (
            allowed is None and parent in _TABLE_TEXTLESS):
        return None  # out of its place: HTML5 moves it, or drops it
    if tag in _CLOSE_P and "p" in ancestors or tag in _HEADINGS and _HEADINGS & set(ancestors):
        return None
    copy = ET.Element(tag, dict(element.attrib))
    copy.text, copy.tail = element.text, element.tail
    children = list(element)
    if tag in _TABLE_TEXTLESS and any(
            (text or "").strip() for text in [element.text] + [c.tail for c in children]):
        return None  # text in a table's structure: HTML5 moves it before the table
    inside, target = ancestors + (tag,), copy
    if tag == "table" and any(child.tag == "tr" for child in children):
        if any(child.tag != "tr" for child in children):  # rows beside other parts
            return None
        # the rows' implied tbody, the text before them staying the table's
        inside, target = inside + ("tbody",), ET.SubElement(copy, "tbody")
    for child in children:
        made = _copy(child, inside)
        if made is None:
            return None
        target.append(made)
    return copy


def _as_written(source: str, root) -> bool:
    """Whether the tree holds exactly the elements the source writes, each closed where it
    is written: no element a parser made up, dropped or closed for the writer (where HTML5
    and libxml2 go their own ways)."""
    started: dict[str, int] = {}
    for name in _START.findall(source):
        name = name.lower()
        started[name] = started.get(name, 0) + 1
    ended: dict[str, int] = {}
    for name in _END.findall(source):
        name = name.lower()
        ended[name] = ended.get(name, 0) + 1
    built: dict[str, int] = {}
    for element in root.iter():
        built[element.tag] = built.get(element.tag, 0) + 1
    return built == started and all(
        ended.get(name, 0) == (0 if name in _VOID else count) for name, count in started.items())
