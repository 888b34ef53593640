"""Engine: the jobs of one backend (account + region) and the only writer of their state.

Every status change goes through :meth:`Engine.transition`, which refuses moves §4 forbids and
keeps every index in step: the per-queue status dicts (ListJobs), the array parents' counters
(statusSummary, derived parent status), the capacity counters. Consequences of a job ending
(dependents, the next SEQUENTIAL child) are processed from a work list, never by recursion, so a
1,000-job failure cascade is as cheap as 1,000 single failures.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from batchmock.engine import states
from batchmock.engine.arrays import Arrays
from batchmock.engine.attempts import Attempts
from batchmock.engine.cancel import Cancellations
from batchmock.engine.dependencies import Dependencies
from batchmock.engine.fairshare import MODEL_DEFAULT_DECAY, FairShareIndex
from batchmock.engine.job import Job, JobSpec
from batchmock.engine.multinode import MultiNode
from batchmock.engine.queues import QueueState
from batchmock.engine.scheduler import Scheduler
from batchmock.errors import ClientException

if TYPE_CHECKING:
    from batchmock.engine.clock import Timer
    from batchmock.engine.resources import Resources
    from batchmock.engine.runtime import Runtime

JobEvents = Callable[[Job], None]
"""Told of each status change of a job (``Engine.job_events``), right after it is made."""
QueueBlocked = Callable[[Job, int], None]
"""Told when a RUNNABLE job at the head of its queue is found blocking it (``Engine.queue_blocked``:
the job, whose new statusReason says why, and the epoch milliseconds of the finding)."""

_KEEP: Any = object()
# module constants read on every transition (a global lookup, not an attribute of a module)
_JOB_MOVES = states.JOB_MOVES
_NODE_MOVES = states.NODE_MOVES
_ARRAY_PARENT_MOVES = states.ARRAY_PARENT_MOVES
_HOLDING = states.HOLDING
_TERMINAL = states.TERMINAL


class Engine:
    """The job engine of one backend; see the module docstring and docs/architecture.md."""

    def __init__(self, backend: Resources, runtime: Runtime) -> None:
        self.backend = backend
        self.runtime = runtime
        self.options = runtime.options
        self.clock = runtime.clock
        self.lock = runtime.lock
        self._jobs: dict[str, Job] = {}
        self._queues: dict[str, QueueState] = {}
        self._ended: deque[Job] = deque()
        self._draining = False
        self.scheduler = Scheduler(self)
        self.deps = Dependencies(self)
        self.arrays = Arrays(self)
        self.attempts = Attempts(self)
        self.multinode = MultiNode(self)
        self.cancellations = Cancellations(self)
        self._event_fn = self._event  # one bound method for every timer, not one each
        self.job_events: JobEvents | None = None
        """Told of every status change once it is made (the mock puts an EventBridge event);
        None when nobody listens, which then costs one attribute test per change."""
        self.queue_blocked: QueueBlocked | None = None
        """Told each time a head job gets a blocked-queue reason (the mock puts a "Batch Job
        Queue Blocked" event); None when nobody listens."""
        self._history: dict[str, tuple[str, int]] = {}
        """The latest ``(status, ms)`` history entry per status: the 10,000 children of an array
        that move at the same instant share one immutable tuple, not one each (GC pressure)."""

    # -- time ----------------------------------------------------------------------------------
    def now_ms(self) -> int:
        """The mock clock's time, epoch milliseconds."""
        return self.clock.now_ms()

    def later(self, delay: float, callback: Callable[..., None], *args: Any) -> Timer:
        """Run ``callback(*args)`` ``delay`` seconds from now, under the backend lock."""
        clock = self.clock
        when = clock.now() + (delay if delay > 0.0 else 0.0)
        return clock.call_at(when, self._event_fn, callback, *args)

    def _event(self, callback: Callable[..., None], *args: Any) -> None:
        with self.lock:
            callback(*args)
            if self._ended:
                self.drain()

    def poll(self) -> None:
        """One observable step of the whole mock (DescribeJobs/ListJobs with auto_advance)."""
        self.runtime.step()

    # -- lookups -------------------------------------------------------------------------------
    def get(self, job_id: str) -> Job | None:
        """A job, an array child ``<id>:<i>`` or a node ``<id>#<n>`` by ID, or None."""
        return self._jobs.get(job_id)

    def jobs(self) -> Iterable[Job]:
        """Every job of this backend, children and nodes included, in creation order."""
        return list(self._jobs.values())

    def jobs_in_queue(self, queue_name: str, status: str | None = None) -> Iterable[Job]:
        """Top-level jobs of a queue, optionally of one status, in the order they got there.

        A live view for ``status``: iterate it before calling the engine again.
        """
        state = self._queues.get(queue_name)
        if state is None:
            return ()
        if status is not None:
            return state.by_status.get(status, {}).values()
        return [job for by_id in state.by_status.values() for job in by_id.values()]

    def child_counts(self, queue_name: str) -> dict[str, int]:
        """Array children and multi-node nodes of a queue's jobs, per status (every status)."""
        state = self._queues.get(queue_name)
        return dict(state.child_counts) if state is not None else dict.fromkeys(states.STATUSES, 0)

    def children(self, job_id: str) -> list[Job]:
        """Array children (by index) or multi-node nodes (by node index) of a job."""
        job = self._jobs.get(job_id)
        return [] if job is None else job.children

    def queue_state(self, queue: Any) -> QueueState:
        """The engine's state of a queue, created on first use."""
        state = self._queues.get(queue.name)
        if state is None or state.queue is not queue:
            policy = self.backend.fairshare_policy(queue)
            fair = None
            if policy is not None:
                zero = MODEL_DEFAULT_DECAY if self.options.share_decay_zero == "default" else 0.0
                fair = FairShareIndex(policy, zero_decay=zero)
            state = QueueState(queue, fair)
            self._queues[queue.name] = state
        return state

    def capacity_usage(self, queue: Any) -> float:
        """vCPUs held by the STARTING and RUNNING jobs of a queue (§14.9)."""
        state = self._queues.get(queue.name)
        return 0.0 if state is None else round(state.used_vcpus, 6)

    def ce_usage(self, ce: Any) -> float:
        """vCPUs held on a compute environment by its STARTING and RUNNING jobs."""
        return round(self.scheduler.used.get(ce.name, 0.0), 6)

    def share_usage(self, queue: Any) -> dict[str, float]:
        """vCPUs held per share identifier by the queue's STARTING and RUNNING jobs."""
        state = self._queues.get(queue.name)
        return {} if state is None else {k: round(v, 6) for k, v in state.share_used.items()}

    def active_shares(self, queue: Any) -> list[str]:
        """A fair-share queue's share identifiers that have RUNNABLE jobs or hold capacity, or
        did so less than ``shareDecaySeconds`` ago (§14.7, §14.8); [] for a FIFO queue."""
        state = self._queues.get(queue.name)
        if state is None or state.fair is None or state.queue is not queue:
            return []
        state.fair.now = self.clock.now()
        return state.fair.active()

    def runnable_front(self, queue: Any, limit: int = 100) -> list[tuple[str, int]]:
        """The first ``limit`` RUNNABLE jobs in dispatch order: (jobArn, ms at the position)."""
        state = self._queues.get(queue.name)
        if state is None:
            return []
        front: list[tuple[str, int]] = []
        for job in state.runnable.in_order():
            front.append((job.arn, job.run.runnable_since))
            if len(front) >= limit:
                break
        return front

    def consumables_of(self, job: Job) -> list[tuple[Any, int]] | tuple[()]:
        """(resource, quantity) for every consumable resource the job asks for (§18.4)."""
        properties = job.spec.consumable_resource_properties
        if not properties:
            return ()  # the common case: nothing to hold, and no list kept per running job
        wanted = properties.get("consumableResourceList")
        totals: dict[int, tuple[Any, int]] = {}  # a resource listed twice needs both quantities
        for entry in wanted or []:
            name = self.backend.name_of(
                str(entry.get("consumableResource", "")), "consumable-resource"
            )
            resource = self.backend.consumable_resources.get(name or "")
            if resource is not None:
                held = totals.get(id(resource), (resource, 0))[1]
                totals[id(resource)] = (resource, held + int(entry.get("quantity") or 0))
        return list(totals.values())

    # -- control plane -------------------------------------------------------------------------
    def kick(self) -> None:
        """The control plane changed (CE/queue enabled, capacity raised): schedule a pass."""
        self.scheduler.request()

    def queue_deleted(self, queue: Any) -> None:
        """§12.9: the queue's unfinished jobs are terminated a scheduling delay from now."""
        state = self._queues.get(queue.name)
        if state is None:
            return
        state.deleted = True
        self.scheduler.forget(state)
        del self._queues[queue.name]  # a new queue of the same name starts empty
        self.later(self.options.delays.scheduling, self._terminate_queue, state)

    def _terminate_queue(self, state: QueueState) -> None:
        for status in (
            states.SUBMITTED,
            states.PENDING,
            states.RUNNABLE,
            states.STARTING,
            states.RUNNING,
        ):
            for job in list(state.by_status[status].values()):
                self.cancellations.terminate(job, states.QUEUE_DELETED)

    # -- the API's verbs -----------------------------------------------------------------------
    def submit(self, spec: JobSpec) -> Job:
        """Create a job from a checked spec; it leaves SUBMITTED ``delays.submitted`` later."""
        job_id = str(uuid.uuid4())  # §3.1: a lower-case UUID4
        now = self.now_ms()
        job = Job(
            job_id=job_id,
            arn=self.backend.arn(f"job/{job_id}"),
            spec=spec,
            created_at=now,
            seq=self.backend.next_seq(),
            depends_on=[dict(entry) for entry in spec.depends_on],
            status_history=[self.history_entry(states.SUBMITTED, now)],
        )
        job.run.queue = self.queue_state(spec.queue)
        job.run.need = float(spec.vcpus)
        self._jobs[job_id] = job
        job.run.queue.move(job, None, states.SUBMITTED)
        self.deps.register_all(job)
        job.run.timer = self.later(self.options.delays.submitted, self._leave_submitted, job)
        return job

    def cancel(self, job_id: str, reason: str) -> None:
        """CancelJob (§16); unknown IDs are a ClientException (§16.8)."""
        with self.lock:
            self.cancellations.cancel(self._known(job_id), reason)
            self.drain()

    def terminate(self, job_id: str, reason: str) -> None:
        """TerminateJob (§16); unknown IDs are a ClientException (§16.8)."""
        with self.lock:
            self.cancellations.terminate(self._known(job_id), reason)
            self.drain()

    def _known(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise ClientException(f"Job {job_id} not found.")  # [inferred] §16.8
        return job

    # -- life cycle ----------------------------------------------------------------------------
    def _leave_submitted(self, job: Job) -> None:
        """§4.2: SUBMITTED -> PENDING (dependencies outstanding) or RUNNABLE, or FAILED."""
        job.run.timer = None
        if job.status != states.SUBMITTED:
            return
        if job.spec.fail_reason:
            self.fail(job, job.spec.fail_reason)  # §2.7
        elif job.run.dep_failed:
            self.fail(job, states.DEPENDENT_FAILED)  # §6.4
        elif job.is_array_parent:
            self.arrays.spawn(job)
        elif job.is_multinode_parent:
            self.multinode.spawn(job)
            if job.run.waiting:
                self.multinode.move_all(job, states.PENDING)
            else:
                self.make_runnable(job)
        elif job.run.waiting:
            self.transition(job, states.PENDING)
        else:
            self.make_runnable(job)

    def make_runnable(self, job: Job) -> None:
        """Every dependency met: into the queue's RUNNABLE index (§4.2)."""
        if job.parent is None and job.spec.node_properties is not None:  # multi-node parent
            self.multinode.move_all(job, states.RUNNABLE, reason=None)
        else:
            self.transition(job, states.RUNNABLE, reason=None)
        self.scheduler.enqueue(job)

    def fail(self, job: Job, reason: str) -> None:
        """A job that never got (back) to a task fails: cancel, dependency, validation."""
        if job.status in states.TERMINAL:
            return
        self.stop_waiting(job)
        if job.is_multinode_parent:
            self.multinode.move_all(job, states.FAILED, reason=reason)
        else:
            self.transition(job, states.FAILED, reason=reason)

    def fail_runnable(self, job: Job, reason: str) -> None:
        """A cancel that waited for the head of the queue lands (§16.5 ``at_head``)."""
        self.fail(job, reason)

    def stop_waiting(self, job: Job) -> None:
        """Drop the job's pending timers and its place in the RUNNABLE index."""
        run = job.run
        if run.runnable_token and run.queue is not None:
            run.queue.runnable.discard(job)
            self.scheduler.request()  # it may have been the blocking head
        for name in ("timer", "limit_timer"):
            timer = getattr(run, name)
            if timer is not None:
                timer.cancel()
                setattr(run, name, None)

    def set_blocked_reason(self, job: Job, reason: str | None) -> None:
        """Set the blocked-head statusReason (or clear it) and arm jobStateTimeLimitActions."""
        if job.status_reason == reason:
            return
        job.status_reason = reason
        if job.run.limit_timer is not None:
            job.run.limit_timer.cancel()
            job.run.limit_timer = None
        if reason is None:
            return
        blocked = self.queue_blocked
        if blocked is not None:
            blocked(job, self.clock.now_ms())
        # §12.7: the action fires on the head job sitting RUNNABLE with a matching reason
        actions = [
            a
            for a in getattr(job.spec.queue, "job_state_time_limit_actions", None) or []
            if a.get("state", "RUNNABLE") == "RUNNABLE"
            and reason.startswith(str(a.get("reason", "")))
        ]
        if actions:
            action = min(actions, key=lambda a: int(a.get("maxTimeSeconds", 0)))
            job.run.limit_timer = self.later(
                float(action.get("maxTimeSeconds", 0)), self._time_limit, job, reason, action
            )

    def _time_limit(self, job: Job, reason: str, action: dict[str, Any]) -> None:
        job.run.limit_timer = None
        if job.status != states.RUNNABLE or job.status_reason != reason:
            return
        if job.run.queue.runnable.head() is not job:
            return
        job.is_cancelled = True
        self.fail(job, states.TIME_LIMIT_CANCEL.format(reason=action.get("reason")))

    def history_entry(self, status: str, now: int) -> tuple[str, int]:
        """The ``(status, now)`` entry of a status history, shared by the jobs of that instant."""
        entry = self._history.get(status)
        if entry is None or entry[1] != now:
            entry = self._history[status] = (status, now)
        return entry

    # -- the single writer ---------------------------------------------------------------------
    def transition(self, job: Job, status: str, reason: str | None = _KEEP) -> None:
        """Move ``job`` to ``status``; IllegalTransition for a move §4 forbids."""
        old = job.status
        parent = job.parent
        if parent is not None:
            table = _NODE_MOVES if job.node_index is not None else _JOB_MOVES
        elif job.spec.array_size is not None:
            table = _ARRAY_PARENT_MOVES
        else:
            table = _JOB_MOVES
        if status not in table.get(old, ()):
            raise states.IllegalTransition(f"job {job.job_id}: {old} -> {status} is not allowed")
        now = self.clock.now_ms()
        job.status = status
        entry = self._history.get(status)  # history_entry(), inlined: four calls per job
        if entry is None or entry[1] != now:
            entry = self._history[status] = (status, now)
        job.status_history.append(entry)
        if reason is not _KEEP:
            job.status_reason = reason
        events = self.job_events
        if events is not None:
            # before the indexes move: an array child's change is told before its parent's
            events(job)
        run = job.run
        if run.charged_ce is not None and status not in _HOLDING:
            self.scheduler.release(job)
        if parent is None:
            run.queue.move(job, old, status)
        else:
            run.queue.child_moved(old, status)
            if job.array_index is not None:
                self.arrays.child_moved(parent, job, old, status, now)
        if status in _TERMINAL:
            self._ended.append(job)

    def drain(self) -> None:
        """Process the consequences of jobs that ended, until there are none left."""
        if self._draining:
            return
        self._draining = True
        try:
            ended = self._ended
            while ended:
                job = ended.popleft()
                if job.status in states.TERMINAL:
                    self.deps.job_ended(job)
        finally:
            self._draining = False
