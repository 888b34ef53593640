"""The executor contract: what runs one attempt of a job and what it reports back.

The engine decides *when* an attempt runs; an executor decides *what happens* in it. The engine
calls :meth:`Executor.launch` at the STARTING -> RUNNING moment with an :class:`AttemptContext`
and gets an :class:`Execution` back, which it watches until it yields an :class:`Outcome`.

Two kinds of execution fit the same protocol:

- a *simulated* execution (``simulated = True``) knows its outcome at launch; the engine plays
  ``Outcome.duration`` on the mock's clock (virtual seconds on the virtual clock);
- a *live* execution (a process, a container) reports its outcome when it really ends; the
  runtime polls it on every step and waits for it in ``run_until_idle``; its timeout is counted
  in real seconds (see ``Runtime.real_timeout_seconds``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from batchmock.executors.ecs import Task

MAX_EXIT_CODE = 255
"""The largest exit code a container's process can report (Batch reports 0 to 255)."""
MAX_DURATION = 100 * 365 * 86400
"""The longest run an outcome may script, in seconds (a century): any longer run would carry the
mock's clock past the latest time a timestamp can show."""

TASK_FAILED_TO_START = "Task failed to start"
"""§4.10: the statusReason of an attempt whose task never started."""


def outcome_problem(exit_code: Any, duration: Any) -> str | None:
    """Why an outcome's exit code or duration is out of bounds, or None when both fit."""
    if exit_code is not None and (
        isinstance(exit_code, bool)
        or not isinstance(exit_code, int)
        or not 0 <= exit_code <= MAX_EXIT_CODE
    ):
        return f"exitCode must be an integer from 0 to {MAX_EXIT_CODE}, got {exit_code!r}"[:300]
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, (int, float))
        or not 0 <= duration <= MAX_DURATION
    ):
        return (
            f"duration must be a number of seconds from 0 to {MAX_DURATION} (a century), "
            f"got {duration!r}"
        )[:300]
    return None


@dataclass
class Outcome:
    """How an attempt ended: what a scripted handler returns and what an execution reports.

    ``exit_code`` 0 is success; anything else (``None`` included: no exit code, e.g. the host
    died) is a failure that goes through the retry strategy (§7). ``duration`` is the run time
    in seconds of RUNNING (virtual seconds for the simulated executor). ``reason`` becomes the
    attempt's ``container.reason`` (matched by ``onReason``); ``status_reason``, when given,
    replaces the attempt's statusReason ``Essential container in task exited`` (matched by
    ``onStatusReason``, e.g. ``Host EC2 (instance i-0123) terminated.``). ``logs`` are the lines
    the attempt wrote.
    """

    exit_code: int | None = 0
    duration: float = 0.0
    reason: str | None = None
    logs: list[str] = field(default_factory=list)
    status_reason: str | None = None


class StartFailure(Exception):
    """Raised by :meth:`Executor.launch` when the attempt cannot start (image pull, bad command).

    The attempt then ends in STARTING (it never reaches RUNNING) with ``container.reason`` set
    to ``reason`` (e.g. ``CannotPullContainerError: ...``) and goes through the retry strategy
    like any other failure (§4.2 [inferred]).
    """

    def __init__(self, reason: str, status_reason: str = TASK_FAILED_TO_START) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_reason = status_reason


@dataclass
class AttemptContext:
    """Everything about one attempt of one job, handed to ``on_job`` handlers and executors.

    ``command`` is the effective command (overrides applied, ``Ref::`` substituted); ``env`` is
    the user's variables plus every ``AWS_BATCH_*`` variable of §9. Node fields are set for
    multi-node jobs only, array fields for array children only.
    """

    job_id: str
    job_arn: str
    job_name: str
    job_definition: str
    """The job definition's name (``job_definition_arn`` has the revision)."""
    job_definition_arn: str
    job_queue: str
    compute_environment: str
    image: str | None
    command: list[str]
    env: dict[str, str]
    parameters: dict[str, str]
    attempt: int
    """1-based attempt number (AWS_BATCH_JOB_ATTEMPT)."""
    array_index: int | None
    array_size: int | None
    node_index: int | None
    num_nodes: int | None
    is_main_node: bool
    vcpus: float
    memory: int
    gpus: int
    timeout_seconds: int | None
    """``attemptDurationSeconds`` of the job (virtual seconds for simulated attempts)."""
    log_group: str
    log_stream_name: str
    task_arn: str
    container: dict[str, Any] | None = None
    """The effective container properties (user, volumes, ulimits, ...) for real executors."""
    platform: str = "EC2"
    """``EC2`` or ``FARGATE`` (the job's platform capability): ``AWS_EXECUTION_ENV`` and the
    task metadata's launch type."""
    private_ipv4_address: str | None = None
    """A multi-node node's address (its ``networkInterfaces`` in DescribeJobs), else None."""


@runtime_checkable
class Execution(Protocol):
    """One running attempt, as the engine sees it."""

    simulated: bool
    """True when the outcome is known at launch and its duration is played on the mock clock."""

    def poll(self) -> Outcome | None:
        """The outcome if the attempt has ended, else None; never blocks."""

    def wait(self, timeout: float | None = None) -> Outcome | None:
        """Block up to ``timeout`` real seconds for the outcome; None if still running."""

    def stop(self, grace_seconds: float) -> None:
        """Ask the attempt to stop (SIGTERM, then SIGKILL after ``grace_seconds``).

        The outcome then arrives through :meth:`poll` (exit 143 or 137 for a real process);
        a simulated execution has it at once.
        """

    def drain_logs(self) -> list[str]:
        """The lines written since the last call (the engine stores them with the job)."""


@runtime_checkable
class Executor(Protocol):
    """Runs attempts: ``launch`` one, ``shutdown`` everything left when the mock ends."""

    def launch(self, ctx: AttemptContext) -> Execution:
        """Start the attempt; raise :class:`StartFailure` if it cannot start."""

    def shutdown(self) -> None:
        """Stop and clean up every execution still alive (the mock is ending)."""


class LogWriter(Protocol):
    """An attempt's CloudWatch log stream (see ``batchmock/executors/logs.py``)."""

    def write(self, lines: Sequence[str]) -> None:
        """Append lines, stamped with the current time; callable from any thread."""


class Services(Protocol):
    """What the mock offers executors: a server URL for jobs to call and a log sink.

    Executors see only this interface; the mock layer composes it (``batchmock.mock_services``).
    """

    def server_url(self) -> str:
        """The endpoint of a loopback server answering for the mock (started on first call)."""

    def open_log(self, ctx: AttemptContext) -> LogWriter:
        """Create the attempt's log group and stream in moto's CloudWatch Logs."""

    def bind_clock(self, now_ms: Callable[[], int]) -> None:
        """Use the runtime's clock (epoch ms) for log timestamps."""

    def open_task(self, ctx: AttemptContext, address: str) -> Task:
        """Serve the attempt's ECS task metadata and credentials endpoints (``executors/ecs.py``)
        from the loopback server until ``close_task``; ``address`` is where the job runs."""

    def close_task(self, task: Task) -> None:
        """The attempt has ended: its endpoints stop answering."""

    def record_log(self, ctx: AttemptContext, lines: Sequence[str]) -> None:
        """A simulated attempt's stream and lines: written to CloudWatch Logs when moto is
        first used (or at once if it already is)."""
