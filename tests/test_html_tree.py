"""Every rendering is parsed by lxml into the tree WeasyPrint's own parser (tinyhtml5) builds
(notice/html_tree.py), or left to that parser where the two could differ."""

from __future__ import annotations

import pytest
import tinyhtml5
from helpers import CONTENT_2021, REPO

import notice.build
from notice import html_tree

FIXTURES = REPO / "tests" / "fixtures"


def _tree(element, out: list) -> list:
    out.append((element.tag, sorted(element.attrib.items()), element.text, element.tail))
    for child in element:
        _tree(child, out)
    return out


def _weasyprints(source: str) -> list:
    return _tree(tinyhtml5.parse(source, namespace_html_elements=False), [])


@pytest.mark.parametrize("folder, units", [
    (CONTENT_2021, None),  # the notice and every letter: each rendering after each cut
    (FIXTURES / "small" / "2023", None),
    (FIXTURES / "plan" / "2024", None),
    (FIXTURES / "grid" / "2025", None),
    (FIXTURES / "ledger" / "2026", None),
    (FIXTURES / "sheet" / "2024", None),
])
def test_every_rendering_is_the_tree_weasyprints_parser_builds(folder, units, tmp_path,
                                                               monkeypatch):
    seen: list[tuple[str, object]] = []
    parse = html_tree.tree

    def spy(source):
        seen.append((source, parse(source)))
        return seen[-1][1]

    monkeypatch.setattr(html_tree, "tree", spy)
    notice.build.build(folder, tmp_path, units=units, jobs=1, use_cache=False)
    assert seen
    for source, root in seen:
        assert root is not None, "a rendering was left to WeasyPrint's parser"
        assert _tree(root, []) == _weasyprints(source)


DOCUMENT = ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<title>t</title>\n</head>\n"
            "<body>\n{}\n</body>\n</html>\n")


@pytest.mark.parametrize("body", [
    "<table>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n</table>",
    "<table><colgroup><col></colgroup>\n<tbody>\n<tr><td>1</td></tr>\n</tbody></table>",
    "<p>甲<br>乙<sub>2</sub>&amp;&lt;&#34;&#39;</p>",
    "<section><p>a</p>\n\n</section>",
    "",
])
def test_what_the_templates_write_is_parsed_as_html5_does(body):
    source = DOCUMENT.format(body)
    root = html_tree.tree(source)
    assert root is not None
    assert _tree(root, []) == _weasyprints(source)


@pytest.mark.parametrize("body", [
    "<p>a<div>b</div></p>",  # a block closes the p in HTML5
    "<p>a<table><tr><td>1</td></tr></table></p>",
    "<b><i>x</b></i>",
    "<ul><li>a<li>b</ul>",  # an element closed for the writer
    "<table><tr><td>1</td></tr><tbody><tr><td>2</td></tr></tbody></table>",
    "<!-- a comment -->",
    "<svg><rect/></svg>",
    "<p>a\r\nb</p>",
    "<p>&nbsp;</p>",
    "<table><tr><td>1</td></tr>x</table>",  # text in a table moves before it in HTML5
    "<p>a<span><div>b</div></span></p>",  # the div still ends the p
    "<h1>a<h2>b</h2></h1>",  # a heading ends the one open
    "<table><tr><sub>x</sub><td>1</td></tr></table>",  # moved before the table
    "<table><colgroup><span>x</span><col></colgroup><tbody></tbody></table>",
    "<td>x</td>",  # a table's part outside a table: dropped
    "<p>a<wbr>b</p>",  # an element the templates do not write (libxml2 fills a wbr)
    "<button><button>a</button></button>",
])
def test_where_the_parsers_may_differ_weasyprints_parses(body):
    assert html_tree.tree(DOCUMENT.format(body)) is None
