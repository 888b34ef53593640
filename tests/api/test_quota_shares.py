"""Quota shares through boto3 (reference §18.6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import make_ce, make_queue, requires_operation

pytestmark = requires_operation(
    "CreateQuotaShare",
    "DescribeQuotaShare",
    "ListQuotaShares",
    "UpdateQuotaShare",
    "DeleteQuotaShare",
)

QUEUE_ARN = "arn:aws:batch:us-east-1:123456789012:job-queue/sq"
LIMITS = [{"maxCapacity": 4, "capacityUnit": "ml.m5.large"}]
SHARING = {"strategy": "RESERVE"}
PREEMPTION = {"inSharePreemption": "DISABLED"}


@pytest.fixture
def queue(batch: Any) -> str:
    """A SageMaker queue with a quota-share scheduling policy."""
    batch.create_service_environment(
        serviceEnvironmentName="se",
        serviceEnvironmentType="SAGEMAKER_TRAINING",
        capacityLimits=[{"maxCapacity": 10, "capacityUnit": "ml.m5.large"}],
    )
    policy = batch.create_scheduling_policy(
        name="qp", quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"}
    )
    arn: str = batch.create_job_queue(
        jobQueueName="sq",
        priority=1,
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "se"}],
        jobQueueType="SAGEMAKER_TRAINING",
        schedulingPolicyArn=policy["arn"],
    )["jobQueueArn"]
    return arn


def create(batch: Any, name: str = "share", queue: str = "sq", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("capacityLimits", LIMITS)
    kwargs.setdefault("resourceSharingConfiguration", SHARING)
    kwargs.setdefault("preemptionConfiguration", PREEMPTION)
    result: dict[str, Any] = batch.create_quota_share(quotaShareName=name, jobQueue=queue, **kwargs)
    return result


def listed(batch: Any, queue: str = "sq", **kwargs: Any) -> list[str]:
    found = batch.list_quota_shares(jobQueue=queue, **kwargs)["quotaShares"]
    return [s["quotaShareName"] for s in found]


def test_create_and_describe(batch: Any, queue: str) -> None:
    out = create(batch, tags={"a": "b"})
    assert out["quotaShareArn"] == f"{QUEUE_ARN}/quota-share/share"
    found = batch.describe_quota_share(quotaShareArn=out["quotaShareArn"])
    found.pop("ResponseMetadata")
    assert found == {
        "quotaShareName": "share",
        "quotaShareArn": f"{QUEUE_ARN}/quota-share/share",
        "jobQueueArn": QUEUE_ARN,
        "capacityLimits": LIMITS,
        "resourceSharingConfiguration": SHARING,
        "preemptionConfiguration": PREEMPTION,
        "state": "ENABLED",
        "status": "VALID",
        "tags": {"a": "b"},
    }
    assert batch.list_tags_for_resource(resourceArn=out["quotaShareArn"])["tags"] == {"a": "b"}


def test_borrow_limit_defaults_to_unlimited(batch: Any, queue: str) -> None:
    arn = create(batch, resourceSharingConfiguration={"strategy": "LEND_AND_BORROW"})[
        "quotaShareArn"
    ]
    found = batch.describe_quota_share(quotaShareArn=arn)["resourceSharingConfiguration"]
    assert found == {"strategy": "LEND_AND_BORROW", "borrowLimit": -1}


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"resourceSharingConfiguration": {"strategy": "LEND", "borrowLimit": 50}}, "borrowLimit"),
        (
            {"resourceSharingConfiguration": {"strategy": "LEND_AND_BORROW", "borrowLimit": -5}},
            "borrowLimit",
        ),
        ({"resourceSharingConfiguration": {"strategy": "SHARE"}}, "strategy"),
        ({"preemptionConfiguration": {"inSharePreemption": "MAYBE"}}, "inSharePreemption"),
        ({"state": "PAUSED"}, "state"),
        ({"name": "bad name"}, "quotaShareName"),
        ({"queue": "ghost"}, "ghost"),
    ],
)
def test_create_rules(batch: Any, queue: str, kwargs: dict[str, Any], text: str) -> None:
    with pytest.raises(batch.exceptions.ClientException, match=text):
        create(batch, **kwargs)
    assert listed(batch) == []


@pytest.mark.parametrize(
    "limits",
    [[], [{"maxCapacity": 0, "capacityUnit": "ml.m5.large"}], LIMITS * 2],
    ids=["none", "zero", "unit-twice"],
)
def test_capacity_limits_the_model_does_not_restrict_are_stored_as_given(
    batch: Any, queue: str, limits: list[dict[str, Any]]
) -> None:
    # issue 10 audit: the model sets no count and no bound on maxCapacity; these were
    # [inferred] refusals
    arn = create(batch, capacityLimits=limits)["quotaShareArn"]
    found = batch.describe_quota_share(quotaShareArn=arn)
    found.pop("ResponseMetadata")
    assert found == {
        "quotaShareName": "share",
        "quotaShareArn": f"{QUEUE_ARN}/quota-share/share",
        "jobQueueArn": QUEUE_ARN,
        "capacityLimits": limits,
        "resourceSharingConfiguration": SHARING,
        "preemptionConfiguration": PREEMPTION,
        "state": "ENABLED",
        "status": "VALID",
    }


def test_names_are_unique_per_queue_and_limited_to_20(batch: Any, queue: str) -> None:
    create(batch)
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        create(batch)
    for index in range(19):
        create(batch, f"s{index:02d}")
    with pytest.raises(batch.exceptions.ClientException, match="at most 20"):
        create(batch, "one-too-many")
    assert len(listed(batch)) == 20


def test_queue_must_have_a_quota_share_policy(batch: Any) -> None:
    make_ce(batch)
    make_queue(batch)
    with pytest.raises(batch.exceptions.ClientException, match="quota share scheduling policy"):
        create(batch, queue="q")


def test_update_replaces_given_members(batch: Any, queue: str) -> None:
    arn = create(batch)["quotaShareArn"]
    new_limits = [{"maxCapacity": 8, "capacityUnit": "ml.p3.2xlarge"}]
    out = batch.update_quota_share(
        quotaShareArn=arn,
        capacityLimits=new_limits,
        resourceSharingConfiguration={"strategy": "LEND_AND_BORROW", "borrowLimit": 200},
        state="DISABLED",
    )
    assert out["quotaShareArn"] == arn
    found = batch.describe_quota_share(quotaShareArn=arn)
    assert found["capacityLimits"] == new_limits
    assert found["resourceSharingConfiguration"] == {
        "strategy": "LEND_AND_BORROW",
        "borrowLimit": 200,
    }
    assert found["preemptionConfiguration"] == PREEMPTION
    assert found["state"] == "DISABLED"
    with pytest.raises(batch.exceptions.ClientException, match="borrowLimit"):
        batch.update_quota_share(
            quotaShareArn=arn,
            resourceSharingConfiguration={"strategy": "RESERVE", "borrowLimit": 1},
            state="ENABLED",
        )
    assert batch.describe_quota_share(quotaShareArn=arn)["state"] == "DISABLED"


def test_delete_needs_disabled_and_terminates_service_jobs(batch: Any, queue: str) -> None:
    arn = create(batch)["quotaShareArn"]
    job = batch.submit_service_job(
        jobName="t",
        jobQueue="sq",
        serviceJobType="SAGEMAKER_TRAINING",
        serviceRequestPayload=json.dumps({}),
        quotaShareName="share",
    )
    with pytest.raises(batch.exceptions.ClientException, match="ENABLED"):
        batch.delete_quota_share(quotaShareArn=arn)
    batch.update_quota_share(quotaShareArn=arn, state="DISABLED")
    batch.delete_quota_share(quotaShareArn=arn)
    assert listed(batch) == []
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.describe_quota_share(quotaShareArn=arn)
    found = batch.describe_service_job(jobId=job["jobId"])
    assert found["status"] == "FAILED"
    assert "share" in found["statusReason"]


def test_service_jobs_need_an_enabled_existing_share(batch: Any, queue: str) -> None:
    arn = create(batch)["quotaShareArn"]

    def submit(**kwargs: Any) -> None:
        batch.submit_service_job(
            jobName="t",
            jobQueue="sq",
            serviceJobType="SAGEMAKER_TRAINING",
            serviceRequestPayload="{}",
            **kwargs,
        )

    with pytest.raises(batch.exceptions.ClientException, match="quotaShareName: is required"):
        submit()
    with pytest.raises(batch.exceptions.ClientException, match="no quota share named"):
        submit(quotaShareName="other")
    batch.update_quota_share(quotaShareArn=arn, state="DISABLED")
    with pytest.raises(batch.exceptions.ClientException, match="DISABLED"):
        submit(quotaShareName="share")


def test_list_by_queue_with_pages(batch: Any, queue: str) -> None:
    for name in ("c", "a", "b"):
        create(batch, name)
    assert listed(batch, QUEUE_ARN) == ["a", "b", "c"]
    summary = batch.list_quota_shares(jobQueue="sq")["quotaShares"][0]
    assert "tags" not in summary
    pages = batch.get_paginator("list_quota_shares").paginate(
        jobQueue="sq", PaginationConfig={"PageSize": 2}
    )
    assert [[s["quotaShareName"] for s in p["quotaShares"]] for p in pages] == [["a", "b"], ["c"]]
    with pytest.raises(batch.exceptions.ClientException, match="ghost"):
        listed(batch, "ghost")


def test_deleting_the_queue_deletes_its_shares(batch: Any, queue: str) -> None:
    arn = create(batch)["quotaShareArn"]
    batch.update_job_queue(jobQueue="sq", state="DISABLED")
    batch.delete_job_queue(jobQueue="sq")
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.describe_quota_share(quotaShareArn=arn)
