"""CancelJob and TerminateJob semantics through boto3 (§16)."""

from __future__ import annotations

import pytest

from batchmock import mock_batch
from tests.engine.helpers import describe, history, setup, status, statuses, submit

LONG = [{"match": {}, "duration": 100}]


@pytest.mark.parametrize("seconds", [0, 1])
def test_cancel_before_starting_fails_at_once(seconds: int) -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.advance(seconds)  # SUBMITTED, then RUNNABLE
        batch.cancel_job(jobId=job_id, reason="changed my mind")
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["statusReason"] == "changed my mind"
        assert job["isCancelled"] is True
        assert "isTerminated" not in job  # absent until set (§21.1)
        assert "stoppedAt" not in job  # §4.5 [inferred]
        mock.run_until_idle()
        # nothing started it later: still FAILED, with no attempt
        later = describe(batch, job_id)
        assert (later["status"], later["attempts"]) == ("FAILED", [])
        assert history(mock, job_id)[-1] == "FAILED"
        assert "RUNNING" not in history(mock, job_id)


def test_cancel_pending_immediate_option_fails_it_and_its_dependents() -> None:
    with mock_batch(auto_advance=False, outcomes=LONG, cancel_pending="immediate") as mock:
        batch = mock.client()
        setup(batch)
        first = submit(batch, name="first")
        pending = submit(batch, name="pending", dependsOn=[{"jobId": first}])
        after = submit(batch, name="after", dependsOn=[{"jobId": pending}])
        mock.advance(1)
        batch.cancel_job(jobId=pending, reason="no")
        assert statuses(batch, pending, after) == ["FAILED", "FAILED"]
        assert describe(batch, after)["statusReason"] == "Dependent Job failed"


def test_cancel_pending_waits_for_its_dependencies_by_default() -> None:
    with mock_batch(auto_advance=False, outcomes=LONG) as mock:
        batch = mock.client()
        setup(batch)
        first = submit(batch, name="first")
        pending = submit(batch, name="pending", dependsOn=[{"jobId": first}])
        mock.advance(1)
        batch.cancel_job(jobId=pending, reason="later")
        assert status(batch, pending) == "PENDING"  # §16.2
        mock.run_until_idle()
        job = describe(batch, pending)
        assert (job["status"], job["statusReason"], job["attempts"]) == ("FAILED", "later", [])


def test_cancel_runnable_at_head_option() -> None:
    with mock_batch(auto_advance=False, outcomes=LONG, cancel_runnable="at_head") as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        running = submit(batch, name="running")
        head = submit(batch, name="head")
        queued = submit(batch, name="queued")
        mock.advance(10)
        batch.cancel_job(jobId=queued, reason="at the head")
        mock.advance(10)
        assert status(batch, queued) == "RUNNABLE"  # §16.5: "head" is still in front of it
        assert describe(batch, queued)["isCancelled"] is True
        mock.advance(100)  # "running" ends, "head" starts: "queued" is now at the head
        assert statuses(batch, running, head, queued) == ["SUCCEEDED", "RUNNING", "FAILED"]
        assert describe(batch, queued)["statusReason"] == "at the head"
        assert describe(batch, queued)["attempts"] == []


def test_cancel_starting_or_running_does_nothing() -> None:
    with mock_batch(auto_advance=False, outcomes=LONG) as mock:
        batch = mock.client()
        setup(batch)
        starting = submit(batch, name="starting")
        mock.advance(2)
        assert status(batch, starting) == "STARTING"
        batch.cancel_job(jobId=starting, reason="ignored")
        mock.advance(5)
        batch.cancel_job(jobId=starting, reason="ignored")
        mock.run_until_idle()
        job = describe(batch, starting)
        assert job["status"] == "SUCCEEDED"
        assert "isCancelled" not in job  # absent until set (§21.1)


def test_terminate_running_stops_it() -> None:
    with mock_batch(auto_advance=False, outcomes=LONG) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.advance(10)
        batch.terminate_job(jobId=job_id, reason="halt")
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["statusReason"] == "halt"
        assert job["isTerminated"] is True
        attempt = job["attempts"][0]
        assert attempt["statusReason"] == "halt"
        assert attempt["container"]["exitCode"] == 143  # §16.7
        assert job["stoppedAt"] == attempt["stoppedAt"]
        assert history(mock, job_id)[-2:] == ["RUNNING", "FAILED"]


def test_terminate_starting_stops_it_without_exit_code() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.advance(2)
        batch.terminate_job(jobId=job_id, reason="halt")
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert "exitCode" not in job["attempts"][0]["container"]
        assert "startedAt" not in job


def test_terminate_before_starting_behaves_as_cancel() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        batch.terminate_job(jobId=job_id, reason="early")
        job = describe(batch, job_id)
        assert (job["status"], job["statusReason"], job["isTerminated"]) == (
            "FAILED",
            "early",
            True,
        )


def test_terminal_jobs_are_left_alone() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.run_until_idle()
        batch.cancel_job(jobId=job_id, reason="late")
        batch.terminate_job(jobId=job_id, reason="late")
        job = describe(batch, job_id)
        assert job["status"] == "SUCCEEDED"
        assert not {"isCancelled", "isTerminated"} & set(job)  # absent until set (§21.1)


def test_unknown_job_answers_200() -> None:
    # §21.2 [obs: aws/aws-cli#2551]
    with mock_batch() as mock:
        batch = mock.client()
        for call in (batch.cancel_job, batch.terminate_job):
            response = call(jobId="00000000-0000-0000-0000-000000000000", reason="x")
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
            assert set(response) == {"ResponseMetadata"}
