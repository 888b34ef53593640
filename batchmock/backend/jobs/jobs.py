"""The API face of the job engine: SubmitJob, DescribeJobs, ListJobs, CancelJob, TerminateJob
and their bulk forms CancelJobs and TerminateJobs (``bulk.py``).

Each handler checks its request completely before asking the engine for anything that changes a
job; the engine is the only writer of job state (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.core import bulk
from batchmock.backend.jobs.job_listing import list_jobs
from batchmock.backend.jobs.job_submit import build_spec
from batchmock.backend.jobs.job_views import job_detail, store_none_free
from batchmock.errors import executing_request, invalid
from batchmock.pruned import Pruned
from batchmock.service_model import documented_max

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler
    from batchmock.engine.job import Job

MESSAGES = {
    # [obs: pegasus-isi/pegasus#2086] (§21.4: two spaces, and the RequestId tail)
    "too_many": "Maximum number of jobs supported is  {limit} .",
    # [model] CancelJob/TerminateJob ``reason`` is at most 1024 characters (§16)
    "reason": "must be a string of at most {limit} characters, got {length}",
}


def submit_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """SubmitJob: check everything, then hand the spec to the engine (§11)."""
    spec = build_spec(backend, params)
    store_none_free(spec)
    job = backend.engine.submit(spec)
    return {"jobArn": job.arn, "jobName": job.name, "jobId": job.job_id}


def describe_jobs(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeJobs: 1-100 IDs (parents, children, nodes), request order, unknown IDs dropped."""
    ids = params.get("jobs") or []
    limit = documented_max("DescribeJobs", "jobs")  # "A list of up to 100 job IDs."
    if limit is not None and len(ids) > limit:
        raise executing_request(MESSAGES["too_many"].format(limit=limit))
    poll(backend)
    found: list[Job] = []
    seen: set[str] = set()
    for job_id in ids:
        job = backend.engine.get(job_id) if isinstance(job_id, str) else None
        if job is not None and job.job_id not in seen:
            seen.add(job.job_id)
            found.append(job)
    return Pruned(jobs=[job_detail(job) for job in found])  # job_detail leaves None out


def list_jobs_handler(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListJobs (§15): checks the request, lets a polling loop progress, then lists."""
    return list_jobs(backend, params, before=lambda: poll(backend))


def cancel_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CancelJob (§16): jobs not yet STARTING fail; STARTING/RUNNING ones are left alone.

    An unknown job ID answers 200 ``{}`` like AWS (§21.2, [obs: aws/aws-cli#2551]).
    """
    _cancel(backend, params["jobId"], _reason("CancelJob", params))
    return {}


def terminate_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """TerminateJob (§16): stops STARTING/RUNNING jobs; earlier ones are cancelled.

    An unknown job ID answers 200 ``{}`` like AWS (§21.2, [obs: aws/aws-cli#2551]).
    """
    _terminate(backend, params["jobId"], _reason("TerminateJob", params))
    return {}


def cancel_jobs(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CancelJobs: CancelJob for each ID, reported per ID (``core/bulk.py``)."""
    reason = _reason("CancelJobs", params)
    return bulk.apply_each("CancelJobs", params, lambda job_id: _cancel(backend, job_id, reason))


def terminate_jobs(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """TerminateJobs: TerminateJob for each ID, reported per ID (``core/bulk.py``)."""
    reason = _reason("TerminateJobs", params)
    return bulk.apply_each(
        "TerminateJobs", params, lambda job_id: _terminate(backend, job_id, reason)
    )


def _cancel(backend: BatchBackend, job_id: str, reason: str) -> None:
    """CancelJob of one ID, the single and the bulk form alike; an unknown ID is a no-op."""
    job = backend.engine.get(job_id)
    if job is not None:
        backend.engine.cancel(job.job_id, reason)


def _terminate(backend: BatchBackend, job_id: str, reason: str) -> None:
    """TerminateJob of one ID, the single and the bulk form alike; an unknown ID is a no-op."""
    job = backend.engine.get(job_id)
    if job is not None:
        backend.engine.terminate(job.job_id, reason)


def _reason(operation: str, params: Mapping[str, Any]) -> str:
    """The checked ``reason``: at most as long as the model documents for ``operation``."""
    reason: str = params["reason"]  # required by the model: the protocol layer checked it
    limit = documented_max(operation, "reason")  # "This parameter has a limit of 1024 ..."
    if limit is not None and len(reason) > limit:
        raise invalid("reason", MESSAGES["reason"].format(limit=limit, length=len(reason)))
    return reason


def poll(backend: BatchBackend) -> None:
    """Let a polling loop see jobs progress (issue item 10): one simulation step per call."""
    if backend.options.auto_advance:
        backend.engine.poll()


OPERATIONS: Mapping[str, Handler] = {
    "SubmitJob": submit_job,
    "DescribeJobs": describe_jobs,
    "ListJobs": list_jobs_handler,
    "CancelJob": cancel_job,
    "TerminateJob": terminate_job,
    "CancelJobs": cancel_jobs,
    "TerminateJobs": terminate_jobs,
}
