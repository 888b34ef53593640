"""The dashboard's data: overview, job pages, one job, as JSON-ready dicts (nothing changes).

Every function takes the backends of one mock (``BatchMock.backends()``) and reads them under
their shared lock. Job rows are the API's own views (``job_summary`` / ``job_detail``), so the
dashboard shows a job exactly as ListJobs and DescribeJobs do.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from batchmock.backend.jobs.job_views import job_detail, job_summary
from batchmock.engine.states import STATUSES
from batchmock.observe import logs

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend
    from batchmock.engine.job import Job

_CREATED = operator.attrgetter("created_at", "seq")
MAX_PAGE = 200
"""The largest page of jobs one request returns (the dashboard asks for 50)."""


def overview(backends: Sequence[BatchBackend]) -> list[dict[str, Any]]:
    """Per account and region: compute environments and job queues with their live counters."""
    found = []
    for backend in backends:
        with backend.lock:
            found.append(
                {
                    "accountId": backend.account_id,
                    "region": backend.region,
                    "computeEnvironments": [
                        _environment(backend, ce) for ce in backend.compute_environments.values()
                    ],
                    "jobQueues": [_queue(backend, q) for q in backend.job_queues.values()],
                }
            )
    return found


def _environment(backend: BatchBackend, ce: Any) -> dict[str, Any]:
    described = ce.describe()
    resources = described.get("computeResources") or {}
    return {
        "name": ce.name,
        "arn": ce.arn,
        "type": ce.type,
        "state": ce.state,
        "status": ce.status,
        "statusReason": ce.status_reason,
        "resourceType": ce.resource_type,
        "maxvCpus": ce.max_vcpus,
        "minvCpus": resources.get("minvCpus"),
        "usedvCpus": backend.engine.ce_usage(ce),
    }


def _queue(backend: BatchBackend, queue: Any) -> dict[str, Any]:
    engine = backend.engine
    counts = {status: _count(engine.jobs_in_queue(queue.name, status)) for status in STATUSES}
    blocked_reason = blocked_job = None
    front = engine.runnable_front(queue, 1)
    if front:
        head = engine.get(front[0][0].rsplit("/", 1)[-1])
        if head is not None and head.status_reason:
            blocked_reason, blocked_job = head.status_reason, head.job_id
    described = queue.describe()
    return {
        "name": queue.name,
        "arn": queue.arn,
        "state": queue.state,
        "status": queue.status,
        "statusReason": described.get("statusReason"),
        "priority": queue.priority,
        "schedulingPolicyArn": queue.scheduling_policy_arn,
        "schedulingPolicy": "FAIR_SHARE" if queue.scheduling_policy_arn else "FIFO",
        "computeEnvironments": [name for _, name in queue.compute_environment_order],
        "counts": counts,
        "childCounts": engine.child_counts(queue.name),
        "usedvCpus": engine.capacity_usage(queue),
        "blockedReason": blocked_reason,
        "blockedJobId": blocked_job,
    }


def _count(jobs: Any) -> int:
    try:
        return len(jobs)
    except TypeError:
        return sum(1 for _ in jobs)


def totals(backends: Sequence[BatchBackend]) -> dict[str, int]:
    """Top-level jobs per status over every queue of every backend."""
    found = dict.fromkeys(STATUSES, 0)
    for backend in backends:
        with backend.lock:
            for queue in backend.job_queues.values():
                for status in STATUSES:
                    found[status] += _count(backend.engine.jobs_in_queue(queue.name, status))
    return found


def find_queue(backends: Sequence[BatchBackend], arn: str) -> tuple[BatchBackend, Any] | None:
    """The backend and job queue of a queue ARN, or None."""
    for backend in backends:
        queue = backend.find_job_queue(arn)
        if queue is not None and queue.arn == arn:
            return backend, queue
    return None


def find_job(backends: Sequence[BatchBackend], job_id: str) -> tuple[BatchBackend, Job] | None:
    """The backend and job (or array child ``id:i``, or node ``id#n``) of an ID, or None."""
    for backend in backends:
        job = backend.engine.get(job_id)
        if job is not None:
            return backend, job
    return None


def job_page(
    backends: Sequence[BatchBackend],
    *,
    queue_arn: str | None = None,
    parent_id: str | None = None,
    status: str | None = None,
    name: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any] | None:
    """One page of a queue's jobs (newest first) or of a parent's children (by index).

    ``status`` keeps one status; ``name`` keeps the jobs whose name contains it (case-blind).
    Only the page's rows are rendered; None when the queue or parent does not exist.
    """
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    if queue_arn is not None:
        found = find_queue(backends, queue_arn)
        if found is None:
            return None
        backend, queue = found
        with backend.lock:
            scope = {"queue": queue.name, "queueArn": queue.arn}
            if status is None and not name:
                return _newest_page(backend, queue, offset, limit, scope)
            jobs = _newest_first(backend, queue, status, name)
            return _page(jobs, None, offset, limit, scope)
    if parent_id is None:
        return None
    found_job = find_job(backends, parent_id)
    if found_job is None:
        return None
    backend, parent = found_job
    with backend.lock:
        children = list(backend.engine.children(parent.job_id))
        if status is not None:
            children = [child for child in children if child.status == status]
        return _page(children, name, offset, limit, {"parentId": parent.job_id})


def _newest_first(
    backend: BatchBackend, queue: Any, status: str | None, name: str | None
) -> list[Job]:
    """A queue's top-level jobs as ListJobs orders them (later createdAt first, then later seq),
    of one status and/or whose name contains ``name`` (case-blind)."""
    wanted = name.lower() if name else None
    if status is not None:
        jobs = list(backend.engine.jobs_in_queue(queue.name, status))
        if wanted is not None:
            jobs = [job for job in jobs if wanted in job.spec.name.lower()]
        jobs.sort(key=_CREATED, reverse=True)  # seq is unique: the same order as ListJobs
        return jobs
    # The engine keeps jobs in creation order and the mock's clock never goes back: reversed,
    # that is newest first, with no sort.
    return [
        job
        for job in reversed(list(backend.engine.jobs()))
        if job.parent is None
        and job.spec.queue is queue
        and (wanted is None or wanted in job.spec.name.lower())
    ]


def _newest_page(
    backend: BatchBackend, queue: Any, offset: int, limit: int, scope: dict[str, Any]
) -> dict[str, Any]:
    """The unfiltered page: the total from the per-status indexes, and the newest jobs read
    backwards from the engine's creation order only as far as the page reaches."""
    total = sum(_count(backend.engine.jobs_in_queue(queue.name, s)) for s in STATUSES)
    chunk: list[Job] = []
    skipped = 0
    for job in reversed(list(backend.engine.jobs())):
        if job.parent is not None or job.spec.queue is not queue:
            continue
        if skipped < offset:
            skipped += 1
            continue
        chunk.append(job)
        if len(chunk) >= limit:
            break
    return {
        **scope,
        "total": total,
        "offset": offset,
        "limit": limit,
        "jobs": [job_summary(job) for job in chunk],
    }


def _page(
    jobs: list[Job], name: str | None, offset: int, limit: int, scope: dict[str, Any]
) -> dict[str, Any]:
    if name:
        wanted = name.lower()
        jobs = [job for job in jobs if wanted in job.spec.name.lower()]
    chunk = jobs[offset : offset + limit]
    return {
        **scope,
        "total": len(jobs),
        "offset": offset,
        "limit": limit,
        "jobs": [job_summary(job) for job in chunk],
    }


def job(backends: Sequence[BatchBackend], job_id: str, max_log_lines: int = 1000) -> Any:
    """One job as DescribeJobs shows it, with its status history, children counts and logs."""
    found = find_job(backends, job_id)
    if found is None:
        return None
    backend, target = found
    with backend.lock:
        detail = job_detail(target)
        history = [[status, at] for status, at in target.status_history]
        streams = [
            (attempt.log_stream_name, _group_of(target))
            for attempt in target.attempts
            if attempt.log_stream_name
        ]
        parent = target.parent.job_id if target.parent is not None else None
        children = len(target.children)
        account, region = backend.account_id, backend.region
    return {
        "job": detail,
        "statusHistory": history,
        "parentId": parent,
        "children": children,
        "logs": logs.read(account, region, streams, max_log_lines),
    }


def _group_of(job: Job) -> str:
    from batchmock.engine.context import log_group

    return log_group(job.spec.container)
