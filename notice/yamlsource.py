"""Reads a content file as a YAML node tree, keeping line and column for every value."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import Problem


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one silently."""


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> tuple[yaml.Node | None, list[Problem]]:
    """Parse one file into a YAML node tree; every failure becomes a located Problem."""
    name = _display(path)
    if not path.is_file():
        return None, [Problem(name, 0, 0, "", "file is missing")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(name, line, column, "", "the file is not UTF-8 text; save it as UTF-8")
        ]
    problems = [
        Problem(name, number, len(line) - len(line.lstrip(" ")) + 1, "",
                "a tab is used for indentation; indent with spaces")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and line.lstrip(" ").startswith("\t")
    ]
    if problems:
        return None, problems
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        return None, [Problem(name, 0, 0, "", "the file is empty")]
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = f"the YAML cannot be read: {exc.problem}"
        if exc.context:
            what += f" ({exc.context})"
        return None, [Problem(name, mark.line + 1, mark.column + 1, "", what)]
    if node is None:
        return None, [Problem(name, 0, 0, "", "the file is empty")]
    if not isinstance(node, yaml.MappingNode):
        return None, [
            Problem(name, node.start_mark.line + 1, node.start_mark.column + 1, "",
                    "the top level must be a mapping of keys to values")
        ]
    return node, _duplicate_keys(node, name)


def _duplicate_keys(node: yaml.Node, name: str) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(Problem(
                        name, key.start_mark.line + 1, key.start_mark.column + 1, "",
                        f'key "{key.value}" appears twice (first on line {seen[key.value]})',
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
    except (yaml.constructor.ConstructorError, ValueError):
        return node.value
