"""What ECS gives the container of a task: metadata and credential endpoints, and variables.

On AWS Batch every attempt is an ECS task, and the ECS agent serves each container two HTTP
endpoints that SDKs and tools read (reference §21.5):

- the **task metadata endpoint** (``ECS_CONTAINER_METADATA_URI_V4``, and the older
  ``ECS_CONTAINER_METADATA_URI`` of version 3): ``GET <uri>`` is the container's own document,
  ``GET <uri>/task`` the task's, with every container of the task in it;
- the **container credentials endpoint**: the job role's (``jobRoleArn``) temporary
  credentials, which every AWS SDK's container credential provider fetches when its variables
  are set. ECS sets ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` (relative to the agent's link-local
  address 169.254.170.2, which no process here reaches), so batchmock sets
  ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` on loopback with ``AWS_CONTAINER_AUTHORIZATION_TOKEN``,
  the other form every SDK reads, and checks that token on each request.

A :class:`TaskRegistry` (one per mock, see ``MockServices``) holds the attempts that really
run; the mock's loopback server answers for them under :data:`PREFIX` through
:meth:`TaskRegistry.answer`.
Documents are built on each request from the attempt's :class:`AttemptContext`, so they say what
DescribeJobs says of the attempt: the task ARN (``container.taskArn``), its cluster, the log
stream (``container.logStreamName``) and group, the image, the vCPU and memory limits, and for a
multi-node node its address (``container.networkInterfaces``).

The credentials are fake: the access key id is the role's account (twelve digits: batchmock and
moto answer such a key for that account), and the secret and session token name the role. What
real ECS fills in and nothing here can know (image digests, the VPC, port mappings, stats) is
left out rather than invented; the stats endpoints answer 404. A Fargate task also gets
``ECS_AGENT_URI``, the agent's API: its task scale-in protection endpoint answers as the agent
does for a standalone task (``executors/ecs_agent.py``).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from batchmock.executors import ecs_agent
from batchmock.executors.base import AttemptContext

PREFIX = "/_batchmock/ecs/"
"""Where the mock's server answers the endpoints of running tasks."""
CONTAINER_NAME = "default"
"""The name Batch gives the container of a job's task (the ``default`` in its log stream)."""
CREDENTIALS_HOURS = 6
"""Hours until the fake credentials expire (ECS renews task role credentials within that)."""
SECRET_KEY = "batchmock"
"""The secret access key of jobs without a role (their keys are in their environment)."""

Response = tuple[int, dict[str, str], bytes]
_JSON = {"Content-Type": "application/json"}


def launch_type(ctx: AttemptContext) -> str:
    """``EC2`` or ``FARGATE``: the platform the attempt's job runs on."""
    return "FARGATE" if ctx.platform == "FARGATE" else "EC2"


def execution_env(ctx: AttemptContext) -> str:
    """``AWS_EXECUTION_ENV`` of the attempt's container (§21.5)."""
    return f"AWS_ECS_{launch_type(ctx)}"


def job_role(ctx: AttemptContext) -> str | None:
    """The job's IAM role (``jobRoleArn``), if it has one."""
    role = (ctx.container or {}).get("jobRoleArn")
    return str(role) if role else None


def role_account(role_arn: str, default: str) -> str:
    """The account of a role ARN ``arn:aws:iam::<account>:role/<name>``, else ``default``."""
    parts = role_arn.split(":", 5)
    if len(parts) == 6 and len(parts[4]) == 12 and parts[4].isdigit():
        return parts[4]
    return default


def _iso(ms: int) -> str:
    stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}000000Z"


@dataclass
class Task:
    """One running attempt's endpoints; see :meth:`TaskRegistry.register`."""

    ctx: AttemptContext
    base_url: str
    """The server's URL plus :data:`PREFIX`."""
    key: str
    """The metadata endpoints' path segment (ECS uses the container's runtime id)."""
    token: str
    """The credentials endpoint's authorization token."""
    created_ms: int
    address: str
    """The IPv4 address the container is reached at (its node address for a multi-node job)."""
    docker_id: str = field(default_factory=lambda: secrets.token_hex(32))
    """The container's id: the Docker executor sets the real one once it is created."""
    known_status: str = "RUNNING"

    @property
    def metadata_uri_v4(self) -> str:
        """``ECS_CONTAINER_METADATA_URI_V4``."""
        return f"{self.base_url}v4/{self.key}"

    @property
    def metadata_uri_v3(self) -> str:
        """``ECS_CONTAINER_METADATA_URI`` (version 3)."""
        return f"{self.base_url}v3/{self.key}"

    @property
    def credentials_uri(self) -> str | None:
        """``AWS_CONTAINER_CREDENTIALS_FULL_URI``, or None when the job has no role."""
        return None if job_role(self.ctx) is None else f"{self.base_url}credentials/{self.key}"

    def environment(self) -> dict[str, str]:
        """The ECS variables of the container (credential ones only when the job has a role)."""
        env = {
            "ECS_CONTAINER_METADATA_URI": self.metadata_uri_v3,
            "ECS_CONTAINER_METADATA_URI_V4": self.metadata_uri_v4,
        }
        uri = self.credentials_uri
        if uri is not None:
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = uri
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = self.token
        if launch_type(self.ctx) == "FARGATE":
            env["ECS_AGENT_URI"] = f"{self.base_url}api/{self.key}"
        return env

    # -- documents -----------------------------------------------------------------------------
    def _names(self) -> tuple[str, str, str, str, str]:
        """(account, region, cluster name, task id, definition revision)."""
        arn = self.ctx.task_arn  # arn:aws:ecs:<region>:<account>:task/<cluster>/<task id>
        head, _, resource = arn.partition(":task/")
        parts = head.split(":")
        cluster, _, task_id = resource.rpartition("/")
        revision = self.ctx.job_definition_arn.rsplit(":", 1)[-1]
        return parts[4], parts[3], cluster, task_id, revision

    def container_document(self, version: int = 4) -> dict[str, Any]:
        """``GET ${ECS_CONTAINER_METADATA_URI_V4}``: this container."""
        ctx = self.ctx
        account, region, cluster, task_id, revision = self._names()
        created = _iso(self.created_ms)
        doc: dict[str, Any] = {
            "DockerId": self.docker_id,
            "Name": CONTAINER_NAME,
            "DockerName": f"ecs-{ctx.job_definition}-{revision}-{CONTAINER_NAME}-{task_id[:20]}",
            "Image": ctx.image or "",
            "Labels": {
                "com.amazonaws.ecs.cluster": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "com.amazonaws.ecs.container-name": CONTAINER_NAME,
                "com.amazonaws.ecs.task-arn": ctx.task_arn,
                "com.amazonaws.ecs.task-definition-family": ctx.job_definition,
                "com.amazonaws.ecs.task-definition-version": revision,
            },
            "DesiredStatus": "RUNNING",
            "KnownStatus": self.known_status,
            "Limits": {"CPU": int(round(ctx.vcpus * 1024)), "Memory": int(ctx.memory)},
            "CreatedAt": created,
            "StartedAt": created,
            "Type": "NORMAL",
            "Networks": [self._network(version)],
        }
        if version >= 4:
            doc["LogDriver"] = "awslogs"
            doc["LogOptions"] = {
                "awslogs-group": ctx.log_group,
                "awslogs-region": region,
                "awslogs-stream": ctx.log_stream_name,
            }
            doc["ContainerARN"] = (
                f"arn:aws:ecs:{region}:{account}:container/{cluster}/{task_id}/{self.key}"
            )
        return doc

    def _network(self, version: int) -> dict[str, Any]:
        awsvpc = launch_type(self.ctx) == "FARGATE" or self.ctx.node_index is not None
        network: dict[str, Any] = {
            "NetworkMode": "awsvpc" if awsvpc else "host",
            "IPv4Addresses": [self.address],
        }
        if version >= 4 and awsvpc:
            network["PrivateDNSName"] = f"ip-{self.address.replace('.', '-')}.ec2.internal"
        return network

    def task_document(self, version: int = 4) -> dict[str, Any]:
        """``GET ${ECS_CONTAINER_METADATA_URI_V4}/task``: the task and its containers."""
        ctx = self.ctx
        account, region, cluster, _, revision = self._names()
        doc: dict[str, Any] = {
            "Cluster": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
            "TaskARN": ctx.task_arn,
            "Family": ctx.job_definition,
            "Revision": revision,
            "DesiredStatus": "RUNNING",
            "KnownStatus": self.known_status,
            "Limits": {"CPU": ctx.vcpus, "Memory": int(ctx.memory)},
            "PullStartedAt": _iso(self.created_ms),
            "PullStoppedAt": _iso(self.created_ms),
            "AvailabilityZone": f"{region}a",
            "Containers": [self.container_document(version)],
        }
        if version >= 4:
            doc["LaunchType"] = launch_type(ctx)
        return doc

    def credentials(self) -> dict[str, Any]:
        """The role's fake temporary credentials (see the module docstring).

        They expire :data:`CREDENTIALS_HOURS` from the wall time (not the mock's clock, which
        may be pinned in the past: SDKs would take them as expired and refresh without end).
        """
        role = job_role(self.ctx) or ""
        job_account = self.ctx.job_arn.split(":", 5)[4]
        name = role.rsplit("/", 1)[-1]
        expires = datetime.now(timezone.utc) + timedelta(hours=CREDENTIALS_HOURS)
        return {
            "RoleArn": role,
            "AccessKeyId": role_account(role, job_account),
            "SecretAccessKey": f"batchmock-role-{name}",
            "Token": f"batchmock-session:{role}",
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


class TaskRegistry:
    """The running attempts of one mock, and the answers of their endpoints."""

    def __init__(self, now_ms: Callable[[], int]) -> None:
        self._now_ms = now_ms
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    def register(self, ctx: AttemptContext, server_url: str, address: str) -> Task:
        """Serve ``ctx``'s endpoints from ``server_url`` until :meth:`unregister`."""
        task = Task(
            ctx=ctx,
            base_url=server_url.rstrip("/") + PREFIX,
            key=secrets.token_hex(16),
            token=secrets.token_urlsafe(32),
            created_ms=self._now_ms(),
            address=address,
        )
        with self._lock:
            self._tasks[task.key] = task
        return task

    def unregister(self, task: Task) -> None:
        """The attempt has ended: its endpoints answer 404 from now on."""
        with self._lock:
            self._tasks.pop(task.key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tasks)

    def answer(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> Response:
        """The answer to a request for ``path`` (starting with :data:`PREFIX`)."""
        parts = path[len(PREFIX) :].strip("/").split("/")
        kind, key, rest = parts[0], (parts[1] if len(parts) > 1 else ""), parts[2:]
        with self._lock:
            task = self._tasks.get(key)
        if kind == "api" and rest == ecs_agent.PROTECTION_PATH:
            return _agent(task, method.upper(), path, body)
        if task is None or kind not in ("v3", "v4", "credentials", "api"):
            return _error(404, "NotFound", f"No running task answers {path}.")
        if method.upper() != "GET":
            return _error(405, "MethodNotAllowed", f"{method} is not allowed on {path}; use GET.")
        if kind == "credentials":
            if rest or task.credentials_uri is None:
                return _error(404, "NotFound", f"No credentials at {path}.")
            given = headers.get("Authorization") or headers.get("authorization") or ""
            if not secrets.compare_digest(given, task.token):
                return _error(
                    401,
                    "Unauthorized",
                    "The Authorization header must be the AWS_CONTAINER_AUTHORIZATION_TOKEN "
                    "of this task.",
                )
            return _ok(task.credentials())
        version = 3 if kind == "v3" else 4
        if kind == "v3" or kind == "v4":
            if not rest:
                return _ok(task.container_document(version))
            if rest == ["task"]:
                return _ok(task.task_document(version))
        return _error(
            404, "NotFound", f"{path} is not emulated: batchmock serves <uri> and <uri>/task."
        )


def _agent(task: Task | None, method: str, path: str, body: bytes) -> Response:
    """``${ECS_AGENT_URI}/task-protection/v1/state`` (``ECS_AGENT_URI``: Fargate tasks only)."""
    if task is None or launch_type(task.ctx) != "FARGATE":
        return ecs_agent.unknown_task()
    if method not in ("GET", "PUT"):
        return _error(
            405, "MethodNotAllowed", f"{method} is not allowed on {path}; use GET or PUT."
        )
    return ecs_agent.task_protection(
        method, task.ctx.task_arn, job_role(task.ctx) is not None, body
    )


NO_TASKS = TaskRegistry(lambda: 0)
"""An empty registry: the answers of a mock that has not run a real attempt yet."""


def _ok(value: Any) -> Response:
    return 200, dict(_JSON), json.dumps(value, indent=1).encode("utf-8")


def _error(status: int, code: str, message: str) -> Response:
    return status, dict(_JSON), json.dumps({"code": code, "message": message}).encode("utf-8")
