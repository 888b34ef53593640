"""The clocks: event order, step semantics, cancel, the wall clock's thread."""

from __future__ import annotations

import threading

import pytest

from batchmock.engine.clock import VirtualClock, WallClock


def test_events_run_in_time_order_then_scheduling_order() -> None:
    clock = VirtualClock(100.0)
    ran: list[str] = []
    clock.call_at(105, lambda: ran.append("b"))
    clock.call_at(103, lambda: ran.append("a"))
    clock.call_at(105, lambda: ran.append("c"))
    assert clock.advance(10) == 3
    assert ran == ["a", "b", "c"]
    assert clock.now() == 110.0
    assert clock.now_ms() == 110_000


def test_advance_stops_at_the_target_and_runs_events_at_their_time() -> None:
    clock = VirtualClock(0.0)
    times: list[float] = []
    clock.call_later(2, lambda: times.append(clock.now()))
    clock.call_later(5, lambda: times.append(clock.now()))
    clock.advance(3)
    assert times == [2.0]
    assert clock.now() == 3.0
    assert clock.pending == 1


def test_step_runs_only_what_was_due_when_it_began() -> None:
    clock = VirtualClock(0.0)
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        clock.call_later(0, lambda: ran.append("created now"))

    clock.call_later(1, first)
    clock.call_later(1, lambda: ran.append("same time"))
    clock.call_later(2, lambda: ran.append("later"))
    assert clock.step() == 2
    assert ran == ["first", "same time"]
    assert clock.now() == 1.0
    assert clock.step() == 1  # the event created during the last step, same instant
    assert ran[-1] == "created now"
    assert clock.now() == 1.0
    clock.step()
    assert ran[-1] == "later"
    assert clock.step() == 0


def test_cancelled_timers_never_run_and_are_not_pending() -> None:
    clock = VirtualClock(0.0)
    ran: list[int] = []
    timer = clock.call_later(1, lambda: ran.append(1))
    assert clock.pending == 1
    timer.cancel()
    timer.cancel()
    assert clock.pending == 0
    assert clock.next_time() is None
    clock.advance(5)
    assert ran == []
    assert not timer.active


def test_run_next_jumps_to_the_next_event() -> None:
    clock = VirtualClock(0.0)
    clock.call_later(50, lambda: None)
    assert clock.run_next() == 1
    assert clock.now() == 50.0
    assert clock.run_next() == 0


def test_negative_advance_is_refused() -> None:
    with pytest.raises(ValueError, match="seconds must be a number from 0 to"):
        VirtualClock(0.0).advance(-1)


@pytest.mark.parametrize("seconds", [1e306, 10**400, float("nan"), float("inf"), 253402300800])
def test_an_advance_past_year_9999_is_refused_and_moves_nothing(seconds: float) -> None:
    clock = VirtualClock(0.0)
    fired: list[float] = []
    clock.call_later(10, lambda: fired.append(clock.now()))
    with pytest.raises(ValueError, match=r"from 0 to 253402300799 .*9999-12-31T23:59:59Z"):
        clock.advance(seconds)
    assert (clock.now(), clock.now_ms(), fired, clock.pending) == (0.0, 0, [], 1)
    clock.advance(253402300799)  # the last second a timestamp can show is reachable
    assert (fired, clock.now_ms()) == ([10.0], 253402300799000)


def test_wall_clock_fires_events_from_its_thread() -> None:
    lock = threading.RLock()
    clock = WallClock(lock)
    try:
        fired = threading.Event()
        clock.call_later(0.01, fired.set)
        assert fired.wait(10)
        assert clock.pending == 0
    finally:
        clock.close()


def test_wall_clock_survives_a_failing_event() -> None:
    lock = threading.RLock()
    clock = WallClock(lock)
    try:
        fired = threading.Event()

        def broken() -> None:
            raise RuntimeError("boom")

        clock.call_later(0, broken)
        clock.call_later(0.01, fired.set)
        assert fired.wait(10)
    finally:
        clock.close()


def test_timers_at_one_instant_keep_scheduling_order_across_groups() -> None:
    clock = VirtualClock(0.0)
    ran: list[str] = []
    clock.call_at(5, ran.append, "a")
    clock.call_at(5, ran.append, "b")  # scheduled back to back: shares a's heap entry
    clock.call_at(3, ran.append, "c")
    clock.call_at(5, ran.append, "d")
    clock.call_at(4, ran.append, "e")
    assert clock.pending == 5
    assert clock.advance(10) == 5
    assert ran == ["c", "e", "a", "b", "d"]


def test_cancelling_one_timer_of_a_group_keeps_the_others() -> None:
    clock = VirtualClock(0.0)
    ran: list[str] = []
    clock.call_at(1, ran.append, "a")
    middle = clock.call_at(1, ran.append, "b")
    clock.call_at(1, ran.append, "c")
    middle.cancel()
    assert clock.pending == 2
    clock.advance(5)
    assert ran == ["a", "c"]


def test_a_timer_added_while_its_instant_runs_waits_for_the_next_step() -> None:
    clock = VirtualClock(0.0)
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        clock.call_at(clock.now(), ran.append, "added")  # same instant, made during the step

    clock.call_at(1, first)
    clock.step()
    assert ran == ["first"]
    clock.step()
    assert ran == ["first", "added"]
