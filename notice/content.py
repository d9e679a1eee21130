"""Loads one year's content folder into the model, refusing anything a clerk got wrong."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ContentError, Problem
from .folder import NOTICE_FILES
from .markup import plain, text_width
from .model import (
    CONSTRAINT_KINDS,
    DEFAULT_KIND,
    KIND_SECOND_PERSON,
    Checklist,
    Collective,
    Content,
    Deadline,
    DocNumber,
    Domain,
    Indicator,
    Notice,
    SubIndicator,
    Task,
    Unit,
    Units,
    WorkPoint,
    WorkPoints,
)
from .numerals import is_ordinal
from .schema import Reader, suggest
from .yamlsource import _display, child, read_yaml

TITLE_LINE_LIMIT = 20  # 2号 (22 pt) characters on the 156 mm 版心: 442 pt / 22 pt
UNIT_NAME_LIMIT = 50  # characters of a unit's name or addressee (the longest in 2021: 23)


def latest_folder(root: Path = Path("content")) -> Path:
    """The newest year's folder under content/."""
    years = sorted((p for p in root.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()),
                   key=lambda p: p.name)
    if not years:
        raise ContentError([Problem(str(root), 0, 0, "", "no year folder (such as 2021) here")])
    return years[-1]


def load_content(folder: Path) -> Content:
    """Read and check every file of a year's content; raise ContentError listing all faults."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError([Problem(_display(folder), 0, 0, "", "the content folder is missing")])
    problems: list[Problem] = []
    spots = []
    parts = {}
    nodes = {}
    sound = set()  # files read without a single problem
    for name in NOTICE_FILES:
        path = folder / name
        node, read_problems = read_yaml(path)
        problems += read_problems
        if node is None:
            continue
        # A file that parsed (duplicate keys at most) is still checked field by field, so
        # every fault in it is reported in the same run.
        reader = Reader(_display(path))
        parts[name] = _READERS[name](reader, node)
        nodes[name] = node
        problems += reader.problems
        spots += reader.spots
        if not read_problems and not reader.problems:
            sound.add(name)
    # Cross-file checks run whenever their inputs could be read, alongside other faults.
    cross = Reader(_display(folder / "checklist.yaml"))
    if "units.yaml" in sound and "checklist.yaml" in parts:
        _check_unit_names(cross, parts["checklist.yaml"][1], parts["units.yaml"])
    problems += cross.problems
    notice: Notice | None = parts.get("notice.yaml")
    year = notice.doc_number.year if notice and notice.doc_number else None
    if year is not None and folder.name.isdigit() and int(folder.name) != year:
        year_node = child(child(nodes["notice.yaml"], "doc_number"), "year")
        r = Reader(_display(folder / "notice.yaml"))
        r.fail(year_node, "doc_number: year", f"is {year} but the folder is {folder.name}; "
               "the two must agree")
        problems += r.problems
    if problems or len(parts) < len(NOTICE_FILES):
        raise ContentError(problems)
    checklist, _refs = parts["checklist.yaml"]
    content = Content(folder, notice, parts["workpoints.yaml"], checklist, parts["units.yaml"],
                      tuple(folder / n for n in NOTICE_FILES), tuple(spots))
    return _with_warnings(content)


# -- notice.yaml -----------------------------------------------------------------------------

def _read_notice(r: Reader, node) -> Notice | None:
    m = r.mapping(node, "notice", ("issuer", "masthead", "doc_number", "title", "addressees",
                                   "body", "closing", "signature", "date", "disclosure",
                                   "printed_by", "printed_on"))
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
    title = _title(r, m.get("title"), "title")
    return Notice(
        issuer=get("issuer", r.text), masthead=get("masthead", r.text, "title"),
        doc_number=doc_number, title=title,
        addressees=get("addressees", r.texts), body=get("body", r.texts),
        closing=get("closing", r.text), signature=get("signature", r.text),
        date=get("date", r.date), disclosure=get("disclosure", r.text),
        printed_by=get("printed_by", r.text), printed_on=get("printed_on", r.date),
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

def _read_workpoints(r: Reader, node) -> WorkPoints | None:
    m = r.mapping(node, "work points", ("title", "opening", "points", "attachments"))
    if m is None:
        return None
    points = []
    for n, item in enumerate(r.sequence(m["points"], "points") if "points" in m else [], 1):
        p = r.mapping(item, f"point {n}", ("heading", "body"))
        if p is not None and len(p) == 2:
            heading = r.text(p["heading"], f"point {n}: heading", "heading")
            body = r.text(p["body"], f"point {n}: body")
            points.append(WorkPoint(heading, body))
    get = _getter(r, m)
    return WorkPoints(_title(r, m.get("title"), "title"), get("opening", r.text), tuple(points),
                      get("attachments", r.texts))


# -- checklist.yaml --------------------------------------------------------------------------

_INDICATOR_KEYS = ("number", "name", "kind", "main_tasks", "deadline", "lead_units",
                   "responsible_units")


def _read_checklist(r: Reader, node):
    """The checklist, and (node, where, name) of every unit name it uses."""
    m = r.mapping(node, "checklist", ("title", "domains"))
    refs: list = []
    if m is None:
        return None, refs
    domains = []
    last_number = None
    first_line: dict[int, int] = {}  # indicator number → line it was first given on
    for item in r.sequence(m["domains"], "domains") if "domains" in m else []:
        d = r.mapping(item, "domain", ("name", "tasks"))
        if d is None or "name" not in d:
            continue
        domain_name = r.text(d["name"], "domain: name") or "?"
        tasks = []
        for titem in r.sequence(d["tasks"], f"domain {domain_name}: tasks") if "tasks" in d else []:
            t = r.mapping(titem, f"domain {domain_name}: task", ("ordinal", "name", "indicators"))
            if t is None or len(t) < 3:
                continue
            ordinal = r.text(t["ordinal"], f"domain {domain_name}: task: ordinal")
            if ordinal is not None and not is_ordinal(ordinal):
                r.fail(t["ordinal"], f"domain {domain_name}: task: ordinal",
                       f'"{ordinal}" must be a Chinese numeral such as 二 (printed （二）)')
            task_name = r.text(t["name"], f"task {ordinal}: name") or "?"
            label = f"（{ordinal}）{task_name}"
            indicators = []
            for iitem in r.sequence(t["indicators"], f"task {ordinal}: indicators"):
                indicator = _read_indicator(r, iitem, domain_name, label, refs)
                if indicator is None:
                    continue
                number, number_node = indicator.number, child(iitem, "number")
                if number in first_line:
                    r.fail(number_node, f"indicator {number}: number", f"{number} is used "
                           f"twice (first on line {first_line[number]}); numbers must be "
                           "unique and increasing")
                elif last_number is not None and number < last_number:
                    r.fail(number_node, f"indicator {number}: number", f"{number} comes after "
                           f"{last_number}; numbers must be unique and increasing")
                first_line.setdefault(number, number_node.start_mark.line + 1)
                last_number = number
                indicators.append(indicator)
            tasks.append(Task(ordinal or "?", task_name, tuple(indicators)))
        domains.append(Domain(domain_name, tuple(tasks)))
    title = r.text(m["title"], "title", "title") if "title" in m else None
    return Checklist(title, tuple(domains)), refs


def _read_indicator(r: Reader, node, domain: str, task: str, refs: list) -> Indicator | None:
    number_node = child(node, "number")
    number = r.integer(number_node, "indicator: number", 1, 999) if number_node else None
    where = f"indicator {number}" if number is not None else "indicator"
    m = r.mapping(node, where, _INDICATOR_KEYS, ("sub_indicators", "target"))
    if m is None or "number" not in m:
        return None
    subs = []
    if "sub_indicators" in m:
        for n, item in enumerate(r.sequence(m["sub_indicators"], f"{where}: sub_indicators"), 1):
            s = r.mapping(item, f"{where}: sub-indicator {n}", ("name",), ("target",))
            if s and "name" in s:
                subs.append(SubIndicator(
                    r.text(s["name"], f"{where}: sub-indicator {n}: name"),
                    r.text(s["target"], f"{where}: sub-indicator {n}: target")
                    if "target" in s else None))
    target = r.text(m["target"], f"{where}: target") if "target" in m else None
    if "target" not in m and (not subs or any(s.target is None for s in subs)):
        r.fail(node, where, 'the key "target" is missing (only an indicator whose every '
               "sub-indicator has its own target may leave it out)")
    deadline = None
    if "deadline" in m:
        found = r.deadline_match(m["deadline"], f"{where}: deadline")
        if found:
            text, match = found
            year, month, day = match.groups()
            deadline = Deadline(text, int(year), int(month), int(day) if day else None)
    for key, label in (("lead_units", "lead unit"), ("responsible_units", "responsible unit")):
        if isinstance(m.get(key), yaml.SequenceNode):
            refs += [(item, f"{where}: {label} {n}", item.value.strip())
                     for n, item in enumerate(m[key].value, start=1)
                     if isinstance(item, yaml.ScalarNode) and item.value.strip()]
    get = _getter(r, m)
    if number is None:
        return None
    return Indicator(
        number=number, name=get("name", r.text) if "name" in m else None,
        sub_indicators=tuple(subs), target=target,
        kind=r.choice(m["kind"], f"{where}: kind", CONSTRAINT_KINDS) if "kind" in m else None,
        main_tasks=r.text(m["main_tasks"], f"{where}: main_tasks") if "main_tasks" in m else None,
        deadline=deadline,
        lead_units=r.texts(m["lead_units"], f"{where}: lead_units", item=f"{where}: lead unit")
        if "lead_units" in m else (),
        responsible_units=r.texts(m["responsible_units"], f"{where}: responsible_units",
                                  item=f"{where}: responsible unit")
        if "responsible_units" in m else (),
        domain=domain, task=task,
    )


def _check_unit_names(r: Reader, refs, units: Units) -> None:
    """Every lead or responsible unit must be a known unit or collective, each unit once in a
    list (by its name, or through a collective it belongs to)."""
    known = units.names()
    earlier: list[tuple[str, str, set[str]]] = []  # the list being read: lead or responsible
    for unit_node, where, name in refs:
        if where.endswith(" 1"):  # the first name of a list: a new list
            earlier = []
        if name not in known:
            hint = suggest(name, known)
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
    "checklist.yaml": _read_checklist,
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
    return Content(content.folder, content.notice, content.workpoints, content.checklist,
                   content.units, content.files, content.spots, tuple(warnings))
