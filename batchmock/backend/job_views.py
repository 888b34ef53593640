"""A job as the API shows it: JobDetail (DescribeJobs, §4.12) and JobSummary (ListJobs, §15.10).

Members that are unknown are None, so the serializer leaves them out (a job that never ran has
no ``startedAt``, never 0: G7). Nothing here changes a job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.job_nodes import node_range_for

if TYPE_CHECKING:
    from batchmock.engine.job import Attempt, Job

STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
RESERVED_ENV_PREFIX = "AWS_BATCH"


def job_detail(job: Job) -> dict[str, Any]:
    """The JobDetail of a job, an array child or a multi-node node."""
    spec = job.spec
    node_properties = _effective_node_properties(job)
    return {
        "jobArn": job.arn,
        "jobName": job.name,
        "jobId": job.job_id,
        "jobQueue": spec.queue.arn,
        "status": job.status,
        "shareIdentifier": spec.share_identifier,
        "schedulingPriority": spec.scheduling_priority,
        "attempts": [attempt_detail(attempt, _interfaces(job)) for attempt in job.attempts],
        "statusReason": job.status_reason,
        "createdAt": job.created_at,
        "retryStrategy": spec.retry_strategy,
        "startedAt": job.started_at,
        "stoppedAt": job.stopped_at,
        "dependsOn": [dict(entry) for entry in job.depends_on],
        "jobDefinition": spec.definition.arn,
        "parameters": dict(spec.parameters),
        "container": _container_detail(job),
        "nodeDetails": _node_details(job),
        "nodeProperties": node_properties if job.node_index is None else None,
        "arrayProperties": _array_detail(job),
        "timeout": spec.timeout,
        "tags": dict(spec.tags) if spec.tags else None,
        "propagateTags": spec.propagate_tags,
        "platformCapabilities": list(spec.platform_capabilities),
        "eksProperties": _eks_detail(job),
        "ecsProperties": _ecs_detail(job),
        "isCancelled": job.is_cancelled,
        "isTerminated": job.is_terminated,
        "consumableResourceProperties": spec.consumable_resource_properties,
    }


def job_summary(job: Job) -> dict[str, Any]:
    """The JobSummary of a job, an array child or a multi-node node (§15.10)."""
    container = None
    if job.exit_code is not None or job.container_reason is not None:
        container = {"exitCode": job.exit_code, "reason": job.container_reason}
    return {
        "jobArn": job.arn,
        "jobId": job.job_id,
        "jobName": job.name,
        "createdAt": job.created_at,
        "shareIdentifier": job.spec.share_identifier,
        "status": job.status,
        "statusReason": job.status_reason,
        "startedAt": job.started_at,
        "stoppedAt": job.stopped_at,
        "scheduledAt": job.scheduled_at,
        "container": container,
        "arrayProperties": _array_detail(job),
        "nodeProperties": _node_summary(job),
        "jobDefinition": job.spec.definition.arn,
    }


def attempt_detail(attempt: Attempt,
                   interfaces: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """One AttemptDetail (§4.6); ``interfaces`` are a multi-node node's (§17.10)."""
    return {
        "container": {
            "containerInstanceArn": attempt.container_instance_arn,
            "taskArn": attempt.task_arn,
            "exitCode": attempt.exit_code,
            "reason": attempt.reason,
            "logStreamName": attempt.log_stream_name,
            "networkInterfaces": interfaces,
        },
        "startedAt": attempt.started_at,
        "stoppedAt": attempt.stopped_at,
        "statusReason": attempt.status_reason,
    }


def user_environment(env: Any) -> Any:
    """The variables a user set: Batch's own ``AWS_BATCH_*`` are never shown (§9.3)."""
    if not env:
        return env
    return [dict(e) for e in env
            if not str(e.get("name", "")).startswith(RESERVED_ENV_PREFIX)]


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
    return {
        "size": job.spec.array_size,
        "statusSummary": status_summary(job),
        "statusSummaryLastUpdatedAt": job.status_summary_updated_at,
    }


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
def _container_detail(job: Job) -> dict[str, Any] | None:
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
    latest = job.attempts[-1] if job.attempts else None
    container.update(
        exitCode=job.exit_code,
        reason=job.container_reason,
        taskArn=job.task_arn,
        logStreamName=job.log_stream_name,
        containerInstanceArn=latest.container_instance_arn if latest else None,
    )
    interfaces = _interfaces(job)
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
        shown["containers"] = [_without_batch_env(c, "environment")
                               for c in task.get("containers") or []]
        shown["taskArn"] = job.task_arn
        latest = job.attempts[-1] if job.attempts else None
        shown["containerInstanceArn"] = latest.container_instance_arn if latest else None
        tasks.append(shown)
    return {**ecs, "taskProperties": tasks}


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
    return {**eks, "podProperties": pod}


def _without_batch_env(container: Mapping[str, Any], key: str) -> dict[str, Any]:
    shown = dict(container)
    if shown.get(key):
        shown[key] = user_environment(shown[key])
    return shown
