"""Job definitions: RegisterJobDefinition, DescribeJobDefinitions, DeregisterJobDefinition (§10).

Revisions of one name live in ``backend.job_definitions[name]``, oldest first. A revision is
never removed, so a number is never reused, even after deregistration (§3.5). SubmitJob finds
the revision it runs with :func:`resolve`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane.consumable_resources import (
    check_consumable_resource_properties,
)
from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import arns, checks, output_defaults, pagination
from batchmock.backend.jobs import job_definition_checks as structure
from batchmock.backend.jobs import job_definition_rules as rules
from batchmock.errors import invalid, not_found

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

MAX_DEFINITION_BYTES = 24 * 1024
"""§10.13 / §19: a job definition may be at most 24 KiB."""
STATUSES = ("ACTIVE", "INACTIVE")
PLATFORMS = ("EC2", "FARGATE", "MANAGED_INSTANCES")
"""[model] the PlatformCapability enum (MANAGED_INSTANCES from botocore 1.44; an older model
refuses it as an enum value before a handler sees it)."""

MESSAGES = {
    # [model] RegisterJobDefinition.platformCapabilities: "Jobs with the MANAGED_INSTANCES
    # platform capability must use ecsProperties (not containerProperties) and do not support
    # multi-node parallel jobs"; texts [inferred]
    "mi_ecs": "can't be used with platformCapabilities MANAGED_INSTANCES; use ecsProperties",
    "mi_multinode": "multi-node parallel job definitions (type multinode) don't support "
    "platformCapabilities MANAGED_INSTANCES",
    "mi_no_ecs": "ecsProperties is required for platformCapabilities MANAGED_INSTANCES",
    # [model] EcsTaskProperties.networkMode: "Valid values: host ... It cannot be specified for
    # Fargate or Amazon EC2 platform job definitions"; texts [inferred]
    "network_mode_platform": "only applies to platformCapabilities MANAGED_INSTANCES, got "
    "{platform}",
    "network_mode": "must be host, got {value!r}",
    # [inferred] worded like the SubmitJob size error of §2.6
    "size": "Job definition size must be less than 24 KiB, got {size} KiB",
    # [model] DescribeJobDefinitions ``status`` is "the status used to filter": ACTIVE|INACTIVE
    "status": "must be ACTIVE or INACTIVE, got {status!r}",
}


@dataclass
class JobDefinition:
    """One revision of a job definition (the attributes the engine reads: docs/architecture.md)."""

    name: str
    revision: int
    arn: str
    type: str
    status: str = "ACTIVE"
    parameters: dict[str, str] = field(default_factory=dict)
    retry_strategy: dict[str, Any] | None = None
    timeout: dict[str, Any] | None = None
    container_properties: dict[str, Any] | None = None
    node_properties: dict[str, Any] | None = None
    ecs_properties: dict[str, Any] | None = None
    eks_properties: dict[str, Any] | None = None
    platform_capabilities: list[str] = field(default_factory=list)
    """As given ([] when not given: AWS never invents ["EC2"], §21.1); EC2 unless FARGATE."""
    propagate_tags: bool | None = None
    """None until given: DescribeJobDefinitions leaves it out (§21.1)."""
    tags: dict[str, str] = field(default_factory=dict)
    scheduling_priority: int | None = None
    consumable_resource_properties: dict[str, Any] | None = None
    container_orchestration_type: str = "ECS"
    seq: int = 0

    @property
    def is_fargate(self) -> bool:
        """True when the definition runs on Fargate."""
        return "FARGATE" in self.platform_capabilities

    def describe(self) -> dict[str, Any]:
        """The ``JobDefinition`` output shape (a deep copy: callers may change it freely)."""
        out: dict[str, Any] = {
            "jobDefinitionName": self.name,
            "jobDefinitionArn": self.arn,
            "revision": self.revision,
            "status": self.status,
            "type": self.type,
            "schedulingPriority": self.scheduling_priority,
            "parameters": self.parameters,
            "retryStrategy": self.retry_strategy,
            "containerProperties": self.container_properties,
            "timeout": self.timeout,
            "nodeProperties": self.node_properties,
            "tags": dict(self.tags) or None,
            "propagateTags": self.propagate_tags,
            "platformCapabilities": self.platform_capabilities or None,
            "ecsProperties": self.ecs_properties,
            "eksProperties": self.eks_properties,
            "containerOrchestrationType": self.container_orchestration_type,
            "consumableResourceProperties": self.consumable_resource_properties,
        }
        return output_defaults.fill("JobDefinition", copy.deepcopy(checks.drop_none(out)))


# -- references ---------------------------------------------------------------------------------
def _split(backend: BatchBackend, ref: Any) -> tuple[str, int | None] | None:
    """(name, revision or None) of ``name``, ``name:rev``, ``arn…:name`` or ``arn…:name:rev``."""
    if not isinstance(ref, str) or not ref:
        return None
    text = ref
    if arns.is_arn(ref):
        prefix = backend.arn("job-definition/")
        if not ref.startswith(prefix):
            return None  # another account, region or resource type
        text = ref[len(prefix) :]
    name, colon, revision = text.partition(":")
    if not checks.NAME_RE.fullmatch(name):
        return None
    if not colon:
        return name, None
    if not revision.isdigit():
        return None
    return name, int(revision)


def resolve(backend: BatchBackend, ref: str) -> JobDefinition | None:
    """The ACTIVE revision SubmitJob runs for ``ref`` (§3.6), or None.

    A reference without a revision means the latest ACTIVE revision; an explicitly named
    INACTIVE revision resolves to None, like an unknown name.
    """
    split = _split(backend, ref)
    if split is None:
        return None
    name, revision = split
    revisions = backend.job_definitions.get(name, [])
    if revision is None:
        active = [d for d in revisions if d.status == "ACTIVE"]
        return active[-1] if active else None
    found = find_revision(backend, f"{name}:{revision}")
    return found if found is not None and found.status == "ACTIVE" else None


def find_revision(backend: BatchBackend, ref: str) -> JobDefinition | None:
    """The revision ``name:rev`` or ``arn…:name:rev`` names, whatever its status, or None."""
    split = _split(backend, ref)
    if split is None or split[1] is None:
        return None
    name, revision = split
    candidate: JobDefinition
    for candidate in backend.job_definitions.get(name, []):
        if candidate.revision == revision:
            return candidate
    return None


def _matching(backend: BatchBackend, ref: str) -> list[JobDefinition]:
    """Revisions a DescribeJobDefinitions list entry names (§21.2).

    An entry is ``name:revision`` or an ARN [model]; a bare name matches nothing
    [boto/boto3#2908][aws/aws-sdk#94]. An ARN without a revision names every revision.
    """
    split = _split(backend, ref)
    if split is None or (split[1] is None and not arns.is_arn(ref)):
        return []
    name, revision = split
    revisions = backend.job_definitions.get(name, [])
    return [d for d in revisions if revision is None or d.revision == revision]


# -- RegisterJobDefinition ----------------------------------------------------------------------
def _check_size(params: Mapping[str, Any]) -> None:
    size = len(json.dumps(params, separators=(",", ":"), default=str).encode())
    if size > MAX_DEFINITION_BYTES:
        raise invalid("jobDefinition", MESSAGES["size"].format(size=-(-size // 1024)))


def _uses_eks(params: Mapping[str, Any]) -> bool:
    if params.get("eksProperties") is not None:
        return True
    nodes = params.get("nodeProperties") or {}
    return any(
        isinstance(group, Mapping) and group.get("eksProperties")
        for group in nodes.get("nodeRangeProperties") or []
    )


def _platforms(params: Mapping[str, Any], eks: bool) -> list[str]:
    """The platform capabilities as given: [] means EC2 (§10.2), never shown as ["EC2"] (§21.1)."""
    given = params.get("platformCapabilities")
    if given is None or given == []:
        return []
    if eks:  # [model] §10.2: "must not be set for Amazon EKS job definitions"
        raise invalid("platformCapabilities", "must not be set for Amazon EKS job definitions")
    # [model] the PlatformCapability enum; one platform per definition
    if not isinstance(given, list) or len(given) != 1 or given[0] not in PLATFORMS:
        shown = " or ".join(f'["{name}"]' for name in PLATFORMS)
        raise invalid("platformCapabilities", f"must be {shown}, got {given!r}")
    return list(given)


def _check_managed_instances(params: Mapping[str, Any], platforms: list[str]) -> None:
    """The MANAGED_INSTANCES rules of the model (ecsProperties only, no multi-node), and
    ``networkMode`` only there."""
    platform = platforms[0] if platforms else "EC2"
    if platform == "MANAGED_INSTANCES":
        if params.get("type") == "multinode" or params.get("nodeProperties") is not None:
            raise invalid("type", MESSAGES["mi_multinode"])
        if params.get("containerProperties") is not None:
            raise invalid("containerProperties", MESSAGES["mi_ecs"])
        if params.get("ecsProperties") is None:
            raise invalid("ecsProperties", MESSAGES["mi_no_ecs"])
    tasks = (params.get("ecsProperties") or {}).get("taskProperties") or []
    for index, task in enumerate(tasks):
        mode = task.get("networkMode") if isinstance(task, Mapping) else None
        if mode is None:
            continue
        member = f"ecsProperties.taskProperties[{index}].networkMode"
        if platform != "MANAGED_INSTANCES":
            raise invalid(member, MESSAGES["network_mode_platform"].format(platform=platform))
        if mode != "host":
            raise invalid(member, MESSAGES["network_mode"].format(value=mode))


def _check_parameters(value: Any) -> dict[str, str]:
    parameters = rules.check_object("parameters", value)
    for key, item in parameters.items():
        if not isinstance(item, str):  # [model] ParametersMap: strings to strings
            raise invalid(f"parameters.{key}", "must be a string")
    return dict(parameters)


def register_job_definition(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """RegisterJobDefinition: a new ACTIVE revision (one more than the last, §3.5)."""
    name = checks.check_name(
        "jobDefinitionName", params.get("jobDefinitionName"), "RegisterJobDefinition"
    )
    kind = params.get("type")
    if kind not in ("container", "multinode"):  # [model] the JobDefinitionType enum
        raise invalid("type", f"must be container or multinode, got {kind!r}")
    _check_size(params)
    eks = _uses_eks(params)
    platforms = _platforms(params, eks)
    _check_managed_instances(params, platforms)
    fargate = "FARGATE" in platforms
    if eks and params.get("propagateTags"):  # [model] propagateTags: not for EKS
        raise invalid("propagateTags", "must not be set for Amazon EKS job definitions")
    stored = _without_empty_environment(
        structure.check_properties(params, fargate, backend.options.fargate_requires_execution_role)
    )
    retry = params.get("retryStrategy")
    if retry is not None:
        rules.check_retry_strategy("retryStrategy", retry)
    timeout = params.get("timeout")
    if timeout is not None:
        rules.check_timeout("timeout", timeout)
    rules.check_scheduling_priority("schedulingPriority", params.get("schedulingPriority"))
    parameters = _check_parameters(params.get("parameters"))
    tags = optional_tags(params)
    consumables = params.get("consumableResourceProperties")
    if consumables is not None:
        check_consumable_resource_properties(backend, "consumableResourceProperties", consumables)

    revisions = backend.job_definitions.setdefault(name, [])
    revision = revisions[-1].revision + 1 if revisions else 1
    definition = JobDefinition(
        name=name,
        revision=revision,
        arn=backend.arn(f"job-definition/{name}:{revision}"),
        type=kind,
        parameters=parameters,
        retry_strategy=copy.deepcopy(retry),
        timeout=copy.deepcopy(timeout),
        container_properties=stored.get("containerProperties"),
        node_properties=stored.get("nodeProperties"),
        ecs_properties=stored.get("ecsProperties"),
        eks_properties=stored.get("eksProperties"),
        platform_capabilities=platforms,
        propagate_tags=params.get("propagateTags"),
        tags=tags,
        scheduling_priority=params.get("schedulingPriority"),
        consumable_resource_properties=copy.deepcopy(consumables),
        container_orchestration_type="EKS" if eks else "ECS",
        seq=backend.next_seq(),
    )
    revisions.append(definition)
    return {"jobDefinitionName": name, "jobDefinitionArn": definition.arn, "revision": revision}


def _without_empty_environment(stored: dict[str, Any]) -> dict[str, Any]:
    """Environment entries with an empty value are not stored (§21.1 [TF])."""
    if stored.get("containerProperties") is not None:
        stored["containerProperties"] = output_defaults.drop_empty_environment(
            stored["containerProperties"]
        )
    nodes = stored.get("nodeProperties")
    for group in (nodes or {}).get("nodeRangeProperties") or []:
        if group.get("container") is not None:
            group["container"] = output_defaults.drop_empty_environment(group["container"])
    return stored


# -- DescribeJobDefinitions ---------------------------------------------------------------------
def _sort_key(definition: JobDefinition) -> tuple[str, int]:
    return definition.name, definition.revision


def describe_job_definitions(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeJobDefinitions (§10.11): by list, or filtered by name/status and paginated."""
    refs = checks.ref_list(params, "jobDefinitions", "DescribeJobDefinitions")
    name = params.get("jobDefinitionName")
    status = params.get("status")
    if status is not None and status not in STATUSES:
        raise invalid("status", MESSAGES["status"].format(status=status))
    if refs:
        pagination.check_exclusive(params, "jobDefinitions", "JobDefinitions")
        # An ARN list with status=ACTIVE works on AWS [boto/boto3#2908]: name and status
        # filter the listed revisions.
        found = {d.arn: d for ref in refs for d in _matching(backend, ref)}
        ordered = sorted(found.values(), key=_sort_key)
        ordered = [
            d
            for d in ordered
            if (status is None or d.status == status) and (name is None or d.name == name)
        ]
        return {"jobDefinitions": [d.describe() for d in ordered]}
    if name is not None:
        candidates = list(backend.job_definitions.get(name, []))
    else:
        candidates = list(backend.iter_job_definitions())
    if status is not None:
        candidates = [d for d in candidates if d.status == status]
    candidates.sort(key=_sort_key)
    items, token = pagination.page(
        candidates, _sort_key, params, scope=f"DescribeJobDefinitions/{name or ''}/{status or ''}"
    )
    return {"jobDefinitions": [d.describe() for d in items], "nextToken": token}


# -- DeregisterJobDefinition --------------------------------------------------------------------
def deregister_job_definition(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeregisterJobDefinition (§10.10): the revision becomes INACTIVE; again is a no-op.

    A bare name is accepted, as in AWS's own example (§21.2 [CLI-EX][BOTO-EX]); which revisions
    it deregisters is not documented, so it is the option ``deregister_bare_name`` [inferred]:
    the latest ACTIVE revision (the one SubmitJob would run) or every revision.
    """
    ref = params["jobDefinition"]
    split = _split(backend, ref)
    if split is not None and split[1] is None:
        name = split[0]
        active = [d for d in backend.job_definitions.get(name, []) if d.status == "ACTIVE"]
        if not active:
            raise not_found("JobDefinition", ref)
        chosen = active if backend.options.deregister_bare_name == "all" else active[-1:]
        for definition in chosen:
            definition.status = "INACTIVE"
        return {}
    found = find_revision(backend, ref)
    if found is None:
        raise not_found("JobDefinition", ref)
    found.status = "INACTIVE"
    return {}


OPERATIONS: Mapping[str, Handler] = {
    "RegisterJobDefinition": register_job_definition,
    "DescribeJobDefinitions": describe_job_definitions,
    "DeregisterJobDefinition": deregister_job_definition,
}
