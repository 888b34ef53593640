"""Compute environments through boto3: create, describe, update, delete (reference §13)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import default_image_type, documented_number, error_of

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
    assert detail["computeResources"] == fargate()  # Fargate: shown as given, no tags member
    assert detail["tags"] == {}  # §21.1 [LOG][RAF]
    # absent members are left out, never null
    for member in ("unmanagedvCpus", "eksConfiguration", "updatePolicy", "context"):
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
    assert message == "computeResources is not allowed for UNMANAGED compute environments"


def test_managed_requires_compute_resources(batch: Any) -> None:
    message = error_of(
        batch.create_compute_environment, computeEnvironmentName="ce", type="MANAGED"
    )
    assert message == "computeResources is required for MANAGED compute environments"


def test_unmanaged_vcpus_only_for_unmanaged(batch: Any) -> None:
    message = error_of(create, batch, unmanagedvCpus=4)
    assert message == "unmanagedvCpus is only supported for UNMANAGED compute environments"


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
    # the EKS default image type the installed model states (EKS_AL2023 in botocore 1.44)
    assert detail["computeResources"]["ec2Configuration"] == [
        {"imageType": default_image_type(eks=True)}
    ]


def test_eks_does_not_take_fargate(batch: Any) -> None:
    eks = {
        "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/c",
        "kubernetesNamespace": "batch",
    }
    message = error_of(create, batch, eksConfiguration=eks)
    assert message == (
        "Fargate compute resources are not supported for Amazon EKS compute environments "
        "(computeResources.type FARGATE)"
    )


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
    assert message == "computeResources.instanceRole is required for EC2 compute environments"


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
    assert message == (
        "computeResources.allocationStrategy SPOT_PRICE_CAPACITY_OPTIMIZED requires "
        "computeResources.type SPOT, got EC2"
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
    assert message == (
        f"computeResources.{member} is not applicable to Fargate compute environments (type "
        "FARGATE); don't specify it"
    )


def test_fargate_requires_a_security_group(batch: Any) -> None:
    resources = fargate(type="FARGATE_SPOT")
    del resources["securityGroupIds"]
    message = error_of(create, batch, computeResources=resources)
    assert message == (
        "computeResources.securityGroupIds is required for FARGATE_SPOT compute environments"
    )


def test_fargate_takes_at_most_the_subnets_the_model_says(batch: Any) -> None:
    most = documented_number(
        "CreateComputeEnvironment", "computeResources.subnets", r"can contain up to (\d+) subnets"
    )
    subnets = [f"subnet-{i}" for i in range(most + 1)]
    message = error_of(create, batch, computeResources=fargate(subnets=subnets))
    assert message == (
        f"computeResources.subnets can hold at most {most} entries for Fargate, got {most + 1}"
    )
    create(batch, "most", computeResources=fargate(subnets=subnets[:most]))


def test_min_above_max_rejected(batch: Any) -> None:
    message = error_of(create, batch, computeResources=ec2(minvCpus=8, maxvCpus=4))
    assert message == "computeResources.minvCpus (8) must not exceed computeResources.maxvCpus (4)"


def test_desired_outside_bounds_rejected(batch: Any) -> None:
    message = error_of(create, batch, computeResources=ec2(minvCpus=2, desiredvCpus=1))
    assert message == (
        "computeResources.desiredvCpus (1) must lie between minvCpus (2) and maxvCpus (64)"
    )


def test_negative_max_vcpus_rejected(batch: Any) -> None:
    message = error_of(create, batch, computeResources=fargate(maxvCpus=-1))
    assert "computeResources.maxvCpus" in message


def test_launch_template_id_and_name_are_exclusive(batch: Any) -> None:
    template = {"launchTemplateId": "lt-1", "launchTemplateName": "lt"}
    message = error_of(create, batch, computeResources=ec2(launchTemplate=template))
    assert message == (
        "computeResources.launchTemplate must name either launchTemplateId or launchTemplateName, "
        "not both"
    )


def test_bid_percentage_range(batch: Any) -> None:
    resources = ec2(type="SPOT", spotIamFleetRole="arn:aws:iam::1:role/f", bidPercentage=101)
    message = error_of(create, batch, computeResources=resources)
    assert "computeResources.bidPercentage" in message


# -- names and quotas ---------------------------------------------------------------------------
def test_name_in_use(batch: Any) -> None:
    create(batch)
    assert error_of(create, batch) == "Object already exists"


NAME_MAX = documented_number(
    "CreateComputeEnvironment", "computeEnvironmentName", r"up to (\d[\d,]*)"
)


@pytest.mark.parametrize("name", ["has space", "dot.name", "x" * (NAME_MAX + 1), "ümlaut"])
def test_invalid_names(batch: Any, name: str) -> None:
    message = error_of(create, batch, name)
    assert message.startswith(f"computeEnvironmentName must be 1-{NAME_MAX} characters")


def test_the_longest_name_the_model_allows(batch: Any) -> None:
    name = "x" * NAME_MAX
    assert create(batch, name)["computeEnvironmentName"] == name


def test_quota_of_fifty(batch: Any) -> None:
    for i in range(50):
        create(batch, f"ce{i}")
    message = error_of(create, batch, "one-too-many")
    assert message == "Maximum number of compute environments (50) reached"


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


def test_describe_rejects_more_names_than_the_model_allows(batch: Any) -> None:
    limit = documented_number(
        "DescribeComputeEnvironments", "computeEnvironments", r"up to (\d[\d,]*)"
    )
    names = [f"n{i}" for i in range(limit + 1)]
    message = error_of(batch.describe_compute_environments, computeEnvironments=names)
    assert message == f"computeEnvironments may name at most {limit} resources, got {limit + 1}"
    found = batch.describe_compute_environments(computeEnvironments=names[:limit])
    assert found["computeEnvironments"] == []


def test_describe_with_nothing_created(batch: Any) -> None:
    assert batch.describe_compute_environments()["computeEnvironments"] == []


def test_ec2_environment_shows_the_default_image_type(batch: Any) -> None:
    # §21.1 [TF _createEC2][LOG][RAF] showed ECS_AL2 (ECS_AL2_NVIDIA for GPU instance types);
    # the model of botocore 1.44 says Batch made ECS_AL2023 the default on January 12, 2026: the
    # default is the one the installed model states, with _NVIDIA for GPU types
    default = default_image_type()
    create(batch, "cpu", computeResources=ec2())
    create(batch, "gpu", computeResources=ec2(instanceTypes=["g4dn.xlarge"]))
    given = [{"imageType": "ECS_AL2023"}]
    create(batch, "own", computeResources=ec2(ec2Configuration=given))
    assert describe(batch, "cpu")["computeResources"] == {
        **ec2(),
        "minvCpus": 0,
        "desiredvCpus": 0,
        "tags": {},
        "ec2Configuration": [{"imageType": default}],
    }
    gpu = describe(batch, "gpu")["computeResources"]
    assert gpu["ec2Configuration"] == [{"imageType": f"{default}_NVIDIA"}]
    assert describe(batch, "own")["computeResources"]["ec2Configuration"] == given
