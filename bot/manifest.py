"""The Slack app manifest for this bot (``nrc-bot manifest --url URL``)."""

from __future__ import annotations

from typing import Any

#: The bot scopes the bot uses, and for what.
BOT_SCOPES = {
    "commands": "the slash command",
    "chat:write": "announcements, polls, reminders; updating poll messages",
    "chat:write.public": "posting in the council channel before being invited",
    "im:write": "direct messages to the Chair and secretariat",
    "channels:history": "after a crash, checking whether a message went out before resending",
    "groups:history": "the same, when the council channel is private",
    "im:history": "the same, for direct messages",
    "users:read": "the names of people mentioned in a message the issue shortcut pre-fills; "
                  "each person's Slack language (users.info with include_locale), and "
                  "user_change when it changes",
    "canvases:write": "a canvas per meeting in the council channel, holding its agenda",
}

RAISE_SHORTCUT = "raise_issue"
POLL_SHORTCUT = "open_poll"
SCHEDULE_SHORTCUT = "schedule_meeting"


def manifest(url: str | None, *, command: str = "/nrc", name: str = "nrc-bot",
             socket_mode: bool = False) -> dict[str, Any]:
    events_url = f"{url.rstrip('/')}/slack/events" if url else None
    slash: dict[str, Any] = {
        "command": command,
        "description": "The council's working machinery: meetings, consensus polls, decisions",
        "usage_hint": "help | members | propose 48h <text> | concur P3 | status",
        "should_escape": True,
    }
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": ["app_home_opened", "user_change"]},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    if events_url and not socket_mode:
        slash["url"] = events_url
        settings["event_subscriptions"]["request_url"] = events_url
        settings["interactivity"]["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Runs the working machinery of a council of equal members "
                           "deciding by consensus.",
            "background_color": "#1d3c6e",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [slash],
            "shortcuts": [{
                "name": "Raise implementation issue",
                "type": "message",
                "callback_id": RAISE_SHORTCUT,
                "description": "Raise an issue about the implementation of a joint decision",
            }, {
                "name": "Open consensus poll",
                "type": "global",
                "callback_id": POLL_SHORTCUT,
                "description": "Put a text to the council under the consensus procedure",
            }, {
                "name": "Schedule a meeting",
                "type": "global",
                "callback_id": SCHEDULE_SHORTCUT,
                "description": "Schedule a meeting of a council body and announce it",
            }],
        },
        "oauth_config": {"scopes": {"bot": sorted(BOT_SCOPES)}},
        "settings": settings,
    }
