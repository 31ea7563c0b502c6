"""The roster copy: used while the council row's stamp says it is current, never after.

A request reads the council row anyway; a process's copy of the members and
delegates is used only while that row's ``roster_stamp`` is the one it was taken
at, and every change to a member or a delegate, by any process, gives a new stamp.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.messages import render_text
from bot.runtime import Runtime
from storage.engine import transaction
from storage.models import Council, Delegate
from storage.roster import roster_of
from tests.council import ADMIN, CHANNEL, delegate, make_runtime, run


def _council(session: Session) -> Council:
    return session.exec(select(Council)).one()


def _statements(engine: Engine, step: object) -> int:
    count = [0]

    def seen(*_args: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", seen)
    try:
        step()  # type: ignore[operator]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return count[0]


def test_the_copy_serves_until_a_delegate_changes_then_is_read_again(council: Runtime) -> None:
    with Session(council.engine) as s:
        first = roster_of(s, _council(s))
        assert len(first.members) == 20 and len(first.delegates) == 20
    with Session(council.engine) as s:
        row = _council(s)
        assert _statements(council.engine, lambda: roster_of(s, row)) == 0  # the copy
        assert roster_of(s, row) is first
    assert "joins the delegation" in run(council, ADMIN, f"delegate add RU {delegate('RU', 2)}")
    with Session(council.engine) as s:
        row = _council(s)
        assert row.roster_stamp != first.stamp
        fresh = roster_of(s, row)
    assert fresh is not first
    assert fresh.seat_of(delegate("RU", 2)) is not None
    assert first.seat_of(delegate("RU", 2)) is None  # the old copy is left as it was
    assert fresh.delegates_of([fresh.seat_of(delegate("RU"))[1].id]) == [  # type: ignore[index]
        delegate("RU"), delegate("RU", 2)]


def test_a_copy_taken_before_another_runtime_s_change_is_not_used(council: Runtime,
                                                                  engine: Engine) -> None:
    """What one runtime changes, another sees at its next request: the stamp says so."""
    other = make_runtime(engine)

    def roster_shown() -> str:
        return render_text(other.run_command(delegate("FR"), CHANNEL, "members"))

    assert "@UDEL0RU1 (head)" in roster_shown()
    assert "leaves the delegation" in run(council, ADMIN, f"delegate remove {delegate('RU')}")
    assert "@UDEL0RU1" not in roster_shown()
    assert run(other, delegate("RU"), "propose 48h Text").startswith(
        "Only delegations or the Chair may open consensus polls.")


def test_a_change_in_the_same_unit_of_work_is_read_at_once(council: Runtime) -> None:
    with transaction(council.engine) as s:
        row = _council(s)
        before = roster_of(s, row)
        ru = before.seat_of(delegate("RU"))
        assert ru is not None
        s.add(Delegate(council_id=row.id or 0, member_id=ru[1].id or 0,
                       user_id=delegate("RU", 3), role="expert", added_at=row.created_at,
                       added_by=ADMIN))
        s.flush()
        assert row.roster_stamp != before.stamp  # the flush restamped the row we hold
        assert roster_of(s, row).seat_of(delegate("RU", 3)) is not None


def test_a_rolled_back_change_leaves_the_council_on_its_old_stamp(council: Runtime) -> None:
    with Session(council.engine) as s:
        stamp = _council(s).roster_stamp
    try:
        with transaction(council.engine) as s:
            row = _council(s)
            ru = roster_of(s, row).seat_of(delegate("RU"))
            assert ru is not None
            s.delete(s.get(Delegate, ru[0].id))
            s.flush()
            raise RuntimeError("changed my mind")
    except RuntimeError:
        pass
    with Session(council.engine) as s:
        row = _council(s)
        assert row.roster_stamp == stamp
        assert roster_of(s, row).seat_of(delegate("RU")) is not None


def test_every_request_path_reads_the_roster_through_the_copy(council: Runtime) -> None:
    """``members`` asks for the reader's language and the council row, and nothing else,
    once the copy is taken."""
    run(council, delegate("FR"), "members")
    statements = _statements(council.engine, lambda: run(council, delegate("FR"), "members"))
    expected = 3 if council.engine.dialect.name == "sqlite" else 2  # SQLite counts its BEGIN
    assert statements == expected
