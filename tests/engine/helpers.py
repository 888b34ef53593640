"""Small helpers for the engine's boto3 tests."""

from __future__ import annotations

from typing import Any

from tests.support import describe_job as describe
from tests.support import make_ce, make_job_definition, make_queue, submit_job

START = 1_700_000_000.0
"""A pinned virtual start time (epoch seconds): timestamps are the same on every run."""
START_MS = int(START * 1000)


def setup(batch: Any, max_vcpus: int = 16, vcpus: int = 1) -> None:
    """A compute environment ``ce``, a queue ``q`` and a job definition ``jd``."""
    make_ce(batch, max_vcpus=max_vcpus)
    make_queue(batch)
    make_job_definition(batch, vcpus=vcpus)


def submit(
    batch: Any, name: str = "job", queue: str = "q", definition: str = "jd", **kwargs: Any
) -> str:
    """Submit a job and return its ID."""
    return submit_job(batch, jobName=name, jobQueue=queue, jobDefinition=definition, **kwargs)


def status(batch: Any, job_id: str) -> str:
    """The status of one job."""
    return str(describe(batch, job_id)["status"])


def statuses(batch: Any, *job_ids: str) -> list[str]:
    """The statuses of several jobs, in the order given."""
    found = {j["jobId"]: j["status"] for j in batch.describe_jobs(jobs=list(job_ids))["jobs"]}
    return [found[job_id] for job_id in job_ids]


def history(mock: Any, job_id: str) -> list[str]:
    """The statuses a job went through, from the engine's record."""
    job = mock.runtime.find_job(job_id)
    assert job is not None
    return [entry[0] for entry in job.status_history]
