"""Job queues through boto3: create, describe, update, delete, snapshot (reference §12, §14.9)."""

from __future__ import annotations

from typing import Any

from tests.support import documented_number, error_of

ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:batch:{REGION}:{ACCOUNT}"


def make_ce(batch: Any, name: str = "ce", kind: str = "FARGATE", **extra: Any) -> str:
    resources: dict[str, Any] = {
        "type": kind,
        "maxvCpus": 16,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
    }
    if kind in ("EC2", "SPOT"):
        resources.update(
            instanceRole="ecsInstanceRole",
            instanceTypes=["optimal"],
            allocationStrategy="BEST_FIT_PROGRESSIVE",
        )
    resources.update(extra.pop("computeResources", {}))
    arn: str = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", computeResources=resources, **extra
    )["computeEnvironmentArn"]
    return arn


def order(*names: str) -> list[dict[str, Any]]:
    return [{"order": i + 1, "computeEnvironment": n} for i, n in enumerate(names)]


def create(
    batch: Any, name: str = "q", ces: tuple[str, ...] = ("ce",), priority: int = 1, **kwargs: Any
) -> dict[str, Any]:
    result: dict[str, Any] = batch.create_job_queue(
        jobQueueName=name, priority=priority, computeEnvironmentOrder=order(*ces), **kwargs
    )
    return result


def describe(batch: Any, name: str = "q") -> dict[str, Any]:
    found = batch.describe_job_queues(jobQueues=[name])["jobQueues"]
    assert len(found) == 1
    detail: dict[str, Any] = found[0]
    return detail


def policy(batch: Any, name: str = "fs", **body: Any) -> str:
    if not body:
        body = {"fairsharePolicy": {"shareDecaySeconds": 60}}
    arn: str = batch.create_scheduling_policy(name=name, **body)["arn"]
    return arn


TLA = {
    "reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
    "state": "RUNNABLE",
    "maxTimeSeconds": 600,
    "action": "CANCEL",
}


# -- create and describe ------------------------------------------------------------------------
def test_create_and_describe(batch: Any) -> None:
    make_ce(batch)
    out = create(batch, priority=7)
    assert out == {
        "jobQueueName": "q",
        "jobQueueArn": f"{PREFIX}:job-queue/q",
        "ResponseMetadata": out["ResponseMetadata"],
    }
    detail = describe(batch)
    assert detail["jobQueueArn"] == f"{PREFIX}:job-queue/q"
    assert detail["priority"] == 7
    assert detail["state"] == "ENABLED"
    assert detail["status"] == "VALID"
    assert detail["statusReason"] == "JobQueue Healthy"
    assert detail["jobQueueType"] == "ECS_FARGATE"
    # computeEnvironmentOrder names CEs by full ARN even when created by name (§3.7)
    assert detail["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": f"{PREFIX}:compute-environment/ce"}
    ]
    # §21.1 [LOG]: tags and jobStateTimeLimitActions are always shown
    assert (detail["tags"], detail["jobStateTimeLimitActions"]) == ({}, [])
    for member in ("schedulingPolicyArn", "serviceEnvironmentOrder"):
        assert member not in detail


def test_orders_as_given_and_ce_given_by_arn(batch: Any) -> None:
    a = make_ce(batch, "a", "EC2")
    make_ce(batch, "b", "SPOT", computeResources={"allocationStrategy": "SPOT_CAPACITY_OPTIMIZED"})
    batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[
            {"order": 5, "computeEnvironment": "b"},
            {"order": 2, "computeEnvironment": a},
        ],
    )
    detail = describe(batch)
    assert detail["jobQueueType"] == "ECS"
    # §21.1 [TF _ComputeEnvironmentOrder_multiple]: in the order given, not sorted
    assert detail["computeEnvironmentOrder"] == [
        {"order": 5, "computeEnvironment": f"{PREFIX}:compute-environment/b"},
        {"order": 2, "computeEnvironment": a},
    ]


def test_eks_queue_type(batch: Any) -> None:
    make_ce(
        batch,
        "ce",
        "EC2",
        eksConfiguration={
            "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
            "kubernetesNamespace": "ns",
        },
    )
    create(batch)
    assert describe(batch)["jobQueueType"] == "EKS"


def test_queue_type_must_match_environments(batch: Any) -> None:
    make_ce(batch)
    message = error_of(create, batch, jobQueueType="ECS")
    assert message == "jobQueueType ECS does not match the attached environments (type ECS_FARGATE)"
    create(batch, jobQueueType="ECS_FARGATE")


def test_disabled_at_creation(batch: Any) -> None:
    make_ce(batch)
    create(batch, state="DISABLED")
    assert describe(batch)["state"] == "DISABLED"


def test_tags_at_creation(batch: Any) -> None:
    make_ce(batch)
    arn = create(batch, tags={"a": "1"})["jobQueueArn"]
    assert describe(batch)["tags"] == {"a": "1"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1"}


# -- computeEnvironmentOrder rules (§12.2, §12.3) -------------------------------------------------
def test_needs_an_environment(batch: Any) -> None:
    message = error_of(batch.create_job_queue, jobQueueName="q", priority=1)
    assert message == "Either computeEnvironmentOrder or serviceEnvironmentOrder is required"


def test_at_most_three_environments(batch: Any) -> None:
    for name in "abcd":
        make_ce(batch, name)
    message = error_of(create, batch, ces=("a", "b", "c", "d"))
    assert message == (
        "computeEnvironmentOrder must contain between 1 and 3 compute environments, got 4"
    )
    create(batch, ces=("a", "b", "c"))
    assert len(describe(batch)["computeEnvironmentOrder"]) == 3


def test_shared_orders_and_a_repeated_environment_are_accepted(batch: Any) -> None:
    # no source says AWS refuses them (the uniqueness rule was [inferred]; issue 10 audit)
    arn = make_ce(batch, "a")
    make_ce(batch, "b")
    order = [
        {"order": 1, "computeEnvironment": "a"},
        {"order": 1, "computeEnvironment": "b"},
        {"order": 2, "computeEnvironment": arn},
    ]
    batch.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=order)
    assert describe(batch)["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": arn},
        {"order": 1, "computeEnvironment": f"{PREFIX}:compute-environment/b"},
        {"order": 2, "computeEnvironment": arn},
    ]


def test_unknown_environment(batch: Any) -> None:
    message = error_of(create, batch, ces=("ghost",))
    assert message == "computeEnvironmentOrder: compute environment ghost does not exist"


def test_environment_of_another_region_is_unknown(batch: Any) -> None:
    make_ce(batch)
    ref = "arn:aws:batch:eu-west-1:123456789012:compute-environment/ce"
    message = error_of(create, batch, ces=(ref,))
    assert message == f"computeEnvironmentOrder: compute environment {ref} does not exist"


def test_no_mixing_ec2_and_fargate(batch: Any) -> None:
    make_ce(batch, "ec2", "EC2")
    make_ce(batch, "fg", "FARGATE_SPOT")
    message = error_of(create, batch, ces=("ec2", "fg"))
    assert message == (
        "computeEnvironmentOrder: EC2 (EC2 or SPOT) and Fargate (FARGATE or FARGATE_SPOT) compute "
        "environments can't be mixed in one job queue"
    )


def test_no_mixing_architectures(batch: Any) -> None:
    make_ce(batch, "x86", "EC2", computeResources={"instanceTypes": ["c5.large"]})
    make_ce(batch, "arm", "EC2", computeResources={"instanceTypes": ["c7g", "m6gd.large"]})
    message = error_of(create, batch, ces=("x86", "arm"))
    assert message == (
        "computeEnvironmentOrder: compute environments with different architectures (ARM64, "
        "X86_64) can't be mixed in one job queue"
    )


def test_no_mixing_ecs_and_eks(batch: Any) -> None:
    make_ce(batch, "ecs", "EC2")
    make_ce(
        batch,
        "eks",
        "EC2",
        eksConfiguration={
            "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
            "kubernetesNamespace": "ns",
        },
    )
    message = error_of(create, batch, ces=("ecs", "eks"))
    assert message == (
        "computeEnvironmentOrder: ECS and EKS compute environments can't be mixed in one job queue"
    )


def test_environment_must_be_valid(mock: Any, batch: Any) -> None:
    make_ce(batch)
    mock.backend().compute_environments["ce"].status = "INVALID"
    message = error_of(create, batch)
    assert message == (
        "computeEnvironmentOrder: compute environment ce is not VALID (status INVALID)"
    )


def test_unmanaged_environment_counts_as_ec2(batch: Any) -> None:
    batch.create_compute_environment(computeEnvironmentName="u", type="UNMANAGED")
    make_ce(batch, "fg")
    assert error_of(create, batch, ces=("u", "fg")) == (
        "computeEnvironmentOrder: EC2 (EC2 or SPOT) and Fargate (FARGATE or FARGATE_SPOT) compute "
        "environments can't be mixed in one job queue"
    )
    create(batch, ces=("u",))
    assert describe(batch)["jobQueueType"] == "ECS"


# -- names, quota, listing ------------------------------------------------------------------------
def test_name_in_use(batch: Any) -> None:
    make_ce(batch)
    create(batch)
    assert error_of(create, batch) == "Object already exists"


def test_invalid_name(batch: Any) -> None:
    make_ce(batch)
    message = error_of(create, batch, "bad name")
    limit = documented_number("CreateJobQueue", "jobQueueName")
    assert message.startswith(f"jobQueueName must be 1-{limit} characters")


def test_quota_of_fifty(batch: Any) -> None:
    make_ce(batch)
    for i in range(50):
        create(batch, f"q{i}")
    assert error_of(create, batch, "q50") == "Maximum number of job queues (50) reached"


def test_describe_everything_sorted_by_name(batch: Any) -> None:
    make_ce(batch)
    for name in ("c", "a", "b"):
        create(batch, name)
    queues = batch.describe_job_queues()["jobQueues"]
    assert [q["jobQueueName"] for q in queues] == ["a", "b", "c"]


def test_describe_by_name_and_arn_drops_unknown(batch: Any) -> None:
    make_ce(batch)
    arn = create(batch, "a")["jobQueueArn"]
    create(batch, "b")
    queues = batch.describe_job_queues(jobQueues=["b", "ghost", arn])["jobQueues"]
    assert [q["jobQueueName"] for q in queues] == ["b", "a"]
