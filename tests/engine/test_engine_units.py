"""Engine internals a user cannot reach through boto3: refused moves, indexes, retry rules."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock import mock_batch
from batchmock.engine import retries, states
from batchmock.engine.job import Job, JobSpec
from batchmock.engine.queues import RunnableIndex
from tests.engine.helpers import setup, submit


def test_transition_refuses_moves_section_4_forbids() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 2})
        engine = mock.backend().engine
        job = engine.get(job_id)
        assert job is not None
        with pytest.raises(states.IllegalTransition, match="SUBMITTED -> RUNNING"):
            engine.transition(job, "RUNNING")
        mock.run_until_idle()
        with pytest.raises(states.IllegalTransition, match="SUCCEEDED -> RUNNABLE"):
            engine.transition(job, "RUNNABLE")
        assert job.status == "SUCCEEDED"
        # §4.3: an array parent never shows RUNNABLE/STARTING/RUNNING: it went SUBMITTED,
        # PENDING, then to its end, and the engine refuses to move a parent there
        parent = engine.get(arr)
        assert parent is not None
        assert [entry[0] for entry in parent.status_history] == [
            "SUBMITTED",
            "PENDING",
            "SUCCEEDED",
        ]

    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 2})
        engine = mock.backend().engine
        parent = engine.get(arr)
        assert parent is not None
        with pytest.raises(states.IllegalTransition, match="SUBMITTED -> RUNNABLE"):
            engine.transition(parent, "RUNNABLE")
        mock.advance(1)
        assert parent.status == "PENDING"
        for target in ("RUNNABLE", "STARTING", "RUNNING"):
            with pytest.raises(states.IllegalTransition, match=f"PENDING -> {target}"):
                engine.transition(parent, target)
        assert parent.status == "PENDING"


def _job(seq: int, need: float = 1.0) -> Job:
    job = Job(
        job_id=str(seq),
        arn=f"arn/{seq}",
        spec=JobSpec(name="j", queue=None, definition=None),
        created_at=0,
        seq=seq,
    )
    job.run.need = need
    return job


def test_runnable_index_orders_by_submission_across_sizes() -> None:
    index = RunnableIndex()
    jobs = [_job(5, 2.0), _job(1, 1.0), _job(3, 4.0), _job(2, 2.0)]
    for job in jobs:
        index.push(job)
    assert [j.seq for j in index.in_order()] == [1, 2, 3, 5]
    assert index.head() is jobs[1]
    assert [j.seq for j in index.in_order(max_need=2.0)] == [1, 2, 5]
    index.discard(jobs[1])
    assert index.head() is jobs[3]
    assert len(index) == 3
    assert index.smallest_need() == 2.0
    assert index.head(max_need=1.0) is None


class _CountingHeap(list):  # type: ignore[type-arg]
    """A heap of the index whose entries Python code reads (heapq's C code is not counted)."""

    reads = 0

    def __getitem__(self, key: Any) -> Any:
        self.reads += 1
        return super().__getitem__(key)

    def __iter__(self) -> Any:
        self.reads += len(self)
        return super().__iter__()


def test_runnable_index_front_is_cheap_to_take() -> None:
    index = RunnableIndex()
    for seq in range(10_000, 0, -1):
        index.push(_job(seq, need=float(seq % 3 + 1)))  # three heaps, as with three job sizes
    heaps = {need: _CountingHeap(heap) for need, heap in index._heaps.items()}
    index._heaps = heaps  # type: ignore[assignment]
    front = []
    for job in index.in_order():
        front.append(job.seq)
        if len(front) == 100:
            break
    assert front == list(range(1, 101))
    # taking 100 of 10,000 jobs reads a few entries per job taken, not the whole queue
    assert sum(heap.reads for heap in heaps.values()) <= 5 * 100


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("3", "3", True),
        ("3", "30", False),
        ("3*", "30", True),
        ("*", None, True),
        ("3", None, False),
        ("Essential*", "Essential container in task exited", True),
        ("essential*", "Essential container in task exited", False),
        ("*", "", True),
    ],
)
def test_retry_patterns(pattern: str, value: str | None, expected: bool) -> None:
    assert retries.pattern_matches(pattern, value) is expected


def test_should_retry_rules() -> None:
    strategy = {"attempts": 3, "evaluateOnExit": [{"onExitCode": "1", "action": "EXIT"}]}
    assert retries.should_retry(strategy, 1, 2, None, "x") is True
    assert retries.should_retry(strategy, 1, 1, None, "x") is False
    assert retries.should_retry(strategy, 3, 2, None, "x") is False  # no attempts left
    assert retries.should_retry(None, 1, 2, None, "x") is False  # default: one attempt
    # an entry with no condition matches everything
    assert (
        retries.should_retry(
            {"attempts": 2, "evaluateOnExit": [{"action": "EXIT"}]}, 1, 2, None, "x"
        )
        is False
    )


def test_attempt_context_is_built_in_the_dataclass_field_order() -> None:
    import dataclasses

    from batchmock.engine.context import _FIELDS
    from batchmock.executors.base import AttemptContext

    assert tuple(f.name for f in dataclasses.fields(AttemptContext)) == _FIELDS


def test_job_events_hears_every_change_once_in_order_with_the_job_already_moved() -> None:
    """``Engine.job_events`` (the mock's EventBridge sink) is told of each change after SUBMITTED
    as it happens: every status of each job's history but the first, and an array child's last
    change before its parent's."""
    heard: list[tuple[str, str, str | None]] = []
    with mock_batch(auto_advance=False, job_state_events=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        engine = mock.backend().engine
        assert engine.job_events is None  # the option off: nobody listens
        engine.job_events = lambda job: heard.append((job.job_id, job.status, job.status_reason))
        single = submit(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 2})
        mock.run_until_idle()
        for job_id in (single, arr, f"{arr}:0", f"{arr}:1"):
            job = engine.get(job_id)
            assert job is not None
            told = [status for heard_id, status, _ in heard if heard_id == job_id]
            assert told == [entry[0] for entry in job.status_history[1:]]
        order = [(job_id, status) for job_id, status, _ in heard]
        assert order.index((f"{arr}:1", "SUCCEEDED")) < order.index((arr, "SUCCEEDED"))
        assert heard[-1] == (arr, "SUCCEEDED", None)
