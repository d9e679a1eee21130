"""Reads a content file as a YAML node tree, keeping line and column for every value."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import limits
from .errors import Problem
from .markup import line_column

MAX_DEPTH = 20  # the checklist, the deepest file, nests 7 levels


class _Refused(Exception):
    """Something YAML allows but content never needs, refused where it was written."""

    def __init__(self, mark, what: str):
        super().__init__(what)
        self.mark, self.what = mark, what


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader for composing, without anchors, aliases or runaway nesting (an alias can
    make a value contain itself, or a few lines stand for millions of values); duplicate keys
    are reported by _duplicate_keys below."""

    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, 'a text cannot start with "*"; put the whole '
                           "text in quotes")
        if getattr(event, "anchor", None) is not None:
            raise _Refused(event.start_mark, 'a text cannot start with "&"; put the whole '
                           "text in quotes")
        if self._depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"the entries are nested more than {MAX_DEPTH} "
                           "levels deep here; check the brackets and the indentation")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# what _StrictLoader refuses (anchors, aliases) or PyYAML reads otherwise than libyaml: a tab
# between a key and its value, line breaks other than CR and LF, a BOM inside the text (its
# column), "?" inside brackets, a tag ("!": an empty one, a comma after one in brackets), a
# comment stuck to a block scalar's ">" or "|", a key without a value inside brackets (where
# its empty value is: more of these are found in the tree, _composed_in_c)
_NOT_FOR_LIBYAML = re.compile("[&*?!\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#|:[ ]*[,}\\]]")


def _composed_in_c(text: str) -> yaml.Node | None:
    """The node tree _StrictLoader composes, made by libyaml (ten times as fast: a checklist
    of 500 indicators took 0.9 s), or None where _StrictLoader must read the text itself:
    something it refuses or reads otherwise may be there (_NOT_FOR_LIBYAML, a character it
    does not allow, deep nesting), libyaml finds a fault (the message is then _StrictLoader's),
    or PyYAML was built without libyaml. The marks are made as PyYAML's own (the text in
    their buffer, read by schema.py), and a plain scalar's style is None, as PyYAML gives
    it."""
    if (not yaml.__with_libyaml__ or not text.endswith("\n")  # (its end: a line further)
            or _NOT_FOR_LIBYAML.search(text) or yaml.reader.Reader.NON_PRINTABLE.search(text)):
        return None
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    buffer = text + "\0"  # (as PyYAML's reader holds a text)

    def mark(found) -> yaml.Mark:
        return yaml.Mark("<unicode string>", found.index, found.line, found.column, buffer,
                         found.index)

    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH - 1:
            return None
        node.start_mark, node.end_mark = mark(node.start_mark), mark(node.end_mark)
        if isinstance(node, yaml.ScalarNode):
            node.style = node.style or None
            continue
        children = [child for pair in node.value for child in pair] if isinstance(
            node, yaml.MappingNode) else node.value
        if node.flow_style and any(isinstance(child, yaml.ScalarNode) and child.value == ""
                                   and not child.style for child in children):
            return None  # an empty value in brackets: libyaml may mark it a line further
        stack += [(child, depth + 1) for child in children]
    return root


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def read_yaml(path: Path) -> tuple[yaml.Node | None, list[Problem]]:
    """Parse one file into a YAML node tree; every failure becomes a located Problem.

    The node is None when the file cannot be read at all; duplicate keys are reported
    alongside a node, so the rest of the file is still checked.
    """
    name = _display(path)
    if path.is_dir():
        return None, [Problem(name, 0, 0, "", "is a folder; it must be a YAML file")]
    if path.exists() and not path.is_file():
        return None, [Problem(name, 0, 0, "", "is not a regular file (a pipe, a socket or a "
                              "device); it must be a YAML file")]
    if not path.is_file():
        return None, [Problem(name, 0, 0, "", "the file is missing")]
    try:
        too_big = limits.file_problem(path.stat().st_size)
        if too_big:
            return None, [Problem(name, 0, 0, "", too_big)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 0, 0, "", f"the file cannot be opened: "
                              f"{exc.strerror or exc}")]
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        # The column counts characters, as an editor shows them, not bytes.
        before = raw[bom:bom + exc.start].decode("utf-8")
        line, column = line_column(before, len(before))
        return None, [Problem(name, line, column, "",
                              "the file is not saved as UTF-8 (perhaps as GBK or ANSI); "
                              "open it and save it again with the encoding UTF-8")]
    # lines as YAML counts them: an old Mac file ends its lines with CR alone
    lines = _LINE_BREAK.split(text)
    problems = [
        Problem(name, number, len(line) - len(line.lstrip(" ")) + 1, "",
                "a tab is used for indentation; indent with spaces")
        for number, line in enumerate(lines, start=1)
        if line.strip() and line.lstrip(" ").startswith("\t")
    ]
    if problems:
        return None, problems
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in lines
    ):
        return None, [Problem(name, 0, 0, "", "the file is empty")]
    try:
        node = _composed_in_c(text) or yaml.compose(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        line, column, what = _explain(exc)
        return None, [Problem(name, line, column, "", what)]
    except _Refused as exc:
        return None, [Problem(name, exc.mark.line + 1, exc.mark.column + 1, "", exc.what)]
    except yaml.reader.ReaderError as exc:
        # A character YAML refuses outright (a control character pasted from elsewhere).
        line, column = line_column(text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        return None, [Problem(name, line, column, "", f"contains the invisible control "
                              f"character U+{ord(char):04X}; delete it")]
    if node is None:
        return None, [Problem(name, 0, 0, "", "the file is empty")]
    if not isinstance(node, yaml.MappingNode):
        return None, [
            Problem(name, node.start_mark.line + 1, node.start_mark.column + 1, "",
                    "the top level must be a mapping of keys to values (lines such as "
                    "title: …), not a list or a single text")
        ]
    return node, _duplicate_keys(node, name)


def _explain(exc: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Line, column and plain words for a YAML syntax error, pointing where the fault is."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    what = f"the YAML cannot be read: {problem}" + (f" ({context})" if context else "")
    if problem.startswith("could not find expected ':'") and exc.context_mark:
        mark = exc.context_mark
        what = ('this line has no ":" after its key (write key: value), or a text goes on '
                "to this line without being indented")
    elif problem == "mapping values are not allowed here":
        what = ('a ":" is not allowed here: if the text itself contains ": ", put the whole '
                "text in quotes; otherwise check the indentation of this line")
    elif (problem.startswith("expected <block end>")
          or problem.startswith("did not find expected key")
          or problem.startswith("did not find expected '-'")):
        what = ("this line is indented differently from the lines around it; line it up "
                "with the entries it belongs to")
    elif problem == "found unexpected end of stream" and "quoted" in context \
            and exc.context_mark:
        mark = exc.context_mark
        what = "this quotation mark is never closed"
    elif problem.startswith(("expected ',' or ']'", "expected ',' or '}'")) and exc.context_mark:
        mark = exc.context_mark
        opening, closing = ("[", "]") if "]" in problem else ("{", "}")
        what = f'this "{opening}" is never closed with "{closing}"'
    elif problem.startswith("found character '\\t'"):
        what = "a tab is used here; use spaces instead"
    elif problem.startswith("found character '"):
        char = problem.split("'")[1]
        what = f'a text cannot start with "{char}"; put the whole text in quotes'
    elif problem.startswith("found undefined alias") or context.startswith(
            "while scanning an alias"):
        mark = exc.context_mark or mark
        what = 'a text cannot start with "*"; put the whole text in quotes'
    elif context.startswith("while scanning an anchor"):
        mark = exc.context_mark or mark
        what = 'a text cannot start with "&"; put the whole text in quotes'
    elif problem == "but found another document":
        what = 'a line "---" splits the file in two; delete it'
    elif problem.startswith("found unknown escape character"):
        what = ('a backslash "\\" inside double quotes must be written "\\\\"; or put the '
                "text in single quotes")
    return mark.line + 1, mark.column + 1, what


def _duplicate_keys(node: yaml.Node, name: str) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(Problem(
                        name, key.start_mark.line + 1, key.start_mark.column + 1, "",
                        f'the key "{key.value}" is written twice here (first on line '
                        f"{seen[key.value]}); keep only one",
                    ))
                else:
                    seen[key.value] = key.start_mark.line + 1
            problems += _duplicate_keys(value, name)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _duplicate_keys(item, name)
    return problems


def scalar_value(node: yaml.ScalarNode):
    """The Python value of a scalar node, resolved as SafeLoader would (int, date, str, …)."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except Exception:  # noqa: BLE001 - a tag PyYAML cannot build (!!timestamp x): keep the text
        return node.value


def child(node, key: str):
    """The value node under a key of a mapping node, or None."""
    if isinstance(node, yaml.MappingNode):
        for k, value in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return value
    return None
