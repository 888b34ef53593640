"""Dispatch passes: RUNNABLE jobs placed on compute environments (§12.1, §13.10, §14.1-14.3).

A pass is requested whenever something may let a job move (a job became RUNNABLE, capacity
was released, the control plane changed) and runs ``delays.scheduling`` seconds later; requests
made meanwhile join it. A pass serves the queues that have RUNNABLE jobs in descending priority
(§12.1, §14.3); within a FIFO queue, jobs are taken in submission order (§14.1), within a
fair-share queue in fair-share order (``engine/fairshare.py``, §14.4-14.7), and each is placed in
the first compute environment, by ascending ``order``, that is ENABLED, VALID and has room
(§14.2). The first job that cannot be placed blocks its queue (head-of-line blocking, §14.1)
unless ``MockOptions.backfill`` lets later, smaller jobs use the room.

Cost: per-CE used vCPUs are counters and RUNNABLE jobs are indexed per queue, so a pass costs
O(jobs placed + queues), whatever the number of queued jobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batchmock.engine import states
from batchmock.engine.job import Job
from batchmock.engine.queues import QueueState

if TYPE_CHECKING:
    from batchmock.engine.clock import Timer
    from batchmock.engine.engine import Engine

EPSILON = 1e-9
# [inferred] §13.6/§13.9: a CE being updated keeps taking jobs; CREATING/INVALID/DELETING do not.
USABLE_CE_STATUSES = ("VALID", "UPDATING")


class Scheduler:
    """Places RUNNABLE jobs; owns the per-CE capacity counters."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.used: dict[str, float] = {}
        """CE name -> vCPUs held by its STARTING and RUNNING jobs."""
        self._timer: Timer | None = None
        self._active: dict[int, QueueState] = {}
        """Queues that may have RUNNABLE jobs, by id."""

    # -- requests ------------------------------------------------------------------------------
    def request(self) -> None:
        """Make sure a pass runs ``delays.scheduling`` seconds from now (or sooner)."""
        timer = self._timer
        if timer is None or timer.callback is None:  # none, or it fired or was cancelled
            self._timer = self.engine.later(self.engine.options.delays.scheduling, self.run_pass)

    def enqueue(self, job: Job) -> None:
        """A job became RUNNABLE: index it and ask for a pass."""
        state = job.run.queue
        job.run.runnable_since = self.engine.clock.now_ms()
        state.runnable.push(job)
        self._active[id(state)] = state
        self.request()

    def charge(self, job: Job, ce: Any) -> None:
        """The job was placed on ``ce``: it holds ``need`` vCPUs until it stops."""
        need = job.run.need
        job.run.charged_ce = ce.name
        self.used[ce.name] = self.used.get(ce.name, 0.0) + need
        state = job.run.queue
        state.used_vcpus += need
        share = job.spec.share_identifier
        if share is not None:
            state.share_used[share] = state.share_used.get(share, 0.0) + need
        if state.fair is not None:
            state.fair.now = self.engine.clock.now()
            state.fair.charge(share or "", need)

    def release(self, job: Job) -> None:
        """The job stopped holding capacity; a pass may now place others."""
        ce_name = job.run.charged_ce
        if ce_name is None:
            return
        need = job.run.need
        job.run.charged_ce = None
        self.used[ce_name] = max(self.used.get(ce_name, 0.0) - need, 0.0)
        state = job.run.queue
        state.used_vcpus = max(state.used_vcpus - need, 0.0)
        share = job.spec.share_identifier
        if share is not None:
            left = state.share_used.get(share, 0.0) - need
            if left > EPSILON:
                state.share_used[share] = left
            else:
                state.share_used.pop(share, None)
        if state.fair is not None:
            state.fair.now = self.engine.clock.now()
            state.fair.charge(share or "", -need)
        for resource, quantity in job.run.consumables:
            resource.release(quantity)
        job.run.consumables = ()
        if self._active:
            self.request()

    def forget(self, state: QueueState) -> None:
        """A deleted queue takes no more placements."""
        self._active.pop(id(state), None)

    # -- the pass ------------------------------------------------------------------------------
    def run_pass(self) -> None:
        """Serve every queue with RUNNABLE jobs, highest priority first."""
        self._timer = None
        states_ = [s for s in self._active.values() if s.runnable.count and not s.deleted]
        self._active = {id(s): s for s in states_}
        states_.sort(key=lambda s: (-int(s.queue.priority), int(getattr(s.queue, "seq", 0))))
        for state in states_:
            self._serve(state)
            if not state.runnable.count:
                self._active.pop(id(state), None)

    def _environments(self, queue: Any) -> list[Any]:
        found = []
        ces = self.engine.backend.compute_environments
        for _, name in sorted(queue.compute_environment_order):
            ce = ces.get(name)
            if ce is not None:
                found.append(ce)
        return found

    def _room(self, ce: Any) -> float:
        limit = ce.max_vcpus
        if limit is None:
            return float("inf")  # UNMANAGED: capacity is the user's instances, not ours
        return float(limit) - self.used.get(ce.name, 0.0)

    def _serve(self, state: QueueState) -> None:
        ces = self._environments(state.queue)
        usable = [ce for ce in ces if ce.state == "ENABLED" and ce.status in USABLE_CE_STATUSES]
        # (CE, maxvCpus or None = unlimited): limits cannot change during a pass
        limits = [(ce, ce.max_vcpus) for ce in usable]
        engine = self.engine
        index = state.runnable
        allowed = self._fair_allowance(state, limits)
        while True:
            job = index.head()
            if job is None:
                return
            if job.run.cancel_reason is not None:  # §16.5 "at_head": the cancel lands now
                engine.fail_runnable(job, job.run.cancel_reason)
                continue
            if allowed is not None and state.used_vcpus + job.run.need > allowed + EPSILON:
                return  # §14.7: the rest is held back for share identifiers not yet active
            ce = self._place_in(limits, job)
            if ce is not None:
                engine.attempts.place(job, ce)
                continue
            self._blocked(state, job, ces)
            break
        if engine.options.backfill:
            self._backfill(state, limits, blocked=job)

    def _fair_allowance(
        self, state: QueueState, limits: list[tuple[Any, float | None]]
    ) -> float | None:
        """A fair-share queue's vCPU ceiling under ``computeReservation`` (§14.7), else None."""
        fair = state.fair
        if fair is None:
            return None
        policy = self.engine.backend.fairshare_policy(state.queue) or fair.policy
        fair.refresh(policy, self.engine.clock.now())
        reserved = fair.reserved_fraction()
        if not reserved or not limits or any(limit is None for _, limit in limits):
            return None
        total = sum(float(limit) for _, limit in limits if limit is not None)
        return total * (1.0 - reserved)

    def _place_in(self, limits: list[tuple[Any, float | None]], job: Job) -> Any | None:
        need = job.run.need
        used = self.used
        for ce, limit in limits:
            # limit None: UNMANAGED, capacity is the user's instances, not ours
            if limit is not None and need > limit - used.get(ce.name, 0.0) + EPSILON:
                continue
            if not _holds(ce, job):
                continue  # §21.3: no instance type of this CE can hold the job
            if self._consumables_free(job):
                return ce
        return None

    def _consumables_free(self, job: Job) -> bool:
        """§18.4 [inferred]: a job waits in RUNNABLE until every resource it needs is free."""
        properties = job.spec.consumable_resource_properties
        if not properties or not properties.get("consumableResourceList"):
            return True
        for resource, quantity in self.engine.consumables_of(job):
            if quantity > resource.available_quantity:
                return False
        return True

    def _backfill(
        self, state: QueueState, limits: list[tuple[Any, float | None]], blocked: Job
    ) -> None:
        """[inferred] §14.1 option: later jobs that fit run while the head stays blocked."""
        index = state.runnable
        while limits:
            free = max(self._room(ce) for ce, _ in limits)
            smallest = index.smallest_need()
            if smallest is None or smallest > free + EPSILON:
                return
            placed = None
            for job in index.in_order(free + EPSILON):
                if job is blocked or job.run.cancel_reason is not None:
                    continue
                ce = self._place_in(limits, job)
                if ce is not None:
                    placed = (job, ce)
                    break
            if placed is None:
                return
            self.engine.attempts.place(*placed)

    def _blocked(self, state: QueueState, job: Job, ces: list[Any]) -> None:
        """Set (or clear) the reason on the blocking head job (§4.10, §4.11, §13.10)."""
        reason = None
        valid = [ce for ce in ces if ce.status != "INVALID"]
        limits = [ce.max_vcpus for ce in valid]
        if ces and not valid:
            reason = states.ALL_CE_INVALID
        elif valid and not any(_holds(ce, job) for ce in valid):
            reason = states.JOB_RESOURCE_REQUIREMENT
        elif limits and None not in limits and job.run.need > max(limits) + EPSILON:
            reason = states.MAX_RESOURCE
        self.engine.set_blocked_reason(job, reason)


def _holds(ce: Any, job: Job) -> bool:
    """Whether an instance type of ``ce`` can hold the job's vCPUs, memory and GPUs (§21.3)."""
    spec = job.spec
    return bool(ce.holds(spec.vcpus, spec.memory, spec.gpus))
