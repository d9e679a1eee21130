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
