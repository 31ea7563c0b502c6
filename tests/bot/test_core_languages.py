"""The core in French and Russian (issue 15): an error and its usage line, a refusal, a
lookup, the help, and a channel post built in each official language."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlmodel import Session, col, select

from bot.i18n import _, using
from bot.messages import Message
from bot.registry import REGISTRY
from bot.runtime import Runtime
from storage.models import Outbox
from tests.council import ADMIN, CHANNEL, OUTSIDER, delegate, run

ROOT = Path(__file__).resolve().parents[2]


def _speaks(runtime: Runtime, user: str, lang: str) -> None:
    run(runtime, user, f"language {lang}")


def test_an_error_and_its_usage_line_in_french(runtime: Runtime) -> None:
    _speaks(runtime, ADMIN, "fr")
    assert run(runtime, ADMIN, "delegate add Narnia UABCDEF12").split("\n") == [
        "Aucun membre ne correspond à « Narnia ».",
        "Syntaxe : `/nrc delegate add <member> <user> [head|deputy|milrep|expert]`",
    ]
    assert run(runtime, ADMIN, "delegate ad Spain UGARCIA01").split("\n") == [
        "Il n'existe pas de commande « delegate ad ». Vouliez-vous dire « delegate add » ?",
        "Syntaxe : `/nrc delegate add <member> <user> [head|deputy|milrep|expert]`",
    ]


def test_an_error_and_its_usage_line_in_russian(runtime: Runtime) -> None:
    _speaks(runtime, ADMIN, "ru")
    assert run(runtime, ADMIN, "resolve X").split("\n") == [
        "Укажите номер (вопрос о выполнении), например I3, а не «X».",
        "Формат: `/nrc resolve <I> <note>`"]
    assert run(runtime, ADMIN, "frobnicate").split("\n")[0] == "Команды «frobnicate» нет."


def test_a_refusal_says_who_may_in_the_readers_language(council: Runtime) -> None:
    _speaks(council, OUTSIDER, "fr")
    assert run(council, OUTSIDER, "setup").split("\n") == [
        "Seul le Secrétariat peut désigner le canal du Conseil.", "Syntaxe : `/nrc setup`"]
    assert run(council, OUTSIDER, "schedule council-amb 2030-01-10 10:00").startswith(
        "Seuls le Président ou le Secrétariat peuvent programmer des réunions.")
    _speaks(council, OUTSIDER, "ru")
    assert run(council, OUTSIDER, "concur P1").startswith(
        "Только делегации могут занимать позицию; Вы не входите в делегацию члена Совета.")
    _speaks(council, OUTSIDER, "en")
    assert run(council, OUTSIDER, "setup").split("\n")[0] == (
        "Only the secretariat may bind the council channel.")


def test_help_is_in_the_readers_language_and_the_usage_stays_typed(council: Runtime) -> None:
    _speaks(council, delegate("FR"), "fr")
    reply = council.run_command(delegate("FR"), CHANNEL, "help raise")
    assert reply.header == "Aide : raise"
    lines = reply.text.split("\n")
    assert lines[0] == "`/nrc raise <D> <text>`"
    assert lines[1] == ("Soulever une question relative à la mise en œuvre d'une décision "
                        "commune, au nom de votre membre.")
    assert "Exemples : `raise D2 " in reply.text
    listing = council.run_command(delegate("FR"), CHANNEL, "help")
    assert listing.header == "Commandes"
    assert listing.text == "Conseil OTAN-Russie : ce que vous pouvez me demander."
    assert listing.sections[0].startswith("*Positions et consultations*\n• `/nrc propose ")
    assert listing.sections[-1].startswith("Également pour le Président et le Secrétariat : ")


def test_a_lookup_offers_the_names_in_the_readers_language(council: Runtime) -> None:
    _speaks(council, ADMIN, "fr")
    assert run(council, ADMIN, "delegate add Allemange UABCDEF12").startswith(
        "Aucun membre ne correspond à « Allemange ». Vouliez-vous dire Allemagne ?")
    assert run(council, ADMIN, "delegate add Allemagne UABCDEF12") == (
        "<@UABCDEF12> rejoint la délégation (Allemagne) comme expert.")


def test_a_channel_post_is_built_in_each_official_language(runtime: Runtime) -> None:
    _speaks(runtime, ADMIN, "ru")  # the reply is the reader's; the post, the council's
    assert run(runtime, ADMIN, "setup") == f"<#{CHANNEL}> назначен каналом Совета."
    with Session(runtime.engine) as session:
        row = session.exec(select(Outbox).where(col(Outbox.key).startswith("setup:"))).one()
    posted = Message.from_dict(row.payload)
    assert posted.text.startswith("This channel is now the channel of the *")
    assert [m.text for m in posted.also] == [
        "Ce canal est désormais celui du *Conseil OTAN-Russie*. Les annonces, consultations, "
        "rappels et questions de mise en œuvre y seront publiés."]


def test_every_command_s_help_is_listed_for_the_catalogues() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import help_texts  # type: ignore[import-not-found]

    written = (ROOT / "bot" / "help_texts.py").read_text(encoding="utf-8")
    assert written == help_texts.source(), "run tools/help_texts.py"
    with using("ru"):
        assert all(_(REGISTRY[name].summary) != REGISTRY[name].summary for name in REGISTRY)
