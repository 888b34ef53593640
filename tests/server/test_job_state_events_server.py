"""Job state change events from ``batchmock server``: its moto serves EventBridge and SQS on the
same port, so a rule made through the server receives the jobs' changes."""

from __future__ import annotations

import time
import urllib.request
from typing import Any

from batchmock.cli import build_parser, mock_options
from tests.server.helpers import CREDENTIALS
from tests.server.test_cli import _client, spawn  # noqa: F401 (the fixture)
from tests.support import make_env, modeled, requires_operation, submit_job
from tests.test_job_state_events import ANY_BATCH, EVENT_KEYS, received, rule_to_queue
from tests.test_service_job_events import described, sagemaker_queue
from tests.test_service_job_events import submit as submit_service_job

FAST = ("--delay-submitted", "0.01", "--delay-scheduling", "0.01", "--delay-starting", "0.01")


def _rule_to_queue(url: str) -> str:
    """The shared helper's queue and rule, made on the server."""
    return rule_to_queue(ANY_BATCH, endpoint_url=url, **CREDENTIALS)


def _received(queue: str, url: str) -> list[dict[str, Any]]:
    return received(queue, endpoint_url=url, **CREDENTIALS)


def _run_until_idle(url: str) -> None:
    request = urllib.request.Request(url + "/_batchmock/run-until-idle", data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200


def test_the_server_puts_each_change_on_its_eventbridge(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", "--clock", "virtual")
    url = server.wait_ready()
    queue = _rule_to_queue(url)
    batch = _client(url)
    make_env(batch)
    job_id = submit_job(batch)
    _run_until_idle(url)
    events = _received(queue, url)
    assert [e["detail"]["status"] for e in events] == [
        "RUNNABLE",
        "STARTING",
        "RUNNING",
        "SUCCEEDED",
    ]
    done = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    for event in events:
        assert set(event) == EVENT_KEYS
        assert (event["version"], event["detail-type"], event["source"], event["region"]) == (
            "0",
            "Batch Job State Change",
            "aws.batch",
            "us-east-1",
        )
        assert event["resources"] == [done["jobArn"]]
    assert events[-1]["detail"] == done
    assert events[-1]["time"] == time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(done["stoppedAt"] // 1000)
    )
    assert server.stop_and_read()[0] == 0


def test_the_server_on_the_real_clock_puts_them_too(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", *FAST, "--delay-running", "0.01")
    url = server.wait_ready()
    queue = _rule_to_queue(url)
    batch = _client(url)
    make_env(batch)
    job_id = submit_job(batch)
    deadline = time.monotonic() + 60
    while batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] != "SUCCEEDED":
        assert time.monotonic() < deadline, "the job did not end within 60 s"
        time.sleep(0.02)
    events = _received(queue, url)
    assert [e["detail"]["status"] for e in events] == [
        "RUNNABLE",
        "STARTING",
        "RUNNING",
        "SUCCEEDED",
    ]
    assert events[-1]["detail"] == batch.describe_jobs(jobs=[job_id])["jobs"][0]
    assert server.stop_and_read()[0] == 0


def test_no_job_state_events_turns_them_off(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", "--clock", "virtual", "--no-job-state-events")
    url = server.wait_ready()
    queue = _rule_to_queue(url)
    batch = _client(url)
    make_env(batch)
    job_id = submit_job(batch)
    _run_until_idle(url)
    assert batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"] == "SUCCEEDED"
    assert _received(queue, url) == []
    assert server.stop_and_read()[0] == 0


@requires_operation("SubmitServiceJob", "TerminateServiceJob", "DescribeServiceJob")
def test_the_server_puts_service_job_changes_on_its_eventbridge(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", "--clock", "virtual")
    url = server.wait_ready()
    queue = _rule_to_queue(url)
    batch = _client(url)
    sagemaker_queue(batch)
    job_id = submit_service_job(batch, "train", tags={"team": "ml"})
    batch.terminate_service_job(jobId=job_id, reason="stop")
    (event,) = _received(queue, url)
    shown = described(batch, job_id)
    assert set(event) == EVENT_KEYS
    assert (event["detail-type"], event["source"], event["resources"]) == (
        "Batch Service Job State Change",
        "aws.batch",
        [shown["jobArn"]],
    )
    del shown["tags"], shown["serviceRequestPayload"]
    assert modeled("DescribeServiceJobResponse", event["detail"]) == shown
    assert server.stop_and_read()[0] == 0


@requires_operation("SubmitServiceJob", "TerminateServiceJob")
def test_no_job_state_events_turns_service_job_events_off_too(spawn: Any) -> None:  # noqa: F811
    server = spawn("--port", "0", "--clock", "virtual", "--no-job-state-events")
    url = server.wait_ready()
    queue = _rule_to_queue(url)
    batch = _client(url)
    sagemaker_queue(batch)
    job_id = submit_service_job(batch, "train")
    batch.terminate_service_job(jobId=job_id, reason="stop")
    assert described(batch, job_id)["status"] == "FAILED"
    assert _received(queue, url) == []
    assert server.stop_and_read()[0] == 0


def test_the_flag_sets_the_option() -> None:
    assert mock_options(build_parser().parse_args(["server"]))["job_state_events"] is True
    off = build_parser().parse_args(["server", "--no-job-state-events"])
    assert mock_options(off)["job_state_events"] is False
