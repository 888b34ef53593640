"""Job queues through boto3: policies, time limits, update, delete, snapshot (§12.6-12.10)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_job_queues import (
    PREFIX,
    TLA,
    create,
    describe,
    error_of,
    make_ce,
    order,
    policy,
)
from tests.support import has_member, make_env, requires_member


# -- scheduling policy (§12.6) --------------------------------------------------------------------
def test_scheduling_policy_at_creation(batch: Any) -> None:
    make_ce(batch)
    arn = policy(batch)
    create(batch, schedulingPolicyArn=arn)
    assert describe(batch)["schedulingPolicyArn"] == arn


def test_unknown_scheduling_policy(batch: Any) -> None:
    make_ce(batch)
    ghost = f"{PREFIX}:scheduling-policy/ghost"
    message = error_of(create, batch, schedulingPolicyArn=ghost)
    assert message == f"schedulingPolicyArn: scheduling policy {ghost} does not exist"


def test_policy_can_be_replaced_not_removed(batch: Any) -> None:
    make_ce(batch)
    first, second = policy(batch, "one"), policy(batch, "two")
    create(batch, schedulingPolicyArn=first)
    batch.update_job_queue(jobQueue="q", schedulingPolicyArn=second)
    assert describe(batch)["schedulingPolicyArn"] == second
    message = error_of(batch.update_job_queue, jobQueue="q", schedulingPolicyArn="")
    assert message == (
        "schedulingPolicyArn: the scheduling policy of a job queue can be replaced but not removed"
    )
    assert describe(batch)["schedulingPolicyArn"] == second


def test_fifo_queue_never_gains_a_policy(batch: Any) -> None:
    make_ce(batch)
    create(batch)
    message = error_of(batch.update_job_queue, jobQueue="q", schedulingPolicyArn=policy(batch))
    assert message == (
        "schedulingPolicyArn: job queue q was created without a scheduling policy (FIFO) and "
        "can't gain one"
    )


@requires_member("SchedulingPolicyDetail", "quotaSharePolicy")
def test_policy_kind_stays(batch: Any) -> None:
    make_ce(batch)
    create(batch, schedulingPolicyArn=policy(batch))
    quota = policy(batch, "qs", quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"})
    message = error_of(batch.update_job_queue, jobQueue="q", schedulingPolicyArn=quota)
    assert message == (
        "schedulingPolicyArn: a fairsharePolicy policy can only be replaced by another "
        "fairsharePolicy policy"
    )


# -- jobStateTimeLimitActions (§12.7) -------------------------------------------------------------
def test_time_limit_actions_echoed(batch: Any) -> None:
    make_ce(batch)
    create(batch, jobStateTimeLimitActions=[TLA])
    assert describe(batch)["jobStateTimeLimitActions"] == [TLA]
    batch.update_job_queue(jobQueue="q", jobStateTimeLimitActions=[])
    assert describe(batch)["jobStateTimeLimitActions"] == []  # §21.1 [LOG]


@pytest.mark.parametrize("seconds", [599, 86401])
def test_time_limit_range(batch: Any, seconds: int) -> None:
    make_ce(batch)
    message = error_of(create, batch, jobStateTimeLimitActions=[{**TLA, "maxTimeSeconds": seconds}])
    assert message == (
        f"jobStateTimeLimitActions[0].maxTimeSeconds must be between 600 and 86400, got {seconds}"
    )


def test_terminate_is_for_sagemaker_queues(batch: Any) -> None:
    make_ce(batch)
    message = error_of(create, batch, jobStateTimeLimitActions=[{**TLA, "action": "TERMINATE"}])
    assert message == (
        "jobStateTimeLimitActions[0].action must be CANCEL for a ECS_FARGATE job queue, got "
        "TERMINATE"
    )


def test_time_limit_reason_may_be_empty(batch: Any) -> None:
    # the model requires the member, nothing more: no source refuses "" (issue 10 audit)
    make_ce(batch)
    create(batch, jobStateTimeLimitActions=[{**TLA, "reason": ""}])
    assert describe(batch)["jobStateTimeLimitActions"] == [{**TLA, "reason": ""}]


# -- update (§12.10) ------------------------------------------------------------------------------
def test_update_priority_state_and_order(batch: Any) -> None:
    make_ce(batch, "a")
    make_ce(batch, "b")
    create(batch, ces=("a",))
    out = batch.update_job_queue(
        jobQueue="q", priority=99, state="DISABLED", computeEnvironmentOrder=order("b", "a")
    )
    assert out["jobQueueArn"] == f"{PREFIX}:job-queue/q"
    detail = describe(batch)
    assert detail["priority"] == 99
    assert detail["state"] == "DISABLED"
    assert detail["status"] == "VALID"
    assert [
        e["computeEnvironment"].rsplit("/", 1)[1] for e in detail["computeEnvironmentOrder"]
    ] == ["b", "a"]


def test_update_can_detach_so_the_environment_can_go(batch: Any) -> None:
    make_ce(batch, "a")
    make_ce(batch, "b")
    create(batch, ces=("a",))
    batch.update_job_queue(jobQueue="q", computeEnvironmentOrder=order("b"))
    batch.update_compute_environment(computeEnvironment="a", state="DISABLED")
    batch.delete_compute_environment(computeEnvironment="a")
    assert [
        c["computeEnvironmentName"]
        for c in batch.describe_compute_environments()["computeEnvironments"]
    ] == ["b"]


def test_rejected_update_changes_nothing(batch: Any) -> None:
    make_ce(batch)
    create(batch, priority=3)
    error_of(
        batch.update_job_queue,
        jobQueue="q",
        priority=10,
        state="DISABLED",
        computeEnvironmentOrder=order("ghost"),
    )
    detail = describe(batch)
    assert (detail["priority"], detail["state"]) == (3, "ENABLED")


def test_update_unknown_queue(batch: Any) -> None:
    message = error_of(batch.update_job_queue, jobQueue="ghost", priority=1)
    assert message == "JobQueue ghost not found."


def test_update_to_fargate_environment_changes_type(batch: Any) -> None:
    make_ce(batch, "ec2", "EC2")
    make_ce(batch, "fg")
    create(batch, ces=("ec2",))
    batch.update_job_queue(jobQueue="q", computeEnvironmentOrder=order("fg"))
    assert describe(batch)["jobQueueType"] == "ECS_FARGATE"


# -- delete (§12.9) -------------------------------------------------------------------------------
def test_delete_requires_disabled(batch: Any) -> None:
    make_ce(batch)
    create(batch)
    message = error_of(batch.delete_job_queue, jobQueue="q")
    assert message == "Cannot delete, job queue is ENABLED"


def test_delete_then_gone_and_name_reusable(batch: Any) -> None:
    make_ce(batch)
    arn = create(batch, tags={"x": "y"})["jobQueueArn"]
    batch.update_job_queue(jobQueue=arn, state="DISABLED")
    out = batch.delete_job_queue(jobQueue=arn)
    assert set(out) == {"ResponseMetadata"}
    assert batch.describe_job_queues()["jobQueues"] == []
    # CEs need not be detached first, and the CE is free once the queue is gone
    batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
    batch.update_compute_environment(computeEnvironment="ce", state="ENABLED")
    create(batch)
    assert describe(batch)["tags"] == {}  # the old tags went with the old queue


def test_delete_unknown_queue(batch: Any) -> None:
    assert error_of(batch.delete_job_queue, jobQueue="ghost") == "JobQueue ghost not found."


def test_policy_in_use_cannot_be_deleted_until_the_queue_goes(batch: Any) -> None:
    make_ce(batch)
    arn = policy(batch)
    create(batch, schedulingPolicyArn=arn)
    assert error_of(batch.delete_scheduling_policy, arn=arn) == (
        "Cannot delete, scheduling policy fs is used by job queue q"
    )
    assert [
        p["arn"] for p in batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"]
    ] == [arn]
    batch.update_job_queue(jobQueue="q", state="DISABLED")
    batch.delete_job_queue(jobQueue="q")
    batch.delete_scheduling_policy(arn=arn)
    assert batch.list_scheduling_policies()["schedulingPolicies"] == []


# -- snapshot (§14.9) -----------------------------------------------------------------------------
@requires_member("GetJobQueueSnapshotResponse", "queueUtilization")
def test_snapshot_of_an_idle_queue(batch: Any) -> None:
    make_ce(batch)
    create(batch)
    snap = batch.get_job_queue_snapshot(jobQueue="q")
    assert snap["frontOfQueue"]["jobs"] == []
    assert isinstance(snap["frontOfQueue"]["lastUpdatedAt"], int)
    assert snap["queueUtilization"]["totalCapacityUsage"] == [
        {"capacityUnit": "VCPU", "quantity": 0.0}
    ]
    assert "fairshareUtilization" not in snap["queueUtilization"]
    assert "frontOfQuotaShares" not in snap


def test_snapshot_of_unknown_queue(batch: Any) -> None:
    assert error_of(batch.get_job_queue_snapshot, jobQueue="ghost") == "JobQueue ghost not found."


@requires_member("GetJobQueueSnapshotResponse", "queueUtilization")
def test_snapshot_of_a_fair_share_queue_reports_shares(batch: Any) -> None:
    make_ce(batch)
    create(batch, schedulingPolicyArn=policy(batch))
    utilization = batch.get_job_queue_snapshot(jobQueue="q")["queueUtilization"]
    assert utilization["fairshareUtilization"] == {
        "activeShareCount": 0,
        "topCapacityUtilization": [],
    }


# -- SageMaker queues (§12.3) ---------------------------------------------------------------------
def make_service_env(batch: Any, name: str = "se") -> str:
    arn: str = batch.create_service_environment(
        serviceEnvironmentName=name,
        serviceEnvironmentType="SAGEMAKER_TRAINING",
        capacityLimits=[{"maxCapacity": 2, "capacityUnit": "NUM_INSTANCES"}],
    )["serviceEnvironmentArn"]
    return arn


def test_sagemaker_queue(batch: Any) -> None:
    arn = make_service_env(batch)
    batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "se"}],
        jobStateTimeLimitActions=[{**TLA, "action": "TERMINATE"}],
    )
    detail = describe(batch)
    assert detail["jobQueueType"] == "SAGEMAKER_TRAINING"
    assert detail["computeEnvironmentOrder"] == []
    assert detail["serviceEnvironmentOrder"] == [{"order": 1, "serviceEnvironment": arn}]
    message = error_of(batch.update_job_queue, jobQueue="q", computeEnvironmentOrder=order("x"))
    assert message == (
        "computeEnvironmentOrder cannot be set on a job queue of type SAGEMAKER_TRAINING"
    )
    message = error_of(batch.update_job_queue, jobQueue="q", jobStateTimeLimitActions=[TLA])
    assert message == (
        "jobStateTimeLimitActions[0].action must be TERMINATE for a SAGEMAKER_TRAINING job queue, "
        "got CANCEL"
    )


def test_sagemaker_queue_rules(batch: Any) -> None:
    make_ce(batch)
    make_service_env(batch, "a")
    make_service_env(batch, "b")
    both = error_of(
        batch.create_job_queue,
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=order("ce"),
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "a"}],
    )
    assert both == (
        "A job queue can't have both a serviceEnvironmentOrder and a computeEnvironmentOrder"
    )
    two = error_of(
        batch.create_job_queue,
        jobQueueName="q",
        priority=1,
        serviceEnvironmentOrder=[
            {"order": 1, "serviceEnvironment": "a"},
            {"order": 2, "serviceEnvironment": "b"},
        ],
    )
    assert two == "serviceEnvironmentOrder must contain exactly 1 service environment, got 2"
    ghost = error_of(
        batch.create_job_queue,
        jobQueueName="q",
        priority=1,
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "ghost"}],
    )
    assert ghost == "serviceEnvironmentOrder: service environment ghost does not exist"
    assert batch.describe_job_queues()["jobQueues"] == []


def test_snapshot_lists_runnable_jobs_in_dispatch_order(mock: Any, batch: Any) -> None:
    make_env(batch, max_vcpus=1)
    ids = [
        batch.submit_job(jobName=f"j{i}", jobQueue="q", jobDefinition="jd")["jobId"]
        for i in range(3)
    ]
    # one job fits the CE; the other two wait RUNNABLE behind it
    mock.advance(2.5)
    statuses = {j["jobId"]: j["status"] for j in batch.describe_jobs(jobs=ids)["jobs"]}
    assert statuses[ids[1]] == statuses[ids[2]] == "RUNNABLE"
    snap = batch.get_job_queue_snapshot(jobQueue="q")
    front = snap["frontOfQueue"]["jobs"]
    assert [j["jobArn"].rsplit("/", 1)[1] for j in front] == ids[1:]
    assert all(isinstance(j["earliestTimeAtPosition"], int) for j in front)
    if has_member("GetJobQueueSnapshotResponse", "queueUtilization"):
        assert snap["queueUtilization"]["totalCapacityUsage"] == [
            {"capacityUnit": "VCPU", "quantity": 1.0}
        ]
