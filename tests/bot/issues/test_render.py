"""What implementation issues look like: plain data in, text and Message out, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.issues.render import (
    Listed,
    Raised,
    agenda_text,
    excerpt,
    listing,
    no_issues,
    overdue_mark,
    raised_chair,
    raised_post,
    waiting_text,
    withdrawn_post,
)

TZ = ZoneInfo("Europe/Brussels")
AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _raised(**changes: object) -> Raised:
    fields: dict[str, object] = dict(
        ref="I1", member="France", user_id="UFR", decision_id=2, decision="*D2* (First.)",
        text="Late <!channel>.\nStill late.", source_link=None, where="*M3* Council", at=AT)
    fields.update(changes)
    return Raised(**fields)  # type: ignore[arg-type]


def test_excerpt_is_inert_for_mrkdwn() -> None:
    assert excerpt("Ask <@U1> & co") == "Ask &lt;@U1&gt; &amp; co"
    assert excerpt("a  b\nc", 200) == "a b c"


def test_agenda_text_names_issue_and_decision() -> None:
    assert agenda_text(4, 2, "Not\nimplemented.") == (
        "Implementation issue I4 on joint decision D2: Not implemented.")


def test_where_a_waiting_issue_stands() -> None:
    assert waiting_text() == "the next Council meeting, once one is scheduled"
    assert waiting_text(5, cancelled=True).endswith("(it was on M5, cancelled)")
    assert waiting_text(5).endswith("(it was on M5, held)")
    assert overdue_mark(34) == " _overdue: open 34 days_"


def test_the_raised_post_quotes_the_text_and_keeps_a_foreign_link_only() -> None:
    post = raised_post(_raised(), TZ)
    assert post.header == "Implementation issue I1"
    assert ">Late &lt;!channel&gt;.\n>Still late." in post.text
    assert "From <" not in post.text
    link = "https://test.slack.com/archives/C1/p1"
    assert f"From <{link}|a message in the channel>." in raised_post(
        _raised(source_link=link), TZ).text
    assert "From <" not in raised_post(_raised(source_link=link, text=f"See {link}"), TZ).text
    assert "Rome Declaration" in post.context[0]
    assert "`/x resolve I1 <note>`" in raised_chair(_raised(), "/x").text


def test_withdrawn_names_the_member_only_when_its_delegation_withdrew() -> None:
    assert "for France" in withdrawn_post(1, "UFR", "France").text
    assert " for " not in withdrawn_post(1, "UCHAIR", None).text


def test_the_listing_counts_issues_and_decisions() -> None:
    item = Listed(issue_id=1, member="France", raised_by="UFR", created_at=AT, text="Late.",
                  where="*M3* Council", overdue_days=31)
    fresh = Listed(issue_id=2, member="Italy", raised_by="UIT", created_at=AT, text="Later.",
                   where="*M3* Council", overdue_days=None)
    message = listing([("*D2* (First.)", [item, fresh])], timedelta(days=30), "/nrc", TZ)
    assert message.text == "2 open implementation issues on 1 joint decision."
    [section] = message.sections
    assert section.startswith("*D2* (First.)\n\u2022 *I1* France (<@UFR>), ")
    assert section.count("_overdue: open 31 days_") == 1
    assert "Overdue after 30 days open." in message.context[1]
    assert no_issues("/nrc").text == "No implementation issues are open."
