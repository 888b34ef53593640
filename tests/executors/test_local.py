"""The local executor: jobs run as real processes on this machine (``executor="local"``)."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest

from batchmock import BatchMock, Delays, mock_batch
from batchmock.executors import watcher
from batchmock.executors.local import LocalExecutor
from tests.executors import scenarios
from tests.executors.scenarios import Flavour, describe, submit, wait_for_line

LOCAL = Flavour(executor="local", python=[sys.executable])


@pytest.fixture(params=["watcher", "threads"])
def local(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[BatchMock]:
    """An active mock running jobs as local processes, followed by the shared watcher thread
    (Linux) or by two threads per process (elsewhere)."""
    if request.param == "threads":
        monkeypatch.setattr(watcher, "available", lambda: False)
    elif not watcher.available():
        pytest.skip("no pidfds here: the threads variant covers this machine")
    with mock_batch(executor="local") as mock:
        yield mock


@pytest.fixture
def batch(local: BatchMock) -> Any:
    """A Batch client of the local mock."""
    return local.client()


def test_the_executor_is_chosen_by_name(local: BatchMock) -> None:
    assert isinstance(local.runtime.executor, LocalExecutor)


def test_environment_as_the_process_sees_it(
    batch: Any, local: BatchMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SESSION_TOKEN", "a-developers-token")
    monkeypatch.setenv("AWS_DEVELOPER_SETTING", "private")  # any AWS_* of the host stays out
    seen = scenarios.check_environment(local, batch, LOCAL)
    assert "AWS_SESSION_TOKEN" not in seen
    assert "AWS_DEVELOPER_SETTING" not in seen
    assert seen["AWS_CONFIG_FILE"] == seen["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull


def test_exit_codes(batch: Any, local: BatchMock) -> None:
    scenarios.check_exit_codes(local, batch, LOCAL)


def test_retries_evaluate_the_real_exit_code(batch: Any, local: BatchMock) -> None:
    scenarios.check_retries(local, batch, LOCAL)


def test_scaled_timeouts_stop_the_process(tmp_path: Path) -> None:
    with mock_batch(executor="local", real_timeout_scale=0.01) as mock:
        scenarios.check_timeouts(mock, mock.client(), LOCAL, tmp_path)


def test_terminate_sends_sigterm(batch: Any, local: BatchMock) -> None:
    scenarios.check_terminate(local, batch, LOCAL)


def test_logs_reach_cloudwatch_and_batch_logs(batch: Any, local: BatchMock) -> None:
    scenarios.check_logs(local, batch, LOCAL)


def test_logs_reach_cloudwatch_while_the_job_runs(batch: Any, local: BatchMock) -> None:
    scenarios.check_logs_while_running(local, batch, LOCAL)


def test_job_writes_to_s3_through_the_mock(batch: Any, local: BatchMock) -> None:
    scenarios.check_s3_through_the_mock(local, batch, LOCAL)


def test_command_that_cannot_start(batch: Any, local: BatchMock) -> None:
    scenarios.check_cannot_start(local, batch, LOCAL)
    reason = describe(
        batch, batch.list_jobs(jobQueue="q", jobStatus="FAILED")["jobSummaryList"][0]["jobId"]
    )["container"]["reason"]
    assert reason == (
        'CannotStartContainerError: exec: "/nonexistent/program": no such file or directory'
    )


def test_array_children_run_as_processes(batch: Any, local: BatchMock) -> None:
    scenarios.check_array(local, batch, LOCAL)


def test_command_after_parameter_substitution(batch: Any, local: BatchMock) -> None:
    scenarios.environment(batch)
    LOCAL.definition(
        batch,
        "echo",
        command=[sys.executable, "-c", "import sys; print(sys.argv[1:])", "Ref::word", "two words"],
    )
    job_id = submit(batch, "echo", parameters={"word": "$HOME;"})
    local.run_until_idle()
    assert local.logs(job_id) == ["['$HOME;', 'two words']"]  # argv as given: no shell


def test_empty_command_cannot_start(batch: Any, local: BatchMock) -> None:
    scenarios.environment(batch)
    batch.register_job_definition(
        jobDefinitionName="bare",
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128},
    )
    job_id = submit(batch, "bare")
    local.run_until_idle()
    detail = describe(batch, job_id)
    assert detail["status"] == "FAILED"
    assert detail["container"]["reason"].startswith("CannotStartContainerError: the job has no")


def test_real_clock_and_polling() -> None:
    fast = Delays(submitted=0.01, scheduling=0.01, starting=0.01, running=0.01)
    with mock_batch(executor="local", clock="real", delays=fast) as mock:
        batch = mock.client()
        scenarios.environment(batch)
        LOCAL.definition(batch, "quick", "print('done')")
        job_id = submit(batch, "quick")
        scenarios.wait_until(
            lambda: describe(batch, job_id)["status"] == "SUCCEEDED",
            "the job to succeed on the wall clock",
        )
        assert mock.logs(job_id) == ["done"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _dies(pid: int, within: float = 10.0) -> bool:
    """True once ``pid`` is gone. SIGKILL is delivered asynchronously: a killed process can
    still show as running for a moment, so this waits (bounded) instead of sampling once."""
    deadline = time.monotonic() + within
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


FAMILY = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def _start_family_then_fail(seen: dict[str, Any]) -> None:
    with mock_batch(executor="local") as mock:
        batch = mock.client()
        scenarios.environment(batch)
        LOCAL.definition(batch, "family", FAMILY)
        job_id = submit(batch, "family")
        scenarios.wait_until(
            lambda: mock.logs(job_id),
            "the child's pid",
            poll=lambda: batch.describe_jobs(jobs=[job_id]),
        )
        execution = mock.runtime.find_job(job_id).run.execution  # type: ignore[union-attr]
        seen["pids"] = [execution.pid, int(mock.logs(job_id)[0])]
        seen["alive"] = all(_alive(pid) for pid in seen["pids"])
        seen["port"] = urlsplit(mock.runtime.services.server_url()).port  # type: ignore[union-attr]
        raise RuntimeError("the test failed")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc to look at processes")
def test_nothing_outlives_the_mock_even_when_the_test_fails() -> None:
    seen: dict[str, Any] = {}
    with pytest.raises(RuntimeError, match="the test failed"):
        _start_family_then_fail(seen)
    assert seen["alive"]
    assert all(_dies(pid) for pid in seen["pids"])
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", seen["port"])) != 0  # the server is gone too


def test_main_process_exit_kills_what_it_left_running(batch: Any, local: BatchMock) -> None:
    scenarios.environment(batch)
    script = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        "print(child.pid, flush=True)\n"
    )
    LOCAL.definition(batch, "leaver", script)
    job_id = submit(batch, "leaver")
    local.run_until_idle()  # returns although the child still held the output pipe
    assert describe(batch, job_id)["status"] == "SUCCEEDED"
    assert _dies(int(local.logs(job_id)[0]))


def test_terminate_while_output_is_followed(batch: Any, local: BatchMock) -> None:
    scenarios.environment(batch)
    LOCAL.definition(batch, "talker", scenarios.TERMINABLE)
    job_id = submit(batch, "talker")
    wait_for_line(local, batch, job_id, "ready")
    batch.terminate_job(jobId=job_id, reason="stop")
    batch.terminate_job(jobId=job_id, reason="stop again")  # a second stop changes nothing
    local.run_until_idle()
    assert describe(batch, job_id)["attempts"][0]["container"]["exitCode"] == 143


def test_bad_timeout_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="real_timeout_scale must be a number > 0"):
        mock_batch(executor="local", real_timeout_scale=0).start()


def test_simulated_logs_reach_cloudwatch(mock: BatchMock) -> None:
    batch = mock.client()
    scenarios.environment(batch)
    LOCAL.definition(batch, "scripted", command=["true"])
    mock.set_outcomes([{"match": {"jobDefinition": "scripted"}, "logs": ["one", "two"]}])
    job_id = submit(batch, "scripted")
    mock.run_until_idle()
    detail = describe(batch, job_id)
    assert scenarios.cloudwatch("/aws/batch/job", detail["container"]["logStreamName"]) == [
        "one",
        "two",
    ]
    assert mock.logs(job_id) == ["one", "two"]
    logs = boto3.client("logs", region_name="us-east-1")
    streams = logs.describe_log_streams(logGroupName="/aws/batch/job")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [detail["container"]["logStreamName"]]
