"""Reads units.yaml (the units a checklist may name: their kinds, addressees and collectives)
and checks the checklist's unit names against it."""

from __future__ import annotations

import unicodedata

import yaml

from . import limits
from .model import DEFAULT_KIND, KIND_SECOND_PERSON, Collective, Unit, Units
from .schema import Reader, suggest

UNIT_NAME_LIMIT = 50  # characters of a unit's name or addressee


def texts_in(node) -> set[str]:
    if isinstance(node, yaml.ScalarNode):
        # the name as meant, without the character it was refused for (a NUL, a lone
        # surrogate…); an item indented too far runs on into the one above ("甲 - 乙")
        value = str(node.value)
        meant = "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
        return {text.strip() for whole in (value, meant) for text in (whole, *whole.split(" - "))}
    if isinstance(node, yaml.MappingNode):
        return set().union(*(texts_in(value) for _key, value in node.value))
    if isinstance(node, yaml.SequenceNode):
        return set().union(*(texts_in(item) for item in node.value))
    return set()


def check_unit_names(r: Reader, refs, units: Units, also_known: set[str] = frozenset()) -> None:
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


def read_units(r: Reader, node) -> Units | None:
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
