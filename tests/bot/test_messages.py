"""The neutral message helpers."""

from bot.messages import count


def test_count_chooses_the_plural_form() -> None:
    assert count(1, "joint decision") == "1 joint decision"
    assert count(2, "joint decision") == "2 joint decisions"
    assert count(0, "open poll") == "0 open polls"
    assert count(1, "reply", "replies") == "1 reply"
    assert count(3, "reply", "replies") == "3 replies"
