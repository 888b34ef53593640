"""A job as the API shows it: JobDetail (DescribeJobs, §4.12) and JobSummary (ListJobs, §15.10).

Members that are unknown are left out as the views are built (a job that never ran has no
``startedAt``, never 0: G7): no view holds ``None`` at any depth, so the handlers can mark their
results :class:`~batchmock.pruned.Pruned` and the serializer does not walk 100 jobs a
second time. The structures a job stores from its request (container, retry strategy, ...) are
made None-free once, at SubmitJob (:func:`store_none_free`), and copied as they are. Nothing here
changes a job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.core import output_defaults
from batchmock.backend.jobs.job_nodes import node_range_for
from batchmock.pruned import prune

if TYPE_CHECKING:
    from batchmock.engine.job import Attempt, Job, JobSpec

STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
RESERVED_ENV_PREFIX = "AWS_BATCH"


def store_none_free(spec: JobSpec) -> None:
    """Drop ``None`` from every structure of a new job's spec (SubmitJob, before the engine).

    The views below copy these structures as they are, so this is what keeps JobDetail free of
    ``None`` (an explicit null in a request means absent; defaults may carry None). Tags are
    validated strings, and stay the same dict (TagResource updates it).
    """
    spec.parameters = prune(spec.parameters)
    spec.container = prune(spec.container)
    spec.node_properties = prune(spec.node_properties)
    spec.ecs_properties = prune(spec.ecs_properties)
    spec.eks_properties = prune(spec.eks_properties)
    spec.retry_strategy = prune(spec.retry_strategy)
    spec.timeout = prune(spec.timeout)
    spec.depends_on = prune(spec.depends_on)
    spec.platform_capabilities = prune(spec.platform_capabilities)
    spec.consumable_resource_properties = prune(spec.consumable_resource_properties)


def job_detail(job: Job) -> dict[str, Any]:
    """The JobDetail of a job, an array child or a multi-node node (no ``None`` at any depth)."""
    spec = job.spec
    detail: dict[str, Any] = {
        "jobArn": job.arn,
        "jobName": spec.name,
        "jobId": job.job_id,
        "jobQueue": spec.queue.arn,
        "status": job.status,
    }
    if spec.share_identifier is not None:
        detail["shareIdentifier"] = spec.share_identifier
    if spec.scheduling_priority is not None:
        detail["schedulingPriority"] = spec.scheduling_priority
    interfaces = None if job.private_ipv4_address is None else _interfaces(job)
    detail["attempts"] = [attempt_detail(attempt, interfaces) for attempt in job.attempts]
    if job.status_reason is not None:
        detail["statusReason"] = job.status_reason
    detail["createdAt"] = job.created_at
    if spec.retry_strategy is not None:
        detail["retryStrategy"] = spec.retry_strategy
    if job.started_at is not None:
        detail["startedAt"] = job.started_at
    if job.stopped_at is not None:
        detail["stoppedAt"] = job.stopped_at
    detail["dependsOn"] = [dict(entry) for entry in job.depends_on]
    detail["jobDefinition"] = spec.definition.arn
    detail["parameters"] = dict(spec.parameters)
    container = _container_detail(job, interfaces)
    if container is not None:
        detail["container"] = container
    if job.node_index is not None:
        detail["nodeDetails"] = _node_details(job)
    elif spec.node_properties is not None:  # not a node: its own nodeProperties
        detail["nodeProperties"] = spec.node_properties
    if job.array_index is not None:
        detail["arrayProperties"] = {"index": job.array_index}
    elif spec.array_size is not None:
        array = _array_detail(job)
        if array is not None:
            detail["arrayProperties"] = array
    if spec.timeout is not None:
        detail["timeout"] = spec.timeout
    if spec.tags:
        detail["tags"] = dict(spec.tags)
    if spec.propagate_tags is not None:
        detail["propagateTags"] = spec.propagate_tags  # absent until set (§21.1)
    if spec.platform_capabilities:
        detail["platformCapabilities"] = list(spec.platform_capabilities)
    if job.node_index is not None or spec.eks_properties or spec.ecs_properties:
        eks = _eks_detail(job)
        if eks is not None:
            detail["eksProperties"] = eks
        ecs = _ecs_detail(job)
        if ecs is not None:
            detail["ecsProperties"] = ecs
    if job.is_cancelled:
        detail["isCancelled"] = True  # absent until set (§21.1)
    if job.is_terminated:
        detail["isTerminated"] = True
    if spec.consumable_resource_properties is not None:
        detail["consumableResourceProperties"] = spec.consumable_resource_properties
    return output_defaults.fill("JobDetail", detail)


def job_summary(job: Job) -> dict[str, Any]:
    """The JobSummary of a job, an array child or a multi-node node (§15.10); no ``None``."""
    spec = job.spec
    summary: dict[str, Any] = {
        "jobArn": job.arn,
        "jobId": job.job_id,
        "jobName": spec.name,
        "createdAt": job.created_at,
    }
    if spec.share_identifier is not None:
        summary["shareIdentifier"] = spec.share_identifier
    summary["status"] = job.status
    if job.status_reason is not None:
        summary["statusReason"] = job.status_reason
    if job.started_at is not None:
        summary["startedAt"] = job.started_at
    if job.stopped_at is not None:
        summary["stoppedAt"] = job.stopped_at
    if job.scheduled_at is not None:
        summary["scheduledAt"] = job.scheduled_at
    if job.exit_code is not None:
        if job.container_reason is not None:
            summary["container"] = {"exitCode": job.exit_code, "reason": job.container_reason}
        else:
            summary["container"] = {"exitCode": job.exit_code}
    elif job.container_reason is not None:
        summary["container"] = {"reason": job.container_reason}
    if job.array_index is not None:
        summary["arrayProperties"] = {"index": job.array_index}
    else:
        array = _array_detail(job)
        if array is not None:
            summary["arrayProperties"] = array
    if spec.node_properties is not None or job.node_index is not None:
        nodes = _node_summary(job)
        if nodes is not None:
            summary["nodeProperties"] = nodes
    # no jobDefinition, though the model lists one: AWS leaves it out [aws/aws-sdk#588][LOG]
    return summary


def attempt_detail(
    attempt: Attempt, interfaces: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """One AttemptDetail (§4.6); ``interfaces`` are a multi-node node's (§17.10); no ``None``."""
    container: dict[str, Any] = {}
    if attempt.container_instance_arn is not None:
        container["containerInstanceArn"] = attempt.container_instance_arn
    container["taskArn"] = attempt.task_arn
    if attempt.exit_code is not None:
        container["exitCode"] = attempt.exit_code
    if attempt.reason is not None:
        container["reason"] = attempt.reason
    if attempt.log_stream_name is not None:
        container["logStreamName"] = attempt.log_stream_name
    if interfaces is not None:
        container["networkInterfaces"] = interfaces
    detail: dict[str, Any] = {"container": container}
    if attempt.started_at is not None:
        detail["startedAt"] = attempt.started_at
    if attempt.stopped_at is not None:
        detail["stoppedAt"] = attempt.stopped_at
    if attempt.status_reason is not None:
        detail["statusReason"] = attempt.status_reason
    return detail


def user_environment(env: Any) -> Any:
    """The variables a user set: Batch's own ``AWS_BATCH_*`` are never shown (§9.3)."""
    if not env:
        return env
    return [dict(e) for e in env if not str(e.get("name", "")).startswith(RESERVED_ENV_PREFIX)]


# -- arrays ----------------------------------------------------------------------------------------
def is_array_parent(job: Job) -> bool:
    """True for the parent of an array job (not for its children)."""
    return job.parent is None and job.spec.array_size is not None


def status_summary(job: Job) -> dict[str, int]:
    """Children per status, all seven statuses present (§5.5); the engine keeps the counters."""
    counts = job.status_counts
    return {status: int(counts.get(status, 0)) for status in STATUSES}


def _array_detail(job: Job) -> dict[str, Any] | None:
    """ArrayPropertiesDetail and ArrayPropertiesSummary carry the same members (§5.5, §5.13)."""
    if job.array_index is not None:
        return {"index": job.array_index}
    if not is_array_parent(job):
        return None
    detail: dict[str, Any] = {"size": job.spec.array_size, "statusSummary": status_summary(job)}
    if job.status_summary_updated_at is not None:
        detail["statusSummaryLastUpdatedAt"] = job.status_summary_updated_at
    return detail


# -- multi-node ------------------------------------------------------------------------------------
def _node_root(job: Job) -> Job:
    return job.parent if job.node_index is not None and job.parent is not None else job


def _effective_node_properties(job: Job) -> dict[str, Any] | None:
    root = _node_root(job)
    return root.spec.node_properties


def _main_node(job: Job) -> int | None:
    props = _effective_node_properties(job)
    return None if props is None else int(props["mainNode"])


def _node_details(job: Job) -> dict[str, Any] | None:
    if job.node_index is None:
        return None
    return {"nodeIndex": job.node_index, "isMainNode": job.node_index == _main_node(job)}


def _node_summary(job: Job) -> dict[str, Any] | None:
    props = _effective_node_properties(job)
    if props is None:
        return None
    if job.node_index is None:
        return {"numNodes": props["numNodes"]}
    return {
        "isMainNode": job.node_index == int(props["mainNode"]),
        "numNodes": props["numNodes"],
        "nodeIndex": job.node_index,
    }


def _node_range(job: Job) -> Mapping[str, Any] | None:
    props = _effective_node_properties(job)
    if props is None or job.node_index is None:
        return None
    return node_range_for(props, job.node_index)


# -- containers ------------------------------------------------------------------------------------
def _container_detail(job: Job, interfaces: list[dict[str, str]] | None) -> dict[str, Any] | None:
    """The effective container plus what the latest attempt reported (§4.7, §11.9)."""
    base: Mapping[str, Any] | None = None
    if job.node_index is not None:
        node_range = _node_range(job)
        base = job.spec.container or (node_range or {}).get("container")
    elif job.spec.node_properties is None:
        base = job.spec.container
    if base is None:
        return None
    container = dict(base)
    if "environment" in container:
        container["environment"] = user_environment(container["environment"])
    # what the latest attempt reports, or nothing (never a stale stored value)
    if job.exit_code is not None:
        container["exitCode"] = job.exit_code
    else:
        container.pop("exitCode", None)
    if job.container_reason is not None:
        container["reason"] = job.container_reason
    else:
        container.pop("reason", None)
    if job.task_arn is not None:
        container["taskArn"] = job.task_arn
    else:
        container.pop("taskArn", None)
    if job.log_stream_name is not None:
        container["logStreamName"] = job.log_stream_name
    else:
        container.pop("logStreamName", None)
    latest = job.attempts[-1].container_instance_arn if job.attempts else None
    if latest is not None:
        container["containerInstanceArn"] = latest
    else:
        container.pop("containerInstanceArn", None)
    if interfaces:
        container["networkInterfaces"] = interfaces
    return container


def _interfaces(job: Job) -> list[dict[str, str]] | None:
    """A multi-node node's network interface (§17.10); other jobs show none."""
    if job.private_ipv4_address is None:
        return None
    return [{"privateIpv4Address": job.private_ipv4_address}]


def _ecs_detail(job: Job) -> dict[str, Any] | None:
    ecs = job.spec.ecs_properties
    if job.node_index is not None and ecs is None:
        ecs = (_node_range(job) or {}).get("ecsProperties")
    if not ecs:
        return None
    tasks = []
    for task in ecs.get("taskProperties") or []:
        shown = dict(task)
        shown["containers"] = [
            _without_batch_env(c, "environment") for c in task.get("containers") or []
        ]
        shown["taskArn"] = job.task_arn
        latest = job.attempts[-1] if job.attempts else None
        shown["containerInstanceArn"] = latest.container_instance_arn if latest else None
        if "MANAGED_INSTANCES" in (job.spec.platform_capabilities or ()):
            # [model] EcsTaskDetails.networkMode: populated for ECS Managed Instances jobs and
            # "always returns host"
            shown["networkMode"] = "host"
        tasks.append(shown)
    shown_ecs: dict[str, Any] = prune({**ecs, "taskProperties": tasks})
    return shown_ecs


def _eks_detail(job: Job) -> dict[str, Any] | None:
    eks = job.spec.eks_properties
    if job.node_index is not None and eks is None:
        eks = (_node_range(job) or {}).get("eksProperties")
    if not eks:
        return None
    pod = dict(eks.get("podProperties") or {})
    for group in ("containers", "initContainers"):
        if pod.get(group):
            pod[group] = [_without_batch_env(c, "env") for c in pod[group]]
    shown_eks: dict[str, Any] = prune({**eks, "podProperties": pod})
    return shown_eks


def _without_batch_env(container: Mapping[str, Any], key: str) -> dict[str, Any]:
    shown = dict(container)
    if shown.get(key):
        shown[key] = user_environment(shown[key])
    return shown
