"""Stated limits, characters a unit's name may not hold, dates out of order (warnings) and
messages that say what really happened."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from notice import limits
from notice.cli import main
from notice.schema import _CONTROL


def _validate():
    return CliRunner().invoke(main, ["validate", "--content", "2021"])


def _build():
    return CliRunner().invoke(main, ["build", "--content", "2021", "--out", "OUT"])


# -- limits -----------------------------------------------------------------------------------

def test_a_content_file_over_the_limit_is_refused_before_it_is_read(content):
    path = content.path("workpoints.yaml")
    path.write_text(path.read_text(encoding="utf-8") + "#" * limits.FILE_BYTES,
                    encoding="utf-8")
    size = path.stat().st_size
    result = _build()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"2021/workpoints.yaml: the file holds {size} bytes; a content file holds at most "
        f"{limits.FILE_BYTES} (is it the right file?)",
        "1 problem in the content; nothing was written."]
    assert not Path("OUT").exists()


def test_a_paragraph_over_the_limit_is_refused_where_it_is(content):
    spot = content.edit("notice.yaml", "closing: 特此通知。",
                        "closing: " + "长" * (limits.TEXT_CHARACTERS + 1))
    result = _build()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"2021/notice.yaml:{spot.line}:{spot.column + 9}: closing: holds "
        f"{limits.TEXT_CHARACTERS + 1} characters; a text holds at most "
        f"{limits.TEXT_CHARACTERS} (split it, or move the detail to an attachment)",
        "1 problem in the content; nothing was written."]
    assert not Path("OUT").exists()


def test_a_list_over_the_limit_is_refused_where_it_is(content):
    items = "".join(f"  - 单位{n}\n" for n in range(limits.LIST_ITEMS + 1))
    spot = content.edit("units.yaml", "other_units:\n", f"other_units:\n{items}")
    count = len(yaml.safe_load(content.text("units.yaml"))["other_units"])
    assert count > limits.LIST_ITEMS
    result = _validate()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"2021/units.yaml:{spot.line + 1}:3: other_units: holds {count} items; a list holds "
        f"at most {limits.LIST_ITEMS}")


# -- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("character", ["\u00ad", "\u200b", "\u202e", "\u3164", "\u1680",
                                       "\u00a0", "\ufeff", "\ue000"])
def test_invisible_and_format_characters_are_refused_in_unit_names(content, character):
    name = f"市林{character}业局2"
    spot = content.edit("units.yaml", "  - 市生态环境局\n", f'  - 市生态环境局\n  - "{name}"\n')
    result = _validate()
    assert result.exit_code == 1
    label = unicodedata.name(character, "unnamed")
    if _CONTROL.search(character):  # refused in any text, before names are looked at
        what = f"contains the invisible control character U+{ord(character):04X}; delete it"
    else:
        what = (f"contains U+{ord(character):04X} ({label}), a character that shows nothing "
                "or changes how the others show; a unit's name may not hold one (delete it, "
                "or type an ordinary space)")
    assert result.stderr.splitlines() == [
        f"2021/units.yaml:{spot.line + 1}:5: other_units: {what}",
        "1 problem in the content; nothing was written."]


def test_ordinary_and_ideographic_spaces_are_allowed_in_names():
    assert limits.name_problem("市 林业局") is None
    assert limits.name_problem("市\u3000林业局") is None


# -- dates out of order: warnings -------------------------------------------------------------

def test_dates_out_of_order_are_warned_about(content):
    content.edit("notice.yaml", "date: 2021-02-23", "date: 2020-02-25")
    content.edit("notice.yaml", "printed_on: 2021-02-23", "printed_on: 2020-02-24")
    content.edit("checklist.yaml", "deadline: 2021年3月", "deadline: 2020年1月")
    result = _validate()
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stdout.splitlines() if "warning:" in line]
    assert warnings[-3:] == [
        "  warning: the notice is dated 2020-02-25 (成文), after it is printed on 2020-02-24 "
        "(印发); check the two dates",
        "  warning: the notice is dated 2020-02-25, but its number says 〔2021〕; check the "
        "date and the number's year",
        "  warning: 1 deadline before the notice's date (2020-02-25): indicator 11"]


def test_the_2021_content_has_no_date_warning(content):
    result = _validate()
    assert result.exit_code == 0
    assert "(成文)" not in result.stdout and "deadline" not in result.stdout


# -- messages that say what happened ----------------------------------------------------------

def test_a_file_with_old_mac_line_ends_is_read_not_called_empty(content):
    for name in ("notice.yaml", "units.yaml"):
        path = content.path(name)
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    result = _validate()
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["folder", "pipe"])
def test_a_folder_or_a_pipe_is_not_called_missing(content, kind):
    path = content.path("units.yaml")
    path.unlink()
    if kind == "folder":
        path.mkdir()
        what = "is a folder; it must be a YAML file"
    else:
        os.mkfifo(path)
        what = ("is not a regular file (a pipe, a socket or a device); it must be a YAML "
                "file")
    result = _validate()
    assert result.exit_code == 1
    assert f"2021/units.yaml: {what}" in result.stderr.splitlines()


def test_a_read_error_is_not_called_a_write_error(content, monkeypatch):
    import notice.cli

    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "2021/notice.yaml")

    monkeypatch.setattr(notice.cli, "load_and_check", unreadable)
    result = _validate()
    assert result.exit_code == 3
    assert result.stderr == "Error: cannot read or write: Permission denied (2021/notice.yaml)\n"


def test_content_that_is_a_file_is_not_called_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("2021").write_text("not a folder", encoding="utf-8")
    result = _validate()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "2021: is a file, not a folder; give the year's content folder (such as content/2021)")
