"""Compute environments through boto3: create, describe, update, delete (reference §13)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import mock_batch
from batchmock.backend import compute_environments as ces
from batchmock.backend import compute_resources as crs

ACCOUNT = "123456789012"
REGION = "us-east-1"
SLR = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def fargate(**extra: Any) -> dict[str, Any]:
    resources = {
        "type": "FARGATE",
        "maxvCpus": 16,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
    }
    resources.update(extra)
    return resources


def ec2(**extra: Any) -> dict[str, Any]:
    resources = {
        "type": "EC2",
        "maxvCpus": 64,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
        "instanceRole": "ecsInstanceRole",
        "instanceTypes": ["optimal"],
    }
    resources.update(extra)
    return resources


def create(batch: Any, name: str = "ce", **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("type", "MANAGED")
    if kwargs["type"] == "MANAGED":
        kwargs.setdefault("computeResources", fargate())
    result: dict[str, Any] = batch.create_compute_environment(computeEnvironmentName=name, **kwargs)
    return result


def describe(batch: Any, name: str = "ce") -> dict[str, Any]:
    found = batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"]
    assert len(found) == 1
    detail: dict[str, Any] = found[0]
    return detail


def error_of(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = info.value.response["Error"]["Message"]
    return message


# -- create and describe ---------------------------------------------------------------------
def test_create_fargate_returns_name_and_arn(batch: Any) -> None:
    out = create(batch, "my-ce_1")
    assert out["computeEnvironmentName"] == "my-ce_1"
    assert out["computeEnvironmentArn"] == (
        f"arn:aws:batch:{REGION}:{ACCOUNT}:compute-environment/my-ce_1"
    )


def test_describe_shows_the_full_detail(batch: Any) -> None:
    create(batch)
    detail = describe(batch)
    assert detail["computeEnvironmentName"] == "ce"
    assert detail["type"] == "MANAGED"
    assert detail["state"] == "ENABLED"
    assert detail["status"] == "VALID"
    assert detail["statusReason"] == "ComputeEnvironment Healthy"
    assert detail["containerOrchestrationType"] == "ECS"
    assert detail["serviceRole"] == SLR
    assert re.fullmatch(UUID, detail["uuid"])
    assert detail["ecsClusterArn"] == (
        f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/ce_Batch_{detail['uuid']}"
    )
    assert detail["computeResources"] == fargate()
    # absent members are left out, never null
    for member in ("tags", "unmanagedvCpus", "eksConfiguration", "updatePolicy", "context"):
        assert member not in detail


def test_two_environments_get_distinct_uuids(batch: Any) -> None:
    create(batch, "a")
    create(batch, "b")
    assert describe(batch, "a")["uuid"] != describe(batch, "b")["uuid"]


def test_ec2_environment_reports_min_and_desired_vcpus(batch: Any) -> None:
    create(batch, computeResources=ec2())
    resources = describe(batch)["computeResources"]
    assert resources["minvCpus"] == 0
    assert resources["desiredvCpus"] == 0
    assert resources["instanceRole"] == "ecsInstanceRole"


def test_state_disabled_at_creation(batch: Any) -> None:
    create(batch, state="DISABLED")
    assert describe(batch)["state"] == "DISABLED"


def test_unmanaged_environment(batch: Any) -> None:
    create(batch, type="UNMANAGED", unmanagedvCpus=8)
    detail = describe(batch)
    assert detail["type"] == "UNMANAGED"
    assert detail["unmanagedvCpus"] == 8
    assert "computeResources" not in detail


def test_unmanaged_rejects_compute_resources(batch: Any) -> None:
    message = error_of(create, batch, type="UNMANAGED", computeResources=fargate())
    assert message == ces.MESSAGES["unmanaged_resources"]


def test_managed_requires_compute_resources(batch: Any) -> None:
    message = error_of(
        batch.create_compute_environment, computeEnvironmentName="ce", type="MANAGED"
    )
    assert message == ces.MESSAGES["managed_needs_resources"]


def test_unmanaged_vcpus_only_for_unmanaged(batch: Any) -> None:
    message = error_of(create, batch, unmanagedvCpus=4)
    assert message == ces.MESSAGES["unmanaged_vcpus"]


def test_custom_service_role_name_becomes_an_arn(batch: Any) -> None:
    create(batch, serviceRole="AWSBatchServiceRole")
    assert describe(batch)["serviceRole"] == f"arn:aws:iam::{ACCOUNT}:role/AWSBatchServiceRole"


def test_eks_environment(batch: Any) -> None:
    eks = {
        "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
        "kubernetesNamespace": "batch",
    }
    create(batch, computeResources=ec2(), eksConfiguration=eks)
    detail = describe(batch)
    assert detail["containerOrchestrationType"] == "EKS"
    assert detail["eksConfiguration"] == eks
    assert "ecsClusterArn" not in detail


def test_eks_does_not_take_fargate(batch: Any) -> None:
    eks = {
        "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
        "kubernetesNamespace": "batch",
    }
    message = error_of(create, batch, eksConfiguration=eks)
    assert message == crs.MESSAGES["eks_fargate"].format(type="FARGATE")


def test_at_most_five_environments_per_eks_cluster(batch: Any) -> None:
    eks = {
        "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
        "kubernetesNamespace": "batch",
    }
    for i in range(5):
        create(batch, f"ce{i}", computeResources=ec2(), eksConfiguration=eks)
    message = error_of(create, batch, "ce5", computeResources=ec2(), eksConfiguration=eks)
    assert "per Amazon EKS cluster (5)" in message


# -- computeResources rules (§13.2, §13.3) ----------------------------------------------------
def test_ec2_requires_instance_role(batch: Any) -> None:
    resources = ec2()
    del resources["instanceRole"]
    message = error_of(create, batch, computeResources=resources)
    assert message == crs.MESSAGES["required"].format(member="instanceRole", type="EC2")


@pytest.mark.parametrize("strategy", [None, "BEST_FIT"])
def test_spot_best_fit_requires_fleet_role(batch: Any, strategy: str | None) -> None:
    resources = ec2(type="SPOT")
    if strategy:
        resources["allocationStrategy"] = strategy
    message = error_of(create, batch, computeResources=resources)
    assert message == "ComputeResources.spotIamFleetRole cannot not be null or empty"


def test_spot_capacity_optimized_needs_no_fleet_role(batch: Any) -> None:
    create(batch, computeResources=ec2(type="SPOT", allocationStrategy="SPOT_CAPACITY_OPTIMIZED"))
    assert describe(batch)["computeResources"]["allocationStrategy"] == "SPOT_CAPACITY_OPTIMIZED"


def test_spot_strategies_need_spot(batch: Any) -> None:
    message = error_of(
        create, batch, computeResources=ec2(allocationStrategy="SPOT_PRICE_CAPACITY_OPTIMIZED")
    )
    assert message == crs.MESSAGES["spot_strategy"].format(
        strategy="SPOT_PRICE_CAPACITY_OPTIMIZED", type="EC2"
    )


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("instanceRole", "ecsInstanceRole"),
        ("minvCpus", 0),
        ("desiredvCpus", 0),
        ("allocationStrategy", "BEST_FIT"),
        ("instanceTypes", ["optimal"]),
        ("tags", {"Name": "x"}),
        ("imageId", "ami-1"),
        ("ec2KeyPair", "key"),
        ("bidPercentage", 50),
        ("spotIamFleetRole", "arn:aws:iam::123456789012:role/fleet"),
        ("launchTemplate", {"launchTemplateName": "lt"}),
        ("placementGroup", "pg"),
        ("ec2Configuration", [{"imageType": "ECS_AL2"}]),
    ],
)
def test_fargate_rejects_ec2_only_members(batch: Any, member: str, value: Any) -> None:
    message = error_of(create, batch, computeResources=fargate(**{member: value}))
    assert message == crs.MESSAGES["fargate_forbidden"].format(member=member, type="FARGATE")


def test_fargate_requires_a_security_group(batch: Any) -> None:
    resources = fargate(type="FARGATE_SPOT")
    del resources["securityGroupIds"]
    message = error_of(create, batch, computeResources=resources)
    assert message == crs.MESSAGES["required"].format(
        member="securityGroupIds", type="FARGATE_SPOT"
    )


def test_fargate_takes_at_most_16_subnets(batch: Any) -> None:
    message = error_of(
        create, batch, computeResources=fargate(subnets=[f"subnet-{i}" for i in range(17)])
    )
    assert "subnets" in message
    assert "16" in message


def test_min_above_max_rejected(batch: Any) -> None:
    message = error_of(create, batch, computeResources=ec2(minvCpus=8, maxvCpus=4))
    assert message == crs.MESSAGES["min_max"].format(min=8, max=4)


def test_desired_outside_bounds_rejected(batch: Any) -> None:
    message = error_of(create, batch, computeResources=ec2(minvCpus=2, desiredvCpus=1))
    assert message == crs.MESSAGES["desired"].format(desired=1, min=2, max=64)


def test_negative_max_vcpus_rejected(batch: Any) -> None:
    message = error_of(create, batch, computeResources=fargate(maxvCpus=-1))
    assert "computeResources.maxvCpus" in message


def test_launch_template_id_and_name_are_exclusive(batch: Any) -> None:
    template = {"launchTemplateId": "lt-1", "launchTemplateName": "lt"}
    message = error_of(create, batch, computeResources=ec2(launchTemplate=template))
    assert message == crs.MESSAGES["launch_template"]


def test_bid_percentage_range(batch: Any) -> None:
    resources = ec2(type="SPOT", spotIamFleetRole="arn:aws:iam::1:role/f", bidPercentage=101)
    message = error_of(create, batch, computeResources=resources)
    assert "computeResources.bidPercentage" in message


# -- names and quotas ---------------------------------------------------------------------------
def test_name_in_use(batch: Any) -> None:
    create(batch)
    assert error_of(create, batch) == "Object already exists"


@pytest.mark.parametrize("name", ["has space", "dot.name", "x" * 129, "ümlaut"])
def test_invalid_names(batch: Any, name: str) -> None:
    message = error_of(create, batch, name)
    assert message.startswith("computeEnvironmentName must be 1-128 characters")


def test_quota_of_fifty(batch: Any) -> None:
    for i in range(50):
        create(batch, f"ce{i}")
    message = error_of(create, batch, "one-too-many")
    assert message == ces.MESSAGES["quota"].format(limit=50)


# -- describe -----------------------------------------------------------------------------------
def test_describe_by_arn_and_name_drops_unknown(batch: Any) -> None:
    arn = create(batch, "a")["computeEnvironmentArn"]
    create(batch, "b")
    found = batch.describe_compute_environments(computeEnvironments=[arn, "nope", "b", "a"])
    assert [c["computeEnvironmentName"] for c in found["computeEnvironments"]] == ["a", "b"]
    assert "nextToken" not in found


def test_describe_everything_sorted_by_name(batch: Any) -> None:
    for name in ("zeta", "alpha", "mid"):
        create(batch, name)
    found = batch.describe_compute_environments()["computeEnvironments"]
    assert [c["computeEnvironmentName"] for c in found] == ["alpha", "mid", "zeta"]


def test_describe_rejects_more_than_100_names(batch: Any) -> None:
    message = error_of(
        batch.describe_compute_environments, computeEnvironments=[f"n{i}" for i in range(101)]
    )
    assert "at most 100" in message


def test_describe_with_nothing_created(batch: Any) -> None:
    assert batch.describe_compute_environments()["computeEnvironments"] == []


# -- update (§13.9) -----------------------------------------------------------------------------
def test_update_state_and_merge_compute_resources(batch: Any) -> None:
    create(batch, computeResources=ec2())
    out = batch.update_compute_environment(
        computeEnvironment="ce", state="DISABLED", computeResources={"maxvCpus": 128}
    )
    assert out["computeEnvironmentName"] == "ce"
    detail = describe(batch)
    assert detail["state"] == "DISABLED"
    assert detail["status"] == "VALID"
    assert detail["computeResources"]["maxvCpus"] == 128
    # members not sent are kept
    assert detail["computeResources"]["instanceTypes"] == ["optimal"]
    assert detail["computeResources"]["subnets"] == ["subnet-1"]


def test_update_by_arn(batch: Any) -> None:
    arn = create(batch)["computeEnvironmentArn"]
    out = batch.update_compute_environment(computeEnvironment=arn, state="DISABLED")
    assert out["computeEnvironmentArn"] == arn
    assert describe(batch)["state"] == "DISABLED"


def test_update_unknown_environment(batch: Any) -> None:
    message = error_of(
        batch.update_compute_environment, computeEnvironment="nope", state="DISABLED"
    )
    assert message == "ComputeEnvironment nope not found."


def test_desired_vcpus_cannot_go_down(batch: Any) -> None:
    create(batch, computeResources=ec2(desiredvCpus=8))
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"desiredvCpus": 4},
    )
    assert message == crs.MESSAGES["desired_lower"].format(current=8, desired=4)
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"desiredvCpus": 16})
    assert describe(batch)["computeResources"]["desiredvCpus"] == 16


def test_infrastructure_update_refused_for_best_fit(batch: Any) -> None:
    create(batch, computeResources=ec2())
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"instanceTypes": ["c5"]},
    )
    assert message == crs.MESSAGES["best_fit_update"].format(member="instanceTypes")


def test_infrastructure_update_with_progressive_strategy(batch: Any) -> None:
    create(batch, computeResources=ec2(allocationStrategy="BEST_FIT_PROGRESSIVE"))
    batch.update_compute_environment(
        computeEnvironment="ce",
        computeResources={"instanceTypes": ["c5"], "ec2KeyPair": "k", "imageId": "ami-1"},
        updatePolicy={"terminateJobsOnUpdate": True},
    )
    detail = describe(batch)
    assert detail["computeResources"]["instanceTypes"] == ["c5"]
    assert detail["computeResources"]["ec2KeyPair"] == "k"
    assert detail["updatePolicy"] == {
        "terminateJobsOnUpdate": True,
        "jobExecutionTimeoutMinutes": 30,
    }
    # an empty string removes the key pair (model text of ComputeResourceUpdate.ec2KeyPair)
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"ec2KeyPair": ""})
    assert "ec2KeyPair" not in describe(batch)["computeResources"]


def test_infrastructure_update_needs_the_service_linked_role(batch: Any) -> None:
    create(
        batch,
        computeResources=ec2(allocationStrategy="BEST_FIT_PROGRESSIVE"),
        serviceRole="arn:aws:iam::123456789012:role/custom",
    )
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"subnets": ["subnet-2"]},
    )
    assert message == crs.MESSAGES["slr_update"].format(member="subnets")


def test_service_role_kind_cannot_change(batch: Any) -> None:
    create(batch)
    message = error_of(
        batch.update_compute_environment, computeEnvironment="ce", serviceRole="custom"
    )
    assert message == ces.MESSAGES["role_kind"]


def test_fargate_update_limited_to_network_and_max(batch: Any) -> None:
    create(batch)
    batch.update_compute_environment(
        computeEnvironment="ce",
        computeResources={"maxvCpus": 4, "subnets": ["subnet-9"], "securityGroupIds": []},
    )
    resources = describe(batch)["computeResources"]
    assert resources["maxvCpus"] == 4
    assert resources["subnets"] == ["subnet-9"]
    assert resources["securityGroupIds"] == ["sg-1"]  # empty list: no change for Fargate
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"instanceRole": "r"},
    )
    assert message == crs.MESSAGES["fargate_update"].format(member="instanceRole")


def test_type_cannot_move_between_ec2_and_fargate(batch: Any) -> None:
    create(batch, computeResources=ec2(allocationStrategy="BEST_FIT_PROGRESSIVE"))
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"type": "FARGATE"},
    )
    assert message == crs.MESSAGES["type_family"].format(old="EC2", new="FARGATE")


def test_unmanaged_update(batch: Any) -> None:
    create(batch, type="UNMANAGED")
    batch.update_compute_environment(computeEnvironment="ce", unmanagedvCpus=12)
    assert describe(batch)["unmanagedvCpus"] == 12
    message = error_of(
        batch.update_compute_environment, computeEnvironment="ce", computeResources={"maxvCpus": 4}
    )
    assert message == ces.MESSAGES["unmanaged_resources"]


def test_rejected_update_changes_nothing(batch: Any) -> None:
    create(batch, computeResources=ec2())
    error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        state="DISABLED",
        computeResources={"minvCpus": 100},
    )
    detail = describe(batch)
    assert detail["state"] == "ENABLED"
    assert detail["computeResources"]["minvCpus"] == 0


def test_update_keeps_desired_inside_new_bounds(batch: Any) -> None:
    create(batch, computeResources=ec2(desiredvCpus=32))
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"maxvCpus": 16})
    assert describe(batch)["computeResources"]["desiredvCpus"] == 16


# -- delete (§13.8) -------------------------------------------------------------------------------
def test_delete_requires_disabled(batch: Any) -> None:
    create(batch)
    message = error_of(batch.delete_compute_environment, computeEnvironment="ce")
    assert message == "Cannot delete, compute environment is ENABLED"


def test_delete_refused_while_a_queue_lists_it(batch: Any) -> None:
    create(batch)
    batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
    message = error_of(batch.delete_compute_environment, computeEnvironment="ce")
    assert message == "Cannot delete, found existing JobQueue relationship"


def test_delete_then_gone_and_name_reusable(batch: Any) -> None:
    arn = create(batch, tags={"k": "v"})["computeEnvironmentArn"]
    batch.update_compute_environment(computeEnvironment=arn, state="DISABLED")
    out = batch.delete_compute_environment(computeEnvironment=arn)
    assert set(out) == {"ResponseMetadata"}
    assert batch.describe_compute_environments()["computeEnvironments"] == []
    create(batch)
    assert "tags" not in describe(batch)


def test_delete_unknown(batch: Any) -> None:
    message = error_of(batch.delete_compute_environment, computeEnvironment="nope")
    assert message == "ComputeEnvironment nope not found."


def test_tags_given_at_creation(batch: Any) -> None:
    arn = create(batch, tags={"team": "a"})["computeEnvironmentArn"]
    assert describe(batch)["tags"] == {"team": "a"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}


def test_instance_tags_are_not_resource_tags(batch: Any) -> None:
    arn = create(batch, computeResources=ec2(tags={"Name": "box"}))["computeEnvironmentArn"]
    assert describe(batch)["computeResources"]["tags"] == {"Name": "box"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}


# -- eventually consistent statuses (G8) ----------------------------------------------------------
def test_status_settles_after_the_configured_delay() -> None:
    with mock_batch(delays={"resource_status": 30}) as slow:
        batch = slow.client()
        create(batch)
        detail = describe(batch)
        assert detail["status"] == "CREATING"
        assert "statusReason" not in detail
        # a queue can only take a VALID environment (§12.2)
        order = [{"order": 1, "computeEnvironment": "ce"}]
        message = error_of(
            batch.create_job_queue, jobQueueName="q", priority=1, computeEnvironmentOrder=order
        )
        assert "is not VALID (status CREATING)" in message
        slow.advance(30)
        detail = describe(batch)
        assert (detail["status"], detail["statusReason"]) == ("VALID", "ComputeEnvironment Healthy")

        batch.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=order)
        queue = batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]
        assert queue["status"] == "CREATING"
        batch.update_job_queue(jobQueue="q", state="DISABLED")
        message = error_of(batch.delete_job_queue, jobQueue="q")
        assert message == "Cannot delete, resource is being modified"
        slow.advance(30)
        assert batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]["status"] == "VALID"
        batch.delete_job_queue(jobQueue="q")
        assert batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]["status"] == "DELETING"
        slow.advance(30)
        assert batch.describe_job_queues()["jobQueues"] == []


def test_update_and_delete_go_through_updating_and_deleting() -> None:
    with mock_batch(delays={"resource_status": 10}) as slow:
        batch = slow.client()
        create(batch)
        slow.advance(10)
        batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
        assert describe(batch)["status"] == "UPDATING"
        assert error_of(batch.delete_compute_environment, computeEnvironment="ce") == (
            "Cannot delete, resource is being modified"
        )
        slow.advance(10)
        batch.delete_compute_environment(computeEnvironment="ce")
        assert describe(batch)["status"] == "DELETING"
        assert error_of(create, batch) == "Object already exists"
        assert (
            error_of(batch.update_compute_environment, computeEnvironment="ce", state="ENABLED")
            == "ComputeEnvironment ce is being deleted"
        )
        slow.advance(10)
        assert batch.describe_compute_environments()["computeEnvironments"] == []
        create(batch)
