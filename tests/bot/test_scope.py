"""One Scope, shared by a request's Context and a scheduler pass's PassContext."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from bot import scheduler
from bot.charter import DEFAULT_CHARTER, Charter
from bot.context import Context
from bot.messages import Message
from bot.runtime import Runtime
from bot.scheduler import PassContext, run_passes
from bot.scope import Scope
from bot.settings import Settings
from tests.council import ADMIN, CHANNEL, CHARTER, make_runtime

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_scope_settings_describe() -> None:
    scope = Scope.of(Settings())
    assert scope.charter.source_path == DEFAULT_CHARTER
    assert scope.settings == Settings()
    assert scope.zone == ZoneInfo("Europe/Brussels")
    assert scope.slash == "/nrc"
    other = Scope.of(Settings(timezone="Europe/Paris", command="/council"), CHARTER)
    assert other.charter is CHARTER
    assert (other.zone, other.slash) == (ZoneInfo("Europe/Paris"), "/council")


def test_the_scope_is_immutable() -> None:
    scope = Scope.of(Settings())
    with pytest.raises(dataclasses.FrozenInstanceError):
        scope.slash = "/other"  # type: ignore[misc]


def test_a_request_sees_the_runtime_scope(engine: Engine) -> None:
    runtime = make_runtime(engine, command="/council", timezone="Europe/Paris")
    seen: list[Context] = []

    def look(ctx: Context) -> Message:
        seen.append(ctx)
        return Message(text="seen")

    assert runtime.run_action(ADMIN, CHANNEL, look, mutates=False).text == "seen"
    ctx = seen[0]
    assert ctx.scope == runtime.scope
    assert ctx.charter is runtime.charter
    assert ctx.settings is runtime.settings
    assert ctx.slash == "/council"
    assert ctx.scope.zone == ZoneInfo("Europe/Paris") == runtime.tz_default
    assert ctx.extras == {}


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[PassContext]:
    """Replace the registered passes by one that keeps the PassContext it is given."""
    seen: list[PassContext] = []

    def watcher(pctx: PassContext) -> int:
        seen.append(pctx)
        return 0

    monkeypatch.setattr(scheduler, "PASSES", [("watches", watcher)])
    monkeypatch.setattr(scheduler, "DUE", {})
    return seen


def test_a_pass_sees_the_runtime_scope(engine: Engine,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    runtime: Runtime = make_runtime(engine, command="/council",
                                    grace_long=timedelta(hours=12))
    seen = _watch(monkeypatch)
    runtime.tick(NOW)
    pctx = seen[0]
    assert pctx.scope == runtime.scope
    assert pctx.settings is runtime.settings
    assert pctx.charter is runtime.charter
    assert pctx.slash == "/council"
    assert pctx.tz == ZoneInfo("Europe/Brussels")  # the council's own zone
    assert pctx.grace(timedelta(days=1)) == timedelta(hours=12)
    assert pctx.grace(timedelta(hours=1)) == timedelta(minutes=15)


def test_a_pass_without_a_runtime_gets_the_scope_its_settings_describe(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    make_runtime(engine)
    seen = _watch(monkeypatch)
    run_passes(engine, NOW)
    assert seen[-1].settings == Settings()
    assert seen[-1].charter.source_path == DEFAULT_CHARTER
    settings = Settings(command="/council")
    run_passes(engine, NOW, settings)
    assert seen[-1].settings is settings and seen[-1].slash == "/council"
    graced = Settings(grace_long=timedelta(hours=1), grace_short=timedelta(minutes=1))
    run_passes(engine, NOW, graced)
    assert seen[-1].settings is graced
    assert seen[-1].grace(timedelta(days=2)) == timedelta(hours=1)
    assert isinstance(seen[-1].charter, Charter)
