"""What changed between two years' checklists, per indicator and per unit, read as written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .columns import diff_fields
from .content import load_content
from .errors import ContentError, Problem
from .model import ROLE_LEAD, ROLE_SHARED
from .yamlsource import _display, child, read_yaml

# the fields compared, with the checklist's own column heads
FIELDS = diff_fields()
LIST_FIELDS = ("sub_indicators", "lead_units", "responsible_units")
CONTEXT = 8  # characters kept either side of a change in a long text


@dataclass(frozen=True)
class Year:
    """One year's checklist as written: indicators as plain values, collectives expanded."""

    label: str
    folder: Path
    indicators: tuple[dict, ...]
    collectives: dict[str, tuple[str, ...]]
    unit_order: tuple[str, ...]  # units.yaml's order: recipients, other units, members
    problems: int  # what validate would report; 0 when the year is valid
    heads: dict[str, str] = field(default_factory=dict)  # the checklist's declared columns

    def roles(self, indicator: dict) -> dict[str, str]:
        """Unit → 牵头 or 责任 for one indicator, a lead role taking precedence."""
        roles: dict[str, str] = {}
        for role, key in ((ROLE_LEAD, "lead_units"), (ROLE_SHARED, "responsible_units")):
            for name in indicator.get(key) or ():
                for unit in self.collectives.get(name, (name,)):
                    roles.setdefault(unit, role)
        return roles


@dataclass
class Diff:
    """The changes from one year to another."""

    old: Year
    new: Year
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # number, was, name, changes
    units: list[dict] = field(default_factory=list)  # unit, gains, losses, roles
    fields: tuple[tuple[str, str], ...] = FIELDS  # what is compared: (field, head)

    def as_json(self) -> dict:
        return {
            "from": dict(year=self.old.label, folder=str(self.old.folder),
                         problems=self.old.problems),
            "to": dict(year=self.new.label, folder=str(self.new.folder),
                       problems=self.new.problems),
            "indicators": dict(added=self.added, removed=self.removed, changed=self.changed),
            "units": self.units,
        }

    def summary(self) -> list[str]:
        """Two lines: how many indicators changed, how many units' work changed."""
        def numbers(items: list[dict]) -> str:
            return f" ({', '.join(str(i['number']) for i in items)})" if items else ""

        gaining = [u for u in self.units if u["gains"]]
        losing = [u for u in self.units if u["losses"]]
        roles = [u for u in self.units if u["roles"]]
        return [
            f"indicators: {len(self.added)} added{numbers(self.added)}, {len(self.removed)} "
            f"removed{numbers(self.removed)}, {len(self.changed)} changed"
            f"{numbers(self.changed)}",
            f"units: {len(gaining)} gaining work, {len(losing)} losing work, {len(roles)} "
            "changing role",
        ]

    def lines(self) -> list[str]:
        """The whole diff as text a clerk reads."""
        out = [f"{self.old.label} ({self.old.folder}) → {self.new.label} ({self.new.folder})"]
        out += [self.summary()[0]]
        for item in self.added:
            out.append(f"  + {item['number']} {item['name']}")
            out += [f"      {label}: {_shown(item.get(key))}" for key, label in self.fields[2:]
                    if item.get(key)]
        for item in self.removed:
            out.append(f"  - {item['number']} {item['name']}")
        for item in self.changed:
            out.append(f"  ~ {item['number']} {item['name']}")
            out += [f"      {dict(self.fields)[key]}: {_change_text(change)}"
                    for key, change in item["changes"].items()]
        out.append(self.summary()[1])
        for unit in self.units:
            parts = [f"+ {_work(g)}" for g in unit["gains"]]
            parts += [f"- {_work(g)}" for g in unit["losses"]]
            parts += [f"{r['number']} {r['name']} {r['from']} → {r['to']}" for r in unit["roles"]]
            out.append(f"  {unit['unit']}: {'; '.join(parts)}")
        for year in (self.old, self.new):
            if year.problems:
                noun = "problem" if year.problems == 1 else "problems"
                out.append(f"note: {year.folder} does not validate yet ({year.problems} {noun}; "
                           "validate lists them); it is compared as written")
        return out


def compare(old_folder: Path, new_folder: Path) -> Diff:
    """Compare two years' content folders, indicator by indicator and unit by unit."""
    old, new = read_year(old_folder), read_year(new_folder)
    diff = Diff(old, new)
    known = {key for key, _label in FIELDS}
    extra = {**old.heads, **new.heads}
    diff.fields = FIELDS + tuple((key, head) for key, head in extra.items() if key not in known)
    pairs = _pair(list(old.indicators), list(new.indicators))
    for before, after in pairs:
        if before is None:
            diff.added.append(after)
        elif after is None:
            diff.removed.append(before)
        else:
            changes = {key: _change(key, before.get(key), after.get(key))
                       for key, _label in diff.fields
                       if before.get(key) != after.get(key)}
            if changes:
                diff.changed.append(dict(number=after["number"], was=before["number"],
                                         name=after["name"], changes=changes))
    diff.units = _unit_changes(old, new, pairs)
    return diff


def read_year(folder: Path) -> Year:
    """A year's indicators and collectives as written, without validation (a year with 待填
    markers is compared on what it says); only a missing folder or unreadable YAML is refused."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError([Problem(_display(folder), 0, 0, "", "the content folder is missing")])
    nodes = {}
    for name in ("checklist.yaml", "units.yaml"):
        if not (folder / name).exists():  # a year without a checklist has no indicators
            nodes[name] = None
            continue
        node, problems = read_yaml(folder / name)
        if node is None:
            raise ContentError(problems)
        nodes[name] = node
    try:
        load_content(folder)
        problems = 0
    except ContentError as exc:
        problems = len(exc.problems)
    units = nodes["units.yaml"]
    checklist = nodes["checklist.yaml"]
    return Year(folder.name, folder, tuple(_indicators(checklist)), _collectives(units),
                _unit_order(units), problems, _declared_heads(checklist))


# -- reading as written -----------------------------------------------------------------------

def _groups(root):
    """(domain, task label, indicator nodes) of a checklist as written, grouped or not."""
    yield "", "", _items(child(root, "indicators"))
    for domain in _items(child(root, "domains")):
        domain_name = _plain(child(domain, "name"))
        yield domain_name, "", _items(child(domain, "indicators"))
        for task in _items(child(domain, "tasks")):
            ordinal = _plain(child(task, "ordinal"))
            label = f"（{ordinal}）" if ordinal else ""
            yield domain_name, label + str(_plain(child(task, "name"))), _items(
                child(task, "indicators"))


def _indicators(root) -> list[dict]:
    found = []
    for domain_name, label, nodes in _groups(root):
        for node in nodes:
            if not isinstance(node, yaml.MappingNode):
                continue
            item = {key.value: _plain(value) for key, value in node.value
                    if isinstance(key, yaml.ScalarNode)}
            number = item.get("number")
            item["number"] = int(number) if isinstance(number, str) and number.isdigit() \
                else number
            item["sub_indicators"] = [_sub(s) for s in _items(child(node, "sub_indicators"))]
            item.update(domain=domain_name, task=label)
            item.setdefault("name", None)
            found.append(item)
    return found


def _declared_heads(root) -> dict[str, str]:
    """field → head of the columns a checklist declares (its own fields among them)."""
    heads = {}
    for column in _items(child(root, "columns")):
        field, head = _plain(child(column, "field")), _plain(child(column, "head"))
        if isinstance(field, str) and isinstance(head, str):
            heads[field] = head
    return heads


def _collectives(root) -> dict[str, tuple[str, ...]]:
    """Each collective with members → their names (a member may be a name or name: …)."""
    groups = {}
    for node in _items(child(root, "collectives")):
        name, members = _plain(child(node, "name")), _items(child(node, "members"))
        if isinstance(name, str) and members:
            groups[name] = tuple(_name(m) for m in members)
    return groups


def _unit_order(root) -> tuple[str, ...]:
    names = [_name(n) for key in ("recipients", "other_units") for n in _items(child(root, key))]
    for node in _items(child(root, "collectives")):
        members = _items(child(node, "members"))
        names += [_name(m) for m in members] if members else [_plain(child(node, "name"))]
    return tuple(n for n in names if isinstance(n, str))


def _name(node):
    """A unit written as a name, or as a mapping with name: (and addressee:)."""
    return _plain(child(node, "name") if isinstance(node, yaml.MappingNode) else node)


def _items(node) -> list:
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _plain(node):
    """A scalar's text, a list's texts; anything else as None."""
    if isinstance(node, yaml.ScalarNode):
        return node.value.strip()
    if isinstance(node, yaml.SequenceNode):
        return [v for v in (_plain(item) for item in node.value) if isinstance(v, str)]
    return None


def _sub(node) -> str:
    name, target = _plain(child(node, "name")), _plain(child(node, "target"))
    return f"{name}：{target}" if target else str(name)


# -- comparing --------------------------------------------------------------------------------

def _pair(old: list[dict], new: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Match indicators by name first (numbers may shift), then by number; the rest are
    added or removed. In the new year's order, removed ones last."""
    match: dict[int, int] = {}
    for key in ("name", "number"):
        taken = set(match.values())
        free = {}
        for j, item in enumerate(new):
            if j not in taken and item.get(key) is not None:
                free.setdefault(item[key], []).append(j)
        for i, item in enumerate(old):
            if i not in match and free.get(item.get(key)):
                match[i] = free[item[key]].pop(0)
    by_new = {j: i for i, j in match.items()}
    pairs = [(old[by_new[j]] if j in by_new else None, item) for j, item in enumerate(new)]
    return pairs + [(item, None) for i, item in enumerate(old) if i not in match]


def _change(key: str, before, after) -> dict:
    if key in LIST_FIELDS:
        before, after = before or [], after or []
        return {"added": [x for x in after if x not in before],
                "removed": [x for x in before if x not in after],
                "from": before, "to": after}
    return {"from": before, "to": after}


def _unit_changes(old: Year, new: Year, pairs) -> list[dict]:
    """Each unit whose work changed: indicators gained, lost, and roles changed."""
    units: dict[str, dict] = {}
    for before, after in pairs:
        was = old.roles(before) if before else {}
        now = new.roles(after) if after else {}
        shown = after or before
        for unit in list(now) + [u for u in was if u not in now]:
            entry = units.setdefault(unit, dict(unit=unit, gains=[], losses=[], roles=[]))
            work = dict(number=shown["number"], name=shown["name"])
            if unit not in was:
                entry["gains"].append(dict(work, role=now[unit]))
            elif unit not in now:
                entry["losses"].append(dict(work, role=was[unit]))
            elif was[unit] != now[unit]:
                entry["roles"].append(dict(work, **{"from": was[unit], "to": now[unit]}))
    order = {name: n for n, name in enumerate(new.unit_order + old.unit_order)}
    changed = [u for u in units.values() if u["gains"] or u["losses"] or u["roles"]]
    return sorted(changed, key=lambda u: order.get(u["unit"], len(order)))


# -- words ------------------------------------------------------------------------------------

def _shown(value) -> str:
    return "、".join(value) if isinstance(value, list) else str(value)


def _work(item: dict) -> str:
    return f"{item['number']} {item['name']} ({item['role']})"


def _change_text(change: dict) -> str:
    if "added" in change:
        parts = [f"+ {x}" for x in change["added"]] + [f"- {x}" for x in change["removed"]]
        return "; ".join(parts) if parts else "order changed"
    before, after = change["from"], change["to"]
    if before is None or after is None:
        return f"{before or '(none)'} → {after or '(none)'}"
    return " → ".join(_excerpts(str(before), str(after)))


def _excerpts(before: str, after: str) -> tuple[str, str]:
    """The changed part of two texts, with a little context, "…" where text was left out."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while (end < min(len(before), len(after)) - start
           and before[-1 - end] == after[-1 - end]):
        end += 1

    def cut(text: str) -> str:
        left = max(0, start - CONTEXT)
        right = min(len(text), len(text) - end + CONTEXT)
        return (("…" if left else "") + text[left:right]
                + ("…" if right < len(text) else ""))

    return cut(before), cut(after)
