"""The installation and OAuth state stores on the bot's database, as slack-sdk's
SQLAlchemy stores behave (the same tables, the same answers)."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.engine import Engine

from bot.transports.installations import CouncilInstallationStore, CouncilStateStore


def _installation(at: float, **fields: object) -> Installation:
    values: dict[str, object] = {"app_id": "A1", "team_id": "T1", "team_name": "NRC",
                                 "user_id": "UINSTALLER", "bot_token": "xoxb-1",
                                 "bot_id": "B1", "bot_user_id": "UBOT",
                                 "bot_scopes": "commands,chat:write", "installed_at": at}
    values.update(fields)
    return Installation(**values)  # type: ignore[arg-type]


def test_the_latest_installation_answers_and_a_deletion_removes_it(engine: Engine) -> None:
    store = CouncilInstallationStore("CID", engine)
    first = datetime(2026, 12, 1, 9, 0, tzinfo=UTC).timestamp()
    store.save(_installation(first))
    store.save(_installation(first + 60, bot_token="xoxb-2", bot_scopes="commands,chat:write,"
                             "canvases:write"))
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_scopes) == (
        "xoxb-2", ["commands", "chat:write", "canvases:write"])
    assert bot.installed_at == first + 60
    installation = store.find_installation(enterprise_id=None, team_id="T1")
    assert installation is not None and installation.bot_token == "xoxb-2"
    assert store.find_bot(enterprise_id=None, team_id="T2") is None
    assert CouncilInstallationStore("OTHER", engine).find_bot(enterprise_id=None,
                                                              team_id="T1") is None
    store.delete_bot(enterprise_id=None, team_id="T1")
    store.delete_installation(enterprise_id=None, team_id="T1")
    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id=None, team_id="T1") is None


def test_an_organisation_wide_install_is_found_without_a_team(engine: Engine) -> None:
    store = CouncilInstallationStore("CID", engine)
    store.save(_installation(1_790_000_000.0, team_id=None, team_name=None, enterprise_id="E1",
                             enterprise_name="Alliance", is_enterprise_install=True,
                             bot_token="xoxb-E1"))
    bot = store.find_bot(enterprise_id="E1", team_id="T7", is_enterprise_install=True)
    assert bot is not None and bot.bot_token == "xoxb-E1" and bot.is_enterprise_install
    assert store.find_bot(enterprise_id="E1", team_id="T7") is None


def test_a_state_is_good_once_and_until_it_expires(engine: Engine) -> None:
    now = [1_790_000_000.0]
    states = CouncilStateStore(engine, expiration_seconds=600, clock=lambda: now[0])
    state = states.issue()
    assert states.consume(state) and not states.consume(state)
    late = states.issue()
    now[0] += 601
    assert not states.consume(late)
    assert not states.consume("never-issued")
