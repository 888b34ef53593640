"""``ECS_AGENT_URI``: a Batch job's task scale-in protection calls, answered as the ECS agent
answers a standalone task's (``batchmock/executors/ecs_agent.py``)."""

from __future__ import annotations

import json
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest

from batchmock import mock_batch
from batchmock.executors.ecs import TaskRegistry
from tests.executors.container_scenarios import EXEC_ROLE, ROLE, fargate_environment
from tests.executors.scenarios import Flavour, describe, submit
from tests.executors.test_ecs import SERVER, TASK, _ctx

LOCAL = Flavour(executor="local", python=[sys.executable])
CALLS = r"""
import json, os, urllib.error, urllib.request

url = os.environ["ECS_AGENT_URI"] + "/task-protection/v1/state"
seen = {}
for name, method, body in (
    ("get", "GET", None),
    ("protect", "PUT", b'{"ProtectionEnabled": true, "ExpiresInMinutes": 60}'),
    ("lowercase", "PUT", b'{"protectionEnabled": false}'),
    ("missing", "PUT", b'{"ExpiresInMinutes": 60}'),
    ("unknown", "PUT", b'{"ProtectionEnabled": true, "Extra": 1}'),
    ("post", "POST", b"{}"),
):
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as answer:
            seen[name] = [answer.status, json.load(answer)]
    except urllib.error.HTTPError as error:
        seen[name] = [error.code, json.load(error)]
print(json.dumps({"task": os.environ.get("ECS_AGENT_URI", ""), "seen": seen}), flush=True)
"""
DECODE = {
    "error": {
        "Code": "InvalidParameterException",
        "Message": "UpdateTaskProtection: failed to decode request",
    }
}


def _missing(task_arn: str) -> dict[str, Any]:
    return {
        "error": {
            "Arn": task_arn,
            "Code": "InvalidParameterException",
            "Message": "Invalid request: does not contain 'ProtectionEnabled' field",
        }
    }


def test_a_fargate_job_sees_what_the_agent_answers_a_standalone_task() -> None:
    with mock_batch(executor="local") as mock:
        batch = mock.client()
        fargate_environment(batch)
        common: dict[str, Any] = {
            "platformCapabilities": ["FARGATE"],
            "executionRoleArn": EXEC_ROLE,
            "resourceRequirements": [
                {"type": "VCPU", "value": "0.25"},
                {"type": "MEMORY", "value": "512"},
            ],
        }
        LOCAL.definition(batch, "with-role", CALLS, jobRoleArn=ROLE, **common)
        LOCAL.definition(batch, "without-role", CALLS, **common)
        with_role = submit(batch, "with-role", jobQueue="fq")
        without_role = submit(batch, "without-role", jobQueue="fq")
        mock.run_until_idle()
        for job_id, role in ((with_role, True), (without_role, False)):
            detail = describe(batch, job_id)
            assert detail["status"] == "SUCCEEDED", (detail.get("statusReason"), mock.logs(job_id))
            task_arn = detail["container"]["taskArn"]
            printed = json.loads(mock.logs(job_id)[-1])
            assert "/_batchmock/ecs/api/" in printed["task"]
            denied = {
                "error": {
                    "Arn": task_arn,
                    "Code": "AccessDeniedException",
                    "Message": "Invalid Request: no task IAM role credentials available for task",
                }
            }
            answer = (
                [200, {"failure": {"Arn": task_arn, "Reason": "TASK_NOT_VALID"}}]
                if role
                else [403, denied]
            )
            assert printed["seen"] == {
                "get": answer,
                "protect": answer,
                "lowercase": answer,
                "missing": [400, _missing(task_arn)],
                "unknown": [400, DECODE],
                "post": [
                    405,
                    {
                        "code": "MethodNotAllowed",
                        "message": f"POST is not allowed on {urlsplit(printed['task']).path}"
                        "/task-protection/v1/state; use GET or PUT.",
                    },
                ],
            }


def _call(registry: TaskRegistry, url: str, method: str, body: bytes = b"") -> Any:
    status, headers, answer = registry.answer(method, url[len(SERVER) :], {}, body)
    assert headers == {"Content-Type": "application/json"}
    return status, json.loads(answer)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"ProtectionEnabled": "true"}',
        b'{"ProtectionEnabled": true, "ExpiresInMinutes": 1.5}',
        b'{"ProtectionEnabled": true, "ExpiresInMinutes": true}',
        b"\xff",
    ],
)
def test_a_body_the_agent_cannot_decode(body: bytes) -> None:
    registry = TaskRegistry(lambda: 0)
    task = registry.register(_ctx(platform="FARGATE", container={"jobRoleArn": ROLE}), SERVER, "")
    url = task.environment()["ECS_AGENT_URI"] + "/task-protection/v1/state"
    assert _call(registry, url, "PUT", body) == (400, DECODE)


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (b"null", (400, _missing(TASK))),
        (b'{"ProtectionEnabled": null}', (400, _missing(TASK))),
        (
            b'{"PROTECTIONENABLED": true} trailing',
            (200, {"failure": {"Arn": TASK, "Reason": "TASK_NOT_VALID"}}),
        ),
    ],
)
def test_what_the_agent_decodes(body: bytes, answer: Any) -> None:
    registry = TaskRegistry(lambda: 0)
    task = registry.register(_ctx(platform="FARGATE", container={"jobRoleArn": ROLE}), SERVER, "")
    url = task.environment()["ECS_AGENT_URI"] + "/task-protection/v1/state"
    assert _call(registry, url, "PUT", body) == answer


def test_an_ended_task_and_an_ec2_task_are_unknown_to_the_agent() -> None:
    registry = TaskRegistry(lambda: 0)
    fargate = registry.register(_ctx(platform="FARGATE"), SERVER, "127.0.0.1")
    ec2 = registry.register(_ctx(), SERVER, "127.0.0.1")
    assert "ECS_AGENT_URI" not in ec2.environment()
    url = fargate.environment()["ECS_AGENT_URI"] + "/task-protection/v1/state"
    unknown = (
        404,
        {
            "error": {
                "Code": "ResourceNotFoundException",
                "Message": "Failed to find a task for the request",
            }
        },
    )
    assert _call(registry, url.replace(fargate.key, ec2.key), "GET") == unknown
    assert _call(registry, url, "GET")[0] == 403
    registry.unregister(fargate)
    assert _call(registry, url, "GET") == unknown
    assert _call(registry, url.replace("state", "other"), "GET")[0] == 404
