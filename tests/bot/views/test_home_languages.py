"""The App Home in each reader's language (issue 15): the same screen in French and in
Russian, the council's and the members' names in that language, the plurals right."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.i18n import using
from bot.messages import Message
from bot.runtime import Runtime
from bot.views.home import home_message
from storage.models import Council
from tests.agenda import make_meeting
from tests.council import ADMIN, delegate, run

RU = delegate("RU")
DEC_17 = datetime(2026, 12, 17, 10, 0, tzinfo=UTC)


def _home(runtime: Runtime, user: str, lang: str) -> Message:
    with Session(runtime.engine) as s, using(lang):
        council = s.exec(select(Council)).one()
        return home_message(s, council, user, runtime.admins, runtime.clock())


def _text(message: Message) -> str:
    return "\n".join([message.header or "", message.text, *(f"{k}: {v}" for k, v in
                      message.fields), *message.sections, *message.context,
                      *(b.label for b in message.buttons)])


def test_a_delegates_home_in_french(council: Runtime) -> None:
    run(council, RU, "propose 48h Joint statement on search and rescue at sea.")
    make_meeting(council, "council-amb", DEC_17)
    view = _home(council, "UDEL0FR1", "fr")
    assert view.header == "Conseil OTAN-Russie"
    assert view.text.startswith("Vous agissez pour *France* en qualité de ")
    assert view.fields[0] == ("Consultations en attente d'une position", "1")
    assert view.fields[1][0] == "Prochaine réunion"
    text = _text(view)
    assert "*Prochaines réunions*" in text and "*En attente de la position de France*" in text
    assert "Approuver : P1" in text and "Objection… : P1" in text
    assert "procédure d'approbation tacite" in text
    assert "Mis à jour " in text and "`/nrc help` liste toutes les commandes." in text
    assert "Upcoming meetings" not in text and "Awaiting" not in text


def test_a_delegates_home_in_russian(council: Runtime) -> None:
    run(council, "UDEL0FR1", "propose 48h Joint statement on search and rescue at sea.")
    run(council, "UDEL0FR1", "propose 72h Common threat assessment.")
    view = _home(council, RU, "ru")
    assert view.header == "Совет Россия–НАТО"
    assert view.text.startswith("Вы действуете от имени *Российская Федерация* как ")
    assert view.fields[0] == ("Опросы, ожидающие позиции", "2")
    text = _text(view)
    assert "*Предстоящие заседания*" in text and "процедура молчания" in text
    assert "Согласиться: P1" in text and "Возразить…: P2" in text
    assert "Open polls" not in text and "You act for" not in text


def test_the_secretariats_home_in_russian_counts_in_russian(council: Runtime) -> None:
    meeting = make_meeting(council, "council-amb", DEC_17)
    for item in ("Missile defence", "Maritime safety", "Any other business"):
        run(council, ADMIN, f"agenda M{meeting} add {item}")
    view = _home(council, ADMIN, "ru")
    assert view.text == "Совет с первого взгляда — для Секретариата."
    text = _text(view)
    assert "(3 пункта повестки дня)" in text  # the "few" form: 2, 3, 4
    assert "Открытые опросы: 0" in text and "Просроченные вопросы: 0" in text
    with using("fr"):
        assert "(3 points à l'ordre du jour)" in _text(_home(council, ADMIN, "fr"))
