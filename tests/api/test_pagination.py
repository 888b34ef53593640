"""maxResults/nextToken over DescribeComputeEnvironments and DescribeJobQueues (G5, §12.12)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock.backend.core import pagination
from batchmock.errors import ClientException
from tests.support import documented_number, error_of, executing_error_of, make_job_definition


def make_ce(batch: Any, name: str) -> None:
    batch.create_compute_environment(
        computeEnvironmentName=name,
        type="MANAGED",
        computeResources={
            "type": "FARGATE",
            "maxvCpus": 4,
            "subnets": ["s"],
            "securityGroupIds": ["sg"],
        },
    )


def make_queue(batch: Any, name: str) -> None:
    batch.create_job_queue(
        jobQueueName=name,
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )


def ce_names(response: dict[str, Any]) -> list[str]:
    return [c["computeEnvironmentName"] for c in response["computeEnvironments"]]


# -- through boto3 ------------------------------------------------------------------------------
def test_pages_of_compute_environments(batch: Any) -> None:
    for name in ("e", "c", "a", "d", "b"):
        make_ce(batch, name)
    first = batch.describe_compute_environments(maxResults=2)
    assert ce_names(first) == ["a", "b"]
    second = batch.describe_compute_environments(maxResults=2, nextToken=first["nextToken"])
    assert ce_names(second) == ["c", "d"]
    last = batch.describe_compute_environments(maxResults=2, nextToken=second["nextToken"])
    assert ce_names(last) == ["e"]
    assert "nextToken" not in last


def test_exact_multiple_has_no_trailing_token(batch: Any) -> None:
    for name in "abcd":
        make_ce(batch, name)
    first = batch.describe_compute_environments(maxResults=2)
    second = batch.describe_compute_environments(maxResults=2, nextToken=first["nextToken"])
    assert ce_names(second) == ["c", "d"]
    assert "nextToken" not in second


def test_all_fifty_compute_environments_fit_the_default_page(batch: Any) -> None:
    # the quota is 50 CEs, so a listing of everything always fits one default page
    for i in range(50):
        make_ce(batch, f"ce{i:02d}")
    response = batch.describe_compute_environments()
    assert len(response["computeEnvironments"]) == 50
    assert "nextToken" not in response


def test_default_page_is_100(batch: Any) -> None:
    # job definitions have no quota of 50: 101 of them need a second default page
    for i in range(101):
        make_job_definition(batch, f"jd{i:03d}")
    first = batch.describe_job_definitions()
    assert len(first["jobDefinitions"]) == 100
    rest = batch.describe_job_definitions(nextToken=first["nextToken"])
    assert "nextToken" not in rest
    names = [d["jobDefinitionName"] for d in first["jobDefinitions"] + rest["jobDefinitions"]]
    assert sorted(names) == [f"jd{i:03d}" for i in range(101)]


def test_paginator_walks_every_compute_environment(batch: Any) -> None:
    names = [f"ce{i:02d}" for i in range(23)]
    for name in reversed(names):
        make_ce(batch, name)
    paginator = batch.get_paginator("describe_compute_environments")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["computeEnvironments"]) for p in pages] == [5, 5, 5, 5, 3]
    assert [n for p in pages for n in ce_names(p)] == names
    built = paginator.paginate(PaginationConfig={"PageSize": 4}).build_full_result()
    assert ce_names(built) == names


def test_paginator_walks_every_job_queue(batch: Any) -> None:
    make_ce(batch, "ce")
    names = [f"q{i:02d}" for i in range(12)]
    for name in names:
        make_queue(batch, name)
    pages = list(
        batch.get_paginator("describe_job_queues").paginate(PaginationConfig={"PageSize": 5})
    )
    assert [len(p["jobQueues"]) for p in pages] == [5, 5, 2]
    assert [q["jobQueueName"] for p in pages for q in p["jobQueues"]] == names
    assert pages[-1].get("nextToken") is None


def test_changes_between_pages_never_repeat_or_lose_an_item(batch: Any) -> None:
    for name in ("b", "d", "f", "h"):
        make_ce(batch, name)
    first = batch.describe_compute_environments(maxResults=2)
    assert ce_names(first) == ["b", "d"]
    # between the pages: delete an item already returned and one not yet returned, add one
    # before the cursor and one after it
    for gone in ("b", "f"):
        batch.update_compute_environment(computeEnvironment=gone, state="DISABLED")
        batch.delete_compute_environment(computeEnvironment=gone)
    make_ce(batch, "a")
    make_ce(batch, "g")
    rest: list[str] = []
    token = first["nextToken"]
    while token:
        page = batch.describe_compute_environments(maxResults=2, nextToken=token)
        rest += ce_names(page)
        token = page.get("nextToken")
    # "h" (there all along) is not lost, "d" is not repeated, the new "g" after the cursor shows
    assert rest == ["g", "h"]


def test_removing_the_last_returned_item_does_not_shift_the_window(batch: Any) -> None:
    make_ce(batch, "ce")
    for name in ("q1", "q2", "q3", "q4"):
        make_queue(batch, name)
    first = batch.describe_job_queues(maxResults=2)
    batch.update_job_queue(jobQueue="q2", state="DISABLED")
    batch.delete_job_queue(jobQueue="q2")
    second = batch.describe_job_queues(maxResults=2, nextToken=first["nextToken"])
    assert [q["jobQueueName"] for q in second["jobQueues"]] == ["q3", "q4"]


@pytest.mark.parametrize(
    ("operation", "member", "label", "ref"),
    [
        ("describe_compute_environments", "computeEnvironments", "ComputeEnvironments", "ce"),
        ("describe_job_queues", "jobQueues", "JobQueues", "q"),
        ("describe_job_definitions", "jobDefinitions", "JobDefinitions", "jd:1"),
    ],
)
def test_names_and_max_results_are_exclusive(
    batch: Any, operation: str, member: str, label: str, ref: str
) -> None:
    with pytest.raises(ClientError) as info:
        getattr(batch, operation)(**{member: [ref]}, maxResults=5)
    request_id = info.value.response["ResponseMetadata"]["RequestId"]
    # [obs: k1LoW/awspec#563], with the RequestId tail of its family (§21.4)
    assert info.value.response["Error"]["Message"] == (
        f"Error executing request, Exception : {label} and MaxResults cannot both be set, "
        f"RequestId: {request_id}"
    )


def test_names_and_next_token_are_exclusive(batch: Any) -> None:
    for name in "abc":
        make_ce(batch, name)
    token = batch.describe_compute_environments(maxResults=1)["nextToken"]
    message = executing_error_of(
        batch.describe_compute_environments, computeEnvironments=["a"], nextToken=token
    )
    assert message == "ComputeEnvironments and NextToken cannot both be set"


def test_empty_name_list_means_everything(batch: Any) -> None:
    for name in "ab":
        make_ce(batch, name)
    response = batch.describe_compute_environments(computeEnvironments=[], maxResults=1)
    assert ce_names(response) == ["a"]


@pytest.mark.parametrize("token", ["garbage", "bm90IGpzb24", "WyJvdGhlciIsImEiXQ"])
def test_invalid_tokens(batch: Any, token: str) -> None:
    make_ce(batch, "a")
    message = error_of(batch.describe_compute_environments, maxResults=1, nextToken=token)
    assert message == f"Invalid nextToken: {token}"


def test_token_of_another_listing_is_invalid(batch: Any) -> None:
    for name in ("ce", "ce2"):
        make_ce(batch, name)
    make_queue(batch, "q1")
    make_queue(batch, "q2")
    token = batch.describe_compute_environments(maxResults=1)["nextToken"]
    message = error_of(batch.describe_job_queues, maxResults=1, nextToken=token)
    assert message == f"Invalid nextToken: {token}"


PAGE_MAX = documented_number("DescribeJobQueues", "maxResults", r"between 1 and (\d+)")


@pytest.mark.parametrize("size", [0, PAGE_MAX + 1])
def test_max_results_range(batch: Any, size: int) -> None:
    message = error_of(batch.describe_job_queues, maxResults=size)
    assert message == f"maxResults must be between 1 and {PAGE_MAX}, got {size}"


@pytest.mark.parametrize(
    ("call", "operation"),
    [
        ("describe_job_queues", "DescribeJobQueues"),
        ("describe_compute_environments", "DescribeComputeEnvironments"),
        ("describe_job_definitions", "DescribeJobDefinitions"),
        ("list_scheduling_policies", "ListSchedulingPolicies"),
        ("list_consumable_resources", "ListConsumableResources"),
        ("list_service_jobs", "ListServiceJobs"),
        ("describe_service_environments", "DescribeServiceEnvironments"),
    ],
)
def test_the_largest_page_is_the_models(batch: Any, call: str, operation: str) -> None:
    most = documented_number(operation, "maxResults", r"between 1 and (\d+)")
    assert "nextToken" not in getattr(batch, call)(maxResults=most)
    message = error_of(getattr(batch, call), maxResults=most + 1)
    assert message == f"maxResults must be between 1 and {most}, got {most + 1}"


# -- the helper's own contract (what other modules rely on) -------------------------------------
def test_helper_descending_and_composite_keys() -> None:
    items = [("b", 3), ("b", 2), ("b", 1), ("a", 9)]
    page1, token = pagination.page(items, lambda x: x, {"maxResults": 2}, scope="s", reverse=True)
    assert page1 == [("b", 3), ("b", 2)]
    assert token is not None
    page2, token2 = pagination.page(
        items, lambda x: x, {"maxResults": 2, "nextToken": token}, scope="s", reverse=True
    )
    assert page2 == [("b", 1), ("a", 9)]
    assert token2 is None


def test_helper_token_with_other_key_shape_is_invalid() -> None:
    token = pagination.encode_token("s", "text-key")
    with pytest.raises(ClientException, match="Invalid nextToken"):
        pagination.page([1, 2, 3], lambda x: x, {"nextToken": token}, scope="s")


def test_helper_custom_limit() -> None:
    items = list(range(1500))
    page, token = pagination.page(items, lambda x: x, {"maxResults": 1000}, scope="s", limit=1000)
    assert len(page) == 1000
    assert token is not None
    with pytest.raises(ClientException, match="between 1 and 1000"):
        pagination.page(items, lambda x: x, {"maxResults": 1001}, scope="s", limit=1000)
