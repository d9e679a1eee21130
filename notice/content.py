"""Loads one year's content folder into the model, refusing anything a clerk got wrong."""

from __future__ import annotations

from pathlib import Path

import yaml

from . import frame
from .errors import ContentError, Problem
from .folder import NOTICE_FILES
from .markup import plain, text_width
from .model import (
    CONSTRAINT_KINDS,
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
    if notice is not None:  # images of the frame (seal, 签名章) are files of the folder
        r = Reader(_display(folder / "notice.yaml"))
        frame.check_seals(r, {k.value: v for k, v in nodes["notice.yaml"].value},
                          notice.signatures, notice.organs, folder)
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
                                   "printed_by", "printed_on"), frame.KEYS)
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
        addressees=addressees, body=get("body", r.texts),
        closing=get("closing", r.text), signature=signatures[0] if signatures else None,
        date=get("date", r.date), disclosure=get("disclosure", r.text),
        printed_by=get("printed_by", r.text), printed_on=get("printed_on", r.date),
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
    """Every lead or responsible unit must be a known unit or collective."""
    known = units.names()
    for unit_node, where, name in refs:
        if name not in known:
            hint = suggest(name, known)
            meant = f' (did you mean "{hint}"?)' if hint else " (add it to units.yaml if it is new)"
            r.fail(unit_node, where, f'"{name}" is not a known unit{meant}')


# -- units.yaml ------------------------------------------------------------------------------

def _read_units(r: Reader, node) -> Units | None:
    m = r.mapping(node, "units", ("recipients_title", "recipients"),
                  ("other_units", "collectives"))
    if m is None:
        return None
    order = iter(range(1, 100000))
    seen: dict[str, yaml.Node] = {}

    def named(node, where: str) -> str | None:
        """A unit's name or addressee: text of at most UNIT_NAME_LIMIT characters."""
        text = r.text(node, where)
        if text is not None and len(text) > UNIT_NAME_LIMIT:
            r.fail(node, where, f"holds {len(text)} characters; a unit's name holds at most "
                   f"{UNIT_NAME_LIMIT}")
            return None
        return text

    def unit(item, where: str) -> Unit | None:
        if isinstance(item, yaml.MappingNode):
            u = r.mapping(item, where, ("name",), ("addressee",))
            if not u or "name" not in u:
                return None
            name = named(u["name"], f"{where}: name")
            addressee = named(u["addressee"], f"{where}: addressee") if "addressee" in u else name
            name_node = u["name"]
        else:
            name = addressee = named(item, where)
            name_node = item
        if name is None:
            return None
        if name in seen:
            r.fail(name_node, where, f'"{name}" is listed twice '
                   f"(first on line {seen[name].start_mark.line + 1})")
        seen[name] = name_node
        return Unit(name, addressee, next(order))

    def unit_list(key: str) -> tuple[Unit, ...]:
        if key not in m:
            return ()
        items = [unit(item, key) for item in r.sequence(m[key], key)]
        return tuple(u for u in items if u)

    recipients = unit_list("recipients")
    others = unit_list("other_units")
    collectives = []
    for item in r.sequence(m["collectives"], "collectives") if "collectives" in m else []:
        c = r.mapping(item, "collective", ("name",), ("full_name", "members"))
        if not c or "name" not in c:
            continue
        name = r.text(c["name"], "collective: name")
        label = f"collective {name}" if name is not None else "collective"
        full = named(c["full_name"], f"{label}: full_name") if "full_name" in c else name
        if "members" in c:
            members = tuple(u for u in (unit(i, f"{label}: member")
                                        for i in r.sequence(c["members"], f"{label}: members"))
                            if u)
        else:
            members = (unit(c["name"], label),)
            members = tuple(Unit(u.name, full, u.order) for u in members if u)
        if name is not None:
            collectives.append(Collective(name, full, members))
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
