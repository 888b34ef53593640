"""Job queues: Create/Describe/Update/DeleteJobQueue and GetJobQueueSnapshot (§12, §14.9)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane import settling
from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import checks, output_defaults, pagination
from batchmock.backend.core.checks import check_name, check_range
from batchmock.errors import ClientException

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

MAX_JOB_QUEUES = 50
"""§12.11 / §19."""

MAX_COMPUTE_ENVIRONMENTS = 3
MAX_SERVICE_ENVIRONMENTS = 1
SNAPSHOT_JOBS = 100
TOP_SHARES = 20
HEALTHY = "JobQueue Healthy"
SAGEMAKER = "SAGEMAKER_TRAINING"

MESSAGES = {
    # Each rule's source is noted; where AWS's own text was not found the wording is [inferred].
    # [obs: aws-cloudformation/cloudformation-coverage-roadmap#2463]
    "exists": "Object already exists",
    # [model] §12.9: DeleteJobQueue needs the queue DISABLED first; text as §2.6 proposes
    "enabled": "Cannot delete, job queue is ENABLED",
    # [model] an unknown name or ARN is a ClientException
    "not_found": "JobQueue {ref} not found.",
    # [docs: Resource: AWS Batch service quotas] §12.11
    "quota": "Maximum number of job queues ({limit}) reached",
    # [model] computeEnvironmentOrder: "up to three compute environments" (§12.2)
    "ce_count": "computeEnvironmentOrder must contain between 1 and {limit} compute environments,"
    " got {count}",
    # [model] serviceEnvironmentOrder (§12.3): one service environment per queue [docs: quotas]
    "se_count": "serviceEnvironmentOrder must contain exactly {limit} service environment, "
    "got {count}",
    # [model] §12.3: a queue runs on compute or on service environments
    "no_order": "Either computeEnvironmentOrder or serviceEnvironmentOrder is required",
    # [model] serviceEnvironmentOrder: "can't have both"
    "both_orders": "A job queue can't have both a serviceEnvironmentOrder and a "
    "computeEnvironmentOrder",
    # [model] the same rule on update: a queue's jobQueueType follows its environments
    "switch_orders": "{member} cannot be set on a job queue of type {type}",
    # [model] an unknown compute/service environment is a ClientException
    "ce_not_found": "computeEnvironmentOrder: compute environment {ref} does not exist",
    "se_not_found": "serviceEnvironmentOrder: service environment {ref} does not exist",
    # [model] computeEnvironmentOrder: "must be in the VALID state"
    "ce_not_valid": "computeEnvironmentOrder: compute environment {name} is not VALID "
    "(status {status})",
    # [model] computeEnvironmentOrder: "EC2 and Fargate compute environments can't be mixed"
    "mixed_fargate": "computeEnvironmentOrder: EC2 (EC2 or SPOT) and Fargate (FARGATE or "
    "FARGATE_SPOT) compute environments can't be mixed in one job queue",
    # [docs: Job queues on Amazon ECS Managed Instances] "You cannot mix Amazon ECS Managed
    # Instances compute environments with Fargate or Amazon EC2 compute environments"
    "mixed_managed_instances": "computeEnvironmentOrder: ECS_MANAGED_INSTANCES compute "
    "environments can't be mixed with EC2 or Fargate compute environments in one job queue",
    # [docs: the same page] "Spot compute environments cannot be ordered before On-Demand
    # compute environments" (capacityOptionType of the instance launch template)
    "spot_first": "computeEnvironmentOrder: Spot compute environment {spot} can't be ordered "
    "before On-Demand compute environment {on_demand} in an ECS_MANAGED_INSTANCES job queue",
    # [model] jobQueueType is one of EKS, ECS, ECS_FARGATE "depending on the compute
    # environment": one orchestration per queue
    "mixed_orchestration": "computeEnvironmentOrder: ECS and EKS compute environments can't be "
    "mixed in one job queue",
    # [model] computeEnvironmentOrder: "must share the same architecture"
    "mixed_architecture": "computeEnvironmentOrder: compute environments with different "
    "architectures ({archs}) can't be mixed in one job queue",
    # [model] jobQueueType: decided by the compute environments
    "queue_type": "jobQueueType {given} does not match the attached environments (type {derived})",
    # [model] an unknown policy is a ClientException
    "policy_not_found": "schedulingPolicyArn: scheduling policy {arn} does not exist",
    # [model] schedulingPolicyArn (§12.6): set at creation; replaced but not removed, by another
    # fair-share policy ("the fair-share scheduling policy can be replaced")
    "policy_add": "schedulingPolicyArn: job queue {name} was created without a scheduling policy "
    "(FIFO) and can't gain one",
    "policy_remove": "schedulingPolicyArn: the scheduling policy of a job queue can be replaced "
    "but not removed",
    # [model] the same texts, and CreateSchedulingPolicy: a policy type "cannot be removed or
    # changed"
    "policy_kind": "schedulingPolicyArn: a {old} policy can only be replaced by another {old} "
    "policy",
    # [model] JobStateTimeLimitAction (§12.7): state RUNNABLE; CANCEL, or TERMINATE on SageMaker
    "tla_state": "jobStateTimeLimitActions[{i}].state must be RUNNABLE, got {value}",
    "tla_action": "jobStateTimeLimitActions[{i}].action must be {expected} for a {type} job "
    "queue, got {value}",
}


@dataclass
class JobQueue:
    """One job queue; attributes read by the engine are listed in architecture.md."""

    name: str
    arn: str
    priority: int
    seq: int
    state: str = "ENABLED"
    status: str = "VALID"
    status_reason: str | None = HEALTHY
    compute_environment_order: list[tuple[int, str]] = field(default_factory=list)
    """(order, CE name) in the order given: DescribeJobQueues returns it so (§21.1 [TF]); the
    scheduler sorts by ``order``."""
    service_environment_order: list[tuple[int, str]] = field(default_factory=list)
    """(order, service environment name) of a SageMaker queue."""
    scheduling_policy_arn: str | None = None
    job_queue_type: str = "ECS"
    job_state_time_limit_actions: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    timer: Any = field(default=None, repr=False, compare=False)
    """The pending status change (G8, see ``settling``), if any."""

    def _sibling_arn(self, resource: str) -> str:
        prefix = self.arn[: self.arn.index(":job-queue/")]
        return f"{prefix}:{resource}"

    def describe(self) -> dict[str, Any]:
        """The JobQueueDetail of this queue; environments as full ARNs (§3.7)."""
        services = [
            {"order": order, "serviceEnvironment": self._sibling_arn(f"service-environment/{n}")}
            for order, n in self.service_environment_order
        ]
        detail = {
            "jobQueueName": self.name,
            "jobQueueArn": self.arn,
            "state": self.state,
            "schedulingPolicyArn": self.scheduling_policy_arn,
            "status": self.status,
            "statusReason": self.status_reason,
            "priority": self.priority,
            "computeEnvironmentOrder": [
                {
                    "order": order,
                    "computeEnvironment": self._sibling_arn(f"compute-environment/{name}"),
                }
                for order, name in self.compute_environment_order
            ],
            "serviceEnvironmentOrder": services or None,
            "jobQueueType": self.job_queue_type,
            "tags": dict(self.tags) or None,
            "jobStateTimeLimitActions": copy.deepcopy(self.job_state_time_limit_actions) or None,
        }
        return output_defaults.fill("JobQueueDetail", detail)


def find(backend: BatchBackend, ref: str) -> JobQueue:
    """The queue named by ``ref`` (name or ARN); ClientException when there is none."""
    found: JobQueue | None = checks.find_queue(backend, ref)
    if found is None:
        raise ClientException(MESSAGES["not_found"].format(ref=ref))
    return found


def _compute_order(
    backend: BatchBackend, entries: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[int, str]], str]:
    """Resolve a computeEnvironmentOrder (§12.2): (order, CE name) as given, and the queue type."""
    if not 1 <= len(entries) <= MAX_COMPUTE_ENVIRONMENTS:
        raise ClientException(
            MESSAGES["ce_count"].format(limit=MAX_COMPUTE_ENVIRONMENTS, count=len(entries))
        )
    resolved = []
    for entry in entries:
        ce = checks.find_ce(backend, entry["computeEnvironment"])
        if ce is None:
            raise ClientException(MESSAGES["ce_not_found"].format(ref=entry["computeEnvironment"]))
        if ce.status != "VALID":
            raise ClientException(MESSAGES["ce_not_valid"].format(name=ce.name, status=ce.status))
        resolved.append((entry["order"], ce))
    ces = [ce for _, ce in resolved]
    platforms = {ce.platform for ce in ces}
    if len(platforms) > 1:
        key = "mixed_managed_instances" if "MANAGED_INSTANCES" in platforms else "mixed_fargate"
        raise ClientException(MESSAGES[key])
    if platforms == {"MANAGED_INSTANCES"}:
        _check_spot_after_on_demand(resolved)
    if len({ce.container_orchestration_type for ce in ces}) > 1:
        raise ClientException(MESSAGES["mixed_orchestration"])
    archs = sorted({ce.architecture for ce in ces} - {None})
    if len(archs) > 1:
        raise ClientException(MESSAGES["mixed_architecture"].format(archs=", ".join(archs)))
    if ces[0].container_orchestration_type == "EKS":
        queue_type = "EKS"
    else:
        queue_type = QUEUE_TYPES[ces[0].platform]
    return [(o, ce.name) for o, ce in resolved], queue_type


QUEUE_TYPES = {"EC2": "ECS", "FARGATE": "ECS_FARGATE", "MANAGED_INSTANCES": "ECS_MANAGED_INSTANCES"}
"""[model] JobQueueType "depending on the compute environment" (ECS_MANAGED_INSTANCES in
botocore 1.44)."""


def _check_spot_after_on_demand(resolved: Sequence[tuple[int, Any]]) -> None:
    on_demand_after: str | None = None
    for _, ce in sorted(resolved, key=lambda pair: pair[0], reverse=True):
        template = ((ce.compute_resources or {}).get("managedInstancesProvider") or {}).get(
            "instanceLaunchTemplate"
        ) or {}
        if str(template.get("capacityOptionType") or "ON_DEMAND").upper() == "SPOT":
            if on_demand_after is not None:
                raise ClientException(
                    MESSAGES["spot_first"].format(spot=ce.name, on_demand=on_demand_after)
                )
        else:
            on_demand_after = ce.name


def _service_order(
    backend: BatchBackend, entries: Sequence[Mapping[str, Any]]
) -> list[tuple[int, str]]:
    """Resolve a serviceEnvironmentOrder (§12.3): exactly one existing service environment."""
    if len(entries) != MAX_SERVICE_ENVIRONMENTS:
        raise ClientException(
            MESSAGES["se_count"].format(limit=MAX_SERVICE_ENVIRONMENTS, count=len(entries))
        )
    resolved = []
    for entry in entries:
        ref = entry["serviceEnvironment"]
        name = backend.name_of(ref, "service-environment")
        env = None if name is None else backend.service_environments.get(name)
        if env is None:
            raise ClientException(MESSAGES["se_not_found"].format(ref=ref))
        resolved.append((entry["order"], env.name))
    return sorted(resolved)


def _time_limit_actions(
    entries: Sequence[Mapping[str, Any]], queue_type: str
) -> list[dict[str, Any]]:
    """Check jobStateTimeLimitActions (§12.7); stored and echoed as given."""
    expected = "TERMINATE" if queue_type == SAGEMAKER else "CANCEL"
    for i, entry in enumerate(entries):
        if entry.get("state") != "RUNNABLE":
            raise ClientException(MESSAGES["tla_state"].format(i=i, value=entry.get("state")))
        check_range(
            f"jobStateTimeLimitActions[{i}].maxTimeSeconds", entry.get("maxTimeSeconds"), 600, 86400
        )
        if entry.get("action") != expected:
            raise ClientException(
                MESSAGES["tla_action"].format(
                    i=i, expected=expected, type=queue_type, value=entry.get("action")
                )
            )
    return [copy.deepcopy(dict(entry)) for entry in entries]


def _policy(backend: BatchBackend, arn: str) -> Any:
    policy = checks.find_policy(backend, arn) if arn else None
    if policy is None:
        raise ClientException(MESSAGES["policy_not_found"].format(arn=arn))
    return policy


def _policy_kind(policy: Any) -> str:
    return "quotaSharePolicy" if policy.quota_share_policy is not None else "fairsharePolicy"


def create_job_queue(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """CreateJobQueue: validate everything, then store the queue (CREATING -> VALID)."""
    name = check_name("jobQueueName", params.get("jobQueueName"), "CreateJobQueue")
    ce_entries = params.get("computeEnvironmentOrder") or []
    se_entries = params.get("serviceEnvironmentOrder") or []
    if ce_entries and se_entries:
        raise ClientException(MESSAGES["both_orders"])
    ce_order: list[tuple[int, str]] = []
    se_order: list[tuple[int, str]] = []
    if se_entries:
        se_order, queue_type = _service_order(backend, se_entries), SAGEMAKER
    elif ce_entries:
        ce_order, queue_type = _compute_order(backend, ce_entries)
    else:
        raise ClientException(MESSAGES["no_order"])
    given = params.get("jobQueueType")
    if given is not None and given != queue_type:
        raise ClientException(MESSAGES["queue_type"].format(given=given, derived=queue_type))
    policy_arn = params.get("schedulingPolicyArn")
    if policy_arn is not None:
        policy_arn = _policy(backend, policy_arn).arn
    actions = _time_limit_actions(params.get("jobStateTimeLimitActions") or [], queue_type)
    tags = optional_tags(params)
    if name in backend.job_queues:
        raise ClientException(MESSAGES["exists"])
    if len(backend.job_queues) >= MAX_JOB_QUEUES:
        raise ClientException(MESSAGES["quota"].format(limit=MAX_JOB_QUEUES))
    queue = JobQueue(
        name=name,
        arn=backend.arn(f"job-queue/{name}"),
        priority=params["priority"],
        seq=backend.next_seq(),
        state=params.get("state") or "ENABLED",
        compute_environment_order=ce_order,
        service_environment_order=se_order,
        scheduling_policy_arn=policy_arn,
        job_queue_type=queue_type,
        job_state_time_limit_actions=actions,
        tags=tags,
    )
    backend.job_queues[name] = queue
    settling.begin(backend, queue, "CREATING", HEALTHY)
    return {"jobQueueName": queue.name, "jobQueueArn": queue.arn}


def describe_job_queues(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeJobQueues: the named queues (unknown ones dropped, G6), or a page of all."""
    items, token = pagination.named_or_page(
        params,
        "jobQueues",
        "JobQueues",
        lambda ref: checks.find_queue(backend, ref),
        lambda: sorted(backend.job_queues.values(), key=lambda q: q.name),  # §12.12
        lambda q: q.name,
        scope="DescribeJobQueues",
    )
    return {"jobQueues": [q.describe() for q in items], "nextToken": token}


def update_job_queue(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateJobQueue: change the members sent (§12.10); lists replace the old ones whole."""
    queue = find(backend, params["jobQueue"])
    if settling.being_deleted(backend, queue, "JobQueue"):
        return {"jobQueueName": queue.name, "jobQueueArn": queue.arn}
    queue_type = queue.job_queue_type
    ce_order = se_order = None
    if params.get("computeEnvironmentOrder") is not None:
        if queue_type == SAGEMAKER:
            raise ClientException(
                MESSAGES["switch_orders"].format(member="computeEnvironmentOrder", type=queue_type)
            )
        ce_order, queue_type = _compute_order(backend, params["computeEnvironmentOrder"])
    if params.get("serviceEnvironmentOrder") is not None:
        if queue_type != SAGEMAKER:
            raise ClientException(
                MESSAGES["switch_orders"].format(member="serviceEnvironmentOrder", type=queue_type)
            )
        se_order = _service_order(backend, params["serviceEnvironmentOrder"])
    policy_arn = params.get("schedulingPolicyArn")
    if policy_arn is not None:
        policy_arn = _replacement_policy(backend, queue, policy_arn)
    actions = None
    if params.get("jobStateTimeLimitActions") is not None:
        actions = _time_limit_actions(params["jobStateTimeLimitActions"], queue_type)
    elif queue.job_state_time_limit_actions and queue_type != queue.job_queue_type:
        _time_limit_actions(queue.job_state_time_limit_actions, queue_type)
    # everything is checked: from here on nothing can fail
    if params.get("state") is not None:
        queue.state = params["state"]
    if params.get("priority") is not None:
        queue.priority = params["priority"]
    if ce_order is not None:
        queue.compute_environment_order = ce_order
    if se_order is not None:
        queue.service_environment_order = se_order
    queue.job_queue_type = queue_type
    if policy_arn is not None:
        queue.scheduling_policy_arn = policy_arn
    if actions is not None:
        queue.job_state_time_limit_actions = actions
    settling.begin(backend, queue, "UPDATING", HEALTHY)
    backend.engine.kick()
    return {"jobQueueName": queue.name, "jobQueueArn": queue.arn}


def _replacement_policy(backend: BatchBackend, queue: JobQueue, arn: str) -> str:
    """§12.6: a policy can be replaced, never removed, and a FIFO queue never gains one."""
    if arn == "":
        raise ClientException(MESSAGES["policy_remove"])
    if queue.scheduling_policy_arn is None:
        raise ClientException(MESSAGES["policy_add"].format(name=queue.name))
    new = _policy(backend, arn)
    old = checks.find_policy(backend, queue.scheduling_policy_arn)
    # [model] the queue's "fair-share scheduling policy can be replaced but not removed", and a
    # policy's type "cannot be removed or changed" (CreateSchedulingPolicy): the kind stays
    if old is not None and _policy_kind(old) != _policy_kind(new):
        raise ClientException(MESSAGES["policy_kind"].format(old=_policy_kind(old)))
    return str(new.arn)


def delete_job_queue(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DeleteJobQueue: only a DISABLED queue (§12.9); its jobs are terminated by the engine."""
    queue = find(backend, params["jobQueue"])
    if queue.state != "DISABLED":
        raise ClientException(MESSAGES["enabled"])
    settling.check_deletable(queue)
    settling.remove(backend, backend.job_queues, queue)
    # a queue's quota shares go with it (their ARNs live under the queue's ARN, §3.4)
    prefix = f"{queue.arn}/quota-share/"
    for share_arn in [a for a in backend.quota_shares if a.startswith(prefix)]:
        del backend.quota_shares[share_arn]
    backend.engine.queue_deleted(queue)
    return {}


def get_job_queue_snapshot(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """GetJobQueueSnapshot: the first 100 RUNNABLE jobs in dispatch order and usage (§14.9)."""
    queue = find(backend, params["jobQueue"])
    engine = backend.engine
    now = engine.now_ms()
    front = engine.runnable_front(queue, limit=SNAPSHOT_JOBS)
    unit = "cpu" if queue.job_queue_type == "EKS" else "VCPU"
    usage = []
    if queue.job_queue_type != SAGEMAKER:
        usage = [{"capacityUnit": unit, "quantity": float(engine.capacity_usage(queue))}]
    utilization: dict[str, Any] = {"totalCapacityUsage": usage, "lastUpdatedAt": now}
    policy = (
        checks.find_policy(backend, queue.scheduling_policy_arn)
        if queue.scheduling_policy_arn
        else None
    )
    if policy is not None and policy.fairshare_policy is not None:
        shares = engine.share_usage(queue)
        top = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_SHARES]
        utilization["fairshareUtilization"] = {
            "activeShareCount": len(shares),
            "topCapacityUtilization": [
                {
                    "shareIdentifier": share,
                    "capacityUsage": [{"capacityUnit": unit, "quantity": float(amount)}],
                }
                for share, amount in top
            ],
        }
    return {
        "frontOfQueue": {
            "jobs": [{"jobArn": arn, "earliestTimeAtPosition": at} for arn, at in front],
            "lastUpdatedAt": now,
        },
        "queueUtilization": utilization,
    }


OPERATIONS: Mapping[str, Handler] = {
    "CreateJobQueue": create_job_queue,
    "DescribeJobQueues": describe_job_queues,
    "UpdateJobQueue": update_job_queue,
    "DeleteJobQueue": delete_job_queue,
    "GetJobQueueSnapshot": get_job_queue_snapshot,
}
