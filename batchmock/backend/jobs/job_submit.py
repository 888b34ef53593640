"""SubmitJob: a request checked completely and turned into a :class:`JobSpec` (§2.6, §5, §6, §11).

Nothing here changes state: :func:`build_spec` either raises ClientException or returns the
spec the engine will run, with the job's effective properties (overrides applied, parameters
merged and substituted, retry strategy and timeout replaced as whole objects).
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane import scheduling_policies as policies
from batchmock.backend.control_plane.consumable_resources import (
    check_consumable_resource_properties,
)
from batchmock.backend.control_plane.tags import max_tags, optional_tags
from batchmock.backend.core import arns, checks
from batchmock.backend.jobs import job_definition_rules as rules
from batchmock.backend.jobs import job_definitions, job_nodes
from batchmock.backend.jobs import job_overrides as overrides
from batchmock.engine.job import JobSpec
from batchmock.errors import ClientException, executing_request, invalid
from batchmock.service_model import documented_max, documented_range

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend
    from batchmock.engine.job import Job

SHARE_IDENTIFIER_RE = re.compile(r"[A-Za-z0-9]+\*?")
"""§11.5: alphanumeric characters (at most as many as the model says, 255), optionally followed
by one ``*``."""
MAX_REQUEST_BYTES = 30 * 1024
ACTIVE_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING")

MESSAGES = {
    # [obs: fluidattacks/makes#697] (raised with the ", RequestId: <uuid>" tail)
    "job_name": "Job name should match valid pattern",
    # [obs: ASFHyP3/hyp3#3041] (raised with the ", RequestId: <uuid>" tail)
    "size": "Job size must be less than 30 KiB, got {kib} KiB",
    # [obs: base2genomics/batchit#13]
    "queue": "JobQueue {ref} not found.",
    # [obs: several public issue threads] (§21.3), EC2 or FARGATE
    "platform": "Job Queue is attached to Compute Environment that can not run Jobs with "
    "capability {capability}",
    # [model] §12.4: a DISABLED queue accepts no new jobs (text as §2.6 proposes)
    "queue_disabled": "JobQueue {name} is not in ENABLED state",
    # [obs: aws-samples/aws-genomics-workflows#84, AlexsLemonade/refinebio#2887] (§21.4: no
    # trailing period)
    "definition": "JobDefinition name {ref} does not exist or is not in ACTIVE status",
    # [obs: chanzuckerberg/single-cell-data-portal#1068] a deregistered revision given by ARN
    "definition_inactive": "JobDefinition {ref} is not in ACTIVE status",
    # [obs: azavea/raster-vision-aws#17] an ARN without a revision that names nothing
    "definition_arn": "JobDefinition {ref} not found.",
    # Below: the rule's source; the wording is [inferred] (AWS's texts were not found).
    # [model] jobQueueType SAGEMAKER_TRAINING queues take SubmitServiceJob (§1 H)
    "service_queue": "job queue {name} takes service jobs (SubmitServiceJob), not SubmitJob",
    # [model][docs: Array jobs][obs: opensupplyhub/open-apparel-registry#336] §5.1
    "array_size": "Array job size must be between {low} and {high}, got {size}",
    # [client: aws/aws-parallelcluster cli/awsbatch/awsbsub.py] AWS's own Batch CLI sends
    # arrayProperties only on single-node submissions, never with its multi-node definition;
    # AWS documents neither combination, and the engine runs no array of multi-node jobs
    "array_multinode": "array jobs cannot use a multi-node parallel job definition",
    # [model][docs: quotas] §6.1
    "dependencies": "Too many dependencies; maximum is {limit}, got {count}",
    # [model] §6.2: the JobDependency type enum; a SEQUENTIAL entry has no jobId, an untyped or
    # N_TO_N one has one; SEQUENTIAL and N_TO_N apply to array jobs [docs: Array jobs]
    "dep_type": "must be N_TO_N or SEQUENTIAL, got {value!r}",
    "dep_missing_id": "is required for a dependency of type {type}",
    "dep_sequential_id": "must not be given for a SEQUENTIAL dependency",
    "dep_array_only": "a {type} dependency is allowed only on an array job",
    # §6.5 [inferred], option ``unknown_dependency`` (default "refuse"; "ignore" accepts it)
    "dep_unknown": "job {job_id} does not exist",
    # [docs: Array jobs] §5.9: N_TO_N pairs children of arrays of the same size
    "dep_n_to_n": "N_TO_N requires job {job_id} to be an array job of the same size ({size}), "
    "got {other}",
    # [model] SubmitJob.shareIdentifier: "If the job queue has a fair-share scheduling policy,
    # then this parameter must be specified" (§11.5)
    "share_required": "is required because job queue {queue} has a fair-share scheduling policy",
    # [model] SubmitJob.shareIdentifier: "Don't specify this parameter if the job queue doesn't
    # have a fair-share scheduling policy" (§11.5)
    "share_forbidden": "must not be given because job queue {queue} has no fair-share "
    "scheduling policy",
    # [model] ShareAttributes.shareIdentifier: up to 255 alphanumeric characters, optionally
    # ending with '*' (the length read from the model, §11.5)
    "share_pattern": "must be up to {limit} alphanumeric characters, optionally followed by '*', "
    "got {value!r}",
    # [model] ShareAttributes.shareIdentifier: "There can be no more than 500 share identifiers
    # active in a job queue" (the number read from the model, §14.8)
    "share_limit": "job queue {queue} already has {limit} active share identifiers",
    # [model] ParametersMap: strings to strings
    "parameters": "must map strings to strings",
    # [model] NodeOverrides: "isn't applicable to jobs that are running on Fargate resources"
    "fargate_nodes": "cannot be used on Fargate; use containerOverrides instead",
    # [model] §2.7: accepted by SubmitJob, then the job fails at once (text [inferred])
    "tag_overflow": "Job tags and job definition tags together exceed {limit} tags ({count}); "
    "they cannot be propagated",
}


def build_spec(backend: BatchBackend, params: Mapping[str, Any]) -> JobSpec:
    """Check a SubmitJob request fully and return the spec of the job to create."""
    check_request_size(params)
    name = checks.job_name(params.get("jobName"), "SubmitJob")
    if name is None:
        raise executing_request(MESSAGES["job_name"])
    queue = _queue(backend, params["jobQueue"])
    definition = _definition(backend, params["jobDefinition"])
    fargate = "FARGATE" in (definition.platform_capabilities or [])
    _check_platform(queue, definition)
    array_size = _array_size(params.get("arrayProperties"), definition)
    depends_on, unknown = _depends_on(backend, params.get("dependsOn"), array_size)
    share = _share_identifier(backend, queue, params.get("shareIdentifier"))
    priority = params.get("schedulingPriorityOverride")
    rules.check_scheduling_priority("schedulingPriorityOverride", priority)
    if priority is None:
        priority = definition.scheduling_priority
    retry_strategy = _replacing(
        "retryStrategy", params, definition.retry_strategy, rules.check_retry_strategy
    )
    timeout = _replacing("timeout", params, definition.timeout, rules.check_timeout)
    tags = optional_tags(params)
    propagate = params.get("propagateTags")
    if propagate is None:
        propagate = definition.propagate_tags  # None when neither gave it
    parameters = _parameters(definition.parameters, params.get("parameters"))
    parts = _effective_properties(backend, params, definition, fargate=fargate)
    overrides.substitute_commands(parts, parameters, backend.options.ref_substitution)
    vcpus, memory, gpus = _resources(parts)
    consumable = _consumable(backend, params, definition)
    fail_reason = None
    combined = {**(definition.tags or {}), **tags}
    tag_limit = max_tags()
    if propagate and tag_limit is not None and len(combined) > tag_limit:
        fail_reason = MESSAGES["tag_overflow"].format(limit=tag_limit, count=len(combined))
    return JobSpec(
        name=name,
        queue=queue,
        definition=definition,
        parameters=parameters,
        container=parts["container"],
        node_properties=parts["node_properties"],
        ecs_properties=parts["ecs_properties"],
        eks_properties=parts["eks_properties"],
        retry_strategy=retry_strategy,
        timeout=timeout,
        depends_on=depends_on,
        unknown_dependencies=unknown,
        array_size=array_size,
        tags=tags,
        propagate_tags=propagate,
        share_identifier=share,
        scheduling_priority=priority,
        platform_capabilities=list(definition.platform_capabilities or []),
        consumable_resource_properties=consumable,
        vcpus=vcpus,
        memory=memory,
        gpus=gpus,
        fail_reason=fail_reason,
    )


def check_request_size(params: Mapping[str, Any]) -> None:
    """§2.6/§19: the whole SubmitJob request may be at most 30 KiB."""
    size = len(json.dumps(params, separators=(",", ":"), ensure_ascii=False, default=str).encode())
    if size > MAX_REQUEST_BYTES:
        raise executing_request(MESSAGES["size"].format(kib=math.ceil(size / 1024)))


# -- the control plane the job refers to ---------------------------------------------------------
def _queue(backend: BatchBackend, ref: str) -> Any:
    queue = backend.find_job_queue(ref)
    if queue is None or getattr(queue, "status", None) == "DELETED":
        raise ClientException(MESSAGES["queue"].format(ref=ref))
    if queue.state != "ENABLED":
        raise ClientException(MESSAGES["queue_disabled"].format(name=queue.name))
    if getattr(queue, "job_queue_type", None) == "SAGEMAKER_TRAINING":
        raise invalid("jobQueue", MESSAGES["service_queue"].format(name=queue.name))
    return queue


def _definition(backend: BatchBackend, ref: str) -> Any:
    definition = job_definitions.resolve(backend, ref)
    if definition is not None:
        return definition
    if arns.is_arn(ref):
        if job_definitions.find_revision(backend, ref) is not None:
            raise ClientException(MESSAGES["definition_inactive"].format(ref=ref))
        if not ref.rpartition(":")[2].isdigit():
            raise ClientException(MESSAGES["definition_arn"].format(ref=ref))
    raise ClientException(MESSAGES["definition"].format(ref=ref))


QUEUE_PLATFORMS = {
    "ECS": "EC2",
    "ECS_FARGATE": "FARGATE",
    "ECS_MANAGED_INSTANCES": "MANAGED_INSTANCES",
}
"""The platform capability the compute environments of each ECS queue type run."""


def _check_platform(queue: Any, definition: Any) -> None:
    """§21.3: a definition whose platform capability the queue's compute environments do not
    run (EC2 on Fargate, or the reverse; MANAGED_INSTANCES only on ECS Managed Instances, the
    text by analogy) is refused at SubmitJob."""
    runs = QUEUE_PLATFORMS.get(getattr(queue, "job_queue_type", None) or "")
    if definition.container_orchestration_type != "ECS" or runs is None:
        return
    capability = (definition.platform_capabilities or ["EC2"])[0]
    if capability != runs:
        raise ClientException(MESSAGES["platform"].format(capability=capability))


def _array_size(array_properties: Mapping[str, Any] | None, definition: Any) -> int | None:
    if not array_properties or array_properties.get("size") is None:
        return None
    size = array_properties["size"]
    # the model: "The array size can be between 2 and 10,000."
    low, high = documented_range("SubmitJob", "arrayProperties") or (2, None)
    if (
        isinstance(size, bool)
        or not isinstance(size, int)
        or size < low
        or (high is not None and size > high)
    ):
        raise invalid(
            "arrayProperties.size", MESSAGES["array_size"].format(low=low, high=high, size=size)
        )
    if definition.type == "multinode":
        raise invalid("arrayProperties", MESSAGES["array_multinode"])
    return size


def _depends_on(
    backend: BatchBackend, entries: Any, array_size: int | None
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """§6.1-6.5, §5.8-5.9: at most 20 entries, typed entries on arrays only; the entries and the
    job IDs that name no job (accepted only with ``unknown_dependency="ignore"``)."""
    entries = entries or []
    limit = documented_max("SubmitJob", "dependsOn")  # "can depend upon a maximum of 20 jobs"
    if limit is not None and len(entries) > limit:
        raise invalid("dependsOn", MESSAGES["dependencies"].format(limit=limit, count=len(entries)))
    result: list[dict[str, Any]] = []
    unknown: list[str] = []
    for index, entry in enumerate(entries):
        path = f"dependsOn[{index}]"
        kind, job_id = entry.get("type"), entry.get("jobId")
        if kind not in (None, "N_TO_N", "SEQUENTIAL"):
            raise invalid(f"{path}.type", MESSAGES["dep_type"].format(value=kind))
        if kind is not None and array_size is None:
            raise invalid(f"{path}.type", MESSAGES["dep_array_only"].format(type=kind))
        if kind == "SEQUENTIAL":
            if job_id is not None:
                raise invalid(f"{path}.jobId", MESSAGES["dep_sequential_id"])
            result.append({"type": kind})
            continue
        if not job_id:
            raise invalid(f"{path}.jobId", MESSAGES["dep_missing_id"].format(type=kind or "jobId"))
        if not _exists(backend, job_id):
            if backend.options.unknown_dependency == "refuse":
                raise invalid(f"{path}.jobId", MESSAGES["dep_unknown"].format(job_id=job_id))
            unknown.append(job_id)
        elif kind == "N_TO_N":
            _check_n_to_n(f"{path}.jobId", job_id, backend.engine.get(job_id), array_size)
        result.append({"jobId": job_id, "type": kind} if kind else {"jobId": job_id})
    return result, tuple(unknown)


def _exists(backend: BatchBackend, job_id: Any) -> bool:
    """A known job, or a child/node of a known job that its parent has not spawned yet."""
    if not isinstance(job_id, str):
        return False
    if backend.engine.get(job_id) is not None:
        return True
    for separator in (":", "#"):
        parent_id, found, index = job_id.rpartition(separator)
        if not found or not index.isdigit():
            continue
        parent = backend.engine.get(parent_id)
        if parent is None or parent.is_child:
            return False
        if separator == ":":
            count = parent.spec.array_size
        else:
            count = (parent.spec.node_properties or {}).get("numNodes")
        return count is not None and int(index) < int(count)
    return False


def _check_n_to_n(member: str, job_id: str, other: Job | None, array_size: int | None) -> None:
    # a child that is not spawned yet (other is None) is no array job either
    other_size = None if other is None or other.is_child else other.spec.array_size
    if other_size != array_size:
        shown = "a job that is not an array" if other_size is None else f"size {other_size}"
        raise invalid(
            member, MESSAGES["dep_n_to_n"].format(job_id=job_id, size=array_size, other=shown)
        )


def _share_identifier(backend: BatchBackend, queue: Any, share: Any) -> str | None:
    """§11.5: required exactly when the queue has a fair-share policy."""
    policy = None
    if getattr(queue, "scheduling_policy_arn", None):
        policy = backend.find_scheduling_policy(queue.scheduling_policy_arn)
    fair_share = policy is not None and getattr(policy, "fairshare_policy", None) is not None
    if share is None:
        if fair_share:
            raise invalid("shareIdentifier", MESSAGES["share_required"].format(queue=queue.name))
        return None
    if not fair_share:
        raise invalid("shareIdentifier", MESSAGES["share_forbidden"].format(queue=queue.name))
    longest = policies.max_share_identifier()
    if (
        not isinstance(share, str)
        or not SHARE_IDENTIFIER_RE.fullmatch(share)
        or (longest is not None and len(share.rstrip("*")) > longest)
    ):
        raise invalid(
            "shareIdentifier", MESSAGES["share_pattern"].format(limit=longest, value=share)
        )
    most = policies.max_active_shares()
    if most is not None and _active_shares_full(backend, queue, share, most):
        raise invalid(
            "shareIdentifier", MESSAGES["share_limit"].format(queue=queue.name, limit=most)
        )
    return share


def _active_shares_full(backend: BatchBackend, queue: Any, share: str, most: int) -> bool:
    """True when ``share`` would be one active share identifier more than ``most`` (§14.8).

    Active means a job in SUBMITTED through RUNNING, or RUNNABLE jobs or capacity held less than
    ``shareDecaySeconds`` ago (the decay window, §14.7). The walk stops as soon as the answer is
    known.
    """
    active = set(backend.engine.active_shares(queue))
    if share in active:
        return False
    if len(active) >= most:
        return True
    for status in ACTIVE_STATUSES:
        for job in backend.engine.jobs_in_queue(queue.name, status):
            other = job.spec.share_identifier
            if other == share:
                return False
            if other is not None:
                active.add(other)
                if len(active) >= most:
                    return True
    return False


def _consumable(
    backend: BatchBackend, params: Mapping[str, Any], definition: Any
) -> dict[str, Any] | None:
    override = params.get("consumableResourcePropertiesOverride")
    if override is None:
        current = getattr(definition, "consumable_resource_properties", None)
        return copy.deepcopy(current) if current else None
    check_consumable_resource_properties(backend, "consumableResourcePropertiesOverride", override)
    return copy.deepcopy(dict(override))


# -- effective properties ------------------------------------------------------------------------
def _replacing(member: str, params: Mapping[str, Any], default: Any, check: Any) -> Any:
    """§7.10, §8.3: a submitted object replaces the definition's as a whole."""
    value = params.get(member)
    if value is None:
        return copy.deepcopy(default) if default else None
    check(member, value)
    return copy.deepcopy(dict(value))


def _parameters(defaults: Mapping[str, str] | None, submitted: Any) -> dict[str, str]:
    """§10.9: the definition's defaults, overridden key by key by the submitted parameters."""
    submitted = submitted or {}
    if not isinstance(submitted, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in submitted.items()
    ):
        raise invalid("parameters", MESSAGES["parameters"])
    return {**(defaults or {}), **submitted}


def _effective_properties(
    backend: BatchBackend, params: Mapping[str, Any], definition: Any, *, fargate: bool
) -> dict[str, Any]:
    """The container, nodeProperties, ecsProperties and eksProperties the job runs with."""
    parts: dict[str, Any] = {
        "container": None,
        "node_properties": None,
        "ecs_properties": None,
        "eks_properties": None,
    }
    container_o = params.get("containerOverrides")
    node_o = params.get("nodeOverrides")
    ecs_o = params.get("ecsPropertiesOverride")
    eks_o = params.get("eksPropertiesOverride")
    if container_o is not None:
        overrides.check_kind(
            "containerOverrides", bool(definition.container_properties), "containerProperties"
        )
    if node_o is not None:
        if fargate:
            raise invalid("nodeOverrides", MESSAGES["fargate_nodes"])
        overrides.check_kind(
            "nodeOverrides", bool(definition.node_properties), "nodeProperties (type multinode)"
        )
    if ecs_o is not None:
        overrides.check_kind(
            "ecsPropertiesOverride", bool(definition.ecs_properties), "ecsProperties"
        )
    if eks_o is not None:
        overrides.check_kind(
            "eksPropertiesOverride", bool(definition.eks_properties), "eksProperties"
        )
    if definition.container_properties:
        parts["container"] = overrides.apply_container_overrides(
            "containerOverrides",
            definition.container_properties,
            container_o,
            fargate=fargate,
            multinode=False,
        )
    if definition.node_properties:
        parts["node_properties"] = job_nodes.apply_node_overrides(
            backend, definition.node_properties, node_o
        )
    if definition.ecs_properties:
        parts["ecs_properties"] = overrides.apply_ecs_overrides(
            "ecsPropertiesOverride", definition.ecs_properties, ecs_o
        )
    if definition.eks_properties:
        parts["eks_properties"] = overrides.apply_eks_overrides(
            "eksPropertiesOverride", definition.eks_properties, eks_o
        )
    return parts


def _resources(parts: Mapping[str, Any]) -> tuple[float, int, int]:
    if parts["container"] is not None:
        return overrides.container_resources(parts["container"])
    if parts["node_properties"] is not None:
        node_props = parts["node_properties"]
        main = job_nodes.node_range_for(node_props, int(node_props["mainNode"])) or {}
        if main.get("container"):
            return overrides.container_resources(main["container"])
        if main.get("ecsProperties"):
            return overrides.ecs_resources(main["ecsProperties"])
        return overrides.eks_resources(main.get("eksProperties"))
    if parts["ecs_properties"] is not None:
        return overrides.ecs_resources(parts["ecs_properties"])
    return overrides.eks_resources(parts["eks_properties"])
