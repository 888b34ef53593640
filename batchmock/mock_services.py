"""What a mock offers its executors: a server for jobs to call, and their CloudWatch log streams.

A :class:`batchmock.BatchMock` makes one :class:`MockServices` per activation and hands it to its
runtime, which passes it to the executor. Both parts start on first use: a mock whose jobs are
only simulated and write no lines never starts a server or touches moto.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from batchmock.executors.base import AttemptContext
from batchmock.executors.logs import CloudWatchLogs, LogStream

if TYPE_CHECKING:
    from batchmock.executors.ecs import Task, TaskRegistry
    from batchmock.mock import BatchMock
    from batchmock.server.threaded import ThreadedServer


def _wall_ms() -> int:
    return int(time.time() * 1000)


class MockServices:
    """The loopback server serving ``mock`` (started on the first real attempt) and its logs.

    ``prepare_moto`` makes sure the moto instance the test's boto3 clients reach is running
    before anything is written to moto's backends (see :class:`CloudWatchLogs`).
    """

    def __init__(
        self, mock: BatchMock, prepare_moto: Callable[[], None], lazy_logs: bool = True
    ) -> None:
        self._mock = mock
        self._prepare_moto = prepare_moto
        self._now_ms: Callable[[], int] = _wall_ms
        self._lock = threading.Lock()
        self._server: ThreadedServer | None = None
        self._closed = False
        self.logs = CloudWatchLogs(prepare_moto, self.now_ms, lazy=lazy_logs)
        """CloudWatch streams; ``lazy_logs``: simulated attempts' streams wait for
        :meth:`flush_logs`, which whoever hands a request to moto calls first."""
        self._tasks: TaskRegistry | None = None

    def bind_clock(self, now_ms: Callable[[], int]) -> None:
        """Use the runtime's clock (epoch ms) for log timestamps."""
        self._now_ms = now_ms

    def now_ms(self) -> int:
        """The mock clock's time, epoch milliseconds (wall time until a clock is bound)."""
        return self._now_ms()

    def open_log(self, ctx: AttemptContext) -> LogStream:
        """The CloudWatch log stream of an attempt (created now)."""
        return self.logs.open(ctx)

    def record_log(self, ctx: AttemptContext, lines: Sequence[str]) -> None:
        """A simulated attempt's log stream and lines (see ``CloudWatchLogs.record``)."""
        self.logs.record(ctx, lines)

    def flush_logs(self) -> None:
        """Write the streams kept back for moto (it is about to answer a request)."""
        self.logs.flush()

    def open_task(self, ctx: AttemptContext, address: str) -> Task:
        """Serve the attempt's task metadata and credentials endpoints from the server."""
        url = self.server_url()
        with self._lock:
            if self._tasks is None:
                from batchmock.executors.ecs import TaskRegistry

                self._tasks = TaskRegistry(self.now_ms)
            tasks = self._tasks
        return tasks.register(ctx, url, address)

    def close_task(self, task: Task) -> None:
        """The attempt has ended: its endpoints stop answering."""
        if self._tasks is not None:
            self._tasks.unregister(task)

    @property
    def tasks(self) -> TaskRegistry | None:
        """The ECS endpoints of running attempts, answered by the server (``executors/ecs.py``);
        None until a real attempt started."""
        return self._tasks

    def server_url(self) -> str:
        """``http://127.0.0.1:<port>`` of a server answering for this mock; started on first call.

        Batch requests reach the same in-memory state the test sees; every other service goes to
        moto's backends, which are the ones the test's own boto3 clients reach.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("The mock has ended: no server for new attempts.")
            if self._server is None:
                from batchmock.server.threaded import ThreadedServer

                self._prepare_moto()
                self._server = ThreadedServer(self._mock, host="127.0.0.1", port=0).start()
            return self._server.endpoint_url

    @property
    def server_running(self) -> bool:
        """True once a job needed the server, until :meth:`close`."""
        return self._server is not None

    def close(self) -> None:
        """Stop the server (the mock is ending; every attempt has been stopped already)."""
        with self._lock:
            self._closed = True
            server, self._server = self._server, None
        if server is not None:
            server.stop()
