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
    # Below: the rule's source; the wording is [inferred] unless noted.
    # [docs: quotas] 50 service environments per Region (§19)
    "limit": f"An account may have at most {MAX_SERVICE_ENVIRONMENTS} service environments",
    # [model][docs] §18.5: a service environment must be DISABLED before deletion; worded like
    # the compute environments' text of §2.6
    "enabled": "Cannot delete, service environment is ENABLED",
    # [model][docs] §18.5: and detached from every job queue; worded like the compute
    # environments' [obs: terraform-aws-modules/terraform-aws-batch#9] text
    "in_use": "Cannot delete, found existing JobQueue relationship ({queues})",
    # [model] the ServiceEnvironmentType enum (one value)
    "type": "must be SAGEMAKER_TRAINING, got {value!r}",
    # [model] the ServiceEnvironmentState enum
    "state": "must be ENABLED or DISABLED, got {value!r}",
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
    """The capacity limits as given: a list of objects (the model's types).

    The model sets no count, no bound on ``maxCapacity`` and (for service environments) does
    not require ``capacityUnit``; quota shares' limits require both members, which the protocol
    layer checks from the model. The issue 10 audit removed the [inferred] rules that were here
    (at least one limit, ``maxCapacity >= 1``, each unit once).
    """
    if not isinstance(limits, list):
        raise invalid(member, "must be a list of capacity limits")
    for index, raw in enumerate(limits):
        if not isinstance(raw, Mapping):
            raise invalid(f"{member}[{index}]", "must be an object")
    return [copy.deepcopy(dict(entry)) for entry in limits]


def _check_state(value: Any) -> str:
    if value not in STATES:
        raise invalid("state", MESSAGES["state"].format(value=value))
    return str(value)


def create_service_environment(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateServiceEnvironment: a VALID environment at once (G8), ENABLED unless told."""
    name = checks.check_name(
        "serviceEnvironmentName", params.get("serviceEnvironmentName"), "CreateServiceEnvironment"
    )
    kind = params.get("serviceEnvironmentType")
    if kind not in TYPES:
        raise invalid("serviceEnvironmentType", MESSAGES["type"].format(value=kind))
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
