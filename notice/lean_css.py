"""The browser's default stylesheets, less the selectors that cannot match a given document.

WeasyPrint styles every element against its user-agent stylesheet (html5_ua.css) and its
presentational hints (html5_ph.css) as well as ours. About sixty of their selectors, such as
`:is(thead, tbody, tfoot, tr, td, th)[valign=top i]`, are tested on every element, because
their subject has no single tag, and `::marker` or `::note-call` make a style for every
element. Our HTML never carries `valign`, `dir`, `hidden` or the like, nor lists or notes.
Styling a letter of 187 elements took 13.5 ms; with the lean sheets about 8 ms.

`lean(text, tags, attributes, used)` is the stylesheet without each selector that needs, for
an element it names (the one it styles or one around it), a tag or an attribute that no
element of the document has, or whose pseudo-element nothing in the document would ask for
(USES). A selector like that styles nothing in the document, so its styles are unchanged.
Where a selector's shape is not understood, it is kept."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import tinycss2
from cssselect2.parser import (
    AttributeSelector,
    CombinedSelector,
    CompoundSelector,
    LocalNameSelector,
    MatchesAnySelector,
    PseudoClassSelector,
    SelectorError,
    parse,
)

# the pseudo-elements WeasyPrint styles only for an element that something declares a list
# item, a footnote or a note (`display: list-item`, `float: footnote`, `position: note(…)`)
USES = {"marker": "list-item", "footnote-call": "footnote", "footnote-marker": "footnote",
        "note-call": "note(", "note-marker": "note(", "note-callback": "note("}


def uses(*texts: str) -> frozenset[str]:
    """Which of USES' words the stylesheets and HTML `texts` hold (what a document may use)."""
    found = " ".join(texts).lower()
    return frozenset(word for word in USES.values() if word in found)


def lean(text: str, tags: frozenset[str], attributes: frozenset[str],
         used: frozenset[str] = frozenset(USES.values())) -> str:
    """`text` (a stylesheet) without the selectors that cannot match a document whose elements
    have only these `tags` and `attributes` (lower case), nor style a pseudo-element it does
    not `use`; a rule left with no selector goes. The rest is kept in its order (the cascade
    breaks ties by it)."""
    out = []
    for selectors, content in _rules(text):
        if selectors is None:  # (an at-rule)
            out.append(content)
            continue
        kept = [selector for selector in selectors
                if _may_match(selector, tags, attributes, used)]
        if kept:
            out.append(f"{', '.join(kept)} {content}")
    return "\n".join(out)


@functools.cache
def _rules(text: str) -> tuple[tuple[tuple[str, ...] | None, str], ...]:
    """A stylesheet's rules, parsed once a process: (its selectors, "{its declarations}"), or
    (None, the whole rule) for an at-rule."""
    return tuple(
        (tuple(_selectors(rule.prelude)), f"{{{tinycss2.serialize(rule.content)}}}")
        if rule.type == "qualified-rule" else (None, rule.serialize())
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


IMPLIED = frozenset({"html", "head", "body", "tbody", "tr", "colgroup"})  # an HTML parser adds
# these where the source leaves them out


@dataclass(frozen=True)
class Names:
    """The tags and attributes (lower case) of a document's elements, and which of USES' words
    its source holds."""

    tags: frozenset[str]
    attributes: frozenset[str]
    used: frozenset[str]

    def within(self, other: Names) -> bool:
        return (self.tags <= other.tags and self.attributes <= other.attributes
                and self.used <= other.used)

    def relevant(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        """Those of its tags and attributes some selector of `text` needs: documents alike
        in these get the same lean stylesheet (`lean` gives it for them)."""
        needed_tags, needed_attributes = _mentioned(text)
        return self.tags & needed_tags, self.attributes & needed_attributes


def names(elements, source: str, more_tags: frozenset[str] = frozenset()) -> Names:
    """The Names of a document: its `elements` (ElementTree's or lxml's) and `source`."""
    tags, attributes = set(more_tags), set()
    for element in elements:
        if isinstance(element.tag, str):  # (comments' are not)
            tags.add(_local(element.tag))  # an svg's is "{http://www.w3.org/2000/svg}svg"
            attributes.update(_local(name) for name in element.attrib)
    return Names(frozenset(tags), frozenset(attributes), uses(source))


def _local(name: str) -> str:
    """A tag or attribute name without its namespace, in lower case: as a selector names it."""
    return name.rpartition("}")[2].lower()


@functools.cache
def _mentioned(text: str) -> tuple[frozenset[str], frozenset[str]]:
    tags, attributes = set(), set()
    for selectors, _content in _rules(text):
        for selector in selectors or ():
            for one_of, needed in _needs(selector)[0]:
                tags |= one_of or set()
                attributes |= needed
    return frozenset(tags), frozenset(attributes)


def _selectors(prelude) -> list[str]:
    """A rule's selector list, one string a selector (split at its top-level commas)."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    return [tinycss2.serialize(part).strip() for part in parts]


def _may_match(selector: str, tags: frozenset[str], attributes: frozenset[str],
               used: frozenset[str]) -> bool:
    compounds, use = _needs(selector)
    if use is not None and use not in used:
        return False
    return all(not needed - attributes and (one_of is None or one_of & tags)
               for one_of, needed in compounds)


_ANYTHING = ((), None)


@functools.cache
def _needs(selector: str) -> tuple[tuple, str | None]:
    """What a document must hold for `selector` to style something in it: for each element
    the selector names (the one styled and those around it), one of some tags (None: any)
    and all of some attributes; and the word of USES its pseudo-element needs, if any.
    Nothing, where the selector is not understood."""
    try:
        parsed = list(parse(selector))
    except SelectorError:
        return _ANYTHING
    if len(parsed) != 1:
        return _ANYTHING
    compounds, tree = [], parsed[0].parsed_tree
    while isinstance(tree, CombinedSelector):
        compounds.append(_compound_needs(tree.right))
        tree = tree.left
    compounds.append(_compound_needs(tree))
    pseudo = parsed[0].pseudo_element
    return tuple(compounds), (USES.get(pseudo) if pseudo else None)


def _compound_needs(tree) -> tuple[frozenset[str] | None, frozenset[str]]:
    """One element's part of a selector: (one of these tags or None, all these attributes)."""
    if not isinstance(tree, CompoundSelector):
        return None, frozenset()
    tags, attributes = None, set()
    for simple in tree.simple_selectors:
        one_of, needed = None, frozenset()
        if isinstance(simple, LocalNameSelector):
            one_of = frozenset({simple.lower_local_name})
        elif isinstance(simple, AttributeSelector) and simple.namespace in (None, ""):
            needed = frozenset({simple.lower_name})
        elif isinstance(simple, PseudoClassSelector) and simple.name in _LINKS:
            one_of, needed = _LINKS[simple.name]
        elif isinstance(simple, MatchesAnySelector) and all(
                argument.pseudo_element is None for argument in simple.selector_list):
            # :is(a, b): one of them, so what each of them needs in common
            each = [_compound_needs(argument.parsed_tree) for argument in simple.selector_list]
            if each:
                names = [one for one, _ in each]
                one_of = None if None in names else frozenset().union(*names)
                needed = frozenset.intersection(*(need for _, need in each))
        attributes |= needed
        if one_of is not None:
            tags = one_of if tags is None else tags & one_of
    return tags, frozenset(attributes)


# links (an a, area or link with an href), visited or not
_LINKS = {name: (frozenset({"a", "area", "link"}), frozenset({"href"}))
          for name in ("link", "visited", "any-link", "local-link")}
