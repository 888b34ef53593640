"""Per-queue indexes: RUNNABLE jobs in dispatch order and top-level jobs by status.

Nothing here scans all jobs: the RUNNABLE index is one heap per vCPU size of submission
sequence numbers (so strict FIFO, backfill and the snapshot front all walk only what they
return), removal is lazy (an entry whose job left the index is dropped when it surfaces), and
the status index is a dict per status. Heap entries are plain ints, not tuples: 10,000 queued
children cost the garbage collector nothing to track.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from batchmock.engine.job import Job
from batchmock.engine.states import STATUSES

if TYPE_CHECKING:
    from batchmock.engine.fairshare import FairShareIndex

_tokens = itertools.count(1)
PRIORITY_CEILING = 1 << 16
"""Above every schedulingPriority (the model's maximum is 9999)."""


class RunnableIndex:
    """The RUNNABLE jobs of one queue, in submission order, grouped by vCPU size."""

    def __init__(self, ranked: bool = False) -> None:
        self._heaps: dict[float, list[int]] = {}
        """vCPU size -> heap of the keys of its RUNNABLE jobs (and stale entries)."""
        self._jobs: dict[int, Job] = {}
        """key -> job, for the jobs in the index now."""
        self.count = 0
        self.ranked = ranked
        """Ranked (fair share, §14.4): higher ``schedulingPriority`` first, then submission."""

    def key(self, job: Job) -> int:
        """The job's place: its ``seq``, or (ranked) priority then ``seq`` in one int."""
        if not self.ranked:
            return job.seq
        priority = job.spec.scheduling_priority or 0
        return ((PRIORITY_CEILING - priority) << 48) | job.seq

    def __len__(self) -> int:
        return self.count

    def push(self, job: Job) -> None:
        """Add a job that became RUNNABLE (a retried job returns to its submission position)."""
        run = job.run
        run.runnable_token = next(_tokens)
        heap = self._heaps.get(run.need)
        if heap is None:
            heap = self._heaps[run.need] = []
        # a stale entry of an earlier stay may still hold the same seq: both then name this
        # job, and in_order() yields it once
        key = self.key(job)
        self._jobs[key] = job
        heapq.heappush(heap, key)
        self.count += 1

    def discard(self, job: Job) -> None:
        """Remove a job (placed, cancelled); O(1), its heap entry is dropped when it surfaces."""
        if job.run.runnable_token:
            job.run.runnable_token = 0
            self.count -= 1
            self._jobs.pop(self.key(job), None)

    def _top(self, need: float, heap: list[int]) -> Job | None:
        jobs = self._jobs
        while heap:
            job = jobs.get(heap[0])
            if job is not None and job.run.need == need:
                return job
            heapq.heappop(heap)
        return None

    def head(self, max_need: float = float("inf")) -> Job | None:
        """The earliest RUNNABLE job needing at most ``max_need`` vCPUs."""
        best: Job | None = None
        best_key = 0
        jobs = self._jobs
        for need, heap in self._heaps.items():
            if need > max_need:
                continue
            while heap:  # _top, inlined: this runs once per job placed
                job = jobs.get(heap[0])
                if job is not None and job.run.need == need:
                    if best is None or heap[0] < best_key:
                        best, best_key = job, heap[0]
                    break
                heapq.heappop(heap)
        return best

    def in_order(self, max_need: float = float("inf")) -> Iterator[Job]:
        """RUNNABLE jobs needing at most ``max_need`` vCPUs, earliest first, lazily.

        Walks the heaps as trees (a k-way merge), so taking k jobs costs O(k log k) plus the
        stale entries met on the way; jobs removed while iterating are skipped.
        """
        frontier: list[tuple[int, int, int]] = []  # (seq, heap number, position)
        chosen = [(need, heap) for need, heap in self._heaps.items() if need <= max_need and heap]
        for number, (_, heap) in enumerate(chosen):
            frontier.append((heap[0], number, 0))
        heapq.heapify(frontier)
        jobs = self._jobs
        last = -1
        while frontier:
            _, number, position = heapq.heappop(frontier)
            need, heap = chosen[number]
            if position >= len(heap):
                continue  # the heap shrank under us (a pop while iterating)
            seq = heap[position]
            for child in (2 * position + 1, 2 * position + 2):
                if child < len(heap):
                    heapq.heappush(frontier, (heap[child], number, child))
            job = jobs.get(seq)
            if job is not None and job.run.need == need and seq != last:
                last = seq
                yield job

    def smallest_need(self) -> float | None:
        """The smallest vCPU size that still has a RUNNABLE job (for backfill)."""
        sizes = [need for need, heap in self._heaps.items() if self._top(need, heap) is not None]
        return min(sizes) if sizes else None


class QueueState:
    """What the engine keeps per job queue."""

    def __init__(self, queue: Any, fair: FairShareIndex | None = None) -> None:
        """``fair``: the index of a fair-share queue (§14.4), None for a FIFO queue."""
        self.queue = queue
        self.name: str = queue.name
        self.by_status: dict[str, dict[str, Job]] = {status: {} for status in STATUSES}
        """Top-level jobs (no children, no nodes) per status, in the order they got there."""
        self.fair = fair
        self.runnable: RunnableIndex | FairShareIndex = RunnableIndex() if fair is None else fair
        self.used_vcpus = 0.0
        self.share_used: dict[str, float] = {}
        self.deleted = False
        self.child_counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        """Array children and multi-node nodes of the queue's jobs per status: what ListJobs
        lists under ``arrayJobId`` / ``multiNodeJobId``, never under the queue (§15.7)."""

    def child_moved(self, old: str | None, new: str, count: int = 1) -> None:
        """Keep ``child_counts`` in step: ``count`` children or nodes went from ``old`` (None:
        created) to ``new``."""
        if old is not None:
            self.child_counts[old] -= count
        self.child_counts[new] += count

    def move(self, job: Job, old: str | None, new: str) -> None:
        """Keep ``by_status`` in step with a top-level job's status."""
        if old is not None:
            self.by_status[old].pop(job.job_id, None)
        self.by_status[new][job.job_id] = job
