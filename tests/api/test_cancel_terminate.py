"""CancelJob and TerminateJob through boto3: the request rules and what DescribeJobs shows (§16)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import BatchMock
from tests.support import describe_job as describe
from tests.support import documented_number
from tests.support import submit_job as submit


@pytest.fixture
def env(still_client: Any) -> Any:
    return still_client


@pytest.mark.parametrize("operation", ["cancel_job", "terminate_job"])
def test_unknown_job_answers_200_and_an_empty_body(env: Any, operation: str) -> None:
    # §21.2 [obs: aws/aws-cli#2551]: TerminateJob of "Whatever-string" answered 200
    response = getattr(env, operation)(jobId="Whatever-string", reason="x")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(response) == {"ResponseMetadata"}


@pytest.mark.parametrize("operation", ["cancel_job", "terminate_job"])
def test_a_reason_longer_than_the_model_allows_is_rejected_and_changes_nothing(
    env: Any, operation: str
) -> None:
    name = "CancelJob" if operation == "cancel_job" else "TerminateJob"
    limit = documented_number(name, "reason", r"limit of (\d[\d,]*) characters")
    job_id = submit(env)
    with pytest.raises(ClientError) as info:
        getattr(env, operation)(jobId=job_id, reason="r" * (limit + 1))
    request_id = info.value.response["ResponseMetadata"]["RequestId"]
    assert info.value.response["Error"]["Message"] == (
        "Error executing request, Exception : reason: "
        f"must be a string of at most {limit} characters, got {limit + 1}, RequestId: {request_id}"
    )
    job = describe(env, job_id)
    assert job["status"] != "FAILED"
    assert "isCancelled" not in job  # absent until set (§21.1)
    assert "isTerminated" not in job  # absent until set (§21.1)
    getattr(env, operation)(jobId=job_id, reason="r" * limit)
    assert describe(env, job_id)["statusReason"] == "r" * limit


def test_cancel_before_running_fails_the_job_with_the_reason(env: Any) -> None:
    job_id = submit(env)
    assert (
        env.cancel_job(jobId=job_id, reason="not needed")["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )
    job = describe(env, job_id)
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "not needed"
    assert job["isCancelled"] is True


def test_cancel_of_a_running_job_does_nothing(still: BatchMock, env: Any) -> None:
    still.set_outcomes([{"match": {}, "duration": 600}])
    job_id = submit(env)
    still.advance(30)
    assert describe(env, job_id)["status"] == "RUNNING"
    env.cancel_job(jobId=job_id, reason="too late")
    assert describe(env, job_id)["status"] == "RUNNING"


def test_terminate_stops_a_running_job(still: BatchMock, env: Any) -> None:
    still.set_outcomes([{"match": {}, "duration": 600}])
    job_id = submit(env)
    still.advance(30)
    env.terminate_job(jobId=job_id, reason="stop it")
    still.advance(60)
    job = describe(env, job_id)
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "stop it"
    assert job["isTerminated"] is True
    assert "stoppedAt" in job


def test_cancel_of_a_finished_job_is_a_no_op(still: BatchMock, env: Any) -> None:
    job_id = submit(env)
    still.run_until_idle()
    env.cancel_job(jobId=job_id, reason="late")
    env.terminate_job(jobId=job_id, reason="late")
    job = describe(env, job_id)
    assert job["status"] == "SUCCEEDED"
    assert job.get("statusReason") != "late"


def test_child_ids_are_accepted(still: BatchMock, env: Any) -> None:
    parent = submit(env, arrayProperties={"size": 3})
    still.advance(1)  # the parent spawns its children
    env.cancel_job(jobId=f"{parent}:1", reason="skip one")
    still.run_until_idle()
    child = describe(env, f"{parent}:1")
    assert child["status"] == "FAILED"
    assert child["statusReason"] == "skip one"
    assert describe(env, f"{parent}:0")["status"] == "SUCCEEDED"
    assert describe(env, parent)["status"] == "FAILED"
