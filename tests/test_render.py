"""Templates and fonts: a broken template is named with its line; a clerk's own font is used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner
from helpers import CONTENT_2021, SMALL

from notice import render
from notice.cli import main
from notice.render import TemplateProblem, render_template


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A templates folder of the test's own, in place of the project's."""
    monkeypatch.setattr(render, "TEMPLATES", tmp_path)
    render.environment.cache_clear()
    yield tmp_path
    render.environment.cache_clear()


def test_a_syntax_error_names_the_template_and_line(templates):
    (templates / "broken.html.j2").write_text("<p>\n{{ title }}\n{% if %}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        render_template("broken.html.j2", title="x")
    assert caught.value.format_message() == (
        "templates/broken.html.j2:3: Expected an expression, got 'end of statement block'")


def test_an_undefined_name_names_the_template_and_line(templates):
    (templates / "page.html.j2").write_text("<p>{{ title }}</p>\n<p>{{ nope }}</p>\n",
                                            encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        render_template("page.html.j2", title="x")
    assert caught.value.format_message() == "templates/page.html.j2:2: 'nope' is undefined"


def test_content_is_escaped_in_templates(templates):
    (templates / "page.html.j2").write_text("<p>{{ title }}</p>", encoding="utf-8")
    assert render_template("page.html.j2", title="a < b & <i>c</i>") == (
        "<p>a &lt; b &amp; &lt;i&gt;c&lt;/i&gt;</p>")


def test_a_font_file_of_the_clerks_own_serves_its_role(tmp_path):
    kai = "/usr/local/share/fonts/fandol/FandolKai-Regular.otf"
    result = CliRunner().invoke(main, ["build", "--content", str(SMALL), "--out",
                                       str(tmp_path), "--font", f"body={kai}", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "font 正文: user-FandolKai-Regular (FandolKai-Regular.otf) (then FandolFang" \
        in result.output
    with pdfplumber.open(tmp_path / "2023" / "notice.pdf") as pdf:
        body = [c for c in pdf.pages[0].chars if abs(c["size"] - 16) < 0.1]
    assert body
    fonts = {c["fontname"].split("+")[-1] for c in body}
    assert any("FandolKai" in f for f in fonts), fonts
    assert not any("FandolFang" in f for f in fonts), fonts


def test_a_font_file_that_does_not_exist_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["build", "--content", str(SMALL), "--out",
                                       str(tmp_path), "--font", "body=/no/such.otf"])
    assert result.exit_code == 1
    assert result.output == ('--font: body: the font file "/no/such.otf" does not exist\n'
                             "1 problem in the content; nothing was written.\n")
    assert not (tmp_path / "2023").exists()


def test_a_weasyprint_warning_fails_the_test_that_logged_it(tmp_path):
    """The autouse fixture of conftest.py, run on a test with a typo in a CSS property."""
    tests = Path(__file__).resolve().parent
    shutil.copy(tests / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_typo.py").write_text(
        "import pytest\n"
        "from weasyprint import HTML\n\n"
        "TYPO = '<p style=\"text-indnet: 2em\">x</p>'\n\n"
        "def test_logs():\n    HTML(string=TYPO).write_pdf()\n\n"
        "@pytest.mark.weasyprint_warns\n"
        "def test_expects_it():\n    HTML(string=TYPO).write_pdf()\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tests.parent), str(tests)]))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "ignore::pytest.PytestUnknownMarkWarning", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "2 passed, 1 error in" in done.stdout, done.stdout  # the error: test_logs
    assert "ERROR test_typo.py::test_logs - Failed: WeasyPrint logged:" in done.stdout
    assert "Ignored `text-indnet: 2em` at 1:1, unknown property." in done.stdout


def test_fitted_widths_come_back_from_the_user_cache(tmp_path, monkeypatch):
    """The widths fitted to a table's text are kept from run to run (notice/usercache.py); a
    damaged entry is fitted again."""
    from notice import columns
    from notice.checks import load_and_check

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    columns._FITS.forget()
    content, _text, sheets, _fonts = load_and_check(CONTENT_2021)
    declared, rows = content.checklist.columns, sheets[0].rows
    notice_widths = columns.columns_of(columns.NOTICE, content.checklist)
    letter_widths = columns.letter_columns(declared, rows)
    columns._FITS.flush()
    kept = tmp_path / "notice" / "widths.json"
    assert len(json.loads(kept.read_text(encoding="utf-8"))) == 2

    # a new process: both from the file, nothing fitted
    columns._FITS.forget()
    monkeypatch.setattr(columns, "fit_widths", lambda *a: pytest.fail("fitted again"))
    monkeypatch.setattr(columns, "_fitted", lambda *a: pytest.fail("fitted again"))
    assert columns.columns_of(columns.NOTICE, content.checklist) == notice_widths
    assert columns.letter_columns(declared, rows) == letter_widths

    # a damaged entry is fitted again, to the same widths
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kept.write_text(json.dumps({key: ["x"] for key in json.loads(kept.read_text())}),
                    encoding="utf-8")
    columns._FITS.forget()
    assert columns.columns_of(columns.NOTICE, content.checklist) == notice_widths
    columns._FITS.forget()
