"""Rules of a managed CE's ``computeResources`` on create and on update (§13.2-13.4, §13.9)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from batchmock.backend.control_plane import instance_types
from batchmock.backend.core import output_defaults
from batchmock.backend.core.checks import check_at_least, check_range
from batchmock.errors import ClientException, executing_request
from batchmock.service_model import documented_number, documented_word

EC2_TYPES = ("EC2", "SPOT")
FARGATE_TYPES = ("FARGATE", "FARGATE_SPOT")
MANAGED_INSTANCES_TYPES = ("ECS_MANAGED_INSTANCES",)
"""botocore 1.44's CRType adds ECS_MANAGED_INSTANCES (an older model refuses it as an enum)."""
MANAGED_INSTANCES_ONLY = ("managedInstancesProvider", "capacityTags")
"""[model] members "only valid for" / "must not be specified for other" types than
ECS_MANAGED_INSTANCES."""
SPOT_STRATEGIES = ("SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED")

FARGATE_FORBIDDEN = (
    "allocationStrategy",
    "bidPercentage",
    "desiredvCpus",
    "imageId",
    "instanceTypes",
    "ec2Configuration",
    "ec2KeyPair",
    "instanceRole",
    "launchTemplate",
    "minvCpus",
    "placementGroup",
    "spotIamFleetRole",
    "tags",
    "scalingPolicy",
)
"""§13.3: members a Fargate CE must not set (the model says "Don't specify it" for each)."""

SCALING_FIELDS = ("minvCpus", "maxvCpus", "desiredvCpus")
"""§13.9: the computeResources members a *scaling* update may change."""

FARGATE_UPDATABLE = ("maxvCpus", "subnets", "securityGroupIds")
"""§13.9: all a Fargate CE may change in computeResources."""

MAX_FARGATE_SECURITY_GROUPS = 5
"""[docs: Fargate] the model states no number for securityGroupIds."""

_ARM_FAMILY = re.compile(r"(a1|[a-z]+\d+g[a-z]*)(\..*)?")

MESSAGES = {
    # [obs: terraform-provider-aws#1759], AWS's own doubled negative.
    "spot_fleet_role": "ComputeResources.spotIamFleetRole cannot not be null or empty",
    # [obs: Netflix/metaflow#70] (§21.3), raised with the ", RequestId: <uuid>" tail
    "instance_type": "Instance type can only be one of [{names}]",
    # Below: the rule's source; the wording is [inferred] (AWS's texts were not found).
    # [model] the CRType enum (reached only when the protocol's enum check lets a type through)
    "crtype": "computeResources.type must be one of {choices}, got {value!r}",
    # [model] ComputeResource.type and managedInstancesProvider: "required when
    # computeResources.type is ECS_MANAGED_INSTANCES"; maxvCpus is required for every type
    "mi_required": "computeResources.{member} is required for ECS_MANAGED_INSTANCES compute "
    "environments",
    # [model] managedInstancesProvider "must not be specified for other compute environment
    # types"; capacityTags "is only valid for ECS_MANAGED_INSTANCES compute environments"
    "mi_only": "computeResources.{member} is only valid for ECS_MANAGED_INSTANCES compute "
    "environments, not {type}",
    # [model] ComputeResourceUpdate.type: "You cannot change the type to or from
    # ECS_MANAGED_INSTANCES"
    "mi_type": "computeResources.type cannot change from {old} to {new}: a compute environment "
    "cannot change to or from ECS_MANAGED_INSTANCES",
    # [model] maxvCpus is required; subnets, instanceRole (EC2/SPOT) and securityGroupIds
    # (Fargate) are "required for" those types in the member documentation
    "required": "computeResources.{member} is required for {type} compute environments",
    # [model] each member's text: "isn't applicable to ... Fargate resources. Don't specify it."
    "fargate_forbidden": "computeResources.{member} is not applicable to Fargate compute "
    "environments (type {type}); don't specify it",
    # [model] allocationStrategy: SPOT_(PRICE_)CAPACITY_OPTIMIZED are Spot strategies
    "spot_strategy": "computeResources.allocationStrategy {strategy} requires computeResources"
    ".type SPOT, got {type}",
    # [model] desiredvCpus "must be between the minvCpus and maxvCpus values"
    "min_max": "computeResources.minvCpus ({min}) must not exceed computeResources.maxvCpus "
    "({max})",
    "desired": "computeResources.desiredvCpus ({desired}) must lie between minvCpus ({min}) and "
    "maxvCpus ({max})",
    # [model] UpdateComputeEnvironment desiredvCpus: "must be greater than or equal to the
    # current desiredvCpus value"
    "desired_lower": "computeResources.desiredvCpus cannot be lowered: the current value is "
    "{current}, got {desired}",
    # [model] subnets: "up to 16" on Fargate; securityGroupIds up to 5 [docs: Fargate]
    "too_many": "computeResources.{member} can hold at most {limit} entries for Fargate, "
    "got {count}",
    # [model] LaunchTemplateSpecification: the ID or the name, "but not both"
    "launch_template": "computeResources.launchTemplate must name either launchTemplateId or "
    "launchTemplateName, not both",
    # [model] ec2Configuration: "One or two values can be provided"
    "ec2_configuration": "computeResources.ec2Configuration holds one or two entries, got {count}",
    # [docs: Amazon EKS compute environments] Batch on EKS runs on EC2 and Spot only
    "eks_fargate": "Fargate compute resources are not supported for Amazon EKS compute "
    "environments (computeResources.type {type})",
    # [docs: Updating compute environments] what a Fargate CE may change (§13.9)
    "fargate_update": "computeResources.{member} cannot be updated on a Fargate compute "
    "environment; only maxvCpus, subnets and securityGroupIds can change",
    # [docs: Updating compute environments] (§13.9)
    "type_family": "computeResources.type cannot change from {old} to {new}: EC2/SPOT and "
    "FARGATE/FARGATE_SPOT cannot be exchanged",
    # [docs: Updating compute environments] infrastructure updates (§13.9)
    "best_fit_update": "computeResources.{member} requires an infrastructure update, which "
    "compute environments with the BEST_FIT allocation strategy do not support",
    "slr_update": "computeResources.{member} requires an infrastructure update, which needs the "
    "AWSServiceRoleForBatch service-linked role as serviceRole",
}


def is_fargate(resource_type: str | None) -> bool:
    """True for FARGATE and FARGATE_SPOT."""
    return resource_type in FARGATE_TYPES


def is_managed_instances(resource_type: str | None) -> bool:
    """True for ECS_MANAGED_INSTANCES."""
    return resource_type in MANAGED_INSTANCES_TYPES


def platform(resource_type: str | None) -> str:
    """The platform capability a CE of this type runs: EC2 (EC2, SPOT, UNMANAGED), FARGATE
    (FARGATE, FARGATE_SPOT) or MANAGED_INSTANCES (ECS_MANAGED_INSTANCES) [model:
    PlatformCapability]."""
    if is_fargate(resource_type):
        return "FARGATE"
    return "MANAGED_INSTANCES" if is_managed_instances(resource_type) else "EC2"


def validate_create(cr: Mapping[str, Any], eks: bool) -> dict[str, Any]:
    """The stored form of a CreateComputeEnvironment ``computeResources`` after every check.

    EC2/SPOT resources get ``minvCpus`` 0 and ``desiredvCpus`` = minvCpus when absent [inferred]:
    Batch manages desiredvCpus and always reports both.
    """
    result = copy.deepcopy(dict(cr))
    crtype = result.get("type")
    known = EC2_TYPES + FARGATE_TYPES + MANAGED_INSTANCES_TYPES
    if crtype not in known:
        raise ClientException(MESSAGES["crtype"].format(choices=", ".join(known), value=crtype))
    if is_managed_instances(crtype):
        _check_managed_instances(result)
        _check_vcpus(result)
        return result
    for member in ("maxvCpus", "subnets"):
        if result.get(member) is None:
            raise ClientException(MESSAGES["required"].format(member=member, type=crtype))
    _check_not_managed_instances(result, crtype)
    if is_fargate(crtype):
        _check_fargate(result, crtype, eks)
    else:
        _check_ec2(result, crtype)
    _check_vcpus(result)
    return result


def _check_managed_instances(cr: Mapping[str, Any]) -> None:
    """[model][docs: Compute environments on Amazon ECS Managed Instances] maxvCpus and a
    managedInstancesProvider (whose own required members the protocol checks); networking and
    instance selection live in the provider, so ``subnets`` is not required."""
    for member in ("maxvCpus", "managedInstancesProvider"):
        if cr.get(member) is None:
            raise ClientException(MESSAGES["mi_required"].format(member=member))


def _check_not_managed_instances(cr: Mapping[str, Any], crtype: str) -> None:
    for member in MANAGED_INSTANCES_ONLY:
        if cr.get(member) is not None:
            raise ClientException(MESSAGES["mi_only"].format(member=member, type=crtype))


def _check_fargate(cr: dict[str, Any], crtype: str, eks: bool) -> None:
    if eks:
        raise ClientException(MESSAGES["eks_fargate"].format(type=crtype))
    for member in FARGATE_FORBIDDEN:
        if cr.get(member) is not None:
            raise ClientException(MESSAGES["fargate_forbidden"].format(member=member, type=crtype))
    if not cr.get("securityGroupIds"):
        raise ClientException(MESSAGES["required"].format(member="securityGroupIds", type=crtype))
    _check_fargate_lists(cr)


def _check_fargate_lists(cr: Mapping[str, Any]) -> None:
    # the model: "Fargate compute resources can contain up to 16 subnets"
    subnets = documented_number(
        "CreateComputeEnvironment",
        "computeResources.subnets",
        r"can contain up to ([\d,]+) subnets",
    )
    for member, limit in (
        ("subnets", subnets),
        ("securityGroupIds", MAX_FARGATE_SECURITY_GROUPS),
    ):
        count = len(cr.get(member) or [])
        if limit is not None and count > limit:
            raise ClientException(
                MESSAGES["too_many"].format(member=member, limit=limit, count=count)
            )


def _check_ec2(cr: dict[str, Any], crtype: str) -> None:
    if not cr.get("instanceRole"):
        raise ClientException(MESSAGES["required"].format(member="instanceRole", type=crtype))
    strategy = cr.get("allocationStrategy")
    if strategy in SPOT_STRATEGIES and crtype != "SPOT":
        raise ClientException(MESSAGES["spot_strategy"].format(strategy=strategy, type=crtype))
    if crtype == "SPOT" and strategy in (None, "BEST_FIT") and not cr.get("spotIamFleetRole"):
        raise ClientException(MESSAGES["spot_fleet_role"])
    if cr.get("bidPercentage") is not None:
        check_range("computeResources.bidPercentage", cr["bidPercentage"], 0, 100)
    template = cr.get("launchTemplate")
    if template and template.get("launchTemplateId") and template.get("launchTemplateName"):
        raise ClientException(MESSAGES["launch_template"])
    for name in cr.get("instanceTypes") or []:
        if not instance_types.is_known(name):
            names = ", ".join(instance_types.VALID_NAMES)
            raise executing_request(MESSAGES["instance_type"].format(names=names))
    configs = cr.get("ec2Configuration")
    if configs is not None and not 1 <= len(configs) <= 2:
        raise ClientException(MESSAGES["ec2_configuration"].format(count=len(configs)))
    cr.setdefault("minvCpus", 0)
    cr.setdefault("desiredvCpus", cr["minvCpus"])


def _check_vcpus(cr: Mapping[str, Any]) -> None:
    for member in SCALING_FIELDS:
        if cr.get(member) is not None:
            check_at_least(f"computeResources.{member}", cr[member], 0)
    low, high, desired = cr.get("minvCpus"), cr["maxvCpus"], cr.get("desiredvCpus")
    if low is not None and low > high:
        raise ClientException(MESSAGES["min_max"].format(min=low, max=high))
    if desired is not None and not (low or 0) <= desired <= high:
        raise ClientException(MESSAGES["desired"].format(desired=desired, min=low or 0, max=high))


def merge_update(
    current: Mapping[str, Any], update: Mapping[str, Any], *, service_linked_role: bool
) -> tuple[dict[str, Any], bool]:
    """Merge an UpdateComputeEnvironment ``computeResources`` into the stored one (§13.9).

    Returns the new stored form and whether it was an *infrastructure* update. Nothing is
    changed in ``current``; a ClientException leaves the caller's state untouched.
    """
    changes = {k: v for k, v in update.items() if v is not None}
    old_type = current["type"]
    new_type = changes.get("type", old_type)
    if is_managed_instances(old_type) != is_managed_instances(new_type):
        raise ClientException(MESSAGES["mi_type"].format(old=old_type, new=new_type))
    if is_managed_instances(old_type):
        return _merge_managed_instances(current, changes), False
    _check_not_managed_instances(changes, old_type)
    if is_fargate(old_type) != is_fargate(new_type):
        raise ClientException(MESSAGES["type_family"].format(old=old_type, new=new_type))
    if is_fargate(old_type):
        return _merge_fargate(current, changes), False
    infra = [k for k in changes if k not in SCALING_FIELDS]
    if infra:
        if current.get("allocationStrategy", "BEST_FIT") == "BEST_FIT":
            raise ClientException(MESSAGES["best_fit_update"].format(member=infra[0]))
        if not service_linked_role:
            raise ClientException(MESSAGES["slr_update"].format(member=infra[0]))
    merged = copy.deepcopy(dict(current))
    for member, value in changes.items():
        if member == "updateToLatestImageVersion":
            continue  # an instruction for this update, not a stored attribute
        if _removes(member, value):
            merged.pop(member, None)
        else:
            merged[member] = copy.deepcopy(value)
    _check_scaling(current, merged, changes)
    _check_ec2(merged, new_type)
    return merged, bool(infra)


def _removes(member: str, value: Any) -> bool:
    """The update-time conventions for "remove this setting" (model text of each member)."""
    if member in ("ec2KeyPair", "imageId") and value == "":
        return True
    if member == "ec2Configuration" and value == []:
        return True
    if member == "launchTemplate":
        return "" in (value.get("launchTemplateId"), value.get("launchTemplateName"))
    return False


def _merge_managed_instances(
    current: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The members sent replace the stored ones; ``managedInstancesProvider`` (and its
    ``instanceLaunchTemplate``) is merged member by member, since the update shape holds only
    the changeable members [model: UpdateManagedInstancesProviderConfiguration]."""
    merged = copy.deepcopy(dict(current))
    for member, value in changes.items():
        if member == "managedInstancesProvider":
            merged[member] = _merge_objects(merged.get(member) or {}, value)
        elif member != "updateToLatestImageVersion":
            merged[member] = copy.deepcopy(value)
    if "maxvCpus" in changes:
        check_at_least("computeResources.maxvCpus", merged["maxvCpus"], 0)
    _check_vcpus(merged)
    return merged


def _merge_objects(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(old))
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge_objects(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _merge_fargate(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    for member in changes:
        if member not in FARGATE_UPDATABLE and member != "type":
            raise ClientException(MESSAGES["fargate_update"].format(member=member))
    if changes.get("type", current["type"]) != current["type"]:
        raise ClientException(MESSAGES["fargate_update"].format(member="type"))
    merged = copy.deepcopy(dict(current))
    for member in FARGATE_UPDATABLE:
        value = changes.get(member)
        # an empty list means "no change" for Fargate (model text)
        if value is not None and value != []:
            merged[member] = copy.deepcopy(value)
    _check_fargate_lists(merged)
    if "maxvCpus" in changes:
        check_at_least("computeResources.maxvCpus", merged["maxvCpus"], 0)
    return merged


def _check_scaling(
    current: Mapping[str, Any], merged: dict[str, Any], changes: Mapping[str, Any]
) -> None:
    for member in SCALING_FIELDS:
        if member in changes:
            check_at_least(f"computeResources.{member}", changes[member], 0)
    low, high = merged.get("minvCpus", 0), merged["maxvCpus"]
    if low > high:
        raise ClientException(MESSAGES["min_max"].format(min=low, max=high))
    if "desiredvCpus" in changes:
        desired = changes["desiredvCpus"]
        if not low <= desired <= high:
            raise ClientException(MESSAGES["desired"].format(desired=desired, min=low, max=high))
        old = current.get("desiredvCpus", 0)
        if desired < old:
            raise ClientException(MESSAGES["desired_lower"].format(current=old, desired=desired))
    else:
        # Batch keeps desiredvCpus inside the new bounds on its own [inferred]
        merged["desiredvCpus"] = min(max(merged.get("desiredvCpus", low), low), high)


def shown(cr: Mapping[str, Any], eks: bool) -> dict[str, Any]:
    """The ComputeResource DescribeComputeEnvironments shows for the stored one (§21.1).

    EC2/SPOT resources report the default image type when none was given (:func:`default_image`,
    with ``_NVIDIA`` when the instance types have GPUs) and ``tags: {}`` [TF ``_createEC2``][LOG]
    [RAF]; Fargate and ECS Managed Instances resources are shown as stored.
    """
    result = copy.deepcopy(dict(cr))
    if platform(result.get("type")) != "EC2":
        return result  # Fargate and ECS Managed Instances: as stored
    if not result.get("ec2Configuration"):
        gpu = instance_types.has_gpu(result.get("instanceTypes") or [])
        image = default_image(eks) + ("_NVIDIA" if gpu else "")
        result["ec2Configuration"] = [{"imageType": image}]
    return output_defaults.fill("Ec2ComputeResource", result)


def default_image(eks: bool) -> str:
    """The image type of a CE created without ``ec2Configuration``, as the installed model's
    documentation of ``computeResources.ec2Configuration`` states it: ``ECS_AL2023`` /
    ``EKS_AL2023`` in botocore 1.44 (Batch changed the default on January 12, 2026, the model
    says), else the ``ECS_AL2`` / ``EKS_AL2`` that §21.1's older observations show."""
    kind = "EKS" if eks else "ECS"
    pattern = (
        r"the default is \w+ for EC2 \(ECS\) compute environments and (EKS_\w+)"
        if eks
        else r"the default is (ECS_\w+)"
    )
    found = documented_word(
        "CreateComputeEnvironment", "computeResources.ec2Configuration", pattern
    )
    return found or f"{kind}_AL2"


def holds(cr: Mapping[str, Any] | None, vcpus: float, memory_mib: float, gpus: float) -> bool:
    """Whether an instance type of these resources can hold one job's request (§21.3).

    Fargate resources (their pairs are checked at registration), ECS Managed Instances (ECS
    picks the instance type for the task [docs]) and unmanaged compute environments (None: the
    user's instances) hold anything.
    """
    if cr is None or platform(cr.get("type")) != "EC2" or not cr.get("instanceTypes"):
        return True
    return instance_types.can_hold(tuple(cr["instanceTypes"]), vcpus, memory_mib, gpus)


def architecture(cr: Mapping[str, Any] | None) -> str | None:
    """``"ARM64"`` or ``"X86_64"`` from an EC2 CE's instance types; None when not decidable.

    Used to refuse queues that mix architectures (§12.2): only instance types that name a
    Graviton family (``m6g``, ``c7gn.large``, ``a1``) or ``default_arm64`` count as ARM.
    """
    if not cr or platform(cr.get("type")) != "EC2" or not cr.get("instanceTypes"):
        return None
    arm = [t == "default_arm64" or bool(_ARM_FAMILY.fullmatch(t)) for t in cr["instanceTypes"]]
    if all(arm):
        return "ARM64"
    return None if any(arm) else "X86_64"
