"""The attendance form: the *Record attendance…* button under ``attendance <M>`` opens a
modal listing every member with its delegates; its submission records them.

"After a meeting starts, the secretariat records attendance: which members were
represented and by whom (`attendance <M> <member> <user>…`, or a modal listing the 20
members with their delegates)."
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.context import Context
from bot.i18n import _, using
from bot.meetings import ATTENDANCE_ACTION, attendance_form, attendance_from_form
from bot.messages import Message, clip, plain
from bot.registry import parse_id
from bot.runtime import ErrorReply, Runtime
from handlers.slackport import SlackPort
from handlers.submissions import tell

log = logging.getLogger(__name__)

ATTENDANCE_MODAL = "meeting_attendance_modal"
ABSENT_BLOCK = "absent"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": False}


def _block(member_id: object) -> str:
    return f"member_{member_id}"


def attendance_view(form: dict[str, Any], channel: str | None) -> dict[str, Any]:
    """One input per member (Slack's user picker, its delegates named beneath), and the
    members recorded absent; what is recorded already is filled in."""
    blocks: list[dict[str, Any]] = [{
        "type": "context", "elements": [{"type": "mrkdwn", "text": (
            _("Choose who represented each member, or mark it absent. A member left blank "
              "stays as recorded."))}]}]
    for member in form["members"]:
        element: dict[str, Any] = {"type": "multi_users_select", "action_id": "users",
                                   "placeholder": _plain(_("Its delegates present"), 150)}
        if member["chosen"]:
            element["initial_users"] = list(member["chosen"])
        blocks.append({"type": "input", "block_id": _block(member["id"]), "optional": True,
                       "label": _plain(member["name"], 2000), "element": element})
        seated = ", ".join(f"<@{u}>" for u in member["delegates"]) or _("_no delegate seated_")
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": clip(_("Delegates: {seated}", seated=seated), 3000)}]})
    options = [{"text": _plain(m["name"], 75), "value": str(m["id"])} for m in form["members"]]
    absent: dict[str, Any] = {"type": "multi_static_select", "action_id": "members",
                              "placeholder": _plain(_("Members not represented"), 150),
                              "options": options[:100]}
    initial = [o for o, m in zip(options, form["members"], strict=True)
               if m["status"] == "absent"]
    if initial:
        absent["initial_options"] = initial
    blocks.append({"type": "input", "block_id": ABSENT_BLOCK, "optional": True,
                   "label": _plain(_("Absent"), 2000), "element": absent})
    return {"type": "modal", "callback_id": ATTENDANCE_MODAL,
            "private_metadata": json.dumps({"meeting": form["meeting"], "channel": channel}),
            "title": _plain(_("Attendance, {title}", title=form["title"]), 24),
            "submit": _plain(_("Record"), 24), "close": _plain(_("Cancel"), 24),
            "blocks": blocks[:100]}


def chosen_in(view: dict[str, Any]) -> tuple[dict[int, list[str]], set[int]]:
    """The submission: each member's chosen users, and the members marked absent."""
    values = (view.get("state") or {}).get("values") or {}
    chosen: dict[int, list[str]] = {}
    for block, actions in values.items():
        member_id = parse_id(block.removeprefix("member_")) if block.startswith("member_") \
            else None
        users = (actions.get("users") or {}).get("selected_users") or []
        if member_id is not None and users:
            chosen[member_id] = [str(u) for u in users]
    picked = ((values.get(ABSENT_BLOCK) or {}).get("members") or {}).get("selected_options")
    absent = {i for i in (parse_id(o.get("value")) for o in picked or []) if i is not None}
    return chosen, absent


def _error_block(text: str, form_members: dict[str, int]) -> str:
    """The field an error sentence is about: the member it names, else the absent list."""
    for name, member_id in form_members.items():
        if text.startswith(name) or f"of {name}" in text:
            return _block(member_id)
    return ABSENT_BLOCK


def register(app: App, runtime: Runtime, port: SlackPort) -> None:
    @app.action(ATTENDANCE_ACTION)
    def on_attendance(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = str((body.get("user") or {}).get("id", ""))
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        meeting_id = parse_id(((body.get("actions") or [{}])[0]).get("value"))
        if meeting_id is None:
            with using(runtime.readers.of(user_id)):
                tell(client, channel, user_id, Message(text=_("This button names no meeting.")))
            return
        shown: list[dict[str, Any]] = []

        def form(ctx: Context) -> Message:
            shown.append(attendance_form(ctx, f"M{meeting_id}"))
            return Message(text="")

        reply = runtime.run_action(user_id, channel, form, mutates=False)
        if isinstance(reply, ErrorReply) or not shown:
            tell(client, channel, user_id, reply)
            return
        with using(runtime.readers.of(user_id)):
            try:
                client.views_open(trigger_id=str(body.get("trigger_id", "")),
                                  view=attendance_view(shown[0], channel))
            except SlackApiError:
                log.exception("views.open failed for the attendance of M%s", meeting_id)
                tell(client, channel, user_id, Message(
                    text=_("Slack could not open the form; click again, or use `{command}`.",
                           command=f"{runtime.settings.command} attendance M{meeting_id} "
                                   "<member> @delegate…")))

    @app.view(ATTENDANCE_MODAL)
    def on_attendance_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                                client: WebClient) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        try:
            metadata = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            metadata = {}
        meeting_id = parse_id(metadata.get("meeting"))
        channel = metadata.get("channel") if isinstance(metadata.get("channel"), str) else None
        if meeting_id is None:
            with using(runtime.readers.of(user_id)):
                ack(response_action="errors",
                    errors={ABSENT_BLOCK: _("This form names no meeting.")})
            return
        chosen, absent = chosen_in(view)
        names = {str(b.get("label", {}).get("text", "")): parse_id(
            str(b.get("block_id", "")).removeprefix("member_")) or 0
            for b in view.get("blocks", []) if str(b.get("block_id", "")).startswith("member_")}
        reply = runtime.run_action(user_id, channel, lambda ctx: attendance_from_form(
            ctx, meeting_id, chosen, absent))
        if isinstance(reply, ErrorReply):
            ack(response_action="errors",
                errors={_error_block(reply.text, names): clip(plain(reply.text), 1000)})
            return
        ack()
        tell(client, channel, user_id, reply)
        runtime.deliver_soon(port)
