"""Multi-node parallel jobs (§17): nodes ``<id>#<n>``, the main node first, the job its status.

The parent is what the scheduler places (it holds the vCPUs of every node, one instance per
node, §13.10) and what retries and times out (§7.11, §8.3, §17.8). Nodes follow the parent
until they start: the main node starts first, the others once it is RUNNING (§17.6). A non-main
node that ends alone leaves the job running (§17.7); when the main node ends, so does the job
and the nodes still running are stopped, ending with the job's status [inferred].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.engine import states
from batchmock.engine.job import Attempt, Job
from batchmock.executors.base import Outcome

if TYPE_CHECKING:
    from batchmock.engine.engine import Engine


def parse_range(text: str) -> tuple[int, int | None]:
    """``"a:b"`` inclusive, ``:b`` from 0, ``a:`` to the last node (§17.2)."""
    start, _, end = str(text).partition(":")
    return (int(start) if start.strip() else 0), (int(end) if end.strip() else None)


def node_range(props: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    """The narrowest node range containing node ``index`` (§17.2: narrower ranges win)."""
    last = int(props["numNodes"]) - 1
    best: tuple[int, Mapping[str, Any]] | None = None
    for entry in props.get("nodeRangeProperties") or []:
        low, high = parse_range(entry.get("targetNodes", ""))
        high = last if high is None else high
        if low <= index <= high and (best is None or high - low < best[0]):
            best = (high - low, entry)
    return {} if best is None else best[1]


def container_resources(container: Mapping[str, Any] | None) -> tuple[float, int, int]:
    """(vCPUs, MiB, GPUs) of a container: resourceRequirements first, then vcpus/memory."""
    found = {
        str(r.get("type")): r.get("value")
        for r in (container or {}).get("resourceRequirements") or []
    }
    vcpus = float(found.get("VCPU") or (container or {}).get("vcpus") or 1.0)
    memory = int(float(found.get("MEMORY") or (container or {}).get("memory") or 0))
    return vcpus, memory, int(float(found.get("GPU") or 0))


def private_ip(index: int) -> str:
    """A stable private address for node ``index`` [inferred] (simulated runs; an executor with
    ``node_address(index)`` gives its own, e.g. loopback for the real ones)."""
    return f"10.0.{index // 250}.{index % 250 + 4}"


class MultiNode:
    """The node life cycle of multi-node parallel jobs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def spawn(self, parent: Job) -> None:
        """Create the nodes when the parent leaves SUBMITTED; the parent needs all their vCPUs."""
        engine = self.engine
        props = parent.spec.node_properties or {}
        now = engine.now_ms()
        total = 0.0
        # real executors run every node on this machine: their address is one the others reach
        address = getattr(engine.runtime.executor, "node_address", private_ip)
        for index in range(int(props["numNodes"])):
            entry = node_range(props, index)
            container = entry.get("container")
            vcpus, memory, gpus = container_resources(container)
            spec = dataclasses.replace(
                parent.spec,
                container=container,
                ecs_properties=entry.get("ecsProperties"),
                eks_properties=entry.get("eksProperties"),
                vcpus=vcpus,
                memory=memory,
                gpus=gpus,
            )
            node = Job(
                job_id=f"{parent.job_id}#{index}",
                arn=f"{parent.arn}#{index}",
                spec=spec,
                created_at=now,
                seq=engine.backend.next_seq(),
                parent=parent,
                node_index=index,
                status_history=[(states.SUBMITTED, now)],
                private_ipv4_address=address(index),
            )
            node.run.queue = parent.run.queue
            node.run.queue.child_moved(None, states.SUBMITTED)
            total += vcpus
            engine._jobs[node.job_id] = node
            parent.children.append(node)
        parent.run.need = total

    def main(self, parent: Job) -> Job:
        """The main node of a multi-node parent."""
        return parent.children[int((parent.spec.node_properties or {})["mainNode"])]

    def move_all(self, parent: Job, status: str, reason: Any = None) -> None:
        """Move the parent and every node that can follow it (PENDING, RUNNABLE, FAILED)."""
        engine = self.engine
        for node in parent.children:
            if node.status != status and status in states.NODE_MOVES[node.status]:
                if status == states.FAILED and node.status in states.HOLDING:
                    self._halt(node)
                engine.transition(node, status, reason=reason)
        engine.transition(parent, status, reason=reason)

    def place(self, parent: Job, ce: Any) -> None:
        """The parent was placed: its main node starts first (§17.6)."""
        main = self.main(parent)
        self.engine.attempts.begin(main, ce)
        parent.attempts.append(
            Attempt(
                task_arn=str(main.task_arn),
                container_instance_arn=main.attempts[-1].container_instance_arn,
            )
        )
        parent.compute_environment = ce.name
        parent.task_arn = main.task_arn
        parent.exit_code = parent.container_reason = None
        parent.scheduled_at = self.engine.now_ms()
        parent.run.timed_out = False
        self.engine.transition(parent, states.STARTING, reason=None)

    def node_running(self, node: Job) -> None:
        """A node is RUNNING; the main node brings the job to RUNNING and starts the others."""
        parent = node.parent
        if parent is None or not node.is_main_node:
            return
        engine = self.engine
        now = engine.now_ms()
        parent.started_at, parent.stopped_at = now, None
        parent.attempts[-1].started_at = now
        parent.attempts[-1].log_stream_name = node.log_stream_name
        parent.log_stream_name = node.log_stream_name
        engine.transition(parent, states.RUNNING)  # §17.11
        timeout = (parent.spec.timeout or {}).get("attemptDurationSeconds")
        if timeout:
            engine.attempts.arm_timeout(parent, node, float(timeout))  # §8.3: the whole job
        ce = engine.backend.compute_environments.get(parent.compute_environment or "")
        for other in parent.children:
            if other is not node and other.status == states.RUNNABLE and ce is not None:
                engine.attempts.begin(other, ce)

    def timed_out(self, parent: Job) -> None:
        """The job's timeout: the main node is stopped and the job fails (§8.3)."""
        parent.run.timed_out = True
        main = self.main(parent)
        if main.status in states.HOLDING:
            self.engine.attempts.stop(main)

    def terminate(self, parent: Job, reason: str) -> None:
        """§16.12 [inferred]: terminating the job stops every node, through the main node."""
        main = self.main(parent)
        main.is_terminated = True
        main.run.stop_reason = reason
        self.engine.attempts.stop(main)

    def node_ended(self, node: Job, outcome: Outcome, status_reason: str) -> None:
        """A node's attempt ended; the main node's decides the job (§17.6-17.8)."""
        engine = self.engine
        parent = node.parent
        assert parent is not None
        ok = outcome.exit_code == 0 and not node.is_terminated
        if not node.is_main_node:
            final = states.SUCCEEDED if ok else states.FAILED
            engine.transition(node, final, reason=status_reason)  # §17.7: the job carries on
            return
        if parent.run.timed_out:
            reason = states.TIMED_OUT
        elif parent.is_terminated and parent.run.stop_reason is not None:
            reason = parent.run.stop_reason
        else:
            reason = status_reason
        mirror = parent.attempts[-1]
        mirror.stopped_at = parent.stopped_at = engine.now_ms()
        mirror.exit_code = parent.exit_code = outcome.exit_code
        mirror.reason = parent.container_reason = outcome.reason
        mirror.status_reason = reason
        stopped = parent.run.timed_out or parent.is_terminated
        if ok and not stopped:
            final = states.SUCCEEDED
        elif engine.attempts.retries(parent, outcome, reason):
            final = states.RUNNABLE
        else:
            final = states.FAILED
        for other in parent.children:
            if other is not node and other.status in states.HOLDING:
                self._halt(other, reason)
            if other.status != final and final in states.NODE_MOVES[other.status]:
                engine.transition(other, final, reason=None if final == states.RUNNABLE else reason)
        if final == states.RUNNABLE:
            parent.run.timed_out = False
            engine.transition(parent, states.RUNNABLE, reason=None)
            engine.scheduler.enqueue(parent)
        else:
            engine.transition(parent, final, reason=reason)

    def _halt(self, node: Job, reason: str | None = None) -> None:
        """Stop a node that is still STARTING/RUNNING because its job ended."""
        engine = self.engine
        run = node.run
        for name in ("timer", "timeout_timer"):
            timer = getattr(run, name)
            if timer is not None:
                timer.cancel()
                setattr(run, name, None)
        outcome = None
        if run.execution is not None:
            run.execution.stop(engine.runtime.stop_grace_seconds())
            outcome = run.execution.poll()
            engine.attempts.collect_logs(node)
            engine.runtime.untrack(node)
        run.execution = run.ctx = None
        now = engine.now_ms()
        attempt = node.attempts[-1]
        attempt.stopped_at = node.stopped_at = now
        attempt.exit_code = node.exit_code = None if outcome is None else outcome.exit_code
        attempt.status_reason = reason
