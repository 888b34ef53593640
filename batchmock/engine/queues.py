"""Per-queue indexes: RUNNABLE jobs in dispatch order and top-level jobs by status.

Nothing here scans all jobs: the RUNNABLE index is one heap per vCPU size keyed by submission
order (so strict FIFO, backfill and the snapshot front all walk only what they return), removal
is lazy (a token on the job), and the status index is a dict per status.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from typing import Any

from batchmock.engine.job import Job
from batchmock.engine.states import STATUSES

_tokens = itertools.count(1)
_Entry = tuple[int, int, Job]  # (seq, token, job)


class RunnableIndex:
    """The RUNNABLE jobs of one queue, in submission order, grouped by vCPU size."""

    def __init__(self) -> None:
        self._heaps: dict[float, list[_Entry]] = {}
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def push(self, job: Job) -> None:
        """Add a job that became RUNNABLE (a retried job returns to its submission position)."""
        token = next(_tokens)
        job.run.runnable_token = token
        heap = self._heaps.get(job.run.need)
        if heap is None:
            heap = self._heaps[job.run.need] = []
        heapq.heappush(heap, (job.seq, token, job))
        self.count += 1

    def discard(self, job: Job) -> None:
        """Remove a job (placed, cancelled); O(1), its heap entry is dropped when it surfaces."""
        if job.run.runnable_token:
            job.run.runnable_token = 0
            self.count -= 1

    @staticmethod
    def _top(heap: list[_Entry]) -> _Entry | None:
        while heap:
            entry = heap[0]
            if entry[2].run.runnable_token == entry[1]:
                return entry
            heapq.heappop(heap)
        return None

    def head(self, max_need: float = float("inf")) -> Job | None:
        """The earliest RUNNABLE job needing at most ``max_need`` vCPUs."""
        best: _Entry | None = None
        for need, heap in self._heaps.items():
            if need > max_need:
                continue
            top = self._top(heap)
            if top is not None and (best is None or top[0] < best[0]):
                best = top
        return None if best is None else best[2]

    def in_order(self, max_need: float = float("inf")) -> Iterator[Job]:
        """RUNNABLE jobs needing at most ``max_need`` vCPUs, earliest first, lazily.

        Walks the heaps as trees (a k-way merge), so taking k jobs costs O(k log k) plus the
        stale entries met on the way; jobs removed while iterating are skipped.
        """
        frontier: list[tuple[int, int, int]] = []  # (seq, heap number, position)
        heaps = [heap for need, heap in self._heaps.items() if need <= max_need and heap]
        for number, heap in enumerate(heaps):
            frontier.append((heap[0][0], number, 0))
        heapq.heapify(frontier)
        while frontier:
            _, number, position = heapq.heappop(frontier)
            heap = heaps[number]
            if position >= len(heap):
                continue  # the heap shrank under us (a pop while iterating)
            seq, token, job = heap[position]
            for child in (2 * position + 1, 2 * position + 2):
                if child < len(heap):
                    heapq.heappush(frontier, (heap[child][0], number, child))
            if job.run.runnable_token == token:
                yield job

    def smallest_need(self) -> float | None:
        """The smallest vCPU size that still has a RUNNABLE job (for backfill)."""
        sizes = [need for need, heap in self._heaps.items() if self._top(heap) is not None]
        return min(sizes) if sizes else None


class QueueState:
    """What the engine keeps per job queue."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue
        self.name: str = queue.name
        self.by_status: dict[str, dict[str, Job]] = {status: {} for status in STATUSES}
        """Top-level jobs (no children, no nodes) per status, in the order they got there."""
        self.runnable = RunnableIndex()
        self.used_vcpus = 0.0
        self.share_used: dict[str, float] = {}
        self.deleted = False

    def move(self, job: Job, old: str | None, new: str) -> None:
        """Keep ``by_status`` in step with a top-level job's status."""
        if old is not None:
            self.by_status[old].pop(job.job_id, None)
        self.by_status[new][job.job_id] = job
