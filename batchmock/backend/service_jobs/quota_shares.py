"""Quota shares (§18.6): virtual queues with their own capacity inside a quota-share job queue.

Shares are stored in ``backend.quota_shares`` keyed by ARN,
``arn:aws:batch:<region>:<account>:job-queue/<queue>/quota-share/<name>`` (§3.4); deleting the
queue deletes its shares (``job_queues.delete_job_queue``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane import job_queues as queues
from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import checks, pagination
from batchmock.backend.service_jobs.service_environments import check_capacity_limits
from batchmock.errors import ClientException, invalid, not_found

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

STRATEGIES = ("RESERVE", "LEND", "LEND_AND_BORROW")
PREEMPTION = ("ENABLED", "DISABLED")
STATES = ("ENABLED", "DISABLED")
MAX_SHARES_PER_QUEUE = 20
"""§19: quota shares per quota-management queue."""
UNLIMITED_BORROW = -1
"""The model: borrowLimit defaults to -1, unlimited borrowing."""

MESSAGES = {
    # [obs: aws-cloudformation/cloudformation-coverage-roadmap#2463] (seen for CEs and queues)
    "exists": "Object already exists",
    # Below: the rule's source; the wording is [inferred].
    # [docs: quotas] 20 quota shares per quota-management queue (§19)
    "limit": "A job queue may have at most {limit} quota shares; {queue} has {count}",
    # [model] CreateQuotaShare.jobQueue: "must be in the VALID state before you can associate it
    # with a quota share"
    "queue_status": "jobQueue: job queue {queue} must be VALID to take a quota share, it is "
    "{status}",
    # [model] a quota share belongs to a queue whose policy is a quotaSharePolicy (§18.6)
    "queue_policy": "jobQueue: job queue {queue} has no quota share scheduling policy",
    # [model] §18.6: "Delete requires DISABLED"
    "enabled": "Cannot delete, quota share is ENABLED",
    # [model] borrowLimit "can only be applied to quota shares with a strategy of
    # LEND_AND_BORROW"
    "borrow": "borrowLimit applies only to the LEND_AND_BORROW strategy, not {strategy}",
    # [model] borrowLimit is a percentage; "-1 ... indicates unlimited borrowing"
    "borrow_value": "must be a percentage of at least 0, or -1 for unlimited, got {value!r}",
    # [model] the QuotaShareResourceSharingStrategy, QuotaShareInSharePreemptionState and
    # QuotaShareState enums
    "strategy": "must be one of {choices}, got {value!r}",
    "preemption": "must be ENABLED or DISABLED, got {value!r}",
    "state": "must be ENABLED or DISABLED, got {value!r}",
}


@dataclass
class QuotaShare:
    """One quota share of a job queue (output member names in the dict attributes)."""

    name: str
    arn: str
    job_queue_arn: str
    capacity_limits: list[dict[str, Any]]
    resource_sharing_configuration: dict[str, Any]
    preemption_configuration: dict[str, Any]
    seq: int
    state: str = "ENABLED"
    status: str = "VALID"
    tags: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The ``QuotaShareDetail`` shape of ListQuotaShares (no tags)."""
        return {
            "quotaShareName": self.name,
            "quotaShareArn": self.arn,
            "jobQueueArn": self.job_queue_arn,
            "capacityLimits": copy.deepcopy(self.capacity_limits),
            "resourceSharingConfiguration": copy.deepcopy(self.resource_sharing_configuration),
            "preemptionConfiguration": copy.deepcopy(self.preemption_configuration),
            "state": self.state,
            "status": self.status,
        }

    def describe(self) -> dict[str, Any]:
        """The DescribeQuotaShare output."""
        return checks.drop_none({**self.summary(), "tags": dict(self.tags) or None})


def _check_sharing(value: Any) -> dict[str, Any]:
    member = "resourceSharingConfiguration"
    if not isinstance(value, Mapping):
        raise invalid(member, "is required")
    strategy = value.get("strategy")
    if strategy not in STRATEGIES:
        choices = ", ".join(STRATEGIES)
        raise invalid(
            f"{member}.strategy", MESSAGES["strategy"].format(choices=choices, value=strategy)
        )
    limit = value.get("borrowLimit")
    if limit is not None:
        if strategy != "LEND_AND_BORROW":
            raise invalid(f"{member}.borrowLimit", MESSAGES["borrow"].format(strategy=strategy))
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < UNLIMITED_BORROW:
            raise invalid(f"{member}.borrowLimit", MESSAGES["borrow_value"].format(value=limit))
    stored: dict[str, Any] = {"strategy": strategy}
    if strategy == "LEND_AND_BORROW":
        stored["borrowLimit"] = UNLIMITED_BORROW if limit is None else limit
    return stored


def _check_preemption(value: Any) -> dict[str, Any]:
    member = "preemptionConfiguration"
    if not isinstance(value, Mapping):
        raise invalid(member, "is required")
    flag = value.get("inSharePreemption")
    if flag not in PREEMPTION:
        raise invalid(f"{member}.inSharePreemption", MESSAGES["preemption"].format(value=flag))
    return {"inSharePreemption": flag}


def _check_state(value: Any) -> str:
    if value not in STATES:
        raise invalid("state", MESSAGES["state"].format(value=value))
    return str(value)


def find(backend: BatchBackend, arn: Any) -> QuotaShare | None:
    """The quota share with this ARN, or None."""
    return backend.quota_shares.get(arn) if isinstance(arn, str) else None


def find_in_queue(backend: BatchBackend, queue: Any, name: str) -> QuotaShare | None:
    """The share called ``name`` of ``queue``, or None."""
    return find(backend, f"{queue.arn}/quota-share/{name}")


def _get(backend: BatchBackend, arn: Any) -> QuotaShare:
    found = find(backend, arn)
    if found is None:
        raise not_found("QuotaShare", str(arn))
    return found


def is_quota_share_queue(backend: BatchBackend, queue: Any) -> bool:
    """True when the queue's scheduling policy is a quotaSharePolicy."""
    arn = queue.scheduling_policy_arn
    policy = backend.find_scheduling_policy(arn) if arn else None
    return policy is not None and policy.quota_share_policy is not None


def shares_of(backend: BatchBackend, queue: Any) -> list[QuotaShare]:
    """The quota shares of ``queue``, by name."""
    found = [s for s in backend.quota_shares.values() if s.job_queue_arn == queue.arn]
    return sorted(found, key=lambda s: s.name)


def create_quota_share(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateQuotaShare: on a VALID queue with a quota-share policy, at most 20 per queue."""
    name = checks.check_name("quotaShareName", params.get("quotaShareName"), "CreateQuotaShare")
    queue = queues.find(backend, params["jobQueue"])
    limits = check_capacity_limits("capacityLimits", params.get("capacityLimits"))
    sharing = _check_sharing(params.get("resourceSharingConfiguration"))
    preemption = _check_preemption(params.get("preemptionConfiguration"))
    state = _check_state(params.get("state", "ENABLED"))
    tags = optional_tags(params)
    if queue.status != "VALID":
        raise ClientException(
            MESSAGES["queue_status"].format(queue=queue.name, status=queue.status)
        )
    if not is_quota_share_queue(backend, queue):
        raise ClientException(MESSAGES["queue_policy"].format(queue=queue.name))
    arn = f"{queue.arn}/quota-share/{name}"
    if arn in backend.quota_shares:
        raise ClientException(MESSAGES["exists"])
    existing = shares_of(backend, queue)
    if len(existing) >= MAX_SHARES_PER_QUEUE:
        raise ClientException(
            MESSAGES["limit"].format(
                limit=MAX_SHARES_PER_QUEUE, queue=queue.name, count=len(existing)
            )
        )
    share = QuotaShare(
        name=name,
        arn=arn,
        job_queue_arn=queue.arn,
        capacity_limits=limits,
        resource_sharing_configuration=sharing,
        preemption_configuration=preemption,
        seq=backend.next_seq(),
        state=state,
        tags=tags,
    )
    backend.quota_shares[arn] = share
    return {"quotaShareName": name, "quotaShareArn": arn}


def describe_quota_share(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeQuotaShare: the share's settings, state, status and tags."""
    return _get(backend, params.get("quotaShareArn")).describe()


def update_quota_share(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateQuotaShare: each given member replaces the stored one as a whole."""
    share = _get(backend, params.get("quotaShareArn"))
    changes: dict[str, Any] = {}
    if params.get("capacityLimits") is not None:
        changes["capacity_limits"] = check_capacity_limits(
            "capacityLimits", params["capacityLimits"]
        )
    if params.get("resourceSharingConfiguration") is not None:
        changes["resource_sharing_configuration"] = _check_sharing(
            params["resourceSharingConfiguration"]
        )
    if params.get("preemptionConfiguration") is not None:
        changes["preemption_configuration"] = _check_preemption(params["preemptionConfiguration"])
    if params.get("state") is not None:
        changes["state"] = _check_state(params["state"])
    for attribute, value in changes.items():
        setattr(share, attribute, value)
    backend.engine.kick()  # capacity or state may let waiting jobs move
    return {"quotaShareName": share.name, "quotaShareArn": share.arn}


def delete_quota_share(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteQuotaShare: only a DISABLED share; its service jobs are terminated (§18.6)."""
    from batchmock.backend.service_jobs.service_jobs import terminate_in_share

    share = _get(backend, params.get("quotaShareArn"))
    if share.state != "DISABLED":
        raise ClientException(MESSAGES["enabled"])
    del backend.quota_shares[share.arn]
    terminate_in_share(backend, share)
    return {}


def list_quota_shares(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListQuotaShares: the shares of one queue, by name, a page at a time."""
    queue = queues.find(backend, params["jobQueue"])
    items, token = pagination.page(
        shares_of(backend, queue), lambda s: s.name, params, scope=f"ListQuotaShares/{queue.arn}"
    )
    return {"quotaShares": [s.summary() for s in items], "nextToken": token}


OPERATIONS: Mapping[str, Handler] = {
    "CreateQuotaShare": create_quota_share,
    "DescribeQuotaShare": describe_quota_share,
    "UpdateQuotaShare": update_quota_share,
    "DeleteQuotaShare": delete_quota_share,
    "ListQuotaShares": list_quota_shares,
}
