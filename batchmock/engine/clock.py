"""The mock's clocks: a deterministic virtual clock and a wall clock with the same interface.

Both keep a heap of ``(time, seq, group)``; ``seq`` breaks ties in scheduling order, so the same
test always processes the same events in the same order. Timers scheduled one right after the
other for the same time (the 256 attempts a scheduling pass starts, the 10,000 jobs submitted
at one virtual instant) share one heap entry, a group run in scheduling order: the order is
exactly that of separate entries, at a fraction of the heap work. Cancelled timers stay in their
group and are skipped when they surface (cancel is O(1)).
"""

from __future__ import annotations

import abc
import heapq
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

Callback = Callable[..., None]
_log = logging.getLogger(__name__)

LATEST = 253402300799.0
"""9999-12-31T23:59:59Z in epoch seconds: the latest time a timestamp can show (SDKs parse API
timestamps into dates of at most four-digit years), so the clock is never moved past it."""


def check_advance(now: float, seconds: Any) -> None:
    """ValueError (nothing moved) unless ``seconds`` is a number from 0 that keeps the clock at
    or before :data:`LATEST`."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(f"seconds must be a number, got {seconds!r}"[:300])
    limit = max(LATEST - now, 0.0)
    if not 0 <= seconds <= limit:  # NaN fails both comparisons; huge ints compare exactly
        shown = f"{seconds!r}" if len(repr(seconds)) <= 40 else f"{repr(seconds)[:37]}..."
        raise ValueError(
            f"seconds must be a number from 0 to {limit:.0f} (the clock cannot pass "
            f"9999-12-31T23:59:59Z), got {shown}"
        )


class Timer:
    """A scheduled callback; :meth:`cancel` makes sure it never runs."""

    __slots__ = ("_clock", "args", "callback", "seq", "when")

    def __init__(
        self, clock: Clock, when: float, seq: int, callback: Callback, args: tuple[Any, ...]
    ) -> None:
        self._clock = clock
        self.when = when
        self.seq = seq
        self.callback: Callback | None = callback
        self.args = args

    @property
    def active(self) -> bool:
        """True until the timer fired or was cancelled."""
        return self.callback is not None

    def cancel(self) -> None:
        """Drop the callback (no-op if it already ran or was cancelled)."""
        if self.callback is not None:
            self.callback = None
            self.args = ()
            self._clock._live -= 1


class _Group:
    """Timers due at the same time with consecutive ``seq``: one heap entry, run in order."""

    __slots__ = ("first", "timers")

    def __init__(self, timer: Timer) -> None:
        self.timers = [timer]
        self.first = 0
        """Index of the first timer that may still be live (those before it ran or were dropped)."""

    def head(self) -> Timer | None:
        """The first live timer, skipping (and forgetting) cancelled ones."""
        timers = self.timers
        index = self.first
        end = len(timers)
        while index < end and timers[index].callback is None:
            index += 1
        self.first = index
        return timers[index] if index < end else None


class Clock(abc.ABC):
    """Time of the mock in epoch seconds, and the events due at given times."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Group]] = []
        self._next_seq = 0
        self._live = 0
        self._tail: _Group | None = None
        """The group of the latest timer while later ones may still join it."""

    # -- time ----------------------------------------------------------------------------------
    @abc.abstractmethod
    def now(self) -> float:
        """Current time, epoch seconds."""

    def now_ms(self) -> int:
        """Current time, epoch milliseconds (the unit of every API timestamp, G2)."""
        return int(round(self.now() * 1000))

    # -- scheduling ----------------------------------------------------------------------------
    def _take_seq(self) -> int:
        seq = self._next_seq
        self._next_seq = seq + 1
        return seq

    def call_at(self, when: float, callback: Callback, *args: Any) -> Timer:
        """Run ``callback(*args)`` at ``when`` (not before now)."""
        seq = self._next_seq
        self._next_seq = seq + 1
        timer = Timer(self, when, seq, callback, args)
        tail = self._tail
        if tail is not None:
            last = tail.timers[-1]
            if last.when == when and last.seq == seq - 1:
                # nothing was scheduled in between: running it right after ``last`` from the same
                # heap entry is the order two entries would give
                tail.timers.append(timer)
                self._live += 1
                return timer
        group = _Group(timer)
        heapq.heappush(self._heap, (when, seq, group))
        self._tail = group
        self._live += 1
        return timer

    def call_later(self, delay: float, callback: Callback, *args: Any) -> Timer:
        """Run ``callback(*args)`` ``delay`` seconds from now."""
        return self.call_at(self.now() + (delay if delay > 0.0 else 0.0), callback, *args)

    @property
    def pending(self) -> int:
        """How many timers will still fire."""
        return self._live

    def next_time(self) -> float | None:
        """When the next live timer is due, or None."""
        heap = self._heap
        while heap and heap[0][2].head() is None:
            self._pop()
        return heap[0][0] if heap else None

    def _pop(self) -> None:
        group = heapq.heappop(self._heap)[2]
        if group is self._tail:
            self._tail = None  # a group leaving the heap takes no more timers

    def _fire_next(self, until: float, before_seq: int | None = None) -> int:
        """Run the next group of live timers due at or before ``until``; how many ran."""
        heap = self._heap
        while heap:
            when, _, group = heap[0]
            first = group.head()
            if first is None:
                self._pop()
                continue
            if when > until or (before_seq is not None and first.seq >= before_seq):
                return 0
            self._pop()
            self._at(when)
            return self._run(when, group)
        return 0

    def _run(self, when: float, group: _Group) -> int:
        timers = group.timers
        index = group.first
        end = len(timers)  # a group out of the heap takes no more timers
        count = 0
        try:
            while index < end:
                timer = timers[index]
                index += 1
                callback = timer.callback
                if callback is None:
                    continue
                timer.callback = None
                self._live -= 1
                count += 1
                callback(*timer.args)
        except BaseException:
            if index < end:  # the rest stays due, in order, as separate timers would
                group.first = index
                heapq.heappush(self._heap, (when, timers[index].seq, group))
            raise
        return count

    def _at(self, when: float) -> None:  # noqa: B027 (a hook: only the virtual clock moves)
        """Hook: the virtual clock moves to the time of the event it runs."""

    # -- driving -------------------------------------------------------------------------------
    @abc.abstractmethod
    def step(self) -> int:
        """One observable tick; returns the number of events processed."""

    @abc.abstractmethod
    def advance(self, seconds: float) -> int:
        """Let ``seconds`` pass, processing every event due on the way, in order."""

    @abc.abstractmethod
    def run_next(self) -> int:
        """Process the next events (waiting for them on the wall clock); 0 when none is pending."""

    def close(self) -> None:
        """Drop every pending event and stop any thread."""
        for _, _, group in self._heap:
            for timer in group.timers:
                timer.callback = None
                timer.args = ()
        self._heap.clear()
        self._tail = None
        self._live = 0


class VirtualClock(Clock):
    """Time that moves only when the test (or a polling API call) moves it; deterministic."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self._now = float(start)
        self._now_ms = int(round(self._now * 1000))

    def now(self) -> float:
        """Current virtual time."""
        return self._now

    def now_ms(self) -> int:
        """Current virtual time in milliseconds (cached: it is read on every transition)."""
        return self._now_ms

    def _at(self, when: float) -> None:
        if when > self._now:
            self._now = when
            self._now_ms = int(round(when * 1000))

    def step(self) -> int:
        """Jump to the next event time and run the events that were due when the step began.

        Events those create wait for the next step, even when due at the same instant: each
        step shows one more state of a job to a polling loop (issue 3, item 10).
        """
        due = self.next_time()
        if due is None:
            return 0
        limit = self._take_seq()  # every timer created from here on waits for the next step
        until = max(due, self._now)
        count = 0
        while True:
            ran = self._fire_next(until, limit)
            if not ran:
                return count
            count += ran

    def advance(self, seconds: float) -> int:
        """Move ``seconds`` forward, running every event due on the way, in time order."""
        check_advance(self._now, seconds)
        target = self._now + seconds
        count = 0
        while True:
            ran = self._fire_next(target)
            if not ran:
                break
            count += ran
        self._at(target)
        return count

    def run_next(self) -> int:
        """Jump to the next event and run it (with the events of its group)."""
        return self._fire_next(float("inf"))


class WallClock(Clock):
    """Real time: a daemon thread runs due events under the runtime's lock.

    This is the only place in batchmock that waits on time (``Condition.wait``).
    """

    def __init__(self, lock: threading.RLock) -> None:
        super().__init__()
        self._cond = threading.Condition(lock)
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="batchmock-clock", daemon=True)
        self._thread.start()

    def now(self) -> float:
        """Current wall time."""
        return time.time()

    def call_at(self, when: float, callback: Callback, *args: Any) -> Timer:
        """Schedule and wake the clock thread, which may need to fire earlier now."""
        with self._cond:
            timer = super().call_at(when, callback, *args)
            self._cond.notify_all()
            return timer

    def _fire_due(self) -> int:
        count = 0
        while True:
            try:
                ran = self._fire_next(self.now())
                if not ran:
                    return count
                count += ran
            except Exception:  # keep the clock alive; the failure is a bug to be reported
                _log.exception("batchmock: an event failed on the wall clock")
                count += 1

    def _loop(self) -> None:
        with self._cond:
            while not self._closed:
                self._fire_due()
                due = self.next_time()
                self._cond.wait(None if due is None else max(due - self.now(), 0.0))

    def step(self) -> int:
        """Run what is due now (the thread does too; time is not ours to move)."""
        with self._cond:
            return self._fire_due()

    def advance(self, seconds: float) -> int:
        """Wait ``seconds`` real seconds, running events as they fall due."""
        check_advance(self.now(), seconds)
        deadline = self.now() + seconds
        count = 0
        with self._cond:
            while True:
                count += self._fire_due()
                left = deadline - self.now()
                if left <= 0:
                    return count
                due = self.next_time()
                self._cond.wait(left if due is None else min(left, max(due - self.now(), 0.0)))

    def run_next(self) -> int:
        """Wait until the next event is due, then run what is due."""
        with self._cond:
            while True:
                due = self.next_time()
                if due is None:
                    return 0
                wait = due - self.now()
                if wait <= 0:
                    return self._fire_due()
                self._cond.wait(wait)

    def wait_real(self, seconds: float) -> None:
        """Release the lock and wait up to ``seconds`` (woken early by new events)."""
        with self._cond:
            self._cond.wait(seconds)

    def close(self) -> None:
        """Stop the thread and drop pending events."""
        with self._cond:
            self._closed = True
            super().close()
            self._cond.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
