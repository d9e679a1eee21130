"""checklist export / import: the year's checklist out to a workbook, and back into
checklist.yaml only when the whole sheet is right and the content it makes loads."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .checklist_sheet import CellProblem, SheetRows, open_workbook, read_sheet
from .checklist_xlsx import export_workbook, rows_of, sheet_fields
from .checklist_yaml import ChecklistText
from .content import load_content
from .errors import EXIT_CONTENT, ContentError, NoticeError, Problem
from .folder import NOTICE_FILES
from .output import write_atomically
from .yamlsource import _display, child

# fields an indicator must give when the sheet shows them (the name always)
_REQUIRED = ("name", "kind", "main_tasks", "deadline")
_PLACEHOLDER = "?"  # stands in for a value already reported, so the rest is still checked


class ExportRefused(NoticeError):
    """The workbook exists: export never overwrites what a clerk may have edited."""

    exit_code = EXIT_CONTENT


@dataclass
class Imported:
    path: Path
    written: bool
    added: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    title: bool = False  # the title changed
    notes: list[str] = field(default_factory=list)


def export_checklist(folder: Path, target: Path, force: bool = False) -> int:
    """Write the workbook; the number of indicators in it."""
    content = load_content(folder)
    if content.checklist is None:
        raise ContentError([_missing(folder)])
    if target.exists() and not force:
        raise ExportRefused(f"{_display(target)} already exists; export does not overwrite a "
                            "workbook that may hold a clerk's edits (name another file, or "
                            "give --force)")
    write_atomically(target, export_workbook(content))
    return len(content.checklist.indicators)


def import_checklist(book_path: Path, folder: Path) -> Imported:
    """Read the workbook and rewrite checklist.yaml, or refuse with every problem at once."""
    content = load_content(folder)
    if content.checklist is None:
        raise ContentError([_missing(folder)])
    shown = _display(book_path)
    if not book_path.is_file():
        raise ContentError([Problem(shown, 0, 0, "", "the file is missing")])
    fields = sheet_fields(content.checklist)
    read = read_sheet(open_workbook(book_path, shown), shown, fields)
    if any(p.line == 0 for p in read.problems):  # a column is missing: nothing to map
        raise ContentError(read.problems)
    rows = _complete(read, fields)
    if not read.rows:
        raise ContentError([CellProblem(read.place, 0, 0, "", "holds no indicator under its "
                                        "heads; a checklist has at least one")])
    path = folder / "checklist.yaml"
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    old_text = raw[len(bom):].decode("utf-8")
    crlf = "\r\n" in old_text  # saved on Windows: kept so
    try:
        text = ChecklistText(old_text.replace("\r\n", "\n")).write(
            [row for _, row in rows], read.title)
    except ValueError as exc:
        raise ContentError([Problem(_display(path), 0, 0, "", f"{exc}; import keeps the "
                                    "file's layout and needs its lists written one item a "
                                    "line")]) from None
    checklist = _load_with(folder, text, read, rows)
    data = bom + (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    result = Imported(path, data != raw, notes=read.notes)
    if rows_of(checklist) != [row for _, row in rows] or (
            read.title and checklist.title != read.title):
        raise NoticeError("internal error: the checklist written would not hold what the "
                          "sheet holds; nothing was written — please report it with the "
                          "workbook")
    old = {r["number"]: r for r in rows_of(content.checklist)}
    new = {r["number"]: r for _, r in rows}
    result.added = [n for n in new if n not in old]
    result.removed = [n for n in old if n not in new]
    result.changed = [n for n in new if n in old and new[n] != old[n]]
    result.title = bool(read.title) and read.title != content.checklist.title
    if result.written:
        write_atomically(path, data)
    return result


def _missing(folder: Path) -> Problem:
    return Problem(_display(folder / "checklist.yaml"), 0, 0, "", "the file is missing; the "
                   "checklist's workbook is made from it and written back into it (its "
                   "title, columns and kinds stay there)")


def _complete(read: SheetRows, fields) -> list[tuple[int, dict]]:
    """The rows that can be written: each required cell given (an empty one is a problem),
    a placeholder where a cell was already reported; rows without a number left out."""
    shown = {f for f, _ in fields}
    out = []
    for r, row in read.rows:
        if "number" not in row:
            continue
        where = f"indicator {row['number']}"
        for f in _REQUIRED:
            if f not in row and (f in shown or f == "name"):
                column = read.columns.get(f, 0)
                if (r, column) not in read.bad_cells:
                    read.fail(r, column, f"{where}: {f}", "is empty; write the text")
                row[f] = _PLACEHOLDER
        subs = row.get("sub_indicators", ())
        if "target" in shown and "target" not in row and any(t is None for _, t in subs):
            if (r, read.columns["target"]) not in read.bad_cells:
                read.fail(r, read.columns["target"], f"{where}: target", "is empty; only an "
                          "indicator whose every sub-indicator has its own target (on its "
                          "line) may leave its own empty")
            row["target"] = _PLACEHOLDER
        out.append((r, row))
    return out


def _load_with(folder: Path, text: str, read: SheetRows, rows):
    """The year's content as it would be with the new checklist.yaml: loaded from a copy,
    each of its problems located in the sheet; raises ContentError with every problem."""
    with tempfile.TemporaryDirectory(prefix="checklist-import-") as scratch:
        copy = Path(scratch) / folder.name
        copy.mkdir()
        for name in NOTICE_FILES:
            if (folder / name).is_file():
                shutil.copyfile(folder / name, copy / name)
        (copy / "checklist.yaml").write_text(text, encoding="utf-8")
        try:
            content = load_content(copy)
            found = []
        except ContentError as exc:
            content, found = None, exc.problems
    problems = list(read.problems)
    cells = _cells(text, read, rows)
    for p in found:
        if not p.file.endswith("checklist.yaml"):
            problems.append(p)
            continue
        row, column = next(((r, c) for first, last, r, c in cells if first <= p.line <= last),
                           (0, 0))
        if (row, column) in read.bad_cells or "is used twice (first on line" in p.what:
            continue
        problems.append(CellProblem(read.place, row, column, p.where, p.what))
    if problems:
        raise ContentError(problems)
    return content.checklist


def _cells(text: str, read: SheetRows, rows) -> list[tuple[int, int, int, int]]:
    """(first line, last line, sheet row, sheet column) of every value in the new text,
    the narrowest first: where a problem the loader finds in it is in the sheet."""
    root = yaml.compose(text)
    sheet_rows = iter(r for r, _ in rows)
    found: list[tuple[int, int, int, int]] = []
    columns = read.columns

    def lines(node) -> tuple[int, int]:
        return node.start_mark.line + 1, max(node.end_mark.line, node.start_mark.line + 1)

    def indicators(seq, groups: list[tuple[int, int, str]]):
        for item in seq.value if isinstance(seq, yaml.SequenceNode) else []:
            row = next(sheet_rows, 0)
            for first, last, g in groups:
                found.append((first, last, row, columns.get(g, 0)))
            groups = []
            for key, value in item.value:
                f = "name" if key.value == "sub_indicators" else key.value
                found.append((*lines(value), row, columns.get(f, 0)))
                for sub in value.value if key.value == "sub_indicators" else ():
                    target = child(sub, "target")
                    if target is not None:
                        found.append((*lines(target), row, columns.get("target", 0)))
                found.append((key.start_mark.line + 1, key.start_mark.line + 1, row,
                               columns.get(f, 0)))
            found.append((*lines(item), row, columns.get("number", 0)))

    top = child(root, "domains")
    if top is None:
        indicators(child(root, "indicators"), [])
    for domain in top.value if top is not None else []:
        name = child(domain, "name")
        heads = [(*lines(name), "domain")] if name is not None else []
        indicators(child(domain, "indicators"), heads)
        for task in child(domain, "tasks").value if child(domain, "tasks") else []:
            labels = [(*lines(n), "task") for n in (child(task, "ordinal"), child(task, "name"))
                      if n is not None]
            indicators(child(task, "indicators"), heads + labels)
            heads = []
    title = child(root, "title")
    if title is not None:
        found.append((*lines(title), 1, 1))
    return sorted(found, key=lambda f: f[1] - f[0])
