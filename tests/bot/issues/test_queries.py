"""The one reading of the environment by implementation issues: the overdue period."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.issues.queries import OVERDUE_ENV, overdue_after


def test_the_overdue_period_comes_from_the_environment(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(OVERDUE_ENV, raising=False)
    assert overdue_after() == timedelta(days=30)
    monkeypatch.setenv(OVERDUE_ENV, "7")
    assert overdue_after() == timedelta(days=7)
    monkeypatch.setenv(OVERDUE_ENV, "soon")
    with caplog.at_level(logging.WARNING):
        assert overdue_after() == timedelta(days=30)
    assert "NRC_ISSUE_OVERDUE_DAYS='soon' is not a positive number of days; using 30" in caplog.text
