"""Scheduling policies: Create/Describe/List/Update/DeleteSchedulingPolicy (§18.3, §14.5-14.7)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import checks, output_defaults, pagination
from batchmock.backend.core.checks import check_name, check_range, drop_none, ref_list
from batchmock.errors import ClientException
from batchmock.service_model import documented_max, documented_min, documented_number

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

DEFAULT_WEIGHT = 1.0
_CREATE = "CreateSchedulingPolicy"

MESSAGES = {
    # [obs: aws-cloudformation/cloudformation-coverage-roadmap#2463] (seen for CEs and queues)
    "exists": "Object already exists",
    # [model] an unknown ARN is a ClientException; the wording is [inferred] like §2.6's
    "not_found": "SchedulingPolicy {ref} not found.",
    # [model] a policy is a fair-share or a quota-share policy (§18.3), never both
    "one_kind": "At most one of fairsharePolicy or quotaSharePolicy may be set",
    # [model] "the policy type can never change" (§18.3); wording [inferred]
    "kind_change": "A scheduling policy created with {old} can't be changed to {new}",
    # [model] Delete is refused while a queue uses the policy (§18.3); wording [inferred]
    "in_use": "Cannot delete, scheduling policy {name} is used by job queue {queue}",
    # [model] ShareAttributes.shareIdentifier text: "limited to 255 alphanumeric characters",
    # an optional trailing '*', and entries must not overlap (§14.5); wording [inferred]
    "share_id": "fairsharePolicy.shareDistribution[{i}].shareIdentifier must be 1-{limit} "
    "characters, optionally followed by a single trailing '*', got '{value}'",
    # [model] "The list of share identifiers in a fair-share policy can't overlap": an entry
    # listed twice overlaps itself
    "duplicate": "fairsharePolicy.shareDistribution: share identifier '{value}' is listed more "
    "than once",
    "overlap": "fairsharePolicy.shareDistribution: share identifiers '{a}' and '{b}' overlap; "
    "a prefix entry (ending in '*') must not cover another entry",
}

NAME_ONLY_FAIRSHARE: dict[str, Any] = {
    "shareDecaySeconds": 0,
    "computeReservation": 0,
    "shareDistribution": [],
}
"""§21.2: a policy created with a name only is a fair-share policy with no decay, no
reservation and no share weights. What AWS shows for it is not observed [inferred]; this is
the form moto shows."""


@dataclass
class SchedulingPolicy:
    """One scheduling policy: a fair-share or a quota-share policy, never both."""

    name: str
    arn: str
    fairshare_policy: dict[str, Any] | None = None
    quota_share_policy: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def share_decay_seconds(self) -> int:
        """The fair-share decay window setting (0 when unset, §14.6)."""
        return int((self.fairshare_policy or {}).get("shareDecaySeconds") or 0)

    @property
    def compute_reservation(self) -> int:
        """The percentage held back for inactive share identifiers (0 when unset, §14.7)."""
        return int((self.fairshare_policy or {}).get("computeReservation") or 0)

    def weight_of(self, identifier: str, active: Iterable[str] = ()) -> float:
        """The weight factor of a share identifier (§14.5).

        An exact entry wins; a prefix entry (``UserA*``) counts once per *active* identifier it
        matches, so the matching group together keeps one share's worth of capacity; anything
        not listed weighs 1.0.
        """
        entries = (self.fairshare_policy or {}).get("shareDistribution") or []
        for entry in entries:
            if entry["shareIdentifier"] == identifier:
                return float(entry.get("weightFactor", DEFAULT_WEIGHT))
        for entry in entries:
            pattern = entry["shareIdentifier"]
            if pattern.endswith("*") and identifier.startswith(pattern[:-1]):
                matching = {a for a in active if a.startswith(pattern[:-1])} | {identifier}
                return float(entry.get("weightFactor", DEFAULT_WEIGHT)) * len(matching)
        return DEFAULT_WEIGHT

    def describe(self) -> dict[str, Any]:
        """The SchedulingPolicyDetail of this policy (AWS's defaults filled in, §21.1)."""
        detail = {
            "name": self.name,
            "arn": self.arn,
            "quotaSharePolicy": copy.deepcopy(self.quota_share_policy),
            "fairsharePolicy": copy.deepcopy(self.fairshare_policy),
            "tags": dict(self.tags) or None,
        }
        return output_defaults.fill("SchedulingPolicyDetail", detail)


def find(backend: BatchBackend, ref: str) -> SchedulingPolicy:
    """The policy with this ARN (or name); ClientException when there is none."""
    found: SchedulingPolicy | None = checks.find_policy(backend, ref)
    if found is None:
        raise ClientException(MESSAGES["not_found"].format(ref=ref))
    return found


def max_share_identifier() -> int | None:
    """How long a share identifier may be: "limited to 255 alphanumeric characters" (model)."""
    return documented_number(
        _CREATE,
        "fairsharePolicy.shareDistribution.member.shareIdentifier",
        r"limited to ([\d,]+) alphanumeric characters",
    )


def max_active_shares() -> int | None:
    """ "There can be no more than 500 share identifiers active in a job queue" (model)."""
    return documented_number(
        _CREATE,
        "fairsharePolicy.shareDistribution.member.shareIdentifier",
        r"no more than ([\d,]+) share identifiers active",
    )


def _fairshare(policy: Mapping[str, Any]) -> dict[str, Any]:
    """A checked copy of a FairsharePolicy (§14.5-14.7), members as given."""
    result = drop_none(policy)
    # the bounds are the model's text: "The maximum supported value is 604800 (1 week)", "The
    # minimum value is 0 and the maximum value is 99"
    for member in ("shareDecaySeconds", "computeReservation"):
        if member in result:
            path = f"fairsharePolicy.{member}"
            low = documented_min(_CREATE, path) or 0
            high = documented_max(_CREATE, path)
            if high is None:
                checks.check_at_least(path, result[member], low)
            else:
                check_range(path, result[member], low, high)
    longest = max_share_identifier()
    entries = [drop_none(e) for e in result.get("shareDistribution") or []]
    seen: list[str] = []
    for i, entry in enumerate(entries):
        ident = entry.get("shareIdentifier")
        if not isinstance(ident, str):
            raise ClientException(MESSAGES["share_id"].format(i=i, limit=longest, value=ident))
        stem = ident[:-1] if ident.endswith("*") else ident
        if not stem or (longest is not None and len(stem) > longest) or "*" in stem:
            raise ClientException(MESSAGES["share_id"].format(i=i, limit=longest, value=ident))
        if "weightFactor" in entry:
            check_range(
                f"fairsharePolicy.shareDistribution[{i}].weightFactor",
                entry["weightFactor"],
                0.0001,
                999.9999,
            )
        for other in seen:
            if other == ident:
                raise ClientException(MESSAGES["duplicate"].format(value=ident))
            if _overlap(other, ident):
                raise ClientException(MESSAGES["overlap"].format(a=other, b=ident))
        seen.append(ident)
    if "shareDistribution" in result:
        result["shareDistribution"] = entries
    return copy.deepcopy(result)


def _overlap(a: str, b: str) -> bool:
    """True when a prefix entry covers the other entry (``UserA*`` vs ``UserA1`` or ``User*``)."""
    for prefix, other in ((a, b), (b, a)):
        if prefix.endswith("*") and other.rstrip("*").startswith(prefix[:-1]):
            return True
    return False


def _bodies(params: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    fair, quota = params.get("fairsharePolicy"), params.get("quotaSharePolicy")
    return (
        None if fair is None else _fairshare(fair),
        None if quota is None else copy.deepcopy(dict(quota)),
    )


def create_scheduling_policy(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateSchedulingPolicy: a name plus at most one of fairsharePolicy/quotaSharePolicy.

    A name alone makes a fair-share policy (§21.2 [docs: API Reference, fairsharePolicy
    "Required: No"]).
    """
    name = check_name("name", params.get("name"), "CreateSchedulingPolicy")
    fair, quota = _bodies(params)
    if fair is not None and quota is not None:
        raise ClientException(MESSAGES["one_kind"])
    if fair is None and quota is None:
        fair = copy.deepcopy(NAME_ONLY_FAIRSHARE)
    tags = optional_tags(params)
    if name in backend.scheduling_policies:
        raise ClientException(MESSAGES["exists"])
    policy = SchedulingPolicy(
        name=name,
        arn=backend.arn(f"scheduling-policy/{name}"),
        fairshare_policy=fair,
        quota_share_policy=quota,
        tags=tags,
    )
    backend.scheduling_policies[name] = policy
    return {"name": policy.name, "arn": policy.arn}


def describe_scheduling_policies(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeSchedulingPolicies: the policies named by ``arns``, unknown ones dropped (G6)."""
    found: list[SchedulingPolicy] = []
    for ref in ref_list(params, "arns", "DescribeSchedulingPolicies"):
        policy = checks.find_policy(backend, ref)
        if policy is not None and policy not in found:
            found.append(policy)
    return {"schedulingPolicies": [p.describe() for p in found]}


def list_scheduling_policies(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListSchedulingPolicies: a page of ``{arn}`` entries, by name."""
    everything = sorted(backend.scheduling_policies.values(), key=lambda p: p.name)
    items, token = pagination.page(
        everything, lambda p: p.name, params, scope="ListSchedulingPolicies"
    )
    return {"schedulingPolicies": [{"arn": p.arn} for p in items], "nextToken": token}


def update_scheduling_policy(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateSchedulingPolicy: replace the policy body whole; its kind never changes (§18.3)."""
    policy = find(backend, params["arn"])
    fair, quota = _bodies(params)
    old_kind = "quotaSharePolicy" if policy.quota_share_policy is not None else "fairsharePolicy"
    for new_kind, body in (("fairsharePolicy", fair), ("quotaSharePolicy", quota)):
        if body is not None and new_kind != old_kind:
            raise ClientException(MESSAGES["kind_change"].format(old=old_kind, new=new_kind))
    if fair is not None:
        policy.fairshare_policy = fair
    if quota is not None:
        policy.quota_share_policy = quota
    backend.engine.kick()
    return {}


def delete_scheduling_policy(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteSchedulingPolicy: refused while any job queue uses the policy."""
    policy = find(backend, params["arn"])
    for queue in backend.job_queues.values():
        if queue.scheduling_policy_arn == policy.arn:
            raise ClientException(MESSAGES["in_use"].format(name=policy.name, queue=queue.name))
    del backend.scheduling_policies[policy.name]
    return {}


OPERATIONS: Mapping[str, Handler] = {
    "CreateSchedulingPolicy": create_scheduling_policy,
    "DescribeSchedulingPolicies": describe_scheduling_policies,
    "ListSchedulingPolicies": list_scheduling_policies,
    "UpdateSchedulingPolicy": update_scheduling_policy,
    "DeleteSchedulingPolicy": delete_scheduling_policy,
}
