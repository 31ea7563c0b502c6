"""The neutral message helpers."""

from bot.messages import count


def test_count_chooses_the_plural_form() -> None:
    assert count(1, "joint decision") == "1 joint decision"
    assert count(2, "joint decision") == "2 joint decisions"
    assert count(0, "open poll") == "0 open polls"
    assert count(1, "reply", "replies") == "1 reply"
    assert count(3, "reply", "replies") == "3 replies"


# --- cutting long mrkdwn to Slack's limits (issue 11, item 2) ---------------

import re  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.messages import clip, escape, split_mrkdwn  # noqa: E402

_TOKEN = re.compile(r"&(?:amp|lt|gt);|<[^<>\n]*>")
_PIECES = st.one_of(
    st.text(alphabet="ab &<>\n", min_size=1, max_size=8).map(escape),
    st.sampled_from(["<@U01>", "<@UIVANOV01|ivanov>", "<!date^1796025600^{date_short}|17 Dec 2026>",
                     "<https://nato.int/a b|the record>", "<#C01|nrc>", " ", "\n", "R&amp;D"]),
)


def _inside_a_token(text: str, cut: int) -> bool:
    return any(m.start() < cut < m.end() for m in _TOKEN.finditer(text))


def _cuts(text: str, pieces: list[str]) -> list[int] | None:
    """Where the pieces were cut from the text, or None if they do not give it back.

    Between two pieces (and after the last) at most one space or line break,
    the one the cut was made at, may be missing.
    """
    at, cuts = 0, []
    for i, piece in enumerate(pieces):
        if i:
            cuts.append(at)
            if not text.startswith(piece, at) and text[at:at + 1] in (" ", "\n"):
                at += 1
                cuts.append(at)
        if not text.startswith(piece, at):
            return None
        at += len(piece)
    if at == len(text) - 1 and text[-1] in (" ", "\n"):
        at += 1
    return cuts if at == len(text) else None


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join), st.integers(min_value=60, max_value=120))
def test_split_mrkdwn_never_cuts_inside_an_escape_or_a_token(text: str, limit: int) -> None:
    pieces = split_mrkdwn(text, limit)
    assert all(0 < len(p) <= limit for p in pieces) or pieces == [""]
    cuts = _cuts(text, pieces)
    assert cuts is not None
    assert not any(_inside_a_token(text, cut) for cut in cuts)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(min_value=40, max_value=80))
def test_clip_ends_in_an_ellipsis_and_never_inside_an_escape(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
    else:
        kept = clipped[:-1]
        assert clipped.endswith("\u2026") and text.startswith(kept)
        assert not _inside_a_token(text, len(kept))


def test_split_prefers_a_space_and_keeps_escapes_whole() -> None:
    text = escape("R&D <&> &<> " * 400)
    pieces = split_mrkdwn(text, 3000)
    assert len(pieces) > 1 and all(len(p) <= 3000 for p in pieces)
    assert " ".join(pieces) == text  # cut at spaces only
    for piece in pieces:
        debris = re.sub(r"&(?:amp|lt|gt);", "", piece)
        assert "&" not in debris and ";" not in debris


def test_a_buttons_confirm_dialog_survives_the_outbox() -> None:
    """The one-click Concur's confirm is stored with the message and read back whole."""
    from bot.messages import Button, Confirm, Message
    confirm = Confirm("Concur with P3?", "Concur for your member?", "Concur")
    message = Message(text="P3", buttons=[Button("Concur", "poll_concur_now", "3:1", "primary",
                                                 confirm), Button("Object…", "poll_object", "3")])
    again = Message.from_dict(message.to_dict())
    assert again == message
    assert again.buttons[0].confirm == confirm and again.buttons[1].confirm is None
    assert again.buttons[0].confirm.deny == "Cancel"
