"""Configuration from the environment (a ``.env`` file is honoured)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from dotenv import load_dotenv

from storage.engine import DEFAULT_URL

SLACK_DEFAULT_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str = SLACK_DEFAULT_API_URL
    database_url: str = DEFAULT_URL
    admin_users: frozenset[str] = field(default_factory=frozenset)
    timezone: str | None = None
    charter: str | None = None
    port: int = 3000
    command: str = "/nrc"
    tick_seconds: int = 30
    deliver_seconds: int = 5
    #: After downtime, how late a reminder may still go out (PRODUCT.md section 8).
    grace_long: timedelta = timedelta(hours=6)  # reminders a day or more ahead
    grace_short: timedelta = timedelta(minutes=15)  # the others (the 1-hour reminder)

    @property
    def mode(self) -> str:
        """The transport the environment asks for (PRODUCT.md section 7)."""
        if self.app_token:
            return "socket"
        if self.signing_secret and self.bot_token:
            return "serve"
        return "console"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = os.environ
        api_url = env.get("SLACK_API_URL") or SLACK_DEFAULT_API_URL
        if not api_url.endswith("/"):
            api_url += "/"
        admins = frozenset(u.strip() for u in env.get("NRC_ADMIN_USERS", "").split(",") if u.strip())
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=api_url,
            database_url=env.get("DATABASE_URL") or DEFAULT_URL,
            admin_users=admins,
            timezone=env.get("NRC_TIMEZONE") or None,
            charter=env.get("NRC_CHARTER") or None,
            port=int(env.get("PORT") or 3000),
            command=env.get("NRC_COMMAND") or "/nrc",
            tick_seconds=int(env.get("NRC_TICK_SECONDS") or 30),
            deliver_seconds=int(env.get("NRC_DELIVER_SECONDS") or 5),
            grace_long=_duration(env, "NRC_GRACE_LONG", timedelta(hours=6)),
            grace_short=_duration(env, "NRC_GRACE_SHORT", timedelta(minutes=15)),
        )


def _duration(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    """A duration setting such as ``6h`` or ``15m``; a bad value stops the start, named."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    from bot.times import parse_duration

    try:
        return parse_duration(raw)
    except Exception as exc:
        raise ValueError(f"{name}={raw!r}: {getattr(exc, 'message', exc)}") from None
