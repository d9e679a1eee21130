"""Each fault a clerk can make is refused with one plain, located line; nothing is written.

Every test copies content/2021 into a scratch folder (the current directory), makes one small
edit there, runs `validate --content 2021` and compares the clerk's messages line for line.
Expected line and column numbers are computed from where the edit was made.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ContentCopy, locate, run, title_by_hand

from notice.content import TITLE_LINE_LIMIT, load_content


def refused(content: ContentCopy, *lines: str, command: str = "validate") -> None:
    """The command stops with exit status 1, exactly these problem lines, and no output."""
    before = content.snapshot()
    result = run(command, "--content", "2021")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    noun = "problem" if len(lines) == 1 else "problems"
    assert result.stderr.splitlines() == [
        *lines, f"{len(lines)} {noun} in the content; nothing was written."
    ]
    assert content.snapshot() == before, "a file was written or changed"
    assert not Path("output").exists()


# -- missing and misspelt keys --------------------------------------------------------------------

def test_missing_indicator_field(content):
    content.edit("checklist.yaml", "            kind: 参考性\n", "", after="number: 14")
    start = locate(content.text("checklist.yaml"), "number: 14")
    refused(content, f'2021/checklist.yaml:{start.line}:{start.column}: indicator 14: '
                     'the key "kind" is missing')


def test_missing_top_level_fields_are_named_in_one_line(content):
    for key in ("signature", "printed_by"):
        line = next(ln for ln in content.text("notice.yaml").splitlines()
                    if ln.startswith(f"{key}:"))
        content.edit("notice.yaml", line + "\n", "")
    start = locate(content.text("notice.yaml"), "issuer: ")
    refused(content, f'2021/notice.yaml:{start.line}:1: notice: '
                     'the keys "signature", "printed_by" are missing')


@pytest.mark.parametrize("file, anchor, old, new, where", [
    ("checklist.yaml", "number: 11", "main_tasks:", "main_task:", "indicator 11"),
    ("notice.yaml", None, "signature:", "signatur:", "notice"),
    ("units.yaml", "- 市气象局", "other_units:", "other_unit:", "units"),
])
def test_misspelt_key_gets_a_suggestion(content, file, anchor, old, new, where):
    spot = content.edit(file, old, new, after=anchor)
    key = new.rstrip(":")
    refused(content, f'2021/{file}:{spot.line}:{spot.column}: {where}: '
                     f'unknown key "{key}" (did you mean "{old.rstrip(":")}"?)')


def test_unknown_key_without_a_near_miss_lists_the_known_keys(content):
    spot = content.edit("checklist.yaml", "title: ", "remark: 无\ntitle: ")
    refused(content, f'2021/checklist.yaml:{spot.line}:1: checklist: unknown key "remark"; '
                     "known keys: title, columns, kinds, domains, indicators")


def test_duplicate_key(content):
    first = content.edit("checklist.yaml", "            kind: 约束性\n",
                         "            kind: 约束性\n            kind: 约束性\n", after="number: 11")
    refused(content, f"2021/checklist.yaml:{first.line + 1}:13: "
                     f'the key "kind" is written twice here (first on line {first.line}); '
                     "keep only one")


# -- wrong types ----------------------------------------------------------------------------------

def test_list_where_text_is_expected(content):
    spot = content.edit("notice.yaml", "closing: 特此通知。", "closing: [特此通知。]")
    column = spot.column + len("closing: ")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: closing: "
                     "must be text, not a list or a mapping")


def test_text_where_a_list_is_expected(content):
    spot = content.edit("checklist.yaml", "lead_units: [市林业局]", "lead_units: 市林业局",
                        after="number: 14")
    column = spot.column + len("lead_units: ")
    refused(content, f"2021/checklist.yaml:{spot.line}:{column}: indicator 14: lead_units: "
                     "must be a list (one item a line, each starting with -)")


@pytest.mark.parametrize("file, old, new, where", [
    ("checklist.yaml", "number: 14", "number: 十四", "indicator: number"),
    ("notice.yaml", "year: 2021", "year: 二〇二一", "doc_number: year"),
])
def test_text_where_a_number_is_expected(content, file, old, new, where):
    spot = content.edit(file, old, new)
    column = spot.column + len(old.split(":")[0]) + 2
    typed = new.split(": ")[1]
    refused(content, f'2021/{file}:{spot.line}:{column}: {where}: "{typed}" is not a whole '
                     "number; write it with the digits 0-9")


def test_number_out_of_range(content):
    spot = content.edit("notice.yaml", "number: 1\n", "number: 0\n")
    column = spot.column + len("number: ")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: doc_number: number: "
                     "is 0; it must be between 1 and 99999")


def test_doc_number_year_must_match_the_folder(content):
    spot = content.edit("notice.yaml", "year: 2021", "year: 2020")
    column = spot.column + len("year: ")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: doc_number: year: "
                     "is 2020 but the folder is 2021; the two must agree")


# -- enumerations, dates and deadlines ------------------------------------------------------------

def test_bad_kind_with_suggestion(content):
    spot = content.edit("checklist.yaml", "kind: 约束性", "kind: 约束", after="number: 11")
    column = spot.column + len("kind: ")
    refused(content, f'2021/checklist.yaml:{spot.line}:{column}: indicator 11: kind: '
                     '"约束" must be one of 约束性 or 预期性 or 参考性 (did you mean "约束性"?)')


@pytest.mark.parametrize("typed, what", [
    ("2021-02-30", "is not a date that exists; check the month and the day"),
    ("2021年2月30日", "is not a date that exists; check the month and the day"),
    ("二〇二一年二月二十三日", "is not a date; write it as 2021-02-23 or 2021年2月23日"),
    ("2月23日", "is not a date; write it as 2021-02-23 or 2021年2月23日"),
])
def test_bad_date(content, typed, what):
    spot = content.edit("notice.yaml", "date: 2021-02-23", f"date: {typed}")
    column = spot.column + len("date: ")
    refused(content, f'2021/notice.yaml:{spot.line}:{column}: date: "{typed}" {what}')


def test_empty_date(content):
    spot = content.edit("notice.yaml", "printed_on: 2021-02-23", "printed_on:")
    column = spot.column + len("printed_on:")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: printed_on: "
                     "is empty; write a date such as 2021-02-23")


@pytest.mark.parametrize("typed, what", [
    ("2021年13月", "names a date that does not exist; check the month"),
    ("2021年2月30日", "names a date that does not exist; check the month and the day"),
])
def test_bad_deadline(content, typed, what):
    spot = content.edit("checklist.yaml", "deadline: 2021年3月", f"deadline: {typed}",
                        after="number: 20")
    column = spot.column + len("deadline: ")
    refused(content, f'2021/checklist.yaml:{spot.line}:{column}: indicator 20: deadline: '
                     f'"{typed}" {what}')


@pytest.mark.parametrize("typed, dated", [
    ("2021年3月底前", (2021, 3, None)), ("长期坚持", (None, None, None)),
    ("2021-03", (None, None, None)), ("２０２１年３月", (None, None, None)),
])
def test_a_deadline_is_free_text_with_its_date_understood(content, typed, dated):
    content.edit("checklist.yaml", "deadline: 2021年3月", f"deadline: {typed}",
                 after="number: 20")
    indicator = next(i for i in load_content(content.folder).checklist.indicators
                     if i.number == 20)
    assert indicator.deadline.text == typed
    assert (indicator.deadline.year, indicator.deadline.month, indicator.deadline.day) == dated


# -- indicator numbers ----------------------------------------------------------------------------

def test_duplicate_indicator_number(content):
    spot = content.edit("checklist.yaml", "number: 12", "number: 11")
    first = locate(content.text("checklist.yaml"), "number: 11")
    column = spot.column + len("number: ")
    refused(content, f"2021/checklist.yaml:{spot.line}:{column}: indicator 11: number: "
                     f"11 is used twice (first on line {first.line}); numbers must be unique "
                     "and increasing")


def test_indicator_numbers_out_of_order(content):
    spot = content.edit("checklist.yaml", "number: 13", "number: 10")
    column = spot.column + len("number: ")
    refused(content, f"2021/checklist.yaml:{spot.line}:{column}: indicator 10: number: "
                     "10 comes after 12; numbers must be unique and increasing")


# -- unit lists and unit names --------------------------------------------------------------------

def test_empty_lead_unit_list(content):
    spot = content.edit("checklist.yaml", "lead_units: [市林业局]", "lead_units: []",
                        after="number: 14")
    column = spot.column + len("lead_units: ")
    refused(content, f"2021/checklist.yaml:{spot.line}:{column}: indicator 14: lead_units: "
                     "the list is empty; give at least one item")


def test_responsible_units_left_blank(content):
    block = ("            responsible_units:\n              - 市应急管理局\n"
             "              - 各区县党委和人民政府\n              - 巴中经开区\n")
    spot = content.edit("checklist.yaml", block, "            responsible_units:\n",
                        after="number: 18")
    column = spot.column + len("            responsible_units:")
    refused(content, f"2021/checklist.yaml:{spot.line}:{column}: indicator 18: "
                     "responsible_units: is empty; give at least one item")


def test_unknown_units_get_near_miss_suggestions(content):
    forestry = content.edit("checklist.yaml", "lead_units: [市林业局]", "lead_units: [市林业]",
                            after="number: 14")
    housing = content.edit("checklist.yaml", "lead_units: [市住房和城乡建设局]",
                           "lead_units: [市住建局]", after="number: 28")
    unheard = content.edit("checklist.yaml", "- 市城市管理行政执法局", "- 市宇航局",
                           after="number: 32")
    offset = len("lead_units: [")
    refused(
        content,
        f"2021/checklist.yaml:{forestry.line}:{forestry.column + offset}: indicator 14: "
        'lead unit 1: "市林业" is not a known unit (did you mean "市林业局"?)',
        f"2021/checklist.yaml:{housing.line}:{housing.column + offset}: indicator 28: "
        'lead unit 1: "市住建局" is not a known unit (did you mean "市住房和城乡建设局"?)',
        f"2021/checklist.yaml:{unheard.line}:{unheard.column + 2}: indicator 32: "
        'responsible unit 2: "市宇航局" is not a known unit (add it to units.yaml if it is new)',
    )


def test_unit_listed_twice_in_units_yaml(content):
    spot = content.edit("units.yaml", "  - 市气象局\n", "  - 市气象局\n  - 市公安局\n")
    first = locate(content.text("units.yaml"), "- 市公安局")
    refused(content, f"2021/units.yaml:{spot.line + 1}:5: recipients: "
                     f'"市公安局" is listed twice (first on line {first.line})')


def test_list_item_indented_too_far(content):
    """YAML would silently read the two lines as one unit "市科学技术局 - 市公安局"."""
    spot = content.edit("units.yaml", "  - 市公安局", "   - 市公安局")
    refused(content, f'2021/units.yaml:{spot.line}:4: recipients: this line starts with "-" '
                     "but is indented further than the item above, so it was read as part of "
                     "that item's text; line it up with the other items")


# -- the text itself ------------------------------------------------------------------------------

def test_unbalanced_subscript_markup(content):
    spot = content.edit("checklist.yaml", "PM_{2.5}浓度", "PM_{2.5浓度", after="number: 11")
    refused(content, f'2021/checklist.yaml:{spot.line}:{spot.column}: indicator 11: '
                     'sub-indicator 2: name: "_{" is never closed with "}"')


def test_closing_brace_without_markup(content):
    spot = content.edit("checklist.yaml", "PM_{2.5}浓度", "PM2.5}浓度", after="number: 11")
    refused(content, f'2021/checklist.yaml:{spot.line}:{spot.column}: indicator 11: '
                     'sub-indicator 2: name: "}" closes nothing: write _{…} for a subscript '
                     "or ^{…} for a superscript, or delete it")


def test_title_line_too_long(content):
    title_by_hand(content)
    long_line = "工作要点》的通知" * 3
    spot = content.edit("notice.yaml", "  - 工作要点》的通知", f"  - {long_line}")
    assert len(long_line) > TITLE_LINE_LIMIT
    refused(content, f"2021/notice.yaml:{spot.line}:5: title line 4: holds {len(long_line)} "
                     f"characters; a title line holds at most {TITLE_LINE_LIMIT}: "
                     "break it into two lines")


def test_title_lines_are_counted_even_when_one_is_empty(content):
    title_by_hand(content)
    empty = content.edit("notice.yaml", "  - 巴中市创建国家生态文明建设示范市\n", "  -\n")
    spot = content.edit("notice.yaml", "  - 工作要点》的通知", "  - " + "工作要点》的通知" * 3)
    refused(content,
            f"2021/notice.yaml:{empty.line}:4: title line 1: is empty; write the text",
            f"2021/notice.yaml:{spot.line}:5: title line 4: holds 24 characters; a title "
            f"line holds at most {TITLE_LINE_LIMIT}: break it into two lines")


def test_control_character_in_text(content):
    spot = content.edit("notice.yaml", "closing: 特此通知。", "closing: 特此\x07通知。")
    column = spot.column + len("closing: 特此")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: "
                     "contains the invisible control character U+0007; delete it")


def test_invisible_character_in_text(content):
    spot = content.edit("notice.yaml", "closing: 特此通知。", "closing: 特此\u200b通知。")
    column = spot.column + len("closing: ")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: closing: "
                     "contains the invisible control character U+200B; delete it")


# -- files that cannot be read --------------------------------------------------------------------

@pytest.mark.parametrize("old, new, offset, what", [
    ("name: 环境空气质量", "name: 环境空气质量: 好", len("name: 环境空气质量"),
     'a ":" is not allowed here: if the text itself contains ": ", put the whole text in '
     "quotes; otherwise check the indentation of this line"),
    ("kind: 约束性", "kind 约束性", 0,
     'this line has no ":" after its key (write key: value), or a text goes on to this '
     "line without being indented"),
    ("lead_units: [市生态环境局]", "lead_units: [市生态环境局", len("lead_units: "),
     'this "[" is never closed with "]"'),
])
def test_yaml_syntax_error(content, old, new, offset, what):
    spot = content.edit("checklist.yaml", old, new, after="number: 11")
    refused(content, f"2021/checklist.yaml:{spot.line}:{spot.column + offset}: {what}")


def test_quotation_mark_never_closed(content):
    spot = content.edit("notice.yaml", "closing: 特此通知。", 'closing: "特此通知。')
    column = spot.column + len("closing: ")
    refused(content, f"2021/notice.yaml:{spot.line}:{column}: "
                     "this quotation mark is never closed")


def test_line_indented_wrongly(content):
    spot = content.edit("notice.yaml", "  year: 2021", " year: 2021")
    refused(content, f"2021/notice.yaml:{spot.line}:2: this line is indented differently "
                     "from the lines around it; line it up with the entries it belongs to")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(content, text):
    content.path("units.yaml").write_text(text, encoding="utf-8")
    refused(content, "2021/units.yaml: the file is empty")


def test_top_level_is_a_list(content):
    content.path("units.yaml").write_text("- 市林业局\n- 市水利局\n", encoding="utf-8")
    refused(content, "2021/units.yaml:1:1: the top level must be a mapping of keys to values "
                     "(lines such as title: …), not a list or a single text")


def test_missing_file(content):
    content.path("units.yaml").unlink()
    refused(content, "2021/units.yaml: the file is missing; the checklist names units, which "
                     "are listed there")


def test_tab_indentation(content):
    spot = content.edit("checklist.yaml", "            kind: 参考性", "\t    kind: 参考性",
                        after="number: 14")
    refused(content, f"2021/checklist.yaml:{spot.line}:1: "
                     "a tab is used for indentation; indent with spaces")


def test_tab_after_spaces(content):
    spot = content.edit("checklist.yaml", "            kind: 参考性", "    \tkind: 参考性",
                        after="number: 14")
    refused(content, f"2021/checklist.yaml:{spot.line}:5: "
                     "a tab is used for indentation; indent with spaces")


def test_tab_between_key_and_value(content):
    spot = content.edit("checklist.yaml", "kind: 参考性", "kind:\t参考性", after="number: 14")
    refused(content, f"2021/checklist.yaml:{spot.line}:{spot.column + len('kind:')}: "
                     "a tab is used here; use spaces instead")


NOT_UTF8 = ("the file is not saved as UTF-8 (perhaps as GBK or ANSI); open it and save it "
            "again with the encoding UTF-8")


def test_gbk_encoded_text(content):
    """One value saved in GBK: the position is that of its first character, in characters."""
    spot = locate(content.text("notice.yaml"), "特此通知。")
    raw = content.path("notice.yaml").read_bytes()
    raw = raw.replace("特此通知。".encode(), "特此通知。".encode("gbk"))
    content.path("notice.yaml").write_bytes(raw)
    refused(content, f"2021/notice.yaml:{spot.line}:{spot.column}: {NOT_UTF8}")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_whole_file_saved_as_gbk(content, bom):
    path = content.path("notice.yaml")
    path.write_bytes(bom + content.text("notice.yaml").encode("gbk"))
    result = run("validate", "--content", "2021")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("2021/notice.yaml:1:")
    assert first.endswith(f": {NOT_UTF8}")


def test_a_byte_order_mark_is_accepted(content):
    path = content.path("notice.yaml")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run("validate", "--content", "2021")
    assert result.exit_code == 0, result.output


# -- many faults at once --------------------------------------------------------------------------

def test_all_faults_are_reported_together(content):
    date = content.edit("notice.yaml", "date: 2021-02-23", "date: 2021-02-30")
    heading = content.edit("workpoints.yaml", "heading: 对照创建要求补短板强弱项提亮点。",
                           "heading: ''")
    dup = content.edit("checklist.yaml", "            kind: 约束性\n",
                       "            kind: 约束性\n            kind: 约束性\n", after="number: 11")
    kind = content.edit("checklist.yaml", "kind: 参考性", "kind: 参考", after="number: 14")
    unit = content.edit("checklist.yaml", "lead_units: [市林业局]", "lead_units: [市林业]",
                        after="number: 15")
    refused(
        content,
        f"2021/checklist.yaml:{dup.line + 1}:13: "
        f'the key "kind" is written twice here (first on line {dup.line}); keep only one',
        f"2021/checklist.yaml:{kind.line}:{kind.column + 6}: indicator 14: kind: "
        '"参考" must be one of 约束性 or 预期性 or 参考性 (did you mean "参考性"?)',
        f"2021/checklist.yaml:{unit.line}:{unit.column + 13}: indicator 15: lead unit 1: "
        '"市林业" is not a known unit (did you mean "市林业局"?)',
        f'2021/notice.yaml:{date.line}:{date.column + 6}: date: "2021-02-30" is not a date '
        "that exists; check the month and the day",
        f"2021/workpoints.yaml:{heading.line}:{heading.column + 9}: body 2: heading: "
        "is empty; write the text",
    )


def test_faults_in_a_broken_file_and_a_readable_one(content):
    content.path("units.yaml").write_text("- 市林业局\n", encoding="utf-8")
    kind = content.edit("checklist.yaml", "kind: 参考性", "kind: 参考", after="number: 14")
    refused(
        content,
        f"2021/checklist.yaml:{kind.line}:{kind.column + 6}: indicator 14: kind: "
        '"参考" must be one of 约束性 or 预期性 or 参考性 (did you mean "参考性"?)',
        "2021/units.yaml:1:1: the top level must be a mapping of keys to values "
        "(lines such as title: …), not a list or a single text",
    )


@pytest.mark.parametrize("command", ["validate", "units"])
def test_every_command_refuses_bad_content(content, command):
    spot = content.edit("checklist.yaml", "kind: 约束性", "kind: 约束", after="number: 11")
    refused(content, f'2021/checklist.yaml:{spot.line}:{spot.column + 6}: indicator 11: kind: '
                     '"约束" must be one of 约束性 or 预期性 or 参考性 (did you mean "约束性"?)',
            command=command)


# -- units and the letters' wording (函) ---------------------------------------------------------

def test_the_same_unit_twice_in_one_list_is_refused(content):
    spot = content.edit("checklist.yaml", "              - 巴中经开区\n",
                        "              - 巴中经开区\n              - 市林业局\n"
                        "              - 市林业局\n", after="number: 35")
    refused(content, f"2021/checklist.yaml:{spot.line + 2}:17: indicator 35: responsible unit "
                     '4: "市林业局" is named twice in this list (first as responsible unit 3); '
                     "name it once")


def test_a_member_named_beside_its_collective_is_refused(content):
    spot = content.edit("checklist.yaml", "              - 巴中经开区\n",
                        "              - 巴中经开区\n              - 巴州区\n", after="number: 35")
    refused(content, f"2021/checklist.yaml:{spot.line + 1}:17: indicator 35: responsible unit "
                     '3: "巴州区" and "各区县党委和人民政府" (responsible unit 1) both stand for '
                     "巴州区; name each unit once in a list")


def test_a_member_may_be_named_on_its_own_and_in_two_collectives(content):
    content.edit("units.yaml", "    kind: 开发区\n", "    kind: 开发区\n"
                 "  - name: 两区\n    members:\n      - 巴州区\n      - 恩阳区\n")
    content.edit("checklist.yaml", "lead_units: [市财政局]", "lead_units: [市财政局, 巴州区]",
                 after="number: 35")
    content.edit("checklist.yaml", "lead_units: [市生态环境局]", "lead_units: [市生态环境局, 两区]",
                 after="number: 11")
    folder = content.folder
    loaded = load_content(folder)
    by_unit = {u.name: [(a.indicator.number, a.role) for a in assignments]
               for u, assignments in loaded.assignments_by_unit().items()}
    assert (35, "牵头") in by_unit["巴州区"] and (11, "牵头") in by_unit["恩阳区"]
    assert [u.name for u in loaded.units.all_units()].count("巴州区") == 1


def test_an_unknown_kind_of_unit_is_refused(content):
    spot = content.edit("units.yaml", "kind: 开发区", "kind: 园")
    refused(content, f"2021/units.yaml:{spot.line}:{spot.column + 6}: collective 巴中经开区: "
                     'kind: "园" is not a kind of unit this folder knows (部门、单位、市、区、县、'
                     "开发区、园区、乡、镇、街道); give the unit its second_person, or declare the "
                     "kind under kinds: with its second person (as 区: 你区)")


def test_an_unknown_field_in_a_role_sentence_is_refused(content):
    spot = content.edit("sheets.yaml", "承担{lead_count}项指标\"", "承担{leads}项指标\"")
    start = locate(content.text("sheets.yaml"), '"{second_person}作为牵头单位承担{leads}')
    refused(content, f"2021/sheets.yaml:{start.line}:{start.column}: roles: lead: "
                     '"{leads}" is not a field you can use here; use one of {year}, {unit}, '
                     "{addressee}, {second_person}, {office}, {programme}, {notice_title}, "
                     "{doc_number}, {letter_number}, {lead_count}, {responsible_count}, "
                     "{shared_count}, {indicator_count}, {earliest_deadline}", command="build")
    assert spot.line == start.line


def test_a_title_piece_too_long_for_the_letter_is_refused(content):
    spot = content.edit("sheets.yaml", "  - 领导小组办公室关于印发\n",
                        "  - 领导小组办公室关于印发国家生态文明建设示范市县{unit}\n")
    refused(content, f"2021/sheets.yaml:{spot.line}:5: title piece 2, letter to "
                     '市文化广播电视台和旅游局: "领导小组办公室关于印发国家生态文明建设示范市县'
                     '市文化广播电视台和旅游局" holds 35 characters; a title line of a letter '
                     "holds at most 20 (split this piece in two)", command="build")


def test_an_unknown_key_in_the_letters_wording_is_refused(content):
    spot = content.edit("sheets.yaml", "letter_number:", "copy_numbr: \"000001\"\nletter_number:")
    other = content.edit("sheets.yaml", "letter_number:", "signature: 某某\nletter_number:")
    refused(content,
            f'2021/sheets.yaml:{spot.line}:1: sheets: unknown key "copy_numbr" (did you mean '
            '"copy_number"?)',
            f'2021/sheets.yaml:{other.line}:1: sheets: unknown key "signature"; known keys: '
            "title, body, attachment, office, masthead, programme, letter_number, copy_number, "
            "classification, urgency, roles, copy_to")


# a letter's 份号, 密级 and 紧急程度 (sheets.yaml): the notice's readers, the notice's words
@pytest.mark.parametrize("lines, bad, message", [
    ('copy_number: "12345"', '"12345"',
     'copy_number: "12345" must be 6 digits, such as "000123" (GB/T 9704 7.2.1)'),
    ('copy_number: "000001"\nclassification: 内部', "内部",
     'classification: "内部" is not a 密级: write 绝密, 机密 or 秘密, with the period after ★ '
     "if there is one (机密★1年)"),
    ("classification: 秘密★1年", "秘密★1年",
     "classification: a classified document needs its 份号: add copy_number (GB/T 9704 7.2.1)"),
    ("urgency: 紧急", "紧急", 'urgency: "紧急" must be one of 特急 or 加急'),
    # 23 letters from 999990 would need seven digits
    ('copy_number: "999990"', '"999990"',
     'copy_number: "999990" is the first letter\'s 份号 and each of the 23 letters takes the '
     'next one, which would run past "999999"; start at "999977" or lower'),
    ("copy_to: 市委办公室", "市委办公室",
     "copy_to: must be a list (one item a line, each starting with -)"),
    ("copy_to:\n  - 市委办公室\n  - ", " ",
     "copy_to 2: is empty; write the text"),
])
def test_a_bad_mark_or_copy_to_of_the_letters_is_refused(content, lines, bad, message):
    content.edit("sheets.yaml", "letter_number:", lines + "\nletter_number:")
    text = content.text("sheets.yaml")
    start = text.index(lines) + lines.rindex(bad)
    line = text.count("\n", 0, start) + 1
    column = start - text.rfind("\n", 0, start)
    refused(content, f"2021/sheets.yaml:{line}:{column}: {message}", command="build")
