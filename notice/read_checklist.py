"""Reads checklist.yaml: its declared columns, its groups (领域 → 任务) and its indicators."""

from __future__ import annotations

import yaml

from .columns import DEFAULT_COLUMNS, KNOWN_FIELDS, NOTICE, Column
from .model import CONSTRAINT_KINDS, Checklist, Domain, Indicator, SubIndicator, Task
from .numerals import is_ordinal
from .read_text import ALIGNMENTS, share
from .schema import Reader
from .yamlsource import child

_UNIT_FIELDS = (("lead_units", "lead unit"), ("responsible_units", "responsible unit"))
# fields an indicator must give when a column shows them (the units may be left out)
_REQUIRED = ("name", "kind", "main_tasks", "deadline")


def read_checklist(r: Reader, node):
    """The checklist, and (node, where, name) of every unit name it uses."""
    m = r.mapping(node, "checklist", ("title",), ("columns", "kinds", "domains", "indicators"))
    refs: list = []
    if m is None:
        return None, refs
    columns = _columns(r, m["columns"]) if "columns" in m else DEFAULT_COLUMNS
    kinds = r.texts(m["kinds"], "kinds", item="kind") if "kinds" in m else CONSTRAINT_KINDS
    reading = _Indicators(r, refs, columns, kinds)
    if ("domains" in m) == ("indicators" in m):
        r.fail(node, "checklist", "give either domains (领域, each with its tasks or "
               "indicators) or indicators (a list without 领域 and 任务), not both"
               if "domains" in m else 'the key "domains" (or "indicators") is missing')
    domains = []
    if "indicators" in m:
        domains.append(Domain("", (Task("", "", reading.list(m["indicators"], "indicators")),)))
    for item in r.sequence(m["domains"], "domains") if "domains" in m else []:
        d = r.mapping(item, "domain", ("name",), ("tasks", "indicators"))
        if d is None or "name" not in d:
            continue
        domain = r.text(d["name"], "domain: name") or "?"
        tasks = []
        if "indicators" in d:
            tasks.append(Task("", "", reading.list(d["indicators"], f"domain {domain}: "
                                                   "indicators", domain)))
        for titem in r.sequence(d["tasks"], f"domain {domain}: tasks") if "tasks" in d else []:
            t = r.mapping(titem, f"domain {domain}: task", ("name", "indicators"), ("ordinal",))
            if t is None or "name" not in t or "indicators" not in t:
                continue
            ordinal = r.text(t["ordinal"], f"domain {domain}: task: ordinal") \
                if "ordinal" in t else ""
            if ordinal and not is_ordinal(ordinal):
                r.fail(t["ordinal"], f"domain {domain}: task: ordinal",
                       f'"{ordinal}" must be a Chinese numeral such as 二 (printed （二）)')
            name = r.text(t["name"], f"task {ordinal or domain}: name") or "?"
            label = f"（{ordinal}）{name}" if ordinal else name
            tasks.append(Task(ordinal or "", name, reading.list(
                t["indicators"], f"task {ordinal or name}: indicators", domain, label)))
        domains.append(Domain(domain, tuple(tasks)))
    title = r.text(m["title"], "title", "title") if "title" in m else None
    return Checklist(title, tuple(domains), tuple(kinds), columns, "domains" in m), refs


def _columns(r: Reader, node) -> tuple[Column, ...]:
    """The columns the checklist declares: field, head, width share (all or none), align."""
    columns, seen = [], {}
    for n, item in enumerate(r.sequence(node, "columns"), start=1):
        here = f"column {n}"
        c = r.mapping(item, here, ("field", "head"), ("width", "align"))
        if not c or "field" not in c or "head" not in c:
            continue
        field = r.text(c["field"], f"{here}: field")
        head = r.text(c["head"], f"{here}: head", "heading")
        if field is None or head is None:
            continue
        if not field.isidentifier():
            r.fail(c["field"], f"{here}: field", f'"{field}" must be a name of letters, '
                   "digits and _ (the key the indicators give the column's value under)")
            continue
        if field in seen:
            r.fail(c["field"], f"{here}: field", f'"{field}" is given twice (first in column '
                   f"{seen[field]})")
            continue
        seen[field] = n
        width = share(r, c["width"], f"{here}: width") if "width" in c else None
        align = r.choice(c["align"], f"{here}: align", ALIGNMENTS) if "align" in c else None
        default = next((d for d in DEFAULT_COLUMNS if d.field == field), None)
        align = align or (default.align if default else "center")
        columns.append(Column(field, head, {NOTICE: width}, field, align,
                              "top" if align == "justify" else "middle",
                              merged=field in ("domain", "task")))
    widths = [c.widths[NOTICE] for c in columns]
    if any(w is None for w in widths) and any(w is not None for w in widths):
        r.fail(node, "columns", "give a width to every column or to none (then the widths "
               "are fitted to the text)")
    fields = [c.field for c in columns]
    if "target" in fields and ("name" not in fields
                               or fields.index("target") != fields.index("name") + 1):
        r.fail(node, "columns", 'the column "target" must come right after "name" (each '
               "sub-indicator is printed level with its own target)")
    return tuple(columns)


class _Indicators:
    """Reads lists of indicators, numbers unique and increasing across the whole checklist."""

    def __init__(self, r: Reader, refs: list, columns: tuple[Column, ...], kinds):
        self.r, self.refs, self.kinds = r, refs, tuple(kinds)
        fields = {c.field for c in columns}
        self.required = ("number",) + tuple(f for f in _REQUIRED if f in fields or f == "name")
        self.extra = tuple(c.field for c in columns if c.field not in KNOWN_FIELDS)
        self.optional = tuple(f for f in KNOWN_FIELDS + self.extra
                              if f not in self.required and f not in ("domain", "task"))
        self.first_line: dict[int, int] = {}
        self.last: int | None = None

    def list(self, node, where: str, domain: str = "", task: str = "") -> tuple:
        found = []
        for item in self.r.sequence(node, where):
            indicator = self._one(item, domain, task)
            if indicator is None:
                continue
            number, number_node = indicator.number, child(item, "number")
            here = f"indicator {number}: number"
            if number in self.first_line:
                self.r.fail(number_node, here, f"{number} is used twice (first on line "
                            f"{self.first_line[number]}); numbers must be unique and "
                            "increasing")
            elif self.last is not None and number < self.last:
                self.r.fail(number_node, here, f"{number} comes after {self.last}; numbers "
                            "must be unique and increasing")
            self.first_line.setdefault(number, number_node.start_mark.line + 1)
            self.last = number
            found.append(indicator)
        return tuple(found)

    def _one(self, node, domain: str, task: str) -> Indicator | None:
        r = self.r
        number_node = child(node, "number")
        number = r.integer(number_node, "indicator: number", 1, 9999) if number_node else None
        where = f"indicator {number}" if number is not None else "indicator"
        m = r.mapping(node, where, self.required, self.optional)
        if m is None or "number" not in m or number is None:
            return None
        subs = []
        for n, item in enumerate(r.sequence(m["sub_indicators"], f"{where}: sub_indicators")
                                 if "sub_indicators" in m else (), start=1):
            s = r.mapping(item, f"{where}: sub-indicator {n}", ("name",), ("target",))
            if s and "name" in s:
                subs.append(SubIndicator(
                    r.text(s["name"], f"{where}: sub-indicator {n}: name"),
                    r.text(s["target"], f"{where}: sub-indicator {n}: target")
                    if "target" in s else None))
        if "target" in self.optional and "target" not in m and subs \
                and any(s.target is None for s in subs):
            r.fail(node, where, 'the key "target" is missing (only an indicator whose every '
                   "sub-indicator has its own target may leave it out)")
        for key, label in _UNIT_FIELDS:
            if isinstance(m.get(key), yaml.SequenceNode):
                self.refs += [(item, f"{where}: {label} {n}", item.value.strip())
                              for n, item in enumerate(m[key].value, start=1)
                              if isinstance(item, yaml.ScalarNode) and item.value.strip()]

        def text(key: str) -> str | None:
            return r.text(m[key], f"{where}: {key}") if key in m else None

        def units(key: str, label: str) -> tuple[str, ...]:
            return (r.texts(m[key], f"{where}: {key}", item=f"{where}: {label}")
                    if key in m else ())

        return Indicator(
            number=number, name=text("name"), sub_indicators=tuple(subs),
            target=text("target"),
            kind=r.choice(m["kind"], f"{where}: kind", self.kinds) if "kind" in m else None,
            main_tasks=text("main_tasks"),
            deadline=r.deadline(m["deadline"], f"{where}: deadline") if "deadline" in m else None,
            lead_units=units("lead_units", "lead unit"),
            responsible_units=units("responsible_units", "responsible unit"),
            domain=domain, task=task,
            extra=tuple((key, text(key) or "") for key in self.extra if key in m),
        )
