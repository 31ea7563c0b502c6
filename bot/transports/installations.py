"""Where the app is installed, on the bot's own database: slack-sdk's stores, and the
port that sends each council's messages with its workspace's token.

slack-sdk 3.48's ``SQLAlchemyInstallationStore`` and ``SQLAlchemyOAuthStateStore``
import ``sqlalchemy.ext.asyncio`` when their module loads, and under SQLAlchemy 2.1
that import fails unless ``greenlet`` is installed (it is not a dependency of
SQLAlchemy 2.1, nor of this project). Their synchronous code itself runs on
SQLAlchemy 2.1 unchanged. So these two classes do what theirs do, statement for
statement, on the same tables (``storage.installations``, created by migration 0013):
the same ``InstallationStore`` / ``OAuthStateStore`` interfaces Bolt calls, without the
import; and a save also resumes the delivery of the workspace's councils.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from sqlalchemy.engine import Engine

from bot.outbox import Waiting
from bot.settings import Settings
from handlers.slackport import SlackPort
from storage import installations as tables
from storage.models import Council

log = logging.getLogger(__name__)


def _naive(moment: datetime | None) -> datetime | None:
    """slack-sdk's tables hold naive UTC (``normalize_datetime_for_db``)."""
    if moment is not None and moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _row(table: sa.Table, values: dict[str, Any], client_id: str) -> dict[str, Any]:
    row = {name: value for name, value in values.items() if name in table.c}
    row["client_id"] = client_id
    for name in ("installed_at", "bot_token_expires_at", "user_token_expires_at"):
        if name in row:
            row[name] = _naive(row[name])
    return row


def _team(enterprise_id: str | None, team_id: str | None,
          is_enterprise_install: bool | None) -> str | None:
    """An organisation-wide install is stored, and found, without a team."""
    return None if is_enterprise_install or team_id is None else team_id


class CouncilInstallationStore(InstallationStore):
    """slack-sdk's SQLAlchemy installation store, on the bot's engine."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.client_id = client_id
        self.engine = engine
        #: Counts this process's saves and deletions: a port's tokens older than the
        #: latest are asked again (another process's wait at most ``TOKEN_TTL``).
        self.generation = 0

    @property
    def logger(self) -> logging.Logger:
        return log

    def _upsert(self, connection: sa.Connection, table: sa.Table, row: dict[str, Any]) -> None:
        """As slack-sdk does: one row per installation moment, the latest one answers."""
        c = table.c
        found = connection.execute(sa.select(c.id).where(
            c.client_id == self.client_id, c.enterprise_id == row.get("enterprise_id"),
            c.team_id == row.get("team_id"), c.installed_at == row["installed_at"]).limit(1)
        ).scalar()
        if found is None:
            connection.execute(table.insert(), row)
        else:
            connection.execute(table.update().where(c.id == found).values(**row))

    def save(self, installation: Installation) -> None:
        with self.engine.begin() as connection:
            self._upsert(connection, tables.INSTALLATIONS,
                         _row(tables.INSTALLATIONS, installation.to_dict(), self.client_id))
            self._upsert(connection, tables.BOTS,
                         _row(tables.BOTS, installation.to_bot().to_dict(), self.client_id))
            held = tables.resume(connection, installation.enterprise_id,
                                 _team(installation.enterprise_id, installation.team_id,
                                       installation.is_enterprise_install))
        self.generation += 1
        if held:
            log.info("installed again in %s: the messages of %d council(s) go out",
                     installation.team_id or installation.enterprise_id, held)

    def save_bot(self, bot: Bot) -> None:
        with self.engine.begin() as connection:
            self._upsert(connection, tables.BOTS, _row(tables.BOTS, bot.to_dict(), self.client_id))
        self.generation += 1

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        c = tables.BOTS.c
        query = (tables.BOTS.select()
                 .where(c.client_id == self.client_id, c.enterprise_id == enterprise_id,
                        c.team_id == _team(enterprise_id, team_id, is_enterprise_install),
                        c.bot_token.is_not(None))
                 .order_by(c.installed_at.desc()).limit(1))
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return Bot(**{name: row[name] for name in row if name not in ("id", "client_id")})

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                          user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        c = tables.INSTALLATIONS.c
        where = [c.client_id == self.client_id, c.enterprise_id == enterprise_id,
                 c.team_id == _team(enterprise_id, team_id, is_enterprise_install)]
        if user_id is not None:
            where.append(c.user_id == user_id)
        query = tables.INSTALLATIONS.select().where(*where).order_by(c.installed_at.desc()).limit(1)
        with self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        installation = Installation(**{name: row[name] for name in row
                                       if name not in ("id", "client_id")})
        if user_id is not None or installation.bot_token is None:
            # The latest bot token, as slack-sdk does (bolt-python #664).
            bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                is_enterprise_install=is_enterprise_install)
            if bot is not None and bot.bot_token != installation.bot_token:
                installation.bot_id, installation.bot_user_id = bot.bot_id, bot.bot_user_id
                installation.bot_token, installation.bot_scopes = bot.bot_token, bot.bot_scopes
                installation.bot_refresh_token = bot.bot_refresh_token
                installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    def _delete(self, table: sa.Table, enterprise_id: str | None, team_id: str | None,
                user_id: str | None = None) -> None:
        c = table.c
        where = [c.client_id == self.client_id, c.enterprise_id == enterprise_id,
                 c.team_id == team_id]
        if user_id is not None:
            where.append(c.user_id == user_id)
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(*where))
        self.generation += 1

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._delete(tables.BOTS, enterprise_id, team_id)

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        self._delete(tables.INSTALLATIONS, enterprise_id, team_id, user_id)


class CouncilStateStore(OAuthStateStore):
    """slack-sdk's SQLAlchemy OAuth state store, on the bot's engine: a state is good
    once, for ``expiration_seconds``."""

    def __init__(self, engine: Engine, expiration_seconds: int = 600,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def _now(self, ahead: float = 0) -> datetime:
        return datetime.fromtimestamp(self.clock() + ahead, tz=UTC).replace(tzinfo=None)

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = str(uuid.uuid4())
        with self.engine.begin() as connection:
            connection.execute(tables.OAUTH_STATES.insert(),
                               {"state": state, "expire_at": self._now(self.expiration_seconds)})
        return state

    def consume(self, state: str) -> bool:
        c = tables.OAUTH_STATES.c
        with self.engine.begin() as connection:
            deleted = connection.execute(tables.OAUTH_STATES.delete().where(
                c.state == state, c.expire_at > self._now()))
            return bool(deleted.rowcount)


#: How long a council's token is kept before the store is asked again. An uninstall
#: stops the council's delivery at once whatever this holds (the claim skips it), and a
#: token Slack refuses is dropped at once.
TOKEN_TTL = timedelta(seconds=60)


class InstalledPort(SlackPort):
    """Slack's port in OAuth mode: each council's messages sent with the bot token of
    the workspace (or organisation) its channel is in."""

    def __init__(self, settings: Settings, engine: Engine, store: CouncilInstallationStore,
                 client_factory: Callable[[str | None], Any]) -> None:
        super().__init__(client_factory(None), revoked_waits=True)
        self.engine = engine
        self.store = store
        self.client_factory = client_factory
        self._lock = threading.Lock()
        self._ports: dict[int, tuple[float, int, SlackPort]] = {}

    def for_council(self, council_id: int) -> SlackPort:
        with self._lock:
            cached = self._ports.get(council_id)
        generation = self.store.generation
        if cached is not None and cached[0] > time.monotonic() and cached[1] == generation:
            return cached[2]
        token = self.token_for(council_id)
        if token is None:
            raise Waiting("the app is not installed in this council's workspace")
        port = SlackPort(self.client_factory(token), revoked_waits=True,
                         on_revoked=lambda: self.forget(council_id))
        with self._lock:
            self._ports[council_id] = (time.monotonic() + TOKEN_TTL.total_seconds(),
                                       generation, port)
        return port

    def forget(self, council_id: int) -> None:
        with self._lock:
            self._ports.pop(council_id, None)

    def token_for(self, council_id: int) -> str | None:
        """The bot token of the council's workspace: its own installation, else its
        organisation's (Enterprise Grid, installed organisation-wide); a council whose
        workspace Slack has not named yet is served by the only installation, if one."""
        with self.engine.connect() as connection:
            council = connection.execute(
                sa.select(Council.team_id, Council.enterprise_id)  # type: ignore[call-overload]
                .where(Council.id == council_id)).first()
            if council is not None and council.team_id is None:
                only = connection.execute(
                    sa.select(tables.BOTS.c.enterprise_id, tables.BOTS.c.team_id,
                              tables.BOTS.c.is_enterprise_install)
                    .where(tables.BOTS.c.client_id == self.store.client_id,
                           tables.BOTS.c.bot_token.is_not(None))
                    .group_by(tables.BOTS.c.enterprise_id, tables.BOTS.c.team_id,
                              tables.BOTS.c.is_enterprise_install).limit(2)).all()
                if len(only) != 1:
                    return None
                council = only[0]
        if council is None:
            return None
        bot = self.store.find_bot(enterprise_id=council.enterprise_id, team_id=council.team_id)
        if bot is None and council.enterprise_id is not None:
            bot = self.store.find_bot(enterprise_id=council.enterprise_id, team_id=None,
                                      is_enterprise_install=True)
        return None if bot is None else bot.bot_token
