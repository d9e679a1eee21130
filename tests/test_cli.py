"""The validate and units commands on sound content, and the last line of defence."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest
from helpers import REPO, run

import notice.cli

SUMMARY = [
    "content/2021: valid — 巴生态创办发〔2021〕1号",
    "  2 documents, 1 attachment",
    "  25 indicators (11–35) in 4 domains",
    "  29 recipients, 23 units with work, 274 assignments",
    "  warning: 13 recipients have no assignment: 市中级人民法院、市人民检察院、市委办公室、"
    "市政府办公室、市委组织部、市委宣传部、市目标绩效管理办公室、市教育和体育局、市科学技术局、"
    "市司法局、市人力资源和社会保障局、市审计局、市统计局",
    "  warning: assigned but not on the 市级相关部门名单: 市生态环境局",
]


@pytest.fixture
def year_folder(tmp_path, monkeypatch, content):
    """The copied content moved to content/2021, where the commands look by default."""
    (tmp_path / "content").mkdir()
    content.folder.rename(tmp_path / "content" / "2021")
    before = content.snapshot()
    yield tmp_path
    assert content.snapshot() == before, "a command wrote or changed a file"
    assert not (tmp_path / "output").exists()


def test_validate_the_bundled_content(year_folder):
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == SUMMARY
    # without --content the command says which year it read
    assert result.stderr == ("content: content/2021 (the latest year; choose another with "
                             "--content)\n")


def test_validate_with_an_explicit_folder(year_folder):
    result = run("validate", "--content", "content/2021")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == SUMMARY


def test_validate_accepts_an_absolute_folder(year_folder):
    folder = year_folder / "content" / "2021"
    result = run("validate", "--content", str(folder))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{folder}: valid — 巴生态创办发〔2021〕1号"


@pytest.mark.parametrize("unit, lines", [
    ("市林业局", [
        "27 市林业局",
        "     leads:  14, 15, 19",
        "     shares: 11, 13, 27",
    ]),
    ("市生态环境局", [
        "30 市生态环境局",
        "     leads:  11, 12, 13, 16, 17, 18, 24, 25, 27",
        "     shares: 15, 19, 26, 28, 29, 33",
    ]),
    ("市公安局", [
        "12 市公安局",
        "     leads:  —",
        "     shares: 11, 16",
    ]),
])
def test_units_lists_each_units_work(year_folder, unit, lines):
    result = run("units")
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    heads = [n for n, line in enumerate(out) if line.endswith(f" {unit}")]
    assert len(heads) == 1
    assert out[heads[0]:heads[0] + 3] == lines


def test_units_lists_23_units_in_order(year_folder):
    out = run("units").stdout.splitlines()
    heads = out[::3]
    assert len(out) == 3 * 23
    assert heads[0] == "08 市发展和改革委员会"
    assert heads[-1] == "36 巴中经开区"
    assert [h[:2] for h in heads] == sorted(h[:2] for h in heads)


def test_no_year_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [
        f"content: no year folder (such as {datetime.date.today().year}) here",
        "1 problem in the content; nothing was written.",
    ]


def test_missing_content_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", "--content", "2031")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "2031: the content folder is missing"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["validate", "units"])
def test_internal_error_is_one_line_and_exit_3(year_folder, monkeypatch, command):
    def broken(folder, *args):
        raise RuntimeError("boom")

    monkeypatch.setattr(notice.cli, "load_content", broken)
    monkeypatch.setattr(notice.cli, "load_and_check", broken)  # validate's one pass
    result = run(command)
    assert result.exit_code == 3
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "content: content/2021 (the latest year; choose another with --content)",
        "Error: internal error (RuntimeError: boom); please report it with the content folder",
    ]


def _program(where, *args: str, before: str = "pass") -> subprocess.CompletedProcess:
    """build.py's entry point run as a program in the folder `where`: `before` is run first
    in the same process."""
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); "
            f"sys.argv = ['build.py', *{list(args)!r}]; {before}; "
            "from notice.cli import entry; entry()")
    return subprocess.run([sys.executable, "-c", code], cwd=where, capture_output=True,
                          text=True, timeout=120)


def test_the_program_ends_with_its_status_its_output_whole_and_exit_handlers_run(
        year_folder):
    """It leaves without taking the interpreter apart (os._exit): what it printed is all
    there, the status is the command's, and the exit handlers have run."""
    done = _program(year_folder, "units",
                    before="import atexit; atexit.register(print, 'handlers ran')")
    assert done.returncode == 0, done.stderr
    assert done.stdout == run("units").stdout + "handlers ran\n"
    assert done.stdout.count("\n") == 70  # 23 units, three lines each, and the handler
    missing = _program(year_folder, "validate", "--content", "no-such-folder")
    assert missing.returncode == 1
    assert missing.stderr == ("no-such-folder: the content folder is missing\n"
                              "1 problem in the content; nothing was written.\n")
    assert _program(year_folder, "--no-such-option").returncode == 2
