"""The bundled 2021 content loads into the model with the facts of the printed notice."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from helpers import CONTENT_2021

from notice.content import load_content
from notice.markup import plain
from notice.model import CONSTRAINT_KINDS, ROLE_LEAD, ROLE_SHARED, Units, chinese_date

ECOLOGY = "市生态环境局"


@pytest.fixture(scope="module")
def content():
    return load_content(CONTENT_2021)


@pytest.fixture(scope="module")
def raw_checklist() -> dict:
    """checklist.yaml read on its own, without the loader."""
    return yaml.safe_load((CONTENT_2021 / "checklist.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def raw_indicators(raw_checklist) -> list[dict]:
    return [i for d in raw_checklist["domains"] for t in d["tasks"] for i in t["indicators"]]


@pytest.fixture(scope="module")
def by_number(content):
    return {i.number: i for i in content.checklist.indicators}


def test_25_indicators_numbered_11_to_35_in_order(content):
    numbers = [i.number for i in content.checklist.indicators]
    assert len(numbers) == 25
    assert numbers == list(range(11, 36))


def test_indicators_match_the_yaml_read_independently(content, raw_indicators):
    assert [i.number for i in content.checklist.indicators] == [
        i["number"] for i in raw_indicators
    ]
    for indicator, raw in zip(content.checklist.indicators, raw_indicators, strict=True):
        assert indicator.name == raw["name"]
        assert list(indicator.lead_units) == raw["lead_units"]
        assert list(indicator.responsible_units) == raw["responsible_units"]
        assert indicator.kind == raw["kind"]
        assert indicator.kind in CONSTRAINT_KINDS
        assert indicator.deadline.text == raw["deadline"]


def test_only_19_and_33_have_two_lead_units(content, by_number):
    assert by_number[19].lead_units == ("市自然资源和规划局", "市林业局")
    assert by_number[33].lead_units == ("市住房和城乡建设局", "市城市管理行政执法局")
    several = {i.number for i in content.checklist.indicators if len(i.lead_units) > 1}
    assert several == {19, 33}


def test_indicators_led_by_the_ecology_bureau(content, raw_indicators):
    from_yaml = {i["number"] for i in raw_indicators if ECOLOGY in i["lead_units"]}
    from_model = {i.number for i in content.checklist.indicators if ECOLOGY in i.lead_units}
    from_assignments = {
        a.indicator.number for a in content.assignments()
        if a.unit.name == ECOLOGY and a.role == ROLE_LEAD
    }
    assert from_model == from_yaml
    assert from_assignments == from_yaml
    # Facts read off the printed checklist.
    assert {11, 12, 13, 16, 17, 18, 24, 25, 27} <= from_yaml
    assert {14, 15, 19, 33}.isdisjoint(from_yaml)


def test_lead_role_takes_precedence_and_units_are_ordered(content):
    by_unit = content.assignments_by_unit()
    assert len(by_unit) == 23
    assert sum(len(a) for a in by_unit.values()) == 274
    orders = [u.order for u in by_unit]
    assert orders == sorted(orders)
    for assignments in by_unit.values():
        roles = [a.role for a in assignments]
        assert roles == sorted(roles, key=lambda r: r != ROLE_LEAD)
        assert set(roles) <= {ROLE_LEAD, ROLE_SHARED}


def test_assignments_are_found_once_and_handed_out_as_copies(monkeypatch):
    """They are worked out once a content (a checklist names units thousands of times), and
    a caller that changes what it got does not change what the next caller gets."""
    content = load_content(CONTENT_2021)
    asked: list[str] = []
    expand = Units.expand
    monkeypatch.setattr(Units, "expand", lambda units, name: asked.append(name) or expand(
        units, name))
    first = content.assignments_by_unit()
    assert len(asked) == sum(len(i.lead_units) + len(i.responsible_units)
                             for i in content.checklist.indicators)  # each name once
    asked.clear()
    unit, assignments = next(iter(first.items()))
    count = len(assignments)
    assignments.clear()
    del first[unit]
    content.assignments().clear()
    again = content.assignments_by_unit()
    assert unit in again and len(again[unit]) == count
    assert len(content.assignments()) == 274
    assert asked == []  # not worked out again
    assert content.units.expand("市的一个不存在的单位") == ()

def test_29_recipients_in_printed_order(content):
    names = [u.name for u in content.units.recipients]
    assert len(names) == 29
    assert names[0] == "市中级人民法院"
    assert names[-1] == "市气象局"
    raw = yaml.safe_load((CONTENT_2021 / "units.yaml").read_text(encoding="utf-8"))
    assert names == raw["recipients"]
    assert content.units.recipients_title == "市级相关部门名单"
    assert [u.order for u in content.units.recipients] == list(range(1, 30))


def test_collectives_expand_to_their_members(content):
    districts = content.units.expand("各区县党委和人民政府")
    assert [u.name for u in districts] == ["巴州区", "恩阳区", "通江县", "南江县", "平昌县"]
    (zone,) = content.units.expand("巴中经开区")
    assert zone.addressee == "巴中经济开发区"


def test_indicator_15_sub_indicators(by_number):
    indicator = by_number[15]
    assert [(s.name, s.target) for s in indicator.sub_indicators] == [
        ("国家重点保护野生动植物保护率", "≥95%"),
        ("外来物种入侵", "不明显"),
        ("特有性或指示性水生物种保持率", "不降低"),
    ]
    assert indicator.target is None


def test_indicator_34_sub_indicators(by_number):
    assert [(s.name, s.target) for s in by_number[34].sub_indicators] == [
        ("节能家电市场占有率", "≥50%"),
        ("在售用水器具中节水型器具占比", "100%"),
        ("一次性消费品人均使用量（千克）", "逐步下降"),
    ]


def test_indicator_11_keeps_the_subscript_markup(by_number):
    second = by_number[11].sub_indicators[1]
    assert second.name == "PM_{2.5}浓度下降幅度"
    assert plain(second.name) == "PM2.5浓度下降幅度"
    assert second.target is None
    assert by_number[11].target == "完成上级规定的考核任务；保持稳定或持续改善"


def test_domains_and_tasks(content, by_number):
    assert [d.name for d in content.checklist.domains] == ["生态安全", "生态空间", "生态经济",
                                                           "生态生活"]
    assert by_number[11].task == "（二）生态环境质量改善"
    assert by_number[35].task == "（九）生活方式绿色化"
    assert by_number[19].domain == "生态空间"


def test_doc_number_and_dates(content):
    assert str(content.notice.doc_number) == "巴生态创办发〔2021〕1号"
    assert content.year == 2021
    assert content.notice.date == dt.date(2021, 2, 23)
    assert chinese_date(content.notice.date) == "2021年2月23日"
    assert content.notice.addressees == ("各区县党委和人民政府", "巴中经济开发区", "市级相关部门")


def test_warnings(content):
    assert content.warnings == (
        "13 recipients have no assignment: 市中级人民法院、市人民检察院、市委办公室、"
        "市政府办公室、市委组织部、市委宣传部、市目标绩效管理办公室、市教育和体育局、"
        "市科学技术局、市司法局、市人力资源和社会保障局、市审计局、市统计局",
        "assigned but not on the 市级相关部门名单: 市生态环境局",
    )


def test_titles_fit_their_lines(content):
    assert content.notice.full_title == (
        "巴中市创建国家生态文明建设示范市领导小组办公室关于印发"
        "《巴中市创建国家生态文明建设示范市2021年度工作要点》的通知"
    )
    assert content.workpoints.title == ("巴中市创建国家生态文明建设示范市", "2021年度工作要点")


def test_every_text_is_located(content):
    """Each text remembers its file and line, for the later checks on printed pages."""
    spot = next(s for s in content.spots if s.text == "PM_{2.5}浓度下降幅度")
    assert spot.file.endswith("checklist.yaml")
    lines = (CONTENT_2021 / "checklist.yaml").read_text(encoding="utf-8").splitlines()
    assert "PM_{2.5}浓度下降幅度" in lines[spot.line - 1]
