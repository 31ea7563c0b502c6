"""The one permission table and the refusals it words."""

from __future__ import annotations

import pytest

from bot.errors import Refused
from bot.permissions import PERMISSIONS, Role, allowed, check, describe
from bot.registry import REGISTRY

A, D, C, S = Role.ANYONE, Role.DELEGATE, Role.CHAIR, Role.ADMIN


def test_every_registered_command_is_in_the_table() -> None:
    for cmd in REGISTRY.values():
        assert cmd.action is None or cmd.action in PERMISSIONS, cmd.name


@pytest.mark.parametrize(("action", "roles", "ok"), [
    ("setup", {A}, False), ("setup", {A, S}, True), ("setup", {A, C}, False),
    ("schedule", {A, C}, True), ("schedule", {A, D}, False),
    ("propose", {A, D}, True), ("propose", {A, C}, True), ("propose", {A, S}, False),
    ("concur", {A, D}, True), ("concur", {A, C}, False), ("concur", {A, S}, False),
    ("withdraw proposal", {A, D}, False), ("withdraw proposal", {A, D, Role.PROPOSER}, True),
    ("members", {A}, True), ("resolve", {A, S}, True), ("extend", {A, S}, False),
])
def test_table(action: str, roles: set[Role], ok: bool) -> None:
    assert allowed(action, frozenset(roles)) is ok


def test_refusals_say_who_may() -> None:
    with pytest.raises(Refused, match=r"^Only the Chair or the secretariat may schedule meetings\.$"):
        check("schedule", frozenset({A, D}))
    with pytest.raises(Refused, match=r"^Only delegations may take positions; you are not in"):
        check("concur", frozenset({A, C}))
    with pytest.raises(Refused, match=r"^Only delegations or the Chair may open consensus polls\.$"):
        check("propose", frozenset({A}))
    assert describe(frozenset({Role.PROPOSER, C})) == "the Chair or the proposer"
