"""The polls in the council's languages (issue 15): the poll message in French and in
Russian (its text, buttons, dates and statement kinds), the channel post carrying both
official languages within Slack's limits, and a delegate's reply in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.i18n import using
from bot.messages import Message
from bot.runtime import Runtime
from handlers.blocks import MAX_BLOCKS, to_blocks
from storage.models import Outbox, Proposal
from tests.council import CODES, Clock, delegate, run

#: Slack's limit on a section's text.
SECTION_LIMIT = 3000
RU, FR, DE = delegate("RU"), delegate("FR"), delegate("DE")


def _posted(runtime: Runtime, key: str) -> Message:
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == key)).one()
        return Message.from_dict(row.payload)


def _poll_id(runtime: Runtime) -> int:
    with Session(runtime.engine) as s:
        return s.exec(select(Proposal.id).order_by(col(Proposal.id).desc())).first() or 0


def _view(runtime: Runtime, lang: str) -> Message:
    """The poll's message as delivery builds it, in ``lang``."""
    with Session(runtime.engine) as s, using(lang):
        return runtime.render_poll(s, 1, _poll_id(runtime), runtime.clock())


def _text(message: Message) -> str:
    return "\n".join([message.header or "", message.text, *message.sections,
                      *(f"{k}: {v}" for k, v in message.fields), *message.context])


def _open_with_positions(council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    run(council, DE, "concur P1 --reservation Subject to the Bundestag.")
    run(council, FR, "concur P1 We read the text as applying to exercises only.")


def test_the_poll_in_french_has_its_words_buttons_dates_and_statement_kinds(
        council: Runtime) -> None:
    _open_with_positions(council)
    poll = _view(council, "fr")
    text = _text(poll)
    assert poll.header == "Proposition P1"
    assert [b.label for b in poll.buttons] == ["Approuver", "Approuver avec déclaration…",
                                               "Objecter…", "Proposer un amendement…"]
    confirm = poll.buttons[0].confirm
    assert confirm is not None and confirm.title == "Approuver P1 ?"
    assert (confirm.confirm, confirm.deny) == ("Approuver", "Annuler")
    assert dict(poll.fields)["Procédure"].startswith("Procédure d'approbation tacite")
    assert "Échéance" in dict(poll.fields)
    assert "*Approuvé (2) :* France, Allemagne" in text
    assert ">_Allemagne, réserve :_ Subject to the Bundestag." in text
    assert ">_France, déclaration interprétative :_ We read the text" in text
    assert "*Silencieux (18) :*" in text
    assert "|jeudi 3 décembre 2026, 10:00 CET> (reste " in dict(poll.fields)["Échéance"]
    assert "Toute objection bloque." in text
    assert "Concur" not in text and "Deadline" not in text


def test_the_poll_in_russian_has_its_words_buttons_dates_and_statement_kinds(
        council: Runtime) -> None:
    _open_with_positions(council)
    poll = _view(council, "ru")
    text = _text(poll)
    assert poll.header == "Предложение P1"
    assert [b.label for b in poll.buttons] == ["Согласиться", "Согласиться с заявлением…",
                                               "Возразить…", "Предложить поправку…"]
    assert dict(poll.fields)["Процедура"].startswith("Процедура молчания")
    assert "*Согласны (2):* Франция, Германия" in text
    assert ">_Германия, оговорка:_ Subject to the Bundestag." in text
    assert ">_Франция, заявление о толковании:_ We read the text" in text
    assert "|четверг, 3 декабря 2026 г., 10:00 CET> (осталось " in dict(poll.fields)["Срок"]
    assert "Любое возражение блокирует." in text


def test_the_english_poll_is_unchanged(council: Runtime) -> None:
    _open_with_positions(council)
    poll = _view(council, "en")
    assert poll.header == "Proposal P1"
    assert [b.label for b in poll.buttons][:3] == ["Concur", "Concur with statement…",
                                                   "Object…"]
    assert ">_Germany, reservation:_ Subject to the Bundestag." in _text(poll)


def _within_slack(message: Message) -> list[dict[str, object]]:
    blocks = to_blocks(message)
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        text = block.get("text")
        if block["type"] == "section" and isinstance(text, dict):
            assert len(str(text["text"])) <= SECTION_LIMIT
    return blocks


def test_the_poll_is_posted_in_english_then_french(council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    poll = _posted(council, "poll:1")
    assert poll.header == "Proposal P1"
    assert [other.header for other in poll.also] == ["Proposition P1"]
    blocks = _within_slack(poll)
    assert {"type": "divider"} in blocks  # both languages in the one message
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions"
              for e in b["elements"]]
    assert labels[0] == "Concur · Approuver"


def test_twenty_members_statements_keep_both_languages_within_slacks_limits(
        council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    statement = ("Our delegation reads paragraph 2 as applying to exercises only, and "
                 "recalls its national procedures. ") * 3
    for i, code in enumerate(CODES):
        flag = "--reservation " if i % 3 == 1 else "--for-the-record " if i % 3 == 2 else ""
        reply = run(council, delegate(code), f"concur P1 {flag}{statement}({code})")
        assert reply.startswith("Recorded"), reply
    # the poll as delivery builds it in each official language, then checked as Slack sees it
    with Session(council.engine) as s:
        rendered = [council.render_poll(s, 1, 1, council.clock()) for _lang in ("en",)]
    with Session(council.engine) as s, using("fr"):
        french = council.render_poll(s, 1, 1, council.clock())
    both = Message(**{**rendered[0].__dict__, "also": [french]})
    assert "déclaration pour le compte rendu" in "\n".join(french.sections)
    blocks = _within_slack(both)
    assert {"type": "divider"} in blocks


def test_twenty_members_longest_statements_stay_within_slacks_limits(
        council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    for code in CODES:
        run(council, delegate(code), "concur P1 --reservation " + "x" * 1990)
    with Session(council.engine) as s:
        english = council.render_poll(s, 1, 1, council.clock())
    with Session(council.engine) as s, using("fr"):
        french = council.render_poll(s, 1, 1, council.clock())
    _within_slack(Message(**{**english.__dict__, "also": [french]}))


def test_a_delegate_reads_the_reply_and_the_refusal_in_their_language(
        council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    run(council, FR, "language fr")
    assert run(council, FR, "concur P1") == "Enregistré : France approuve P1."
    assert run(council, FR, "concur P9").startswith("Il n'y a pas de proposition P9.")
    run(council, RU, "language ru")
    assert run(council, RU, "object P1 Несогласие с пунктом 2.").startswith(
        "Записано: участник Российская Федерация возражает против P1")


def test_a_blocked_poll_is_told_in_both_languages_with_the_objection_in_each(
        council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    run(council, FR, "object P1 The text prejudges the talks.")
    outcome, closed = _posted(council, "poll:1:outcome"), _posted(council, "poll:1:closed")
    assert outcome.text == "*Blocked*: France objected: “The text prejudges the talks.”"
    assert [m.text for m in outcome.also] == [
        "*Bloquée*: France a objecté : « The text prejudges the talks. »"]
    assert closed.header == "P1 blocked"
    assert [m.header for m in closed.also] == ["P1 bloquée"]
    assert closed.also[0].text.startswith("P1 est bloquée: France a objecté")
    with Session(council.engine) as s:  # the record keeps the source language
        assert s.get(Proposal, 1).outcome_note == (  # type: ignore[union-attr]
            "France objected: “The text prejudges the talks.”")
    assert "*Résultat :* France a objecté" in "\n".join(_view(council, "fr").sections)


def test_a_decision_adopted_is_announced_in_both_languages(council: Runtime) -> None:
    run(council, RU, "propose 48h Joint search and rescue exercise in the Baltic")
    for code in CODES:
        run(council, delegate(code), "concur P1")
    decision = _posted(council, "decision:1")
    assert decision.header == "Joint decision D1"
    assert [m.header for m in decision.also] == ["Décision commune D1"]
    assert dict(decision.also[0].fields)["Procédure"] == "approbation tacite"
    _within_slack(decision)


def test_the_reminder_in_both_languages_and_a_delegates_dm_in_theirs(
        council: Runtime, clock: Clock) -> None:
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    run(council, RU, "notify dm")
    run(council, RU, "language ru")
    run(council, FR, "propose 48h Joint search and rescue exercise in the Baltic")
    clock.now = t0 + timedelta(hours=24, minutes=5)
    council.tick()
    deadline = int((t0 + timedelta(hours=48)).timestamp())
    day = f"poll:1:v1:remind:86400:{deadline}"
    reminder = _posted(council, day)
    assert reminder.header == "Reminder: P1"
    assert [m.header for m in reminder.also] == ["Rappel : P1"]
    assert "Toujours silencieux (20) :" in reminder.also[0].text
    dm = _posted(council, f"{day}:dm:{RU}")
    assert dm.header == "Напоминание: P1" and not dm.also
    assert "позиция участника Российская Федерация ещё не определена" in dm.text
    assert dm.text.endswith("если ни один участник не возразит.")
