"""What the async client tests (aiobotocore, aioboto3) share: a user-defined Batch waiter, the
resources one job needs, and how an optional client library is required or skipped."""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from botocore.waiter import WaiterModel

# The variable that turns a missing library's skip into a failure (.ci/run's async steps set them).
REQUIRED_BY = {
    "aiobotocore": "BATCHMOCK_REQUIRE_ASYNC",
    "httpx": "BATCHMOCK_REQUIRE_ASYNC",  # aiobotocore's httpx session
    "aioboto3": "BATCHMOCK_REQUIRE_AIOBOTO3",
}
EXTRAS = {"aiobotocore": "test-async", "httpx": "test-async", "aioboto3": "test-aioboto3"}


def require(module: str) -> None:
    """Skip the calling test (or test module, at import) when ``module`` (an ``aiobotocore``,
    ``httpx`` or ``aioboto3`` one, from setup.cfg's ``test-async`` / ``test-aioboto3`` extra) is
    absent, unless its variable in :data:`REQUIRED_BY` is ``1``: then its absence fails the run."""
    library = module.split(".")[0]
    extra = EXTRAS[library]
    if os.environ.get(REQUIRED_BY[library]) == "1":
        importlib.import_module(module)  # an ImportError here fails the run
    else:
        pytest.importorskip(module, reason=f"{module} (the '{extra}' extra) is not installed")


REGION = "us-east-1"
# Batch has no built-in waiter: one as a user defines it with botocore's waiter model.
WAITERS = WaiterModel(
    {
        "version": 2,
        "waiters": {
            "JobComplete": {
                "operation": "DescribeJobs",
                "delay": 1,
                "maxAttempts": 50,
                "acceptors": [
                    {
                        "matcher": "path",
                        "argument": "jobs[0].status",
                        "expected": "SUCCEEDED",
                        "state": "success",
                    },
                    {
                        "matcher": "path",
                        "argument": "jobs[0].status",
                        "expected": "FAILED",
                        "state": "failure",
                    },
                ],
            }
        },
    }
)


async def setup_job(batch: Any) -> str:
    """A Fargate compute environment, queue and job definition, and one job submitted to them:
    its ID."""
    await batch.create_compute_environment(
        computeEnvironmentName="ce",
        type="MANAGED",
        computeResources={
            "type": "FARGATE",
            "maxvCpus": 4,
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
        },
    )
    await batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    await batch.register_job_definition(
        jobDefinitionName="jd",
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={
            "image": "busybox",
            "command": ["echo", "hi"],
            "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "2048"},
            ],
        },
    )
    submitted = await batch.submit_job(jobName="j", jobQueue="q", jobDefinition="jd")
    return str(submitted["jobId"])
