"""Fair-share dispatch order of one queue (reference §14.4-14.8).

A queue whose scheduling policy is a fair-share policy keeps one RUNNABLE index per share
identifier (ranked by ``schedulingPriority``, highest first, then submission order) and, per
share, its usage. The next job comes from the share with the lowest *charged usage*:

    weightFactor x (vCPUs held now + decayed average of vCPUs held)

[inferred] AWS documents that usage is "vCPU use over time multiplied by weightFactor", decaying
over ``shareDecaySeconds``, without the formula. The decayed average is an exponential moving
average of the vCPUs the share held, with time constant ``shareDecaySeconds`` on the engine's
clock; with ``shareDecaySeconds`` 0 only current usage counts (the User Guide's reading, §14.6;
the option ``share_decay_zero="default"`` takes the model's reading, a window of 600 s).
The "held now" term makes one pass spread capacity over shares instead of giving it all to the
share that was lowest when the pass began.

``computeReservation`` (§14.7): the queue's jobs hold at most ``(1 - (R/100)^A)`` of the
maximum vCPUs of its compute environments, A being the active shares. [inferred] A share is
active while it has RUNNABLE jobs or holds capacity, and for ``shareDecaySeconds`` after.

Cost: choosing the next job looks at every share with RUNNABLE jobs once (O(shares)), and the
per-share index as in FIFO, so it does not grow with the number of queued jobs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from batchmock.engine.job import Job
from batchmock.engine.queues import RunnableIndex

EPSILON = 1e-9
MODEL_DEFAULT_DECAY = 600.0
"""§14.6 [model]: the window a ``shareDecaySeconds`` of 0 stands for in the API model's text."""


class Share:
    """One share identifier of a fair-share queue: its RUNNABLE jobs and its usage."""

    __slots__ = ("name", "index", "held", "average", "at", "idle_since", "weight")

    def __init__(self, name: str) -> None:
        self.name = name
        self.index = RunnableIndex(ranked=True)
        self.held = 0.0
        """vCPUs held now by the share's STARTING and RUNNING jobs."""
        self.average = 0.0
        """Exponential moving average of ``held`` as of ``at`` (seconds)."""
        self.at = 0.0
        self.idle_since: float | None = None
        """When the share last stopped having RUNNABLE jobs or holding capacity."""
        self.weight = 1.0
        """The policy's weightFactor for this share, as of the last ``refresh``."""

    def advance(self, now: float, decay: float) -> None:
        """Bring the moving average to ``now`` (``held`` was constant since ``at``)."""
        if decay <= 0:
            self.average = self.held
        elif now > self.at:
            self.average = self.held + (self.average - self.held) * math.exp(
                -(now - self.at) / decay
            )
        self.at = now

    def busy(self) -> bool:
        """Whether the share has RUNNABLE jobs or holds capacity."""
        return bool(self.index.count) or self.held > EPSILON


class FairShareIndex:
    """The RUNNABLE jobs of a fair-share queue, dispatched in fair-share order.

    Same interface as :class:`RunnableIndex` (``push``, ``discard``, ``head``, ``in_order``,
    ``smallest_need``, ``count``). ``policy`` (the queue's SchedulingPolicy: duck-typed
    ``share_decay_seconds``, ``compute_reservation``, ``weight_of``) and ``now`` (seconds) are
    refreshed by the scheduler before each use.
    """

    def __init__(self, policy: Any, zero_decay: float = 0.0) -> None:
        """``zero_decay``: the seconds a ``shareDecaySeconds`` of 0 stands for (the option
        ``share_decay_zero``: 0, only current usage, or the model's default window)."""
        self.policy = policy
        self.zero_decay = zero_decay
        self.now = 0.0
        self.shares: dict[str, Share] = {}
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def _share(self, name: str) -> Share:
        share = self.shares.get(name)
        if share is None:
            share = self.shares[name] = Share(name)
            share.at = self.now
            share.weight = self._weight(name, self._busy())
        return share

    def _busy(self) -> list[str]:
        return [s.name for s in self.shares.values() if s.busy()]

    def _weight(self, name: str, busy: list[str]) -> float:
        return 1.0 if self.policy is None else float(self.policy.weight_of(name, busy))

    def refresh(self, policy: Any, now: float) -> None:
        """Before a pass: the queue's current policy, the clock, and every share's weight
        (a prefix entry's weight depends on how many identifiers it matches, §14.5)."""
        self.policy = policy
        self.now = now
        busy = self._busy()
        for share in self.shares.values():
            share.weight = self._weight(share.name, busy)

    @property
    def decay(self) -> float:
        """The policy's ``shareDecaySeconds`` (0: ``zero_decay``)."""
        seconds = float(self.policy.share_decay_seconds) if self.policy is not None else 0.0
        return seconds or self.zero_decay

    # -- jobs ----------------------------------------------------------------------------------
    def push(self, job: Job) -> None:
        """Add a job that became RUNNABLE."""
        share = self._share(job.spec.share_identifier or "")
        share.index.push(job)
        share.idle_since = None
        self.count += 1

    def discard(self, job: Job) -> None:
        """Remove a job (placed, cancelled)."""
        share = self.shares.get(job.spec.share_identifier or "")
        if share is None or not job.run.runnable_token:
            return
        share.index.discard(job)
        self.count -= 1
        self._maybe_idle(share)

    # -- usage ---------------------------------------------------------------------------------
    def charge(self, name: str, vcpus: float) -> None:
        """A job of share ``name`` started holding (``vcpus`` > 0) or released capacity."""
        share = self._share(name)
        share.advance(self.now, self.decay)
        share.held = max(share.held + vcpus, 0.0)
        if share.held <= EPSILON:
            share.held = 0.0
            self._maybe_idle(share)
        else:
            share.idle_since = None

    def _maybe_idle(self, share: Share) -> None:
        if not share.busy() and share.idle_since is None:
            share.idle_since = self.now

    def active(self) -> list[str]:
        """The active share identifiers (busy, or idle for less than ``shareDecaySeconds``)."""
        decay = self.decay
        found = []
        for name, share in list(self.shares.items()):
            recent = share.idle_since is not None and self.now - share.idle_since < decay
            if share.busy() or recent:
                found.append(name)
            elif share.idle_since is not None and share.average <= EPSILON:
                del self.shares[name]  # forgotten: nothing left to remember
        return found

    def reserved_fraction(self) -> float:
        """§14.7: the fraction of the queue's maximum vCPUs held back for inactive shares."""
        percent = int(self.policy.compute_reservation) if self.policy is not None else 0
        if percent <= 0:
            return 0.0
        return float((percent / 100.0) ** len(self.active()))

    def _usage(self, share: Share, decay: float) -> float:
        """The share's charged usage now: weight x (held now + decayed average)."""
        share.advance(self.now, decay)
        return share.weight * (share.held + share.average)

    def charged(self) -> list[Share]:
        """Shares with RUNNABLE jobs, lowest charged usage first (ties: earliest head job)."""
        decay = self.decay
        ranked = []
        for share in self.shares.values():
            head = share.index.head() if share.index.count else None
            if head is not None:
                ranked.append((self._usage(share, decay), share.index.key(head), share))
        ranked.sort(key=lambda entry: (entry[0], entry[1]))
        return [share for _, _, share in ranked]

    # -- the RunnableIndex interface -----------------------------------------------------------
    def head(self, max_need: float = float("inf")) -> Job | None:
        """The next job in fair-share order: the head of the lowest-charged share (of those
        with a job needing at most ``max_need`` vCPUs); ties go to the earlier job."""
        decay = self.decay
        best: Share | None = None
        best_usage = 0.0
        best_key = 0
        best_job: Job | None = None
        for share in self.shares.values():
            if not share.index.count:
                continue
            usage = self._usage(share, decay)
            if best is not None and usage > best_usage + EPSILON:
                continue
            job = share.index.head(max_need)
            if job is None:
                continue
            key = share.index.key(job)
            if best is None or usage < best_usage - EPSILON or key < best_key:
                best, best_usage, best_key, best_job = share, usage, key, job
        return best_job

    def in_order(self, max_need: float = float("inf")) -> Iterator[Job]:
        """RUNNABLE jobs, share by share in charged-usage order (an approximation of the
        dispatch order: usage changes as jobs start)."""
        for share in self.charged():
            yield from share.index.in_order(max_need)

    def smallest_need(self) -> float | None:
        """The smallest vCPU size that still has a RUNNABLE job (for backfill)."""
        sizes = [s.index.smallest_need() for s in self.shares.values() if s.index.count]
        known = [size for size in sizes if size is not None]
        return min(known) if known else None
