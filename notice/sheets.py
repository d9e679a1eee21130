"""One letter (函) a unit: its number, wording, attachment rows, and a safe file name."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .columns import BY_KEY
from .content import TITLE_LINE_LIMIT
from .errors import ContentError, Problem
from .folder import LETTERS_FILE
from .frame import MARK_KEYS, read_marks
from .markup import fill, plain, text_width
from .model import (
    ROLE_LEAD,
    ROLE_SHARED,
    Assignment,
    Content,
    DocNumber,
    Indicator,
    Spot,
    Unit,
)
from .schema import Reader, suggest
from .yamlsource import _display, read_yaml

# the fields every text of sheets.yaml may use; the role sentences may not use {roles}
FIELDS = ("year", "unit", "addressee", "second_person", "office", "programme", "notice_title",
          "doc_number", "letter_number", "lead_count", "responsible_count", "shared_count",
          "indicator_count", "earliest_deadline", "roles")
ROLE_FIELDS = tuple(f for f in FIELDS if f != "roles")
ROLES = ("lead", "responsible", "both")  # which sentence {roles} is: the unit leads only …
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
NAME_LIMIT = 60  # characters of a unit's name kept in a file name
# and bytes (UTF-8): a file name holds at most 255, and the temporary file's name, written
# beside it, adds 20 to the stem and suffix
NAME_BYTES = 180


@dataclass(frozen=True)
class SheetText:
    """The clerk-edited wording of the letters (函): the issuing office, the 函's number, the
    title pieces, body paragraphs, role sentences and the attachment's name."""

    office: str  # 发文机关 (署名 of the 函), and {office}
    masthead: str  # 发文机关标志 of the 信函格式: the organ's name, no 「文件」
    programme: str  # {programme}: what the work is for
    number_prefix: str | None  # 函's 发文字号: prefix〔year〕serial号 (None: letters unnumbered)
    first_number: int | None  # the first unit's serial; the others follow the units' order
    title: tuple[str, ...]  # pieces, never broken inside, packed into title lines
    body: tuple[str, ...]
    roles: Mapping[str, str]  # lead / responsible / both → the sentence {roles} becomes
    attachment: str
    title_spots: tuple[Spot, ...] = ()  # where each title piece was written
    # 份号 of the first unit's letter, the others following the units' order as the numbers
    # do (None: no 份号); 密级和保密期限 and 紧急程度 of every letter (10.1, 7.2.1-7.2.3)
    first_copy_number: str | None = None
    classification: str | None = None
    urgency: str | None = None
    copy_to: tuple[str, ...] = ()  # 抄送机关 of every letter (its 版记, 10.1)
    copy_number_spot: Spot | None = None  # where the first 份号 was written


def load_sheet_text(folder: Path, content=None) -> tuple[SheetText, tuple]:
    """Read sheets.yaml, and where its texts came from; every {field} must be a known one."""
    path = Path(folder) / LETTERS_FILE
    node, problems = read_yaml(path)
    if node is None or problems:
        raise ContentError(problems)
    r = Reader(_display(path))
    required = ("title", "body", "attachment")
    m = r.mapping(node, "sheets", required,
                  ("office", "masthead", "programme", "letter_number", *MARK_KEYS, "roles",
                   "copy_to"))
    if m is None or any(key not in m for key in required):
        raise ContentError(r.problems)

    def template(item, where: str, role: str = "body", fields=FIELDS) -> str | None:
        return r.text(item, where, role, fields=fields)

    office = r.text(m["office"], "office") if "office" in m else None
    masthead = r.text(m["masthead"], "masthead", "title") if "masthead" in m else None
    programme = r.text(m["programme"], "programme") if "programme" in m else None
    prefix = first = None
    if "letter_number" in m:
        number = r.mapping(m["letter_number"], "letter_number", ("prefix", "first"))
        if number and len(number) == 2:
            prefix = r.text(number["prefix"], "letter_number: prefix")
            first = r.integer(number["first"], "letter_number: first", 1, 99999)
    title, title_spots = [], []
    for n, item in enumerate(r.sequence(m["title"], "title"), start=1):
        title.append(template(item, f"title piece {n}", "title"))
        title_spots.append(r.spots[-1] if title[-1] is not None else None)
    body = [template(item, f"body paragraph {n}")
            for n, item in enumerate(r.sequence(m["body"], "body"), start=1)]
    roles = {}
    sentences = r.mapping(m["roles"], "roles", (), ROLES) if "roles" in m else None
    for key in ROLES if sentences else ():
        if key in sentences:
            roles[key] = template(sentences[key], f"roles: {key}", fields=ROLE_FIELDS)
    attachment = template(m["attachment"], "attachment")
    marks = read_marks(r, m)  # as the notice's, with the notice's messages
    copy_to = r.texts(m["copy_to"], "copy_to", item="copy_to") if "copy_to" in m else ()
    if r.problems:
        raise ContentError(r.problems)
    return (SheetText(office or "", masthead or "", programme or "", prefix, first, tuple(title),
                      tuple(body), roles, attachment, tuple(title_spots),
                      marks.get("copy_number"), marks.get("classification"),
                      marks.get("urgency"), copy_to,
                      next((s for s in r.spots if s.where == "copy_number"), None)),
            tuple(r.spots))


@dataclass(frozen=True)
class LetterRow:
    """One row of a letter's attachment: the indicator, the unit's role, the other units."""

    indicator: Indicator
    assignment: Assignment
    role: str  # the notice's own word for the role: 牵头单位 or 责任单位
    other_leads: tuple[str, ...]
    other_responsible: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    """Everything one unit's letter shows."""

    unit: Unit
    assignments: tuple[Assignment, ...]
    title: tuple[str, ...]
    body: tuple[str, ...]
    attachment: str
    stem: str = ""  # the letter's file name without suffix (see file_stems)
    number: DocNumber | None = None  # the 函's 发文字号
    office: str = ""
    masthead: str = ""
    rows: tuple[LetterRow, ...] = ()
    copy_number: str | None = None  # 份号
    classification: str | None = None  # 密级和保密期限
    urgency: str | None = None  # 紧急程度
    copy_to: tuple[str, ...] = ()  # 抄送机关

    @property
    def lead_count(self) -> int:
        return sum(a.role == ROLE_LEAD for a in self.assignments)


def letter_numbers(content: Content, text: SheetText) -> dict[str, DocNumber]:
    """Unit name → its 函's number: the serials follow the units' order from the first one,
    over every unit with work, so a letter rebuilt alone keeps its number."""
    if text.number_prefix is None or text.first_number is None:
        return {}
    return {unit.name: DocNumber(text.number_prefix, content.year, text.first_number + n)
            for n, unit in enumerate(content.assignments_by_unit())}


def copy_numbers(content: Content, text: SheetText) -> dict[str, str]:
    """Unit name → its letter's 份号: the first one given, then one more a unit in the units'
    order over every unit with work (as the numbers), the digits kept (000007, 000008…)."""
    if text.first_copy_number is None:
        return {}
    first, digits = int(text.first_copy_number), len(text.first_copy_number)
    return {unit.name: f"{first + n:0{digits}d}"
            for n, unit in enumerate(content.assignments_by_unit())}


def _copy_number_problem(content: Content, text: SheetText) -> Problem | None:
    """The 份号 of the last letter must still have style.COPY_NUMBER_DIGITS digits."""
    if text.first_copy_number is None:
        return None
    count = len(content.assignments_by_unit())
    highest = 10 ** len(text.first_copy_number) - 1
    if int(text.first_copy_number) + count - 1 <= highest:
        return None
    spot = text.copy_number_spot
    return Problem(spot.file, spot.line, spot.column, "copy_number",
                   f'"{text.first_copy_number}" is the first letter\'s 份号 and each of the '
                   f"{count} letters takes the next one, which would run past "
                   f'"{highest:0{len(text.first_copy_number)}d}"; start at '
                   f'"{highest - count + 1:0{len(text.first_copy_number)}d}" or lower')


def make_sheets(content: Content, text: SheetText, only: list[str] | None = None) -> list[Sheet]:
    """The sheets of every unit with work (or of the units named in `only`)."""
    by_unit = content.assignments_by_unit()
    stems = file_stems(list(by_unit))  # of every unit with work, built or not
    numbers = letter_numbers(content, text)
    copies = copy_numbers(content, text)
    if only:
        known = {u.name: u for u in by_unit}
        problems = [Problem("--unit", 0, 0, name, _unknown_unit(name, content, list(known)))
                    for name in only if name not in known]
        if problems:
            raise ContentError(problems)
        by_unit = {u: a for u, a in by_unit.items() if u.name in only}
    words = role_words()
    sheets, too_long = [], {}
    for unit, assignments in by_unit.items():
        fields = _fields(content, text, unit, assignments, numbers.get(unit.name))
        pieces = [nest_quotes(fill(piece, fields)) for piece in text.title]
        for n, (piece, spot) in enumerate(zip(pieces, text.title_spots, strict=True), start=1):
            width = text_width(plain(piece))
            # the clerk's own words must fit a line; a piece that overflows only with a
            # unit's long name is broken inside it (there is no better place)
            own = text_width(plain(fill(text.title[n - 1], dict.fromkeys(fields, ""))))
            if own > TITLE_LINE_LIMIT and width > too_long.get(n, (0,))[0]:
                too_long[n] = (width, piece, spot, unit.name)  # said once, for the longest
        title = pack_title([part for piece in pieces for part in _broken(piece)])
        rows = tuple(LetterRow(
            a.indicator, a, words[a.role],
            content.units.co_units(a.indicator.lead_units, unit),
            content.units.co_units(a.indicator.responsible_units, unit)) for a in assignments)
        sheets.append(Sheet(
            unit, tuple(assignments), tuple(title),
            tuple(nest_quotes(fill(paragraph, fields)) for paragraph in text.body),
            nest_quotes(fill(text.attachment, fields)), stem=stems[unit.name],
            number=numbers.get(unit.name), office=fields["office"],
            masthead=text.masthead or fields["office"], rows=rows,
            copy_number=copies.get(unit.name), classification=text.classification,
            urgency=text.urgency, copy_to=text.copy_to))
    problems = [Problem(
        spot.file, spot.line, spot.column, f"title piece {n}, letter to {name}",
        f'"{piece}" holds {width:g} characters; a title line of a letter holds at most '
        f"{TITLE_LINE_LIMIT} (split this piece in two)")
        for n, (width, piece, spot, name) in sorted(too_long.items())]
    problems += filter(None, [_copy_number_problem(content, text)])
    if problems:
        raise ContentError(problems)
    return sheets


def pack_title(pieces: list[str]) -> list[str]:
    """Title lines of at most TITLE_LINE_LIMIT characters, each piece kept whole, as few lines
    as the pieces allow and as even as they can be (GB/T 9704 7.3.1: 梯形 or 菱形)."""
    widths = [text_width(plain(p)) for p in pieces]
    if len(pieces) > _PACKED_EXHAUSTIVELY:  # no real title: fill each line in turn
        return _packed_greedily(pieces, widths)
    best: list[list[str]] | None = None
    # every way of cutting the pieces into lines; titles hold a handful of pieces
    for cuts in range(1 << max(len(pieces) - 1, 0)):
        lines, line, width, widths_of = [], [], 0.0, []
        for n, piece in enumerate(pieces):
            line.append(piece)
            width += widths[n]
            if n == len(pieces) - 1 or cuts >> n & 1:
                lines.append(line)
                widths_of.append(width)
                line, width = [], 0.0
        if max(widths_of) > TITLE_LINE_LIMIT and best is not None:
            continue
        score = (max(widths_of) > TITLE_LINE_LIMIT, len(lines), max(widths_of) - min(widths_of))
        if best is None or score < best[0]:
            best = [score, lines]
    return ["".join(line) for line in best[1]] if best else []


_PACKED_EXHAUSTIVELY = 12  # pieces: up to this, every way of cutting them is tried (4,096)


def _packed_greedily(pieces: list[str], widths: list[float]) -> list[str]:
    """Lines filled one after the other, each piece kept whole."""
    lines, line, width = [], "", 0.0
    for piece, piece_width in zip(pieces, widths, strict=True):
        if line and width + piece_width > TITLE_LINE_LIMIT:
            lines.append(line)
            line, width = "", 0.0
        line, width = line + piece, width + piece_width
    return lines + [line] if line else lines


def _broken(piece: str) -> list[str]:
    """A piece as it is, or cut into parts of a title line each where it is wider (a piece
    with sub/superscripts stays whole: its line is then too long, as written)."""
    if text_width(plain(piece)) <= TITLE_LINE_LIMIT or plain(piece) != piece:
        return [piece]
    parts, part = [], ""
    for ch in piece:
        if text_width(part + ch) > TITLE_LINE_LIMIT:
            parts.append(part)
            part = ""
        part += ch
    return parts + [part]


def nest_quotes(text: str) -> str:
    """A title quoted inside a title takes 〈〉 for its own 《》: 《…印发〈…〉的通知》."""
    out, depth = [], 0
    for ch in text:
        if ch == "《":
            out.append("〈" if depth % 2 else "《")
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            out.append("〉" if depth % 2 else "》")
        else:
            out.append(ch)
    return "".join(out)


def role_words() -> dict[str, str]:
    """Each role in the notice's own words: the heads of its lead and responsible columns."""
    return {ROLE_LEAD: BY_KEY["lead_units"].head, ROLE_SHARED: BY_KEY["responsible_units"].head}


def _unknown_unit(name: str, content: Content, with_work: list[str]) -> str:
    if any(u.name == name for u in content.units.all_units()):
        return "this unit has no indicator in the checklist, so it gets no letter"
    hint = suggest(name, with_work)
    return "not a unit with work" + (f' (did you mean "{hint}"?)' if hint else "")


def _fields(content: Content, text: SheetText, unit: Unit, assignments: list[Assignment],
            number: DocNumber | None) -> dict:
    leads = sum(a.role == ROLE_LEAD for a in assignments)
    earliest = min((a.indicator.deadline for a in assignments), key=lambda d: d.sort_key)
    fields = dict(
        year=content.year, unit=unit.name, addressee=unit.addressee,
        second_person=unit.second_person, office=text.office or content.notice.issuer,
        programme=text.programme, notice_title=content.notice.full_title,
        doc_number=str(content.notice.doc_number), letter_number=str(number or ""),
        lead_count=leads, responsible_count=len(assignments) - leads,
        shared_count=len(assignments) - leads, indicator_count=len(assignments),
        earliest_deadline=earliest.text)
    which = ("both" if leads and len(assignments) > leads
             else "lead" if leads else "responsible")
    fields["roles"] = fill(text.roles.get(which, ""), fields)
    return fields


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
