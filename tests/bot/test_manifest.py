"""The app manifest declares both shortcuts the handlers listen for."""

from __future__ import annotations

from bot.manifest import POLL_SHORTCUT, RAISE_SHORTCUT, manifest


def test_the_manifest_declares_the_message_and_the_global_shortcut() -> None:
    shortcuts = {s["callback_id"]: s for s in manifest(None)["features"]["shortcuts"]}
    assert shortcuts[RAISE_SHORTCUT]["type"] == "message"
    assert (shortcuts[POLL_SHORTCUT]["type"], shortcuts[POLL_SHORTCUT]["name"]) == (
        "global", "Open consensus poll")
    assert POLL_SHORTCUT == "open_poll"
    assert all(len(s["description"]) <= 150 for s in shortcuts.values())
