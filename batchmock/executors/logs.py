"""CloudWatch Logs for attempts: each attempt's lines go to its log stream in moto's backend.

The stream is the one the job's ``logStreamName`` names (``<jobDefinitionName>/default/<taskId>``)
in the log group ``/aws/batch/job`` or the definition's ``awslogs-group`` (§4.8), in the job's
account and region. Lines are written in-process to moto's CloudWatch Logs backend, so
``boto3.client("logs").get_log_events(...)`` in the same test (answered by moto) returns them,
and so does a server's moto answering a job's own process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from batchmock.executors.base import AttemptContext

MAX_AGE_MS = 14 * 24 * 3600 * 1000
"""CloudWatch refuses events older than 14 days (and newer than 2 hours)."""
MAX_AHEAD_MS = 2 * 3600 * 1000


def account_and_region(job_arn: str) -> tuple[str, str]:
    """``(account, region)`` of a job ARN ``arn:aws:batch:<region>:<account>:job/<id>``."""
    parts = job_arn.split(":", 5)
    return parts[4], parts[3]


class LogStream:
    """One attempt's log stream; :meth:`write` may be called from any thread.

    Timestamps are the mock clock's time when the stream opened plus the real time elapsed
    since, so they line up with the job's ``startedAt`` on a virtual clock too. CloudWatch only
    keeps events from the last 14 days (up to 2 hours ahead): a clock outside that window
    stamps lines with the wall time instead of losing them.
    """

    def __init__(self, backend: Any, group: str, stream: str, start_ms: int) -> None:
        self._backend = backend
        self.group = group
        self.stream = stream
        self._start_ms = start_ms
        self._start = time.monotonic()
        self._lock = threading.Lock()
        self._last_ms = 0

    def write(self, lines: Sequence[str]) -> None:
        """Append ``lines`` (empty ones are skipped: CloudWatch needs a message of 1+ chars)."""
        messages = [line for line in lines if line]
        if not messages:
            return
        with self._lock:
            stamp = self._stamp()
            events = [{"timestamp": stamp, "message": message} for message in messages]
            self._backend.put_log_events(self.group, self.stream, events)

    def _stamp(self) -> int:
        stamp = self._start_ms + int((time.monotonic() - self._start) * 1000)
        wall = int(time.time() * 1000)
        if not wall - MAX_AGE_MS < stamp < wall + MAX_AHEAD_MS:
            stamp = wall
        # events of one stream stay in order even if the two clocks disagree
        stamp = max(stamp, self._last_ms)
        self._last_ms = stamp
        return stamp


class CloudWatchLogs:
    """Opens attempt log streams in moto's CloudWatch Logs backend.

    ``prepare`` runs before moto is first touched: the mock uses it to make sure the moto
    instance its boto3 clients talk to is running (starting one resets moto's state, so it must
    happen before any line is written, not when the test first calls CloudWatch Logs).
    ``now_ms`` is the mock clock.
    """

    def __init__(
        self, prepare: Callable[[], None], now_ms: Callable[[], int], lazy: bool = True
    ) -> None:
        self._prepare = prepare
        self.now_ms = now_ms
        self._lock = threading.Lock()
        self._ready = False
        self._lazy = lazy
        self._pending: list[tuple[str, str, str, tuple[str, ...], int]] = []
        """(job ARN, group, stream, lines, stamp): small, so a long run keeps little."""

    def record(self, ctx: AttemptContext, lines: Sequence[str]) -> None:
        """A simulated attempt's stream and its lines (none: an empty stream).

        Until something uses moto they are only kept (``lazy``): a test that never reads
        CloudWatch never starts moto for them. :meth:`flush` writes them, stamped with the mock
        clock's time of this call.
        """
        if self._lazy and not self._ready:
            with self._lock:
                if not self._ready:
                    self._pending.append(
                        (
                            ctx.job_arn,
                            ctx.log_group,
                            ctx.log_stream_name,
                            tuple(lines) if lines else (),
                            self.now_ms(),
                        )
                    )
                    return
        self.open(ctx).write(lines)

    def flush(self) -> None:
        """moto is about to answer a request: write every stream kept back by :meth:`record`."""
        if self._ready and not self._pending:
            return
        self._backend_ready()
        with self._lock:
            pending, self._pending = self._pending, []
        for job_arn, group, stream, lines, stamp in pending:
            self._open(job_arn, group, stream, stamp).write(lines)

    def open(self, ctx: AttemptContext) -> LogStream:
        """Create (if needed) the attempt's log group and stream; return a writer for it."""
        self.flush()  # streams kept back come first
        return self._open(ctx.job_arn, ctx.log_group, ctx.log_stream_name, self.now_ms())

    def _open(self, job_arn: str, group: str, stream: str, start_ms: int) -> LogStream:
        backend = self._backend(job_arn)
        with self._lock:
            if group not in backend.groups:
                backend.create_log_group(group, {})
            if stream not in backend.groups[group].streams:
                backend.create_log_stream(group, stream)
        return LogStream(backend, group, stream, start_ms)

    def _backend_ready(self) -> None:
        with self._lock:
            if not self._ready:
                self._prepare()
                self._ready = True

    def _backend(self, job_arn: str) -> Any:
        self._backend_ready()
        from moto.logs.models import logs_backends

        account, region = account_and_region(job_arn)
        return logs_backends[account][region]
