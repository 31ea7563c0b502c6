"""The statuses and kinds are the strings the tables have always stored."""

import json

from storage.statuses import (
    IssueStatus,
    MeetingStatus,
    OutboxKind,
    OutboxStatus,
    ProposalStatus,
    RequestStatus,
)


def test_values_are_the_stored_strings() -> None:
    assert [*map(str, MeetingStatus)] == ["scheduled", "cancelled"]
    assert [*map(str, RequestStatus)] == ["open", "fulfilled", "withdrawn"]
    assert [*map(str, ProposalStatus)] == ["open", "adopted", "blocked", "failed", "withdrawn",
                                           "silence_broken"]
    assert [*map(str, IssueStatus)] == ["open", "resolved", "withdrawn"]
    assert [*map(str, OutboxStatus)] == ["pending", "sending", "sent", "failed", "skipped"]
    assert [*map(str, OutboxKind)] == ["post", "dm", "update", "home", "canvas", "canvas_edit"]


def test_a_member_is_its_string_wherever_it_goes() -> None:
    assert IssueStatus.OPEN == "open" and hash(IssueStatus.OPEN) == hash("open")
    assert f"{MeetingStatus.CANCELLED}" == "cancelled"
    assert json.dumps({"status": ProposalStatus.WITHDRAWN}) == '{"status": "withdrawn"}'
    assert {OutboxKind.HOME: 1}.get("home") == 1
