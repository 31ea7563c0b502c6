"""The Bolt app each mode builds."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.transports.bolt_app import create_bolt_app, delivery_port
from bot.transports.installations import InstalledPort
from tests.council import Clock, make_runtime


def test_one_token_stays_one_workspace_whatever_oauth_variables_are_exported(
        engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Bolt would turn its OAuth flow on, with file stores, seeing these two.
    monkeypatch.setenv("SLACK_CLIENT_ID", "1.2")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "c")
    runtime = make_runtime(engine, clock, bot_token="xoxb-1", signing_secret="s",
                           client_id="1.2", client_secret="c")
    app, port = create_bolt_app(runtime)
    assert app.oauth_flow is None and not isinstance(port, InstalledPort)
    assert not isinstance(delivery_port(runtime), InstalledPort)


def test_oauth_builds_the_flow_on_the_bots_stores(engine: Engine, clock: Clock) -> None:
    runtime = make_runtime(engine, clock, signing_secret="s", client_id="1.2", client_secret="c")
    app, port = create_bolt_app(runtime)
    assert app.oauth_flow is not None and isinstance(port, InstalledPort)
    assert (app.oauth_flow.install_path, app.oauth_flow.redirect_uri_path) == (
        "/slack/install", "/slack/oauth_redirect")
    assert type(app.oauth_flow.settings.installation_store).__name__ == \
        "CouncilInstallationStore"
    assert isinstance(delivery_port(runtime), InstalledPort)
    assert delivery_port(make_runtime(engine, clock)) is None  # console: nothing sent
