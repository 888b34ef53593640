"""Service environments (§18.5): SageMaker Training capacity that SAGEMAKER_TRAINING queues use."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import arns, checks, pagination
from batchmock.errors import ClientException, invalid, not_found

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

TYPES = ("SAGEMAKER_TRAINING",)
STATES = ("ENABLED", "DISABLED")
MAX_SERVICE_ENVIRONMENTS = 50
"""§19: service environments per Region."""

MESSAGES = {
    # [obs: aws-cloudformation/cloudformation-coverage-roadmap#2463] (seen for CEs and queues)
    "exists": "Object already exists",
    # Below: each rule is §18.5 [model][docs: quotas]; the texts are [inferred]
    "limit": f"An account may have at most {MAX_SERVICE_ENVIRONMENTS} service environments",
    # [inferred] worded like the compute-environment messages of §2.6
    "enabled": "Cannot delete, service environment is ENABLED",
    "in_use": "Cannot delete, found existing JobQueue relationship ({queues})",
}


@dataclass
class ServiceEnvironment:
    """One service environment; ``capacity_limits`` as given (model member names)."""

    name: str
    arn: str
    type: str
    capacity_limits: list[dict[str, Any]]
    seq: int
    state: str = "ENABLED"
    status: str = "VALID"
    tags: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The ``ServiceEnvironmentDetail`` output shape."""
        return checks.drop_none(
            {
                "serviceEnvironmentName": self.name,
                "serviceEnvironmentArn": self.arn,
                "serviceEnvironmentType": self.type,
                "state": self.state,
                "status": self.status,
                "capacityLimits": copy.deepcopy(self.capacity_limits),
                "tags": dict(self.tags) or None,
            }
        )


def find(backend: BatchBackend, ref: Any) -> ServiceEnvironment | None:
    """The service environment a name or ARN names, or None."""
    if not isinstance(ref, str):
        return None
    name = backend.name_of(ref, "service-environment")
    found: ServiceEnvironment | None = (
        None if name is None else backend.service_environments.get(name)
    )
    if found is not None and arns.is_arn(ref) and ref != found.arn:
        return None
    return found


def _get(backend: BatchBackend, ref: Any) -> ServiceEnvironment:
    found = find(backend, ref)
    if found is None:
        raise not_found("ServiceEnvironment", str(ref))
    return found


def check_capacity_limits(member: str, limits: Any) -> list[dict[str, Any]]:
    """At least one ``{maxCapacity >= 1, capacityUnit}``, each unit once ([inferred] bounds)."""
    if not isinstance(limits, list) or not limits:
        raise invalid(member, "must hold at least one capacity limit")
    units: set[str] = set()
    for index, raw in enumerate(limits):
        entry = raw if isinstance(raw, Mapping) else {}
        capacity = entry.get("maxCapacity")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise invalid(f"{member}[{index}].maxCapacity", f"must be at least 1, got {capacity!r}")
        unit = entry.get("capacityUnit")
        if not isinstance(unit, str) or not unit:
            raise invalid(
                f"{member}[{index}].capacityUnit",
                "is required: NUM_INSTANCES or an instance type such as ml.m5.large",
            )
        if unit in units:
            raise invalid(f"{member}[{index}].capacityUnit", f"'{unit}' is listed twice")
        units.add(unit)
    return [copy.deepcopy(dict(entry)) for entry in limits]


def _check_state(value: Any) -> str:
    if value not in STATES:
        raise invalid("state", f"must be ENABLED or DISABLED, got {value!r}")
    return str(value)


def create_service_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateServiceEnvironment: a VALID environment at once (G8), ENABLED unless told."""
    name = checks.check_name(
        "serviceEnvironmentName", params.get("serviceEnvironmentName"), "CreateServiceEnvironment"
    )
    kind = params.get("serviceEnvironmentType")
    if kind not in TYPES:
        raise invalid("serviceEnvironmentType", f"must be SAGEMAKER_TRAINING, got {kind!r}")
    state = _check_state(params.get("state", "ENABLED"))
    limits = check_capacity_limits("capacityLimits", params.get("capacityLimits"))
    tags = optional_tags(params)
    if name in backend.service_environments:
        raise ClientException(MESSAGES["exists"])
    if len(backend.service_environments) >= MAX_SERVICE_ENVIRONMENTS:
        raise ClientException(MESSAGES["limit"])
    env = ServiceEnvironment(
        name=name,
        arn=backend.arn(f"service-environment/{name}"),
        type=str(kind),
        capacity_limits=limits,
        seq=backend.next_seq(),
        state=state,
        tags=tags,
    )
    backend.service_environments[name] = env
    return {"serviceEnvironmentName": name, "serviceEnvironmentArn": env.arn}


def describe_service_environments(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeServiceEnvironments: by names/ARNs, or all of them a page at a time."""
    items, token = pagination.named_or_page(
        params,
        "serviceEnvironments",
        "ServiceEnvironments",
        lambda ref: find(backend, ref),
        lambda: sorted(backend.service_environments.values(), key=lambda e: e.name),
        lambda e: e.name,
        scope="DescribeServiceEnvironments",
    )
    return {"serviceEnvironments": [e.describe() for e in items], "nextToken": token}


def update_service_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateServiceEnvironment: state and/or capacityLimits (replaced as a whole)."""
    env = _get(backend, params.get("serviceEnvironment"))
    state = _check_state(params["state"]) if params.get("state") is not None else None
    limits = None
    if params.get("capacityLimits") is not None:
        limits = check_capacity_limits("capacityLimits", params["capacityLimits"])
    if state is not None:
        env.state = state
    if limits is not None:
        env.capacity_limits = limits
    return {"serviceEnvironmentName": env.name, "serviceEnvironmentArn": env.arn}


def queues_using(backend: BatchBackend, env: ServiceEnvironment) -> list[Any]:
    """The job queues whose serviceEnvironmentOrder lists ``env``."""
    return [
        queue
        for queue in backend.job_queues.values()
        if any(name == env.name for _, name in getattr(queue, "service_environment_order", []))
    ]


def delete_service_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteServiceEnvironment: only when DISABLED and detached from every queue (§18.5)."""
    env = _get(backend, params.get("serviceEnvironment"))
    if env.state != "DISABLED":
        raise ClientException(MESSAGES["enabled"])
    users = queues_using(backend, env)
    if users:
        raise ClientException(MESSAGES["in_use"].format(queues=", ".join(q.name for q in users)))
    del backend.service_environments[env.name]
    return {}


OPERATIONS: Mapping[str, Handler] = {
    "CreateServiceEnvironment": create_service_environment,
    "DescribeServiceEnvironments": describe_service_environments,
    "UpdateServiceEnvironment": update_service_environment,
    "DeleteServiceEnvironment": delete_service_environment,
}
