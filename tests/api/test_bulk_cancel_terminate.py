"""CancelJobs, TerminateJobs and TerminateServiceJobs through boto3, on the virtual clock.

Each applies its single-job form to every ID and answers per ID: ``successful`` and ``errors``
({job, code, message}), HTTP 200 even when some IDs fail; unknown IDs count as processed (the
model's documentation). Limits come from the installed model.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from batchmock import BatchMock
from tests.support import describe_job as describe
from tests.support import documented_number, error_of, make_job_definition, requires_operation
from tests.support import submit_job as submit

EMPTY_ID_ERROR = {"job": "", "code": "ValidationException", "message": "A job ID must not be empty"}
PAYLOAD = json.dumps({"TrainingJobName": "t"})


def body(response: dict[str, Any]) -> dict[str, Any]:
    """The output members of a response (the conftest hook checked them against the model)."""
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def executing_request(detail: str) -> str:
    """A pattern of AWS's wrapper around ``detail``, with the response's request id (§21.4)."""
    return re.escape(f"Error executing request, Exception : {detail}") + r", RequestId: [0-9a-f-]+"


def id_limit(operation: str) -> int:
    return documented_number(operation, "jobs")


def statuses(batch: Any, ids: list[str]) -> list[str]:
    return [describe(batch, job_id)["status"] for job_id in ids]


# -- CancelJobs ---------------------------------------------------------------------------------
@requires_operation("CancelJobs")
def test_cancel_jobs_fails_every_job_not_yet_started(still: BatchMock, still_client: Any) -> None:
    batch = still_client
    make_job_definition(batch, name="big", vcpus=64)  # more than the CE has: stays RUNNABLE
    runnable = submit(batch, jobName="runnable", jobDefinition="big")
    pending = submit(batch, jobName="pending", dependsOn=[{"jobId": runnable}])
    still.advance(10)
    submitted = submit(batch, jobName="submitted")
    ids = [submitted, pending, runnable]
    assert statuses(batch, ids) == ["SUBMITTED", "PENDING", "RUNNABLE"]
    out = body(batch.cancel_jobs(jobs=ids, reason="not needed"))
    assert out == {"successful": ids, "errors": []}
    for job_id in ids:
        job = describe(batch, job_id)
        assert (job["status"], job["statusReason"]) == ("FAILED", "not needed")
        assert job["isCancelled"] is True
        assert job.get("isTerminated", False) is False


@requires_operation("CancelJobs")
def test_cancel_jobs_accepts_but_leaves_running_jobs(still: BatchMock, still_client: Any) -> None:
    batch = still_client
    still.set_outcomes([{"match": {"jobName": "long"}, "duration": 600}])
    running = submit(batch, jobName="long")
    still.advance(30)
    waiting = submit(batch, jobName="short")
    assert statuses(batch, [running, waiting]) == ["RUNNING", "SUBMITTED"]
    out = body(batch.cancel_jobs(jobs=[running, waiting], reason="stop"))
    # CancelJob answers 200 for a RUNNING job and does nothing: the bulk form accepts it too
    assert out == {"successful": [running, waiting], "errors": []}
    assert statuses(batch, [running, waiting]) == ["RUNNING", "FAILED"]
    still.run_until_idle()
    assert describe(batch, running)["status"] == "SUCCEEDED"


@requires_operation("CancelJobs")
def test_cancel_jobs_of_an_array_parent_and_of_one_child(
    still: BatchMock, still_client: Any
) -> None:
    batch = still_client
    whole = submit(batch, jobName="whole", arrayProperties={"size": 2})
    partly = submit(batch, jobName="partly", arrayProperties={"size": 3})
    still.advance(1)  # the parents spawn their children
    out = body(batch.cancel_jobs(jobs=[whole, f"{partly}:1"], reason="skip"))
    assert out == {"successful": [whole, f"{partly}:1"], "errors": []}
    still.run_until_idle()
    assert statuses(batch, [whole, f"{whole}:0", f"{whole}:1"]) == ["FAILED"] * 3
    assert statuses(batch, [f"{partly}:0", f"{partly}:1", f"{partly}:2"]) == [
        "SUCCEEDED",
        "FAILED",
        "SUCCEEDED",
    ]
    assert describe(batch, f"{partly}:1")["statusReason"] == "skip"


# -- TerminateJobs ------------------------------------------------------------------------------
@requires_operation("TerminateJobs")
def test_terminate_jobs_stops_running_and_cancels_waiting_jobs(
    still: BatchMock, still_client: Any
) -> None:
    batch = still_client
    still.set_outcomes([{"match": {"jobName": "long"}, "duration": 600}])
    running = submit(batch, jobName="long")
    still.advance(30)
    waiting = submit(batch, jobName="short")
    assert describe(batch, running)["status"] == "RUNNING"
    out = body(batch.terminate_jobs(jobs=[running, waiting], reason="shutting down"))
    assert out == {"successful": [running, waiting], "errors": []}
    still.advance(60)
    for job_id in (running, waiting):
        job = describe(batch, job_id)
        assert (job["status"], job["statusReason"]) == ("FAILED", "shutting down")
        assert job["isTerminated"] is True
    assert isinstance(describe(batch, running)["stoppedAt"], int)


@requires_operation("TerminateJobs")
def test_terminate_jobs_leaves_finished_jobs_as_they_are(
    still: BatchMock, still_client: Any
) -> None:
    batch = still_client
    done = submit(batch)
    still.run_until_idle()
    before = describe(batch, done)
    assert before["status"] == "SUCCEEDED"
    out = body(batch.terminate_jobs(jobs=[done], reason="late"))
    assert out == {"successful": [done], "errors": []}
    assert describe(batch, done) == before


# -- what both job forms share --------------------------------------------------------------------
BOTH = [
    pytest.param("cancel_jobs", marks=requires_operation("CancelJobs"), id="CancelJobs"),
    pytest.param("terminate_jobs", marks=requires_operation("TerminateJobs"), id="TerminateJobs"),
]
OPERATION = {"cancel_jobs": "CancelJobs", "terminate_jobs": "TerminateJobs"}


@pytest.mark.parametrize("call", BOTH)
def test_mixed_ids_are_reported_one_by_one(still_client: Any, call: str) -> None:
    batch = still_client
    known = submit(batch)
    out = body(getattr(batch, call)(jobs=[known, "no-such-job", "", known], reason="mixed"))
    # unknown IDs are "treated as successfully processed"; an ID given twice is reported once
    assert out == {"successful": [known, "no-such-job"], "errors": [EMPTY_ID_ERROR]}
    assert describe(batch, known)["status"] == "FAILED"
    assert batch.describe_jobs(jobs=["no-such-job"])["jobs"] == []


@pytest.mark.parametrize("call", BOTH)
def test_only_failures_still_answer_200(still_client: Any, call: str) -> None:
    out = body(getattr(still_client, call)(jobs=[""], reason="r"))
    assert out == {"successful": [], "errors": [EMPTY_ID_ERROR]}


@pytest.mark.parametrize("call", BOTH)
def test_an_empty_list_changes_nothing(still_client: Any, call: str) -> None:
    job_id = submit(still_client)
    assert body(getattr(still_client, call)(jobs=[], reason="r")) == {
        "successful": [],
        "errors": [],
    }
    assert describe(still_client, job_id)["status"] == "SUBMITTED"


@pytest.mark.parametrize("call", BOTH)
def test_the_id_limit_of_the_model(still_client: Any, call: str) -> None:
    batch = still_client
    limit = id_limit(OPERATION[call])
    job_id = submit(batch)
    too_many = [job_id] + [f"ghost-{i}" for i in range(limit)]
    message = error_of(getattr(batch, call), jobs=too_many, reason="r")
    assert re.fullmatch(
        executing_request(f"jobs: must hold at most {limit} job IDs, got {limit + 1}"), message
    )
    assert describe(batch, job_id)["status"] == "SUBMITTED"  # nothing was touched
    at_limit = too_many[:limit]
    out = body(getattr(batch, call)(jobs=at_limit, reason="r"))
    assert out == {"successful": at_limit, "errors": []}
    assert describe(batch, job_id)["status"] == "FAILED"


@pytest.mark.parametrize("call", BOTH)
def test_the_reason_limit_of_the_model(still_client: Any, call: str) -> None:
    batch = still_client
    limit = documented_number(OPERATION[call], "reason", r"limit of (\d[\d,]*) characters")
    job_id = submit(batch)
    message = error_of(getattr(batch, call), jobs=[job_id], reason="r" * (limit + 1))
    assert re.fullmatch(
        executing_request(
            f"reason: must be a string of at most {limit} characters, got {limit + 1}"
        ),
        message,
    )
    assert describe(batch, job_id)["status"] == "SUBMITTED"
    assert body(getattr(batch, call)(jobs=[job_id], reason="r" * limit))["successful"] == [job_id]
    assert describe(batch, job_id)["statusReason"] == "r" * limit


# -- TerminateServiceJobs -----------------------------------------------------------------------
@pytest.fixture
def service_batch(batch: Any) -> Any:
    """A client with a SageMaker job queue ``sq`` over a service environment ``se``."""
    batch.create_service_environment(
        serviceEnvironmentName="se",
        serviceEnvironmentType="SAGEMAKER_TRAINING",
        capacityLimits=[{"maxCapacity": 5, "capacityUnit": "NUM_INSTANCES"}],
    )
    batch.create_job_queue(
        jobQueueName="sq",
        priority=1,
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "se"}],
        jobQueueType="SAGEMAKER_TRAINING",
    )
    return batch


def submit_service(batch: Any, name: str) -> str:
    job_id: str = batch.submit_service_job(
        jobName=name,
        jobQueue="sq",
        serviceRequestPayload=PAYLOAD,
        serviceJobType="SAGEMAKER_TRAINING",
    )["jobId"]
    return job_id


@requires_operation("TerminateServiceJobs")
def test_terminate_service_jobs(service_batch: Any) -> None:
    batch = service_batch
    first, second, earlier = (submit_service(batch, n) for n in ("a", "b", "c"))
    batch.terminate_service_job(jobId=earlier, reason="first reason")
    kept = body(batch.describe_service_job(jobId=earlier))
    out = body(
        batch.terminate_service_jobs(
            jobs=[first, "no-such-job", second, "", earlier], reason="budget cut"
        )
    )
    assert out == {
        "successful": [first, "no-such-job", second, earlier],
        "errors": [EMPTY_ID_ERROR],
    }
    for job_id in (first, second):
        found = batch.describe_service_job(jobId=job_id)
        assert (found["status"], found["statusReason"]) == ("FAILED", "budget cut")
        assert found["isTerminated"] is True
        assert isinstance(found["stoppedAt"], int)
    assert body(batch.describe_service_job(jobId=earlier)) == kept  # finished: left alone
    failed = batch.list_service_jobs(jobQueue="sq", jobStatus="FAILED")["jobSummaryList"]
    assert sorted(j["jobId"] for j in failed) == sorted([first, second, earlier])


@requires_operation("TerminateServiceJobs")
def test_terminate_service_jobs_id_limit(service_batch: Any) -> None:
    batch = service_batch
    limit = id_limit("TerminateServiceJobs")
    job_id = submit_service(batch, "a")
    too_many = [job_id] + [f"ghost-{i}" for i in range(limit)]
    message = error_of(batch.terminate_service_jobs, jobs=too_many, reason="r")
    assert re.fullmatch(
        executing_request(f"jobs: must hold at most {limit} job IDs, got {limit + 1}"), message
    )
    assert batch.describe_service_job(jobId=job_id)["status"] == "SUBMITTED"
    out = body(batch.terminate_service_jobs(jobs=too_many[:limit], reason="r"))
    assert out == {"successful": too_many[:limit], "errors": []}
    assert batch.describe_service_job(jobId=job_id)["status"] == "FAILED"


# -- the conftest hook checks these outputs against the model too ---------------------------------
@pytest.mark.parametrize(
    "call",
    [
        *BOTH,
        pytest.param(
            "terminate_service_jobs",
            marks=requires_operation("TerminateServiceJobs"),
            id="TerminateServiceJobs",
        ),
    ],
)
def test_an_output_off_the_model_shape_is_caught(
    still_client: Any, call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from batchmock.backend.core import bulk

    def incomplete(operation: str, params: Any, one: Any) -> dict[str, Any]:
        return {"successful": [], "errors": [{"job": "x"}]}  # no code, no message

    monkeypatch.setattr(bulk, "apply_each", incomplete)
    with pytest.raises(AssertionError, match="does not match the model's output shape"):
        getattr(still_client, call)(jobs=["x"], reason="r")
