"""Where the app is installed: slack-sdk's installation and OAuth state tables, and
the councils whose delivery is held while the app is not installed in their workspace.

The three tables are slack-sdk's (``SQLAlchemyInstallationStore.build_installations_table``,
``build_bots_table``, ``SQLAlchemyOAuthStateStore.build_oauth_states_table``, slack-sdk
3.48), column for column, so that its stores could read them as they are; migration
0013 creates them, nothing creates them at run time. They live on their own
``METADATA``, not the council's: ``nrc-bot export`` never carries a token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.models import Council

METADATA = sa.MetaData()


def _bot_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("app_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
    ]


def _team_and_bot() -> list[sa.Column[Any]]:
    """The workspace and the bot's token, as both tables keep them."""
    return [
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("bot_token", sa.String(200)),
        sa.Column("bot_id", sa.String(32)),
        sa.Column("bot_user_id", sa.String(32)),
        sa.Column("bot_scopes", sa.String(1000)),
        sa.Column("bot_refresh_token", sa.String(200)),
        sa.Column("bot_token_expires_at", sa.DateTime),
    ]


INSTALLATIONS = sa.Table(
    "slack_installations", METADATA,
    *_bot_columns(),
    sa.Column("enterprise_url", sa.String(200)),
    *_team_and_bot(),
    sa.Column("user_id", sa.String(32), nullable=False),
    sa.Column("user_token", sa.String(200)),
    sa.Column("user_scopes", sa.String(1000)),
    sa.Column("user_refresh_token", sa.String(200)),
    sa.Column("user_token_expires_at", sa.DateTime),
    sa.Column("incoming_webhook_url", sa.String(200)),
    sa.Column("incoming_webhook_channel", sa.String(200)),
    sa.Column("incoming_webhook_channel_id", sa.String(200)),
    sa.Column("incoming_webhook_configuration_url", sa.String(200)),
    sa.Column("is_enterprise_install", sa.Boolean, default=False, nullable=False),
    sa.Column("token_type", sa.String(32)),
    sa.Column("installed_at", sa.DateTime, nullable=False, default=sa.func.now()),
    sa.Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id",
             "installed_at"),
)

BOTS = sa.Table(
    "slack_bots", METADATA,
    *_bot_columns(),
    *_team_and_bot(),
    sa.Column("is_enterprise_install", sa.Boolean, default=False, nullable=False),
    sa.Column("installed_at", sa.DateTime, nullable=False, default=sa.func.now()),
    sa.Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

OAUTH_STATES = sa.Table(
    "slack_oauth_states", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("state", sa.String(200), nullable=False),
    sa.Column("expire_at", sa.DateTime, nullable=False),
)

_COUNCIL: Any = Council.__table__  # type: ignore[attr-defined]


def _of(enterprise_id: str | None, team_id: str | None) -> Any:
    """The councils of a workspace, or of every workspace of an organisation (an
    organisation-wide install has no team)."""
    if team_id is None:
        return _COUNCIL.c.enterprise_id == enterprise_id
    return _COUNCIL.c.team_id == team_id


def hold(connection: Connection, enterprise_id: str | None, team_id: str | None,
         now: datetime) -> int:
    """The app was uninstalled (or its token revoked): the councils' messages wait, kept,
    unclaimed, until it is installed again. Returns how many councils."""
    result = connection.execute(
        sa.update(_COUNCIL).where(_of(enterprise_id, team_id), _COUNCIL.c.held_since.is_(None))
        .values(held_since=now))
    return int(result.rowcount)


def resume(connection: Connection, enterprise_id: str | None, team_id: str | None) -> int:
    """Installed again: the councils' waiting messages go out. Returns how many councils."""
    result = connection.execute(
        sa.update(_COUNCIL).where(_of(enterprise_id, team_id), _COUNCIL.c.held_since.is_not(None))
        .values(held_since=None))
    return int(result.rowcount)


def stamp_team(connection: Connection, channel_id: str | None, enterprise_id: str | None,
               team_id: str, council_key: str) -> int:
    """The workspace a council is in, as a request from it says: the council bound to
    the channel, else the charter's council while no channel and no workspace are its
    own (the request may be the ``setup`` that binds it). Read first: most requests
    find the council stamped already and write nothing."""
    c = _COUNCIL.c
    bound = (c.channel_id == channel_id) if channel_id else sa.false()
    unbound = (c.key == council_key) & c.channel_id.is_(None) & c.team_id.is_(None)
    stale = sa.or_(c.team_id.is_(None), c.team_id != team_id,
                   c.enterprise_id.is_distinct_from(enterprise_id))
    where = sa.or_(bound & stale, unbound)
    if connection.execute(sa.select(c.id).where(where).limit(1)).first() is None:
        return 0
    result = connection.execute(
        sa.update(_COUNCIL).where(where).values(team_id=team_id, enterprise_id=enterprise_id))
    return int(result.rowcount)
