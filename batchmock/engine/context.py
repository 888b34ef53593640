"""What an attempt is given: its task identity (§4.6, §4.8) and its environment (§9)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.executors.base import AttemptContext

if TYPE_CHECKING:
    from batchmock.engine.job import Job

DEFAULT_LOG_GROUP = "/aws/batch/job"  # §4.8


def cluster_name(ce: Any) -> str:
    """The ECS cluster of a CE: from ``ecs_cluster_arn``, else ``<ceName>_Batch_<uuid>`` (§3.4)."""
    arn = getattr(ce, "ecs_cluster_arn", None)
    if arn and "cluster/" in arn:
        return str(arn.split("cluster/", 1)[1])
    suffix = getattr(ce, "uuid", None) or str(uuid.uuid5(uuid.NAMESPACE_URL, ce.arn))
    return f"{ce.name}_Batch_{suffix}"


def main_container(job: Job) -> dict[str, Any] | None:
    """The container that stands for the job: container, else the first essential ECS/EKS one."""
    spec = job.spec
    if spec.container:
        return spec.container
    if spec.ecs_properties:
        for task in spec.ecs_properties.get("taskProperties") or []:
            containers = task.get("containers") or []
            for container in containers:
                if container.get("essential", True):
                    return dict(container)
            if containers:
                return dict(containers[0])
    if spec.eks_properties:
        containers = (spec.eks_properties.get("podProperties") or {}).get("containers") or []
        if containers:
            found = dict(containers[0])
            found.setdefault("environment", found.get("env") or [])
            return found
    return None


def user_environment(container: Mapping[str, Any] | None) -> dict[str, str]:
    """The job's own variables, ``AWS_BATCH_*`` excluded (they are Batch's, §9.1)."""
    env: dict[str, str] = {}
    for entry in (container or {}).get("environment") or []:
        name = entry.get("name")
        if name and not str(name).startswith("AWS_BATCH"):
            env[str(name)] = str(entry.get("value", ""))
    return env


def log_group(container: Mapping[str, Any] | None) -> str:
    """``awslogs-group`` of an awslogs logConfiguration, else /aws/batch/job (§4.8)."""
    config = (container or {}).get("logConfiguration") or {}
    if config.get("logDriver") == "awslogs":
        group = (config.get("options") or {}).get("awslogs-group")
        if group:
            return str(group)
    return DEFAULT_LOG_GROUP


class _Template:
    """What every attempt of a job (or of every child of an array) has in common."""

    __slots__ = (
        "array_size",
        "command",
        "container",
        "definition",
        "env",
        "gpus",
        "image",
        "log_group",
        "memory",
        "platform",
        "queue_name",
        "stream_prefix",
        "timeout",
        "vcpus",
    )

    def __init__(self, job: Job) -> None:
        spec = job.spec
        container = main_container(job)
        self.container = container
        self.image = None if container is None else container.get("image")
        self.command = list((container or {}).get("command") or [])
        self.env = user_environment(container)
        self.log_group = log_group(container)
        # §4.8: <first 200 chars of the definition name>/default/<ECS task id>
        self.stream_prefix = f"{spec.definition.name[:200]}/default/"
        timeout = (spec.timeout or {}).get("attemptDurationSeconds")
        self.timeout = None if timeout is None else int(timeout)
        self.definition = spec.definition
        self.queue_name: str = spec.queue.name
        self.array_size = None if spec.array_size is None else str(spec.array_size)
        self.vcpus = float(spec.vcpus)
        self.memory = int(spec.memory)
        self.gpus = int(spec.gpus)
        self.platform = "FARGATE" if "FARGATE" in (spec.platform_capabilities or ()) else "EC2"


def build(job: Job, task_arn: str, attempt: int, ce_name: str) -> AttemptContext:
    """The AttemptContext of ``job``'s attempt number ``attempt`` placed on ``ce_name``."""
    spec = job.spec
    parent = job.parent
    index = job.array_index
    holder = parent if parent is not None and index is not None else job
    template = holder.run.template
    if template is None:
        template = holder.run.template = _Template(job)
    env = dict(template.env)
    env["AWS_BATCH_CE_NAME"] = ce_name
    env["AWS_BATCH_JQ_NAME"] = template.queue_name
    env["AWS_BATCH_JOB_ID"] = job.job_id
    env["AWS_BATCH_JOB_ATTEMPT"] = str(attempt)
    num_nodes = main_index = None
    if index is not None:
        env["AWS_BATCH_JOB_ARRAY_INDEX"] = str(index)
        env["AWS_BATCH_JOB_ARRAY_SIZE"] = str(template.array_size)
    if job.node_index is not None and parent is not None:
        props = parent.spec.node_properties or {}
        num_nodes, main_index = int(props["numNodes"]), int(props["mainNode"])
        env["AWS_BATCH_JOB_NODE_INDEX"] = str(job.node_index)
        env["AWS_BATCH_JOB_NUM_NODES"] = str(num_nodes)
        env["AWS_BATCH_JOB_MAIN_NODE_INDEX"] = str(main_index)
        if job.node_index != main_index:
            main = parent.children[main_index]
            env["AWS_BATCH_JOB_MAIN_NODE_PRIVATE_IPV4_ADDRESS"] = str(main.private_ipv4_address)
    definition = template.definition
    values = (
        job.job_id,
        job.arn,
        spec.name,
        definition.name,
        definition.arn,
        template.queue_name,
        ce_name,
        template.image,
        list(template.command),
        env,
        dict(spec.parameters),
        attempt,
        index,
        spec.array_size if index is not None else None,
        job.node_index,
        num_nodes,
        job.node_index is not None and job.node_index == main_index,
        template.vcpus,
        template.memory,
        template.gpus,
        template.timeout,
        template.log_group,
        template.stream_prefix + task_arn[task_arn.rfind("/") + 1 :],
        task_arn,
        template.container,
        template.platform,
        job.private_ipv4_address,
    )
    # A context is built for every attempt, and 25 keyword arguments cost three times as much as
    # 25 positional ones; tests/engine/test_engine_units.py pins _FIELDS to the dataclass order.
    return AttemptContext(*values)


_FIELDS = (
    "job_id",
    "job_arn",
    "job_name",
    "job_definition",
    "job_definition_arn",
    "job_queue",
    "compute_environment",
    "image",
    "command",
    "env",
    "parameters",
    "attempt",
    "array_index",
    "array_size",
    "node_index",
    "num_nodes",
    "is_main_node",
    "vcpus",
    "memory",
    "gpus",
    "timeout_seconds",
    "log_group",
    "log_stream_name",
    "task_arn",
    "container",
    "platform",
    "private_ipv4_address",
)
"""The members :func:`build` fills, in the order of its ``values`` (the dataclass's order)."""
