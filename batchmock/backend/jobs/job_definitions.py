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
from batchmock.backend.core import arns, checks, pagination
from batchmock.backend.jobs import job_definition_checks as structure
from batchmock.backend.jobs import job_definition_rules as rules
from batchmock.errors import ClientException, invalid, not_found

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

MAX_DEFINITION_BYTES = 24 * 1024
"""§10.13 / §19: a job definition may be at most 24 KiB."""
STATUSES = ("ACTIVE", "INACTIVE")
PLATFORMS = ("EC2", "FARGATE")

MESSAGES = {
    # [inferred] worded like the SubmitJob size error of §2.6
    "size": "Job definition size must be less than 24 KiB, got {size} KiB",
    # [inferred] the model says the list "can't be used with other parameters"
    "list_exclusive": "Error executing request, Exception : JobDefinitions cannot be combined "
    "with jobDefinitionName or status",
    # [inferred] §10.10: deregistration needs a revision
    "needs_revision": "must be name:revision or a job definition ARN with a revision, got '{ref}'",
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
    propagate_tags: bool = False
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
            # the model gives the tag map a minimum of one entry: no tags means no member
            "tags": self.tags or None,
            "propagateTags": None
            if self.container_orchestration_type == "EKS"
            else self.propagate_tags,
            "platformCapabilities": self.platform_capabilities or None,
            "ecsProperties": self.ecs_properties,
            "eksProperties": self.eks_properties,
            "containerOrchestrationType": self.container_orchestration_type,
            "consumableResourceProperties": self.consumable_resource_properties,
        }
        return copy.deepcopy(checks.drop_none(out))


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
    """Revisions a DescribeJobDefinitions list entry names ([inferred] a bare name: all)."""
    split = _split(backend, ref)
    if split is None:
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
    given = params.get("platformCapabilities")
    if given is None or given == []:
        # §10.2: EC2 by default; EKS definitions have no platform capabilities
        return [] if eks else ["EC2"]
    if eks:
        raise invalid("platformCapabilities", "must not be set for Amazon EKS job definitions")
    if not isinstance(given, list) or len(given) != 1 or given[0] not in PLATFORMS:
        raise invalid("platformCapabilities", f'must be ["EC2"] or ["FARGATE"], got {given!r}')
    return list(given)


def _check_parameters(value: Any) -> dict[str, str]:
    parameters = rules.check_object("parameters", value)
    for key, item in parameters.items():
        if not isinstance(item, str):
            raise invalid(f"parameters.{key}", "must be a string")
    return dict(parameters)


def register_job_definition(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """RegisterJobDefinition: a new ACTIVE revision (one more than the last, §3.5)."""
    name = checks.check_name("jobDefinitionName", params.get("jobDefinitionName"))
    kind = params.get("type")
    if kind not in ("container", "multinode"):
        raise invalid("type", f"must be container or multinode, got {kind!r}")
    _check_size(params)
    eks = _uses_eks(params)
    platforms = _platforms(params, eks)
    fargate = "FARGATE" in platforms
    if eks and params.get("propagateTags"):
        raise invalid("propagateTags", "must not be set for Amazon EKS job definitions")
    stored = structure.check_properties(
        params, fargate, backend.options.fargate_requires_execution_role
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
        propagate_tags=bool(params.get("propagateTags", False)),
        tags=tags,
        scheduling_priority=params.get("schedulingPriority"),
        consumable_resource_properties=copy.deepcopy(consumables),
        container_orchestration_type="EKS" if eks else "ECS",
        seq=backend.next_seq(),
    )
    revisions.append(definition)
    return {"jobDefinitionName": name, "jobDefinitionArn": definition.arn, "revision": revision}


# -- DescribeJobDefinitions ---------------------------------------------------------------------
def _sort_key(definition: JobDefinition) -> tuple[str, int]:
    return definition.name, definition.revision


def describe_job_definitions(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeJobDefinitions (§10.11): by list, or filtered by name/status and paginated."""
    refs = checks.ref_list(params, "jobDefinitions")
    if refs:
        pagination.check_exclusive(params, "jobDefinitions", "JobDefinitions")
        if params.get("jobDefinitionName") is not None or params.get("status") is not None:
            raise ClientException(MESSAGES["list_exclusive"])
        found = {d.arn: d for ref in refs for d in _matching(backend, ref)}
        ordered = sorted(found.values(), key=_sort_key)
        return {"jobDefinitions": [d.describe() for d in ordered]}
    name = params.get("jobDefinitionName")
    status = params.get("status")
    if status is not None and status not in STATUSES:
        raise invalid("status", f"must be ACTIVE or INACTIVE, got {status!r}")
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
    """DeregisterJobDefinition (§10.10): the revision becomes INACTIVE; again is a no-op."""
    ref = params.get("jobDefinition")
    split = _split(backend, ref)
    if split is not None and split[1] is None:
        raise invalid("jobDefinition", MESSAGES["needs_revision"].format(ref=ref))
    definition = find_revision(backend, ref) if isinstance(ref, str) else None
    if definition is None:
        raise not_found("JobDefinition", str(ref))
    definition.status = "INACTIVE"
    return {}


OPERATIONS: Mapping[str, Handler] = {
    "RegisterJobDefinition": register_job_definition,
    "DescribeJobDefinitions": describe_job_definitions,
    "DeregisterJobDefinition": deregister_job_definition,
}
