"""``batchmock server`` running jobs: what its start-up line says, and a Metaflow-like step on
``--executor local`` with its ECS endpoints on the server."""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Any

import pytest

from tests.executors.container_scenarios import METAFLOW_STEP
from tests.server.helpers import call_json
from tests.server.test_cli import _client, _real_clock_env, spawn  # noqa: F401 (the fixture)

FAST = ("--delay-submitted", "0", "--delay-scheduling", "0", "--delay-starting", "0")


def test_the_start_up_line_says_the_simulated_executor_runs_nothing(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0")
    url = server.wait_ready()
    assert server.ready_line == (
        f"batchmock server listening on {url} (clock real, executor simulated: runs no "
        "command, outcomes are scripted (POST /_batchmock/outcomes)); Ctrl-C stops it"
    )
    assert server.stop_and_read()[0] == 0


def test_the_start_up_line_names_a_real_executor(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", "--executor", "local")
    server.wait_ready()
    assert "executor local: runs each attempt's command as a process" in server.ready_line
    assert server.stop_and_read()[0] == 0


@pytest.mark.skipif(sys.platform != "linux", reason="the server test suite runs on Linux")
def test_a_metaflow_step_retries_on_a_fresh_filesystem(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", "--executor", "local", *FAST)
    url = server.wait_ready()
    batch = _client(url)
    _real_clock_env(batch)
    batch.register_job_definition(
        jobDefinitionName="step",
        type="container",
        retryStrategy={"attempts": 2},
        containerProperties={
            "image": "busybox",
            "command": [sys.executable, "-c", METAFLOW_STEP],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )
    job_id = batch.submit_job(jobName="step", jobQueue="q", jobDefinition="step")["jobId"]
    deadline = time.monotonic() + 60
    detail: dict[str, Any] = {}
    while time.monotonic() < deadline:
        detail = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        if detail["status"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.05)
    assert detail["status"] == "SUCCEEDED", detail.get("statusReason")
    assert [a["container"]["exitCode"] for a in detail["attempts"]] == [1, 0]
    logs = _client(url, "logs")
    for attempt in detail["attempts"]:
        events = logs.get_log_events(
            logGroupName="/aws/batch/job", logStreamName=attempt["container"]["logStreamName"]
        )["events"]
        assert [e["message"] for e in events] == ["execution env AWS_ECS_EC2"]
    assert server.stop_and_read()[0] == 0  # a clean stop removes every attempt's directory


def test_the_server_answers_no_task_it_does_not_run(server: Any) -> None:
    for path in ("v4/0123/task", "v3/0123", "credentials/0123", "somewhere"):
        status, body = call_json(server, "GET", f"/_batchmock/ecs/{path}")
        assert status == 404
        assert body == {
            "code": "NotFound",
            "message": f"No running task answers /_batchmock/ecs/{path}.",
        }


WHERE = "import os; open('left-behind', 'w').write('x'); print(os.getcwd(), flush=True)"


def _run_where(url: str) -> str:
    batch = _client(url)
    _real_clock_env(batch)
    batch.register_job_definition(
        jobDefinitionName="where",
        type="container",
        containerProperties={
            "image": "busybox",
            "command": [sys.executable, "-c", WHERE],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )
    job_id = batch.submit_job(jobName="where", jobQueue="q", jobDefinition="where")["jobId"]
    deadline = time.monotonic() + 60
    detail: dict[str, Any] = {}
    while time.monotonic() < deadline and detail.get("status") not in ("SUCCEEDED", "FAILED"):
        detail = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        time.sleep(0.05)
    assert detail["status"] == "SUCCEEDED", detail.get("statusReason")
    events = _client(url, "logs").get_log_events(
        logGroupName="/aws/batch/job", logStreamName=detail["container"]["logStreamName"]
    )["events"]
    return str(events[0]["message"])


@pytest.mark.parametrize("keep", [False, True])
def test_keep_workdirs_flag(spawn: Any, keep: bool) -> None:  # noqa: F811
    flags = ("--keep-workdirs",) if keep else ()
    server = spawn("--port", "0", "--executor", "local", *FAST, *flags)
    cwd = _run_where(server.wait_ready())
    root = os.path.dirname(cwd)
    try:
        assert server.stop_and_read()[0] == 0
        assert os.path.exists(os.path.join(cwd, "left-behind")) == keep
    finally:
        shutil.rmtree(root, ignore_errors=True)
