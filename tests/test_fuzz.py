"""Content mutated at random ends in success or in located problems, never in a traceback.

Hypothesis damages a copy of the small fixture year (tests/fixtures/small/2023) the way hand
editing and pasting from Word do — in the YAML text (lines deleted, doubled, re-indented, cut
short; odd characters, escapes, tabs, deep brackets pasted anywhere) and in the data (wrong
types, missing and extra keys, huge strings, control characters, lone surrogates, right-to-left
marks, combining characters, emoji, deep nesting, empty lists) — and runs `validate`. It must
exit 0, or exit 1 with every line of its output a `file:line:column: where: what` problem and
the summary line last. When the content is valid, every stage up to the HTML (load, sheets,
fonts, coverage, templates) must run through, and the HTML holds only the tags of the semantic
vocabulary: content never becomes markup.

The runs are derandomised (the same examples on every run) and marked `fuzz`; CI runs them
with the rest (`python3 -m pytest -m "not fuzz"` leaves them out while iterating).
"""

from __future__ import annotations

import copy
import datetime as dt
import html.parser
import os
import re
import shutil

import pytest
import yaml
from click.testing import CliRunner
from helpers import SMALL
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from notice.cli import main
from notice.content import load_content
from notice.folder import FILES
from notice.fonts import check_coverage, resolve_fonts
from notice.render import render_notice_html, render_sheet_html, sheet_context
from notice.sheets import load_sheet_text, make_sheets

pytestmark = pytest.mark.fuzz

# YAML is slow to read: three indicators (with and without sub-indicators and their own
# targets) and three units stand for a year's content, and the runs start from them.
ORIGINAL = {name: (SMALL / name).read_text(encoding="utf-8") for name in FILES}
TREES = {name: yaml.safe_load(text) for name, text in ORIGINAL.items()}

# examples a test (two tests); FUZZ_EXAMPLES=20000 for a longer hunt
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 1500))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

LOCATED = re.compile(r"^(?P<file>/\S*?/[0-9]{4}/(?P<name>[a-z]+\.yaml))"
                     r"(?::(?P<line>[1-9][0-9]*):(?P<column>[1-9][0-9]*))?: (?P<what>\S.*)$")
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
SUMMARY = re.compile(r"^[1-9][0-9]* problems? in the content; nothing was written\.$")
# the semantic vocabulary of templates/*.html.j2
TAGS = {"html", "head", "meta", "title", "body", "section", "header", "footer", "p", "span",
        "hr", "h1", "h2", "br", "div", "table", "colgroup", "col", "thead", "tbody", "tr",
        "th", "td", "sub", "sup"}

# -- what a clerk's editor can produce -----------------------------------------------------

ODD = [
    "\u202e反向\u202c", "\u200f", "\u061c", "\u2066x\u2069", "e\u0301\u0302\u0303", "\u0301",
    "😀", "👨\u200d👩\u200d👧", "🇨🇳", "\ufeff", "\u00a0", "\u3000", "\x00", "\x07",
    "\x1b[31m", "\u2028", "\u0085", "\t", "\r", "\r\n", "\ud800", "\udfff", "𠀀", "㐀",
    "\ue000", "\uffff", "\U0010ffff", "\ufffd", "ﾊﾝｶｸ", "２０２１", "{{ 7*7 }}",
    "{% for x in y %}{% endfor %}", "{# c #}", "<script>alert(1)</script>", "&amp;", "&", "<",
    "_{", "^{x}", "}", "{unit}", "{x}", "{0}", "{}", "^{0}", "_{unit.__class__}", "{{unit}}",
    "%s", "\\", "'", '"', ": ", "- ", " #", "*a", "&a", "!!python/object/apply:os.system [x]",
    "!!binary aGk=", "? x", "|", ">", "---", "...", "~", "null", "yes", "0x1F", "1e9", "-1",
    "0", "2021-02-30", "2021年2月30日", ".inf", ".nan", "待填", "[", "]", "{", "<<: *a",
    "file:///etc/passwd", "http://example.com/x.png", "</style><style>*{color:red}",
]
odd_text = st.sampled_from(ODD)
any_text = st.text(max_size=20)  # any code point but surrogates
control_text = st.text(st.characters(categories=["Cc", "Cf", "Cs", "Mn", "Zl", "Zp", "Co"]),
                       min_size=1, max_size=5)
huge_text = st.builds(lambda char, n: char * n, st.sampled_from(["字", "a", "𠀀", " ", "\n"]),
                      st.sampled_from([300, 3000, 30_000]))
hostile_text = st.one_of(odd_text, any_text, control_text, huge_text,
                         st.builds(lambda a, b: a + b, odd_text, any_text))


def _nested(depth: int):
    value: object = "底"
    for _ in range(depth):
        value = [value]
    return value


scalar_value = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(),
                         st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), hostile_text)
any_value = st.one_of(
    scalar_value,
    st.just([]), st.just({}),
    st.lists(hostile_text, max_size=3),
    st.dictionaries(hostile_text, scalar_value, max_size=2),
    st.builds(_nested, st.sampled_from([2, 50, 400])),
)


# -- mutations of the YAML text -------------------------------------------------------------

def _mutate_text(data, text: str) -> str:
    lines = text.split("\n")
    i = data.draw(st.integers(0, max(0, len(lines) - 1)), label="line")
    op = data.draw(st.sampled_from([
        "delete", "double", "indent", "dedent", "value", "quoted", "insert", "truncate",
        "tab", "brackets", "crlf", "alias",
    ]), label="text op")
    line = lines[i]
    if op == "delete":
        del lines[i]
    elif op == "double":
        lines.insert(i, line)
    elif op == "indent":
        lines[i] = " " * data.draw(st.integers(1, 7)) + line
    elif op == "dedent":
        lines[i] = line.lstrip(" ")[: data.draw(st.integers(0, 3))] + line.lstrip(" ")
    elif op in ("value", "quoted"):
        key, sep, _ = line.partition(": ")
        value = data.draw(hostile_text, label="value")
        if op == "quoted":
            # a double-quoted YAML string with escapes: \ud800, \x00, \u202e reach the loader
            value = '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
        lines[i] = f"{key}{sep or ': '}{value}" if key.strip() else f"{line}{value}"
    elif op == "insert":
        at = data.draw(st.integers(0, len(line)))
        lines[i] = line[:at] + data.draw(hostile_text, label="inserted") + line[at:]
    elif op == "truncate":
        return text[: data.draw(st.integers(0, len(text)))]
    elif op == "tab":
        lines[i] = line.replace(" ", "\t", data.draw(st.integers(1, 3)))
    elif op == "brackets":
        depth = data.draw(st.sampled_from([3, 100, 400, 3000]))
        opening = data.draw(st.sampled_from(["[", "{", "- "]))
        closing = {"[": "]", "{": "}", "- ": ""}[opening]
        key = line.partition(":")[0] or "x"
        lines[i] = f"{key}: {opening * depth}x{closing * depth}"
    elif op == "crlf":
        return text.replace("\n", "\r\n")
    elif op == "alias":
        key = line.partition(":")[0] or "x"
        lines[i] = data.draw(st.sampled_from([
            f"{key}: &a [*a]", f"{key}: &a {{k: *a}}", f"{key}: *nowhere",
            f"{key}: &a x\n{key}2: *a", "<<: {issuer: x}",
        ]))
    return "\n".join(lines)


# -- mutations of the data ------------------------------------------------------------------

def _paths(value, path=()):
    """Every place in the data: (path to it, its value)."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _paths(item, path + (n,))


def _mutate_data(data, text: str, name: str) -> str:
    tree = copy.deepcopy(TREES[name]) if text is ORIGINAL[name] else yaml.safe_load(text)
    places = list(_paths(tree))
    path, value = data.draw(st.sampled_from(places), label="place")
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    op = data.draw(st.sampled_from(["replace", "replace", "delete", "extra", "empty",
                                    "double", "swap"]), label="data op")
    if op == "replace" and path:
        parent[path[-1]] = data.draw(any_value, label="new value")
    elif op == "delete" and path:
        del parent[path[-1]]
    elif op == "extra" and isinstance(value, dict):
        value[data.draw(hostile_text, label="extra key")] = data.draw(scalar_value)
    elif op == "empty" and isinstance(value, (dict, list)):
        value.clear()
    elif op == "double" and isinstance(value, list) and value:
        value.append(copy.deepcopy(value[0]))
    elif op == "swap" and path:
        parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(places), label="other")[1])
    elif path:
        parent[path[-1]] = data.draw(hostile_text, label="fallback value")
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=1000)


# -- the run ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / SMALL.name
    shutil.copytree(SMALL, folder)
    load_content(folder)  # the starting point is valid
    return folder


def _run(folder, mutated: dict[str, str]) -> None:
    """Write the mutated files, validate, check the outcome; put the originals back."""
    try:
        for name, text in mutated.items():
            (folder / name).write_bytes(text.encode("utf-8", errors="surrogatepass"))
        result = CliRunner().invoke(main, ["validate", "--content", str(folder)])
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit | None), repr(result.exception)
        assert result.exit_code in (0, 1), (result.exit_code, result.output)
        event(f"exit {result.exit_code}")
        if result.exit_code == 0:
            _check_pipeline(folder)
        else:
            _check_problems(result.stderr, mutated)
            assert result.stdout == ""
    finally:
        for name in mutated:
            (folder / name).write_text(ORIGINAL[name], encoding="utf-8")


def _check_problems(stderr: str, mutated: dict[str, str]) -> None:
    lines = stderr.split("\n")
    assert lines[-1] == "", "the output ends with a line break"
    *problems, summary = lines[:-1]
    assert SUMMARY.match(summary), summary
    assert int(summary.split()[0]) == len(problems), stderr
    for line in problems:
        match = LOCATED.match(line)
        assert match, f"not file:line:column: where: what — {line!r}"
        assert "None" not in match["what"] and "Traceback" not in match["what"], line
        if match["line"] and match["name"] in mutated:
            # a line that exists (or the end of the file); YAML breaks lines as editors do,
            # at \r\n, \r, \n and the Unicode line breaks
            breaks = len(LINE_BREAK.findall(mutated[match["name"]]))
            assert int(match["line"]) <= breaks + 2, line


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


def _check_pipeline(folder) -> None:
    """Valid content passes every stage before layout, and stays text in the HTML."""
    content = load_content(folder)
    text, spots = load_sheet_text(folder)
    sheets = make_sheets(content, text)
    fonts = resolve_fonts()
    check_coverage(fonts, content.spots + spots)
    html, css = render_notice_html(content, fonts)
    context = sheet_context(content, fonts)
    pages = [html] + [render_sheet_html(context, sheet) for sheet in sheets[:3]]
    for page in pages:
        parser = _Tags()
        parser.feed(page)
        assert parser.tags <= TAGS, parser.tags - TAGS


files = st.sampled_from(FILES)


@FUZZ
@given(data=st.data())
def test_mutated_yaml_text(scratch, data):
    """One to three edits of the text of one or two files."""
    mutated: dict[str, str] = {}
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        name = data.draw(files, label="file")
        mutated[name] = _mutate_text(data, mutated.get(name, ORIGINAL[name]))
    _run(scratch, mutated)


@FUZZ
@given(data=st.data())
def test_mutated_data(scratch, data):
    """One to three changes to the data of one or two files, dumped back as YAML."""
    mutated: dict[str, str] = {}
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        name = data.draw(files, label="file")
        mutated[name] = _mutate_data(data, mutated.get(name, ORIGINAL[name]), name)
    _run(scratch, mutated)
