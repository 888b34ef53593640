"""Small builders shared by tests: a working compute environment, queue and job definition."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def make_ce(batch: Any, name: str = "ce", max_vcpus: int = 16, **kwargs: Any) -> str:
    """Create a managed EC2 compute environment and return its ARN."""
    resources = {
        "type": "EC2",
        "maxvCpus": max_vcpus,
        "minvCpus": 0,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
        "instanceRole": "ecsInstanceRole",
        "instanceTypes": ["optimal"],
    }
    resources.update(kwargs.pop("computeResources", {}))
    arn: str = batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED", computeResources=resources, **kwargs
    )["computeEnvironmentArn"]
    return arn


def make_queue(
    batch: Any, name: str = "q", ce: str = "ce", priority: int = 1, **kwargs: Any
) -> str:
    """Create an enabled job queue over one compute environment and return its ARN."""
    arn: str = batch.create_job_queue(
        jobQueueName=name,
        priority=priority,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}],
        **kwargs,
    )["jobQueueArn"]
    return arn


def make_job_definition(batch: Any, name: str = "jd", vcpus: int = 1, **kwargs: Any) -> str:
    """Register a container job definition and return its ARN."""
    container = {
        "image": "busybox",
        "command": ["echo", "hello"],
        "resourceRequirements": [
            {"type": "VCPU", "value": str(vcpus)},
            {"type": "MEMORY", "value": "512"},
        ],
    }
    container.update(kwargs.pop("containerProperties", {}))
    arn: str = batch.register_job_definition(
        jobDefinitionName=name, type="container", containerProperties=container, **kwargs
    )["jobDefinitionArn"]
    return arn


def make_env(batch: Any, max_vcpus: int = 16) -> None:
    """A compute environment ``ce``, a queue ``q`` and a job definition ``jd``."""
    make_ce(batch, max_vcpus=max_vcpus)
    make_queue(batch)
    make_job_definition(batch)


def submit_job(batch: Any, **kwargs: Any) -> str:
    """Submit a job (name ``j`` to queue ``q`` with definition ``jd`` unless given); its ID."""
    params: dict[str, Any] = {"jobName": "j", "jobQueue": "q", "jobDefinition": "jd"}
    params.update(kwargs)
    job_id: str = batch.submit_job(**params)["jobId"]
    return job_id


def describe_job(batch: Any, job_id: str) -> dict[str, Any]:
    """The JobDetail of one job (fails if the job is unknown)."""
    jobs = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert len(jobs) == 1, f"job {job_id} not found"
    detail: dict[str, Any] = jobs[0]
    return detail


def error_of(call: Any, *args: Any, **kwargs: Any) -> str:
    """The message of the ClientException (HTTP 400) that ``call(*args, **kwargs)`` must raise."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = info.value.response["Error"]["Message"]
    return message


def executing_error_of(call: Any, *args: Any, **kwargs: Any) -> str:
    """The ``<detail>`` of an ``Error executing request, Exception : <detail>, RequestId: <id>``
    ClientException (§2.5, §21.4), after checking the wrapper and that ``<id>`` is the response's
    own request id."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    assert response["Error"]["Code"] == "ClientException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = response["Error"]["Message"]
    head, tail = (
        "Error executing request, Exception : ",
        f", RequestId: {response['ResponseMetadata']['RequestId']}",
    )
    assert message.startswith(head), message
    assert message.endswith(tail), message
    return message[len(head) : -len(tail)]
