"""The audit trail: ``audit [N]``, tamper evidence, and appends from many writers at once."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import audit
from bot.cli import main as cli
from bot.runtime import Runtime
from storage.models import AuditEntry, Council
from tests.agenda import make_decision
from tests.council import ADMIN, CHAIR, CODES, OUTSIDER, delegate, run

ROOT = Path(__file__).resolve().parents[3]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _verdict(runtime: Runtime) -> audit.Verdict:
    with Session(runtime.engine) as s:
        council = s.exec(select(Council)).one()
        return audit.verify(s, council.id or 0)


def test_audit_shows_the_latest_entries_newest_first(council: Runtime) -> None:
    # Seating the council wrote: council.create, setup, chair.set, 20 delegate.add.
    reply = council.run_command(ADMIN, None, "audit")
    assert reply.header == "Audit log"
    assert reply.text == "NATO-Russia Council: the latest 20 of 23 entries, newest first."
    lines = reply.sections[0].splitlines()
    assert len(lines) == 20
    assert lines[0].startswith("`#23` <!date^")
    assert f"<@{ADMIN}> (the secretariat) \u00b7 *delegate.add* \u00b7 concerns Russian Federation " \
           f"\u2014 user={delegate('RU')} " \
           "role=head changed=false" in lines[0]
    assert lines[-1].startswith("`#4` ")
    assert reply.context[0] == "Hash chain intact over all 23 entries."
    every = council.run_command(ADMIN, None, "audit 200")
    assert every.text == "NATO-Russia Council: all 23 of 23 entries, newest first."
    assert every.sections[0].splitlines()[-1].startswith("`#1` ")
    assert "the bot \u00b7 *council.create*" in every.sections[0].splitlines()[-1]
    assert len(council.run_command(ADMIN, None, "audit 5").sections[0].splitlines()) == 5


@pytest.mark.parametrize("arg", ["0", "201", "ten", "-3", "5 6"])
def test_audit_count_must_be_sensible(council: Runtime, arg: str) -> None:
    assert run(council, ADMIN, f"audit {arg}") == (
        f'Give the number of entries as a whole number from 1 to 200, not "{arg}".\n'
        "Usage: `/nrc audit [N]`")


@pytest.mark.parametrize("user", [OUTSIDER, CHAIR, delegate("RU")])
def test_only_the_secretariat_reads_the_audit_log(council: Runtime, user: str) -> None:
    assert run(council, user, "audit") == ("Only the secretariat may read the audit log.\n"
                                           "Usage: `/nrc audit [N]`")


def test_every_issue_action_is_audited_with_actor_and_member(council: Runtime) -> None:
    d = make_decision(council)
    run(council, delegate("RU"), f"raise D{d} Late.")
    run(council, delegate("FR"), f"raise D{d} Also late.")
    run(council, CHAIR, "resolve I1 Done.")
    run(council, delegate("FR"), "withdraw I2")
    lines = council.run_command(ADMIN, None, "audit 4").sections[0].splitlines()
    assert [line.split(" *")[1].split("*")[0] for line in lines] == [
        "issue.withdraw", "issue.resolve", "issue.raise", "issue.raise"]
    assert f"<@{delegate('FR')}> (delegate of France) \u00b7 *issue.withdraw* \u2014" in lines[0]
    assert f"<@{CHAIR}> (the Chair) \u00b7 *issue.resolve* \u00b7 concerns Russian Federation " \
           "\u2014 issue=1" in lines[1]
    assert "note=Done." in lines[1]
    assert _verdict(council).intact


def test_editing_a_row_behind_the_bots_back_is_detected(
        council: Runtime, capsys: pytest.CaptureFixture[str]) -> None:
    url = _url(council.engine)
    assert cli(["--database", url, "audit", "verify"]) == 0
    assert "NATO-Russia Council: audit log intact, 23 entries." in capsys.readouterr().out
    with council.engine.begin() as conn:  # someone with database access rewrites history
        conn.execute(text("UPDATE auditentry SET actor = 'UFORGER01' WHERE seq = 7"))
    assert cli(["--database", url, "audit", "verify"]) == 1
    assert ("NATO-Russia Council: audit log BROKEN: entry 7 was altered after it was written."
            in capsys.readouterr().out)
    assert council.run_command(ADMIN, None, "audit 3").context[0] == (
        "Hash chain BROKEN: entry 7 was altered after it was written.")
    with council.engine.begin() as conn:  # putting it back is not enough to hide a deletion
        conn.execute(text("UPDATE auditentry SET actor = :a WHERE seq = 7"), {"a": ADMIN})
        conn.execute(text("DELETE FROM auditentry WHERE seq = 12"))
    assert cli(["--database", url, "audit", "verify"]) == 1
    assert "entry 13 follows a missing entry 12" in capsys.readouterr().out


_WRITER = """
import sys
from bot.runtime import Runtime
from bot.settings import Settings
url, user, decision, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runtime = Runtime(Settings(database_url=url))
for n in range(count):
    reply = runtime.run_command(user, "CCOUNCIL1", f"raise D{decision} process {user} {n}")
    assert reply.text.startswith("Raised"), reply.text
"""


def test_many_writers_at_once_keep_the_chain_intact(council: Runtime) -> None:
    """Threads and processes raise issues at the same moment: one chain, no gaps, no forks.

    Run on PostgreSQL too (NRC_TEST_POSTGRES_URL): the council row lock orders the writers.
    """
    d = make_decision(council)
    before = _verdict(council).entries
    per_writer = 5
    thread_users = [delegate(code) for code in CODES[:6]]
    process_users = [delegate(code) for code in CODES[6:8]]
    failures: list[str] = []
    start = threading.Barrier(len(thread_users))

    def write(user: str) -> None:
        start.wait()
        for n in range(per_writer):
            reply = run(council, user, f"raise D{d} thread {user} {n}")
            if not reply.startswith("Raised"):
                failures.append(reply)

    processes = [subprocess.Popen([sys.executable, "-c", _WRITER, _url(council.engine), user,
                                   str(d), str(per_writer)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for user in process_users]
    threads = [threading.Thread(target=write, args=(u,)) for u in thread_users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for p in processes:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
    assert failures == []
    writers = len(thread_users) + len(process_users)
    verdict = _verdict(council)
    assert verdict.intact, verdict.reason
    assert verdict.entries == before + writers * per_writer
    with Session(council.engine) as s:
        raised = s.exec(select(AuditEntry).where(AuditEntry.action == "issue.raise")
                        .order_by(col(AuditEntry.seq))).all()
    assert sorted(e.details["issue"] for e in raised) == list(range(1, writers * per_writer + 1))


def test_the_audit_log_says_who_acted_in_which_capacity_and_whom_it_concerns(
        council: Runtime) -> None:
    """Issue 11, item 4: not "@UADMIN01 for United Kingdom", as if acting for the member."""
    d = make_decision(council)
    run(council, ADMIN, f"delegate add United Kingdom {delegate('GB', 2)} expert")
    run(council, delegate("RU"), f"raise D{d} Late.")
    run(council, CHAIR, "resolve I1 Done.")
    lines = council.run_command(ADMIN, None, "audit 3").sections[0].splitlines()
    assert lines[0].endswith(f"<@{CHAIR}> (the Chair) \u00b7 *issue.resolve* \u00b7 concerns "
                             f"Russian Federation \u2014 issue=1 decision={d} note=Done.")
    assert lines[1].endswith(f"<@{delegate('RU')}> (delegate of Russian Federation) \u00b7 "
                             f"*issue.raise* \u2014 issue=1 decision={d} text=Late.")
    assert lines[2].endswith(f"<@{ADMIN}> (the secretariat) \u00b7 *delegate.add* \u00b7 concerns "
                             f"United Kingdom \u2014 user={delegate('GB', 2)} role=expert "
                             "changed=false")
    every = council.run_command(ADMIN, None, "audit 200").sections[0].splitlines()
    assert "> the bot \u00b7 *council.create* \u2014 charter=" in every[-1]
    assert _verdict(council).intact


def test_a_secretariat_member_who_is_also_a_delegate_acts_as_the_secretariat(
        council: Runtime) -> None:
    """Binding the channel is the secretariat's act: it concerns no member."""
    council.admins = frozenset({ADMIN, delegate("FR")})
    run(council, delegate("FR"), "setup", channel="CNEWCHAN1")
    [line] = council.run_command(ADMIN, None, "audit 1").sections[0].splitlines()
    assert line.endswith(f"<@{delegate('FR')}> (the secretariat) \u00b7 *setup* \u2014 "
                         "channel=CNEWCHAN1 previous=CCOUNCIL1")


def test_entries_written_before_capacities_still_verify(council: Runtime) -> None:
    """The hash of an entry without a capacity is the one it was written with."""
    with Session(council.engine) as s:
        first = s.exec(select(AuditEntry).order_by(col(AuditEntry.seq))).first()
        assert first is not None
        first.capacity = None
        old = json.dumps({"council_id": first.council_id, "seq": first.seq,
                          "at": first.at.isoformat(), "actor": first.actor,
                          "member": first.member, "action": first.action,
                          "details": first.details, "prev_hash": first.prev_hash},
                         sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert audit.digest(first) == hashlib.sha256(old).hexdigest()
        s.rollback()
