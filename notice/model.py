"""The typed model of one year's content: notice, work points, checklist and units."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

# 指标属性: the values a checklist may use unless it declares its own (checklist.yaml `kinds`)
CONSTRAINT_KINDS = ("约束性", "预期性", "参考性")
HEADING_LEVELS = 4  # 7.3.3: 一、 （一） 1. （1）
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
    """发文字号: 〔year〕 in 六角括号, no 「第」, no leading zeros (7.2.5)."""

    prefix: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.number}号"


@dataclass(frozen=True)
class Heading:
    """A heading of a body (7.3.3): 一、 (黑体), （一） (楷体), 1. and （1） (仿宋)."""

    level: int
    number: str  # as printed: given by the clerk or counted
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a body; a heading runs in at its start, or stands alone (no text)."""

    text: str = ""
    heading: Heading | None = None
    kind = "paragraph"


@dataclass(frozen=True)
class TableColumn:
    key: str
    head: str
    width: float | None  # a share of the table's width; None: fitted to the content
    align: str  # left, center, justify


@dataclass(frozen=True)
class Table:
    """A table declared in the content: its columns and rows of text."""

    columns: tuple[TableColumn, ...]
    rows: tuple[dict[str, str], ...]
    kind = "table"


Block = Paragraph | Table


@dataclass(frozen=True)
class Attachment:
    """附件 (7.3.7): the checklist, a text document, a declared table, or a list of names."""

    title: str
    kind: str  # checklist, text, table, list
    landscape: bool = False
    body: tuple[Block, ...] = ()
    table: Table | None = None
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextDocument:
    """A document with a title and a body: the one a notice issues (印发), such as 工作要点."""

    title: tuple[str, ...]
    body: tuple[Block, ...]
    attachments: tuple[Attachment, ...] = ()

    @property
    def full_title(self) -> str:
        return "".join(self.title)


@dataclass(frozen=True)
class Notice:
    issuer: str
    masthead: str
    doc_number: DocNumber
    title: tuple[str, ...]
    addressees: tuple[str, ...]
    body: tuple[Block, ...]
    closing: str | None  # 「特此通知。」, or None
    signature: str
    date: dt.date
    disclosure: str | None  # 信息公开选项, or None
    printed_by: str
    printed_on: dt.date
    attachments: tuple[Attachment, ...] = ()
    heading_3_bold: bool = False  # office practice: third-level headings (1.) in bold
    # the frame's optional elements (GB/T 9704 7.2-7.4); their defaults are the 2021 notice's
    copy_number: str | None = None  # 份号 (7.2.1), six digits
    classification: str | None = None  # 密级和保密期限 (7.2.2): 机密★1年
    urgency: str | None = None  # 紧急程度 (7.2.3): 特急, 加急
    direction: str = "下行文"  # 上行文 carries 签发人 (7.2.6)
    organs: tuple[str, ...] = ()  # 联合行文: the organs of the 标志, one a line, host first
    masthead_word: str = ""  # 「文件」 to the right of the organs ("": names only)
    signers: tuple[str, ...] = ()  # 签发人, in the organs' order
    signatures: tuple[str, ...] = ()  # 发文机关署名, one per organ (the first is `signature`)
    seals: tuple[Path, ...] = ()  # 印章 images, one per 署名 (7.3.5.1)
    seal_size_mm: float = 42.0
    signed_title: str | None = None  # 签名章 (7.3.5.3): the signer's 职务
    signed_image: Path | None = None  # and the signature stamp's image
    notes: str | None = None  # 附注 (7.3.6), printed in （）
    copy_to: tuple[str, ...] = ()  # 抄送机关 (7.4.2)

    @property
    def sealed(self) -> bool:
        return bool(self.seals)

    @property
    def signed(self) -> bool:
        return self.signed_image is not None

    @property
    def full_title(self) -> str:
        return "".join(self.title)


@dataclass(frozen=True)
class Deadline:
    """完成时限 as written (「2021年3月」, 「2023年12月底前」, 「长期坚持」), and the date it
    names where it names one: the end of the month or year it gives."""

    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def dated(self) -> bool:
        return self.year is not None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        if self.year is None:
            return (10000, 13, 32)  # undated deadlines come last
        return (self.year, self.month or 13, self.day or 32)


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
    task: str = ""  # the task's label as printed: 「（二）…」
    extra: tuple[tuple[str, str], ...] = ()  # the values of columns the checklist declares

    def value(self, field: str):
        """The indicator's value for a column's field: its own attribute or a declared one."""
        if hasattr(self, field) and field != "extra":
            return getattr(self, field)
        return dict(self.extra).get(field)


@dataclass(frozen=True)
class Task:
    ordinal: str
    name: str
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return f"（{self.ordinal}）{self.name}" if self.ordinal else self.name


@dataclass(frozen=True)
class Domain:
    name: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Checklist:
    title: str
    domains: tuple[Domain, ...]  # one nameless domain and task when the list is not grouped
    kinds: tuple[str, ...] = CONSTRAINT_KINDS
    columns: tuple = ()  # the declared columns (notice.columns.Column), in order
    grouped: bool = True  # 领域/任务 given

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.domains for t in d.tasks for i in t.indicators)


@dataclass(frozen=True)
class Unit:
    """A body that can be given work: a department, a district, a development zone."""

    name: str
    addressee: str
    order: int  # position in units.yaml
    kind: str = DEFAULT_KIND  # 部门, 区, 县, 开发区 …
    second_person: str = KIND_SECOND_PERSON[DEFAULT_KIND]  # 你单位, 你区 …: how a letter says "you"


@dataclass(frozen=True)
class Collective:
    """A name standing for several units (all the districts, say) or one unit's short name."""

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
    recipients_title: str | None  # the 名单's title: printed on the last page when given
    recipients: tuple[Unit, ...] = ()
    other_units: tuple[Unit, ...] = ()
    collectives: tuple[Collective, ...] = ()

    def names(self) -> list[str]:
        """Every name the checklist may use: units (members of collectives too) and
        collectives."""
        units = [u.name for u in self.all_units()]
        return units + [c.name for c in self.collectives if c.name not in units]

    def expand(self, name: str) -> tuple[Unit, ...]:
        """The units a name given in the checklist stands for."""
        return self._meanings.get(name, ())

    def all_units(self) -> tuple[Unit, ...]:
        """Every unit that can receive a letter, in units.yaml order, each once (a unit may
        belong to several collectives)."""
        return self._all_units

    @functools.cached_property
    def _all_units(self) -> tuple[Unit, ...]:
        members = tuple(m for c in self.collectives for m in c.members)
        found: dict[str, Unit] = {}
        for u in self.recipients + self.other_units + members:
            found.setdefault(u.name, u)
        return tuple(found.values())

    @functools.cached_property
    def _meanings(self) -> dict[str, tuple[Unit, ...]]:
        """Each name → the units it stands for (a collective's name wins over a unit's), found
        once: a checklist names units thousands of times."""
        meanings = {u.name: (u,) for u in self._all_units}
        for collective in reversed(self.collectives):  # the first collective of a name wins
            meanings[collective.name] = collective.members
        return meanings

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
    workpoints: TextDocument | None
    checklist: Checklist | None
    units: Units
    files: tuple[Path, ...]
    spots: tuple[Spot, ...] = field(repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return self.notice.doc_number.year

    def assignments(self) -> list[Assignment]:
        """Every (unit, indicator, role), a lead role taking precedence over a shared one."""
        return list(self._assignments)

    @functools.cached_property
    def _assignments(self) -> tuple[Assignment, ...]:
        result: dict[tuple[str, int], Assignment] = {}
        for indicator in self.checklist.indicators if self.checklist else ():
            for role, names in ((ROLE_LEAD, indicator.lead_units),
                                (ROLE_SHARED, indicator.responsible_units)):
                for name in names:
                    for unit in self.units.expand(name):
                        result.setdefault(
                            (unit.name, indicator.number), Assignment(unit, indicator, role, name)
                        )
        return tuple(result.values())

    def assignments_by_unit(self) -> dict[Unit, list[Assignment]]:
        """Units with work, in units.yaml order; each unit's lead roles first, then by number."""
        return {unit: list(found) for unit, found in self._by_unit.items()}

    @functools.cached_property
    def _by_unit(self) -> dict[Unit, tuple[Assignment, ...]]:
        by_unit: dict[Unit, list[Assignment]] = {}
        for a in self._assignments:
            by_unit.setdefault(a.unit, []).append(a)
        return {
            unit: tuple(sorted(by_unit[unit],
                               key=lambda a: (a.role != ROLE_LEAD, a.indicator.number)))
            for unit in sorted(by_unit, key=lambda u: u.order)
        }

    def idle_recipients(self) -> list[str]:
        """The recipients (主送机关) with no assignment, who get no letter, in order."""
        working = {unit.name for unit in self.assignments_by_unit()}
        return [u.name for u in self.units.recipients if u.name not in working]
