"""Recording what the council must see, in the transaction of the change that causes it.

A row's unique key (``council_id``, ``key``) is what makes a reminder or an
announcement impossible to send twice: a second record of the same key is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, null
from sqlmodel import Session

from bot import keys
from bot.languages import language_of
from bot.messages import Build, Message, in_language, in_languages
from bot.outbox.port import DUE, HOME_SETTLE, Due
from bot.scope import Scope
from storage.models import Council, Outbox
from storage.queries import insert_ignoring_duplicates, upsert
from storage.statuses import OutboxKind, OutboxStatus


def _noted(session: Session, due: datetime, row_id: int, kind: object) -> None:
    """Remember in the session that row ``row_id`` is to be sent at ``due``."""
    session.info.setdefault(DUE, set()).add(Due(due, row_id, kind == OutboxKind.HOME))


def due_in(session: Session) -> set[Due]:
    """The rows recorded in this session, and when they are due (empty: it recorded none)."""
    return set(session.info.get(DUE, ()))


def _insert_ignoring_duplicates(session: Session, values: dict[str, object]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when this call wrote the row."""
    row_id = insert_ignoring_duplicates(session, Outbox, values, ("council_id", "key"))
    if row_id is not None and values.get("status") == OutboxStatus.PENDING:
        _noted(session, values["next_attempt_at"], row_id, values["kind"])  # type: ignore[arg-type]
    return row_id is not None


def _values(
    council_id: int, key: str, kind: str, message: Message, now: datetime, **extra: object
) -> dict[str, object]:
    values: dict[str, object] = {
        "council_id": council_id,
        "key": key,
        "kind": kind,
        "payload": message.to_dict(),
        "status": OutboxStatus.PENDING,
        "revision": 1,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "channel": None,
        "thread_key": None,
        "target_key": None,
    }
    values.update(extra)
    return values


def post(
    session: Session,
    council_id: int,
    key: str,
    message: Message,
    now: datetime,
    *,
    channel: str | None = None,
    thread_key: str | None = None,
) -> bool:
    """Record a post in the council channel (or ``channel``); False if the key exists."""
    return _insert_ignoring_duplicates(
        session,
        _values(council_id, key, OutboxKind.POST, message, now, channel=channel,
                thread_key=thread_key),
    )


def dm(session: Session, council_id: int, key: str, user_id: str, message: Message,
       now: datetime) -> bool:
    """Record a direct message to a user; False if the key exists."""
    return _insert_ignoring_duplicates(
        session, _values(council_id, key, OutboxKind.DM, message, now, channel=user_id)
    )


def skip(session: Session, council_id: int, key: str, message: Message, now: datetime,
         reason: str) -> bool:
    """Record that a message was due but will not be sent (e.g. stale after downtime)."""
    return _insert_ignoring_duplicates(
        session,
        _values(council_id, key, OutboxKind.POST, message, now, status=OutboxStatus.SKIPPED,
                last_error=reason),
    )


def _upsert_latest(session: Session, rows: Iterable[dict[str, object]]) -> None:
    """Keep one row per target with the newest content: only the latest state matters.

    One statement for any number of targets (``INSERT … ON CONFLICT DO UPDATE``).
    A row already waiting keeps its earlier moment, so that changes coming one
    after another are sent together rather than putting the send off for ever.
    """
    rows = sorted(rows, key=lambda r: str(r["key"]))  # one lock order for every writer
    if not rows:
        return
    # A row already waiting keeps its earlier moment: noting the later one only means
    # the courier finds it sent already, or delivers it then.
    for row, row_id in zip(rows, upsert(session, Outbox, rows, ("council_id", "key"), _latest),
                           strict=True):
        _noted(session, row["next_attempt_at"], row_id, row["kind"])  # type: ignore[arg-type]


def _latest(table: Any, excluded: Any) -> dict[str, object]:
    """An existing row takes the newest content and is due again (see ``_upsert_latest``)."""
    waiting = ((table.c.status == OutboxStatus.PENDING)
               & (table.c.next_attempt_at < excluded.next_attempt_at))
    return {
        "payload": excluded.payload,
        "revision": table.c.revision + 1,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "last_error": null(),  # not None: a bound None would make SQLAlchemy send row by row
        "next_attempt_at": case((waiting, table.c.next_attempt_at),
                                else_=excluded.next_attempt_at),
    }


def update_message(session: Session, council_id: int, target_key: str, message: Message,
                   now: datetime) -> None:
    """Replace the content of a message posted earlier (``chat.update``)."""
    _upsert_latest(session, [_values(council_id, keys.updated(target_key), OutboxKind.UPDATE,
                                     message, now, target_key=target_key)])


def refresh_view(session: Session, council_id: int, target_key: str, view: str, ref: object,
                 now: datetime, *, homes: Iterable[str] = ()) -> None:
    """Bring a message posted earlier up to date with the records, when it is delivered.

    Only the request is recorded: ``view`` names the renderer the delivering
    process builds the message with (``Renderer``), as of the moment it is sent,
    so that changes following one another become one ``chat.update`` showing
    the latest, and the change that asked is not kept waiting for the rendering.
    ``homes``: users whose App Homes the change concerns too (see
    :func:`publish_homes`), recorded in the same statement.
    """
    _upsert_latest(session, [
        _values(council_id, keys.updated(target_key), OutboxKind.UPDATE, Message(text=""), now,
                target_key=target_key, payload={"view": view, "ref": ref}),
        *_home_rows(council_id, homes, now, HOME_SETTLE)])


def canvas(session: Session, council_id: int, key: str, view: str, ref: object,
           now: datetime) -> bool:
    """Record a canvas to create in the council channel, once; False if the key exists.

    Only the request is recorded, as by :func:`refresh_view`: ``view`` renders the
    document (the message's ``header`` its title, its ``text`` the Markdown) from the
    records as they are when it is created.
    """
    return _insert_ignoring_duplicates(
        session, _values(council_id, key, OutboxKind.CANVAS, Message(text=""), now,
                         payload={"view": view, "ref": ref}))


def edit_canvas(session: Session, council_id: int, target_key: str, view: str, ref: object,
                now: datetime) -> None:
    """Replace the document of the canvas ``target_key`` with the records' latest, when it
    is delivered: changes in quick succession become one ``canvases.edit``."""
    _upsert_latest(session, [
        _values(council_id, keys.updated(target_key), OutboxKind.CANVAS_EDIT, Message(text=""),
                now, target_key=target_key, payload={"view": view, "ref": ref})])


def _home_rows(council_id: int, user_ids: Iterable[str], now: datetime,
               settle: timedelta) -> list[dict[str, object]]:
    return [_values(council_id, keys.home(user), OutboxKind.HOME, Message(text=""), now,
                    channel=user, next_attempt_at=now + settle)
            for user in dict.fromkeys(u for u in user_ids if u)]


def publish_homes(session: Session, council_id: int, user_ids: Iterable[str], now: datetime,
                  settle: timedelta = HOME_SETTLE) -> None:
    """Ask for users' App Homes to be published again, ``settle`` from now.

    Only the request is recorded: each Home is built when it is delivered, after
    the person who caused the change has their answer and outside the council's
    lock, and it shows the council as it is then, not as it was.
    """
    _upsert_latest(session, _home_rows(council_id, user_ids, now, settle))


class OutboxWriter:
    """A council, a session and a moment: ``post``, ``dm``, ``update``, canvases and the
    time zone.

    Shared by a request's :class:`bot.context.Context` and a scheduler pass's
    ``PassContext``, so both record what the council must see the same way.
    """

    session: Session
    council: Council
    now: datetime
    scope: Scope

    @property
    def languages(self) -> tuple[str, ...]:
        """The council's official languages: a channel post is rendered in each."""
        return self.scope.charter.languages

    def language_of(self, user_id: str) -> str:
        """The language a message to ``user_id`` is rendered in."""
        return language_of(self.session, user_id, self.languages[0])

    @property
    def council_id(self) -> int:
        assert self.council.id is not None
        return self.council.id

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.council.timezone)

    def post(self, key: str, message: Message | Build, *,
             thread_key: str | None = None) -> bool:
        """A channel post, in every official language when ``message`` is a builder."""
        return post(self.session, self.council_id, key, in_languages(message, self.languages),
                    self.now, thread_key=thread_key)

    def dm(self, key: str, user_id: str, message: Message | Build) -> bool:
        """A direct message, in its reader's language when ``message`` is a builder."""
        return dm(self.session, self.council_id, key, user_id,
                  in_language(message, self.language_of(user_id)), self.now)

    def update(self, target_key: str, message: Message | Build) -> None:
        update_message(self.session, self.council_id, target_key,
                       in_languages(message, self.languages), self.now)

    def refresh(self, target_key: str, view: str, ref: object, *,
                homes: Iterable[str] = ()) -> None:
        refresh_view(self.session, self.council_id, target_key, view, ref, self.now,
                     homes=homes)

    def canvas(self, key: str, view: str, ref: object) -> bool:
        return canvas(self.session, self.council_id, key, view, ref, self.now)

    def edit_canvas(self, target_key: str, view: str, ref: object) -> None:
        edit_canvas(self.session, self.council_id, target_key, view, ref, self.now)

