"""Meetings in the council's languages: a reminder and an announcement rendered in French
and in Russian (dates through Babel, the body by its name in the language), and an
announcement recorded in both official languages, English then French (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot import cadence
from bot.i18n import using
from bot.meetings import render
from bot.runtime import Runtime
from storage.models import Body, Council, Meeting, Outbox
from tests.council import CHAIR, run

STARTS = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
BEFORE = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
STAMP = int(STARTS.timestamp())
COUNCIL = Council(id=1, key="nrc", name="NATO-Russia Council", short_name="NRC",
                  chair_title="Secretary General", timezone="Europe/Brussels",
                  ics_token="t" * 24, created_at=BEFORE,
                  names={"fr": "Conseil OTAN-Russie", "ru": "Совет Россия–НАТО"})
BODY = Body(id=1, council_id=1, ordinal=1, key="council-amb", name="Council, Ambassadors",
            level="council", mandate="", created_at=BEFORE,
            names={"fr": "Conseil, ambassadeurs", "ru": "Совет на уровне послов"})
MEETING = Meeting(id=3, council_id=1, body_id=1, starts_at=STARTS, title="Monthly meeting",
                  created_by="UCHAIRSG", created_at=BEFORE)
TZ = ZoneInfo(COUNCIL.timezone)


def _when(fallback: str) -> str:
    return f"<!date^{STAMP}^{{date_short_pretty}} {{time}}|{fallback}>"


def _reminder(lang: str) -> tuple[str | None, str, list[tuple[str, str]], list[str]]:
    with using(lang):
        agenda = render.agenda_section(MEETING, [], "/nrc")
        shown = render.reminder_message(MEETING, BODY, 24 * 3600, agenda, TZ)
    return shown.header, shown.text, shown.fields, shown.sections


def test_a_reminder_in_french_names_the_body_and_the_date_in_french() -> None:
    header, text, fields, sections = _reminder("fr")
    when = _when("jeudi 10 décembre 2026, 10:00 CET")
    assert header == "Rappel : M3 dans 24 heures"
    assert text == (f"La réunion *M3* de l'organe *Conseil, ambassadeurs*, Monthly meeting, "
                    f"commence {when}.")
    assert fields == [("Organe", "Conseil, ambassadeurs"), ("Date", when), ("Réunion", "M3")]
    assert sections == ["*Ordre du jour*\n_Aucun point pour l'instant._ Pour en ajouter un : "
                        "`/nrc agenda M3 add <text>`"]


def test_a_reminder_in_russian_names_the_body_and_the_date_in_russian() -> None:
    header, text, fields, _sections = _reminder("ru")
    when = _when("четверг, 10 декабря 2026 г., 10:00 CET")
    assert header == "Напоминание: M3 через 24 часа"
    assert text == (f"Заседание *M3* органа *Совет на уровне послов*, Monthly meeting, "
                    f"начинается {when}.")
    assert fields == [("Орган", "Совет на уровне послов"), ("Время", when),
                      ("Заседание", "M3")]


def test_the_hours_before_a_meeting_take_the_russian_plural_forms() -> None:
    with using("ru"):
        assert [render.lead_words(h * 3600) for h in (1, 3, 5, 21)] == [
            "через 1 час", "через 3 часа", "через 5 часов", "через 21 час"]
    with using("fr"):
        assert render.lead_words(7 * 86400) == "dans 7 jours"


def test_an_announcement_in_french_and_in_russian() -> None:
    moved = Meeting(**{**MEETING.model_dump(), "venue": "NATO HQ", "duration_minutes": 90})
    with using("fr"):
        agenda = render.agenda_section(moved, [], "/nrc")
        french = render.announcement(COUNCIL, moved, BODY, agenda, None, "/nrc")
    assert french.header == "Réunion M3 : Monthly meeting"
    assert french.text == (f"*Conseil, ambassadeurs* se réunit "
                           f"{_when('jeudi 10 décembre 2026, 10:00 CET')}.\n"
                           "Lieu : NATO HQ\nDurée : 1 heure 30 minutes")
    assert french.context == ["Programmée par <@UCHAIRSG>. Calendriers : `/nrc calendar` "
                              "(Secrétariat)."]
    with using("ru"):
        agenda = render.agenda_section(moved, [], "/nrc")
        russian = render.announcement(COUNCIL, moved, BODY, agenda, None, "/nrc")
    assert russian.header == "Заседание M3: Monthly meeting"
    assert russian.text == (f"*Совет на уровне послов*: заседание "
                            f"{_when('четверг, 10 декабря 2026 г., 10:00 CET')}.\n"
                            "Место: NATO HQ\nПродолжительность: 1 час 30 минут")
    assert ("Орган", "Совет на уровне послов") in russian.fields


def test_the_cadence_reads_its_periods_and_mandates_in_each_language() -> None:
    month = cadence.period_containing(STARTS, "month", TZ)
    half = cadence.period_containing(datetime(2026, 12, 20, tzinfo=UTC), "half-month", TZ)
    assert (month.label, half.label) == ("December 2026", "16–31 December 2026")
    with using("fr"):
        assert (month.label, half.label) == ("décembre 2026", "16–31 décembre 2026")
        assert cadence.mandate_words(1, "month") == "au moins une fois par mois"
    with using("ru"):
        assert (month.label, half.label) == ("декабрь 2026", "16–31 декабря 2026")
        assert cadence.mandate_words(3, "year") == "не реже 3 раз в год"
        assert cadence.verdict_words(cadence.Verdict.AT_RISK) == "под угрозой"


def test_an_announcement_is_recorded_in_english_then_french(council: Runtime) -> None:
    reply = run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    assert reply.startswith("Scheduled M1 (Council, Ambassadors) for ")
    with Session(council.engine) as session:
        post = session.exec(select(Outbox).where(Outbox.key == "meeting:1")).one()
    payload = post.payload
    assert payload["header"] == "Meeting M1: Monthly meeting"
    assert payload["text"] == (f"*Council, Ambassadors* meets "
                               f"{_when('Thu 10 Dec 2026, 10:00 CET')}.")
    [french] = payload["also"]
    assert french["header"] == "Réunion M1 : Monthly meeting"
    assert french["text"] == (f"*Conseil, ambassadeurs* se réunit "
                              f"{_when('jeudi 10 décembre 2026, 10:00 CET')}.")
    assert ["Organe", "Conseil, ambassadeurs"] in french["fields"]
    assert french["sections"][0].startswith("*Ordre du jour*\n_Aucun point pour l'instant._")


def test_the_reply_is_in_the_language_of_the_one_who_asked(council: Runtime) -> None:
    run(council, CHAIR, "language ru")
    reply = run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting")
    assert reply == (f"M1 (Совет на уровне послов) назначено на "
                     f"{_when('четверг, 10 декабря 2026 г., 10:00 CET')} и объявлено в канале.")
    assert run(council, CHAIR, "cancel M9").startswith("Заседания M9 нет.\n")
    with Session(council.engine) as session:
        post = session.exec(select(Outbox).where(Outbox.key == "meeting:1")).one()
    # The channel still reads the council's official languages, not the Chair's own.
    assert post.payload["text"].startswith("*Council, Ambassadors* meets ")
    assert post.payload["also"][0]["text"].startswith("*Conseil, ambassadeurs* se réunit ")
