"""Job statuses, the legal moves between them (§4) and the fixed statusReason texts (§4.10)."""

from __future__ import annotations

SUBMITTED = "SUBMITTED"
PENDING = "PENDING"
RUNNABLE = "RUNNABLE"
STARTING = "STARTING"
RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"

STATUSES = (SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED)
TERMINAL = frozenset({SUCCEEDED, FAILED})
HOLDING = frozenset({STARTING, RUNNING})
"""Statuses in which a placed job holds capacity of its compute environment (§13.10)."""

# §4.2: a single job, an array child, a multi-node parent. FAILED is reachable from every
# non-terminal status (cancel, terminate, dependency failure, §2.7); RUNNABLE from STARTING and
# RUNNING is a retry (§7.8, and a start failure [inferred]).
JOB_MOVES: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({PENDING, RUNNABLE, FAILED}),
    PENDING: frozenset({RUNNABLE, FAILED}),
    RUNNABLE: frozenset({STARTING, FAILED}),
    STARTING: frozenset({RUNNING, RUNNABLE, FAILED}),
    RUNNING: frozenset({SUCCEEDED, FAILED, RUNNABLE}),
    SUCCEEDED: frozenset(),
    FAILED: frozenset(),
}

# §4.3, §5.3: an array parent never shows RUNNABLE, STARTING or RUNNING.
ARRAY_PARENT_MOVES: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({PENDING, FAILED}),
    PENDING: frozenset({SUCCEEDED, FAILED}),
    SUCCEEDED: frozenset(),
    FAILED: frozenset(),
}

# §17.8 [inferred]: when the main node fails and the job is retried, every node starts a new
# attempt, including a non-main node that had already ended in the failed attempt.
NODE_MOVES: dict[str, frozenset[str]] = {
    **JOB_MOVES,
    SUCCEEDED: frozenset({RUNNABLE}),
    FAILED: frozenset({RUNNABLE}),
}

# §4.10 texts
ESSENTIAL_EXITED = "Essential container in task exited"
DEPENDENT_FAILED = "Dependent Job failed"
TIMED_OUT = "Job attempt duration exceeded timeout"
MAX_RESOURCE = (
    "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue "
    "cannot meet the CPU requirement of the job."  # [inferred suffix] §4.10
)
JOB_RESOURCE_REQUIREMENT = (
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
    "is higher than that can be met by the CE(s) attached to the job queue."
)  # §21.3 [docs: Jobs stuck in RUNNABLE due to misconfiguration][LOG]
ALL_CE_INVALID = "ACTION_REQUIRED - CE(s) associated with the job queue are invalid."
ARRAY_CHILD_FAILED = "Array Child Job failed"  # [inferred] the parent of a failed array
TIME_LIMIT_CANCEL = "Canceled by JobStateTimeLimit action due to reason: {reason}"
QUEUE_DELETED = "Job queue deleted"  # [inferred] §12.9: jobs of a deleted queue are terminated


class IllegalTransition(RuntimeError):
    """The engine was asked for a move §4 forbids: always a bug in batchmock."""
