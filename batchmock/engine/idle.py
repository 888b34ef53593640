"""What ``run_until_idle`` leaves behind: the jobs that did not finish, and why.

``run_until_idle`` stops when no event is due and no real process runs; a job still not
SUCCEEDED or FAILED then waits for something time cannot bring (a disabled queue, a compute
environment too small, a dependency that never ends, a job that waits for a human). Each one is
an :class:`UnfinishedJob` with the statusReason AWS would show, so a test can say what is stuck.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from batchmock.engine import states


@dataclass(frozen=True)
class UnfinishedJob:
    """A job that was neither SUCCEEDED nor FAILED when ``run_until_idle`` returned.

    ``job_queue`` is the queue's ARN (as DescribeJobs gives it: account and region included);
    ``status_reason`` is the job's statusReason, e.g. ``ACTION_REQUIRED - CE(s) associated with
    the job queue are invalid.`` for a queue whose compute environments cannot run it, or None
    (a job PENDING on a dependency has none).
    """

    job_id: str
    job_name: str
    job_queue: str
    status: str
    status_reason: str | None

    def __str__(self) -> str:
        why = f": {self.status_reason}" if self.status_reason else ""
        return f"{self.status} job {self.job_name} ({self.job_id}) in {self.job_queue}{why}"

    def to_json(self) -> dict[str, Any]:
        """The job in the service's member names (``jobId``, ``jobName``, ``jobQueue``,
        ``status``, ``statusReason``; an absent reason is left out, as AWS does)."""
        found: dict[str, Any] = {
            "jobId": self.job_id,
            "jobName": self.job_name,
            "jobQueue": self.job_queue,
            "status": self.status,
        }
        if self.status_reason is not None:
            found["statusReason"] = self.status_reason
        return found


def _top_level(engines: Iterable[Any]) -> Iterable[Any]:
    for engine in engines:
        for job in engine.jobs():
            if job.parent is None:
                yield job


def unfinished_jobs(engines: Iterable[Any]) -> list[UnfinishedJob]:
    """Every top-level job of ``engines`` not SUCCEEDED or FAILED, in submission order per
    backend (array children and multi-node nodes are reported through their parent)."""
    return [
        UnfinishedJob(
            job_id=job.job_id,
            job_name=job.spec.name,
            job_queue=job.spec.queue.arn,
            status=job.status,
            status_reason=job.status_reason,
        )
        for job in _top_level(engines)
        if job.status not in states.TERMINAL
    ]


def job_counts(engines: Iterable[Any]) -> dict[str, int]:
    """How many top-level jobs are in each status, in the order of the lifecycle."""
    counts = Counter(job.status for job in _top_level(engines))
    return {status: counts[status] for status in states.STATUSES if counts[status]}
