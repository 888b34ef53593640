"""Everything a client can read from a mock, to prove that a refused request changed nothing."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from batchmock import BatchMock
from batchmock.protocol import model
from batchmock.server.control import state

_REQUEST_ID = re.compile(r", RequestId: [0-9a-f-]+$")

# Reads that need no input; the others are made below for every resource these list.
_READS = sorted(
    name
    for name in model.operation_names()
    if name.startswith(("Describe", "List"))
    and not model.service_model().operation_model(name).input_shape.required_members
)


def _read(mock: BatchMock, operation: str, params: dict[str, Any]) -> Any:
    op = model.service_model().operation_model(operation)
    path = op.http["requestUri"]
    if "{resourceArn}" in path:
        path = path.replace("{resourceArn}", quote(params.pop("resourceArn"), safe=""))
    status, _, body = mock.handle(op.http["method"], path, "", {}, json.dumps(params).encode())
    answer = json.loads(body)
    if "message" in answer:  # an error: its request ID differs from one answer to the next
        answer["message"] = _REQUEST_ID.sub("", answer["message"])
    return status, answer


def snapshot(mock: BatchMock) -> dict[str, Any]:
    """Every Describe and List answer of the mock's default account and region, every job as
    DescribeJobs renders it, and the tags of every resource (reading moves no clock)."""
    seen: dict[str, Any] = {name: _read(mock, name, {}) for name in _READS}
    arns: list[str] = []
    for listing, key, arn_key in (
        ("DescribeComputeEnvironments", "computeEnvironments", "computeEnvironmentArn"),
        ("DescribeJobQueues", "jobQueues", "jobQueueArn"),
        ("DescribeJobDefinitions", "jobDefinitions", "jobDefinitionArn"),
        ("ListSchedulingPolicies", "schedulingPolicies", "arn"),
        ("ListConsumableResources", "consumableResources", "consumableResourceArn"),
        ("DescribeServiceEnvironments", "serviceEnvironments", "serviceEnvironmentArn"),
    ):
        arns += [item[arn_key] for item in seen[listing][1].get(key, []) if arn_key in item]
    policies = [arn for arn in arns if ":scheduling-policy/" in arn]
    if policies:
        seen["DescribeSchedulingPolicies"] = _read(
            mock, "DescribeSchedulingPolicies", {"arns": policies}
        )
    for arn in arns:
        seen[f"ListTagsForResource {arn}"] = _read(
            mock, "ListTagsForResource", {"resourceArn": arn}
        )
        if ":consumable-resource/" in arn:
            seen[f"DescribeConsumableResource {arn}"] = _read(
                mock, "DescribeConsumableResource", {"consumableResource": arn}
            )
        if ":job-queue/" in arn and "ListQuotaShares" in model.operation_names():
            seen[f"ListQuotaShares {arn}"] = _read(mock, "ListQuotaShares", {"jobQueue": arn})
    seen["jobs"] = state(mock)
    return seen


_ENV = (
    (
        "/v1/createcomputeenvironment",
        {
            "computeEnvironmentName": "ce",
            "type": "MANAGED",
            "computeResources": {
                "type": "EC2",
                "maxvCpus": 16,
                "minvCpus": 0,
                "subnets": ["subnet-1"],
                "securityGroupIds": ["sg-1"],
                "instanceRole": "ecsInstanceRole",
                "instanceTypes": ["optimal"],
            },
        },
    ),
    (
        "/v1/createjobqueue",
        {
            "jobQueueName": "q",
            "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}],
        },
    ),
    (
        "/v1/registerjobdefinition",
        {
            "jobDefinitionName": "jd",
            "type": "container",
            "containerProperties": {
                "image": "busybox",
                "command": ["echo", "hello"],
                "resourceRequirements": [
                    {"type": "VCPU", "value": "1"},
                    {"type": "MEMORY", "value": "512"},
                ],
            },
        },
    ),
    ("/v1/submitjob", {"jobName": "j", "jobQueue": "q", "jobDefinition": "jd"}),
)


def fresh_env(mock: BatchMock) -> None:
    """Reset ``mock`` to what ``tests.support.make_env`` makes, plus one submitted job ``j``
    (straight through the wire layer: hundreds of examples each start from here)."""
    mock.reset()
    for path, body in _ENV:
        status, _, answer = mock.handle("POST", path, "", {}, json.dumps(body).encode())
        assert status == 200, answer
