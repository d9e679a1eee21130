"""Content files are composed by libyaml where it reads them as PyYAML does: the same nodes,
values, styles and marks (line, column, the text they point into), or PyYAML reads them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from helpers import CONTENT_2021

from notice.yamlsource import _composed_in_c, _StrictLoader, read_yaml

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(CONTENT_2021.glob("*.yaml")) + sorted(FIXTURES.glob("*/*/*.yaml"))


def _tree(node, out: list) -> list:
    """Everything of a node tree a reader of the content looks at, in order."""
    def mark(m):
        return m.index, m.line, m.column, m.pointer, m.buffer, m.name

    out.append((type(node).__name__, node.tag, mark(node.start_mark), mark(node.end_mark),
                getattr(node, "style", None),
                node.value if isinstance(node, yaml.ScalarNode) else None))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _tree(key, out)
            _tree(value, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _tree(item, out)
    return out


def _by_pyyaml(text: str):
    try:
        return _tree(yaml.compose(text, Loader=_StrictLoader), [])
    except Exception:  # noqa: BLE001 - any refusal: libyaml must not read it either
        return "refused"


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml reads it all")
@pytest.mark.parametrize("path", FILES, ids=lambda p: "/".join(p.parts[-3:]))
def test_every_content_file_is_composed_by_libyaml_as_pyyaml_does(path):
    text = path.read_text(encoding="utf-8")
    fast = _composed_in_c(text)
    assert fast is not None, "libyaml was not used for an ordinary content file"
    assert _tree(fast, []) == _by_pyyaml(text)
    for variant in (text.replace("\n", "\r\n"), text + "\n\n# a last comment\n"):
        assert _tree(_composed_in_c(variant), []) == _by_pyyaml(variant)


# what a clerk's slips insert into a file: YAML's marks, spaces and line breaks, quotes, a
# CR, a BOM, full-width punctuation, values YAML reads as numbers, dates or booleans
_SLIPS = list(":- \n\n\n\"'#[]{}|>!%@`,?\\.0\r\t&*") + [
    "  ", "\n  ", ": ", "- ", "\r\n", "~", "null", "yes", "0x1", "1e3", "2021-01-01", "「",
    "：", "\ufeff", "\u2028", ": !", "!,", "!A,", ":\n", ": # c\n", ", ,"]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml reads it all")
def test_a_text_libyaml_composes_is_one_pyyaml_composes_the_same():
    """Thousands of damaged copies of the content files: wherever libyaml is used, its tree
    is PyYAML's, and it is never used where PyYAML refuses the text."""
    rng = random.Random(9704)
    texts = [path.read_text(encoding="utf-8") for path in FILES
             if path.stat().st_size < 8000]  # (small files: many slips a second)
    used = 0
    for _ in range(3000):
        text = rng.choice(texts)
        for _slip in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            roll = rng.random()
            if roll < 0.4:
                text = text[:at] + rng.choice(_SLIPS) + text[at:]
            elif roll < 0.8:
                text = text[:at] + text[at + rng.randint(1, 3):]
            else:
                text = text[:at] + rng.choice(_SLIPS) + text[at + 1:]
        fast = _composed_in_c(text)
        if fast is not None:
            used += 1
            assert _tree(fast, []) == _by_pyyaml(text), repr(text)
    assert used > 1000  # (libyaml read about half of them)


@pytest.mark.parametrize("written, problem", [
    ("title: 甲\nkind:\t乙\n", (2, 6, "a tab is used here; use spaces instead")),
    ("title: &a 甲\n", (1, 8, 'a text cannot start with "&"; put the whole text in quotes')),
    ("title: [甲, 乙?]\n", (1, 8, 'this "[" is never closed with "]"')),
])
def test_what_libyaml_would_read_otherwise_is_refused_as_pyyaml_refuses_it(tmp_path, written,
                                                                           problem):
    """libyaml reads each of these (a tab as a separator, an anchor, a "?" in a list)."""
    path = tmp_path / "notice.yaml"
    path.write_text(written, encoding="utf-8")
    assert yaml.compose(written, Loader=yaml.CSafeLoader) is not None
    node, problems = read_yaml(path)
    assert node is None
    assert [(p.line, p.column, p.what) for p in problems] == [problem]


@pytest.mark.parametrize("written", [
    "units: {head:   # 待定\n    }\n",  # an empty value, the bracket closed a line further
    "units: {a: b,\n  c:\n  }\n",
    "units: [!, 县水务局]\n",  # an empty tag: a text to libyaml, nothing to PyYAML
    "units: [!A,县水务局]\n",  # a comma after a tag: PyYAML refuses it
    "units: !\n",
])
def test_what_libyaml_marks_or_reads_otherwise_is_left_to_pyyaml(written):
    assert _composed_in_c(written) is None
