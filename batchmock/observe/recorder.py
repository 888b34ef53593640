"""Which mocks a test used: the registry the pytest plugin opens around each test.

While a :class:`Recording` is open (the plugin opens one per test and closes it after the
test's teardown), every mock that starts records itself, and leaves its backends and clock
reading behind when it stops, so a failure report can show the jobs of a mock that was used as
a decorator or ``with`` block and has ended. Outside pytest nothing is open and nothing is kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol


class Observable(Protocol):
    """What a recording reads of a mock (``BatchMock`` satisfies it)."""

    def backends(self) -> list[Any]: ...

    def now_ms(self) -> int: ...

    @property
    def clock_name(self) -> str: ...


@dataclass
class Seen:
    """One mock seen during a test: live while active, frozen once it stopped."""

    mock: Observable
    backends: list[Any] = field(default_factory=list)
    now_ms: int = 0
    clock: str = "virtual"
    stopped: bool = False


class Recording:
    """The mocks seen between :func:`open_recording` and :func:`close_recording`."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def started(self, mock: Observable) -> None:
        """A mock became active (a mock started twice is seen once)."""
        with self._lock:
            for seen in self.seen:
                if seen.mock is mock:
                    seen.stopped = False
                    return
            self.seen.append(Seen(mock, clock=mock.clock_name))

    def stopping(self, mock: Observable) -> None:
        """A mock is about to drop its state: keep its backends and its clock's reading."""
        with self._lock:
            for seen in self.seen:
                if seen.mock is mock:
                    seen.backends = list(mock.backends())
                    seen.now_ms = mock.now_ms()
                    seen.stopped = True

    def sources(self) -> list[tuple[list[Any], int, str]]:
        """``(backends, now_ms, clock)`` of every mock seen, read now for the active ones."""
        found = []
        with self._lock:
            seen_list = list(self.seen)
        for seen in seen_list:
            if seen.stopped:
                found.append((seen.backends, seen.now_ms, seen.clock))
            else:
                try:
                    found.append((list(seen.mock.backends()), seen.mock.now_ms(), seen.clock))
                except RuntimeError:  # stopped without telling us (e.g. reset mid-way)
                    continue
        return found


_open: list[Recording] = []
_open_lock = threading.Lock()


def open_recording() -> Recording:
    """Start recording the mocks that start from now on (the plugin, per test)."""
    recording = Recording()
    with _open_lock:
        _open.append(recording)
    return recording


def close_recording(recording: Recording) -> None:
    """Stop recording; the recording keeps what it saw, nothing else does."""
    with _open_lock:
        if recording in _open:
            _open.remove(recording)


def note_started(mock: Observable) -> None:
    """Called by a mock when it starts."""
    if not _open:
        return
    with _open_lock:
        recordings = list(_open)
    for recording in recordings:
        recording.started(mock)


def note_stopping(mock: Observable) -> None:
    """Called by a mock just before it drops its state."""
    if not _open:
        return
    with _open_lock:
        recordings = list(_open)
    for recording in recordings:
        recording.stopping(mock)
