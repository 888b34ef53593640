"""Compute environments on Amazon ECS Managed Instances (botocore 1.44's ``ECS_MANAGED_INSTANCES``)
through boto3: what the model and the User Guide's "Compute environments / Job queues / Job
definitions on Amazon ECS Managed Instances" pages require and accept.

Every test skips, naming the reason, on a botocore whose Batch model lacks the enum values.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.support import error_of, executing_error_of, make_ce, requires_enum_value

pytestmark = [
    requires_enum_value("CRType", "ECS_MANAGED_INSTANCES"),
    requires_enum_value("PlatformCapability", "MANAGED_INSTANCES"),
]

ACCOUNT = "123456789012"
ARN = f"arn:aws:batch:us-east-1:{ACCOUNT}"
PROVIDER = {
    "infrastructureRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole",
    "instanceLaunchTemplate": {
        "ec2InstanceProfileArn": f"arn:aws:iam::{ACCOUNT}:instance-profile/ecsManagedInstances",
        "networkConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]},
    },
}
CONTAINER = {
    "name": "main",
    "image": "busybox",
    "command": ["echo", "hi"],
    "resourceRequirements": [
        {"type": "VCPU", "value": "1"},
        {"type": "MEMORY", "value": "512"},
    ],
}


@pytest.fixture
def mock() -> Any:
    with mock_batch(auto_advance=False) as active:
        yield active


@pytest.fixture
def batch(mock: BatchMock) -> Any:
    return mock.client()


def managed_instances_ce(batch: Any, name: str = "mi", **resources: Any) -> str:
    compute = {
        "type": "ECS_MANAGED_INSTANCES",
        "maxvCpus": 64,
        "managedInstancesProvider": PROVIDER,
    }
    compute.update(resources)
    arn: str = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", computeResources=compute
    )["computeEnvironmentArn"]
    return arn


def spot_provider() -> dict[str, Any]:
    provider = copy.deepcopy(PROVIDER)
    provider["instanceLaunchTemplate"]["capacityOptionType"] = "SPOT"
    return provider


def register(batch: Any, name: str = "mijd", **kwargs: Any) -> str:
    kwargs.setdefault("platformCapabilities", ["MANAGED_INSTANCES"])
    kwargs.setdefault("ecsProperties", {"taskProperties": [{"containers": [CONTAINER]}]})
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    arn: str = batch.register_job_definition(jobDefinitionName=name, type="container", **kwargs)[
        "jobDefinitionArn"
    ]
    return arn


# -- compute environments ----
def test_created_without_subnets_and_described_as_given(batch: Any) -> None:
    # [model] subnets are required for EC2, SPOT, FARGATE and FARGATE_SPOT only; networking lives
    # in the provider [docs]
    arn = managed_instances_ce(batch, capacityTags={"team": "a"})
    (found,) = batch.describe_compute_environments()["computeEnvironments"]
    uuid = found["uuid"]
    assert found == {
        "computeEnvironmentName": "mi",
        "computeEnvironmentArn": arn,
        "ecsClusterArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/mi_Batch_{uuid}",
        "tags": {},
        "type": "MANAGED",
        "state": "ENABLED",
        "status": "VALID",
        "statusReason": "ComputeEnvironment Healthy",
        "computeResources": {
            "type": "ECS_MANAGED_INSTANCES",
            "maxvCpus": 64,
            "managedInstancesProvider": PROVIDER,
            "capacityTags": {"team": "a"},
        },
        "serviceRole": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/batch.amazonaws.com/"
        "AWSServiceRoleForBatch",
        "containerOrchestrationType": "ECS",
        "uuid": uuid,
    }


def test_refusals_name_the_member_and_the_rule(batch: Any) -> None:
    def create(name: str, compute: dict[str, Any]) -> str:
        return error_of(
            batch.create_compute_environment,
            computeEnvironmentName=name,
            type="MANAGED",
            computeResources=compute,
        )

    # [model] managedInstancesProvider "is required when computeResources.type is
    # ECS_MANAGED_INSTANCES"
    assert create("a", {"type": "ECS_MANAGED_INSTANCES", "maxvCpus": 8}) == (
        "computeResources.managedInstancesProvider is required for ECS_MANAGED_INSTANCES compute "
        "environments"
    )
    # [model] ... "and must not be specified for other compute environment types"
    ec2 = {
        "type": "EC2",
        "maxvCpus": 8,
        "subnets": ["subnet-1"],
        "instanceRole": "ecsInstanceRole",
    }
    assert create("b", {**ec2, "managedInstancesProvider": PROVIDER}) == (
        "computeResources.managedInstancesProvider is only valid for ECS_MANAGED_INSTANCES "
        "compute environments, not EC2"
    )
    # [model] capacityTags "is only valid for ECS_MANAGED_INSTANCES compute environments"
    assert create("c", {**ec2, "capacityTags": {"a": "b"}}) == (
        "computeResources.capacityTags is only valid for ECS_MANAGED_INSTANCES compute "
        "environments, not EC2"
    )
    assert batch.describe_compute_environments()["computeEnvironments"] == []


def test_type_cannot_change_to_or_from_managed_instances(batch: Any) -> None:
    # [model] ComputeResourceUpdate.type: "You cannot change the type to or from
    # ECS_MANAGED_INSTANCES"
    managed_instances_ce(batch)
    make_ce(batch, name="ec2")
    assert error_of(
        batch.update_compute_environment, computeEnvironment="mi", computeResources={"type": "EC2"}
    ) == (
        "computeResources.type cannot change from ECS_MANAGED_INSTANCES to EC2: a compute "
        "environment cannot change to or from ECS_MANAGED_INSTANCES"
    )
    assert error_of(
        batch.update_compute_environment,
        computeEnvironment="ec2",
        computeResources={"type": "ECS_MANAGED_INSTANCES"},
    ) == (
        "computeResources.type cannot change from EC2 to ECS_MANAGED_INSTANCES: a compute "
        "environment cannot change to or from ECS_MANAGED_INSTANCES"
    )


def test_update_merges_the_provider_and_changes_max_vcpus(batch: Any) -> None:
    managed_instances_ce(batch)
    batch.update_compute_environment(
        computeEnvironment="mi",
        computeResources={
            "maxvCpus": 128,
            "managedInstancesProvider": {
                "instanceLaunchTemplate": {"storageConfiguration": {"storageSizeGiB": 100}}
            },
        },
    )
    (found,) = batch.describe_compute_environments()["computeEnvironments"]
    expected = copy.deepcopy(PROVIDER)
    expected["instanceLaunchTemplate"]["storageConfiguration"] = {"storageSizeGiB": 100}
    assert found["computeResources"] == {
        "type": "ECS_MANAGED_INSTANCES",
        "maxvCpus": 128,
        "managedInstancesProvider": expected,
    }
    assert found["status"] == "VALID"


# -- job queues ----
def test_queue_type_and_no_mixing(batch: Any) -> None:
    managed_instances_ce(batch)
    make_ce(batch, name="ec2")
    arn = batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "mi"}],
    )["jobQueueArn"]
    (queue,) = batch.describe_job_queues()["jobQueues"]
    assert queue == {
        "jobQueueName": "q",
        "jobQueueArn": arn,
        "state": "ENABLED",
        "status": "VALID",
        "statusReason": "JobQueue Healthy",
        "priority": 1,
        "computeEnvironmentOrder": [
            {"order": 1, "computeEnvironment": f"{ARN}:compute-environment/mi"}
        ],
        "jobQueueType": "ECS_MANAGED_INSTANCES",
        "tags": {},
        "jobStateTimeLimitActions": [],
    }
    # [docs: Job queues on Amazon ECS Managed Instances]
    assert error_of(
        batch.create_job_queue,
        jobQueueName="mixed",
        priority=1,
        computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "mi"},
            {"order": 2, "computeEnvironment": "ec2"},
        ],
    ) == (
        "computeEnvironmentOrder: ECS_MANAGED_INSTANCES compute environments can't be mixed with "
        "EC2 or Fargate compute environments in one job queue"
    )


def test_spot_cannot_come_before_on_demand(batch: Any) -> None:
    # [docs: Job queues on Amazon ECS Managed Instances]
    managed_instances_ce(batch, name="od")
    managed_instances_ce(batch, name="spot", managedInstancesProvider=spot_provider())
    assert error_of(
        batch.create_job_queue,
        jobQueueName="bad",
        priority=1,
        computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "spot"},
            {"order": 2, "computeEnvironment": "od"},
        ],
    ) == (
        "computeEnvironmentOrder: Spot compute environment spot can't be ordered before "
        "On-Demand compute environment od in an ECS_MANAGED_INSTANCES job queue"
    )
    batch.create_job_queue(
        jobQueueName="good",
        priority=1,
        computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "od"},
            {"order": 2, "computeEnvironment": "spot"},
        ],
    )
    assert [q["jobQueueName"] for q in batch.describe_job_queues()["jobQueues"]] == ["good"]


# -- job definitions and jobs ----
def test_definition_rules_of_the_model(batch: Any) -> None:
    def refused(**kwargs: Any) -> str:
        return executing_error_of(register, batch, "bad", **kwargs)

    # [model] RegisterJobDefinition.platformCapabilities: MANAGED_INSTANCES "must use
    # ecsProperties (not containerProperties)"
    container = {k: v for k, v in CONTAINER.items() if k != "name"}
    assert refused(ecsProperties=None, containerProperties=container) == (
        "containerProperties: can't be used with platformCapabilities MANAGED_INSTANCES; use "
        "ecsProperties"
    )
    # [model] EcsTaskProperties.networkMode: "Valid values: host"; "cannot be specified for
    # Fargate or Amazon EC2 platform job definitions"
    task = {"containers": [CONTAINER], "networkMode": "bridge"}
    assert refused(ecsProperties={"taskProperties": [task]}) == (
        "ecsProperties.taskProperties[0].networkMode: must be host, got 'bridge'"
    )
    task = {"containers": [CONTAINER], "networkMode": "host"}
    assert refused(platformCapabilities=["EC2"], ecsProperties={"taskProperties": [task]}) == (
        "ecsProperties.taskProperties[0].networkMode: only applies to platformCapabilities "
        "MANAGED_INSTANCES, got EC2"
    )
    # [model] ... "and do not support multi-node parallel jobs"
    ranges = [
        {"targetNodes": "0:1", "ecsProperties": {"taskProperties": [{"containers": [CONTAINER]}]}}
    ]
    assert executing_error_of(
        batch.register_job_definition,
        jobDefinitionName="bad",
        type="multinode",
        platformCapabilities=["MANAGED_INSTANCES"],
        nodeProperties={"numNodes": 2, "mainNode": 0, "nodeRangeProperties": ranges},
    ) == (
        "type: multi-node parallel job definitions (type multinode) don't support "
        "platformCapabilities MANAGED_INSTANCES"
    )
    assert batch.describe_job_definitions()["jobDefinitions"] == []


def test_job_runs_on_managed_instances_and_shows_host_network_mode(
    mock: BatchMock, batch: Any
) -> None:
    managed_instances_ce(batch)
    batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "mi"}],
    )
    register(batch)
    job_id = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="mijd")["jobId"]
    mock.run_until_idle()
    (job,) = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert job["status"] == "SUCCEEDED"
    assert job["platformCapabilities"] == ["MANAGED_INSTANCES"]
    (task,) = job["ecsProperties"]["taskProperties"]
    # [model] EcsTaskDetails.networkMode: "always returns host" on ECS Managed Instances
    assert task["networkMode"] == "host"
    assert task["taskArn"].startswith(f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/mi_Batch_")
    assert task["containerInstanceArn"].startswith(
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:container-instance/mi_Batch_"
    )


def test_platform_mismatch_is_refused_at_submit(batch: Any) -> None:
    # §21.3's text, with the definition's capability (by analogy for MANAGED_INSTANCES)
    managed_instances_ce(batch)
    make_ce(batch, name="ec2")
    for name, ce in (("miq", "mi"), ("ec2q", "ec2")):
        batch.create_job_queue(
            jobQueueName=name,
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
        )
    register(batch)
    register(batch, "ec2jd", platformCapabilities=[])

    def submit(queue: str, definition: str) -> str:
        return error_of(batch.submit_job, jobName="j", jobQueue=queue, jobDefinition=definition)

    assert submit("ec2q", "mijd") == (
        "Job Queue is attached to Compute Environment that can not run Jobs with capability "
        "MANAGED_INSTANCES"
    )
    assert submit("miq", "ec2jd") == (
        "Job Queue is attached to Compute Environment that can not run Jobs with capability EC2"
    )
