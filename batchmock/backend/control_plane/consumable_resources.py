"""Consumable resources (§18.4): licences and other counted things jobs hold while they run.

The engine asks a resource for quantity with :meth:`ConsumableResource.try_acquire` when a job
starts and gives it back with :meth:`ConsumableResource.release` when the job ends; a
NON_REPLENISHABLE resource is used up instead of returned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import arns, checks, pagination
from batchmock.errors import ClientException, invalid, not_found

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

RESOURCE_TYPES = ("REPLENISHABLE", "NON_REPLENISHABLE")
OPERATIONS_ON_QUANTITY = ("SET", "ADD", "REMOVE")
MAX_RESOURCES = 50_000
"""§19: consumable resources per account and Region."""
CLIENT_TOKEN_MS = 8 * 3600 * 1000
"""§18.4: an UpdateConsumableResource clientToken makes repeats idempotent for 8 hours."""
JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")

MESSAGES = {
    # [obs: aws-cloudformation/cloudformation-coverage-roadmap#2463] (seen for CEs and queues)
    "exists": "Object already exists",
    # Below: the rule's source; the wording is [inferred] (AWS's texts were not found).
    # [docs: Resource: AWS Batch service quotas] §18.4
    "limit": f"An account may have at most {MAX_RESOURCES} consumable resources",
    # [model] totalQuantity is non-negative (§18.4)
    "negative": "would make totalQuantity negative ({total})",
    # [model] the filter names the operation documents
    "filter": "unknown filter name '{name}'; valid names: {valid}",
}


def now_ms(backend: BatchBackend) -> int:
    """The mock clock's time in epoch milliseconds (the one place the peripheral modules ask)."""
    return int(backend.engine.now_ms())


@dataclass
class ConsumableResource:
    """One consumable resource; ``in_use_quantity`` is what running jobs hold."""

    name: str
    arn: str
    total_quantity: int
    resource_type: str
    created_at: int
    tags: dict[str, str] = field(default_factory=dict)
    in_use_quantity: int = 0
    seq: int = 0
    client_tokens: dict[str, tuple[int, str, int]] = field(default_factory=dict, repr=False)
    """clientToken -> (time used, request fingerprint, totalQuantity answered)."""

    @property
    def available_quantity(self) -> int:
        """What jobs may still acquire (never below zero, even after the total was lowered)."""
        return max(self.total_quantity - self.in_use_quantity, 0)

    def try_acquire(self, quantity: int) -> bool:
        """Take ``quantity`` for a job that starts; False (nothing taken) when not enough."""
        if quantity > self.available_quantity:
            return False
        self.in_use_quantity += quantity
        return True

    def release(self, quantity: int) -> None:
        """A job that held ``quantity`` ended: give it back, or use it up (NON_REPLENISHABLE)."""
        self.in_use_quantity = max(self.in_use_quantity - quantity, 0)
        if self.resource_type == "NON_REPLENISHABLE":
            self.total_quantity = max(self.total_quantity - quantity, 0)

    def summary(self) -> dict[str, Any]:
        """The ``ConsumableResourceSummary`` output shape."""
        return {
            "consumableResourceArn": self.arn,
            "consumableResourceName": self.name,
            "totalQuantity": self.total_quantity,
            "inUseQuantity": self.in_use_quantity,
            "resourceType": self.resource_type,
        }

    def describe(self) -> dict[str, Any]:
        """The DescribeConsumableResource output."""
        return {
            "consumableResourceName": self.name,
            "consumableResourceArn": self.arn,
            "totalQuantity": self.total_quantity,
            "inUseQuantity": self.in_use_quantity,
            "availableQuantity": self.available_quantity,
            "resourceType": self.resource_type,
            "createdAt": self.created_at,
            "tags": dict(self.tags) or None,
        }


def find(backend: BatchBackend, ref: Any) -> ConsumableResource | None:
    """The consumable resource a name or ARN names, or None."""
    if not isinstance(ref, str):
        return None
    name = backend.name_of(ref, "consumable-resource")
    if name is None:
        return None
    found: ConsumableResource | None = backend.consumable_resources.get(name)
    if found is not None and arns.is_arn(ref) and ref != found.arn:
        return None  # right name, other account or Region
    return found


def _get(backend: BatchBackend, params: Mapping[str, Any]) -> ConsumableResource:
    ref = params.get("consumableResource")
    found = find(backend, ref)
    if found is None:
        raise not_found("ConsumableResource", str(ref))
    return found


def check_consumable_resource_properties(
    backend: BatchBackend, member_path: str, props: Any
) -> list[tuple[ConsumableResource, int]]:
    """``consumableResourceProperties`` of a definition, job or override: existing resources,
    each named once, with a quantity of at least 1. Returns (resource, quantity) pairs."""
    if not isinstance(props, Mapping):
        raise invalid(member_path, "must be an object")
    path = f"{member_path}.consumableResourceList"
    entries = props.get("consumableResourceList") or []
    if not isinstance(entries, list):
        raise invalid(path, "must be a list")
    found: list[tuple[ConsumableResource, int]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise invalid(f"{path}[{index}]", "must be an object")
        ref = entry.get("consumableResource")
        resource = find(backend, ref)
        if resource is None:
            raise invalid(
                f"{path}[{index}].consumableResource", f"consumable resource {ref!r} not found"
            )
        # a resource listed twice needs both quantities (no source says AWS refuses it)
        quantity = entry.get("quantity")
        # [model] the quantity needed: a non-negative count (a zero needs nothing)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise invalid(f"{path}[{index}].quantity", f"must be at least 0, got {quantity!r}")
        found.append((resource, quantity))
    return found


def _check_quantity(member: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(member, f"must be a non-negative integer, got {value!r}")
    return value


# -- handlers ----------------------------------------------------------------------------------
def create_consumable_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateConsumableResource: a unique name, totalQuantity >= 0, REPLENISHABLE by default."""
    name = checks.check_name(
        "consumableResourceName", params.get("consumableResourceName"), "CreateConsumableResource"
    )
    total = params.get("totalQuantity")
    # [inferred] the model does not require totalQuantity; a resource without one holds 0
    total = 0 if total is None else _check_quantity("totalQuantity", total)
    kind = params.get("resourceType")
    kind = "REPLENISHABLE" if kind is None else kind
    if kind not in RESOURCE_TYPES:
        raise invalid("resourceType", f"must be REPLENISHABLE or NON_REPLENISHABLE, got {kind!r}")
    tags = optional_tags(params)
    if name in backend.consumable_resources:
        raise ClientException(MESSAGES["exists"])
    if len(backend.consumable_resources) >= MAX_RESOURCES:
        raise ClientException(MESSAGES["limit"])
    resource = ConsumableResource(
        name=name,
        arn=backend.arn(f"consumable-resource/{name}"),
        total_quantity=total,
        resource_type=kind,
        created_at=now_ms(backend),
        tags=tags,
        seq=backend.next_seq(),
    )
    backend.consumable_resources[name] = resource
    return {"consumableResourceName": name, "consumableResourceArn": resource.arn}


def describe_consumable_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeConsumableResource: totals, what is in use and what is available."""
    return checks.drop_none(_get(backend, params).describe())


def update_consumable_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateConsumableResource: SET, ADD or REMOVE a quantity; clientToken repeats are no-ops."""
    resource = _get(backend, params)
    operation = params.get("operation")
    operation = "SET" if operation is None else operation  # [inferred] the model sets no default
    if operation not in OPERATIONS_ON_QUANTITY:
        raise invalid("operation", f"must be SET, ADD or REMOVE, got {operation!r}")
    if params.get("quantity") is None:
        # [model] quantity is optional: an update without one changes nothing
        return _update_result(resource, resource.total_quantity)
    quantity = _check_quantity("quantity", params["quantity"])
    token = params.get("clientToken")
    now = now_ms(backend)
    fingerprint = json.dumps([operation, quantity])
    if token is not None:
        used = resource.client_tokens.get(token)
        # [model] only "identical payloads and clientTokens" are the same request: another
        # payload under the same token is a new update (no source says AWS refuses it)
        if used is not None and now - used[0] < CLIENT_TOKEN_MS and used[1] == fingerprint:
            return _update_result(resource, used[2])
    if operation == "SET":
        total = quantity
    elif operation == "ADD":
        total = resource.total_quantity + quantity
    else:
        total = resource.total_quantity - quantity
    if total < 0:
        raise invalid("quantity", MESSAGES["negative"].format(total=total))
    resource.total_quantity = total
    if token is not None:
        resource.client_tokens = {
            k: v for k, v in resource.client_tokens.items() if now - v[0] < CLIENT_TOKEN_MS
        }
        resource.client_tokens[token] = (now, fingerprint, total)
    backend.engine.kick()  # more quantity may let waiting jobs start
    return _update_result(resource, total)


def _update_result(resource: ConsumableResource, total: int) -> dict[str, Any]:
    return {
        "consumableResourceName": resource.name,
        "consumableResourceArn": resource.arn,
        "totalQuantity": total,
    }


def delete_consumable_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteConsumableResource: the resource and its tags go."""
    resource = _get(backend, params)
    del backend.consumable_resources[resource.name]
    return {}


def name_matches(name: str, values: Iterable[str]) -> bool:
    """Case-insensitive match; a value ending in ``*`` matches names that start with the rest."""
    lowered = name.lower()
    for value in values:
        pattern = value.lower()
        if pattern.endswith("*"):
            if lowered.startswith(pattern[:-1]):
                return True
        elif lowered == pattern:
            return True
    return False


def parse_filters(params: Mapping[str, Any], valid: tuple[str, ...]) -> dict[str, list[str]]:
    """``filters`` as ``{name: values}``; unknown names are refused."""
    found: dict[str, list[str]] = {}
    for index, raw in enumerate(params.get("filters") or []):
        name = raw.get("name") if isinstance(raw, Mapping) else None
        if name not in valid:
            raise invalid(
                f"filters[{index}].name",
                MESSAGES["filter"].format(name=name, valid=", ".join(valid)),
            )
        values = raw.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise invalid(f"filters[{index}].values", "must be a list of strings")
        found.setdefault(name, []).extend(values)
    return found


def list_consumable_resources(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListConsumableResources, with the CONSUMABLE_RESOURCE_NAME filter; by creation."""
    filters = parse_filters(params, ("CONSUMABLE_RESOURCE_NAME",))
    resources = list(backend.consumable_resources.values())
    if "CONSUMABLE_RESOURCE_NAME" in filters:
        values = filters["CONSUMABLE_RESOURCE_NAME"]
        resources = [r for r in resources if name_matches(r.name, values)]
    scope = "ListConsumableResources/" + json.dumps(filters, sort_keys=True)
    items, token = pagination.page(resources, lambda r: r.seq, params, scope=scope)
    return {"consumableResources": [r.summary() for r in items], "nextToken": token}


def _job_quantity(backend: BatchBackend, job: Any, resource: ConsumableResource) -> int | None:
    """How much of ``resource`` the job asks for, or None when it asks for none."""
    props = job.spec.consumable_resource_properties or {}
    for entry in props.get("consumableResourceList") or []:
        if find(backend, entry.get("consumableResource")) is resource:
            return int(entry.get("quantity") or 0)
    return None


def list_jobs_by_consumable_resource(
    backend: BatchBackend, params: dict[str, Any]
) -> dict[str, Any]:
    """ListJobsByConsumableResource: the jobs that need the resource; JOB_STATUS, JOB_NAME."""
    resource = _get(backend, params)
    filters = parse_filters(params, ("JOB_STATUS", "JOB_NAME"))
    for index, status in enumerate(filters.get("JOB_STATUS", [])):
        if status not in JOB_STATUSES:
            raise invalid(
                f"filters.JOB_STATUS.values[{index}]",
                f"must be one of {', '.join(JOB_STATUSES)}, got '{status}'",
            )
    rows: list[tuple[Any, int]] = []
    jobs = [
        job
        for queue in backend.job_queues.values()
        for job in backend.engine.jobs_in_queue(queue.name, None)
    ]
    for job in jobs:
        if job.is_child:
            continue  # [inferred] like ListJobs: array children and MNP nodes are not listed
        quantity = _job_quantity(backend, job, resource)
        if quantity is None:
            continue
        if "JOB_STATUS" in filters and job.status not in filters["JOB_STATUS"]:
            continue
        if "JOB_NAME" in filters and not name_matches(job.name, filters["JOB_NAME"]):
            continue
        rows.append((job, quantity))
    rows.sort(key=lambda row: row[0].seq)
    scope = f"ListJobsByConsumableResource/{resource.arn}/" + json.dumps(filters, sort_keys=True)
    items, token = pagination.page(rows, lambda row: row[0].seq, params, scope=scope)
    return {"jobs": [_job_summary(job, quantity) for job, quantity in items], "nextToken": token}


def _job_summary(job: Any, quantity: int) -> dict[str, Any]:
    return checks.drop_none(
        {
            "jobArn": job.arn,
            "jobQueueArn": job.spec.queue.arn,
            "jobName": job.name,
            "jobDefinitionArn": job.spec.definition.arn,
            "shareIdentifier": job.spec.share_identifier,
            "jobStatus": job.status,
            "quantity": quantity,
            "statusReason": job.status_reason,
            "startedAt": job.started_at,
            "createdAt": job.created_at,
            "consumableResourceProperties": job.spec.consumable_resource_properties,
        }
    )


OPERATIONS: Mapping[str, Handler] = {
    "CreateConsumableResource": create_consumable_resource,
    "DescribeConsumableResource": describe_consumable_resource,
    "UpdateConsumableResource": update_consumable_resource,
    "DeleteConsumableResource": delete_consumable_resource,
    "ListConsumableResources": list_consumable_resources,
    "ListJobsByConsumableResource": list_jobs_by_consumable_resource,
}
