"""The courier: one thread per process that sends what this process recorded, when due.

A request records what the council must see in its transaction and returns; the
courier, woken by ``deliver_soon``, sleeps until those rows fall due (an App Home
waits ``outbox.HOME_SETTLE``) and sends only them, by id, so that the workers of a
deployment do not race each other for every row. The clock process sweeps up
whatever a vanished process left.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from bot import outbox

log = logging.getLogger("bot.runtime")


class Courier:
    """What a :class:`bot.runtime.Runtime` needs to deliver in the background."""

    clock: Callable[[], datetime]
    #: Send what is due, or only the given rows: the runtime's (its engine and renderers).
    deliver: Callable[..., outbox.DeliveryReport]

    def _start_courier(self) -> None:
        """The courier's state, empty: no thread until something is recorded."""
        self._courier: threading.Thread | None = None
        self._closed = False
        self._courier_lock = threading.Lock()
        self._wake = threading.Event()
        #: What this process recorded and has yet to deliver, soonest first (a heap):
        #: (monotonic deadline, the row and the moment it is due on the runtime's clock,
        #: how many times the courier found it taken).
        self._dues: list[tuple[float, outbox.Due, int]] = []
        #: Each row waiting in the heap, with the latest moment noted for it since: a row
        #: rewritten a hundred times while it waits is looked for once, not a hundred.
        #: [the moment its entry is for, the latest moment noted since].
        self._queued: dict[int, list[datetime]] = {}
        #: App Homes the courier took but set aside for newer work, to send first next time.
        self._held: list[tuple[outbox.Due, int]] = []

    def _recorded(self, dues: set[outbox.Due]) -> None:
        """A committed unit of work recorded these outbox rows."""
        if not dues:
            return
        with self._courier_lock:
            for due in dues:
                waiting = self._queued.get(due.row_id)
                if waiting is None or due.at < waiting[0]:
                    # Not queued yet, or wanted sooner (an App Home its viewer opened):
                    # an entry for the sooner moment; the later one in the heap is stale.
                    self._queue(due, self._deadline(due.at),
                                later=waiting[1] if waiting else None)
                else:
                    waiting[1] = max(waiting[1], due.at)

    def _deadline(self, at: datetime) -> float:
        """When, on the monotonic clock, a row due at ``at`` (the runtime's clock) is due."""
        return time.monotonic() + max(0.0, (at - self.clock()).total_seconds())

    def _queue(self, due: outbox.Due, deadline: float, tries: int = 0,
               later: datetime | None = None) -> None:
        """Put a row in the courier's heap (the caller holds the lock)."""
        heapq.heappush(self._dues, (deadline, due, tries))
        self._queued[due.row_id] = [due.at, max(due.at, later or due.at)]

    def _take_due(self) -> list[tuple[outbox.Due, int]]:
        """Take from the heap what has come due (the caller holds the lock).

        A row noted again for a later moment while it waited goes back in for that
        moment: what was written before the courier claims it goes out now (messages
        are rendered at delivery), and what comes after goes out then.
        """
        due, self._held = self._held, []
        while self._dues and self._dues[0][0] <= time.monotonic():
            _, row, tries = heapq.heappop(self._dues)
            waiting = self._queued.get(row.row_id)
            if waiting is None or waiting[0] != row.at:
                continue  # stale: the row was queued again for a sooner moment
            del self._queued[row.row_id]
            due.append((row, tries))
            if waiting[1] > row.at:
                self._queue(outbox.Due(waiting[1], row.row_id, row.home),
                            self._deadline(waiting[1]))
        return due

    def deliver_soon(self, port: outbox.Port) -> None:
        """Wake this process's delivery thread if this process recorded something to send.

        The request that asked does not wait for Slack. One thread per process
        sends the outbox in order, instead of every request thread racing the
        others for the same rows; it sleeps until what this process recorded
        falls due (an App Home waits ``outbox.HOME_SETTLE``). A read that
        recorded nothing wakes nobody: the clock process delivers the rest.
        """
        with self._courier_lock:
            if not self._dues or self._closed:
                return
            if self._courier is None or not self._courier.is_alive():
                self._courier = threading.Thread(target=self._courier_loop, args=(port,),
                                                 name="nrc-courier", daemon=True)
                self._courier.start()
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop this process's delivery thread, after the send it is making.

        What it had yet to send stays in the outbox for the clock process (or the
        next worker): the rows are committed, only this process's note of them goes.
        """
        with self._courier_lock:
            self._closed = True
            courier, self._dues, self._queued, self._held = self._courier, [], {}, []
        self._wake.set()
        if courier is not None and courier is not threading.current_thread():
            courier.join(timeout)

    def _courier_loop(self, port: outbox.Port) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            with self._courier_lock:
                due = self._take_due()
            try:
                self._send_due(port, due)
            except Exception:
                log.exception("outbox delivery failed; the clock process will retry")
            with self._courier_lock:
                later = time.monotonic() if self._held else self._dues[0][0] if self._dues else None
            if later is not None and not self._wake.is_set():
                # Sleep until the next row is due, unless a request wakes it sooner.
                self._wake.wait(max(0.0, later - time.monotonic()))
                self._wake.set()

    def _send_due(self, port: outbox.Port, due: list[tuple[outbox.Due, int]]) -> None:
        """Send what this process recorded and is now due: posts and updates first, then
        App Homes one at a time, giving way to anything a request records meanwhile.

        Only this process's own rows, found by id, so that the workers do not race
        each other for every row; the clock process sweeps up whatever a vanished
        process left. The time that has passed is the wall clock's; what is due is on
        the runtime's clock (a test's may stand still): each goes as of its moment.
        """
        first = [(d, tries) for d, tries in due if not d.home]
        if first:
            report = self.deliver(port, max(max(d.at for d, _ in first), self.clock()),
                                  rows=[d.row_id for d, _ in first])
            self._again([(d, tries) for d, tries in first if d.row_id not in report.settled])
            self._paced(report)
        homes = sorted((d, tries) for d, tries in due if d.home)
        for n, (home, tries) in enumerate(homes):
            if n and self._wake.is_set():  # a request recorded something: that goes first
                with self._courier_lock:
                    self._held.extend(homes[n:])
                return
            report = self.deliver(port, max(home.at, self.clock()), rows=[home.row_id])
            self._again([(home, tries)] if home.row_id not in report.settled else [])
            self._paced(report, home=True)

    #: How often, and how soon, the courier looks again for a row it found taken.
    TAKEN_TRIES = 3
    TAKEN_WAIT = 0.25

    def _again(self, taken: list[tuple[outbox.Due, int]]) -> None:
        """Rows another worker was sending (or had sent) when this one looked.

        One rewritten while another worker sent its older content is left to that
        worker; if the rewrite came in after it looked, the row is this process's
        to send. Look again shortly, a few times; the clock process sweeps the rest.
        """
        with self._courier_lock:
            for due, tries in taken:
                if tries + 1 < self.TAKEN_TRIES:
                    self._requeue(due, time.monotonic() + self.TAKEN_WAIT, tries + 1)

    def _paced(self, report: outbox.DeliveryReport, home: bool = False) -> None:
        """Rows pacing held back (``outbox.pacing``): this process sends them when their
        channel has a token again, not at the clock process's next sweep."""
        with self._courier_lock:
            for row_id, at in report.later.items():
                self._requeue(outbox.Due(at, row_id, home), self._deadline(at), 0)

    def _requeue(self, due: outbox.Due, deadline: float, tries: int) -> None:
        """Put back a row the courier took but did not settle (the caller holds the lock),
        unless a later note has queued it again already."""
        if due.row_id in self._queued:
            return
        self._queue(due, deadline, tries)

