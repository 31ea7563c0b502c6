"""The targets table of docs/benchmarks.md for the poll message's buttons (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.report import Phase, Report, ServerRun, Spread, render


def _phase(request: str, ack_p99: float, effect: str = "", effect_p99: float | None = None,
           target: str = "bot (PostgreSQL)") -> Phase:
    return Phase(target=target, request=request, concurrency=10, count=200, errors=0, late=0,
                 throughput=100.0, ack=Spread(ack_p99 / 2, ack_p99, ack_p99), effect=effect,
                 effect_spread=None if effect_p99 is None else Spread(1.0, 1.0, effect_p99))


def _targets(phases: list[Phase], baseline: list[Phase]) -> list[str]:
    report = Report(quick=False, started=datetime(2026, 12, 1, tzinfo=UTC),
                    machine={"cores": "2"},
                    servers=[ServerRun("baseline", baseline), ServerRun("bot (PostgreSQL)", phases)])
    text = render(report)
    table = text.split("## Targets", 1)[1].split("## baseline", 1)[0]
    return [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]


def test_each_poll_button_has_its_ack_and_click_to_update_rows() -> None:
    rows = _targets([
        _phase("concur-now", 80.0, "chat.update", 240.0),
        _phase("click", 60.0, "views.open", 70.0),
        _phase("submit", 90.0, "chat.update", 150.0),
        _phase("amend-click", 120.0, "views.open", 100.0),
        _phase("amend-submit", 95.0, "chat.update", 200.0),
    ], [_phase(r, 50.0, target="baseline") for r in ("concur-now", "click", "submit",
                                                      "amend-click", "amend-submit")])
    assert "| `concur-now` ack p99 <= 100 ms at concurrency 10 | 80.0 ms | yes |" in rows
    assert "| `amend-click` ack p99 <= 100 ms at concurrency 10 | 120 ms | NO |" in rows
    assert "| `amend-submit` ack p99 <= 100 ms at concurrency 10 | 95.0 ms | yes |" in rows
    assert ("| ack p99 <= 2× the baseline's at every concurrency | worst 2.40× "
            "(`amend-click` at 10) | NO |") in rows
    assert ("| *Concur* (one click): click to updated poll message p99 <= 250 ms at "
            "concurrency 10 | 240 ms | yes |") in rows
    statement = next(r for r in rows if r.startswith("| *Concur with statement…*"))
    assert statement.endswith("| 70.0 + 150 = 220 ms | yes |")
    amendment = next(r for r in rows if r.startswith("| *Propose amendment…*"))
    assert amendment.endswith("| 100 + 200 = 300 ms | NO |")


def test_a_button_whose_update_never_came_fails_its_target() -> None:
    rows = _targets([_phase("concur-now", 50.0)], [])
    assert ("| *Concur* (one click): click to updated poll message p99 <= 250 ms at "
            "concurrency 10 | no update seen | NO |") in rows
