"""Compute environments: Create/Describe/Update/DeleteComputeEnvironment (§13)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane import compute_resources, settling
from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import arns, checks, output_defaults, pagination
from batchmock.backend.core.checks import check_at_least, check_name, drop_none
from batchmock.errors import ClientException

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

MAX_COMPUTE_ENVIRONMENTS = 50
"""§13.11 / §19: per account and region, ECS and EKS together."""

MAX_PER_EKS_CLUSTER = 5

HEALTHY = "ComputeEnvironment Healthy"

MESSAGES = {
    # [obs: terraform-provider-aws#2044, #46925]
    "in_use": "Cannot delete, found existing JobQueue relationship",
    # [obs: aws-cloudformation/cloudformation-coverage-roadmap#2463]
    "exists": "Object already exists",
    # Below: the rule's source; the wording is [inferred] (AWS's texts were not found).
    # [model] §13.8: DeleteComputeEnvironment needs the CE DISABLED first (text as §2.6 proposes)
    "enabled": "Cannot delete, compute environment is ENABLED",
    # [model] an unknown name or ARN is a ClientException
    "not_found": "ComputeEnvironment {ref} not found.",
    # [docs: Resource: AWS Batch service quotas] §13.11
    "quota": "Maximum number of compute environments ({limit}) reached",
    "eks_quota": "Maximum number of compute environments per Amazon EKS cluster ({limit}) "
    "reached for {cluster}",
    # [model] computeResources: "required for managed compute environments" (§13.1)
    "managed_needs_resources": "computeResources is required for MANAGED compute environments",
    # [model][docs: Compute environment] §13.1: UNMANAGED has no computeResources
    "unmanaged_resources": "computeResources is not allowed for UNMANAGED compute environments",
    # [model] unmanagedvCpus: "only supported when the type parameter is set to UNMANAGED"
    "unmanaged_vcpus": "unmanagedvCpus is only supported for UNMANAGED compute environments",
    # [model] the CEType enum
    "type": "type must be MANAGED or UNMANAGED, got {value}",
    # [model] UpdateComputeEnvironment serviceRole: a service-linked role "can't be changed to
    # use a regular IAM role", and the reverse
    "role_kind": "serviceRole cannot change between the service-linked role and a regular IAM role",
}


def service_linked_role(account_id: str) -> str:
    """The ARN of AWSServiceRoleForBatch, the role a CE uses when none is given."""
    return (
        f"arn:aws:iam::{account_id}:role/aws-service-role/batch.amazonaws.com/"
        "AWSServiceRoleForBatch"
    )


def _role_arn(account_id: str, role: str) -> str:
    """A full role ARN: AWS reads a bare name (optionally with a path) as ``role/<name>``."""
    if arns.is_arn(role):
        return role
    return f"arn:aws:iam::{account_id}:role/{role.lstrip('/')}"


def _is_service_linked(role: str | None) -> bool:
    return role is not None and "/aws-service-role/batch.amazonaws.com/" in role


@dataclass
class ComputeEnvironment:
    """One compute environment; attributes read by the engine are listed in architecture.md."""

    name: str
    arn: str
    type: str
    """MANAGED or UNMANAGED."""
    uuid: str
    seq: int
    state: str = "ENABLED"
    status: str = "VALID"
    status_reason: str | None = HEALTHY
    compute_resources: dict[str, Any] | None = None
    """The ComputeResource members as stored (MANAGED only)."""
    unmanaged_vcpus: int | None = None
    service_role: str | None = None
    eks_configuration: dict[str, Any] | None = None
    update_policy: dict[str, Any] | None = None
    context: str | None = None
    ecs_cluster_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    timer: Any = field(default=None, repr=False, compare=False)
    """The pending status change (G8, see ``settling``), if any."""

    @property
    def resource_type(self) -> str | None:
        """EC2, SPOT, FARGATE, FARGATE_SPOT or ECS_MANAGED_INSTANCES; None for UNMANAGED."""
        return None if self.compute_resources is None else self.compute_resources["type"]

    @property
    def max_vcpus(self) -> float | None:
        """The capacity limit of a managed CE; None (unlimited) for UNMANAGED."""
        if self.compute_resources is None:
            return None
        return float(self.compute_resources["maxvCpus"])

    @property
    def container_orchestration_type(self) -> str:
        """EKS when an eksConfiguration was given, else ECS (§13.7)."""
        return "EKS" if self.eks_configuration else "ECS"

    @property
    def is_fargate(self) -> bool:
        """True for FARGATE and FARGATE_SPOT resources."""
        return compute_resources.is_fargate(self.resource_type)

    @property
    def platform(self) -> str:
        """The platform capability its jobs need: EC2, FARGATE or MANAGED_INSTANCES."""
        return compute_resources.platform(self.resource_type)

    @property
    def architecture(self) -> str | None:
        """ARM64 / X86_64 when the instance types say so, else None."""
        return compute_resources.architecture(self.compute_resources)

    def holds(self, vcpus: float, memory_mib: float, gpus: float) -> bool:
        """Whether one of this CE's instance types can hold a job's request (§21.3)."""
        return compute_resources.holds(self.compute_resources, vcpus, memory_mib, gpus)

    def describe(self) -> dict[str, Any]:
        """The ComputeEnvironmentDetail of this CE (AWS's defaults filled in, §21.1)."""
        shown = self.compute_resources
        if shown is not None:
            shown = compute_resources.shown(shown, eks=self.eks_configuration is not None)
        detail = {
            "computeEnvironmentName": self.name,
            "computeEnvironmentArn": self.arn,
            "unmanagedvCpus": self.unmanaged_vcpus,
            "ecsClusterArn": self.ecs_cluster_arn,
            "tags": dict(self.tags) or None,
            "type": self.type,
            "state": self.state,
            "status": self.status,
            "statusReason": self.status_reason,
            "computeResources": shown,
            "serviceRole": self.service_role,
            "updatePolicy": copy.deepcopy(self.update_policy),
            "eksConfiguration": copy.deepcopy(self.eks_configuration),
            "containerOrchestrationType": self.container_orchestration_type,
            "uuid": self.uuid,
            "context": self.context,
        }
        return output_defaults.fill("ComputeEnvironmentDetail", detail)


def find(backend: BatchBackend, ref: str) -> ComputeEnvironment:
    """The CE named by ``ref`` (name or ARN); ClientException when there is none."""
    found: ComputeEnvironment | None = checks.find_ce(backend, ref)
    if found is None:
        raise ClientException(MESSAGES["not_found"].format(ref=ref))
    return found


def create_compute_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateComputeEnvironment: validate everything, then store the CE (CREATING -> VALID)."""
    name = check_name(
        "computeEnvironmentName", params.get("computeEnvironmentName"), "CreateComputeEnvironment"
    )
    ce_type = params.get("type")
    eks = params.get("eksConfiguration")
    resources = params.get("computeResources")
    if ce_type not in ("MANAGED", "UNMANAGED"):
        raise ClientException(MESSAGES["type"].format(value=ce_type))
    if ce_type == "MANAGED":
        if resources is None:
            raise ClientException(MESSAGES["managed_needs_resources"])
        if params.get("unmanagedvCpus") is not None:
            raise ClientException(MESSAGES["unmanaged_vcpus"])
        resources = compute_resources.validate_create(resources, eks=bool(eks))
    elif resources is not None:
        raise ClientException(MESSAGES["unmanaged_resources"])
    if params.get("unmanagedvCpus") is not None:
        check_at_least("unmanagedvCpus", params["unmanagedvCpus"], 0)
    tags = optional_tags(params)
    if name in backend.compute_environments:
        raise ClientException(MESSAGES["exists"])
    if len(backend.compute_environments) >= MAX_COMPUTE_ENVIRONMENTS:
        raise ClientException(MESSAGES["quota"].format(limit=MAX_COMPUTE_ENVIRONMENTS))
    if eks:
        _check_eks_quota(backend, eks["eksClusterArn"])
    role = params.get("serviceRole")
    uuid = arns.new_uuid()
    ce = ComputeEnvironment(
        name=name,
        arn=backend.arn(f"compute-environment/{name}"),
        type=ce_type,
        uuid=uuid,
        seq=backend.next_seq(),
        state=params.get("state") or "ENABLED",
        compute_resources=resources,
        unmanaged_vcpus=params.get("unmanagedvCpus"),
        service_role=(
            service_linked_role(backend.account_id)
            if role is None
            else _role_arn(backend.account_id, role)
        ),
        eks_configuration=copy.deepcopy(eks),
        context=params.get("context"),
        # [inferred] EKS CEs run on an EKS cluster and have no ECS cluster
        ecs_cluster_arn=None
        if eks
        else (f"arn:aws:ecs:{backend.region}:{backend.account_id}:cluster/{name}_Batch_{uuid}"),
        tags=tags,
    )
    backend.compute_environments[name] = ce
    settling.begin(backend, ce, "CREATING", HEALTHY)
    return {"computeEnvironmentName": ce.name, "computeEnvironmentArn": ce.arn}


def _check_eks_quota(backend: BatchBackend, cluster: str) -> None:
    same = [
        ce
        for ce in backend.compute_environments.values()
        if ce.eks_configuration and ce.eks_configuration.get("eksClusterArn") == cluster
    ]
    if len(same) >= MAX_PER_EKS_CLUSTER:
        raise ClientException(
            MESSAGES["eks_quota"].format(limit=MAX_PER_EKS_CLUSTER, cluster=cluster)
        )


def describe_compute_environments(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeComputeEnvironments: the named CEs (unknown ones dropped, G6), or a page of all."""
    # [inferred] the full listing is sorted by name, like DescribeJobQueues (§12.12)
    items, token = pagination.named_or_page(
        params,
        "computeEnvironments",
        "ComputeEnvironments",
        lambda ref: checks.find_ce(backend, ref),
        lambda: sorted(backend.compute_environments.values(), key=lambda ce: ce.name),
        lambda ce: ce.name,
        scope="DescribeComputeEnvironments",
    )
    return {"computeEnvironments": [ce.describe() for ce in items], "nextToken": token}


def update_compute_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateComputeEnvironment: change only the members sent (§13.9), status back to VALID."""
    ce = find(backend, params["computeEnvironment"])
    if settling.being_deleted(backend, ce, "ComputeEnvironment"):
        return {"computeEnvironmentName": ce.name, "computeEnvironmentArn": ce.arn}
    role = params.get("serviceRole")
    new_role = None if role is None else _role_arn(backend.account_id, role)
    if new_role is not None and _is_service_linked(new_role) != _is_service_linked(ce.service_role):
        raise ClientException(MESSAGES["role_kind"])
    unmanaged = params.get("unmanagedvCpus")
    if unmanaged is not None:
        if ce.type != "UNMANAGED":
            raise ClientException(MESSAGES["unmanaged_vcpus"])
        check_at_least("unmanagedvCpus", unmanaged, 0)
    resources = None
    if params.get("computeResources") is not None:
        if ce.compute_resources is None:
            raise ClientException(MESSAGES["unmanaged_resources"])
        resources, _ = compute_resources.merge_update(
            ce.compute_resources,
            params["computeResources"],
            service_linked_role=_is_service_linked(new_role or ce.service_role),
        )
    # everything is checked: from here on nothing can fail
    if params.get("state") is not None:
        ce.state = params["state"]
    if new_role is not None:
        ce.service_role = new_role
    if unmanaged is not None:
        ce.unmanaged_vcpus = unmanaged
    if resources is not None:
        ce.compute_resources = resources
    if params.get("updatePolicy") is not None:
        policy = {"terminateJobsOnUpdate": False, "jobExecutionTimeoutMinutes": 30}
        policy.update(ce.update_policy or {})
        policy.update(drop_none(params["updatePolicy"]))
        ce.update_policy = policy
    if params.get("context") is not None:
        ce.context = params["context"]
    settling.begin(backend, ce, "UPDATING", HEALTHY)
    backend.engine.kick()
    return {"computeEnvironmentName": ce.name, "computeEnvironmentArn": ce.arn}


def delete_compute_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteComputeEnvironment: only a DISABLED CE that no job queue lists (§13.8)."""
    ce = find(backend, params["computeEnvironment"])
    if ce.state != "DISABLED":
        raise ClientException(MESSAGES["enabled"])
    settling.check_deletable(ce)
    for queue in backend.job_queues.values():
        if any(name == ce.name for _, name in queue.compute_environment_order):
            raise ClientException(MESSAGES["in_use"])
    settling.remove(backend, backend.compute_environments, ce)
    return {}


OPERATIONS: Mapping[str, Handler] = {
    "CreateComputeEnvironment": create_compute_environment,
    "DescribeComputeEnvironments": describe_compute_environments,
    "UpdateComputeEnvironment": update_compute_environment,
    "DeleteComputeEnvironment": delete_compute_environment,
}
