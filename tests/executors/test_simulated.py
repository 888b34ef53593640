"""The simulated executor and its outcome script, on their own."""

from __future__ import annotations

from typing import Any

import pytest

from batchmock.executors import make_executor
from batchmock.executors.base import AttemptContext, Execution, Executor, Outcome, StartFailure
from batchmock.executors.simulated import (
    STOPPED_EXIT_CODE,
    OutcomeScript,
    SimulatedExecution,
    SimulatedExecutor,
)
from batchmock.options import MockOptions


def _ctx(**changes: Any) -> AttemptContext:
    values: dict[str, Any] = {
        "job_id": "id",
        "job_arn": "arn:aws:batch:us-east-1:1:job/id",
        "job_name": "name",
        "job_definition": "jd",
        "job_definition_arn": "arn:aws:batch:us-east-1:1:job-definition/jd:4",
        "job_queue": "q",
        "compute_environment": "ce",
        "image": "busybox",
        "command": ["true"],
        "env": {},
        "parameters": {},
        "attempt": 1,
        "array_index": None,
        "array_size": None,
        "node_index": None,
        "num_nodes": None,
        "is_main_node": False,
        "vcpus": 1.0,
        "memory": 512,
        "gpus": 0,
        "timeout_seconds": None,
        "log_group": "/aws/batch/job",
        "log_stream_name": "jd/default/x",
        "task_arn": "arn:aws:ecs:us-east-1:1:task/c/x",
    }
    values.update(changes)
    return AttemptContext(**values)


def test_no_rule_is_success_after_the_default_duration() -> None:
    outcome = OutcomeScript().resolve(_ctx(), 7.0)
    assert (outcome.exit_code, outcome.duration) == (0, 7.0)


def test_rule_fields_and_wildcards() -> None:
    script = OutcomeScript(
        [
            {"match": {"jobDefinition": "jd:3"}, "exitCode": 1},
            {
                "match": {"jobDefinition": "jd:4", "jobName": "na*"},
                "exitCode": 2,
                "duration": 0,
                "reason": "r",
                "statusReason": "s",
                "logs": ["l"],
            },
        ]
    )
    outcome = script.resolve(_ctx(), 7.0)
    assert outcome == Outcome(exit_code=2, duration=0.0, reason="r", logs=["l"], status_reason="s")
    assert script.resolve(_ctx(job_name="other"), 7.0).exit_code == 0


def test_handler_return_values() -> None:
    script = OutcomeScript()
    results: list[Any] = [None, 5, Outcome(exit_code=3, duration=2.5), "bad", True]
    script.on_job()(lambda ctx: results.pop(0))
    assert script.resolve(_ctx(), 9.0) == Outcome(exit_code=0, duration=9.0)
    assert script.resolve(_ctx(), 9.0) == Outcome(exit_code=5, duration=9.0)
    assert script.resolve(_ctx(), 9.0) == Outcome(exit_code=3, duration=2.5)
    for _ in range(2):  # neither a string nor a bool is an exit code
        wrong = script.resolve(_ctx(), 9.0)
        assert wrong.exit_code == 1
        assert wrong.reason is not None
        assert wrong.reason.startswith("TypeError: on_job handler")


def test_handler_start_failure_propagates() -> None:
    script = OutcomeScript()

    @script.on_job(image="busy*")
    def fail(ctx: AttemptContext) -> int:
        raise StartFailure("CannotStartContainerError: no")

    with pytest.raises(StartFailure):
        SimulatedExecutor(script, 1.0).launch(_ctx())
    assert script.resolve(_ctx(image="alpine"), 1.0).exit_code == 0


def test_handler_registration_checks() -> None:
    script = OutcomeScript()
    with pytest.raises(ValueError, match="job_name"):
        script.on_job(job_name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decorates a function"):
        script.on_job()(42)  # type: ignore[arg-type]


def test_simulated_execution_protocol() -> None:
    execution = SimulatedExecution(Outcome(exit_code=0, duration=3, logs=["a"]))
    assert isinstance(execution, Execution)
    assert execution.simulated is True
    assert execution.drain_logs() == ["a"]
    assert execution.drain_logs() == []
    assert execution.wait(0) == execution.poll()
    execution.stop(30)
    stopped = execution.poll()
    assert stopped is not None
    assert stopped.exit_code == STOPPED_EXIT_CODE


def test_make_executor() -> None:
    options = MockOptions()
    script = OutcomeScript()
    executor = make_executor("simulated", script, options)
    assert isinstance(executor, Executor)
    with pytest.raises(ValueError, match="is unknown"):
        make_executor("remote", script, options)
    with pytest.raises(ValueError, match="must be a name"):
        make_executor(object(), script, options)
