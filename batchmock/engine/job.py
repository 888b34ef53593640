"""The job records the engine keeps: data only; every change goes through the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class JobSpec:
    """A validated SubmitJob request, resolved against the control plane.

    The API layer (``backend/jobs/``) builds it; the engine turns it into a :class:`Job`.
    Every ``dict`` is in the service model's member names.
    """

    name: str
    queue: Any
    """The job queue object (see docs/architecture.md)."""
    definition: Any
    """The resolved JobDefinition revision."""
    parameters: dict[str, str] = field(default_factory=dict)
    """Definition defaults merged with the submitted parameters (§10.9)."""
    container: dict[str, Any] | None = None
    """The effective containerProperties: overrides applied, environment merged, ``Ref::``
    substituted into the command (§11.2, §11.9). None for multinode/ECS/EKS jobs."""
    node_properties: dict[str, Any] | None = None
    """The effective nodeProperties of a multinode job (nodeOverrides applied)."""
    ecs_properties: dict[str, Any] | None = None
    eks_properties: dict[str, Any] | None = None
    retry_strategy: dict[str, Any] | None = None
    """The effective strategy: the submitted one replaces the definition's (§7.10)."""
    timeout: dict[str, Any] | None = None
    depends_on: list[dict[str, Any]] = field(default_factory=list)
    unknown_dependencies: tuple[str, ...] = ()
    """IDs of ``depends_on`` that named no job at submit time (option ``unknown_dependency``
    "ignore"): echoed, never waited for."""
    array_size: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    """The job's own tags (§11.4: propagateTags copies tags to the ECS task, not the job)."""
    propagate_tags: bool | None = None
    """None when neither the job nor its definition set it (DescribeJobs then leaves it out)."""
    share_identifier: str | None = None
    scheduling_priority: int | None = None
    platform_capabilities: list[str] = field(default_factory=list)
    consumable_resource_properties: dict[str, Any] | None = None
    vcpus: float = 1.0
    memory: int = 0
    gpus: int = 0
    fail_reason: str | None = None
    """Set when the request passes SubmitJob but must fail the job at once (§2.7)."""


@dataclass
class Attempt:
    """One attempt that reached a task (AttemptDetail, §4.6)."""

    task_arn: str
    container_instance_arn: str | None = None
    log_stream_name: str | None = None
    started_at: int | None = None
    stopped_at: int | None = None
    exit_code: int | None = None
    reason: str | None = None
    status_reason: str | None = None


@dataclass(eq=False)
class RunState:
    """What the engine tracks about a job beyond its API view (all engine-private)."""

    queue: Any = None
    """The engine's QueueState of the job's queue."""
    waiting: int = 0
    """Dependencies (and the array gate) not yet met."""
    dep_failed: bool = False
    """A dependency failed while the job was still SUBMITTED."""
    n_to_n: tuple[str, ...] = ()
    """Array parent: the arrays whose child i each child i waits for (§5.9)."""
    sequential: bool = False
    """Array parent: child i waits for child i-1 (§5.8)."""
    need: float = 0.0
    """vCPUs the job holds on its compute environment while STARTING/RUNNING."""
    charged_ce: str | None = None
    """Name of the compute environment currently charged with ``need``."""
    runnable_token: int = 0
    """Non-zero while the job sits in its queue's RUNNABLE index (lazy deletion token)."""
    runnable_since: int = 0
    cancel_reason: str | None = None
    """A cancel waiting for the head of the queue or for the dependencies (§16.2, §16.5)."""
    timer: Any = None
    """The pending state timer (SUBMITTED, STARTING or exit event)."""
    timeout_timer: Any = None
    limit_timer: Any = None
    """A jobStateTimeLimitAction waiting to fire (§12.7)."""
    execution: Any = None
    ctx: Any = None
    """The AttemptContext of the running attempt."""
    timed_out: bool = False
    real_deadline: float | None = None
    """Live execution: the monotonic time its attempt times out."""
    consumables: list[tuple[Any, int]] | tuple[()] = ()
    """Consumable resources held while STARTING/RUNNING (§18.4)."""
    stop_reason: str | None = None
    """The reason of the cancel/terminate that acted on the job (its final statusReason)."""
    template: Any = None
    """Array parent / job / node: what every attempt's context shares, computed once."""


@dataclass(eq=False)
class Job:
    """A job, an array child or a multi-node node, as the engine tracks it.

    Times are epoch milliseconds of the mock's clock. ``status_history`` holds
    ``(status, time_ms)`` pairs in order. Jobs compare by identity (they are graph nodes).
    Array children share their parent's ``spec``; a multi-node node has its own spec whose
    ``container`` is the node range's effective container.
    """

    job_id: str
    arn: str
    spec: JobSpec
    created_at: int
    seq: int
    status: str = "SUBMITTED"
    status_reason: str | None = None
    started_at: int | None = None
    stopped_at: int | None = None
    attempts: list[Attempt] = field(default_factory=list)
    parent: Job | None = field(default=None, repr=False)
    array_index: int | None = None
    node_index: int | None = None
    children: list[Job] = field(default_factory=list, repr=False)
    depends_on: list[dict[str, Any]] = field(default_factory=list)
    """Dependencies as shown in JobDetail (children show their implicit ones, §6.9)."""
    is_cancelled: bool = False
    is_terminated: bool = False
    compute_environment: str | None = None
    """Name of the CE the current attempt was placed in."""
    task_arn: str | None = None
    log_stream_name: str | None = None
    exit_code: int | None = None
    container_reason: str | None = None
    status_summary_updated_at: int | None = None
    logs: list[str] = field(default_factory=list)
    status_history: list[tuple[str, int]] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    """Array parent: children per status, all seven statuses (§5.5), kept as counters."""
    scheduled_at: int | None = None
    """When the current attempt was placed on capacity (JobSummary.scheduledAt)."""
    private_ipv4_address: str | None = None
    """Multi-node node: the address of its network interface (§17.10)."""
    run: RunState = field(default_factory=RunState, repr=False)
    """The engine's bookkeeping; not part of the API view."""

    @property
    def is_child(self) -> bool:
        """True for an array child or a multi-node node (not taggable, not in queue listings)."""
        return self.parent is not None

    @property
    def name(self) -> str:
        """The job name (children share their parent's)."""
        return self.spec.name

    @property
    def is_array_parent(self) -> bool:
        """True for the parent of an array job."""
        return self.parent is None and self.spec.array_size is not None

    @property
    def is_multinode_parent(self) -> bool:
        """True for the parent of a multi-node parallel job."""
        return self.parent is None and self.spec.node_properties is not None

    @property
    def is_main_node(self) -> bool:
        """True for the main node of a multi-node job (§17.6)."""
        if self.node_index is None or self.parent is None:
            return False
        return self.node_index == int((self.parent.spec.node_properties or {})["mainNode"])

    @property
    def tags(self) -> dict[str, str]:
        """The job's tags (shared with the spec so TagResource updates are seen everywhere)."""
        return self.spec.tags
