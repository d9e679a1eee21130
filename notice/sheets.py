"""One task sheet a unit: its letter text, its table rows, and a safe file name."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .content import TITLE_LINE_LIMIT
from .errors import ContentError, Problem
from .folder import LETTERS_FILE
from .markup import fill, plain, text_width
from .model import ROLE_LEAD, Assignment, Content, Spot, Unit
from .schema import Reader, suggest
from .yamlsource import _display, read_yaml

FIELDS = ("year", "unit", "notice_title", "doc_number", "lead_count", "shared_count",
          "indicator_count", "earliest_deadline")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
NAME_LIMIT = 60  # characters of a unit's name kept in a file name
# and bytes (UTF-8): a file name holds at most 255, and the temporary file's name, written
# beside it, adds 20 to the stem and suffix
NAME_BYTES = 180


@dataclass(frozen=True)
class SheetText:
    """The clerk-edited wording of the letters: title lines, body paragraphs, 附件 name."""

    title: tuple[str, ...]
    body: tuple[str, ...]
    attachment: str
    title_spots: tuple[Spot, ...] = ()  # where each title line was written


def load_sheet_text(folder: Path) -> tuple[SheetText, tuple]:
    """Read sheets.yaml, and where its texts came from; every {field} must be a known one."""
    path = Path(folder) / LETTERS_FILE
    node, problems = read_yaml(path)
    if node is None or problems:
        raise ContentError(problems)
    r = Reader(_display(path))
    m = r.mapping(node, "sheets", ("title", "body", "attachment"))

    def template(item, where: str, role: str = "body") -> str | None:
        return r.text(item, where, role, fields=FIELDS)

    if m is None or len(m) < 3:
        raise ContentError(r.problems)
    title, title_spots = [], []
    for n, item in enumerate(r.sequence(m["title"], "title"), start=1):
        title.append(template(item, f"title line {n}", "title"))
        title_spots.append(r.spots[-1] if title[-1] is not None else None)
    body = [template(item, f"body paragraph {n}")
            for n, item in enumerate(r.sequence(m["body"], "body"), start=1)]
    attachment = template(m["attachment"], "attachment")
    if r.problems:
        raise ContentError(r.problems)
    return (SheetText(tuple(title), tuple(body), attachment, tuple(title_spots)),
            tuple(r.spots))


@dataclass(frozen=True)
class Sheet:
    """Everything one unit's letter shows."""

    unit: Unit
    assignments: tuple[Assignment, ...]
    title: tuple[str, ...]
    body: tuple[str, ...]
    attachment: str
    stem: str = ""  # the letter's file name without suffix (see file_stems)

    @property
    def lead_count(self) -> int:
        return sum(a.role == ROLE_LEAD for a in self.assignments)


def make_sheets(content: Content, text: SheetText, only: list[str] | None = None) -> list[Sheet]:
    """The sheets of every unit with work (or of the units named in `only`)."""
    by_unit = content.assignments_by_unit()
    stems = file_stems(list(by_unit))  # of every unit with work, built or not
    if only:
        known = {u.name: u for u in by_unit}
        problems = [Problem("--unit", 0, 0, name, _unknown_unit(name, content, list(known)))
                    for name in only if name not in known]
        if problems:
            raise ContentError(problems)
        by_unit = {u: a for u, a in by_unit.items() if u.name in only}
    sheets, problems = [], []
    for unit, assignments in by_unit.items():
        fields = _fields(content, unit, assignments)
        title = tuple(fill(line, fields) for line in text.title)
        for n, (line, spot) in enumerate(zip(title, text.title_spots, strict=True), start=1):
            width = text_width(plain(line))
            if width > TITLE_LINE_LIMIT:
                problems.append(Problem(
                    spot.file, spot.line, spot.column, f"title line {n}, letter to {unit.name}",
                    f'"{line}" holds {width:g} characters; a title line holds at most '
                    f"{TITLE_LINE_LIMIT} (shorten the unit's addressee in units.yaml or this "
                    "line)"))
        sheets.append(Sheet(
            unit, tuple(assignments), title,
            tuple(fill(paragraph, fields) for paragraph in text.body),
            fill(text.attachment, fields), stems[unit.name]))
    if problems:
        raise ContentError(problems)
    return sheets


def _unknown_unit(name: str, content: Content, with_work: list[str]) -> str:
    if any(u.name == name for u in content.units.all_units()):
        return "this unit has no indicator in the checklist, so it gets no letter"
    hint = suggest(name, with_work)
    return "not a unit with work" + (f' (did you mean "{hint}"?)' if hint else "")


def _fields(content: Content, unit: Unit, assignments: list[Assignment]) -> dict:
    leads = sum(a.role == ROLE_LEAD for a in assignments)
    earliest = min((a.indicator.deadline for a in assignments), key=lambda d: d.sort_key)
    return dict(
        year=content.year, unit=unit.addressee, notice_title=content.notice.full_title,
        doc_number=str(content.notice.doc_number), lead_count=leads,
        shared_count=len(assignments) - leads, indicator_count=len(assignments),
        earliest_deadline=earliest.text)


def file_stem(unit: Unit) -> str:
    """A file name safe on Windows and Linux, and the same wherever the unit stands in
    units.yaml: its name, with separators, reserved and control characters made "_".

    A name that is one of Windows's reserved device names (CON, NUL, COM1…, also before a
    dot) gets "_" after that name: "CON" is written "CON_".
    """
    name = unicodedata.normalize("NFC", unit.name)
    name = _UNSAFE.sub("_", name).strip(" .") or "unit"
    name = name[:NAME_LIMIT]
    while len(name.encode("utf-8")) > NAME_BYTES:
        name = name[:-1]
    name = name.rstrip(" .") or "unit"
    base = name.split(".", 1)[0]
    if base.upper() in _RESERVED:
        name = base + "_" + name[len(base):]
    return name


def file_stems(units: list[Unit]) -> dict[str, str]:
    """Each unit's file stem; units whose stems would be the same file (on a disk that
    ignores case, too) are told apart by a short hash of their full names, never by their
    position, so that adding or moving a unit renames no other letter."""
    stems = {unit.name: file_stem(unit) for unit in units}
    seen: dict[str, int] = {}
    for stem in stems.values():
        seen[stem.casefold()] = seen.get(stem.casefold(), 0) + 1
    for name, stem in stems.items():
        if seen[stem.casefold()] > 1:
            digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
            stems[name] = f"{stem}~{digest}"
    return stems


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
             *(f"LPT{n}" for n in range(1, 10))}
