"""Scripted outcomes through boto3: on_job handlers, data rules, logs (issue 3, item 11; §9)."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock import mock_batch
from batchmock.executors.base import AttemptContext, Outcome, StartFailure
from tests.engine.helpers import describe, setup, status, submit
from tests.support import make_job_definition


def test_handler_receives_the_effective_attempt() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        make_job_definition(
            batch,
            name="echo",
            parameters={"word": "default"},
            containerProperties={
                "command": ["echo", "Ref::word"],
                "environment": [{"name": "MODE", "value": "fast"}],
            },
        )
        seen: list[AttemptContext] = []

        @mock.on_job(job_definition="echo")
        def handler(attempt: AttemptContext) -> int:
            seen.append(attempt)
            return 0

        job_id = submit(
            batch,
            definition="echo",
            parameters={"word": "hi"},
            containerOverrides={"environment": [{"name": "EXTRA", "value": "1"}]},
        )
        mock.run_until_idle()
    (attempt,) = seen
    assert attempt.job_id == job_id
    assert attempt.command == ["echo", "hi"]
    assert attempt.parameters == {"word": "hi"}
    assert attempt.attempt == 1
    assert attempt.array_index is None
    assert attempt.image == "busybox"
    assert attempt.job_definition == "echo"
    assert attempt.env["MODE"] == "fast"
    assert attempt.env["EXTRA"] == "1"
    assert attempt.env["AWS_BATCH_JOB_ID"] == job_id
    assert attempt.env["AWS_BATCH_JOB_ATTEMPT"] == "1"
    assert attempt.env["AWS_BATCH_CE_NAME"] == "ce"
    assert attempt.env["AWS_BATCH_JQ_NAME"] == "q"
    assert "AWS_BATCH_JOB_ARRAY_INDEX" not in attempt.env
    assert attempt.log_group == "/aws/batch/job"
    assert attempt.log_stream_name.startswith("echo/default/")
    assert attempt.vcpus == 1.0
    assert attempt.memory == 512


def test_batch_variables_are_not_shown_in_the_container_environment() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch, containerOverrides={"environment": [{"name": "A", "value": "1"}]})
        mock.run_until_idle()
        assert describe(batch, job_id)["container"]["environment"] == [{"name": "A", "value": "1"}]


def test_outcome_duration_is_virtual_running_time_and_logs_are_kept() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job(job_name="slow*")
        def slow(attempt: AttemptContext) -> Outcome:
            return Outcome(exit_code=4, duration=3600, reason="Done: tired", logs=["a", "b"])

        job_id = submit(batch, name="slow-one")
        other = submit(batch, name="other")
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["stoppedAt"] - job["startedAt"] == 3_600_000
        assert (job["status"], job["container"]["exitCode"]) == ("FAILED", 4)
        assert job["container"]["reason"] == "Done: tired"
        assert mock.logs(job_id) == ["a", "b"]
        assert mock.logs(other) == []
        assert status(batch, other) == "SUCCEEDED"


def test_logs_of_every_attempt_in_order() -> None:
    rules = [
        {"match": {"attempt": 1}, "exitCode": 1, "logs": ["first"]},
        {"match": {"attempt": 2}, "logs": ["second"]},
    ]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch, retryStrategy={"attempts": 2})
        mock.run_until_idle()
        assert mock.logs(job_id) == ["first", "second"]
        with pytest.raises(ValueError, match="no job 'nope'"):
            mock.logs("nope")


def test_handler_exception_fails_the_attempt_like_a_crash() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job()
        def broken(attempt: AttemptContext) -> int:
            raise KeyError("missing")

        job_id = submit(batch)
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["container"]["exitCode"] == 1
        assert job["container"]["reason"] == "KeyError: 'missing'"
        assert any("KeyError" in line for line in mock.logs(job_id))


def test_handler_start_failure_never_reaches_running() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job()
        def no_image(attempt: AttemptContext) -> int:
            raise StartFailure("CannotPullContainerError: pull access denied")

        job_id = submit(
            batch,
            retryStrategy={
                "attempts": 2,
                "evaluateOnExit": [{"onReason": "CannotPullContainerError*", "action": "RETRY"}],
            },
        )
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert len(job["attempts"]) == 2
        assert job["attempts"][0]["statusReason"] == "Task failed to start"
        assert "startedAt" not in job
        assert "RUNNING" not in [s for s, _ in mock.runtime.find_job(job_id).status_history]  # type: ignore[union-attr]


def test_handlers_come_before_data_rules_and_first_match_wins() -> None:
    rules = [
        {"match": {"jobName": "x*"}, "exitCode": 7},
        {"match": {"jobName": "xy"}, "exitCode": 8},
    ]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)

        @mock.on_job(job_name="handled")
        def handled(attempt: AttemptContext) -> int:
            return 9

        ids = {name: submit(batch, name=name) for name in ("xy", "handled", "plain")}
        mock.run_until_idle()
        codes = {n: describe(batch, j)["container"]["exitCode"] for n, j in ids.items()}
    assert codes == {"xy": 7, "handled": 9, "plain": 0}


def test_rules_match_on_definition_image_and_array_index() -> None:
    rules = [{"match": {"jobDefinition": "jd", "image": "busy*", "arrayIndex": 1}, "exitCode": 2}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        arr = submit(batch, name="arr", arrayProperties={"size": 3})
        mock.run_until_idle()
        codes = [describe(batch, f"{arr}:{i}")["container"]["exitCode"] for i in range(3)]
    assert codes == [0, 2, 0]


def test_set_and_get_outcomes() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        rules = [{"match": {"jobName": "fail-*"}, "exitCode": 3, "logs": ["no"]}]
        mock.set_outcomes(rules)
        assert mock.get_outcomes() == rules
        rules[0]["exitCode"] = 99  # the mock kept its own copy
        job_id = submit(batch, name="fail-now")
        mock.run_until_idle()
        assert describe(batch, job_id)["container"]["exitCode"] == 3


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("nope", "outcomes must be a list"),
        ([1], r"outcomes\[0\] must be a dict"),
        ([{"exit": 1}], r"outcomes\[0\] has unknown key\(s\) exit"),
        ([{"match": {"name": "x"}}], r"outcomes\[0\].match has unknown key\(s\) name"),
        ([{"match": {"jobName": 3}}], r"outcomes\[0\].match.jobName must be a string"),
        ([{"match": {"arrayIndex": "1"}}], r"outcomes\[0\].match.arrayIndex must be an integer"),
        ([{"exitCode": "1"}], r"outcomes\[0\].exitCode must be an integer"),
        ([{"duration": -1}], r"outcomes\[0\].duration must be a number of seconds from 0"),
        ([{"logs": "line"}], r"outcomes\[0\].logs must be a list of strings"),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(rules: Any, message: str) -> None:
    good = [{"match": {"jobName": "a"}, "exitCode": 1}]
    with mock_batch(outcomes=good) as mock:
        with pytest.raises(ValueError, match=message):
            mock.set_outcomes(rules)
        assert mock.get_outcomes() == good
    with pytest.raises(ValueError, match="outcomes"), mock_batch(outcomes=rules):
        pass


def test_custom_executor_instance_and_unknown_names() -> None:
    class Recording:
        def __init__(self) -> None:
            self.launched: list[str] = []

        def launch(self, ctx: AttemptContext) -> Any:
            from batchmock.executors.simulated import SimulatedExecution

            self.launched.append(ctx.job_id)
            return SimulatedExecution(Outcome(exit_code=0, duration=5))

        def shutdown(self) -> None:
            pass

    executor = Recording()
    with mock_batch(auto_advance=False, executor=executor) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        mock.run_until_idle()
        assert executor.launched == [job_id]
    with pytest.raises(ValueError, match="executor='ssh' is unknown"), mock_batch(executor="ssh"):
        pass
