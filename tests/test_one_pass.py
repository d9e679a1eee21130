"""Every problem at once: the content, the letters' wording and the fonts in one pass."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from notice.cli import main
from notice.sheets import FIELDS


def test_content_letters_and_fonts_are_reported_together(content):
    date = content.edit("notice.yaml", "date: 2021-02-23", "date: 2021-02-30")
    field = content.edit("sheets.yaml", 'attachment: "{unit}{year}年度',
                         'attachment: "{unit}{yaer}年度')
    result = CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT",
                                       "--font", "body=/nowhere/font.otf"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines == [
        '--font: body: the font file "/nowhere/font.otf" does not exist',
        f'2021/notice.yaml:{date.line}:{date.column + 6}: date: "2021-02-30" is not a date '
        "that exists; check the month and the day",
        f"2021/sheets.yaml:{field.line}:{field.column + 12}: attachment: "
        '"{yaer}" is not a field you can use here; use one of '
        + ", ".join(f"{{{name}}}" for name in FIELDS),
        "3 problems in the content; nothing was written."]
    assert not Path("OUT").exists()


def test_unknown_units_are_named_while_units_yaml_has_problems_of_its_own(content):
    long = "单" * 60
    spot = content.edit("units.yaml", "  - 市生态环境局\n", f"  - 市生态环境局\n  - {long}\n")
    unknown = content.edit("checklist.yaml", "lead_units: [市林业局]", "lead_units: [市林业]")
    result = CliRunner().invoke(main, ["validate", "--content", "2021"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f'2021/checklist.yaml:{unknown.line}:{unknown.column + 13}: indicator 14: lead unit 1: '
        '"市林业" is not a known unit (did you mean "市林业局"?)',
        f"2021/units.yaml:{spot.line + 1}:5: other_units: holds 60 characters; a unit's name "
        "holds at most 50",
        "2 problems in the content; nothing was written."]
