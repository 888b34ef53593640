"""The job records the engine keeps: data only; every change goes through the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class JobSpec:
    """A validated SubmitJob request, resolved against the control plane.

    The API layer (``backend/jobs*.py``) builds it; the engine turns it into a :class:`Job`.
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
    array_size: int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    """The job's tags after propagation (§11.4)."""
    propagate_tags: bool = False
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


@dataclass
class Job:
    """A job, an array child or a multi-node node, as the engine tracks it.

    Times are epoch milliseconds of the mock's clock. ``status_history`` holds
    ``(status, time_ms)`` pairs in order.
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
    parent: Job | None = None
    array_index: int | None = None
    node_index: int | None = None
    children: list[Job] = field(default_factory=list)
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

    @property
    def is_child(self) -> bool:
        """True for an array child or a multi-node node (not taggable, not in queue listings)."""
        return self.parent is not None

    @property
    def name(self) -> str:
        """The job name (children share their parent's)."""
        return self.spec.name

    @property
    def tags(self) -> dict[str, str]:
        """The job's tags (shared with the spec so TagResource updates are seen everywhere)."""
        return self.spec.tags
