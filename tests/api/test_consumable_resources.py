"""Consumable resources through boto3 (reference §18.4)."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.support import executing_error_of, make_env

ARN = "arn:aws:batch:us-east-1:123456789012:consumable-resource/"


def create(batch: Any, name: str = "lic", **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = batch.create_consumable_resource(consumableResourceName=name, **kwargs)
    return result


def describe(batch: Any, ref: str = "lic") -> dict[str, Any]:
    result: dict[str, Any] = batch.describe_consumable_resource(consumableResource=ref)
    return result


def names(batch: Any, **kwargs: Any) -> list[str]:
    found = batch.list_consumable_resources(**kwargs)["consumableResources"]
    return [r["consumableResourceName"] for r in found]


def test_create_and_describe(batch: Any) -> None:
    out = create(batch, totalQuantity=10, tags={"k": "v"})
    assert out == {
        "consumableResourceName": "lic",
        "consumableResourceArn": ARN + "lic",
        "ResponseMetadata": out["ResponseMetadata"],
    }
    found = describe(batch)
    assert found["totalQuantity"] == 10
    assert found["inUseQuantity"] == 0
    assert found["availableQuantity"] == 10
    assert found["resourceType"] == "REPLENISHABLE"
    assert isinstance(found["createdAt"], int)
    assert found["createdAt"] > 1_000_000_000_000
    assert found["tags"] == {"k": "v"}
    assert describe(batch, ARN + "lic")["consumableResourceName"] == "lic"


def test_create_rules(batch: Any) -> None:
    create(batch, resourceType="NON_REPLENISHABLE")
    assert describe(batch)["resourceType"] == "NON_REPLENISHABLE"
    assert describe(batch)["totalQuantity"] == 0
    with pytest.raises(batch.exceptions.ClientException, match="Object already exists"):
        create(batch)
    with pytest.raises(batch.exceptions.ClientException, match="totalQuantity"):
        create(batch, "neg", totalQuantity=-1)
    with pytest.raises(batch.exceptions.ClientException, match="resourceType"):
        create(batch, "kind", resourceType="SOMETIMES")
    with pytest.raises(batch.exceptions.ClientException, match="consumableResourceName"):
        create(batch, "bad name")
    assert names(batch) == ["lic"]


def test_unknown_resource_is_an_error(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        describe(batch, "ghost")
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.delete_consumable_resource(consumableResource="ghost")
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.update_consumable_resource(consumableResource="ghost", quantity=1)


def test_update_set_add_remove(batch: Any) -> None:
    create(batch, totalQuantity=5)

    def update(**kwargs: Any) -> int:
        out = batch.update_consumable_resource(consumableResource="lic", **kwargs)
        assert out["consumableResourceArn"] == ARN + "lic"
        total: int = out["totalQuantity"]
        return total

    assert update(operation="ADD", quantity=3) == 8
    assert update(operation="REMOVE", quantity=2) == 6
    assert update(operation="SET", quantity=20) == 20
    assert update(quantity=4) == 4  # SET when no operation is given
    assert executing_error_of(update, operation="REMOVE", quantity=5) == (
        "quantity: would make totalQuantity negative (-1)"
    )
    assert executing_error_of(update, operation="MULTIPLY", quantity=2) == (
        "operation: must be SET, ADD or REMOVE, got 'MULTIPLY'"
    )
    assert executing_error_of(update, operation="ADD", quantity=-2) == (
        "quantity: must be a non-negative integer, got -2"
    )
    assert describe(batch)["totalQuantity"] == 4


def test_client_token_makes_a_repeat_a_no_op(mock: BatchMock, batch: Any) -> None:
    create(batch, totalQuantity=1)
    for _ in range(3):
        out = batch.update_consumable_resource(
            consumableResource="lic", operation="ADD", quantity=2, clientToken="t1"
        )
        assert out["totalQuantity"] == 3
    assert describe(batch)["totalQuantity"] == 3
    # another payload under the same token is a new update ([model]: only identical payloads
    # and tokens are the same request)
    out = batch.update_consumable_resource(
        consumableResource="lic", operation="ADD", quantity=5, clientToken="t1"
    )
    assert out["totalQuantity"] == 8
    batch.update_consumable_resource(
        consumableResource="lic", operation="ADD", quantity=2, clientToken="t2"
    )
    assert describe(batch)["totalQuantity"] == 10


def test_client_token_expires_after_8_hours() -> None:
    """§18.4: a repeat within 8 hours is a no-op; after 8 hours the token is new again."""
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        create(batch, totalQuantity=0)

        def add_one() -> int:
            out = batch.update_consumable_resource(
                consumableResource="lic", operation="ADD", quantity=1, clientToken="t"
            )
            total: int = out["totalQuantity"]
            return total

        assert add_one() == 1
        mock.advance(8 * 3600 - 1)
        assert add_one() == 1  # 1 s before the 8 hours are over: still the same request
        mock.advance(1)
        assert add_one() == 2  # 8 hours after its first use the token is forgotten
        assert add_one() == 2  # ... and counts from its new use
        assert describe(batch)["totalQuantity"] == 2


def test_delete_removes_resource_and_tags(batch: Any) -> None:
    arn = create(batch, tags={"a": "b"})["consumableResourceArn"]
    batch.delete_consumable_resource(consumableResource=arn)
    assert names(batch) == []
    with pytest.raises(batch.exceptions.ClientException):
        batch.list_tags_for_resource(resourceArn=arn)


def test_list_filters_by_name(batch: Any) -> None:
    for name in ("LicenseA", "licenseB", "gpu-slot", "lic"):
        create(batch, name)
    flt = [{"name": "CONSUMABLE_RESOURCE_NAME", "values": ["license*"]}]
    assert names(batch, filters=flt) == ["LicenseA", "licenseB"]
    flt = [{"name": "CONSUMABLE_RESOURCE_NAME", "values": ["LIC", "gpu-slot"]}]
    assert names(batch, filters=flt) == ["gpu-slot", "lic"]
    with pytest.raises(batch.exceptions.ClientException, match="filter"):
        names(batch, filters=[{"name": "COLOUR", "values": ["red"]}])


def test_list_paginates(batch: Any) -> None:
    for index in range(5):
        create(batch, f"r{index}")
    pages = batch.get_paginator("list_consumable_resources").paginate(
        PaginationConfig={"PageSize": 2}
    )
    seen = [[r["consumableResourceName"] for r in p["consumableResources"]] for p in pages]
    assert seen == [["r0", "r1"], ["r2", "r3"], ["r4"]]
    summary = batch.list_consumable_resources()["consumableResources"][0]
    assert set(summary) == {
        "consumableResourceArn",
        "consumableResourceName",
        "totalQuantity",
        "inUseQuantity",
        "resourceType",
    }


def test_job_definition_must_name_existing_resources(batch: Any) -> None:
    container = {"image": "busybox", "vcpus": 1, "memory": 128}

    def register(entries: list[dict[str, Any]]) -> None:
        batch.register_job_definition(
            jobDefinitionName="jd",
            type="container",
            containerProperties=container,
            consumableResourceProperties={"consumableResourceList": entries},
        )

    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        register([{"consumableResource": "lic", "quantity": 1}])
    create(batch, totalQuantity=2)
    with pytest.raises(batch.exceptions.ClientException, match="quantity"):
        register([{"consumableResource": "lic", "quantity": -1}])
    # no source refuses a zero quantity or a resource listed twice (issue 10 audit)
    register([{"consumableResource": "lic", "quantity": 0}])
    register(
        [
            {"consumableResource": "lic", "quantity": 1},
            {"consumableResource": ARN + "lic", "quantity": 1},
        ]
    )
    register([{"consumableResource": ARN + "lic", "quantity": 2}])
    found = batch.describe_job_definitions(jobDefinitions=["jd:3"])["jobDefinitions"][0]
    assert found["consumableResourceProperties"] == {
        "consumableResourceList": [{"consumableResource": ARN + "lic", "quantity": 2}]
    }


def test_a_resource_listed_twice_holds_both_quantities() -> None:
    with mock_batch(auto_advance=False) as mock:
        _listed_twice(mock, mock.client())


def _listed_twice(mock: BatchMock, batch: Any) -> None:
    make_env(batch)
    create(batch, totalQuantity=2)
    twice = {
        "consumableResourceList": [
            {"consumableResource": "lic", "quantity": 1},
            {"consumableResource": ARN + "lic", "quantity": 1},
        ]
    }
    mock.set_outcomes([{"match": {}, "duration": 100}])
    first = batch.submit_job(
        jobName="a", jobQueue="q", jobDefinition="jd", consumableResourcePropertiesOverride=twice
    )["jobId"]
    second = batch.submit_job(
        jobName="b", jobQueue="q", jobDefinition="jd", consumableResourcePropertiesOverride=twice
    )["jobId"]
    mock.advance(10)
    statuses = [j["status"] for j in batch.describe_jobs(jobs=[first, second])["jobs"]]
    assert statuses == ["RUNNING", "RUNNABLE"]
    assert describe(batch)["availableQuantity"] == 0
    mock.run_until_idle()
    statuses = [j["status"] for j in batch.describe_jobs(jobs=[first, second])["jobs"]]
    assert statuses == ["SUCCEEDED", "SUCCEEDED"]
    assert describe(batch)["availableQuantity"] == 2


def test_acquire_and_release_for_the_engine(mock: BatchMock, batch: Any) -> None:
    create(batch, "re", totalQuantity=3)
    create(batch, "once", totalQuantity=3, resourceType="NON_REPLENISHABLE")
    backend = mock.backend()
    reusable, used_up = backend.consumable_resources["re"], backend.consumable_resources["once"]
    assert reusable.try_acquire(2)
    assert not reusable.try_acquire(2)
    assert describe(batch, "re")["availableQuantity"] == 1
    reusable.release(2)
    assert describe(batch, "re")["availableQuantity"] == 3
    assert used_up.try_acquire(2)
    used_up.release(2)
    found = describe(batch, "once")
    assert (found["totalQuantity"], found["inUseQuantity"], found["availableQuantity"]) == (1, 0, 1)


def test_list_jobs_by_unknown_resource_is_an_error(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException, match="not found"):
        batch.list_jobs_by_consumable_resource(consumableResource="ghost")


def test_list_jobs_by_consumable_resource(batch: Any) -> None:
    make_env(batch)
    create(batch, totalQuantity=5)
    other = create(batch, "other", totalQuantity=5)["consumableResourceArn"]
    wants = {"consumableResourceList": [{"consumableResource": "lic", "quantity": 2}]}
    first = batch.submit_job(
        jobName="First",
        jobQueue="q",
        jobDefinition="jd",
        consumableResourcePropertiesOverride=wants,
    )
    batch.submit_job(jobName="plain", jobQueue="q", jobDefinition="jd")
    batch.submit_job(
        jobName="firstagain",
        jobQueue="q",
        jobDefinition="jd",
        consumableResourcePropertiesOverride=wants,
    )
    jobs = batch.list_jobs_by_consumable_resource(consumableResource="lic")["jobs"]
    assert [j["jobName"] for j in jobs] == ["First", "firstagain"]
    assert jobs[0]["jobArn"] == first["jobArn"]
    assert jobs[0]["quantity"] == 2
    assert jobs[0]["jobQueueArn"].endswith(":job-queue/q")
    by_name = batch.list_jobs_by_consumable_resource(
        consumableResource="lic", filters=[{"name": "JOB_NAME", "values": ["FIRST"]}]
    )["jobs"]
    assert [j["jobName"] for j in by_name] == ["First"]
    assert batch.list_jobs_by_consumable_resource(consumableResource=other)["jobs"] == []


def test_update_without_quantity_changes_nothing(batch: Any) -> None:
    # [model] quantity is optional in UpdateConsumableResource (issue 10 audit)
    create(batch, totalQuantity=3)
    out = batch.update_consumable_resource(consumableResource="lic", operation="ADD")
    assert out["totalQuantity"] == 3
    assert describe(batch)["totalQuantity"] == 3
