"""BatchBackend: the in-memory Batch service of one account and region.

It owns the stores of every resource and routes an operation name to the module that implements
it. Each resource module (``compute_environments``, ``job_queues``, ...) exposes ``OPERATIONS``,
a table from operation name to ``handler(backend, params) -> dict``; ``params`` is the validated
request (member names as in the service model) and the returned dict is the response with
member names as in the model, timestamps as epoch milliseconds and ``None`` for absent members.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.core import arns
from batchmock.errors import ClientException

if TYPE_CHECKING:
    from batchmock.engine.engine import Engine
    from batchmock.options import MockOptions

Handler = Callable[["BatchBackend", dict[str, Any]], dict[str, Any]]
ServiceJobEvents = Callable[[Any, int], None]
"""Told of each status change of a service job (the job, the change's epoch milliseconds), right
after it is made (``BatchBackend.service_job_events``)."""


class BatchBackend:
    """All Batch state of one account in one region.

    Control-plane stores are plain dicts keyed by resource name, in creation order. Jobs live in
    ``engine``; everything that changes a job goes through the engine.
    """

    def __init__(
        self,
        account_id: str,
        region: str,
        options: MockOptions,
        engine_factory: Callable[[BatchBackend], Engine],
        operations: Mapping[str, Handler],
        service_job_events: Callable[[BatchBackend], ServiceJobEvents | None] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.options = options
        self.lock = threading.RLock()
        self._operations = operations
        self._seq = itertools.count(1)
        # name -> resource, in creation order
        self.compute_environments: dict[str, Any] = {}
        self.job_queues: dict[str, Any] = {}
        self.job_definitions: dict[str, list[Any]] = {}  # name -> revisions, oldest first
        self.scheduling_policies: dict[str, Any] = {}
        self.consumable_resources: dict[str, Any] = {}
        self.service_environments: dict[str, Any] = {}
        self.quota_shares: dict[str, Any] = {}  # quota share ARN -> share
        self.service_jobs: dict[str, Any] = {}  # job id -> service job
        self.service_job_events: ServiceJobEvents | None = (
            None if service_job_events is None else service_job_events(self)
        )
        """The listener of service job status changes (the mock's EventBridge events)."""
        self.engine: Engine = engine_factory(self)

    # -- identifiers ---------------------------------------------------------------------
    def arn(self, resource: str) -> str:
        """A Batch ARN of this account and region: ``arn("job-queue/q")``."""
        return arns.batch_arn(self.region, self.account_id, resource)

    def next_seq(self) -> int:
        """A number that grows with every call: a stable creation order for ties in time."""
        return next(self._seq)

    # -- lookups shared by several modules -------------------------------------------------
    def name_of(self, ref: str, kind: str) -> str | None:
        """The name in a name-or-ARN ``ref`` of resource type ``kind`` in this account and
        region; None for an ARN of another type, region or account."""
        return arns.name_from(ref, kind, self.region, self.account_id)

    def find_compute_environment(self, ref: str) -> Any | None:
        """The compute environment named by a name or an ARN, or None."""
        name = self.name_of(ref, "compute-environment")
        return None if name is None else self.compute_environments.get(name)

    def find_job_queue(self, ref: str) -> Any | None:
        """The job queue named by a name or an ARN, or None."""
        name = self.name_of(ref, "job-queue")
        return None if name is None else self.job_queues.get(name)

    def find_scheduling_policy(self, arn: str) -> Any | None:
        """The scheduling policy with this ARN (or name), or None."""
        name = self.name_of(arn, "scheduling-policy")
        return None if name is None else self.scheduling_policies.get(name)

    def fairshare_policy(self, queue: Any) -> Any | None:
        """The fair-share scheduling policy of ``queue``, None for a FIFO or quota-share queue."""
        arn = getattr(queue, "scheduling_policy_arn", None)
        policy = None if not arn else self.find_scheduling_policy(arn)
        if policy is None or getattr(policy, "fairshare_policy", None) is None:
            return None
        return policy

    def iter_job_definitions(self) -> Iterator[Any]:
        """Every revision of every job definition, by name then revision."""
        for name in sorted(self.job_definitions):
            yield from self.job_definitions[name]

    # -- dispatch --------------------------------------------------------------------------
    def dispatch(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run one API operation on this backend and return its response members."""
        handler = self._operations.get(operation)
        if handler is None:
            raise ClientException(
                f"The operation {operation} is not implemented by batchmock yet. "
                f"Implemented operations: {', '.join(sorted(self._operations))}."
            )
        with self.lock:
            return handler(self, params)
