"""Runtime: one per mock: the clock, the executor, the scripted outcomes and every engine.

All backends of a mock share the runtime's lock (``engine_for`` gives it to each backend): clock
events may touch any backend, so one lock is the only order that cannot deadlock between a
polling API call, the wall clock's thread and the server's threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from batchmock.engine.clock import Clock, VirtualClock, WallClock
from batchmock.engine.engine import Engine, JobEvents, QueueBlocked
from batchmock.executors import make_executor
from batchmock.executors.simulated import OutcomeScript

if TYPE_CHECKING:
    from batchmock.engine.job import Job
    from batchmock.engine.resources import Resources
    from batchmock.executors.base import Executor, Services
    from batchmock.options import MockOptions

F = TypeVar("F", bound=Callable[..., Any])
REAL_POLL_SECONDS = 0.05
"""How often live executions are polled while nothing else wakes the runtime."""
STOP_GRACE_SECONDS = 30.0
"""§8.5: SIGTERM, then SIGKILL 30 s later."""


class Runtime:
    """The clock, executor and engines of one mock; see docs/architecture.md."""

    def __init__(
        self,
        options: MockOptions,
        services: Services | None = None,
        job_events: Callable[[Resources], JobEvents | None] | None = None,
        queue_blocked: Callable[[Resources], QueueBlocked | None] | None = None,
    ) -> None:
        self.options = options
        self._job_events = job_events
        """Makes the status-change listener of each new engine (the mock's EventBridge events);
        None: no engine has one."""
        self._queue_blocked = queue_blocked
        """Makes the blocked-queue listener of each new engine; None: no engine has one."""
        self.lock = threading.RLock()
        self._wake = threading.Condition(self.lock)
        self.script = OutcomeScript(options.outcomes, options.raise_handler_errors)
        self.services = services
        """The mock's server and CloudWatch Logs, for executors (None without a mock)."""
        self.executor: Executor = make_executor(options.executor, self.script, options, services)
        self.clock: Clock
        if options.clock == "real":
            self.clock = WallClock(self.lock)
        else:
            start = options.start_time if options.start_time is not None else time.time()
            self.clock = VirtualClock(start)
        if services is not None:
            services.bind_clock(self.clock.now_ms)
        self._engines: list[Engine] = []
        self._live: dict[int, tuple[Engine, Job]] = {}
        self._reaping = False
        self._closed = False

    # -- engines -------------------------------------------------------------------------------
    def engine_for(self, backend: Resources) -> Engine:
        """The engine of a new backend (called once per backend by BatchBackend)."""
        backend.lock = self.lock  # one lock per mock: see the module docstring
        engine = Engine(backend, self)
        if self._job_events is not None:
            engine.job_events = self._job_events(backend)
        if self._queue_blocked is not None:
            engine.queue_blocked = self._queue_blocked(backend)
        self._engines.append(engine)
        return engine

    @property
    def engines(self) -> list[Engine]:
        """Every engine made so far."""
        return list(self._engines)

    # -- driving time --------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward, processing every event due on the way, in order.

        Then re-raises a failed check of an ``on_job`` handler (see :meth:`raise_handler_failure`).
        """
        with self.lock:
            self._reap()
            self.clock.advance(seconds)
            self._reap()
        self.raise_handler_failure()

    def step(self) -> None:
        """One observable tick (a DescribeJobs/ListJobs poll with ``auto_advance``)."""
        with self.lock:
            self._reap()
            self.clock.step()

    def run_until_idle(self, max_events: int = 1_000_000) -> None:
        """Process events until every job is terminal or blocked by something time cannot change.

        Live executions (real processes) are waited for. RuntimeError after ``max_events``
        events, which only a never-ending job (or a bug) can cause. A failed check of an
        ``on_job`` handler is re-raised once the jobs have settled.
        """
        processed = 0
        while True:
            with self.lock:
                self._reap()
                if self.clock.pending:
                    processed += self.clock.run_next()
                    if processed > max_events:
                        self.raise_handler_failure()
                        raise RuntimeError(
                            f"run_until_idle processed {max_events} events and jobs are still "
                            "moving; raise max_events or look for a job that never ends"
                        )
                    continue
                if not self._live:
                    break
                oldest = next(iter(self._live.values()))[1].run.execution
            # wait without the lock: a job's own process may be calling the mock's server
            if oldest is not None:
                oldest.wait(REAP_TIMEOUT)
        self.raise_handler_failure()

    def raise_handler_failure(self) -> None:
        """Re-raise, unchanged, the first failed check of an ``on_job`` handler since the last
        call (an ``AssertionError``, a pytest outcome; with ``raise_handler_errors`` any
        exception). Its job has failed already, as a crashed program's does."""
        failure = self.script.take_failure()
        if failure is not None:
            raise failure

    # -- live executions -----------------------------------------------------------------------
    def track(self, engine: Engine, job: Job) -> None:
        """Watch a live execution until it reports an outcome."""
        self._live[id(job)] = (engine, job)
        if isinstance(self.clock, WallClock) and not self._reaping:
            self._reaping = True
            self.clock.call_later(REAL_POLL_SECONDS, self._reap_tick)

    def untrack(self, job: Job) -> None:
        """Stop watching a job's execution (it ended or was abandoned)."""
        self._live.pop(id(job), None)

    def _reap_tick(self) -> None:
        with self.lock:
            self._reap()
            self._reaping = bool(self._live) and not self._closed
            if self._reaping:
                self.clock.call_later(REAL_POLL_SECONDS, self._reap_tick)

    def _reap(self) -> None:
        """Collect logs and outcomes of live executions; enforce their real-time timeouts."""
        if not self._live:
            return
        now = time.monotonic()
        for engine, job in list(self._live.values()):
            execution = job.run.execution
            if execution is None:
                self.untrack(job)
                continue
            engine.attempts.collect_logs(job)
            outcome = execution.poll()
            if outcome is not None:
                engine.attempts.ended(job, outcome)
            elif job.run.real_deadline is not None and now >= job.run.real_deadline:
                job.run.real_deadline = None
                engine.attempts.timed_out(job)
            engine.drain()

    def real_timeout_seconds(self, seconds: float) -> float:
        """Real seconds a live attempt may run for a timeout of ``seconds``.

        ``MockOptions.real_timeout_scale`` scales it (0.01 makes 60 s take 0.6 s).
        """
        return float(seconds) * self.options.real_timeout_scale

    def stop_grace_seconds(self) -> float:
        """Seconds between SIGTERM and SIGKILL when an attempt is stopped (§8.5)."""
        return self.real_timeout_seconds(STOP_GRACE_SECONDS)

    # -- scripted outcomes ---------------------------------------------------------------------
    def on_job(
        self,
        job_definition: str | None = None,
        job_name: str | None = None,
        image: str | None = None,
    ) -> Callable[[F], F]:
        """Decorator: the function decides the outcome of matching simulated attempts."""
        register = self.script.on_job(job_definition=job_definition, job_name=job_name, image=image)

        def decorate(func: F) -> F:
            register(func)
            return func

        return decorate

    def set_outcomes(self, rules: Sequence[Mapping[str, Any]]) -> None:
        """Replace the data rules; ValueError (nothing changed) when a rule is malformed."""
        with self.lock:
            self.script.set_rules(rules)

    def get_outcomes(self) -> list[dict[str, Any]]:
        """A copy of the data rules in force."""
        return self.script.get_rules()

    # -- inspection ----------------------------------------------------------------------------
    def find_job(self, job_id: str) -> Job | None:
        """A job of any backend of this mock, by ID."""
        for engine in self._engines:
            job = engine.get(job_id)
            if job is not None:
                return job
        return None

    def logs(self, job_id: str) -> list[str]:
        """The lines a job wrote over all its attempts.

        An array parent or a multi-node job gives its children's lines in index order. An
        unknown ID is a ValueError (a typo should not look like a silent job).
        """
        with self.lock:
            job = self.find_job(job_id)
            if job is None:
                raise ValueError(f"no job {job_id!r} in this mock")
            if job.children:
                return [line for child in job.children for line in child.logs]
            return list(job.logs)

    def shutdown(self) -> None:
        """Stop every live execution and the clock (the mock is ending)."""
        with self.lock:
            self._closed = True
            for _, job in list(self._live.values()):
                execution = job.run.execution
                if execution is not None:
                    execution.stop(0.0)
            self._live.clear()
        try:
            self.executor.shutdown()
        finally:
            self.clock.close()


REAP_TIMEOUT = REAL_POLL_SECONDS
