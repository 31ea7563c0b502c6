"""Configuration from the environment (a ``.env`` file is honoured).

Every variable the bot reads is read here, once, by :meth:`Settings.from_env`;
a bad value stops the start with the variable's name and value
(``NRC_GRACE_LONG='soon': "soon" is not a duration; ...``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from dotenv import load_dotenv
from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from storage.engine import DEFAULT_URL

log = logging.getLogger(__name__)

SLACK_DEFAULT_API_URL = "https://slack.com/api/"

#: How long an issue may stay open before reminders call it overdue, in days.
DEFAULT_ISSUE_OVERDUE_DAYS = 30.0


def _api_url(value: object) -> object:
    """Slack's Web API base; the client joins method names to it, so it ends with "/"."""
    if isinstance(value, str) and not value.endswith("/"):
        return value + "/"
    return value


def _admins(value: object) -> object:
    """``NRC_ADMIN_USERS=UA0000001, UB0000001``: Slack user IDs, blanks ignored."""
    if isinstance(value, str):
        return frozenset(u.strip() for u in value.split(",") if u.strip())
    return value


def _whole(value: object) -> object:
    """A whole number such as ``PORT=8080``."""
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.lstrip("+-").isdigit():
            raise ValueError("must be a whole number")
        return int(stripped)
    return value


def _duration(value: object) -> object:
    """A duration setting such as ``6h`` or ``15m``; a bad value stops the start, named."""
    if isinstance(value, str):
        from bot.times import read_duration

        return read_duration(value)
    return value


def _public_url(value: object) -> object:
    """Where ``nrc-bot serve`` is reachable from outside, without a trailing "/"."""
    if isinstance(value, str):
        return value.strip().rstrip("/") or None
    return value


def _overdue_days(value: object) -> object:
    """A positive number of days; like before, a bad value is logged and the default used."""
    if not isinstance(value, str):
        return value
    raw = value.strip()
    try:
        days = float(raw)
    except ValueError:
        days = -1
    if not days > 0:
        log.warning("%s=%r is not a positive number of days; using %s",
                    "NRC_ISSUE_OVERDUE_DAYS", raw, int(DEFAULT_ISSUE_OVERDUE_DAYS))
        return DEFAULT_ISSUE_OVERDUE_DAYS
    return days


def _level(value: object) -> object:
    """A log level name, compared without case; the command line checks which it is."""
    if isinstance(value, str):
        return value.strip().casefold() or None
    return value


Whole = Annotated[int, BeforeValidator(_whole)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]


class Settings(BaseSettings):
    """The bot's configuration; immutable. Each field is read from the variable it names."""

    model_config = SettingsConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    #: OAuth (installation in any number of workspaces): the app's credentials. Unused
    #: when ``SLACK_BOT_TOKEN`` is set: one workspace, one token, as before.
    client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    client_secret: str | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")
    install_path: str = Field(default="/slack/install", validation_alias="SLACK_INSTALL_PATH")
    redirect_path: str = Field(default="/slack/oauth_redirect",
                               validation_alias="SLACK_REDIRECT_URI_PATH")
    #: The redirect URL Slack is told, when the app's settings list more than one.
    redirect_uri: str | None = Field(default=None, validation_alias="SLACK_REDIRECT_URI")
    api_url: Annotated[str, BeforeValidator(_api_url)] = Field(
        default=SLACK_DEFAULT_API_URL, validation_alias="SLACK_API_URL")
    database_url: str = Field(default=DEFAULT_URL, validation_alias="DATABASE_URL")
    admin_users: Annotated[frozenset[str], BeforeValidator(_admins)] = Field(
        default=frozenset(), validation_alias="NRC_ADMIN_USERS")
    timezone: str | None = Field(default=None, validation_alias="NRC_TIMEZONE")
    charter: str | None = Field(default=None, validation_alias="NRC_CHARTER")
    port: Whole = Field(default=3000, validation_alias="PORT")
    command: str = Field(default="/nrc", validation_alias="NRC_COMMAND")
    tick_seconds: Whole = Field(default=30, validation_alias="NRC_TICK_SECONDS")
    deliver_seconds: Whole = Field(default=5, validation_alias="NRC_DELIVER_SECONDS")
    #: After downtime, how late a reminder may still go out (PRODUCT.md section 8).
    #: ``grace_long``: reminders a day or more ahead; ``grace_short``: the others (1 hour).
    grace_long: Duration = Field(default=timedelta(hours=6), validation_alias="NRC_GRACE_LONG")
    grace_short: Duration = Field(default=timedelta(minutes=15), validation_alias="NRC_GRACE_SHORT")
    #: Where ``nrc-bot serve`` is reachable from outside, for the calendar feed addresses.
    public_url: Annotated[str | None, BeforeValidator(_public_url)] = Field(
        default=None, validation_alias="NRC_PUBLIC_URL")
    #: How long an issue may stay open before reminders call it overdue.
    issue_overdue_days: Annotated[float, BeforeValidator(_overdue_days)] = Field(
        default=DEFAULT_ISSUE_OVERDUE_DAYS, validation_alias="NRC_ISSUE_OVERDUE_DAYS")
    #: ``debug``, ``info``, ``warning`` or ``error`` (checked by ``nrc-bot``), or unset.
    log_level: Annotated[str | None, BeforeValidator(_level)] = Field(
        default=None, validation_alias="NRC_LOG_LEVEL")
    #: gunicorn (the Procfile's ``web`` line): worker processes and threads per worker.
    web_concurrency: Whole = Field(default=2, validation_alias="WEB_CONCURRENCY")
    threads: Whole = Field(default=8, validation_alias="NRC_THREADS")

    @property
    def mode(self) -> str:
        """The transport the environment asks for (PRODUCT.md section 7)."""
        if self.app_token:
            return "socket"
        if self.signing_secret and (self.bot_token or self.oauth):
            return "serve"
        return "console"

    @property
    def oauth(self) -> bool:
        """Installed through Slack's OAuth flow, each workspace with its own token: the
        app's credentials and signing secret are set, and no single bot token is."""
        return bool(not self.bot_token and self.client_id and self.client_secret
                    and self.signing_secret)

    @property
    def issue_overdue(self) -> timedelta:
        """``issue_overdue_days`` as a period."""
        return timedelta(days=self.issue_overdue_days)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values passed in: :meth:`from_env` passes the environment's.

        So ``Settings(bot_token=...)`` built by code or a test is exactly what it
        says, whatever the shell running it has exported.
        """
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
        """The settings the variables ask for: ``env``, or the process's (and ``.env``'s)."""
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = os.environ
        names = [field.validation_alias for field in cls.model_fields.values()]
        # A blank variable is an unset one: ``SLACK_APP_TOKEN=`` means no token.
        variables: dict[str, Any] = {name: env[name] for name in names
                                     if isinstance(name, str) and env.get(name, "").strip()}
        try:
            return cls(**variables)
        except ValidationError as exc:
            raise ValueError(_first_problem(exc)) from None


def _first_problem(exc: ValidationError) -> str:
    """``NRC_GRACE_LONG='soon': "soon" is not a duration; ...``: the variable, its value, why."""
    error = exc.errors()[0]
    name = ".".join(str(part) for part in error["loc"])
    value = error["input"]
    shown = value.strip() if isinstance(value, str) else value
    cause = error.get("ctx", {}).get("error")
    problem = str(cause) if cause is not None else error["msg"]
    return f"{name}={shown!r}: {problem}"
