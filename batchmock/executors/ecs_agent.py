"""``ECS_AGENT_URI``: the ECS container agent's API, as a Batch job's task gets it.

ECS documents one API under ``ECS_AGENT_URI``: task scale-in protection,
``GET``/``PUT ${ECS_AGENT_URI}/task-protection/v1/state``. The agent answers it by calling ECS's
GetTaskProtection / UpdateTaskProtection with the task role's credentials, and ECS supports
those only for tasks of an ECS *service*: for a standalone task (every Batch job's task is one)
ECS answers with a ``TASK_NOT_VALID`` failure. So on Batch a job that calls the endpoint gets
what the agent answers then (its handlers, in the open-source ``amazon-ecs-agent``):

- ``PUT`` with a body that is not a JSON object of ``ProtectionEnabled`` (a boolean) and
  ``ExpiresInMinutes`` (an integer), names matched without regard to case as Go's decoder does,
  or with any other member: ``400`` ``{"error": {"Code": "InvalidParameterException", ...}}``;
  without ``ProtectionEnabled``: the same with the task's ``Arn``;
- a task without a role (no ``jobRoleArn``): ``403`` ``AccessDeniedException``, as the agent has
  no credentials to call ECS with;
- otherwise ``200`` ``{"failure": {"Arn": <task ARN>, "Reason": "TASK_NOT_VALID"}}``: ECS's
  failure as the agent passes it on. ECS's ``Detail`` text for it is not documented, so it is
  left out rather than invented; the range of ``ExpiresInMinutes`` is ECS's to check and is not
  checked here.

An endpoint whose task has ended answers ``404`` ``ResourceNotFoundException``, as the agent does
for a container it no longer knows.
"""

from __future__ import annotations

import json
from typing import Any

Response = tuple[int, dict[str, str], bytes]

PROTECTION_PATH = ["task-protection", "v1", "state"]
"""The path below ``ECS_AGENT_URI`` of task scale-in protection."""
_MEMBERS = {"protectionenabled": "ProtectionEnabled", "expiresinminutes": "ExpiresInMinutes"}
_JSON = {"Content-Type": "application/json"}


def unknown_task() -> Response:
    """The agent's answer for an endpoint whose container it does not know (ended)."""
    return _error(404, "", "ResourceNotFoundException", "Failed to find a task for the request")


def task_protection(method: str, task_arn: str, has_role: bool, body: bytes) -> Response:
    """``GET`` or ``PUT ${ECS_AGENT_URI}/task-protection/v1/state`` of a running Batch task."""
    if method == "PUT":
        request = _decode(body)
        if request is None:
            return _error(
                400,
                "",
                "InvalidParameterException",
                "UpdateTaskProtection: failed to decode request",
            )
        if request.get("ProtectionEnabled") is None:
            return _error(
                400,
                task_arn,
                "InvalidParameterException",
                "Invalid request: does not contain 'ProtectionEnabled' field",
            )
    if not has_role:
        return _error(
            403,
            task_arn,
            "AccessDeniedException",
            "Invalid Request: no task IAM role credentials available for task",
        )
    failure = {"Arn": task_arn, "Reason": "TASK_NOT_VALID"}
    return 200, dict(_JSON), json.dumps({"failure": failure}).encode("utf-8")


def _decode(body: bytes) -> dict[str, Any] | None:
    """The request's two members, or None where the agent's strict JSON decoder fails."""
    try:
        text = body.decode("utf-8").lstrip()
        value, _ = json.JSONDecoder().raw_decode(text)  # the first value: trailing text is ignored
    except (UnicodeDecodeError, ValueError):
        return None
    if value is None:
        return {}  # JSON null decodes to an empty request
    if not isinstance(value, dict):
        return None
    request: dict[str, Any] = {}
    for key, item in value.items():
        name = _MEMBERS.get(key.lower())
        if name is None:
            return None  # unknown fields are refused
        if item is None:
            continue
        if name == "ProtectionEnabled" and not isinstance(item, bool):
            return None
        if name == "ExpiresInMinutes" and (isinstance(item, bool) or not isinstance(item, int)):
            return None
        request[name] = item
    return request


def _error(status: int, arn: str, code: str, message: str) -> Response:
    error: dict[str, str] = {"Arn": arn} if arn else {}
    error.update({"Code": code, "Message": message})
    return status, dict(_JSON), json.dumps({"error": error}).encode("utf-8")
