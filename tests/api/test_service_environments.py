"""Service environments and service jobs through boto3 (reference §18.5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.support import (
    documented_number,
    executing_error_of,
    has_member,
    model,
    modeled,
    requires_member,
    requires_operation,
)

ARN = "arn:aws:batch:us-east-1:123456789012:"
LIMITS = [{"maxCapacity": 5, "capacityUnit": "NUM_INSTANCES"}]
PRIORITY_MAX = documented_number("SubmitServiceJob", "schedulingPriority", r"and (\d+)")
ATTEMPTS_MAX = documented_number(
    "SubmitServiceJob", "retryStrategy.attempts", r"between \d+ and (\d+) attempts"
)
PAYLOAD = json.dumps(
    {"TrainingJobName": "t", "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2}}
)


def create_env(batch: Any, name: str = "se", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("serviceEnvironmentType", "SAGEMAKER_TRAINING")
    kwargs.setdefault("capacityLimits", LIMITS)
    result: dict[str, Any] = batch.create_service_environment(serviceEnvironmentName=name, **kwargs)
    return result


def envs(batch: Any, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = batch.describe_service_environments(**kwargs)[
        "serviceEnvironments"
    ]
    return found


def sagemaker_queue(batch: Any, name: str = "sq", env: str = "se", **kwargs: Any) -> str:
    arn: str = batch.create_job_queue(
        jobQueueName=name,
        priority=1,
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": env}],
        jobQueueType="SAGEMAKER_TRAINING",
        **kwargs,
    )["jobQueueArn"]
    return arn


def submit(batch: Any, name: str = "train", queue: str = "sq", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("serviceRequestPayload", PAYLOAD)
    kwargs.setdefault("serviceJobType", "SAGEMAKER_TRAINING")
    result: dict[str, Any] = batch.submit_service_job(jobName=name, jobQueue=queue, **kwargs)
    return result


# -- service environments ---------------------------------------------------------------------
def test_create_and_describe(batch: Any) -> None:
    out = create_env(batch, tags={"a": "b"})
    assert out["serviceEnvironmentArn"] == ARN + "service-environment/se"
    (found,) = envs(batch)
    assert found == {
        "serviceEnvironmentName": "se",
        "serviceEnvironmentArn": ARN + "service-environment/se",
        "serviceEnvironmentType": "SAGEMAKER_TRAINING",
        "state": "ENABLED",
        "status": "VALID",
        "capacityLimits": LIMITS,
        "tags": {"a": "b"},
    }


def test_create_rules(batch: Any) -> None:
    create_env(batch)
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        create_env(batch)
    with pytest.raises(batch.exceptions.ClientException) as info:
        create_env(batch, "x", serviceEnvironmentType="LAMBDA")
    assert info.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'LAMBDA' at 'serviceEnvironmentType' failed to "
        "satisfy constraint: Member must satisfy enum value set: [SAGEMAKER_TRAINING]"
    )
    assert [e["serviceEnvironmentName"] for e in envs(batch)] == ["se"]


@pytest.mark.parametrize(
    "limits",
    [
        [],
        [{"maxCapacity": 0, "capacityUnit": "NUM_INSTANCES"}],
        [{"maxCapacity": 1}],
        [{"maxCapacity": 1, "capacityUnit": "NUM_INSTANCES"}] * 2,
    ],
    ids=["none", "zero", "no-unit", "unit-twice"],
)
def test_capacity_limits_the_model_does_not_restrict_are_stored_as_given(
    batch: Any, limits: list[dict[str, Any]]
) -> None:
    # issue 10 audit: the model sets no count, no bound and no required unit here, and no
    # source says AWS refuses these; they were [inferred] refusals
    create_env(batch, "x", capacityLimits=limits)
    (found,) = envs(batch, serviceEnvironments=["x"])
    assert found == {
        "serviceEnvironmentName": "x",
        "serviceEnvironmentArn": ARN + "service-environment/x",
        "serviceEnvironmentType": "SAGEMAKER_TRAINING",
        "state": "ENABLED",
        "status": "VALID",
        "capacityLimits": limits,
    }


def test_describe_by_names_and_arns_and_pages(batch: Any) -> None:
    for name in ("c", "a", "b"):
        create_env(batch, name, state="DISABLED")
    found = envs(batch, serviceEnvironments=["b", ARN + "service-environment/a", "ghost"])
    assert [e["serviceEnvironmentName"] for e in found] == ["b", "a"]  # request order
    assert found[0]["state"] == "DISABLED"
    pages = batch.get_paginator("describe_service_environments").paginate(
        PaginationConfig={"PageSize": 2}
    )
    seen = [[e["serviceEnvironmentName"] for e in p["serviceEnvironments"]] for p in pages]
    assert seen == [["a", "b"], ["c"]]
    with pytest.raises(batch.exceptions.ClientException, match="MaxResults cannot both be set"):
        envs(batch, serviceEnvironments=["a"], maxResults=1)


def test_update_state_and_limits(batch: Any) -> None:
    create_env(batch)
    new_limits = [{"maxCapacity": 9, "capacityUnit": "ml.m5.large"}]
    out = batch.update_service_environment(
        serviceEnvironment="se", state="DISABLED", capacityLimits=new_limits
    )
    assert out["serviceEnvironmentName"] == "se"
    (found,) = envs(batch)
    assert (found["state"], found["capacityLimits"]) == ("DISABLED", new_limits)
    batch.update_service_environment(serviceEnvironment="se", capacityLimits=[])
    assert envs(batch)[0]["capacityLimits"] == []  # replaced whole; no source refuses []
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.update_service_environment(serviceEnvironment="ghost", state="ENABLED")


def test_delete_needs_disabled_and_detached(batch: Any) -> None:
    create_env(batch)
    sagemaker_queue(batch)
    with pytest.raises(batch.exceptions.ClientException, match="ENABLED"):
        batch.delete_service_environment(serviceEnvironment="se")
    batch.update_service_environment(serviceEnvironment="se", state="DISABLED")
    with pytest.raises(batch.exceptions.ClientException, match="JobQueue relationship"):
        batch.delete_service_environment(serviceEnvironment="se")
    batch.update_job_queue(jobQueue="sq", state="DISABLED")
    batch.delete_job_queue(jobQueue="sq")
    batch.delete_service_environment(serviceEnvironment=ARN + "service-environment/se")
    assert envs(batch) == []


# -- service jobs -------------------------------------------------------------------------------
def test_submit_and_describe_service_job(batch: Any) -> None:
    create_env(batch)
    queue_arn = sagemaker_queue(batch)
    out = submit(
        batch,
        schedulingPriority=3,
        tags={"t": "1"},
        retryStrategy={"attempts": 2},
        timeoutConfig={"attemptDurationSeconds": 600},
    )
    assert out["jobArn"] == ARN + "service-job/" + out["jobId"]
    found = batch.describe_service_job(jobId=out["jobId"])
    assert found["status"] == "SUBMITTED"
    assert found["jobName"] == "train"
    assert found["jobQueue"] == queue_arn
    assert found["serviceRequestPayload"] == PAYLOAD
    assert found["serviceJobType"] == "SAGEMAKER_TRAINING"
    assert found["schedulingPriority"] == 3
    assert found["tags"] == {"t": "1"}
    assert found["retryStrategy"] == {"attempts": 2}
    assert found["timeoutConfig"] == {"attemptDurationSeconds": 600}
    if has_member("DescribeServiceJobResponse", "capacityUsage"):
        assert found["capacityUsage"] == [{"capacityUnit": "ml.m5.large", "quantity": 2.0}]
    else:  # an older model has no capacityUsage: it is not answered
        assert "capacityUsage" not in found
    assert found["isTerminated"] is False
    assert "startedAt" not in found
    assert batch.list_tags_for_resource(resourceArn=out["jobArn"])["tags"] == {"t": "1"}


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"name": "-bad"}, "Job name should match valid pattern"),
        ({"serviceRequestPayload": "{not json"}, "serviceRequestPayload"),
        ({"serviceRequestPayload": json.dumps({"x": "y" * 11000})}, "10 KiB"),
        ({"schedulingPriority": PRIORITY_MAX + 1}, "schedulingPriority"),
        ({"retryStrategy": {"attempts": ATTEMPTS_MAX + 1}}, "retryStrategy.attempts"),
        ({"shareIdentifier": "s"}, "shareIdentifier"),
        pytest.param(
            {"quotaShareName": "qs"},
            "quotaShareName",
            marks=requires_member("SubmitServiceJobRequest", "quotaShareName"),
        ),
        ({"queue": "ghost"}, "ghost"),
    ],
)
def test_submit_rules(batch: Any, kwargs: dict[str, Any], text: str) -> None:
    create_env(batch)
    sagemaker_queue(batch)
    with pytest.raises(batch.exceptions.ClientException, match=text):
        submit(batch, **kwargs)
    assert batch.list_service_jobs(jobQueue="sq", jobStatus="SUBMITTED")["jobSummaryList"] == []


def test_service_job_members_the_model_does_not_bound_are_accepted(batch: Any) -> None:
    # issue 10 audit: the model states no count of evaluateOnExit entries for service jobs and
    # no bound on preemption retries or the timeout; those [inferred] refusals were removed
    create_env(batch)
    sagemaker_queue(batch)
    exits = [{"action": "RETRY", "onStatusReason": f"r{i}*"} for i in range(7)]
    preemption = {"preemptionRetriesBeforeTermination": 0}
    newer = (  # members an older model lacks (botocore 1.40 has no preemption configuration)
        {"preemptionConfiguration": preemption}
        if has_member("SubmitServiceJobRequest", "preemptionConfiguration")
        else {}
    )
    out = submit(
        batch,
        retryStrategy={"attempts": 1, "evaluateOnExit": exits},
        timeoutConfig={"attemptDurationSeconds": 0},
        **newer,
    )
    found = batch.describe_service_job(jobId=out["jobId"])
    found.pop("ResponseMetadata")
    assert found == modeled(
        "DescribeServiceJobResponse",
        {
            "attempts": [],
            "capacityUsage": [{"capacityUnit": "ml.m5.large", "quantity": 2.0}],
            "createdAt": found["createdAt"],
            "isTerminated": False,
            "jobArn": ARN + "service-job/" + out["jobId"],
            "jobId": out["jobId"],
            "jobName": "train",
            "jobQueue": ARN + "job-queue/sq",
            "retryStrategy": {"attempts": 1, "evaluateOnExit": exits},
            "serviceRequestPayload": PAYLOAD,
            "serviceJobType": "SAGEMAKER_TRAINING",
            "preemptionConfiguration": preemption,
            "status": "SUBMITTED",
            "timeoutConfig": {"attemptDurationSeconds": 0},
        },
    )


def test_a_payload_that_is_no_json_object_is_refused_naming_the_member(batch: Any) -> None:
    create_env(batch)
    sagemaker_queue(batch)
    detail = executing_error_of(submit, batch, serviceRequestPayload="[1]")
    assert detail == (
        "serviceRequestPayload: must be a JSON object (the request for the service): got a JSON "
        "list"
    )


def test_submit_to_a_container_queue_or_disabled_queue(batch: Any) -> None:
    from tests.support import make_ce, make_queue

    make_ce(batch)
    make_queue(batch)
    with pytest.raises(batch.exceptions.ClientException, match="SAGEMAKER_TRAINING"):
        submit(batch, queue="q")
    create_env(batch)
    sagemaker_queue(batch, state="DISABLED")
    with pytest.raises(batch.exceptions.ClientException, match="not in ENABLED state"):
        submit(batch)


def test_fair_share_queue_needs_share_identifier(batch: Any) -> None:
    create_env(batch)
    policy = batch.create_scheduling_policy(name="fs", fairsharePolicy={"shareDecaySeconds": 0})
    sagemaker_queue(batch, schedulingPolicyArn=policy["arn"])
    with pytest.raises(batch.exceptions.ClientException, match="shareIdentifier: is required"):
        submit(batch)
    job = submit(batch, shareIdentifier="teamA")
    assert batch.describe_service_job(jobId=job["jobId"])["shareIdentifier"] == "teamA"


def test_repeated_client_token_with_identical_request_is_rejected(batch: Any) -> None:
    create_env(batch)
    sagemaker_queue(batch)
    submit(batch, clientToken="tok")
    with pytest.raises(batch.exceptions.ClientException, match="clientToken"):
        submit(batch, clientToken="tok")
    submit(batch, "other", clientToken="tok")  # a different request with the same token


def test_list_service_jobs(mock: BatchMock, batch: Any) -> None:
    create_env(batch)
    sagemaker_queue(batch)
    ids = []
    for name in ("alpha", "Beta", "beta2"):
        ids.append(submit(batch, name)["jobId"])
        mock.advance(1)  # distinct createdAt values for the time filters

    def listed(**kwargs: Any) -> list[str]:
        return [j["jobName"] for j in batch.list_service_jobs(**kwargs)["jobSummaryList"]]

    assert listed(jobQueue="sq") == []  # only RUNNING jobs without a status or filter
    assert listed(jobQueue="sq", jobStatus="SUBMITTED") == ["beta2", "Beta", "alpha"]
    assert listed(filters=[{"name": "JOB_NAME", "values": ["beta*"]}]) == ["beta2", "Beta"]
    created = batch.describe_service_job(jobId=ids[1])["createdAt"]
    after = [{"name": "AFTER_CREATED_AT", "values": [str(created)]}]
    assert listed(jobQueue="sq", filters=after) == ["beta2"]
    before = [{"name": "BEFORE_CREATED_AT", "values": [str(created)]}]
    assert listed(jobQueue="sq", filters=before) == ["alpha"]
    with pytest.raises(batch.exceptions.ClientException, match="one filter"):
        listed(filters=after + before)
    pages = batch.get_paginator("list_service_jobs").paginate(
        jobQueue="sq", jobStatus="SUBMITTED", PaginationConfig={"PageSize": 2}
    )
    seen = [[j["jobId"] for j in p["jobSummaryList"]] for p in pages]
    assert seen == [ids[::-1][:2], ids[:1]]


@requires_operation("UpdateServiceJob")
def test_terminate_and_update(batch: Any) -> None:
    create_env(batch)
    sagemaker_queue(batch)
    job_id = submit(batch)["jobId"]
    out = batch.update_service_job(jobId=job_id, schedulingPriority=42)
    assert out["jobId"] == job_id
    assert batch.describe_service_job(jobId=job_id)["schedulingPriority"] == 42
    with pytest.raises(batch.exceptions.ClientException, match="schedulingPriority"):
        batch.update_service_job(jobId=job_id, schedulingPriority=PRIORITY_MAX + 1)
    batch.terminate_service_job(jobId=job_id, reason="no longer needed")
    found = batch.describe_service_job(jobId=job_id)
    assert (found["status"], found["statusReason"]) == ("FAILED", "no longer needed")
    assert found["isTerminated"] is True
    assert isinstance(found["stoppedAt"], int)
    batch.terminate_service_job(jobId=job_id, reason="again")  # finished: left alone
    assert batch.describe_service_job(jobId=job_id)["statusReason"] == "no longer needed"
    # a finished job's priority may still be set: no source says AWS refuses it
    batch.update_service_job(jobId=job_id, schedulingPriority=1)
    assert batch.describe_service_job(jobId=job_id)["schedulingPriority"] == 1
    failed = batch.list_service_jobs(jobQueue="sq", jobStatus="FAILED")["jobSummaryList"]
    assert [j["jobId"] for j in failed] == [job_id]


def test_unknown_service_job(batch: Any) -> None:
    calls = [
        lambda: batch.describe_service_job(jobId="nope"),
    ]
    if "UpdateServiceJob" in model().operation_names:  # not in older models
        calls.append(lambda: batch.update_service_job(jobId="nope", schedulingPriority=1))
    for call in calls:
        with pytest.raises(batch.exceptions.ClientException) as info:
            call()
        assert info.value.response["Error"]["Message"] == "ServiceJob nope not found."


def test_terminate_unknown_service_job_answers_200_by_default(batch: Any) -> None:
    # option unknown_service_job="accept": as TerminateJob of an unknown id (§21.2) and as the
    # model says TerminateServiceJobs treats ids it cannot find
    out = batch.terminate_service_job(jobId="nope", reason="r")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    out.pop("ResponseMetadata")
    assert out == {}
    with pytest.raises(batch.exceptions.ClientException) as info:
        batch.describe_service_job(jobId="nope")  # nothing was made
    assert info.value.response["Error"]["Message"] == "ServiceJob nope not found."


def test_terminate_unknown_service_job_refused_with_the_option() -> None:
    with mock_batch(unknown_service_job="refuse") as active:
        batch = active.client()
        with pytest.raises(batch.exceptions.ClientException) as info:
            batch.terminate_service_job(jobId="nope", reason="r")
        response = info.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert response["Error"] == {
            "Code": "ClientException",
            "Message": "ServiceJob nope not found.",
        }
