"""Every option of a mock, with the defaults the behaviour reference chose.

Rules the reference tags ``[inferred]`` are our defaults, not AWS facts; each one that a user may
need the other way is a named field here, documented where it is decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Delays:
    """Seconds each automatic step of a job takes (virtual seconds on the virtual clock).

    AWS does not publish these; they only need to be short and ordered.
    """

    submitted: float = 1.0
    """SUBMITTED -> PENDING/RUNNABLE."""
    scheduling: float = 1.0
    """RUNNABLE -> STARTING, once capacity allows."""
    starting: float = 1.0
    """STARTING -> RUNNING (image pull time)."""
    running: float = 1.0
    """Default run time of an attempt when no outcome gives a duration."""
    resource_status: float = 0.0
    """CREATING/UPDATING -> VALID and DELETING -> gone of compute environments and job queues
    (G8: seconds to minutes on AWS; 0 settles every change within the request)."""


@dataclass(frozen=True)
class MockOptions:
    """The options of one :class:`batchmock.BatchMock`; see the README's option table."""

    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    clock: str = "virtual"
    """``"virtual"`` (the test drives time) or ``"real"`` (the wall clock)."""
    executor: Any = "simulated"
    """``"simulated"``, ``"local"``, ``"docker"`` or an Executor instance."""
    outcomes: tuple[dict[str, Any], ...] = ()
    """Scripted outcome rules for the simulated executor (see ``set_outcomes``)."""
    route_to_moto: bool = True
    """Answer every non-Batch AWS request with moto while the mock is active."""
    endpoint_url: str | None = None
    """A custom endpoint URL whose Batch requests the mock answers. Batch requests to AWS hosts
    and to any non-loopback endpoint are always answered; loopback endpoints (a real server on
    this machine, such as batchmock's own) only when owned."""
    allow_hosts: tuple[str, ...] = ()
    """Hosts besides loopback that requests may reach while the mock is active (default: none,
    nothing leaves the machine): each a hostname (any port), ``host:port``, or a pattern with
    ``*`` (``*.corp.example``), matched without regard to case. A request to a listed host is
    left to that host: neither the mock nor moto answers it, unless ``endpoint_url`` owns it."""
    own_env_endpoint: bool = False
    """Also own the endpoints in ``AWS_ENDPOINT_URL_BATCH`` and ``AWS_ENDPOINT_URL`` (read when
    the mock starts)."""
    delays: Delays = field(default_factory=Delays)
    auto_advance: bool = True
    """Each DescribeJobs/ListJobs call moves the virtual clock one step (polling loops progress)."""
    start_time: float | None = None
    """Epoch seconds the virtual clock starts at; None (the default) is the wall time when the
    mock starts. Pin it for timestamps that are the same on every run."""
    backfill: bool = False
    """Not documented by AWS: a RUNNABLE job at the head of a FIFO queue that cannot be placed
    blocks the jobs behind it (False, the default); True lets later jobs that fit use the free
    room."""
    retry_on_timeout: bool = False
    """A job stopped by its timeout is not retried (False, the default, as AWS documents);
    True sends it through the retry strategy like any other failed attempt."""
    cancel_pending: str = "after_dependencies"
    """When CancelJob fails a PENDING job: ``"after_dependencies"`` (the default:
    it stays PENDING until its dependencies have finished, as the model's CancelJob text says)
    or ``"immediate"`` (it fails at once)."""
    cancel_runnable: str = "immediate"
    """When CancelJob fails a RUNNABLE job: ``"immediate"`` (the default, the current
    API text) or ``"at_head"`` (it stays RUNNABLE until it reaches the head of its queue, as
    older API texts say)."""
    share_decay_zero: str = "current"
    """§14.6 [inferred]: what a fair-share policy's ``shareDecaySeconds`` of 0 means:
    ``"current"`` (the default, the User Guide: only current usage counts) or ``"default"`` (the
    API model: the default window of 600 seconds)."""
    ref_substitution: str = "element"
    """How SubmitJob substitutes ``Ref::name`` parameters into a command (not documented by AWS):
    ``"element"`` replaces only command elements that are exactly ``Ref::name`` (every AWS
    example); ``"substring"`` also replaces placeholders inside longer elements
    (``s3://b/Ref::key``). A placeholder without a parameter stays literal either way."""
    deregister_bare_name: str = "latest"
    """DeregisterJobDefinition accepts a bare name (AWS's own example); which revisions it
    deregisters is not documented: ``"latest"`` (the default, the latest ACTIVE
    revision, the one SubmitJob runs for that name) or ``"all"`` (every ACTIVE revision)."""
    unknown_dependency: str = "refuse"
    """SubmitJob of a ``dependsOn`` entry whose ``jobId`` names no job (not documented by AWS):
    ``"refuse"`` (the default, the reference's rule: a ClientException naming the entry) or
    ``"ignore"`` (accepted and echoed in ``dependsOn``; the job does not wait for it)."""
    update_deleting: str = "refuse"
    """UpdateComputeEnvironment / UpdateJobQueue of a resource that is DELETING (only with a
    ``delays.resource_status`` delay; not documented by AWS): ``"refuse"`` (the default, as AWS
    refuses to delete a resource that is still CREATING or UPDATING) or ``"accept"`` (200 with
    the name and ARN; nothing changes and the deletion goes on)."""
    unknown_service_job: str = "accept"
    """TerminateServiceJob of an ID that names no service job (not documented for the single
    form): ``"accept"`` (the default: 200 ``{}``, as TerminateJob answers for an unknown ID and as
    the model says TerminateServiceJobs treats IDs it cannot find) or ``"refuse"``
    (``ServiceJob <id> not found.``)."""
    fargate_requires_execution_role: bool = True
    """RegisterJobDefinition refuses a Fargate definition without ``executionRoleArn``, as the
    model's text says it must have one; False accepts it."""
    real_timeout_scale: float = 1.0
    """Real executors (``"local"``, ``"docker"``) count attempt timeouts and the SIGTERM-to-SIGKILL
    grace period in real seconds, times this factor: 0.01 makes a 60 s ``attemptDurationSeconds``
    (AWS's minimum) stop the attempt after 0.6 s and the 30 s grace take 0.3 s."""
    raise_handler_errors: bool = False
    """An ``on_job`` handler that raises fails its attempt (exit code 1, traceback in the logs);
    an ``AssertionError`` or a pytest outcome (``pytest.fail``) also reaches the test, re-raised
    by the call that ran the handler or at the latest when the mock ends. True makes every
    other exception reach the test too (False, the default: only failed checks do)."""
    keep_workdirs: bool = False
    """The local executor removes each attempt's directory (working directory, ``HOME``,
    ``TMPDIR``) when the attempt ends (False, the default: every attempt starts on a fresh
    filesystem, as a container does); True keeps them for debugging."""
    docker_pull: bool = False
    """The Docker executor pulls an image missing from the engine (True), or fails the attempt
    with ``CannotPullContainerError`` (False, the default: tests never reach a registry)."""
    job_state_events: bool = True
    """Batch's EventBridge events: each job status change after SUBMITTED puts a "Batch Job
    State Change" event, and each service job status change after its submission a "Batch
    Service Job State Change" event, and a job found blocking its queue a "Batch Job Queue
    Blocked" event, on the default event bus of moto's EventBridge in the job's account and
    region, as AWS Batch does, for the rules there to match (True, the default; nothing is put
    while the bus has no rule). False puts none of them."""

    def __post_init__(self) -> None:
        """Refuse an unknown choice at once, naming the choices (before anything starts)."""
        for name, allowed in _CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(
                    f"{name}={value!r} is unknown; choose one of "
                    f"{', '.join(repr(a) for a in allowed)}"
                )
        if isinstance(self.executor, str):
            if self.executor not in EXECUTORS:
                raise ValueError(
                    f"executor={self.executor!r} is unknown; choose one of "
                    f"{', '.join(repr(e) for e in EXECUTORS)}, or pass an Executor"
                )
        elif not callable(getattr(self.executor, "launch", None)):
            raise ValueError(f"executor={self.executor!r} has no launch(); see Executor")
        scale: Any = self.real_timeout_scale
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
            raise ValueError(f"real_timeout_scale must be a number > 0, got {scale!r}")
        if not isinstance(self.allow_hosts, tuple):
            raise ValueError(f"allow_hosts must be a list of hosts, got {self.allow_hosts!r}")
        for entry in self.allow_hosts:
            host_rule(entry)
        account: Any = self.account_id
        if not (isinstance(account, str) and len(account) == 12 and account.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {self.account_id!r}")


def host_rule(entry: Any) -> tuple[str, int | None]:
    """An ``allow_hosts`` entry as ``(lowercase host or pattern, port or None = any port)``.

    A ValueError names an entry that is not a hostname, ``host:port`` or pattern.
    """
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError(f"allow_hosts entries are hostnames or host:port, got {entry!r}")
    text = entry.strip().lower()
    if any(c in text for c in "/@?# ") or "://" in text:
        raise ValueError(
            f"allow_hosts entry {entry!r} is not a hostname or host:port (no scheme, path or "
            "user; write 'svc.corp.example' or 'svc.corp.example:8080')"
        )
    host, port = text, ""
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        close = text.find("]")
        host, rest = text[: close + 1], text[close + 1 :]
        if close < 0 or (rest and not rest.startswith(":")):
            raise ValueError(f"allow_hosts entry {entry!r}: write an IPv6 host as [addr]:port")
        port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or (port and not (port.isdigit() and 0 < int(port) < 65536)):
        raise ValueError(f"allow_hosts entry {entry!r}: the port must be a number 1-65535")
    return host, int(port) if port else None


EXECUTORS = ("simulated", "local", "docker")
_CHOICES: dict[str, tuple[str, ...]] = {
    "clock": ("virtual", "real"),
    "cancel_pending": ("after_dependencies", "immediate"),
    "deregister_bare_name": ("latest", "all"),
    "cancel_runnable": ("immediate", "at_head"),
    "share_decay_zero": ("current", "default"),
    "ref_substitution": ("element", "substring"),
    "unknown_dependency": ("refuse", "ignore"),
    "update_deleting": ("refuse", "accept"),
    "unknown_service_job": ("accept", "refuse"),
}
