"""The typed model of one year's content: notice, work points, checklist and units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

CONSTRAINT_KINDS = ("约束性", "参考性")  # 指标属性
ROLE_LEAD, ROLE_SHARED = "牵头", "责任"  # the two roles (a letter and the XLSX print the
# notice's own words for them: the checklist's column heads 牵头单位 and 责任单位)
# The kinds of unit, with the second person a letter addresses each by (你单位, 你区 …).
# units.yaml may declare other kinds, or other words for these, under `kinds:`.
DEFAULT_KIND = "部门"
KIND_SECOND_PERSON = {
    "部门": "你单位", "单位": "你单位", "市": "你市", "区": "你区", "县": "你县",
    "开发区": "你区", "园区": "你园区", "乡": "你乡", "镇": "你镇", "街道": "你街道",
}


def chinese_date(day: dt.date) -> str:
    """2021年2月23日: Arabic numerals, no leading zeros (GB/T 9704 7.3.5.5)."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Spot:
    """Where a piece of text came from, and which font role draws it."""

    file: str
    line: int
    column: int
    where: str
    text: str
    role: str = "body"


@dataclass(frozen=True)
class DocNumber:
    """发文字号: 巴生态创办发〔2021〕1号."""

    prefix: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.number}号"


@dataclass(frozen=True)
class Notice:
    issuer: str
    masthead: str
    doc_number: DocNumber
    title: tuple[str, ...]
    addressees: tuple[str, ...]
    body: tuple[str, ...]
    closing: str
    signature: str
    date: dt.date
    disclosure: str
    printed_by: str
    printed_on: dt.date

    @property
    def full_title(self) -> str:
        return "".join(self.title)


@dataclass(frozen=True)
class WorkPoint:
    heading: str
    body: str


@dataclass(frozen=True)
class WorkPoints:
    title: tuple[str, ...]
    opening: str
    points: tuple[WorkPoint, ...]
    attachments: tuple[str, ...]


@dataclass(frozen=True)
class Deadline:
    """完成时限: 2021年3月 or 2021年3月31日."""

    text: str
    year: int
    month: int
    day: int | None = None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day or 32)


@dataclass(frozen=True)
class SubIndicator:
    name: str
    target: str | None


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    sub_indicators: tuple[SubIndicator, ...]
    target: str | None
    kind: str
    main_tasks: str
    deadline: Deadline
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    domain: str = ""
    task: str = ""  # 「（二）生态环境质量改善」


@dataclass(frozen=True)
class Task:
    ordinal: str
    name: str
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return f"（{self.ordinal}）{self.name}"


@dataclass(frozen=True)
class Domain:
    name: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Checklist:
    title: str
    domains: tuple[Domain, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.domains for t in d.tasks for i in t.indicators)


@dataclass(frozen=True)
class Unit:
    """A body that can be given work: a department, a district, a development zone."""

    name: str
    addressee: str
    order: int  # position in units.yaml: stable prefix of its file names
    kind: str = DEFAULT_KIND  # 部门, 区, 县, 开发区 …
    second_person: str = KIND_SECOND_PERSON[DEFAULT_KIND]  # 你单位, 你区 …: how a letter says "you"


@dataclass(frozen=True)
class Collective:
    """A name standing for several units (各区县党委和人民政府) or one unit's short name."""

    name: str
    full_name: str
    members: tuple[Unit, ...]
    others: str | None = None  # how a member names the other members (其他区县…), if not listed

    def others_for(self, unit: Unit) -> str | None:
        """The collective as one of its members sees it among its co-units: the others."""
        rest = [m.name for m in self.members if m.name != unit.name]
        if not rest:
            return None
        return self.others or "、".join(rest)


@dataclass(frozen=True)
class Units:
    recipients_title: str
    recipients: tuple[Unit, ...]
    other_units: tuple[Unit, ...]
    collectives: tuple[Collective, ...]

    def names(self) -> list[str]:
        """Every name the checklist may use: units (members of collectives too) and
        collectives."""
        units = [u.name for u in self.all_units()]
        return units + [c.name for c in self.collectives if c.name not in units]

    def expand(self, name: str) -> tuple[Unit, ...]:
        """The units a name given in the checklist stands for."""
        for collective in self.collectives:
            if collective.name == name:
                return collective.members
        return tuple(u for u in self.all_units() if u.name == name)

    def all_units(self) -> tuple[Unit, ...]:
        """Every unit that can receive a letter, in units.yaml order, each once (a unit may
        belong to several collectives)."""
        members = tuple(m for c in self.collectives for m in c.members)
        found: dict[str, Unit] = {}
        for u in self.recipients + self.other_units + members:
            found.setdefault(u.name, u)
        return tuple(found.values())

    def co_units(self, names: tuple[str, ...], unit: Unit) -> tuple[str, ...]:
        """The names of a lead or responsible list as `unit` sees them beside itself: never
        itself, and a collective it belongs to as the collective's other members."""
        shown = []
        for name in names:
            collective = next((c for c in self.collectives if c.name == name), None)
            if collective and any(m.name == unit.name for m in collective.members):
                others = collective.others_for(unit)
                if others:
                    shown.append(others)
            elif name != unit.name:
                shown.append(name)
        return tuple(shown)


@dataclass(frozen=True)
class Assignment:
    unit: Unit
    indicator: Indicator
    role: str  # 牵头 or 责任
    via: str  # the name the checklist used (the unit's own or its collective's)


@dataclass(frozen=True)
class Content:
    folder: Path
    notice: Notice
    workpoints: WorkPoints
    checklist: Checklist
    units: Units
    files: tuple[Path, ...]
    spots: tuple[Spot, ...] = field(repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return self.notice.doc_number.year

    def assignments(self) -> list[Assignment]:
        """Every (unit, indicator, role), a lead role taking precedence over a shared one."""
        result: dict[tuple[str, int], Assignment] = {}
        for indicator in self.checklist.indicators:
            for role, names in ((ROLE_LEAD, indicator.lead_units),
                                (ROLE_SHARED, indicator.responsible_units)):
                for name in names:
                    for unit in self.units.expand(name):
                        result.setdefault(
                            (unit.name, indicator.number), Assignment(unit, indicator, role, name)
                        )
        return list(result.values())

    def assignments_by_unit(self) -> dict[Unit, list[Assignment]]:
        """Units with work, in units.yaml order; each unit's lead roles first, then by number."""
        by_unit: dict[Unit, list[Assignment]] = {}
        for a in self.assignments():
            by_unit.setdefault(a.unit, []).append(a)
        return {
            unit: sorted(by_unit[unit], key=lambda a: (a.role != ROLE_LEAD, a.indicator.number))
            for unit in sorted(by_unit, key=lambda u: u.order)
        }

    def idle_recipients(self) -> list[str]:
        """The recipients (主送机关) with no assignment, who get no letter, in order."""
        working = {unit.name for unit in self.assignments_by_unit()}
        return [u.name for u in self.units.recipients if u.name not in working]
