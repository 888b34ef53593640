"""What the engine needs from the resource layer, as an interface the engine owns.

An engine makes the jobs of one account and region and reads that account's control plane (the
compute environments it places jobs on, the consumable resources jobs hold). It does both through
:class:`Resources`; ``batchmock.backend``'s ``BatchBackend`` satisfies it. The engine imports
nothing of the resource layer (docs/architecture.md, "The layers contract").
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol


class Resources(Protocol):
    """The account and region an engine serves: identity, naming and the resources it reads."""

    lock: threading.RLock
    """Set by ``Runtime.engine_for``: every backend of a mock shares the runtime's lock."""

    @property
    def account_id(self) -> str:
        """The 12-digit account ID."""

    @property
    def region(self) -> str:
        """The region name (``us-east-1``)."""

    @property
    def compute_environments(self) -> Mapping[str, Any]:
        """Compute environments by name, in creation order (the scheduler places jobs on them)."""

    @property
    def consumable_resources(self) -> Mapping[str, Any]:
        """Consumable resources by name (§18.4: jobs hold quantities of them while they run)."""

    def arn(self, resource: str) -> str:
        """A Batch ARN of this account and region: ``arn(f"job/{job_id}")`` names a job."""

    def next_seq(self) -> int:
        """A number that grows with every call: a stable creation order for ties in time."""

    def name_of(self, ref: str, kind: str) -> str | None:
        """The name in a name-or-ARN ``ref`` of resource type ``kind`` in this account and
        region; None for an ARN of another type, region or account."""

    def fairshare_policy(self, queue: Any) -> Any | None:
        """The fair-share scheduling policy of a job queue (§14.4), None for a FIFO queue.

        Duck-typed: ``share_decay_seconds``, ``compute_reservation``, ``weight_of(identifier,
        active)``."""
