"""Input real AWS accepts, so the mock must too (reference §21.2), through boto3."""

from __future__ import annotations

import re
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.support import make_ce, make_job_definition, make_queue, model_shape, submit_job


@pytest.fixture
def mock() -> Any:
    with mock_batch() as active:
        yield active


@pytest.fixture
def batch(mock: BatchMock) -> Any:
    return mock.client()


def test_empty_tags_accepted_on_every_create_and_nothing_stored(
    mock: BatchMock, batch: Any
) -> None:
    # [AIRFLOW][SNAKEMAKE]: tags={} on every call; the model's min 1 is not enforced
    arns = [
        make_ce(batch, tags={}),
        make_queue(batch, tags={}),
        make_job_definition(batch, tags={}),
        batch.create_scheduling_policy(name="p", tags={})["arn"],
        batch.create_consumable_resource(consumableResourceName="lic", totalQuantity=1, tags={})[
            "consumableResourceArn"
        ],
        batch.create_service_environment(
            serviceEnvironmentName="se",
            serviceEnvironmentType="SAGEMAKER_TRAINING",
            capacityLimits=[{"maxCapacity": 1, "capacityUnit": "NUM_INSTANCES"}],
            tags={},
        )["serviceEnvironmentArn"],
    ]
    job_id = submit_job(batch, tags={}, parameters={})
    arns.append(batch.describe_jobs(jobs=[job_id])["jobs"][0]["jobArn"])
    for arn in arns:
        assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}, arn
        assert set(batch.tag_resource(resourceArn=arn, tags={})) == {"ResponseMetadata"}
    mock.run_until_idle()
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"


def test_scheduling_policy_with_a_name_only_is_a_fair_share_policy(batch: Any) -> None:
    # [docs: API Reference CreateSchedulingPolicy, fairsharePolicy "Required: No"]
    created = batch.create_scheduling_policy(name="plain")
    assert set(created) == {"ResponseMetadata", "name", "arn"}
    detail = batch.describe_scheduling_policies(arns=[created["arn"]])["schedulingPolicies"][0]
    assert detail == {
        "name": "plain",
        "arn": created["arn"],
        "fairsharePolicy": {
            "shareDecaySeconds": 0,
            "computeReservation": 0,
            "shareDistribution": [],
        },
        "tags": {},
    }
    # a queue using it is a fair-share queue: jobs need a share identifier (§11.5)
    make_ce(batch)
    make_queue(batch, schedulingPolicyArn=created["arn"])
    make_job_definition(batch)
    job_id = submit_job(batch, shareIdentifier="teamA")
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["shareIdentifier"] == "teamA"


def test_describe_job_definitions_list_entries_and_status(batch: Any) -> None:
    # [boto/boto3#2908][aws/aws-sdk#94]: name:revision or ARN; a bare name matches nothing
    first = make_job_definition(batch)
    second = make_job_definition(batch)
    batch.deregister_job_definition(jobDefinition=first)

    def listed(**kwargs: Any) -> list[str]:
        found = batch.describe_job_definitions(**kwargs)["jobDefinitions"]
        return [d["jobDefinitionArn"] for d in found]

    assert listed(jobDefinitions=["jd"]) == []
    assert listed(jobDefinitions=["jd:2"]) == [second]
    assert listed(jobDefinitions=[first, second]) == [first, second]
    assert listed(jobDefinitions=[first, second], status="ACTIVE") == [second]
    assert listed(jobDefinitions=[first, second], status="INACTIVE") == [first]


def test_lower_case_evaluate_on_exit_actions_are_accepted_and_returned_as_given(
    mock: BatchMock, batch: Any
) -> None:
    # [TF]: acceptance tests register "retry" and "exit" and read them back unchanged
    strategy = {
        "attempts": 3,
        "evaluateOnExit": [
            {"onExitCode": "1", "action": "retry"},
            {"onReason": "*", "action": "exit"},
        ],
    }
    make_ce(batch)
    make_queue(batch)
    make_job_definition(batch, retryStrategy=strategy)
    definition = batch.describe_job_definitions(jobDefinitions=["jd:1"])["jobDefinitions"][0]
    assert definition["retryStrategy"] == strategy
    mock.set_outcomes([{"match": {}, "exitCode": 1}])
    job_id = submit_job(batch)
    mock.run_until_idle()
    job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    assert job["retryStrategy"] == strategy
    assert (job["status"], len(job["attempts"])) == ("FAILED", 3)  # "retry" retried


# -- checks without a source are gone (issue 10 audit) ------------------------------------------
def test_ecs_task_with_unnamed_containers_registers(batch: Any) -> None:
    # [model] TaskContainerProperties.name is optional: it only targets dependsOn and overrides
    requirements = [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]
    task = {
        "containers": [
            {"image": "busybox", "resourceRequirements": requirements},
            {"image": "busybox", "essential": False},
        ]
    }
    batch.register_job_definition(
        jobDefinitionName="multi", type="container", ecsProperties={"taskProperties": [task]}
    )
    found = batch.describe_job_definitions(jobDefinitions=["multi:1"])["jobDefinitions"]
    assert found[0]["ecsProperties"] == {"taskProperties": [task]}


def test_node_ranges_may_mix_container_kinds(batch: Any) -> None:
    requirements = [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "512"}]
    nodes = {
        "numNodes": 2,
        "mainNode": 0,
        "nodeRangeProperties": [
            {
                "targetNodes": "0:0",
                "container": {"image": "busybox", "resourceRequirements": requirements},
            },
            {
                "targetNodes": "1:1",
                "ecsProperties": {
                    "taskProperties": [
                        {"containers": [{"image": "busybox", "resourceRequirements": requirements}]}
                    ]
                },
            },
        ],
    }
    out = batch.register_job_definition(
        jobDefinitionName="mixed", type="multinode", nodeProperties=nodes
    )
    assert out["revision"] == 1


def _fargate_32_vcpu_memory() -> list[str]:
    """The MEMORY values the installed model lists for 32 Fargate vCPUs ([] if none)."""
    shape = model_shape("RegisterJobDefinition", "containerProperties.resourceRequirements")
    text = " ".join(re.sub(r"<[^>]+>", " ", shape.member.members["value"].documentation).split())
    found = re.search(r'type="VCPU".*?value = 32 MEMORY = ([\d, or]+)', text)
    return re.findall(r"\d+", found.group(1)) if found else []


@pytest.mark.skipif(
    not _fargate_32_vcpu_memory(), reason="the installed model lists no 32-vCPU Fargate pairs"
)
def test_fargate_32_vcpu_pairs_the_model_lists_register(batch: Any) -> None:
    # [model] ResourceRequirement.value of botocore 1.44: VCPU 32 with MEMORY 61440, 122880 or
    # 249856 (the reference's §10.6 lacks them); read from the installed model
    memories = _fargate_32_vcpu_memory()
    assert memories == ["61440", "122880", "249856"]
    for memory in memories:
        batch.register_job_definition(
            jobDefinitionName=f"big{memory}",
            type="container",
            platformCapabilities=["FARGATE"],
            containerProperties={
                "image": "busybox",
                "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
                "resourceRequirements": [
                    {"type": "VCPU", "value": "32"},
                    {"type": "MEMORY", "value": memory},
                ],
            },
        )
    found = batch.describe_job_definitions(status="ACTIVE")["jobDefinitions"]
    shown = {
        d["jobDefinitionName"]: (
            d["platformCapabilities"],
            d["containerProperties"]["resourceRequirements"],
        )
        for d in found
    }
    assert shown == {
        f"big{memory}": (
            ["FARGATE"],
            [{"type": "VCPU", "value": "32"}, {"type": "MEMORY", "value": memory}],
        )
        for memory in memories
    }


# -- options of the issue 10 audit: the behaviour AWS leaves open, the other way -------------------
def test_unknown_dependency_accepted_and_not_waited_for_with_the_option() -> None:
    with mock_batch(unknown_dependency="ignore", auto_advance=False) as mock:
        batch = mock.client()
        make_ce(batch)
        make_queue(batch)
        make_job_definition(batch)
        job_id = submit_job(batch, dependsOn=[{"jobId": "no-such-job"}])
        mock.run_until_idle()
        (job,) = batch.describe_jobs(jobs=[job_id])["jobs"]
        assert job["status"] == "SUCCEEDED"
        assert job["dependsOn"] == [{"jobId": "no-such-job"}]


@pytest.mark.parametrize("kind", ["compute environment", "job queue"])
def test_update_of_a_deleting_resource_accepted_with_the_option(kind: str) -> None:
    with mock_batch(delays={"resource_status": 10}, update_deleting="accept") as slow:
        batch = slow.client()
        ce_arn = make_ce(batch)
        slow.advance(10)
        queue_arn = make_queue(batch)
        slow.advance(10)
        batch.update_job_queue(jobQueue="q", state="DISABLED")
        slow.advance(10)
        batch.delete_job_queue(jobQueue="q")
        if kind == "job queue":
            out = batch.update_job_queue(jobQueue="q", priority=5)
            out.pop("ResponseMetadata")
            assert out == {"jobQueueName": "q", "jobQueueArn": queue_arn}
            (queue,) = batch.describe_job_queues()["jobQueues"]
            assert (queue["priority"], queue["status"]) == (1, "DELETING")  # nothing changed
            slow.advance(10)
            assert batch.describe_job_queues()["jobQueues"] == []
        else:
            slow.advance(10)
            batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
            slow.advance(10)
            batch.delete_compute_environment(computeEnvironment="ce")
            out = batch.update_compute_environment(computeEnvironment="ce", state="ENABLED")
            out.pop("ResponseMetadata")
            assert out == {"computeEnvironmentName": "ce", "computeEnvironmentArn": ce_arn}
            (found,) = batch.describe_compute_environments()["computeEnvironments"]
            assert (found["state"], found["status"]) == ("DISABLED", "DELETING")
            slow.advance(10)
            assert batch.describe_compute_environments()["computeEnvironments"] == []
