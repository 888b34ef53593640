"""What AWS refuses, or accepts but never starts (reference §21.3), and its texts (§21.4)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import BatchMock, mock_batch
from batchmock.backend.control_plane import instance_types
from tests.support import (
    error_of,
    executing_error_of,
    make_ce,
    make_job_definition,
    make_queue,
    submit_job,
)

STUCK = (
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
    "is higher than that can be met by the CE(s) attached to the job queue."
)
ARN = "arn:aws:batch:us-east-1:123456789012"


@pytest.fixture
def mock() -> Any:
    with mock_batch(auto_advance=False) as active:
        yield active


@pytest.fixture
def batch(mock: BatchMock) -> Any:
    return mock.client()


def error_with_request_id(call: Any, **kwargs: Any) -> tuple[str, str]:
    """(message, the response's request id) of a ClientException."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    assert response["Error"]["Code"] == "ClientException"
    return response["Error"]["Message"], response["ResponseMetadata"]["RequestId"]


def fargate_ce(batch: Any, name: str = "fg") -> str:
    resources = {
        "type": "FARGATE",
        "maxvCpus": 16,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
    }
    arn: str = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", computeResources=resources
    )["computeEnvironmentArn"]
    return arn


# -- instance types --------------------------------------------------------------------------------
def test_unknown_instance_type_is_refused_with_aws_text_and_request_id(batch: Any) -> None:
    # [obs: Netflix/metaflow#70]
    message, request_id = error_with_request_id(
        batch.create_compute_environment,
        computeEnvironmentName="ce",
        type="MANAGED",
        computeResources={
            "type": "EC2",
            "maxvCpus": 4,
            "subnets": ["s"],
            "instanceRole": "r",
            "instanceTypes": ["m5.large", "m9.huge"],
        },
    )
    assert message.startswith(
        "Error executing request, Exception : Instance type can only be one of ["
    )
    assert message.endswith(f"], RequestId: {request_id}")
    listed = message.split("[", 1)[1].rsplit("]", 1)[0].split(", ")
    assert {"optimal", "m5", "m5.large", "p3.2xlarge", "default_arm64"} <= set(listed)
    assert "m9.huge" not in listed
    assert batch.describe_compute_environments()["computeEnvironments"] == []


def test_every_catalogued_name_is_accepted(batch: Any) -> None:
    names = ["optimal", "default_x86_64", "c5", "m6g.medium", "g4dn.xlarge", "p4d.24xlarge"]
    assert all(instance_types.is_known(name) for name in names)
    make_ce(batch, computeResources={"instanceTypes": names})


def _job_stays_runnable(mock: BatchMock, batch: Any, **definition: Any) -> dict[str, Any]:
    make_job_definition(batch, name="big", **definition)
    job_id = submit_job(batch, jobDefinition="big")
    mock.advance(600)
    job: dict[str, Any] = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    return job


@pytest.mark.parametrize(
    ("instance_types_", "requirements"),
    [
        # optimal = C4/M4/R4: at most 64 vCPUs (m4.16xlarge, r4.16xlarge)
        (["optimal"], [{"type": "VCPU", "value": "65"}, {"type": "MEMORY", "value": "1024"}]),
        # r4.16xlarge has 488 GiB, the most in optimal
        (["optimal"], [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "600000"}]),
        # no GPU in m5
        (
            ["m5"],
            [
                {"type": "VCPU", "value": "2"},
                {"type": "MEMORY", "value": "1024"},
                {"type": "GPU", "value": "1"},
            ],
        ),
        # g4dn.xlarge has one GPU
        (
            ["g4dn.xlarge"],
            [
                {"type": "VCPU", "value": "2"},
                {"type": "MEMORY", "value": "1024"},
                {"type": "GPU", "value": "2"},
            ],
        ),
    ],
)
def test_job_no_instance_type_can_hold_stays_runnable_with_the_reason(
    mock: BatchMock, batch: Any, instance_types_: list[str], requirements: list[dict[str, str]]
) -> None:
    # [docs: Jobs stuck in RUNNABLE due to misconfiguration][LOG]: today's AWS keeps it RUNNABLE
    make_ce(batch, max_vcpus=256, computeResources={"instanceTypes": instance_types_})
    make_queue(batch)
    job = _job_stays_runnable(
        mock, batch, containerProperties={"resourceRequirements": requirements}
    )
    assert (job["status"], job["statusReason"], job["attempts"]) == ("RUNNABLE", STUCK, [])


def test_job_that_fits_an_instance_type_runs(mock: BatchMock, batch: Any) -> None:
    make_ce(batch, max_vcpus=256, computeResources={"instanceTypes": ["g4dn"]})
    make_queue(batch)
    requirements = [
        {"type": "VCPU", "value": "48"},
        {"type": "MEMORY", "value": "180000"},
        {"type": "GPU", "value": "4"},
    ]  # g4dn.12xlarge: 48 vCPUs, 192 GiB, 4 GPUs
    make_job_definition(
        batch, name="big", containerProperties={"resourceRequirements": requirements}
    )
    job_id = submit_job(batch, jobDefinition="big")
    mock.run_until_idle()
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"


# -- platform capability against the queue ---------------------------------------------------------
def test_ec2_definition_on_a_fargate_queue_is_refused(batch: Any) -> None:
    # [obs: several public issue threads quote this text] (§21.3)
    fargate_ce(batch)
    make_queue(batch, ce="fg")
    make_job_definition(batch)
    assert error_of(batch.submit_job, jobName="j", jobQueue="q", jobDefinition="jd") == (
        "Job Queue is attached to Compute Environment that can not run Jobs with capability EC2"
    )


def test_fargate_definition_on_an_ec2_queue_is_refused(batch: Any) -> None:
    make_ce(batch)
    make_queue(batch)
    batch.register_job_definition(
        jobDefinitionName="fgjd",
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={
            "image": "busybox",
            "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
            "resourceRequirements": [
                {"type": "VCPU", "value": "0.25"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )
    assert error_of(batch.submit_job, jobName="j", jobQueue="q", jobDefinition="fgjd") == (
        "Job Queue is attached to Compute Environment that can not run Jobs with capability FARGATE"
    )


# -- texts seen verbatim (§21.4) -------------------------------------------------------------------
def test_submit_job_definition_texts(batch: Any) -> None:
    make_ce(batch)
    make_queue(batch)
    first = make_job_definition(batch)
    make_job_definition(batch)
    batch.deregister_job_definition(jobDefinition=first)

    def submit(ref: str) -> str:
        return error_of(batch.submit_job, jobName="j", jobQueue="q", jobDefinition=ref)

    # [obs: aws-samples/aws-genomics-workflows#84]: no trailing period
    assert submit("nope") == "JobDefinition name nope does not exist or is not in ACTIVE status"
    # [obs: chanzuckerberg/single-cell-data-portal#1068]
    assert submit(first) == f"JobDefinition {first} is not in ACTIVE status"
    # [obs: azavea/raster-vision-aws#17]
    ghost = f"{ARN}:job-definition/ghost"
    assert submit(ghost) == f"JobDefinition {ghost} not found."


def test_ec2_definition_without_vcpu_text_ends_with_the_request_id(batch: Any) -> None:
    # [obs: ASFHyP3/hyp3#586]
    message, request_id = error_with_request_id(
        batch.register_job_definition,
        jobDefinitionName="novcpu",
        type="container",
        containerProperties={"image": "busybox", "memory": 512},
    )
    assert message == (
        f"Error executing request, Exception : vCPU is not provided., RequestId: {request_id}"
    )


def test_job_name_text_ends_with_the_request_id(batch: Any) -> None:
    # [obs: fluidattacks/makes#697]
    make_ce(batch)
    make_queue(batch)
    make_job_definition(batch)
    message, request_id = error_with_request_id(
        batch.submit_job, jobName="-bad", jobQueue="q", jobDefinition="jd"
    )
    assert message == (
        "Error executing request, Exception : Job name should match valid pattern, "
        f"RequestId: {request_id}"
    )


# -- checks the issue 10 audit kept, each with its source or option ------------------------------
def _multinode_definition(batch: Any) -> None:
    container = {
        "image": "busybox",
        "resourceRequirements": [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "512"},
        ],
    }
    batch.register_job_definition(
        jobDefinitionName="mnp",
        type="multinode",
        nodeProperties={
            "numNodes": 2,
            "mainNode": 0,
            "nodeRangeProperties": [{"targetNodes": "0:1", "container": container}],
        },
    )


def test_array_of_a_multinode_definition_is_refused(batch: Any) -> None:
    # [client: aws/aws-parallelcluster cli/awsbatch/awsbsub.py] AWS's own Batch CLI never sends
    # arrayProperties with its multi-node definition
    make_ce(batch)
    make_queue(batch)
    _multinode_definition(batch)
    detail = executing_error_of(
        batch.submit_job,
        jobName="j",
        jobQueue="q",
        jobDefinition="mnp",
        arrayProperties={"size": 2},
    )
    assert detail == "arrayProperties: array jobs cannot use a multi-node parallel job definition"
    assert batch.list_jobs(jobQueue="q", jobStatus="SUBMITTED")["jobSummaryList"] == []


def test_unknown_dependency_is_refused_by_default(batch: Any) -> None:
    # §6.5 [inferred], option unknown_dependency="refuse"
    make_ce(batch)
    make_queue(batch)
    make_job_definition(batch)
    detail = executing_error_of(
        batch.submit_job,
        jobName="j",
        jobQueue="q",
        jobDefinition="jd",
        dependsOn=[{"jobId": "no-such-job"}],
    )
    assert detail == "dependsOn[0].jobId: job no-such-job does not exist"


@pytest.mark.parametrize("kind", ["compute environment", "job queue"])
def test_update_of_a_deleting_resource_is_refused_by_default(kind: str) -> None:
    # option update_deleting="refuse" (only with a settling delay does a resource stay DELETING)
    with mock_batch(delays={"resource_status": 10}) as slow:
        batch = slow.client()
        make_ce(batch)
        slow.advance(10)
        make_queue(batch)
        slow.advance(10)
        if kind == "job queue":
            batch.update_job_queue(jobQueue="q", state="DISABLED")
            slow.advance(10)
            batch.delete_job_queue(jobQueue="q")
            message = error_of(batch.update_job_queue, jobQueue="q", priority=5)
            assert message == "JobQueue q is being deleted"
            assert batch.describe_job_queues()["jobQueues"][0]["status"] == "DELETING"
        else:
            batch.update_job_queue(jobQueue="q", state="DISABLED")
            slow.advance(10)
            batch.delete_job_queue(jobQueue="q")
            slow.advance(10)
            batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
            slow.advance(10)
            batch.delete_compute_environment(computeEnvironment="ce")
            message = error_of(
                batch.update_compute_environment, computeEnvironment="ce", state="ENABLED"
            )
            assert message == "ComputeEnvironment ce is being deleted"
            found = batch.describe_compute_environments()["computeEnvironments"][0]
            assert (found["state"], found["status"]) == ("DISABLED", "DELETING")
