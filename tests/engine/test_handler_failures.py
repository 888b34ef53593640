"""A failed check inside an ``on_job`` handler fails the test, not only the job (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import boto3
import pytest
from botocore.config import Config

from batchmock import mock_batch
from batchmock.executors.base import AttemptContext
from batchmock.server import ThreadedServer
from tests.engine.helpers import describe, setup, submit
from tests.server.helpers import client as server_client


def _assert_crashed(batch: Any, mock: Any, job_id: str, first_line: str) -> None:
    """The job failed as a crashed program does: exit code 1, the reason (whose first line is
    ``first_line``; pytest's assertion rewriting adds its explanation below), the traceback."""
    job = describe(batch, job_id)
    assert (job["status"], job["statusReason"]) == ("FAILED", "Essential container in task exited")
    reason = job["container"]["reason"]
    assert (job["container"]["exitCode"], reason.split("\n")[0]) == (1, first_line)
    assert [(a["container"]["exitCode"], a["container"]["reason"]) for a in job["attempts"]] == [
        (1, reason)
    ]
    logs = mock.logs(job_id)
    assert logs[0] == "Traceback (most recent call last):"
    assert "\n".join(logs).endswith(reason)


def test_a_failed_assert_is_re_raised_by_run_until_idle_and_fails_the_job() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        calls: list[int] = []

        @mock.on_job(job_name="arr")
        def check(attempt: AttemptContext) -> int:
            calls.append(attempt.array_index or 0)
            assert attempt.env["AWS_BATCH_JOB_ARRAY_INDEX"] == "3", "not index 3"
            return 0

        arr = submit(batch, name="arr", arrayProperties={"size": 2})
        with pytest.raises(AssertionError, match="not index 3") as raised:
            mock.run_until_idle()
        # the handler's own exception, with its frame in the traceback
        assert any(entry.name == "check" for entry in raised.traceback)
        if sys.version_info >= (3, 11):
            assert raised.value.__notes__ == [
                "batchmock: 1 more on_job handler failure(s) in the same call; their jobs "
                "failed with the traceback in their logs"
            ]
        # every job settled before the failure surfaced; each failed as today
        assert sorted(calls) == [0, 1]
        for index in (0, 1):
            _assert_crashed(batch, mock, f"{arr}:{index}", "AssertionError: not index 3")
        assert describe(batch, arr)["status"] == "FAILED"
        mock.run_until_idle()  # surfaced once: nothing left to raise


def test_a_failed_assert_is_re_raised_by_advance() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job()
        def check(attempt: AttemptContext) -> int:
            assert attempt.attempt == 2
            return 0

        job_id = submit(batch)
        mock.advance(2)  # SUBMITTED -> RUNNABLE -> STARTING: the handler has not run yet
        with pytest.raises(AssertionError, match="assert 1 == 2"):
            mock.advance(1)  # -> RUNNING: the attempt is launched here
        mock.advance(100)
        _assert_crashed(batch, mock, job_id, "AssertionError: assert 1 == 2")


@pytest.mark.parametrize("retry_mode", ["legacy", "standard", "adaptive"])
def test_a_polling_describe_jobs_raises_the_assertion_error_itself(retry_mode: str) -> None:
    """Through boto3: the AssertionError, not a ClientError, no 500, no retried request."""
    with mock_batch() as mock:
        batch = mock.client(config=Config(retries={"mode": retry_mode, "max_attempts": 5}))
        setup(batch)
        sent: list[str] = []
        batch.meta.events.register("before-send.batch.*", lambda **kw: sent.append("x"))
        calls: list[str] = []

        @mock.on_job()
        def check(attempt: AttemptContext) -> int:
            calls.append(attempt.job_id)
            assert attempt.command == ["expected"], "wrong command"
            return 0

        job_id = submit(batch)
        polls: list[str] = []

        def wait_for_job() -> None:  # a user's polling loop; it never sees a terminal status
            while len(polls) < 50:
                sent.clear()
                polls.append(batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"])
                assert polls[-1] not in ("SUCCEEDED", "FAILED")

        with pytest.raises(AssertionError, match="wrong command"):
            wait_for_job()
        assert polls[-1] == "STARTING"  # the next poll started the attempt, and raised
        assert calls == [job_id]
        assert sent == ["x"]  # the failing request was sent once, not retried
        # the job failed as today, and the next poll answers normally
        assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] in ("RUNNING", "FAILED")
        mock.run_until_idle()
        _assert_crashed(batch, mock, job_id, "AssertionError: wrong command")


def test_pytest_fail_in_a_handler_fails_the_test() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job()
        def check(attempt: AttemptContext) -> int:
            pytest.fail("the handler says no")

        job_id = submit(batch)
        with pytest.raises(pytest.fail.Exception, match="the handler says no"):
            mock.run_until_idle()
        _assert_crashed(batch, mock, job_id, "Failed: the handler says no")


def test_a_failure_no_call_re_raised_surfaces_when_the_mock_ends() -> None:
    """Handlers run by the server's threads (a test polling through the server) surface last."""
    seen: list[str] = []
    mock = mock_batch()

    def a_test() -> None:
        with mock, ThreadedServer(mock) as server:
            batch = server_client(server)
            setup(batch)

            @mock.on_job()
            def check(attempt: AttemptContext) -> int:
                seen.append(attempt.job_id)
                raise AssertionError("seen by the server's thread")

            job_id = submit(batch)
            for _ in range(50):  # HTTP requests: answered normally, the server is no test
                if batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "FAILED":
                    break
            assert describe(batch, job_id)["status"] == "FAILED"
            assert seen == [job_id]

    with pytest.raises(AssertionError, match="seen by the server's thread"):
        a_test()
    assert not mock.active


def test_reset_re_raises_the_failure_of_the_state_it_drops() -> None:
    with mock_batch() as mock:
        with ThreadedServer(mock) as server:
            batch = server_client(server)
            setup(batch)

            @mock.on_job()
            def check(attempt: AttemptContext) -> int:
                raise AssertionError("dropped with the state")

            job_id = submit(batch)
            for _ in range(50):
                if batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "FAILED":
                    break
        with pytest.raises(AssertionError, match="dropped with the state"):
            mock.reset()
        assert mock.active
        assert mock.client().describe_job_queues()["jobQueues"] == []


def test_the_test_s_own_exception_is_not_replaced_when_the_mock_ends() -> None:
    mock = mock_batch()

    def a_failing_test() -> None:
        with mock:
            batch = mock.client()
            setup(batch)

            @mock.on_job()
            def check(attempt: AttemptContext) -> int:
                raise AssertionError("pending")

            submit(batch)
            mock.runtime.clock.advance(10)  # the engine alone: nothing re-raises here
            raise KeyError("the test's own")

    with pytest.raises(KeyError, match="the test's own"):
        a_failing_test()
    assert not mock.active


def test_other_exceptions_only_fail_the_job_by_default() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job()
        def broken(attempt: AttemptContext) -> int:
            raise KeyError("missing")

        job_id = submit(batch)
        mock.run_until_idle()
        _assert_crashed(batch, mock, job_id, "KeyError: 'missing'")
    # the mock ended without raising either


def _drive(mock: Any, batch: Any, job_id: str, how: str) -> None:
    if how == "run_until_idle":
        mock.run_until_idle()
    for _ in range(50):
        batch.describe_jobs(jobs=[job_id])


@pytest.mark.parametrize("poll", ["run_until_idle", "describe_jobs"])
def test_raise_handler_errors_surfaces_every_exception(poll: str) -> None:
    with mock_batch(raise_handler_errors=True, auto_advance=poll == "describe_jobs") as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job(job_name="key")
        def broken(attempt: AttemptContext) -> int:
            raise KeyError("missing")

        @mock.on_job(job_name="type")
        def wrong_type(attempt: AttemptContext) -> Any:
            return "zero"

        for name, kind, reason in (
            ("key", KeyError, "KeyError: 'missing'"),
            (
                "type",
                TypeError,
                "TypeError: on_job handler 'wrong_type' returned 'zero'; return an exit code "
                "(int), a batchmock.Outcome or None",
            ),
        ):
            job_id = submit(batch, name=name)
            with pytest.raises(kind):
                _drive(mock, batch, job_id, poll)
            mock.run_until_idle()
            job = describe(batch, job_id)
            assert (job["status"], job["container"]["exitCode"]) == ("FAILED", 1)
            assert job["container"]["reason"] == reason


def test_the_library_does_not_import_pytest() -> None:
    code = (
        "import sys, boto3, batchmock\n"
        "with batchmock.mock_batch() as mock:\n"
        "    mock.client().describe_job_queues()\n"
        "    mock.run_until_idle()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout == "[]\n"


def test_a_client_made_outside_the_mock_sees_the_same_failure() -> None:
    """boto3.client made by code under test (not mock.client()) gets the AssertionError too."""
    with mock_batch() as mock:
        batch = boto3.client("batch", region_name="us-east-1")
        setup(batch)

        @mock.on_job()
        def check(attempt: AttemptContext) -> int:
            raise AssertionError("code under test polls")

        job_id = submit(batch)

        def code_under_test() -> None:
            for _ in range(50):
                batch.list_jobs(jobQueue="q", jobStatus="RUNNING")

        with pytest.raises(AssertionError, match="code under test polls"):
            code_under_test()
        assert describe(batch, job_id)["status"] in ("RUNNING", "FAILED")
