"""Each person's language: what they chose (``/nrc language fr``), else the locale Slack
gives for them, else the council's first official language.

"Everything addressed to one person (ephemeral replies, errors with their usage line,
modals, DMs, the App Home) is in that person's language: their Slack locale
(`users.info` with `include_locale`, cached per user with a time-to-live, refreshed when
Slack says the user changed), or what they chose with `/nrc language en|fr|ru` (stored;
`/nrc language auto` goes back to Slack's)."
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from bot.i18n import negotiate
from storage.engine import reading, transaction
from storage.models_language import UserLanguage

log = logging.getLogger(__name__)

#: How long Slack's locale for a user is trusted before it is asked again.
LOCALE_TTL = timedelta(days=1)
#: The transport's way of asking Slack for a user's locale (``users.info``): None when it
#: cannot say (no Slack, a user Slack does not know, an error).
LocaleSource = Callable[[str], str | None]


def row_of(session: Session, user_id: str, team_id: str = "") -> UserLanguage | None:
    return session.exec(select(UserLanguage).where(UserLanguage.team_id == team_id,
                                                   UserLanguage.user_id == user_id)).first()


def pick(row: UserLanguage | None, fallback: str) -> str:
    """The rule: the person's choice, else Slack's locale if offered, else ``fallback``."""
    if row is not None and row.chosen:
        return row.chosen
    return negotiate(row.locale if row is not None else None, fallback)


def language_of(session: Session, user_id: str, fallback: str, team_id: str = "") -> str:
    """A person's language as the records know it (no call to Slack)."""
    return pick(row_of(session, user_id, team_id), fallback)


def stale(row: UserLanguage | None, now: datetime, ttl: timedelta = LOCALE_TTL) -> bool:
    """Whether Slack should be asked for the user's locale (never asked, or too long ago);
    a person who chose a language is not asked."""
    if row is not None and row.chosen:
        return False
    return row is None or row.checked_at is None or now - row.checked_at >= ttl


def _row(session: Session, user_id: str, team_id: str) -> UserLanguage:
    row = row_of(session, user_id, team_id)
    return row if row is not None else UserLanguage(team_id=team_id, user_id=user_id)


def choose(session: Session, user_id: str, lang: str | None, team_id: str = "") -> None:
    """Keep a person's choice (None: back to Slack's locale)."""
    row = _row(session, user_id, team_id)
    row.chosen = lang
    session.add(row)
    session.flush()


def note_locale(session: Session, user_id: str, locale: str | None, now: datetime,
                team_id: str = "") -> None:
    """Keep the locale Slack gave (or that it gave none), and when."""
    row = _row(session, user_id, team_id)
    row.locale, row.checked_at = (locale or None), now
    session.add(row)
    session.flush()


def forget_locale(session: Session, user_id: str, team_id: str = "") -> None:
    """Slack says the user changed: ask again at their next request."""
    row = row_of(session, user_id, team_id)
    if row is not None:
        row.checked_at = None
        session.add(row)
        session.flush()


class Readers:
    """Whose language is what, for the requests of one process.

    A request reads its reader's row in its own transaction (:meth:`within`: one indexed
    row, so a choice holds at once in every process). Before it, :meth:`refresh` asks
    Slack (``source``) for the locale when the records are stale, outside any lock; a
    process then trusts the records for that reader a while (``FRESH``) without looking.
    ``fixed``: one language for every reader (the console's ``--lang``).
    """

    #: How long a process trusts that a reader's records need no asking of Slack.
    FRESH = timedelta(minutes=10)

    def __init__(self, engine: Engine, fallback: str, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.fallback = fallback
        self.clock = clock
        self.source: LocaleSource | None = None
        self.fixed: str | None = None
        self._fresh: dict[str, datetime] = {}
        self._forgotten: dict[str, int] = {}  # how often Slack said each reader changed
        self._lock = threading.Lock()

    def within(self, session: Session, user_id: str) -> str:
        """The language to answer ``user_id`` in, read in the request's transaction."""
        if self.fixed is not None:
            return self.fixed
        return pick(row_of(session, user_id), self.fallback)

    def of(self, user_id: str) -> str:
        """The same, in a transaction of its own (an answer given before any request)."""
        if self.fixed is not None:
            return self.fixed
        self.refresh(user_id)
        try:
            with reading(self.engine) as session:
                return self.within(session, user_id)
        except SQLAlchemyError:
            log.warning("no language for %s: the records are unavailable", user_id)
            return self.fallback

    def refresh(self, user_id: str) -> None:
        """Ask Slack for the reader's locale if the records say it is time."""
        if self.source is None or self.fixed is not None or not user_id:
            return
        now = self.clock()
        with self._lock:
            if self._fresh.get(user_id, now) > now:
                return
            generation = self._forgotten.get(user_id, 0)
        try:
            with reading(self.engine) as session:
                row = row_of(session, user_id)
                asking = stale(row, now)
            if asking:
                locale = self.source(user_id)
                with transaction(self.engine) as session:
                    note_locale(session, user_id, locale, now)
        except SQLAlchemyError:
            log.warning("the language of %s not refreshed: the records are unavailable",
                        user_id)
            return
        with self._lock:
            if len(self._fresh) > 10_000:
                self._fresh.clear()
            # Trusted only if Slack did not say the reader changed while this looked.
            if self._forgotten.get(user_id, 0) == generation:
                self._fresh[user_id] = now + self.FRESH

    def forget(self, user_id: str) -> None:
        """Slack says the user changed: look at the records at their next request."""
        with self._lock:
            self._fresh.pop(user_id, None)
            self._forgotten[user_id] = self._forgotten.get(user_id, 0) + 1
