"""CancelJob and TerminateJob (§16).

Cancel acts on jobs that have no task yet (SUBMITTED, PENDING, RUNNABLE) and does nothing to
STARTING/RUNNING ones (§16.4); terminate stops those too (§16.6). Both are no-ops on finished
jobs (§16.8), act on every child of an array parent (§16.9, §5.11) and are never retried
(§7.9). When a cancel lands is an option (``MockOptions.cancel_pending`` and
``cancel_runnable``): a PENDING job waits for its dependencies to finish (§16.2, the model's
text), a RUNNABLE one fails at once (§16.5), by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchmock.engine import states
from batchmock.engine.job import Job

if TYPE_CHECKING:
    from batchmock.engine.engine import Engine

NOT_STARTED = (states.SUBMITTED, states.PENDING, states.RUNNABLE)


class Cancellations:
    """Cancel and terminate, for the jobs of one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _target(job: Job) -> Job:
        # [inferred] a node has no life of its own outside its job: the verb acts on the job
        if job.node_index is not None and job.parent is not None:
            return job.parent
        return job

    def cancel(self, job: Job, reason: str) -> None:
        """CancelJob on a job, an array child or a node."""
        job = self._target(job)
        if job.status in states.TERMINAL:
            return  # §16.8
        if job.is_array_parent:
            self._array(job, reason, terminate=False)
            return
        self._cancel_one(job, reason)

    def terminate(self, job: Job, reason: str) -> None:
        """TerminateJob on a job, an array child or a node."""
        job = self._target(job)
        if job.status in states.TERMINAL:
            return  # §16.8
        if job.is_array_parent:
            self._array(job, reason, terminate=True)
            return
        self._terminate_one(job, reason)

    def _array(self, parent: Job, reason: str, *, terminate: bool) -> None:
        """§16.3, §16.9: the verb goes to every child; the parent ends once they all have."""
        if terminate:
            parent.is_terminated = True
        else:
            parent.is_cancelled = True
        parent.run.stop_reason = parent.run.stop_reason or reason
        if parent.status == states.SUBMITTED or not parent.children:
            self.engine.fail(parent, reason)  # no child exists yet
            return
        for child in parent.children:
            if child.status in states.TERMINAL:
                continue
            if terminate:
                self._terminate_one(child, reason)
            else:
                self._cancel_one(child, reason)

    def _cancel_one(self, job: Job, reason: str) -> None:
        engine = self.engine
        status = job.status
        if status not in NOT_STARTED:
            return  # §16.4: STARTING/RUNNING jobs need TerminateJob
        job.is_cancelled = True
        job.run.stop_reason = reason
        if (
            status == states.PENDING
            and job.run.waiting
            and (engine.options.cancel_pending == "after_dependencies")
        ):
            job.run.cancel_reason = reason  # §16.2: lands when the dependencies have finished
            return
        if status == states.RUNNABLE and engine.options.cancel_runnable == "at_head":
            job.run.cancel_reason = reason  # §16.5 (older text): lands at the head of the queue
            engine.scheduler.request()
            return
        self._fail(job, reason)

    def _terminate_one(self, job: Job, reason: str) -> None:
        engine = self.engine
        job.is_terminated = True
        job.run.stop_reason = reason
        if job.status in NOT_STARTED:
            self._fail(job, reason)  # §16.6: before STARTING it behaves as a cancel, at once
        elif job.is_multinode_parent:
            engine.multinode.terminate(job, reason)
        else:
            engine.attempts.stop(job)

    def _fail(self, job: Job, reason: str) -> None:
        if job.is_array_parent:
            self.engine.arrays.fail_all(job, reason)
        else:
            self.engine.fail(job, reason)
