"""Attempts (§4.5-4.8, §7, §8): a placed job starts, runs, exits, times out or is stopped.

RUNNABLE -> STARTING when placed (the attempt gets its task, §4.6); STARTING -> RUNNING after
``delays.starting`` when the executor launches it (startedAt, logStreamName, the timeout clock
start, §8.2); RUNNING -> SUCCEEDED on exit code 0, else RUNNABLE when the retry strategy says so
(§7) or FAILED. A simulated attempt's run time is played on the clock; a live one ends when the
runtime sees its outcome.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import TYPE_CHECKING, Any

from batchmock.engine import context, retries, states
from batchmock.engine.job import Attempt, Job
from batchmock.executors.base import Outcome, StartFailure

if TYPE_CHECKING:
    from batchmock.engine.engine import Engine

_ENTROPY_BYTES = 16 * 128
_STARTING = states.STARTING
_RUNNING = states.RUNNING


class Attempts:
    """Runs the attempts of the jobs of one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._clusters: dict[str, tuple[str, str | None]] = {}
        self._entropy = ""
        self._entropy_at = 0

    # -- placement -----------------------------------------------------------------------------
    def place(self, job: Job, ce: Any) -> None:
        """The scheduler placed ``job`` on ``ce``: it holds capacity from now on (§13.10)."""
        engine = self.engine
        run = job.run
        run.queue.runnable.discard(job)
        if run.limit_timer is not None:
            run.limit_timer.cancel()
            run.limit_timer = None
        engine.scheduler.charge(job, ce)
        held = engine.consumables_of(job)
        for resource, quantity in held:
            resource.try_acquire(quantity)
        run.consumables = held
        if job.parent is None and job.spec.node_properties is not None:  # multi-node parent
            engine.multinode.place(job, ce)
        else:
            self.begin(job, ce)

    def task_arn(self, ce: Any) -> tuple[str, str | None]:
        """A new task ARN on the CE's cluster and the container instance it runs on (§4.8)."""
        cached = self._clusters.get(ce.name)
        if cached is None:
            cluster = context.cluster_name(ce)
            backend = self.engine.backend
            prefix = f"arn:aws:ecs:{backend.region}:{backend.account_id}"
            instance = None
            if not str(getattr(ce, "resource_type", "") or "").startswith("FARGATE"):
                # one container instance per CE is enough for a simulation [inferred]
                number = uuid.uuid5(uuid.NAMESPACE_URL, f"{ce.arn}/instance").hex
                instance = f"{prefix}:container-instance/{cluster}/{number}"
            cached = self._clusters[ce.name] = (f"{prefix}:task/{cluster}/", instance)
        return cached[0] + self._task_id(), cached[1]

    def _task_id(self) -> str:
        """32 random hex digits (an ECS task ID); OS entropy read 128 IDs at a time."""
        start = self._entropy_at
        if start >= len(self._entropy):
            self._entropy = os.urandom(_ENTROPY_BYTES).hex()
            start = 0
        self._entropy_at = start + 32
        return self._entropy[start : start + 32]

    def begin(self, job: Job, ce: Any) -> None:
        """RUNNABLE -> STARTING: a new attempt with its task (§4.6)."""
        engine = self.engine
        task_arn, instance_arn = self.task_arn(ce)
        job.attempts.append(Attempt(task_arn=task_arn, container_instance_arn=instance_arn))
        job.compute_environment = ce.name
        job.task_arn = task_arn
        job.log_stream_name = None
        job.exit_code = None
        job.container_reason = None
        job.scheduled_at = engine.clock.now_ms()
        job.run.timed_out = False
        engine.transition(job, _STARTING, None)
        job.run.timer = engine.later(engine.options.delays.starting, self._launch, job)

    # -- running -------------------------------------------------------------------------------
    def _launch(self, job: Job) -> None:
        """STARTING -> RUNNING: the executor runs the attempt (§4.5, §8.2)."""
        run = job.run
        run.timer = None
        if job.status != _STARTING:
            return
        engine = self.engine
        attempt = job.attempts[-1]
        ctx = context.build(job, attempt.task_arn, len(job.attempts), job.compute_environment or "")
        try:
            execution = engine.runtime.executor.launch(ctx)
        except StartFailure as failure:
            outcome = Outcome(
                exit_code=None, reason=failure.reason, status_reason=failure.status_reason
            )
            self.ended(job, outcome)
            return
        now = engine.clock.now_ms()
        attempt.started_at = now
        attempt.log_stream_name = job.log_stream_name = ctx.log_stream_name
        job.started_at = now
        job.stopped_at = None
        run.execution = execution
        # nothing reads a simulated attempt's context once launched; not keeping it spares the
        # garbage collector 256 running attempts' contexts (live executions keep theirs)
        run.ctx = None if execution.simulated else ctx
        engine.transition(job, _RUNNING)
        lines = execution.drain_logs()
        if lines:
            job.logs.extend(lines)
        if job.node_index is not None:
            engine.multinode.node_running(job)
        elif ctx.timeout_seconds:
            self.arm_timeout(job, job, ctx.timeout_seconds)
        if execution.simulated:
            outcome = execution.poll() or Outcome()
            run.timer = engine.later(float(outcome.duration), self._exit, job)
        else:
            engine.runtime.track(engine, job)

    def arm_timeout(self, owner: Job, runner: Job, seconds: float) -> None:
        """§8.2: the timeout of ``owner`` counts from now; ``runner`` is the attempt it stops."""
        execution = runner.run.execution
        if execution is not None and not execution.simulated:
            runner.run.real_deadline = time.monotonic() + self.engine.runtime.real_timeout_seconds(
                seconds
            )
            return
        owner.run.timeout_timer = self.engine.later(float(seconds), self.timed_out, owner)

    def _exit(self, job: Job) -> None:
        """The simulated run time is over."""
        run = job.run
        run.timer = None
        execution = run.execution
        if job.status == _RUNNING and execution is not None:
            self.ended(job, execution.poll() or Outcome())

    def collect_logs(self, job: Job) -> None:
        """Move the lines the execution wrote to the job (all attempts, in order)."""
        execution = job.run.execution
        if execution is not None:
            lines = execution.drain_logs()
            if lines:
                job.logs.extend(lines)

    # -- stopping ------------------------------------------------------------------------------
    def timed_out(self, job: Job) -> None:
        """§8: the attempt ran past attemptDurationSeconds; it is stopped and not retried."""
        job.run.timeout_timer = None
        if job.is_multinode_parent:
            self.engine.multinode.timed_out(job)
            return
        if job.parent is not None and job.node_index is not None:
            self.engine.multinode.timed_out(job.parent)  # a live main node's deadline
            return
        if job.status == states.RUNNING:
            job.run.timed_out = True
            self.stop(job)

    def stop(self, job: Job) -> None:
        """Stop a STARTING or RUNNING attempt (terminate, timeout, end of an MNP job)."""
        if job.run.timer is not None:
            job.run.timer.cancel()
            job.run.timer = None
        if job.status == states.STARTING:
            self.ended(job, Outcome(exit_code=None))
            return
        execution = job.run.execution
        if job.status != states.RUNNING or execution is None:
            return
        job.run.real_deadline = None  # the stop decides now, not a later timeout
        execution.stop(self.engine.runtime.stop_grace_seconds())
        outcome = execution.poll()
        if outcome is not None or execution.simulated:
            self.ended(job, outcome or Outcome(exit_code=None))
        # else: a live execution; the runtime sees its outcome when the process is gone

    # -- the end of an attempt -----------------------------------------------------------------
    def ended(self, job: Job, outcome: Outcome) -> None:
        """Record how the attempt ended, then SUCCEEDED, a retry (RUNNABLE) or FAILED."""
        engine = self.engine
        run = job.run
        if run.timer is not None:
            run.timer.cancel()
            run.timer = None
        if run.timeout_timer is not None:
            run.timeout_timer.cancel()
            run.timeout_timer = None
        execution = run.execution
        if execution is not None:
            lines = execution.drain_logs()
            if lines:
                job.logs.extend(lines)
        engine.runtime.untrack(job)
        run.execution = run.ctx = None
        run.real_deadline = None
        now = engine.clock.now_ms()
        attempt = job.attempts[-1]
        attempt.stopped_at = now
        attempt.exit_code = outcome.exit_code
        attempt.reason = outcome.reason
        if run.timed_out:
            status_reason = states.TIMED_OUT
        elif job.is_terminated and run.stop_reason is not None:
            status_reason = run.stop_reason
        else:
            status_reason = outcome.status_reason or states.ESSENTIAL_EXITED
        attempt.status_reason = status_reason
        job.exit_code = outcome.exit_code
        job.container_reason = outcome.reason
        job.stopped_at = now
        if job.node_index is not None:
            engine.multinode.node_ended(job, outcome, status_reason)
            return
        self.decide(job, outcome, status_reason)

    def decide(self, job: Job, outcome: Outcome, status_reason: str) -> None:
        """SUCCEEDED, retry or FAILED after an attempt of ``job`` ended."""
        engine = self.engine
        stopped = job.run.timed_out or job.is_terminated
        if outcome.exit_code == 0 and not stopped:
            engine.transition(job, states.SUCCEEDED, reason=status_reason)
        elif self.retries(job, outcome, status_reason):
            job.run.timed_out = False
            engine.make_runnable(job)
        else:
            engine.transition(job, states.FAILED, reason=status_reason)

    def retries(self, job: Job, outcome: Outcome, status_reason: str) -> bool:
        """§7.9: never after cancel or terminate; after a timeout only with retry_on_timeout."""
        if job.is_cancelled or job.is_terminated:
            return False
        parent = job.parent
        if parent is not None and (parent.is_cancelled or parent.is_terminated):
            return False  # [inferred] §16.3: the array is being cancelled; no new attempts
        if job.run.timed_out and not self.engine.options.retry_on_timeout:
            return False
        return retries.should_retry(
            job.spec.retry_strategy,
            len(job.attempts),
            outcome.exit_code,
            outcome.reason,
            status_reason,
        )
