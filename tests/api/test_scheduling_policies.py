"""Scheduling policies through boto3 (reference §18.3, §14.5-14.7)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import documented_number, error_of, requires_member

PREFIX = "arn:aws:batch:us-east-1:123456789012"
FAIR = {
    "shareDecaySeconds": 3600,
    "computeReservation": 50,
    "shareDistribution": [
        {"shareIdentifier": "teamA", "weightFactor": 0.5},
        {"shareIdentifier": "teamB*"},
    ],
}


def describe(batch: Any, arn: str) -> dict[str, Any]:
    found = batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"]
    assert len(found) == 1
    detail: dict[str, Any] = found[0]
    return detail


def create(batch: Any, name: str = "p", fair: dict[str, Any] | None = None, **kw: Any) -> str:
    if "quotaSharePolicy" not in kw:
        kw["fairsharePolicy"] = FAIR if fair is None else fair
    arn: str = batch.create_scheduling_policy(name=name, **kw)["arn"]
    return arn


def test_create_and_describe_fair_share(batch: Any) -> None:
    out = batch.create_scheduling_policy(name="p", fairsharePolicy=FAIR, tags={"k": "v"})
    assert out["name"] == "p"
    assert out["arn"] == f"{PREFIX}:scheduling-policy/p"
    detail = describe(batch, out["arn"])
    assert detail == {"name": "p", "arn": out["arn"], "fairsharePolicy": FAIR, "tags": {"k": "v"}}


@requires_member("SchedulingPolicyDetail", "quotaSharePolicy")
def test_create_quota_share(batch: Any) -> None:
    arn = create(batch, quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"})
    detail = describe(batch, arn)
    assert detail["quotaSharePolicy"] == {"idleResourceAssignmentStrategy": "FIFO"}
    assert "fairsharePolicy" not in detail
    assert detail["tags"] == {}  # §21.1


@requires_member("SchedulingPolicyDetail", "quotaSharePolicy")
def test_at_most_one_policy_kind(batch: Any) -> None:
    message = error_of(
        batch.create_scheduling_policy,
        name="p",
        fairsharePolicy={},
        quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"},
    )
    assert message == "At most one of fairsharePolicy or quotaSharePolicy may be set"


def test_name_in_use_and_invalid(batch: Any) -> None:
    create(batch)
    assert error_of(create, batch) == "Object already exists"
    limit = documented_number("CreateSchedulingPolicy", "name")
    assert error_of(create, batch, "no/slash").startswith(f"name must be 1-{limit} characters")


# the bounds as the installed model's documentation states them
DECAY_MAX = documented_number(
    "CreateSchedulingPolicy",
    "fairsharePolicy.shareDecaySeconds",
    r"maximum supported value is (\d+)",
)
RESERVATION_MAX = documented_number(
    "CreateSchedulingPolicy", "fairsharePolicy.computeReservation", r"maximum value is (\d+)"
)
SHARE_ID_MAX = documented_number(
    "CreateSchedulingPolicy",
    "fairsharePolicy.shareDistribution.member.shareIdentifier",
    r"limited to (\d+) alphanumeric characters",
)


@pytest.mark.parametrize(
    ("fair", "member"),
    [
        ({"shareDecaySeconds": DECAY_MAX + 1}, "fairsharePolicy.shareDecaySeconds"),
        ({"shareDecaySeconds": -1}, "fairsharePolicy.shareDecaySeconds"),
        ({"computeReservation": RESERVATION_MAX + 1}, "fairsharePolicy.computeReservation"),
        (
            {"shareDistribution": [{"shareIdentifier": "a", "weightFactor": 0.00001}]},
            "fairsharePolicy.shareDistribution[0].weightFactor",
        ),
        (
            {"shareDistribution": [{"shareIdentifier": "a", "weightFactor": 1000.0}]},
            "fairsharePolicy.shareDistribution[0].weightFactor",
        ),
    ],
)
def test_fair_share_ranges(batch: Any, fair: dict[str, Any], member: str) -> None:
    assert error_of(create, batch, fair=fair).startswith(f"{member} must be between")


def test_fair_share_limits_accepted(batch: Any) -> None:
    fair = {
        "shareDecaySeconds": DECAY_MAX,
        "computeReservation": RESERVATION_MAX,
        "shareDistribution": [
            {"shareIdentifier": "a" * SHARE_ID_MAX, "weightFactor": 0.0001},
            {"shareIdentifier": "b", "weightFactor": 999.9999},
        ],
    }
    arn = create(batch, fair=fair)
    assert describe(batch, arn)["fairsharePolicy"] == fair


@pytest.mark.parametrize(
    ("first", "second"),
    [("UserA*", "UserA1"), ("UserA1", "UserA*"), ("User*", "UserA*"), ("UserA", "UserA*")],
)
def test_prefix_must_not_overlap(batch: Any, first: str, second: str) -> None:
    fair = {"shareDistribution": [{"shareIdentifier": first}, {"shareIdentifier": second}]}
    assert error_of(create, batch, fair=fair) == (
        f"fairsharePolicy.shareDistribution: share identifiers '{first}' and '{second}' overlap; a "
        "prefix entry (ending in '*') must not cover another entry"
    )


def test_distinct_prefixes_are_fine(batch: Any) -> None:
    fair = {"shareDistribution": [{"shareIdentifier": "UserA*"}, {"shareIdentifier": "UserB1"}]}
    create(batch, fair=fair)


def test_duplicate_identifier(batch: Any) -> None:
    fair = {"shareDistribution": [{"shareIdentifier": "x"}, {"shareIdentifier": "x"}]}
    assert error_of(create, batch, fair=fair) == (
        "fairsharePolicy.shareDistribution: share identifier 'x' is listed more than once"
    )


@pytest.mark.parametrize("ident", ["*", "a*b", "a" * (SHARE_ID_MAX + 1), "**"])
def test_bad_share_identifier(batch: Any, ident: str) -> None:
    fair = {"shareDistribution": [{"shareIdentifier": ident}]}
    assert error_of(create, batch, fair=fair).startswith(
        "fairsharePolicy.shareDistribution[0].shareIdentifier must be"
    )


def test_describe_drops_unknown_and_accepts_many(batch: Any) -> None:
    a = create(batch, "a")
    b = create(batch, "b")
    found = batch.describe_scheduling_policies(arns=[b, f"{PREFIX}:scheduling-policy/ghost", a])[
        "schedulingPolicies"
    ]
    assert [p["name"] for p in found] == ["b", "a"]


def test_describe_more_than_100_rejected(batch: Any) -> None:
    message = error_of(
        batch.describe_scheduling_policies,
        arns=[f"{PREFIX}:scheduling-policy/p{i}" for i in range(101)],
    )
    assert "at most 100" in message


def test_list_returns_arns_only_by_name(batch: Any) -> None:
    for name in ("c", "a", "b"):
        create(batch, name)
    listed = batch.list_scheduling_policies()["schedulingPolicies"]
    assert listed == [{"arn": f"{PREFIX}:scheduling-policy/{n}"} for n in "abc"]


def test_list_paginator(batch: Any) -> None:
    for i in range(7):
        create(batch, f"p{i}")
    pages = list(
        batch.get_paginator("list_scheduling_policies").paginate(PaginationConfig={"PageSize": 3})
    )
    assert [len(p["schedulingPolicies"]) for p in pages] == [3, 3, 1]
    arns = [e["arn"] for p in pages for e in p["schedulingPolicies"]]
    assert arns == [f"{PREFIX}:scheduling-policy/p{i}" for i in range(7)]


def test_update_replaces_the_body(batch: Any) -> None:
    arn = create(batch)
    out = batch.update_scheduling_policy(arn=arn, fairsharePolicy={"computeReservation": 10})
    assert set(out) == {"ResponseMetadata"}
    assert describe(batch, arn)["fairsharePolicy"] == {"computeReservation": 10}


@requires_member("SchedulingPolicyDetail", "quotaSharePolicy")
def test_update_cannot_change_kind(batch: Any) -> None:
    arn = create(batch)
    message = error_of(
        batch.update_scheduling_policy,
        arn=arn,
        quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"},
    )
    assert message == (
        "A scheduling policy created with fairsharePolicy can't be changed to quotaSharePolicy"
    )
    assert describe(batch, arn)["fairsharePolicy"] == FAIR


def test_rejected_update_changes_nothing(batch: Any) -> None:
    arn = create(batch)
    too_much = {"computeReservation": RESERVATION_MAX + 1}
    error_of(batch.update_scheduling_policy, arn=arn, fairsharePolicy=too_much)
    assert describe(batch, arn)["fairsharePolicy"] == FAIR


def test_update_and_delete_unknown(batch: Any) -> None:
    ghost = f"{PREFIX}:scheduling-policy/ghost"
    expected = f"SchedulingPolicy {ghost} not found."
    assert error_of(batch.update_scheduling_policy, arn=ghost, fairsharePolicy={}) == expected
    assert error_of(batch.delete_scheduling_policy, arn=ghost) == expected


def test_delete_refused_while_used(batch: Any) -> None:
    arn = create(batch)
    batch.create_compute_environment(
        computeEnvironmentName="ce",
        type="MANAGED",
        computeResources={
            "type": "FARGATE",
            "maxvCpus": 4,
            "subnets": ["s"],
            "securityGroupIds": ["sg"],
        },
    )
    batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        schedulingPolicyArn=arn,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    assert error_of(batch.delete_scheduling_policy, arn=arn) == (
        "Cannot delete, scheduling policy p is used by job queue q"
    )


def test_delete_then_gone(batch: Any) -> None:
    arn = create(batch)
    assert set(batch.delete_scheduling_policy(arn=arn)) == {"ResponseMetadata"}
    assert batch.list_scheduling_policies()["schedulingPolicies"] == []
    assert batch.describe_scheduling_policies(arns=[arn])["schedulingPolicies"] == []


def test_weights_for_the_engine(mock: Any, batch: Any) -> None:
    create(
        batch,
        fair={
            "shareDistribution": [
                {"shareIdentifier": "a", "weightFactor": 0.25},
                {"shareIdentifier": "u*", "weightFactor": 2.0},
            ]
        },
    )
    policy = mock.backend().scheduling_policies["p"]
    assert policy.weight_of("a") == 0.25
    assert policy.weight_of("zzz") == 1.0
    assert policy.weight_of("u1", active={"u1", "u2", "a"}) == 4.0
    assert policy.weight_of("u3") == 2.0
