"""The ECS endpoints' answers for each kind of attempt (``batchmock/executors/ecs.py``)."""

from __future__ import annotations

import json
from typing import Any

from batchmock.executors.base import AttemptContext
from batchmock.executors.ecs import TaskRegistry

SERVER = "http://127.0.0.1:4000"
TASK = "arn:aws:ecs:eu-west-1:111122223333:task/ce_Batch_1/0123456789abcdef0123456789abcdef"


def _ctx(**changes: Any) -> AttemptContext:
    values: dict[str, Any] = {
        "job_id": "id",
        "job_arn": "arn:aws:batch:eu-west-1:111122223333:job/id",
        "job_name": "name",
        "job_definition": "jd",
        "job_definition_arn": "arn:aws:batch:eu-west-1:111122223333:job-definition/jd:4",
        "job_queue": "q",
        "compute_environment": "ce",
        "image": "busybox",
        "command": ["true"],
        "env": {},
        "parameters": {},
        "attempt": 1,
        "array_index": None,
        "array_size": None,
        "node_index": None,
        "num_nodes": None,
        "is_main_node": False,
        "vcpus": 0.5,
        "memory": 1024,
        "gpus": 0,
        "timeout_seconds": None,
        "log_group": "/custom",
        "log_stream_name": "jd/default/0123456789abcdef0123456789abcdef",
        "task_arn": TASK,
    }
    values.update(changes)
    return AttemptContext(**values)


def _get(registry: TaskRegistry, url: str, method: str = "GET", **headers: str) -> Any:
    status, response_headers, body = registry.answer(method, url[len(SERVER) :], headers)
    assert response_headers == {"Content-Type": "application/json"}
    return status, json.loads(body)


def test_a_fargate_task() -> None:
    registry = TaskRegistry(lambda: 1_700_000_000_123)
    task = registry.register(_ctx(platform="FARGATE"), SERVER, "127.0.0.1")
    env = task.environment()
    assert env["ECS_AGENT_URI"] == f"{SERVER}/_batchmock/ecs/api/{task.key}"
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" not in env  # no role
    status, doc = _get(registry, env["ECS_CONTAINER_METADATA_URI_V4"] + "/task")
    assert status == 200
    assert doc["LaunchType"] == "FARGATE"
    assert doc["Cluster"] == "arn:aws:ecs:eu-west-1:111122223333:cluster/ce_Batch_1"
    assert doc["Limits"] == {"CPU": 0.5, "Memory": 1024}
    assert doc["AvailabilityZone"] == "eu-west-1a"
    assert doc["PullStartedAt"] == "2023-11-14T22:13:20.123000000Z"
    container = doc["Containers"][0]
    assert container["Limits"] == {"CPU": 512, "Memory": 1024}
    assert container["LogOptions"]["awslogs-group"] == "/custom"
    assert container["Networks"] == [
        {
            "NetworkMode": "awsvpc",
            "IPv4Addresses": ["127.0.0.1"],
            "PrivateDNSName": "ip-127-0-0-1.ec2.internal",
        }
    ]
    assert _get(registry, f"{SERVER}/_batchmock/ecs/credentials/{task.key}")[0] == 404


def test_version_3_leaves_out_what_version_4_added() -> None:
    registry = TaskRegistry(lambda: 0)
    task = registry.register(_ctx(), SERVER, "127.0.0.1")
    _, v3 = _get(registry, task.environment()["ECS_CONTAINER_METADATA_URI"] + "/task")
    _, v4 = _get(registry, task.environment()["ECS_CONTAINER_METADATA_URI_V4"] + "/task")
    assert set(v4) - set(v3) == {"LaunchType"}
    assert set(v4["Containers"][0]) - set(v3["Containers"][0]) == {
        "LogDriver",
        "LogOptions",
        "ContainerARN",
    }


def test_credentials_name_the_role_and_its_account() -> None:
    registry = TaskRegistry(lambda: 0)
    role = "arn:aws:iam::444455556666:role/cross"
    task = registry.register(_ctx(container={"jobRoleArn": role}), SERVER, "127.0.0.1")
    env = task.environment()
    uri, token = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    status, body = _get(registry, uri, Authorization=token)
    assert status == 200
    assert set(body) == {"RoleArn", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
    assert body["RoleArn"] == role
    assert body["AccessKeyId"] == "444455556666"
    assert body["SecretAccessKey"] == "batchmock-role-cross"
    assert body["Token"] == f"batchmock-session:{role}"
    assert body["Expiration"].endswith("Z")
    assert _get(registry, uri, Authorization="nope") == (
        401,
        {
            "code": "Unauthorized",
            "message": "The Authorization header must be the AWS_CONTAINER_AUTHORIZATION_TOKEN "
            "of this task.",
        },
    )
    assert _get(registry, uri, "POST", Authorization=token)[0] == 405


def test_an_ended_attempt_answers_nothing() -> None:
    registry = TaskRegistry(lambda: 0)
    task = registry.register(_ctx(), SERVER, "127.0.0.1")
    uri = task.environment()["ECS_CONTAINER_METADATA_URI_V4"]
    assert _get(registry, uri)[0] == 200
    assert _get(registry, uri + "/stats")[0] == 404  # not emulated
    registry.unregister(task)
    assert _get(registry, uri)[0] == 404
    assert len(registry) == 0
