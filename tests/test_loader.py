"""The loader's pieces: suggestions, markup, messages, and values read as the clerk typed them."""

from __future__ import annotations

import datetime as dt

import pytest

from notice.content import load_content
from notice.errors import EXIT_CONTENT, ContentError, Problem
from notice.markup import char_width, line_column, markup_problem, plain, split_markup, text_width
from notice.model import Deadline
from notice.numerals import chinese_number, is_ordinal
from notice.schema import suggest

UNITS = ["市林业局", "市住房和城乡建设局", "市水利局", "市公安局", "市生态环境局"]


@pytest.mark.parametrize("typed, meant", [
    ("市林业", "市林业局"),
    ("市住建局", "市住房和城乡建设局"),
    ("市生态环境", "市生态环境局"),
    ("市水力局", "市水利局"),
    ("省交通厅", None),
])
def test_suggest(typed, meant):
    assert suggest(typed, UNITS) == meant


@pytest.mark.parametrize("text, problem", [
    ("PM_{2.5}浓度", None),
    ("m^{2}与PM_{10}", None),
    ("没有标记", None),
    ("PM_{2.5浓度", '"_{" is never closed with "}"'),
    ("PM_{2^{5}}", '"^{" starts inside another _{…} or ^{…}; close the first one'),
    ("PM2.5}", '"}" closes nothing: write _{…} for a subscript or ^{…} for a superscript, '
               "or delete it"),
])
def test_markup_problem(text, problem):
    assert markup_problem(text) == problem


def test_split_markup_and_plain():
    assert split_markup("PM_{2.5}浓度^{注}") == [("PM", None), ("2.5", "sub"), ("浓度", None),
                                                ("注", "sup")]
    assert plain("PM_{2.5}浓度") == "PM2.5浓度"


def test_problem_text():
    problem = Problem("2021/a.yaml", 3, 7, "date", "is wrong")
    assert str(problem) == "2021/a.yaml:3:7: date: is wrong"
    assert str(Problem("2021/a.yaml", 0, 0, "", "the file is empty")) == (
        "2021/a.yaml: the file is empty")


def test_content_error_sorts_and_removes_repeats():
    late = Problem("b.yaml", 9, 1, "", "late")
    early = Problem("a.yaml", 2, 1, "", "early")
    error = ContentError([late, early, late])
    assert error.exit_code == EXIT_CONTENT
    assert error.format_message().splitlines() == [
        "a.yaml:2:1: early", "b.yaml:9:1: late", "2 problems in the content; nothing was written."
    ]


def test_deadline_sort_key_puts_a_month_after_its_days():
    assert Deadline("2021年3月", 2021, 3).sort_key > Deadline("2021年3月31日", 2021, 3, 31).sort_key


# -- values are kept as typed ------------------------------------------------------------------


def _indicator(content_dir, number):
    return next(i for i in load_content(content_dir).checklist.indicators if i.number == number)


def test_a_target_that_looks_like_a_number_keeps_its_digits(content):
    content.edit("checklist.yaml", 'target: "≥60%"', "target: 0.50", after="number: 13")
    assert _indicator(content.folder, 13).target == "0.50"


def test_a_number_with_a_leading_zero_is_decimal(content):
    """YAML 1.1 reads 011 as octal 9; a clerk means 11."""
    content.edit("checklist.yaml", "number: 11", "number: 011")
    assert load_content(content.folder).checklist.indicators[0].number == 11


def test_a_quoted_number_is_accepted(content):
    content.edit("notice.yaml", "number: 1\n", 'number: "1"\n')
    assert str(load_content(content.folder).notice.doc_number) == "巴生态创办发〔2021〕1号"


def test_a_chinese_date_and_a_deadline_with_a_day(content):
    content.edit("notice.yaml", "date: 2021-02-23", "date: 2021年2月23日")
    content.edit("checklist.yaml", "deadline: 2021年3月", "deadline: 2021年3月31日",
                 after="number: 12")
    loaded = load_content(content.folder)
    assert loaded.notice.date == dt.date(2021, 2, 23)
    deadline = loaded.checklist.indicators[1].deadline
    assert (deadline.text, deadline.year, deadline.month, deadline.day) == (
        "2021年3月31日", 2021, 3, 31)


def test_unit_names_in_flow_and_block_lists_alike(content):
    content.edit("checklist.yaml", "lead_units: [市林业局]",
                 "lead_units:\n              - 市林业局", after="number: 14")
    assert _indicator(content.folder, 14).lead_units == ("市林业局",)


def test_one_idle_recipient_is_worded_in_the_singular(content):
    # Recipients with no work can go without touching the checklist; keep one of them.
    for name in ("市人民检察院", "市委办公室", "市政府办公室", "市委组织部", "市委宣传部",
                 "市目标绩效管理办公室", "市教育和体育局", "市科学技术局", "市司法局",
                 "市人力资源和社会保障局", "市审计局", "市统计局"):
        content.edit("units.yaml", f"  - {name}\n", "")
    loaded = load_content(content.folder)
    assert len(loaded.units.recipients) == 17
    assert loaded.warnings[0] == "1 recipient has no assignment: 市中级人民法院"


@pytest.mark.parametrize("n, written", [(1, "一"), (9, "九"), (10, "十"), (12, "十二"),
                                        (20, "二十"), (21, "二十一"), (99, "九十九")])
def test_chinese_numbers(n, written):
    assert chinese_number(n) == written
    assert is_ordinal(written)


def test_an_ordinal_is_written_in_chinese_numerals_only():
    assert not is_ordinal("2") and not is_ordinal("二)") and not is_ordinal("零")


def test_widths_count_latin_letters_and_digits_half():
    assert text_width("PM2.5浓度") == 2.5 + 2
    assert [char_width(ch) for ch in "a１「"] == [0.5, 1, 1]


def test_line_column_counts_characters_from_one():
    text = "一二\n三四五\n"
    assert [line_column(text, i) for i in (0, 1, 3, 5, 7)] == [(1, 1), (1, 2), (2, 1), (2, 3),
                                                              (3, 1)]
