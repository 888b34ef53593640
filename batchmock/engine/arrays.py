"""Array jobs (§5): children ``<id>:<i>`` and a parent whose status is derived from them.

The parent keeps counters of its children per status (``status_counts``), updated by each child
move in O(1); the parent ends when the SUCCEEDED and FAILED counters add up to the size. The
parent's own plain dependencies hold every child back through a *gate*: one extra unmet
dependency per child, released at once when the parent's dependencies succeed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchmock.engine import states
from batchmock.engine.job import Job

if TYPE_CHECKING:
    from batchmock.engine.engine import Engine


_RUNNING = states.RUNNING
_TERMINAL = states.TERMINAL


class Arrays:
    """Spawning, gating and deriving array parents."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def spawn(self, parent: Job) -> None:
        """§5.2-5.3, §4.4: the parent goes PENDING and creates its children, PENDING."""
        engine = self.engine
        size = int(parent.spec.array_size or 0)
        now = engine.now_ms()
        counts = dict.fromkeys(states.STATUSES, 0)
        counts[states.PENDING] = size
        parent.status_counts = counts
        parent.status_summary_updated_at = now
        engine.transition(parent, states.PENDING)  # its statusSummary is ready for the event
        gate = 1 if parent.run.waiting else 0
        pid, parent_arn = parent.job_id, parent.arn
        jobs = engine._jobs
        state, need, spec = parent.run.queue, parent.run.need, parent.spec
        sequential, n_to_n = parent.run.sequential, parent.run.n_to_n
        next_seq = engine.backend.next_seq
        pending = engine.history_entry(states.PENDING, now)
        children = []
        for index in range(size):
            child_id = f"{pid}:{index}"
            child = Job(
                job_id=child_id,
                arn=f"{parent_arn}:{index}",
                spec=spec,
                created_at=now,
                seq=next_seq(),
                status=states.PENDING,
                parent=parent,
                array_index=index,
                status_history=[pending],
            )
            run = child.run
            run.queue, run.need, run.waiting = state, need, gate
            if sequential and index > 0:
                run.waiting += 1
                child.depends_on = [{"jobId": f"{pid}:{index - 1}", "type": "SEQUENTIAL"}]
            for other in n_to_n:
                dep_id = f"{other}:{index}"
                child.depends_on.append({"jobId": dep_id, "type": "N_TO_N"})
                engine.deps.wait_for(child, dep_id)
            jobs[child_id] = child
            children.append(child)
        parent.children = children
        state.child_moved(None, states.PENDING, size)
        for child in children:
            if child.status != states.PENDING:
                continue  # failed meanwhile by a cascade from an earlier sibling
            if child.run.dep_failed:
                engine.fail(child, states.DEPENDENT_FAILED)
            elif child.run.waiting == 0:
                engine.make_runnable(child)

    def open_gate(self, parent: Job) -> None:
        """The parent's own dependencies succeeded: its children may run."""
        for child in parent.children:
            if child.status == states.PENDING:
                self.engine.deps.met(child)

    def fail_all(self, parent: Job, reason: str) -> None:
        """Fail every unfinished child that has not started (dependency failure, cancel)."""
        parent.run.stop_reason = parent.run.stop_reason or reason
        if not parent.children:
            self.engine.fail(parent, reason)
            return
        for child in parent.children:
            if child.status in (states.PENDING, states.RUNNABLE, states.SUBMITTED):
                self.engine.fail(child, reason)

    def child_moved(self, parent: Job, child: Job, old: str, new: str, now: int) -> None:
        """Keep the parent's counters in step; derive the parent's status (§5.3-5.5)."""
        counts = parent.status_counts
        counts[old] -= 1
        counts[new] += 1
        parent.status_summary_updated_at = now
        if new == _RUNNING and parent.started_at is None:
            parent.started_at = now  # [inferred] the parent started with its first child
        if new not in _TERMINAL:
            return
        failed = counts[states.FAILED]
        if failed + counts[states.SUCCEEDED] < len(parent.children):
            return
        # §5.4: SUCCEEDED only if every child did; FAILED once all are terminal otherwise
        parent.stopped_at = now
        if failed:
            reason = parent.run.stop_reason or states.ARRAY_CHILD_FAILED
            self.engine.transition(parent, states.FAILED, reason=reason)
        else:
            self.engine.transition(parent, states.SUCCEEDED, reason=None)
