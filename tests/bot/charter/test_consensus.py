"""``[consensus] break_silence``: who in a delegation may object, as the charter says."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.charter import CharterError, load_charter
from bot.charter.spec import DELEGATION_ROLES
from bot.delegations.rules import ROLES
from tests.bot.charter.test_load import VALID, write


def _with(tmp_path: Path, value: str) -> tuple[str, ...]:
    return load_charter(write(tmp_path, VALID + f"\n[consensus]\nbreak_silence = {value}\n")
                        ).break_silence


def test_the_nrc_charter_lets_the_head_and_the_deputy_break_silence() -> None:
    assert load_charter().break_silence == ("head", "deputy")


def test_the_roles_are_the_delegations() -> None:
    assert tuple(ROLES) == DELEGATION_ROLES


def test_without_the_table_the_head_and_the_deputy(tmp_path: Path) -> None:
    assert load_charter(write(tmp_path, VALID)).break_silence == ("head", "deputy")


@pytest.mark.parametrize(("value", "roles"), [
    ('"all"', DELEGATION_ROLES),
    ('["all"]', DELEGATION_ROLES),
    ('["head"]', ("head",)),
    ('["expert", "head", "milrep"]', ("head", "milrep", "expert")),  # a delegation's order
])
def test_allowed_values(tmp_path: Path, value: str, roles: tuple[str, ...]) -> None:
    assert _with(tmp_path, value) == roles


@pytest.mark.parametrize(("value", "problem"), [
    ("[]", "consensus.break_silence: must name at least one role"),
    ('["head", "ambassador"]', 'consensus.break_silence[1]: "ambassador" is not one of: '
                               'head, deputy, milrep, expert, or "all" alone'),
    ('["head", "head"]', 'consensus.break_silence[1]: "head" is named twice'),
    ('["all", "head"]', 'consensus.break_silence[0]: "all" already names every role'),
    ('"everyone"', 'consensus.break_silence: "everyone" is not a list of roles'),
])
def test_refused_values(tmp_path: Path, value: str, problem: str) -> None:
    with pytest.raises(CharterError) as caught:
        _with(tmp_path, value)
    assert problem in str(caught.value)


def test_unknown_key_in_the_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match=r"consensus\.silence"):
        load_charter(write(tmp_path, VALID + '\n[consensus]\nsilence = "all"\n'))
