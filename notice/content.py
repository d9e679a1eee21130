"""Loads one year's content folder into the model, refusing anything a clerk got wrong."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import yaml

from . import frame, limits
from .errors import ContentError, Problem
from .folder import NOTICE_FILES
from .markup import plain, text_width
from .model import (
    DEFAULT_KIND,
    KIND_SECOND_PERSON,
    Collective,
    Content,
    DocNumber,
    Notice,
    TextDocument,
    Unit,
    Units,
)
from .read_checklist import read_checklist
from .read_text import read_attachments, read_body, yes_no
from .schema import Reader, suggest
from .yamlsource import _display, child, read_yaml

TITLE_LINE_LIMIT = 20  # 2号 (22 pt) characters on the 156 mm 版心: 442 pt / 22 pt
UNIT_NAME_LIMIT = 50  # characters of a unit's name or addressee (the longest in 2021: 23)


def latest_folder(root: Path = Path("content")) -> Path:
    """The newest year's folder under content/."""
    years = sorted((p for p in root.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()),
                   key=lambda p: p.name)
    if not years:
        raise ContentError([Problem(str(root), 0, 0, "", "no year folder (such as "
                                    f"{dt.date.today().year}) here")])
    return years[-1]


def load_content(folder: Path) -> Content:
    """Read and check every file of a year's content; raise ContentError listing all faults.

    notice.yaml is needed; workpoints.yaml (a document the notice issues), checklist.yaml and
    units.yaml are read when they are there.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ContentError([Problem(_display(folder), 0, 0, "", "is a file, not a folder; give "
                                    "the year's content folder (such as content/2021)")])
    if not folder.is_dir():
        raise ContentError([Problem(_display(folder), 0, 0, "", "the content folder is missing")])
    year = int(folder.name) if re.fullmatch(r"[0-9]{4}", folder.name) else None
    problems: list[Problem] = []
    spots = []
    parts = {}
    nodes = {}
    sound = set()  # files read without a single problem
    for name in NOTICE_FILES:
        path = folder / name
        if name != "notice.yaml" and not path.exists():
            continue
        node, read_problems = read_yaml(path)
        problems += read_problems
        if node is None:
            continue
        # A file that parsed (duplicate keys at most) is still checked field by field, so
        # every fault in it is reported in the same run.
        reader = Reader(_display(path), year)
        parts[name] = _READERS[name](reader, node)
        nodes[name] = node
        problems += reader.problems
        spots += reader.spots
        if not read_problems and not reader.problems:
            sound.add(name)
    checklist, refs = parts.get("checklist.yaml") or (None, [])
    units = parts.get("units.yaml")
    # Cross-file checks run whenever their inputs could be read, alongside other faults.
    cross = Reader(_display(folder / "checklist.yaml"), year)
    if refs and not (folder / "units.yaml").exists():
        problems.append(Problem(_display(folder / "units.yaml"), 0, 0, "", "the file is "
                                "missing; the checklist names units, which are listed there"))
    elif refs and units is not None:
        # units.yaml with problems of its own still names units: every text in it counts as a
        # name, so that a unit whose entry is wrong is not also reported as unknown
        named = set() if "units.yaml" in sound else _texts_in(nodes["units.yaml"])
        _check_unit_names(cross, refs, units, named)
    problems += cross.problems
    notice: Notice | None = parts.get("notice.yaml")
    documents = [(name, parts.get(name)) for name in ("notice.yaml", "workpoints.yaml")]
    for name, document in documents:
        if document and not (folder / "checklist.yaml").exists() and any(
                a.kind == "checklist" for a in document.attachments):
            problems.append(Problem(_display(folder / name), 0, 0, "attachments",
                                    "an attachment is the checklist, but checklist.yaml is "
                                    "missing"))
    number = notice.doc_number if notice else None
    if number is not None and year is not None and number.year != year:
        year_node = child(child(nodes["notice.yaml"], "doc_number"), "year")
        r = Reader(_display(folder / "notice.yaml"), year)
        r.fail(year_node, "doc_number: year", f"is {number.year} but the folder is "
               f"{folder.name}; the two must agree")
        problems += r.problems
    if notice is not None:  # images of the frame (seal, 签名章) are files of the folder
        r = Reader(_display(folder / "notice.yaml"), year)
        frame.check_seals(r, {k.value: v for k, v in nodes["notice.yaml"].value},
                          notice.signatures, notice.organs, folder)
        problems += r.problems
    expected = {n for n in NOTICE_FILES if n == "notice.yaml" or n in nodes}
    if problems or not expected <= parts.keys() or any(v is None for v in parts.values()):
        raise ContentError(problems)
    if checklist is not None:
        notice, workpoints = (_with_checklist_title(d, checklist.title) if d else d
                              for d in (notice, parts.get("workpoints.yaml")))
    else:
        workpoints = parts.get("workpoints.yaml")
    content = Content(folder, notice, workpoints, checklist, units or Units(None),
                      tuple(folder / n for n in sorted(nodes)), tuple(spots))
    return _with_warnings(content)


def _with_checklist_title(document, title: str):
    """The document with its checklist attachment titled as checklist.yaml titles it."""
    attachments = tuple(replace(a, title=a.title or title) if a.kind == "checklist" else a
                        for a in document.attachments)
    return replace(document, attachments=attachments)


# -- notice.yaml -----------------------------------------------------------------------------

def _read_notice(r: Reader, node) -> Notice | None:
    m = r.mapping(node, "notice", ("issuer", "masthead", "doc_number", "title", "addressees",
                                   "body", "signature", "date", "printed_by", "printed_on"),
                  ("closing", "disclosure", "attachments", "heading_3_bold") + frame.KEYS)
    if m is None:
        return None
    doc_number = None
    if "doc_number" in m:
        d = r.mapping(m["doc_number"], "doc_number", ("prefix", "year", "number"))
        if d is not None and len(d) == 3:
            prefix = r.text(d["prefix"], "doc_number: prefix")
            year = r.integer(d["year"], "doc_number: year", 1949, 2999)
            number = r.integer(d["number"], "doc_number: number", 1, 99999)
            if None not in (prefix, year, number):
                doc_number = DocNumber(prefix, year, number)
    get = _getter(r, m)
    masthead, organs, word = (frame.read_masthead(r, m["masthead"]) if "masthead" in m
                              else (None, (), ""))
    signatures = frame.read_signatures(r, m["signature"]) if "signature" in m else ()
    extra = frame.read_frame(r, m)
    addressees = get("addressees", r.texts)
    if isinstance(m.get("title"), yaml.ScalarNode):  # one string: broken by meaning (7.3.1)
        text = r.text(m["title"], "title", "title")
        keep = ((r.texts(m["title_keep"], "title_keep", item="title_keep")
                 if "title_keep" in m else ())
                + tuple(n for n in (get("issuer", r.text),) if n) + organs + signatures
                + (addressees or ()) + extra.get("copy_to", ()))
        shape = (r.choice(m["title_shape"], "title_shape", tuple(frame.SHAPES))
                 if "title_shape" in m else "auto")
        title = (frame.break_long_title(r, m["title"], text, keep,
                                        frame.SHAPES.get(shape or "auto"), TITLE_LINE_LIMIT)
                 if text else ())
    else:
        for key in ("title_keep", "title_shape"):
            if key in m:
                r.fail(m[key], key, "applies to a title given as one string, which the tool "
                       "breaks; this title is given line by line")
        title = _title(r, m.get("title"), "title")
    return Notice(
        issuer=get("issuer", r.text), masthead=masthead,
        doc_number=doc_number, title=title,
        addressees=addressees,
        body=read_body(r, m["body"], "body") if "body" in m else (),
        closing=get("closing", r.text), signature=signatures[0] if signatures else None,
        date=get("date", r.date), disclosure=get("disclosure", r.text),
        printed_by=get("printed_by", r.text), printed_on=get("printed_on", r.date),
        attachments=read_attachments(r, m["attachments"]) if "attachments" in m else (),
        heading_3_bold="heading_3_bold" in m and yes_no(r, m["heading_3_bold"], "heading_3_bold"),
        organs=organs, masthead_word=word, signatures=signatures, **extra,
    )


def _getter(r: Reader, m: dict):
    def get(key, read, *args):
        return read(m[key], key, *args) if key in m else None
    return get


def _title(r: Reader, node, where: str) -> tuple[str, ...]:
    if node is None:
        return ()
    lines = []
    for n, item in enumerate(r.sequence(node, where), start=1):
        line = r.text(item, f"{where} line {n}", "title")
        if line is None:
            continue
        width = text_width(plain(line))
        if width > TITLE_LINE_LIMIT:
            r.fail(item, f"{where} line {n}", f"holds {width:g} characters; a title line "
                   f"holds at most {TITLE_LINE_LIMIT}: break it into two lines")
        lines.append(line)
    return tuple(lines)


# -- workpoints.yaml -------------------------------------------------------------------------

def _read_workpoints(r: Reader, node) -> TextDocument | None:
    """The document the notice issues (印发): its title, its body, the attachments it lists."""
    m = r.mapping(node, "document", ("title", "body"), ("attachments",))
    if m is None:
        return None
    return TextDocument(
        _title(r, m.get("title"), "title"),
        read_body(r, m["body"], "body") if "body" in m else (),
        read_attachments(r, m["attachments"]) if "attachments" in m else ())


def _texts_in(node) -> set[str]:
    if isinstance(node, yaml.ScalarNode):
        # the name as meant, without the character it was refused for (a NUL, a lone
        # surrogate…); an item indented too far runs on into the one above ("甲 - 乙")
        value = str(node.value)
        meant = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
        return {text.strip() for whole in (value, meant) for text in (whole, *whole.split(" - "))}
    if isinstance(node, yaml.MappingNode):
        return set().union(*(_texts_in(value) for _key, value in node.value))
    if isinstance(node, yaml.SequenceNode):
        return set().union(*(_texts_in(item) for item in node.value))
    return set()


def _check_unit_names(r: Reader, refs, units: Units, also_known: set[str] = frozenset()) -> None:
    """Every lead or responsible unit must be a known unit or collective, each unit once in a
    list (by its name, or through a collective it belongs to)."""
    known = set(units.names()) | also_known
    earlier: list[tuple[str, str, set[str]]] = []  # the list being read: lead or responsible
    for unit_node, where, name in refs:
        if where.endswith(" 1"):  # the first name of a list: a new list
            earlier = []
        if name not in known:
            hint = suggest(name, units.names())
            meant = f' (did you mean "{hint}"?)' if hint else " (add it to units.yaml if it is new)"
            r.fail(unit_node, where, f'"{name}" is not a known unit{meant}')
            continue
        # the same unit twice in one list: by its name, or as a member of a collective named
        covered = {u.name for u in units.expand(name)}
        label = where.rsplit(": ", 1)[-1]
        for other_where, other, other_covered in earlier:
            if other == name:
                r.fail(unit_node, where, f'"{name}" is named twice in this list (first as '
                       f"{other_where}); name it once")
                break
            if covered & other_covered:
                both = "、".join(u.name for u in units.all_units()
                                 if u.name in covered & other_covered)
                r.fail(unit_node, where, f'"{name}" and "{other}" ({other_where}) both stand '
                       f"for {both}; name each unit once in a list")
                break
        earlier.append((label, name, covered))


# -- units.yaml ------------------------------------------------------------------------------

def _read_units(r: Reader, node) -> Units | None:
    m = r.mapping(node, "units", ("recipients_title", "recipients"),
                  ("other_units", "collectives", "kinds"))
    if m is None:
        return None
    order = iter(range(1, 100000))
    declared: dict[str, tuple[Unit, yaml.Node]] = {}  # name → the unit and where it was declared
    kinds = dict(KIND_SECOND_PERSON)
    if "kinds" in m:
        if not isinstance(m["kinds"], yaml.MappingNode):
            r.fail(m["kinds"], "kinds", "must map each kind to its second person, as 区: 你区")
        for key_node, value_node in getattr(m["kinds"], "value", ()) if isinstance(
                m["kinds"], yaml.MappingNode) else ():
            kind = r.text(key_node, "kinds")
            person = r.text(value_node, f"kinds: {kind}")
            if kind is not None and person is not None:
                kinds[kind] = person

    def named(node, where: str) -> str | None:
        """A unit's name or addressee: text of at most UNIT_NAME_LIMIT characters."""
        text = r.text(node, where)
        if text is not None and len(text) > UNIT_NAME_LIMIT:
            r.fail(node, where, f"holds {len(text)} characters; a unit's name holds at most "
                   f"{UNIT_NAME_LIMIT}")
            return None
        invisible = limits.name_problem(text) if text is not None else None
        if invisible:
            r.fail(node, where, invisible)
            return None
        return text

    def unit(item, where: str, member: bool = False, full: str | None = None) -> Unit | None:
        """A unit declared here, or (a member written by name alone) one declared before."""
        u = {}
        if isinstance(item, yaml.MappingNode):
            u = r.mapping(item, where, ("name",), ("addressee", "kind", "second_person"))
            if not u or "name" not in u:
                return None
            name_node = u["name"]
        else:
            name_node = item
        name = named(name_node, f"{where}: name" if u else where)
        if name is None:
            return None
        if name in declared:
            if member and not u:  # a unit of several collectives: named again, the same unit
                return declared[name][0]
            r.fail(name_node, where, f'"{name}" is listed twice '
                   f"(first on line {declared[name][1].start_mark.line + 1})")
        addressee = named(u["addressee"], f"{where}: addressee") if "addressee" in u else None
        kind = r.text(u["kind"], f"{where}: kind") if "kind" in u else DEFAULT_KIND
        if kind is not None and kind not in kinds and "second_person" not in u:
            r.fail(u["kind"], f"{where}: kind", f'"{kind}" is not a kind of unit this folder '
                   f"knows ({'、'.join(kinds)}); give the unit its second_person, or declare "
                   f"the kind under kinds: with its second person (as 区: 你区)")
        person = (r.text(u["second_person"], f"{where}: second_person")
                  if "second_person" in u else kinds.get(kind))
        made = Unit(name, addressee or full or name, next(order), kind or DEFAULT_KIND,
                    person or KIND_SECOND_PERSON[DEFAULT_KIND])
        declared.setdefault(name, (made, name_node))
        return made

    def unit_list(key: str) -> tuple[Unit, ...]:
        if key not in m:
            return ()
        items = [unit(item, key) for item in r.sequence(m[key], key)]
        return tuple(u for u in items if u)

    recipients = unit_list("recipients")
    others = unit_list("other_units")
    collectives = []
    for item in r.sequence(m["collectives"], "collectives") if "collectives" in m else []:
        c = r.mapping(item, "collective", ("name",),
                      ("full_name", "members", "others", "addressee", "kind", "second_person"))
        if not c or "name" not in c:
            continue
        name = r.text(c["name"], "collective: name")
        label = f"collective {name}" if name is not None else "collective"
        full = named(c["full_name"], f"{label}: full_name") if "full_name" in c else name
        seen_members: dict[str, yaml.Node] = {}
        if "members" in c:
            members = []
            for i in r.sequence(c["members"], f"{label}: members"):
                u = unit(i, f"{label}: member", member=True)
                if u is None:
                    continue
                if u.name in seen_members:
                    r.fail(i, f"{label}: member", f'"{u.name}" is listed twice in this '
                           f"collective (first on line {seen_members[u.name].start_mark.line + 1})")
                    continue
                seen_members[u.name] = i
                members.append(u)
            members = tuple(members)
        else:  # one unit known by a short name: the collective's mapping declares it
            keys = [k for k in ("name", "addressee", "kind", "second_person") if k in c]
            one = yaml.MappingNode("tag:yaml.org,2002:map",
                                   [(k_node, v_node) for k_node, v_node in item.value
                                    if k_node.value in keys], item.start_mark, item.end_mark)
            members = tuple(u for u in (unit(one, label, full=full),) if u)
        others_text = r.text(c["others"], f"{label}: others") if "others" in c else None
        if name is not None:
            collectives.append(Collective(name, full, members, others_text))
    title = (r.text(m["recipients_title"], "recipients_title", "title")
             if "recipients_title" in m else None)
    return Units(title, recipients, others, tuple(collectives))


_READERS = {
    "notice.yaml": _read_notice,
    "workpoints.yaml": _read_workpoints,
    "checklist.yaml": read_checklist,
    "units.yaml": _read_units,
}


def _with_warnings(content: Content) -> Content:
    """Warnings do not stop a build: recipients with no work, workers not on the list."""
    working = {u.name for u in content.assignments_by_unit()}
    recipients = {u.name for u in content.units.recipients}
    idle = content.idle_recipients()
    outside = [u.name for u in content.units.other_units if u.name in working]
    warnings = []
    if idle:
        noun = "recipient has" if len(idle) == 1 else "recipients have"
        warnings.append(f"{len(idle)} {noun} no assignment: {'、'.join(idle)}")
    if outside:
        warnings.append(f"assigned but not on the {content.units.recipients_title}: "
                        f"{'、'.join(n for n in outside if n not in recipients)}")
    warnings += limits.date_warnings(content.notice, [
        (i.number, i.deadline) for i in (content.checklist.indicators if content.checklist
                                         else ())])
    return Content(content.folder, content.notice, content.workpoints, content.checklist,
                   content.units, content.files, content.spots, tuple(warnings))
