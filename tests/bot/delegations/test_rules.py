"""The delegations' rules, on plain values: no database."""

from __future__ import annotations

from bot.delegations.rules import ROLES, default_role, heads_replaced, notify_choice, role_order
from storage.models import Notify


def test_the_first_delegate_heads_the_delegation_and_later_ones_are_experts() -> None:
    assert default_role(has_head=False) == "head"
    assert default_role(has_head=True) == "expert"


def test_a_new_head_replaces_the_heads_before_and_no_other_role_does() -> None:
    assert heads_replaced("head", ["U1", "U2"]) == ["U1", "U2"]
    for role in ("deputy", "milrep", "expert"):
        assert heads_replaced(role, ["U1"]) == []
    assert heads_replaced("head", []) == []


def test_a_listing_shows_roles_in_rank() -> None:
    assert sorted(["expert", "head", "milrep", "deputy"], key=role_order) == list(ROLES)


def test_a_notify_choice_is_dm_channel_or_off_in_any_case() -> None:
    assert notify_choice("DM") is Notify.DM and notify_choice("channel") is Notify.CHANNEL
    assert notify_choice("off") is Notify.OFF and notify_choice("email") is None
