"""Fixtures shared by the tests."""

from __future__ import annotations

import pytest
from helpers import ContentCopy


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
