"""Retry strategies (§7) and timeouts (§8) through boto3."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock import mock_batch
from tests.engine.helpers import describe, history, setup, status, submit
from tests.support import make_job_definition


def _run(rules: list[dict[str, Any]], **submit_args: Any) -> dict[str, Any]:
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch, name="job", **submit_args)
        mock.run_until_idle()
        return describe(batch, job_id)


def _exit_codes(job: dict[str, Any]) -> list[int | None]:
    return [a["container"].get("exitCode") for a in job["attempts"]]


def test_attempts_counts_attempts_not_retries() -> None:
    job = _run([{"match": {}, "exitCode": 1}], retryStrategy={"attempts": 3})
    assert job["status"] == "FAILED"
    assert _exit_codes(job) == [1, 1, 1]


def test_retry_until_success_records_every_attempt_in_order() -> None:
    rules = [{"match": {"attempt": 1}, "exitCode": 5}, {"match": {"attempt": 2}, "exitCode": 6}]
    job = _run(rules, retryStrategy={"attempts": 5})
    assert job["status"] == "SUCCEEDED"
    assert _exit_codes(job) == [5, 6, 0]
    starts = [a["startedAt"] for a in job["attempts"]]
    assert starts == sorted(starts)
    # §4.5 [inferred]: the top level shows the latest attempt
    assert job["startedAt"] == job["attempts"][-1]["startedAt"]
    assert job["container"]["exitCode"] == 0


def test_retry_goes_back_to_runnable_with_a_new_attempt_number() -> None:
    with mock_batch(
        auto_advance=False, outcomes=[{"match": {"attempt": 1}, "exitCode": 1}]
    ) as mock:
        batch = mock.client()
        setup(batch)
        seen: list[str] = []

        @mock.on_job()
        def record(attempt: Any) -> int:
            seen.append(attempt.env["AWS_BATCH_JOB_ATTEMPT"])
            assert attempt.attempt == int(attempt.env["AWS_BATCH_JOB_ATTEMPT"])
            return 1 if attempt.attempt == 1 else 0

        job_id = submit(batch, retryStrategy={"attempts": 2})
        mock.run_until_idle()
        assert seen == ["1", "2"]
        assert history(mock, job_id) == [
            "SUBMITTED",
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]


def test_definition_strategy_applies_and_submit_replaces_it() -> None:
    with mock_batch(auto_advance=False, outcomes=[{"match": {}, "exitCode": 1}]) as mock:
        batch = mock.client()
        setup(batch)
        make_job_definition(batch, name="retrying", retryStrategy={"attempts": 3})
        from_definition = submit(batch, definition="retrying")
        replaced = submit(batch, definition="retrying", retryStrategy={"attempts": 1})
        mock.run_until_idle()
        assert len(describe(batch, from_definition)["attempts"]) == 3
        assert len(describe(batch, replaced)["attempts"]) == 1


@pytest.mark.parametrize(
    ("entries", "attempts"),
    [
        # first match wins
        ([{"onExitCode": "3", "action": "EXIT"}, {"onExitCode": "*", "action": "RETRY"}], 1),
        ([{"onExitCode": "*", "action": "RETRY"}, {"onExitCode": "3", "action": "EXIT"}], 3),
        # action in any case
        ([{"onExitCode": "3", "action": "exit"}], 1),
        ([{"onExitCode": "3", "action": "Retry"}], 3),
        # trailing * is a prefix; without it the match is exact
        ([{"onReason": "CannotPull*", "action": "EXIT"}], 1),
        ([{"onReason": "CannotPull", "action": "EXIT"}], 3),
        ([{"onExitCode": "3*", "action": "EXIT"}], 1),
        ([{"onStatusReason": "Essential container*", "action": "EXIT"}], 1),
        # every condition of an entry must match
        ([{"onExitCode": "3", "onReason": "Other*", "action": "EXIT"}], 3),
        # nothing matches: retry while attempts remain
        ([{"onExitCode": "4", "action": "EXIT"}], 3),
    ],
)
def test_evaluate_on_exit(entries: list[dict[str, str]], attempts: int) -> None:
    rules = [{"match": {}, "exitCode": 3, "reason": "CannotPullContainerError: nope"}]
    job = _run(rules, retryStrategy={"attempts": 3, "evaluateOnExit": entries})
    assert len(job["attempts"]) == attempts
    assert job["status"] == "FAILED"


def test_on_status_reason_matches_a_scripted_host_failure() -> None:
    rules = [
        {
            "match": {"attempt": 1},
            "exitCode": None,
            "statusReason": "Host EC2 (instance i-0123) terminated.",
        }
    ]
    strategy = {
        "attempts": 2,
        "evaluateOnExit": [
            {"onStatusReason": "Host EC2*", "action": "RETRY"},
            {"onReason": "*", "action": "EXIT"},
        ],
    }
    job = _run(rules, retryStrategy=strategy)
    assert job["status"] == "SUCCEEDED"
    first = job["attempts"][0]
    assert first["statusReason"] == "Host EC2 (instance i-0123) terminated."
    assert "exitCode" not in first["container"]


def test_timeout_counts_from_running_and_is_not_retried() -> None:
    with mock_batch(auto_advance=False, outcomes=[{"match": {}, "duration": 1000}]) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(
            batch, timeout={"attemptDurationSeconds": 60}, retryStrategy={"attempts": 3}
        )
        mock.advance(3 + 59)  # RUNNING at t=3
        assert status(batch, job_id) == "RUNNING"
        mock.advance(1)
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["statusReason"] == "Job attempt duration exceeded timeout"
        assert len(job["attempts"]) == 1
        assert job["attempts"][0]["statusReason"] == "Job attempt duration exceeded timeout"
        assert job["stoppedAt"] - job["startedAt"] == 60_000
        assert job["container"]["exitCode"] == 143


def test_timeout_from_the_definition_and_in_time_jobs() -> None:
    rules = [{"match": {"jobName": "slow"}, "duration": 61}, {"match": {}, "duration": 59}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        make_job_definition(batch, name="limited", timeout={"attemptDurationSeconds": 60})
        slow = submit(batch, name="slow", definition="limited")
        quick = submit(batch, name="quick", definition="limited")
        mock.run_until_idle()
        assert status(batch, slow) == "FAILED"
        assert status(batch, quick) == "SUCCEEDED"


def test_retry_on_timeout_option() -> None:
    rules = [{"match": {"attempt": 1}, "duration": 1000}]
    with mock_batch(auto_advance=False, outcomes=rules, retry_on_timeout=True) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(
            batch, timeout={"attemptDurationSeconds": 60}, retryStrategy={"attempts": 2}
        )
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["status"] == "SUCCEEDED"
        assert [a["statusReason"] for a in job["attempts"]] == [
            "Job attempt duration exceeded timeout",
            "Essential container in task exited",
        ]


def test_children_inherit_the_timeout_each_on_its_own() -> None:
    rules = [{"match": {"arrayIndex": 1}, "duration": 100}, {"match": {}, "duration": 30}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        arr = submit(
            batch, name="arr", arrayProperties={"size": 3}, timeout={"attemptDurationSeconds": 60}
        )
        mock.run_until_idle()
        children = [describe(batch, f"{arr}:{i}") for i in range(3)]
        assert [c["status"] for c in children] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
        assert children[1]["statusReason"] == "Job attempt duration exceeded timeout"
        assert children[0]["timeout"] == {"attemptDurationSeconds": 60}


def test_no_retry_after_terminate() -> None:
    with mock_batch(auto_advance=False, outcomes=[{"match": {}, "duration": 100}]) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch, retryStrategy={"attempts": 5})
        mock.advance(10)
        batch.terminate_job(jobId=job_id, reason="stop")
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert (job["status"], job["statusReason"], len(job["attempts"])) == ("FAILED", "stop", 1)
