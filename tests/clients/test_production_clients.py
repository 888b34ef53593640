"""The exact requests two production Batch clients send, replayed through boto3 (§21.2).

Whatever these clients send, AWS accepts: they run against real accounts every day. The
requests below are copied from their source (not imported: neither project is a dependency):

- Airflow, apache-airflow-providers-amazon ``operators/batch.py``: ``BatchOperator.submit_job``
  sends ``parameters`` and ``tags`` as ``{}`` when the DAG gives none (``trim_none_values`` drops
  only None), polls DescribeJobs, and ``on_kill`` sends TerminateJob with
  ``reason="Task killed by the user"``; ``BatchCreateComputeEnvironmentOperator.execute`` sends
  ``tags={}`` too.
- Snakemake, snakemake-executor-plugin-aws-batch ``batch_job_builder.py``: finds the platform with
  DescribeJobQueues and DescribeComputeEnvironments, registers one job definition per job with
  ``tags={}`` and ``platformCapabilities=[<platform>]``, submits ``name:revision``, and
  deregisters the definition by ARN afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.support import default_image_type, make_ce, make_queue

CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster"


@pytest.fixture
def mock() -> Any:
    with mock_batch() as active:
        yield active


@pytest.fixture
def batch(mock: BatchMock) -> Any:
    return mock.client()


def test_airflow_batch_create_compute_environment_operator(batch: Any) -> None:
    # BatchCreateComputeEnvironmentOperator.execute, unmanaged_v_cpus=None trimmed, tags={}
    kwargs = {
        "computeEnvironmentName": "airflow-ce",
        "type": "MANAGED",
        "state": "ENABLED",
        "computeResources": {
            "type": "EC2",
            "maxvCpus": 16,
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
            "instanceRole": "ecsInstanceRole",
            "instanceTypes": ["optimal"],
        },
        "serviceRole": "arn:aws:iam::123456789012:role/AWSBatchServiceRole",
        "tags": {},
    }
    arn = batch.create_compute_environment(**kwargs)["computeEnvironmentArn"]
    assert arn.endswith(":compute-environment/airflow-ce")
    ce = batch.describe_compute_environments(computeEnvironments=[arn])["computeEnvironments"][0]
    # the whole shape, with what AWS fills in (§21.1: tags {}, the default image type,
    # desiredvCpus and computeResources.tags)
    assert ce == {
        "computeEnvironmentName": "airflow-ce",
        "computeEnvironmentArn": arn,
        "ecsClusterArn": f"{CLUSTER}/airflow-ce_Batch_{ce['uuid']}",
        "tags": {},
        "type": "MANAGED",
        "state": "ENABLED",
        "status": "VALID",
        "statusReason": "ComputeEnvironment Healthy",
        "computeResources": {
            **kwargs["computeResources"],
            "minvCpus": 0,
            "desiredvCpus": 0,
            "tags": {},
            "ec2Configuration": [{"imageType": default_image_type()}],
        },
        "serviceRole": kwargs["serviceRole"],
        "containerOrchestrationType": "ECS",
        "uuid": ce["uuid"],
    }
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_airflow_batch_operator_submit_poll_and_kill(mock: BatchMock, batch: Any) -> None:
    make_ce(batch)
    make_queue(batch)
    batch.register_job_definition(
        jobDefinitionName="airflow-jd",
        type="container",
        containerProperties={
            "image": "busybox",
            "command": ["echo", "hi"],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )
    # BatchOperator.submit_job with only job_name, job_definition and job_queue given
    args = {
        "jobName": "airflow-job",
        "jobQueue": "q",
        "jobDefinition": "airflow-jd",
        "parameters": {},
        "tags": {},
    }
    job_id = batch.submit_job(**args)["jobId"]
    # BatchClientHook.get_job_description / wait_for_job poll DescribeJobs until a final status
    for _ in range(50):
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        if job["status"] in ("SUCCEEDED", "FAILED"):
            break
    assert job["status"] == "SUCCEEDED"
    # the members Airflow reads, and the shape AWS gives them (§21.1)
    arn = "arn:aws:batch:us-east-1:123456789012"
    [attempt] = job["attempts"]
    assert job == {
        "jobArn": f"{arn}:job/{job_id}",
        "jobName": "airflow-job",
        "jobId": job_id,
        "jobQueue": f"{arn}:job-queue/q",
        "status": "SUCCEEDED",
        "attempts": [attempt],
        "statusReason": "Essential container in task exited",
        "createdAt": job["createdAt"],
        "startedAt": job["startedAt"],
        "stoppedAt": job["stoppedAt"],
        "dependsOn": [],
        "jobDefinition": f"{arn}:job-definition/airflow-jd:1",
        "parameters": {},
        "container": {
            "image": "busybox",
            "command": ["echo", "hi"],
            "environment": [],
            "mountPoints": [],
            "networkInterfaces": [],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
            "secrets": [],
            "ulimits": [],
            "volumes": [],
            "exitCode": 0,
            "taskArn": attempt["container"]["taskArn"],
            "logStreamName": attempt["container"]["logStreamName"],
            "containerInstanceArn": attempt["container"]["containerInstanceArn"],
        },
        "tags": {},
        "eksAttempts": [],
    }
    # on_kill: TerminateJob of a job that already finished (or of an unknown id) answers 200
    response = batch.terminate_job(jobId=job_id, reason="Task killed by the user")
    assert set(response) == {"ResponseMetadata"}
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"


def test_snakemake_executor_register_submit_deregister(mock: BatchMock, batch: Any) -> None:
    make_ce(batch)
    make_queue(batch)
    # BatchJobBuilder._get_platform_from_queue
    queue = batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]
    ce_arn = queue["computeEnvironmentOrder"][0]["computeEnvironment"]
    ce = batch.describe_compute_environments(computeEnvironments=[ce_arn])["computeEnvironments"]
    platform = (
        "FARGATE" if ce[0]["computeResources"]["type"] in ("FARGATE", "FARGATE_SPOT") else "EC2"
    )
    assert platform == "EC2"
    # BatchJobBuilder.build_job_definition (no envvars, no GPU, no timeout, no log group)
    job_def = batch.register_job_definition(
        jobDefinitionName="snakejob-def-all-5b0f4a52-0c5e-4f0e-9d55-1d8e3f6a2b11",
        type="container",
        containerProperties={
            "image": "snakemake/snakemake:latest",
            "command": ["/bin/bash", "-c", "snakemake --snakefile Snakefile all"],
            "environment": [],
            "jobRoleArn": "arn:aws:iam::123456789012:role/snakemake-job-role",
            "privileged": True,
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "1024"},
            ],
        },
        tags={},
        platformCapabilities=[platform],
    )
    # BatchJobBuilder.submit: the definition as name:revision, no optional members
    submitted = batch.submit_job(
        jobName="snakejob-all-5b0f4a52-0c5e-4f0e-9d55-1d8e3f6a2b11",
        jobQueue="q",
        jobDefinition="{}:{}".format(job_def["jobDefinitionName"], job_def["revision"]),
    )
    mock.run_until_idle()
    job = batch.describe_jobs(jobs=[submitted["jobId"]])["jobs"][0]
    assert job["status"] == "SUCCEEDED"
    assert job["container"]["command"] == [
        "/bin/bash",
        "-c",
        "snakemake --snakefile Snakefile all",
    ]
    # the executor's cleanup deregisters the definition it registered
    batch.deregister_job_definition(jobDefinition=job_def["jobDefinitionArn"])
    found = batch.describe_job_definitions(jobDefinitions=[job_def["jobDefinitionArn"]])
    assert [d["status"] for d in found["jobDefinitions"]] == ["INACTIVE"]
