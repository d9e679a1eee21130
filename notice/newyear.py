"""Starts next year's content from the latest year's, its dates and deadlines left to fill."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .content import latest_folder
from .errors import EXIT_CONTENT, ContentError, NoticeError, Problem
from .folder import FILES, assets
from .markup import line_column
from .model import DocNumber
from .schema import TO_FILL
from .yamlsource import _display, read_yaml

DATE_KEYS = ("date", "printed_on")  # notice.yaml: 成文日期, 印发日期


class YearRefused(NoticeError):
    """The new year cannot be started: it exists, or it is not after the latest year."""

    exit_code = EXIT_CONTENT


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


@dataclass
class NewYear:
    """What new-year did: the folder it made and the places a clerk must look at."""

    folder: Path
    source: Path
    doc_number: str = ""
    dates: int = 0  # marked 待填
    deadlines: int = 0  # marked 待填
    moved: int = 0  # mentions of the old year (「<old>年」) moved to the new one
    moved_at: list[Problem] = field(default_factory=list)  # where each was
    check: list[Problem] = field(default_factory=list)  # texts still naming the old year


def start_year(year: int, root: Path = Path("content")) -> NewYear:
    """Create root/<year> from the latest year's folder, atomically; never overwrite."""
    root = Path(root)
    target = root / str(year)
    if target.exists():
        raise YearRefused(f"{_display(target)} already exists; new-year never overwrites a "
                          "year (rename or delete that folder first to start it again)")
    source = latest_folder(root)
    old = int(source.name)
    if year <= old:
        raise YearRefused(f"{year} is not after the latest year, {old} ({_display(source)})")
    result = NewYear(target, source)
    work = Path(tempfile.mkdtemp(prefix=f".new-year-{year}-", dir=root))
    try:
        # the folder's own files (notes of the clerk's too) and its assets, as they are
        names = {p.name for p in source.iterdir() if p.is_file()} | set(assets(source))
        for name in sorted(names):
            data = (source / name).read_bytes()
            if name in FILES:
                data = _move_on(source / name, data, old, year, result)
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_bytes(data)
        os.chmod(work, 0o755)  # mkdtemp makes it private
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    result.check, result.moved_at = (
        [Problem(_display(target / p.file), p.line, p.column, p.where, p.what) for p in found]
        for found in (result.check, result.moved_at))
    return result


def _move_on(path: Path, data: bytes, old: int, new: int, result: NewYear) -> bytes:
    """One content file with its year moved on, as text edits: comments stay as they are."""
    node, problems = read_yaml(path)
    if node is None:
        raise ContentError(problems)
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    text = data[len(bom):].decode("utf-8")
    # a year of the programme is the old year written as a year (「2021年」, 「2021年度」,
    # 「2021年3月」); a number such as HJ/T 338-2021 or 2021-02-23 is left for the clerk
    phrase = re.compile(rf"(?<![0-9]){old}(?=年)")
    edits: list[Edit] = []
    for where, key, value in _scalars(node):
        if path.name == "notice.yaml" and where == "doc_number: year":
            edits.append(_replace(value, str(new)))
        elif path.name == "notice.yaml" and where in DATE_KEYS:
            edits.append(_replace(value, TO_FILL))
            result.dates += 1
        elif path.name == "checklist.yaml" and key == "deadline":
            edits.append(_replace(value, TO_FILL))
            result.deadlines += 1
        else:
            start = value.start_mark.index
            found = list(phrase.finditer(text, start, value.end_mark.index))
            result.moved += len(found)
            for m in found:
                edits.append(Edit(m.start(), m.end(), str(new)))
                line, column = line_column(text, m.start())
                line_start = text.rfind("\n", 0, m.start()) + 1
                line_end = text.find("\n", m.end()) % (len(text) + 1)
                quote = text[max(start, line_start, m.start() - 6):min(line_end, m.end() + 6)]
                quote = quote.strip().lstrip("- ")
                result.moved_at.append(Problem(path.name, line, column, where,
                                               f"「{quote}」 now says {new}"))
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    # what still names the old year, located in the new text
    for where, _key, value in _scalars(yaml.compose(text)):
        mention = _mention(path.name, text, value, old, where)
        if mention:
            result.check.append(mention)
    if path.name == "notice.yaml":
        result.doc_number = _doc_number(text)
    return bom + text.encode("utf-8")


def _replace(node: yaml.ScalarNode, text: str) -> Edit:
    """Replace a whole value (quotes included; a block scalar keeps its line break)."""
    start, end = node.start_mark.index, node.end_mark.index
    buffer = node.end_mark.buffer or ""
    while end > start and buffer[end - 1] == "\n":
        end -= 1
    return Edit(start, end, text)


def _mention(file: str, text: str, node: yaml.ScalarNode, old: int,
             where: str) -> Problem | None:
    """Where a value still names the old year, with a short quote; None when it does not."""
    start, end = node.start_mark.index, node.end_mark.index
    match = re.search(rf"(?<![0-9]){old}(?![0-9])", text[start:end])
    if not match:
        return None
    index = start + match.start()
    line, column = line_column(text, index)
    value = node.value  # the text as read, without indentation and line breaks
    at = re.search(rf"(?<![0-9]){old}(?![0-9])", value).start()
    quote = ("…" if at > 6 else "") + value[max(0, at - 6):at + 12] \
        + ("…" if at + 12 < len(value) else "")
    return Problem(file, line, column, where, f"still names {old} (「{quote}」); "
                   "check whether it should name the new year")


def _doc_number(text: str) -> str:
    number = yaml.safe_load(text).get("doc_number") or {}
    return str(DocNumber(number.get("prefix"), number.get("year"), number.get("number")))


def _scalars(node, where: str = "", key: str = ""):
    """(where, key, node) of every scalar value: where as `points 3: body`, `indicator 11:
    deadline`."""
    if isinstance(node, yaml.ScalarNode):
        yield where, key, node
    elif isinstance(node, yaml.MappingNode):
        for k, value in node.value:
            name = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
            yield from _scalars(value, f"{where}: {name}" if where else name, name)
    elif isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value, start=1):
            number = _number(item)
            label = f"indicator {number}" if number else f"{where} {n}"
            yield from _scalars(item, label, key)


def _number(node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for k, value in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == "number" \
                    and isinstance(value, yaml.ScalarNode):
                return value.value
    return None
