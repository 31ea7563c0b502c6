"""A smoke run of the bench's poll-button phases (issue 13), as ``python -m bench --quick``
runs them but smaller: each server under gunicorn, one worker, four requests a phase.

What is checked is what the harness would report and what the council would see on the
fake Slack: every request answered, every effect found, the poll messages updated.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench import http_bench
from bench.effects import concurred
from bench.http_bench import Bench, Council
from bench.jobs import jobs_for
from bench.report import Phase
from tests.fakeslack import Call, FakeSlack

pytestmark = pytest.mark.multiprocess

KINDS = ("concur-now", "click", "amend-click")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    slack = http_bench.start_fake_slack()
    yield slack
    slack.close()


@contextmanager
def _bench(target: str, app: str, fake: FakeSlack, workdir: Path, council: Council | None,
           database_url: str | None) -> Iterator[tuple[Bench, dict[str, list[Phase]]]]:
    server = http_bench.make_server(target, app, fake.api_url, database_url, workdir)
    server.env["WEB_CONCURRENCY"] = "1"
    server.start()
    try:
        with ThreadPoolExecutor(max_workers=1) as loader:
            bench = Bench(target, server.url + "/slack/events", council, fake, loader,
                          lambda _: None)
            yield bench, {kind: bench.run(kind, 4, 2) for kind in KINDS}
    finally:
        server.stop()


def _check(phases: dict[str, list[Phase]]) -> None:
    assert [[p.request for p in phases[k]] for k in KINDS] == [
        ["concur-now"], ["click", "submit"], ["amend-click", "amend-submit"]]
    for phase in (p for run in phases.values() for p in run):
        assert (phase.count, phase.errors, phase.effect_missing, phase.note) == (4, 0, 0, ""), phase
        assert phase.effect_spread is not None and phase.effect_spread.p99 > 0
    assert [p.effect for run in phases.values() for p in run] == [
        "chat.update", "views.open", "chat.update", "views.open", "chat.update"]


def test_the_baseline_answers_every_poll_button(fake: FakeSlack, tmp_path: Path) -> None:
    with _bench("baseline", "bench.baseline:create_app()", fake, tmp_path, None,
                None) as (_, phases):
        _check(phases)


def test_the_bot_records_each_click_and_updates_the_poll_message(
        fake: FakeSlack, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/smoke.db"
    council = Council(url, fake)
    try:
        council.seat()
        with _bench("bot-sqlite", "bot.transports.web:create_app()", fake, tmp_path,
                    council, url) as (bench, phases):
            _check(phases)  # the note would say so if positions recorded != good answers
            poll = bench.polls(1, "after")[0]
            [job] = jobs_for("concur-now", 1, [poll], fake)
            samples, _ = bench.send([job], 1)
            assert samples[0].ok

            def shows_the_member(calls: list[Call]) -> bool:
                return any(c.method == "chat.update" and c.params.get("ts") == poll.ts
                           and concurred(c) == {job.member} for c in calls)

            fake.wait_for(shows_the_member)
    finally:
        council.close()
