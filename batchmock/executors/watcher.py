"""One thread that follows every process of the local executor, on Linux (epoll and pidfds).

Each process registers two file descriptors: its output pipe (readable when it writes, and at
the end of its output) and a pidfd (readable when it exits). The thread blocks in
``epoll.poll`` until one is ready and calls its handler; handlers never block. One thread for
all processes costs an attempt no thread start, and an array of a hundred children no hundred
threads.
"""

from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable

Handler = Callable[[], None]
Closer = Callable[[], None]
_log = logging.getLogger(__name__)


def available() -> bool:
    """True where this watcher works: Linux with pidfds (kernel 5.3+, Python 3.9+)."""
    if not (hasattr(os, "pidfd_open") and hasattr(select, "epoll")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:  # an older kernel, or a sandbox that forbids it
        return False
    return True


class ProcessWatcher:
    """Calls a handler whenever a watched file descriptor is ready; see the module docstring.

    ``forget(fd)`` stops watching and closes the descriptor once the current batch of events is
    handled, so a number reused by a new descriptor never receives an old event.
    """

    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._wake_read, self._wake_write = os.pipe()
        self._epoll.register(self._wake_read, select.EPOLLIN)
        self._handlers: dict[int, tuple[Handler, Closer]] = {}
        self._to_close: list[Closer] = []
        self._lock = threading.Lock()
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name="batchmock-processes", daemon=True)
        self._thread.start()

    def watch(self, fd: int, handler: Handler, close: Closer) -> None:
        """Call ``handler()`` (in the watcher's thread) each time ``fd`` is readable.

        ``close()`` closes the descriptor (its owner's way: a file object's, or ``os.close``).
        """
        with self._lock:
            self._handlers[fd] = (handler, close)
            self._epoll.register(fd, select.EPOLLIN)

    def forget(self, fd: int) -> None:
        """Stop watching ``fd``; it is closed after the current batch of events."""
        with self._lock:
            entry = self._handlers.pop(fd, None)
            if entry is not None:
                self._epoll.unregister(fd)
                self._to_close.append(entry[1])

    def _loop(self) -> None:
        while True:
            events = self._epoll.poll()
            for fd, _ in events:
                if fd == self._wake_read:
                    if self._closing:
                        return
                    continue
                entry = self._handlers.get(fd)
                if entry is None:
                    continue
                try:
                    entry[0]()
                except Exception:  # one broken execution must not stop the others
                    _log.exception("error following a local job's process")
            with self._lock:
                closing, self._to_close = self._to_close, []
            for close in closing:
                close()

    def close(self) -> None:
        """Stop the thread and close every descriptor still watched."""
        self._closing = True
        os.write(self._wake_write, b"x")
        self._thread.join()
        with self._lock:
            left = [close for _, close in self._handlers.values()] + self._to_close
            self._handlers.clear()
            self._to_close = []
        for close in left:
            close()
        self._epoll.close()
        os.close(self._wake_read)
        os.close(self._wake_write)
