"""Shortcuts: *Raise implementation issue* on a message, and its modal; the global
*Open consensus poll*, whose modal is ``propose`` as a form (its submission is in
``handlers/submissions.py``); the global *Schedule a meeting* and its modal.

The Rome Declaration: "Each member may raise in the NRC issues related to the
implementation of joint decisions." The shortcut lets a delegate do it from
the message that shows the problem, with a link back to it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.i18n import N_, _, named, using
from bot.issues import ROME, RaiseForm, raise_form, raise_issue
from bot.manifest import POLL_SHORTCUT, RAISE_SHORTCUT, SCHEDULE_SHORTCUT
from bot.meetings import schedule_form, schedule_from_form
from bot.messages import Message, clip, plain
from bot.polls.commands import MAX_REASON
from bot.registry import MAX_TEXT, parse_id
from bot.runtime import ErrorReply, Runtime
from handlers.blocks import poll_modal, to_blocks
from handlers.fields import DECISION_WORDS, schedule_error_block
from handlers.slackport import SlackPort
from handlers.submissions import tell

log = logging.getLogger(__name__)

RAISE_MODAL = "raise_issue_modal"
TITLE = N_("Implementation issue")
#: The modals' titles, translated where shown.
SCHEDULE_TITLE = N_("Schedule a meeting")
POLL_TITLE = N_("Consensus poll")
NOT_OPENED = N_("Slack could not open the form; try the shortcut again, or use `{command}`.")


def _permalink(client: WebClient, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError as exc:
        log.warning("no permalink for %s/%s: %s", channel, ts, exc)
        return None
    return str(link) if link else None


# In a message's text as Slack sends it: a token <target|label> or one of the
# three escapes Slack makes (&amp; &lt; &gt;).
_SLACK_PIECE = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>|&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
MAX_LOOKUPS = 5  # users.info calls before views.open, whose trigger_id lasts 3 s


def _unescape(text: str) -> str:
    return re.sub(r"&(amp|lt|gt);", lambda m: _ENTITIES[m.group(1)], text)


def readable(text: str, name_of: Callable[[str], str | None]) -> str:
    """A message's text as a person reads it, for a plain-text input.

    Slack escapes ``&``, ``<`` and ``>`` and writes mentions, channels, links
    and dates as ``<…>`` tokens; a plain_text_input shows its value literally.
    Mentions become ``@name`` (the name in the token, else ``name_of``, else
    the user id), channels ``#name``, links ``label (url)``, dates their
    fallback text.
    """
    def piece(m: re.Match[str]) -> str:
        if m.group(3):
            return _ENTITIES[m.group(3)]
        target, label = m.group(1), _unescape(m.group(2) or "")
        if target.startswith("@"):
            return "@" + (label or name_of(target[1:]) or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!date^"):
            return label
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!"):
            return "@" + target[1:]
        url = _unescape(target.removeprefix("mailto:"))
        return f"{label} ({url})" if label and label != url else url
    return _SLACK_PIECE.sub(piece, text)


def _names(client: WebClient) -> Callable[[str], str | None]:
    """A user's name from users.info: display name, else real name, else handle."""
    known: dict[str, str | None] = {}

    def name_of(user_id: str) -> str | None:
        if user_id not in known:
            if len(known) >= MAX_LOOKUPS:
                return None
            known[user_id] = None
            try:
                user = client.users_info(user=user_id).get("user") or {}
            except SlackApiError as exc:
                log.info("no name for %s: %s", user_id, exc)
            else:
                profile = user.get("profile") or {}
                known[user_id] = (profile.get("display_name") or profile.get("real_name")
                                  or user.get("real_name") or user.get("name") or None)
        return known[user_id]
    return name_of


def _prefill(text: str, link: str | None) -> str:
    """The message's text and its link, within what the modal takes."""
    suffix = f"\n\n{link}" if link else ""
    room = MAX_TEXT - len(suffix)
    body = text.strip()
    if len(body) > room:
        body = body[: room - 1].rstrip() + "\u2026"
    return body + suffix


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit)}


def notice_view(reply: Message, title: str = TITLE) -> dict[str, Any]:
    """A modal that only says something: why the issue cannot be raised."""
    return {"type": "modal", "title": _plain(_(title), 24), "close": _plain(_("Close"), 24),
            "blocks": to_blocks(reply)}


#: The picker's first deadline is the charter's minimum silence from now (48 hours if it
#: sets none), plus this much, rounded up to the quarter hour: time to write the text.
WRITING_TIME = timedelta(minutes=15)


def first_deadline(now: datetime, min_silence: timedelta) -> int:
    """The deadline the modal starts from, in Unix seconds."""
    quarter = 15 * 60
    ahead = now + (min_silence or timedelta(hours=48)) + WRITING_TIME
    return -(-int(ahead.timestamp()) // quarter) * quarter


def poll_form(ctx: Context) -> dict[str, Any]:
    """The Open consensus poll modal for this person, if they may propose."""
    ctx.require("propose")
    return poll_modal([(a.key, named(a)) for a in ctx.charter.areas],
                      first_deadline(ctx.now, ctx.charter.min_silence), ctx.actor.is_chair,
                      MAX_TEXT, MAX_REASON)


def raise_issue_view(form: RaiseForm, text: str, link: str | None,
                     metadata: str) -> dict[str, Any]:
    """Pick the decision, edit the text (pre-filled with the message and its link)."""
    options = [{"text": _plain(label, 75), "value": str(number)}
               for number, label in form.decisions]
    select: dict[str, Any] = {"type": "static_select", "action_id": "decision",
                              "placeholder": _plain(_("Choose the joint decision"), 150),
                              "options": options}
    chosen = [o for o in options if o["value"] == str(form.chosen)]
    if chosen:
        select["initial_option"] = chosen[0]
    field: dict[str, Any] = {"type": "plain_text_input", "action_id": "text", "multiline": True,
                             "max_length": MAX_TEXT}
    if text:
        field["initial_value"] = text
    source = _("From <{link}|this message>. ", link=link) if link else ""
    return {
        "type": "modal",
        "callback_id": RAISE_MODAL,
        "private_metadata": metadata,
        "title": _plain(_(TITLE), 24),
        "submit": _plain(_("Raise"), 24),
        "close": _plain(_("Cancel"), 24),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": _(
                "You raise it for *{member}*. It is posted in the thread under the "
                "decision, the Chair is told, and it goes on the agenda of the next Council "
                "meeting.", member=form.member)}},
            {"type": "input", "block_id": "decision",
             "label": _plain(_("Joint decision"), 2000), "element": select},
            {"type": "input", "block_id": "text", "label": _plain(_("The issue"), 2000),
             "element": field},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": source + _(ROME)}]},
        ],
    }


def _selected(view: dict[str, Any]) -> tuple[str | None, str]:
    values = view.get("state", {}).get("values", {})
    choice = values.get("decision", {}).get("decision", {}).get("selected_option") or {}
    text = values.get("text", {}).get("text", {}).get("value") or ""
    return (str(choice["value"]) if choice.get("value") else None), str(text)


SCHEDULE_MODAL = "schedule_meeting_modal"
#: The modal's fields (block_id and action_id alike).
SCHEDULE_FIELDS = ("body", "when", "title", "venue", "duration")


def schedule_view(bodies: list[tuple[int, str]], metadata: str) -> dict[str, Any]:
    """Body, date and time (Slack's datetimepicker, in each reader's zone), title, venue,
    length: what ``schedule`` takes."""
    def text_input(block: str, label: str, hint: str, limit: int) -> dict[str, Any]:
        return {"type": "input", "block_id": block, "optional": True,
                "label": _plain(label, 2000), "hint": _plain(hint, 2000),
                "element": {"type": "plain_text_input", "action_id": block,
                            "max_length": limit}}

    options = [{"text": _plain(name, 75), "value": str(number)} for number, name in bodies]
    return {
        "type": "modal",
        "callback_id": SCHEDULE_MODAL,
        "private_metadata": metadata,
        "title": _plain(_(SCHEDULE_TITLE), 24),
        "submit": _plain(_("Schedule"), 24),
        "close": _plain(_("Cancel"), 24),
        "blocks": [
            {"type": "input", "block_id": "body", "label": _plain(_("Body"), 2000),
             "element": {"type": "static_select", "action_id": "body",
                         "placeholder": _plain(_("Choose the body"), 150),
                         "options": options[:100]}},
            {"type": "input", "block_id": "when", "label": _plain(_("Starts"), 2000),
             "element": {"type": "datetimepicker", "action_id": "when"}},
            text_input("title", _("Title"), _("The body's name unless given."), 200),
            text_input("venue", _("Venue"), _("Shown in the announcement and the calendar."),
                       200),
            text_input("duration", _("Length"),
                       _("Like 3h, 90m or 1h30m; two hours unless given."), 10),
        ],
    }


def _schedule_fields(view: dict[str, Any]) -> dict[str, Any]:
    values = view.get("state", {}).get("values", {})
    fields: dict[str, Any] = {}
    for block in SCHEDULE_FIELDS:
        leaf = values.get(block, {}).get(block, {}) or {}
        fields[block] = ((leaf.get("selected_option") or {}).get("value") if block == "body"
                         else leaf.get("selected_date_time") if block == "when"
                         else leaf.get("value") or "")
    return fields


def register_schedule(app: App, runtime: Runtime, port: SlackPort) -> None:
    """The *Schedule a meeting* global shortcut and its modal (``schedule``'s use-case)."""
    @app.shortcut(SCHEDULE_SHORTCUT)
    def on_schedule_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = str(shortcut.get("user", {}).get("id") or "")
        bodies: list[list[tuple[int, str]]] = []

        def check(ctx: Any) -> Message:
            bodies.append(schedule_form(ctx))
            return Message(text="")

        reply = runtime.run_action(user_id, None, check, mutates=False)
        with using(runtime.readers.of(user_id)):
            view = (notice_view(reply, SCHEDULE_TITLE)
                    if isinstance(reply, ErrorReply) or not bodies
                    else schedule_view(bodies[0], json.dumps({"channel": None})))
            try:
                client.views_open(trigger_id=str(shortcut.get("trigger_id") or ""), view=view)
            except SlackApiError:
                log.exception("views.open failed for the schedule_meeting shortcut")
                tell(client, None, user_id, Message(text=_(
                    NOT_OPENED, command=f"{runtime.settings.command} schedule")))

    @app.view(SCHEDULE_MODAL)
    def on_schedule_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                              client: WebClient) -> None:
        user_id = str(body.get("user", {}).get("id") or "")
        fields = _schedule_fields(view)
        body_id = parse_id(fields["body"])
        if body_id is None:
            with using(runtime.readers.of(user_id)):
                ack(response_action="errors", errors={"body": _("Choose the body that meets.")})
            return
        if not isinstance(fields["when"], int) or isinstance(fields["when"], bool):
            with using(runtime.readers.of(user_id)):
                ack(response_action="errors", errors={"when": _("Choose the date and time.")})
            return
        starts = datetime.fromtimestamp(fields["when"], UTC)
        reply = runtime.run_action(user_id, None, lambda ctx: schedule_from_form(
            ctx, body_id, starts, fields["title"], fields["venue"], fields["duration"]))
        if isinstance(reply, ErrorReply):
            ack(response_action="errors",
                errors={schedule_error_block(reply.text): clip(plain(reply.text), 1000)})
            return
        ack()
        tell(client, None, user_id, reply)
        runtime.deliver_soon(port)


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    @app.shortcut(POLL_SHORTCUT)
    def on_poll_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = str(shortcut.get("user", {}).get("id") or "")
        views: list[dict[str, Any]] = []

        def form(ctx: Context) -> Message:
            views.append(poll_form(ctx))
            return Message(text="")

        reply = runtime.run_action(user_id, None, form, mutates=False)
        with using(runtime.readers.of(user_id)):
            view = views[0] if views and not isinstance(reply, ErrorReply) else notice_view(
                reply, POLL_TITLE)
            try:
                client.views_open(trigger_id=str(shortcut.get("trigger_id") or ""), view=view)
            except SlackApiError:
                log.exception("views.open failed for the open_poll shortcut")
                tell(client, None, user_id, Message(text=_(
                    NOT_OPENED,
                    command=f"{runtime.settings.command} propose <deadline> <text>")))

    @app.shortcut(RAISE_SHORTCUT)
    def on_raise_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = str(shortcut.get("user", {}).get("id") or "")
        channel_id = shortcut.get("channel", {}).get("id")
        message = shortcut.get("message") or {}
        ts = shortcut.get("message_ts") or message.get("ts")
        forms: list[RaiseForm] = []

        def check(ctx: Any) -> Message:
            forms.append(raise_form(ctx, ts, message.get("thread_ts")))
            return Message(text="")

        reply = runtime.run_action(user_id, channel_id, check, mutates=False)
        trigger = str(shortcut.get("trigger_id") or "")
        language = runtime.readers.of(user_id)
        if isinstance(reply, ErrorReply) or not forms:
            with using(language):
                view = notice_view(reply)
        else:
            link = _permalink(client, channel_id, ts)
            prefill = _prefill(readable(str(message.get("text") or ""), _names(client)), link)
            with using(language):
                view = raise_issue_view(forms[0], prefill, link,
                                        json.dumps({"channel": channel_id, "link": link}))
        try:
            client.views_open(trigger_id=trigger, view=view)
        except SlackApiError:
            log.exception("views.open failed for the raise_issue shortcut")
            with using(language):
                tell(client, channel_id, user_id, Message(text=_(
                    NOT_OPENED, command=f"{runtime.settings.command} raise <D> <text>")))

    @app.view(RAISE_MODAL)
    def on_raise_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                           client: WebClient) -> None:
        user_id = str(body.get("user", {}).get("id") or "")
        choice, text = _selected(view)
        decision_id = parse_id(choice)
        if decision_id is None:
            with using(runtime.readers.of(user_id)):
                ack(response_action="errors",
                    errors={"decision": _("Choose the joint decision.")})
            return
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except json.JSONDecodeError:
            meta = {}
        link = meta.get("link") if isinstance(meta.get("link"), str) else None
        channel = meta.get("channel") if isinstance(meta.get("channel"), str) else None
        reply = runtime.run_action(
            user_id, channel, lambda ctx: raise_issue(ctx, decision_id, text, link))
        if isinstance(reply, ErrorReply):
            block = "decision" if any(w in reply.text.casefold() for w in DECISION_WORDS) \
                else "text"
            ack(response_action="errors", errors={block: clip(reply.text, 1000)})
            return
        ack()
        tell(client, channel, user_id, reply)
        runtime.deliver_soon(port)

    register_schedule(app, runtime, port)
