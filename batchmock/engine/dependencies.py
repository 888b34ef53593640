"""Job dependencies (§6, §5.8-5.10): a reverse index from a job ID to the jobs waiting for it.

A waiting job counts its unmet dependencies (``run.waiting``); when a job ends, only the jobs
waiting for *it* are touched. The index is keyed by ID, not by job, so an N_TO_N child can wait
for ``<array>:<i>`` before that array has spawned its children. SEQUENTIAL children are chained
through their parent (child i+1 is looked up by index), with no index entry at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchmock.engine import states
from batchmock.engine.job import Job

if TYPE_CHECKING:
    from batchmock.engine.engine import Engine


class Dependencies:
    """The reverse dependency index of one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._waiters: dict[str, list[Job]] = {}

    def register_all(self, job: Job) -> None:
        """Record the dependencies of a job being submitted (checked by the API layer)."""
        for entry in job.spec.depends_on:
            kind, dep_id = entry.get("type"), entry.get("jobId")
            if dep_id in job.spec.unknown_dependencies:
                continue  # named no job when submitted: accepted, never waited for
            if kind == "SEQUENTIAL":
                job.run.sequential = True
            elif kind == "N_TO_N" and dep_id and job.spec.array_size is not None:
                other = self.engine.get(dep_id)
                if other is not None and other.spec.array_size is None:
                    self.wait_for(job, dep_id)  # not an array: the whole job [inferred]
                else:
                    job.run.n_to_n = (*job.run.n_to_n, dep_id)
            elif dep_id:
                # §5.10: a plain dependency on an array parent waits for the whole array
                self.wait_for(job, dep_id)

    def wait_for(self, job: Job, dep_id: str) -> None:
        """Make ``job`` wait for ``dep_id``; one that already ended counts at once (§6.4)."""
        other = self.engine.get(dep_id)
        if other is not None and other.status == states.SUCCEEDED:
            return
        if other is not None and other.status == states.FAILED:
            job.run.dep_failed = True
            return
        if other is None and self._never_spawned(dep_id):
            job.run.dep_failed = True
            return
        job.run.waiting += 1
        waiters = self._waiters.get(dep_id)
        if waiters is None:
            self._waiters[dep_id] = [job]
        else:
            waiters.append(job)

    def _never_spawned(self, dep_id: str) -> bool:
        """``<array>:<i>`` of an array that ended before creating its children (N_TO_N)."""
        parent_id, _, _ = dep_id.rpartition(":")
        parent = self.engine.get(parent_id) if parent_id else None
        return parent is not None and parent.status in states.TERMINAL and not parent.children

    def job_ended(self, job: Job) -> None:
        """``job`` reached SUCCEEDED or FAILED: release or fail whoever waits for it."""
        ok = job.status == states.SUCCEEDED
        waiters = self._waiters.pop(job.job_id, None)
        if waiters:
            for waiter in waiters:
                if ok:
                    self.met(waiter)
                else:
                    self.failed(waiter)
        parent = job.parent
        if parent is not None and parent.run.sequential and job.array_index is not None:
            following = job.array_index + 1
            if following < len(parent.children):
                # §5.8: child i+1 runs after child i succeeded, and never if it failed
                nxt = parent.children[following]
                if ok:
                    self.met(nxt)
                else:
                    self.failed(nxt)
        if job.is_array_parent and not job.children and self._waiters:
            # the array ended before spawning children: N_TO_N waiters of its children fail
            for index in range(job.spec.array_size or 0):
                for waiter in self._waiters.pop(f"{job.job_id}:{index}", ()):
                    self.failed(waiter)

    def met(self, job: Job) -> None:
        """One dependency of ``job`` succeeded."""
        job.run.waiting -= 1
        if job.run.waiting <= 0:
            job.run.waiting = 0
            self.ready(job)

    def ready(self, job: Job) -> None:
        """Every dependency of ``job`` succeeded (SUBMITTED jobs move at their own event)."""
        if job.status != states.PENDING:
            return
        if job.run.cancel_reason is not None:
            # §16.2 "after_dependencies": the cancel waited for the dependencies to finish
            self.engine.fail(job, job.run.cancel_reason)
        elif job.is_array_parent:
            self.engine.arrays.open_gate(job)
        else:
            self.engine.make_runnable(job)

    def failed(self, job: Job) -> None:
        """A dependency of ``job`` failed: §6.3 ``Dependent Job failed``, cascading (§6.7)."""
        if job.status == states.SUBMITTED:
            job.run.dep_failed = True  # it fails when it leaves SUBMITTED
        elif job.status == states.PENDING:
            reason = job.run.cancel_reason or states.DEPENDENT_FAILED
            if job.is_array_parent:
                self.engine.arrays.fail_all(job, reason)
            else:
                self.engine.fail(job, reason)
