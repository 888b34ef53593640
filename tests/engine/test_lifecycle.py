"""The state machine of a plain job through boto3 (§4): statuses, times, attempts, polling."""

from __future__ import annotations

import re

import pytest

from batchmock import mock_batch
from batchmock.options import Delays
from tests.engine.helpers import START, START_MS, describe, history, setup, status, submit

TERMINAL = ("SUCCEEDED", "FAILED")


def test_polling_loop_sees_every_state_and_ends_within_ten_polls() -> None:
    with mock_batch() as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        seen = []
        for _ in range(10):
            seen.append(status(batch, job_id))
            if seen[-1] in TERMINAL:
                break
        assert seen[-1] == "SUCCEEDED"
        for state in ("RUNNABLE", "STARTING", "RUNNING"):
            assert state in seen
        assert seen == sorted(seen, key=["RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"].index)


def test_list_jobs_polls_progress_too() -> None:
    with mock_batch() as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        found = []
        for _ in range(10):
            listed = batch.list_jobs(jobQueue="q", jobStatus="SUCCEEDED")["jobSummaryList"]
            found = [j["jobId"] for j in listed]
            if found:
                break
        assert found == [job_id]


def test_without_auto_advance_nothing_moves_until_the_clock_does() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        for _ in range(5):
            assert status(batch, job_id) == "SUBMITTED"
        mock.advance(1)
        assert status(batch, job_id) == "RUNNABLE"
        mock.run_until_idle()
        assert status(batch, job_id) == "SUCCEEDED"


def test_full_history_times_and_attempt_on_a_pinned_clock() -> None:
    delays = Delays(submitted=2, scheduling=3, starting=5, running=7)
    with mock_batch(start_time=START, delays=delays, auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert history(mock, job_id) == [
            "SUBMITTED",
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]
    assert job["createdAt"] == START_MS
    # §4.5: startedAt at STARTING -> RUNNING, stoppedAt at RUNNING -> terminal
    assert job["startedAt"] == START_MS + (2 + 3 + 5) * 1000
    assert job["stoppedAt"] == job["startedAt"] + 7000
    assert job["statusReason"] == "Essential container in task exited"
    (attempt,) = job["attempts"]
    assert attempt["startedAt"] == job["startedAt"]
    assert attempt["stoppedAt"] == job["stoppedAt"]
    assert attempt["statusReason"] == "Essential container in task exited"
    container = attempt["container"]
    assert container["exitCode"] == 0
    # §4.8: task ARN on the CE's cluster, stream <definition>/default/<task id>
    match = re.fullmatch(
        r"arn:aws:ecs:us-east-1:123456789012:task/ce_Batch_[0-9a-f-]+/([0-9a-f]{32})",
        container["taskArn"],
    )
    assert match is not None
    assert container["logStreamName"] == f"jd/default/{match.group(1)}"
    assert job["container"]["taskArn"] == container["taskArn"]
    assert job["container"]["logStreamName"] == container["logStreamName"]
    assert job["container"]["exitCode"] == 0


def test_same_test_same_timestamps() -> None:
    def run() -> tuple[int, int, int]:
        with mock_batch(start_time=START) as mock:
            batch = mock.client()
            setup(batch)
            job_id = submit(batch)
            mock.run_until_idle()
            job = describe(batch, job_id)
            return job["createdAt"], job["startedAt"], job["stoppedAt"]

    assert run() == run()


def test_task_arn_at_starting_and_log_stream_at_running() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.advance(2)  # submitted + scheduling
        job = describe(batch, job_id)
        assert job["status"] == "STARTING"
        assert job["container"]["taskArn"].startswith("arn:aws:ecs:")
        assert "logStreamName" not in job["container"]
        assert "startedAt" not in job
        mock.advance(1)
        job = describe(batch, job_id)
        assert job["status"] == "RUNNING"
        assert job["container"]["logStreamName"].startswith("jd/default/")
        assert "stoppedAt" not in job


def test_cluster_name_comes_from_the_compute_environment() -> None:
    with mock_batch() as mock:
        batch = mock.client()
        setup(batch)
        ce = batch.describe_compute_environments()["computeEnvironments"][0]
        cluster = f"ce_Batch_{ce['uuid']}"  # §3.4
        assert ce["ecsClusterArn"] == f"arn:aws:ecs:us-east-1:123456789012:cluster/{cluster}"
        job_id = submit(batch)
        mock.run_until_idle()
        container = describe(batch, job_id)["container"]
    prefix = "arn:aws:ecs:us-east-1:123456789012"
    assert re.fullmatch(rf"{prefix}:task/{cluster}/[0-9a-f]{{32}}", container["taskArn"])
    assert re.fullmatch(
        rf"{prefix}:container-instance/{cluster}/[0-9a-f]{{32}}", container["containerInstanceArn"]
    )


def test_failed_job_keeps_exit_code_and_reason() -> None:
    rules = [{"match": {"jobName": "bad"}, "exitCode": 2, "reason": "OutOfMemoryError: x"}]
    with mock_batch(outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch, name="bad")
        mock.run_until_idle()
        job = describe(batch, job_id)
    assert job["status"] == "FAILED"
    assert job["statusReason"] == "Essential container in task exited"
    assert job["container"]["exitCode"] == 2
    assert job["container"]["reason"] == "OutOfMemoryError: x"
    assert job["attempts"][0]["container"]["reason"] == "OutOfMemoryError: x"


def test_advance_processes_events_in_order_and_stops_at_the_target() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.advance(2.5)
        assert status(batch, job_id) == "STARTING"
        assert mock.runtime.clock.now() == START + 2.5
        mock.advance(0.5)
        assert status(batch, job_id) == "RUNNING"
        with pytest.raises(ValueError, match="seconds must be a number from 0"):
            mock.advance(-1)


def test_real_clock_runs_the_same_engine() -> None:
    delays = Delays(submitted=0.01, scheduling=0.01, starting=0.01, running=0.01)
    with mock_batch(clock="real", delays=delays) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.run_until_idle()
        assert history(mock, job_id) == [
            "SUBMITTED",
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]


def test_run_until_idle_leaves_blocked_jobs_alone() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
        job_id = submit(batch)
        mock.run_until_idle()
        assert status(batch, job_id) == "RUNNABLE"
        assert mock.runtime.clock.pending == 0


def test_unknown_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="clock='sundial' is unknown"), mock_batch(clock="sundial"):
        pass


@pytest.mark.parametrize(
    ("option", "value"), [("cancel_pending", "later"), ("cancel_runnable", "soon")]
)
def test_unknown_choices_are_refused(option: str, value: str) -> None:
    with (
        pytest.raises(ValueError, match=f"{option}='{value}' is unknown"),
        mock_batch(**{option: value}),
    ):
        pass
