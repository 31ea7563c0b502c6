"""OAuth mode: the app installed in any number of workspaces through Slack's OAuth flow
(``/slack/install``, ``/slack/oauth_redirect``), its installations on the bot's database.

An uninstall (``app_uninstalled``) or a revoked bot token (``tokens_revoked``) removes
the installation, as Bolt's own revocation listeners would, but keeps the council:
its records stay, its outbox rows wait unclaimed (``storage.installations.hold``), and
installing the app again sends them (the store's ``save``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.manifest import BOT_SCOPES
from bot.runtime import Runtime
from bot.settings import Settings
from bot.transports.installations import CouncilInstallationStore, CouncilStateStore
from storage import installations as tables
from storage.models import Council, Outbox
from storage.statuses import OutboxStatus

log = logging.getLogger(__name__)


def oauth_settings(settings: Settings, engine: Engine, client: WebClient,
                   clock: Callable[[], datetime]) -> OAuthSettings:
    """Bolt's OAuth flow on the bot's stores. Everything is passed, so Bolt reads
    nothing of the environment, and its authorization (and token rotation, should
    the app turn it on) calls ``client``'s Web API (``SLACK_API_URL``), not slack.com's."""
    assert settings.client_id and settings.client_secret
    store = CouncilInstallationStore(settings.client_id, engine)
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=sorted(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.redirect_uri,
        install_path=settings.install_path,
        redirect_uri_path=settings.redirect_path,
        installation_store=store,
        state_store=CouncilStateStore(engine, clock=lambda: clock().timestamp()),
    )


def authorize(settings: OAuthSettings, client: WebClient) -> InstallationStoreAuthorize:
    """The installation's token for each request, found in the store (its bot only)."""
    return InstallationStoreAuthorize(
        logger=logging.getLogger("slack_bolt"),
        client_id=settings.client_id, client_secret=settings.client_secret,
        installation_store=settings.installation_store, bot_only=True, client=client)


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(enterprise, team) of the installation an event speaks of: no team for an
    organisation-wide install."""
    found = (body.get("authorizations") or [{}])[0]
    enterprise = body.get("enterprise_id") or found.get("enterprise_id")
    organisation = body.get("is_enterprise_install") or found.get("is_enterprise_install")
    team = None if organisation else (body.get("team_id") or found.get("team_id"))
    return (str(enterprise) if enterprise else None), (str(team) if team else None)


def register_installation_events(app: App, runtime: Runtime,
                                 store: CouncilInstallationStore) -> None:
    """``app_uninstalled`` and ``tokens_revoked`` (of the bot), handled before Slack is
    answered: a global middleware, not a listener, because Bolt acknowledges an event
    before its listener runs; so Slack hears 200 only once the councils are held and
    the installation removed, and sends the event again if that failed."""
    def uninstalled(body: dict[str, Any], why: str) -> None:
        enterprise, team = _where(body)
        with runtime.engine.begin() as connection:
            held = tables.hold(connection, enterprise, team, runtime.clock())
        store.delete_bot(enterprise_id=enterprise, team_id=team)
        store.delete_installation(enterprise_id=enterprise, team_id=team)
        log.warning("%s in %s: the installation is removed, the messages of %d council(s) "
                    "wait for the app to be installed again", why, team or enterprise, held)

    def on_installation_event(body: dict[str, Any], next: Callable[[], None]) -> None:
        event = body.get("event") if body.get("type") == "event_callback" else None
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "app_uninstalled":
            uninstalled(body, "app uninstalled")
        elif kind == "tokens_revoked" and ((event or {}).get("tokens") or {}).get("bot"):
            uninstalled(body, "bot token revoked")
        next()

    app.use(on_installation_event)

    @app.event("app_uninstalled")
    def on_app_uninstalled() -> None:
        """Done by the middleware above, before Slack was answered."""

    @app.event("tokens_revoked")
    def on_tokens_revoked() -> None:
        """Done by the middleware above (a person's token: nothing to do)."""


def team_stamp(runtime: Runtime) -> Callable[..., None]:
    """Middleware, before the listener (Bolt's ``next()`` only lets the chain go on):
    the workspace a council is in, as each request from it says (its messages go with
    that workspace's token)."""
    def stamp(context: Any, next: Callable[[], None]) -> None:
        if context.team_id:
            with runtime.engine.begin() as connection:
                tables.stamp_team(connection, context.channel_id, context.enterprise_id,
                                  context.team_id, runtime.council_key)
        next()
    return stamp


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "?"


def describe(engine: Engine, client_id: str | None) -> list[str]:
    """``nrc-bot installations``: each installation (its latest), its councils, its state."""
    c = tables.INSTALLATIONS.c
    with engine.connect() as connection:
        rows = connection.execute(
            tables.INSTALLATIONS.select().where(c.client_id == (client_id or ""))
            .order_by(c.installed_at)).mappings().all()
        councils = connection.execute(sa.select(
            Council.key, Council.name, Council.team_id,  # type: ignore[call-overload]
            Council.enterprise_id, Council.held_since).order_by(Council.key)).all()
        waiting: dict[str, int] = dict(connection.execute(
            sa.select(Council.key, sa.func.count())  # type: ignore[call-overload]
            .join(Outbox, Outbox.council_id == Council.id)
            .where(Council.held_since.is_not(None),  # type: ignore[union-attr]
                   Outbox.status == OutboxStatus.PENDING)
            .group_by(Council.key)).all())
    latest = {(row["enterprise_id"], row["team_id"]): row for row in rows}
    lines: list[str] = []
    shown: set[str] = set()
    for (enterprise, team), row in latest.items():
        where = (f"{team} ({row['team_name']})" if team else
                 f"organisation {enterprise} ({row['enterprise_name']}), organisation-wide")
        if team and enterprise:
            where += f" in organisation {enterprise}"
        lines.append(f"{where}: active, installed {_moment(row['installed_at'])}, "
                     f"bot user {row['bot_user_id']}, scopes {row['bot_scopes']}")
        for council in councils:
            if (council.team_id == team if team else council.enterprise_id == enterprise):
                shown.add(council.key)
                lines.append(f"  council {council.key} ({council.name})")
    for council in councils:
        if council.key in shown:
            continue
        where = council.team_id or council.enterprise_id or "no workspace yet"
        state = (f"uninstalled, messages held since {_moment(council.held_since)}"
                 if council.held_since else "not installed")
        held = waiting.get(council.key, 0) if council.held_since else 0
        lines.append(f"{where}: {state}\n  council {council.key} ({council.name})"
                     + (f", {held} message{'s' if held != 1 else ''} waiting" if held else ""))
    return lines or ["The app is installed nowhere yet."]
