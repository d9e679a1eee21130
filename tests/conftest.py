"""Fixtures shared by the tests."""

from __future__ import annotations

import logging
import os

import pytest
from helpers import ContentCopy


class _LogFile(logging.Handler):
    """Appends each record to a file: rendering workers are forked, and a record logged in a
    worker must reach the test too."""

    def __init__(self, path):
        super().__init__(logging.WARNING)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        with open(self.path, "a", encoding="utf-8") as log:
            log.write(f"{record.name} {record.levelname}: {record.getMessage()}\n")


@pytest.fixture(scope="session", autouse=True)
def _weasyprint_log(tmp_path_factory):
    """Every WeasyPrint record at WARNING or above, in a file, for the whole session (so that
    what a session fixture such as built_2021 logs is caught by the test that set it up)."""
    path = tmp_path_factory.mktemp("weasyprint-log") / "records.txt"
    path.touch()
    handler = _LogFile(path)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield path
    logger.removeHandler(handler)


@pytest.fixture(scope="session", autouse=True)
def _user_cache(tmp_path_factory):
    """The user's cache (titles' words, notice/titles.py) in a folder of the session, not in
    the home of whoever runs the tests; the processes the tests start inherit it."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(autouse=True)
def no_weasyprint_warnings(request, _weasyprint_log):
    """Fail a test on any WeasyPrint record at WARNING or above (a typo in a CSS property is
    only logged); a test that expects one is marked `weasyprint_warns`.

    WeasyPrint's own tests do the same (tests/testing_utils.py, assert_no_logs).
    """
    start = os.path.getsize(_weasyprint_log)
    yield
    with open(_weasyprint_log, encoding="utf-8") as log:
        log.seek(start)
        records = log.read().splitlines()
    if records and request.node.get_closest_marker("weasyprint_warns") is None:
        pytest.fail("WeasyPrint logged:\n" + "\n".join(records), pytrace=False)


@pytest.fixture
def content(tmp_path, monkeypatch) -> ContentCopy:
    """An editable copy of the 2021 content; the current directory is its parent."""
    copy = ContentCopy(tmp_path)
    monkeypatch.chdir(tmp_path)
    return copy


@pytest.fixture
def small(tmp_path, monkeypatch) -> ContentCopy:
    """An editable copy of the small fixture year (tests/fixtures/small/2023)."""
    from helpers import SMALL

    copy = ContentCopy(tmp_path, SMALL)
    monkeypatch.chdir(tmp_path)
    return copy


@pytest.fixture(scope="session")
def built_2021(tmp_path_factory):
    """The whole 2021 set, built once for the session (notice, letters, matrix)."""
    from helpers import CONTENT_2021

    from notice.build import build

    return build(CONTENT_2021, tmp_path_factory.mktemp("out"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from the templates as they are now")
