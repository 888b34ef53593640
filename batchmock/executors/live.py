"""What the real executors share: the job's environment and an execution that really runs.

A :class:`LiveExecution` is filled in by threads of its executor: each line the job writes goes
to :meth:`LiveExecution.add_line` (kept for ``batch.logs`` and written to CloudWatch at once),
and the exit code to :meth:`LiveExecution.finish`. The engine only ever polls, waits on an
event, or asks it to stop; nothing here sleeps.
"""

from __future__ import annotations

import abc
import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from batchmock.executors import ecs
from batchmock.executors.base import AttemptContext, LogWriter, Outcome, Services
from batchmock.executors.ecs import Task
from batchmock.executors.logs import account_and_region

LOOPBACK = "127.0.0.1"
"""Where real attempts run and reach the mock's server (Docker containers use host networking)."""
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
"""Hosts added to a job's ``NO_PROXY``: the mock's server listens on one of them."""
JOIN_SECONDS = 30.0
"""How long shutdown waits for one execution's threads once it has been killed."""
_log = logging.getLogger(__name__)


def job_environment(
    ctx: AttemptContext,
    endpoint_url: str | None,
    inherited: Mapping[str, str] | None = None,
    task: Task | None = None,
) -> dict[str, str]:
    """The environment of an attempt's process or container (reference §9, §21.5).

    ``inherited`` (the host's environment, for the local executor) comes first, without any
    ``AWS_*`` or ``ECS_*`` variable: a developer's real credentials, profile or endpoint must
    never reach a job. Then the job's variables and every ``AWS_BATCH_*`` variable (§9); then
    what ECS sets in every container: ``AWS_EXECUTION_ENV`` (``AWS_ECS_EC2`` or
    ``AWS_ECS_FARGATE``) and the job's region (unless the job sets its own), and with ``task``
    (the attempt's endpoints on the mock's server, ``executors/ecs.py``) the task metadata URIs,
    ``ECS_AGENT_URI`` on Fargate and, for a job with a ``jobRoleArn``, the container credential
    variables. A job with a role gets no access keys in its environment, as on Batch: SDKs fetch
    the role's credentials from the endpoint. A job without one gets fake keys whose access key
    id is the job's account (the stand-in for the instance role; the mock routes such keys to
    that account). Last, the endpoint of the mock's server, which ``NO_PROXY`` then names with
    the other loopback hosts. Credentials and endpoints always win
    over the job's own values, so a job cannot reach real AWS.
    """
    env: dict[str, str] = {}
    if inherited is not None:
        env.update((k, v) for k, v in inherited.items() if not k.startswith(("AWS_", "ECS_")))
    env.update(ctx.env)
    account, region = account_and_region(ctx.job_arn)
    env.setdefault("AWS_EXECUTION_ENV", ecs.execution_env(ctx))
    env.setdefault("AWS_REGION", region)
    env.setdefault("AWS_DEFAULT_REGION", env["AWS_REGION"])
    for name in _CREDENTIAL_VARIABLES:
        env.pop(name, None)
    if task is not None:
        env.update(task.environment())
    if "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in env:
        env["AWS_ACCESS_KEY_ID"] = account
        env["AWS_SECRET_ACCESS_KEY"] = ecs.SECRET_KEY
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    if endpoint_url is not None:
        env["AWS_ENDPOINT_URL"] = endpoint_url
        env["AWS_ENDPOINT_URL_BATCH"] = endpoint_url
        # The server is on this machine: a proxy the developer's environment names must not
        # carry the job's calls to it (it could not reach it, and nothing may leave).
        bypass = [h for h in (env.get("NO_PROXY") or env.get("no_proxy") or "").split(",") if h]
        bypass += [h for h in LOOPBACK_NAMES if h not in bypass]
        env["NO_PROXY"] = env["no_proxy"] = ",".join(bypass)
    return env


_CREDENTIAL_VARIABLES = (
    "AWS_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "ECS_CONTAINER_METADATA_URI",
    "ECS_CONTAINER_METADATA_URI_V4",
    "ECS_AGENT_URI",
)
"""What only batchmock sets: the job's own values of these are dropped."""


def run_cleanups(cleanups: Sequence[Callable[[], None]]) -> None:
    """Run each cleanup, in reverse order; one that fails is logged and the others still run."""
    for cleanup in reversed(cleanups):
        try:
            cleanup()
        except Exception:
            _log.warning("cleaning up after an attempt failed", exc_info=True)


def exit_status(code: int) -> int:
    """A container runtime's exit code for a process status: killed by signal N -> 128 + N."""
    return 128 - code if code < 0 else code


class LiveExecution(abc.ABC):
    """One attempt that really runs; subclasses start it and deliver signals to it."""

    simulated = False

    def __init__(
        self,
        ctx: AttemptContext,
        log: LogWriter | None,
        cleanups: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.ctx = ctx
        self._log = log
        self._lines: list[str] = []
        self._lines_lock = threading.Lock()
        self._done = threading.Event()
        self._outcome: Outcome | None = None
        self._started = time.monotonic()
        self._stopping = False
        self._stop_lock = threading.Lock()
        self._cleanups = list(cleanups)
        """Run (in reverse order) when the attempt ends, before its outcome becomes visible."""
        self.threads: list[threading.Thread] = []

    # -- filled in by the executor's threads ---------------------------------------------------
    def add_line(self, line: str) -> None:
        """One line the job wrote (stdout or stderr), without its newline."""
        with self._lines_lock:
            self._lines.append(line)
        if self._log is not None:
            self._log.write((line,))

    def finish(self, exit_code: int | None, reason: str | None = None) -> None:
        """The attempt ended; cleanups run, then the outcome becomes visible to :meth:`poll`."""
        outcome = Outcome(
            exit_code=exit_code, duration=time.monotonic() - self._started, reason=reason
        )
        cleanups, self._cleanups = self._cleanups, []
        run_cleanups(cleanups)
        self._outcome = outcome
        self._done.set()

    def spawn(self, target: Any, name: str) -> threading.Thread:
        """Run ``target`` in a daemon thread the executor's shutdown waits for."""
        thread = threading.Thread(target=target, name=f"batchmock-{name}", daemon=True)
        self.threads.append(thread)
        thread.start()
        return thread

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called (the exit code is then the stop's, not the job's)."""
        return self._stopping

    # -- the Execution protocol ----------------------------------------------------------------
    def poll(self) -> Outcome | None:
        """The outcome once the process or container has exited and its output is read."""
        return self._outcome if self._done.is_set() else None

    def wait(self, timeout: float | None = None) -> Outcome | None:
        """Block up to ``timeout`` seconds for the outcome."""
        self._done.wait(timeout)
        return self.poll()

    def drain_logs(self) -> list[str]:
        """The lines written since the last call."""
        with self._lines_lock:
            lines, self._lines = self._lines, []
        return lines

    def stop(self, grace_seconds: float) -> None:
        """SIGTERM, then SIGKILL if still running after ``grace_seconds`` (0: SIGKILL now)."""
        if self._done.is_set():
            return
        with self._stop_lock:
            first = not self._stopping
            self._stopping = True
        if grace_seconds <= 0:
            self.signal(signal.SIGKILL)
        elif first:
            self.spawn(lambda: self._escalate(grace_seconds), "stop")

    def _escalate(self, grace_seconds: float) -> None:
        self.signal(signal.SIGTERM)
        if not self._done.wait(grace_seconds):
            self.signal(signal.SIGKILL)

    @abc.abstractmethod
    def signal(self, signum: int) -> None:
        """Deliver ``signum`` to the job (no-op once it is gone)."""

    @property
    def threads_alive(self) -> bool:
        """True while a thread of this execution (reader, waiter, cleanup) still runs."""
        return any(thread.is_alive() for thread in self.threads)

    def join(self, timeout: float = JOIN_SECONDS) -> None:
        """Wait for the outcome and every thread of this execution (the executor is ending)."""
        deadline = time.monotonic() + timeout
        self._done.wait(timeout)
        for thread in list(self.threads):
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))


class LiveExecutor:
    """Bookkeeping shared by the real executors: the executions to stop at shutdown."""

    def __init__(self, services: Services | None) -> None:
        self.services = services
        self._executions: list[LiveExecution] = []
        self._lock = threading.Lock()

    def endpoint_url(self) -> str | None:
        """The mock's server for the job to call, or None when the runtime has no services."""
        return None if self.services is None else self.services.server_url()

    def open_log(self, ctx: AttemptContext) -> LogWriter | None:
        """The attempt's CloudWatch stream, or None when the runtime has no services."""
        return None if self.services is None else self.services.open_log(ctx)

    def node_address(self, index: int) -> str:
        """The address of node ``index`` of a multi-node job: every node runs on this machine,
        so the main node's address is loopback, which every other node reaches."""
        return LOOPBACK

    def open_task(self, ctx: AttemptContext) -> tuple[Task | None, list[Callable[[], None]]]:
        """The attempt's ECS endpoints (None without services) and the cleanup that closes them."""
        if self.services is None:
            return None, []
        services = self.services
        task = services.open_task(ctx, ctx.private_ipv4_address or LOOPBACK)
        return task, [lambda: services.close_task(task)]

    def keep(self, execution: LiveExecution) -> None:
        """Remember an execution until shutdown (finished ones are dropped as we go)."""
        with self._lock:
            self._executions = [e for e in self._executions if e.poll() is None or e.threads_alive]
            self._executions.append(execution)

    def shutdown(self) -> None:
        """Kill every execution still running and wait until each one is cleaned up."""
        with self._lock:
            executions, self._executions = self._executions, []
        for execution in executions:
            execution.stop(0.0)
        for execution in executions:
            execution.join()
