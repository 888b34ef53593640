"""Array jobs through boto3 (§5, §16.9)."""

from __future__ import annotations

from typing import Any

from batchmock import mock_batch
from tests.engine.helpers import START, START_MS, describe, history, setup, status, statuses, submit
from tests.support import documented_number, modeled

ALL = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def _summary(batch: Any, job_id: str) -> dict[str, int]:
    summary: dict[str, int] = describe(batch, job_id)["arrayProperties"]["statusSummary"]
    return summary


def test_children_and_a_parent_derived_from_them() -> None:
    with mock_batch(auto_advance=False, start_time=START) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=2)
        arr = submit(batch, name="arr", arrayProperties={"size": 5})
        assert status(batch, arr) == "SUBMITTED"
        mock.advance(1)
        parent = describe(batch, arr)
        assert parent["status"] == "PENDING"
        assert parent["arrayProperties"]["size"] == 5
        assert parent["arrayProperties"]["statusSummary"] == {
            **dict.fromkeys(ALL, 0),
            "RUNNABLE": 5,
        }
        child = describe(batch, f"{arr}:3")
        assert child["arrayProperties"] == {"index": 3}
        assert child["jobName"] == "arr"
        assert child["createdAt"] == START_MS + 1000  # §4.4: when the parent spawned it
        mock.advance(2)
        assert _summary(batch, arr)["RUNNING"] == 2  # capacity 2
        assert status(batch, arr) == "PENDING"  # §5.3: never RUNNING
        mock.run_until_idle()
        parent = describe(batch, arr)
        assert parent["status"] == "SUCCEEDED"
        assert parent["arrayProperties"] == modeled(
            "ArrayPropertiesDetail",
            {
                "size": 5,
                "statusSummary": {**dict.fromkeys(ALL, 0), "SUCCEEDED": 5},
                "statusSummaryLastUpdatedAt": parent["stoppedAt"],
            },
        )
        assert "attempts" not in parent or parent["attempts"] == []
        assert history(mock, arr) == ["SUBMITTED", "PENDING", "SUCCEEDED"]


def test_running_children_show_the_parent_under_pending() -> None:
    rules = [{"match": {}, "duration": 100}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 2})
        mock.advance(10)
        pending = batch.list_jobs(jobQueue="q", jobStatus="PENDING")["jobSummaryList"]
        running = batch.list_jobs(jobQueue="q", jobStatus="RUNNING")["jobSummaryList"]
        assert [j["jobId"] for j in pending] == [arr]
        assert running == []  # children are not listed under the queue (§5.12)
        children = batch.list_jobs(arrayJobId=arr, jobStatus="RUNNING")["jobSummaryList"]
        assert [j["jobId"] for j in children] == [f"{arr}:0", f"{arr}:1"]


def test_one_failed_child_fails_the_parent_once_all_are_done() -> None:
    rules = [
        {"match": {"arrayIndex": 0}, "exitCode": 1},
        {"match": {"arrayIndex": 2}, "duration": 100},
    ]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        mock.advance(20)
        assert statuses(batch, f"{arr}:0", f"{arr}:2", arr) == ["FAILED", "RUNNING", "PENDING"]
        mock.run_until_idle()
        assert statuses(batch, arr, f"{arr}:1", f"{arr}:2") == ["FAILED", "SUCCEEDED", "SUCCEEDED"]
        summary = _summary(batch, arr)
        assert (summary["FAILED"], summary["SUCCEEDED"]) == (1, 2)


def test_children_get_their_index_and_size_in_the_environment() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        seen: dict[str, dict[str, str]] = {}

        @mock.on_job(job_name="arr")
        def record(attempt: Any) -> int:
            seen[attempt.job_id] = attempt.env
            assert attempt.array_index == int(attempt.env["AWS_BATCH_JOB_ARRAY_INDEX"])
            assert attempt.array_size == 3
            return 0

        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        mock.run_until_idle()
    assert sorted(seen) == [f"{arr}:{i}" for i in range(3)]
    for index in range(3):
        env = seen[f"{arr}:{index}"]
        assert env["AWS_BATCH_JOB_ARRAY_INDEX"] == str(index)
        assert env["AWS_BATCH_JOB_ARRAY_SIZE"] == "3"
        assert env["AWS_BATCH_JOB_ID"] == f"{arr}:{index}"


def test_cancel_parent_cancels_children_not_started() -> None:
    rules = [{"match": {"arrayIndex": 0}, "duration": 100}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        mock.advance(10)
        assert statuses(batch, f"{arr}:0", f"{arr}:1") == ["RUNNING", "RUNNABLE"]
        batch.cancel_job(jobId=arr, reason="stop it")
        mock.advance(1)
        # §16.3: the parent ends once every child has; the running one carries on (§16.4)
        assert statuses(batch, arr, f"{arr}:0", f"{arr}:1", f"{arr}:2") == [
            "PENDING",
            "RUNNING",
            "FAILED",
            "FAILED",
        ]
        assert describe(batch, f"{arr}:1")["statusReason"] == "stop it"
        mock.run_until_idle()
        parent = describe(batch, arr)
        assert parent["status"] == "FAILED"
        assert parent["statusReason"] == "stop it"
        assert parent["isCancelled"] is True
        assert status(batch, f"{arr}:0") == "SUCCEEDED"


def test_terminate_parent_stops_running_children_too() -> None:
    rules = [{"match": {}, "duration": 100}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        arr = submit(batch, name="arr", arrayProperties={"size": 2})
        mock.advance(10)
        batch.terminate_job(jobId=arr, reason="enough")
        assert statuses(batch, arr, f"{arr}:0", f"{arr}:1") == ["FAILED"] * 3
        running = describe(batch, f"{arr}:0")
        assert running["statusReason"] == "enough"
        assert running["isTerminated"] is True
        assert running["attempts"][0]["container"]["exitCode"] == 143
        assert describe(batch, arr)["isTerminated"] is True


def test_cancel_one_child_fails_only_it_and_then_the_parent() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        mock.advance(1)
        batch.cancel_job(jobId=f"{arr}:2", reason="not this one")
        mock.run_until_idle()
        assert statuses(batch, arr, f"{arr}:0", f"{arr}:1", f"{arr}:2") == [
            "FAILED",
            "SUCCEEDED",
            "SUCCEEDED",
            "FAILED",
        ]
        child = describe(batch, f"{arr}:2")
        assert child["statusReason"] == "not this one"
        assert child["isCancelled"] is True
        assert describe(batch, arr)["statusReason"] == "Array Child Job failed"


def test_cancel_before_children_exist() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        batch.cancel_job(jobId=arr, reason="too soon")
        mock.run_until_idle()
        parent = describe(batch, arr)
        assert parent["status"] == "FAILED"
        assert parent["statusReason"] == "too soon"
        assert batch.describe_jobs(jobs=[f"{arr}:0"])["jobs"] == []


def test_child_retries_are_counted_per_child() -> None:
    rules = [{"match": {"arrayIndex": 1, "attempt": 1}, "exitCode": 1}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 2}, retryStrategy={"attempts": 2})
        mock.run_until_idle()
        assert status(batch, arr) == "SUCCEEDED"
        assert len(describe(batch, f"{arr}:0")["attempts"]) == 1
        assert len(describe(batch, f"{arr}:1")["attempts"]) == 2


def test_the_largest_array_the_model_allows_runs_to_completion() -> None:
    size = documented_number("SubmitJob", "arrayProperties", r"between [\d,]+ and (\d[\d,]*)")
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=256)
        arr = submit(batch, name="arr", arrayProperties={"size": size})
        mock.run_until_idle()
        parent = describe(batch, arr)
        assert parent["status"] == "SUCCEEDED"
        assert parent["arrayProperties"]["statusSummary"]["SUCCEEDED"] == size
        assert status(batch, f"{arr}:{size - 1}") == "SUCCEEDED"


def test_running_child_of_a_cancelled_array_is_not_retried() -> None:
    rules = [{"match": {"arrayIndex": 0}, "duration": 100, "exitCode": 1}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        arr = submit(batch, name="arr", arrayProperties={"size": 2}, retryStrategy={"attempts": 3})
        mock.advance(10)
        batch.cancel_job(jobId=arr, reason="stop")
        mock.run_until_idle()
        assert statuses(batch, arr, f"{arr}:0", f"{arr}:1") == ["FAILED"] * 3
        assert len(describe(batch, f"{arr}:0")["attempts"]) == 1
