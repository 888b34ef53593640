"""What the controller tells a test: the jobs run_until_idle leaves, and its repr."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock import BatchMock, UnfinishedJob, mock_batch
from batchmock.server import ThreadedServer
from tests.server.helpers import call_json, client
from tests.support import make_ce, make_job_definition, make_queue, submit_job

START = 1_700_000_000  # 2023-11-14T22:13:20Z
MAX_RESOURCE = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
    "cannot meet the CPU requirement of the job."
)


def _stuck_scenario(batch: Any) -> dict[str, str]:
    """A job that finishes, one too big for its queue's only compute environment, and one
    that depends on the big one: ids by name."""
    make_ce(batch, max_vcpus=16)
    make_queue(batch)
    make_job_definition(batch, "small", vcpus=1)
    make_job_definition(batch, "big", vcpus=32)
    ids = {"small": submit_job(batch, jobName="small", jobDefinition="small")}
    ids["big"] = submit_job(batch, jobName="big", jobDefinition="big")
    ids["after"] = submit_job(
        batch, jobName="after", jobDefinition="small", dependsOn=[{"jobId": ids["big"]}]
    )
    return ids


def _as_described(batch: Any, job_ids: list[str]) -> list[dict[str, Any]]:
    """What DescribeJobs says of the jobs' identity, queue, status and statusReason."""
    members = ("jobId", "jobName", "jobQueue", "status", "statusReason")
    jobs = {j["jobId"]: j for j in batch.describe_jobs(jobs=job_ids)["jobs"]}
    return [{m: jobs[i][m] for m in members if m in jobs[i]} for i in job_ids]


def test_run_until_idle_returns_nothing_when_every_job_finished() -> None:
    with mock_batch() as mock:
        batch = mock.client()
        make_ce(batch)
        make_queue(batch)
        make_job_definition(batch)
        submit_job(batch, jobName="one")
        submit_job(batch, jobName="two", arrayProperties={"size": 3})
        assert mock.run_until_idle() == []


def test_run_until_idle_returns_the_stuck_jobs_and_why() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        ids = _stuck_scenario(batch)
        queue = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]

        left = mock.run_until_idle()

        assert left == [
            UnfinishedJob(ids["big"], "big", queue, "RUNNABLE", MAX_RESOURCE),
            UnfinishedJob(ids["after"], "after", queue, "PENDING", None),
        ]
        assert [j.to_json() for j in left] == _as_described(batch, [ids["big"], ids["after"]])
        assert str(left[0]) == f"RUNNABLE job big ({ids['big']}) in {queue}: {MAX_RESOURCE}"
        assert str(left[1]) == f"PENDING job after ({ids['after']}) in {queue}"
        assert mock.run_until_idle() == left  # still stuck: time cannot help


def test_the_control_api_answers_the_same_jobs_as_json() -> None:
    with ThreadedServer(auto_advance=False) as server:
        batch = client(server)
        ids = _stuck_scenario(batch)

        status, body = call_json(server, "POST", "/_batchmock/run-until-idle")

        assert status == 200
        assert body == {
            "idle": True,
            "unfinishedJobs": _as_described(batch, [ids["big"], ids["after"]]),
        }
        assert body["unfinishedJobs"] == [j.to_json() for j in server.mock.run_until_idle()]


def test_repr_shows_the_clock_and_the_jobs_by_status() -> None:
    mock = mock_batch(start_time=START, region="eu-west-1")
    assert repr(mock) == "<BatchMock inactive, region eu-west-1>"
    with mock:
        assert (
            repr(mock)
            == "<BatchMock active, clock virtual at 2023-11-14T22:13:20.000Z, jobs: none>"
        )
        mock.advance(30.5)
        ids = _stuck_scenario(mock.client())
        assert repr(mock) == (
            "<BatchMock active, clock virtual at 2023-11-14T22:13:50.500Z, jobs: SUBMITTED=3>"
        )
        mock.run_until_idle()
        job = mock.client().describe_jobs(jobs=[ids["small"]])["jobs"][0]
        now = _iso_ms(mock)
        assert job["stoppedAt"] <= now[1]
        assert repr(mock) == (
            f"<BatchMock active, clock virtual at {now[0]}, jobs: PENDING=1 RUNNABLE=1 SUCCEEDED=1>"
        )
    assert repr(mock) == "<BatchMock inactive, region eu-west-1>"


def _iso_ms(mock: BatchMock) -> tuple[str, int]:
    from datetime import datetime, timezone

    ms = mock.runtime.clock.now_ms()
    stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z", ms


@pytest.mark.parametrize("field", ["job_id", "job_name", "job_queue", "status", "status_reason"])
def test_unfinished_jobs_are_read_only(field: str) -> None:
    job = UnfinishedJob("id", "name", "arn", "RUNNABLE", None)
    with pytest.raises(AttributeError):
        setattr(job, field, "other")
