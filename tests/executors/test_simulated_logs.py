"""Every simulated attempt has its CloudWatch log stream, written when moto is first used."""

from __future__ import annotations

from typing import Any

import boto3

from batchmock import BatchMock
from batchmock.server import ThreadedServer
from tests.server.helpers import client
from tests.support import describe_job, make_env, make_job_definition, submit_job


def _events(logs: Any, stream: str) -> list[str]:
    found = logs.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream)
    return [event["message"] for event in found["events"]]


def test_an_attempt_without_lines_has_an_empty_stream(mock: BatchMock) -> None:
    batch = mock.client()
    make_env(batch)
    make_job_definition(batch)
    mock.set_outcomes([{"match": {"jobName": "talks"}, "logs": ["one", "two"]}])
    quiet = submit_job(batch, jobName="quiet", jobQueue="q", jobDefinition="jd")
    talks = submit_job(batch, jobName="talks", jobQueue="q", jobDefinition="jd")
    mock.run_until_idle()
    logs = boto3.client("logs", region_name="us-east-1")
    quiet_stream = describe_job(batch, quiet)["container"]["logStreamName"]
    talks_stream = describe_job(batch, talks)["container"]["logStreamName"]
    assert _events(logs, quiet_stream) == []
    assert _events(logs, talks_stream) == ["one", "two"]
    streams = logs.describe_log_streams(logGroupName="/aws/batch/job")["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == sorted([quiet_stream, talks_stream])


def test_streams_wait_until_moto_is_used(mock: BatchMock) -> None:
    from moto.logs.models import logs_backends

    batch = mock.client()
    make_env(batch)
    make_job_definition(batch)
    job_id = submit_job(batch, jobName="j", jobQueue="q", jobDefinition="jd")
    mock.run_until_idle()
    stream = describe_job(batch, job_id)["container"]["logStreamName"]
    backend = logs_backends["123456789012"]["us-east-1"]
    group = backend.groups.get("/aws/batch/job")  # moto's state of an earlier test may linger
    assert group is None or stream not in group.streams  # nothing written while nobody reads
    logs = boto3.client("logs", region_name="us-east-1")
    assert _events(logs, stream) == []  # the first request to moto writes it
    # later attempts are written as they run
    later = submit_job(batch, jobName="later", jobQueue="q", jobDefinition="jd")
    mock.run_until_idle()
    later_stream = describe_job(batch, later)["container"]["logStreamName"]
    backend = logs_backends["123456789012"]["us-east-1"]  # moto's, started by that request
    assert later_stream in backend.groups["/aws/batch/job"].streams


def test_each_retry_has_its_own_stream(mock: BatchMock) -> None:
    batch = mock.client()
    make_env(batch)
    make_job_definition(batch, retryStrategy={"attempts": 2})
    mock.set_outcomes(
        [
            {"match": {"attempt": 1}, "exitCode": 1, "logs": ["first try"]},
            {"match": {"attempt": 2}, "logs": ["second try"]},
        ]
    )
    job_id = submit_job(batch, jobName="j", jobQueue="q", jobDefinition="jd")
    mock.run_until_idle()
    detail = describe_job(batch, job_id)
    logs = boto3.client("logs", region_name="us-east-1")
    streams = [a["container"]["logStreamName"] for a in detail["attempts"]]
    assert [_events(logs, stream) for stream in streams] == [["first try"], ["second try"]]


def test_streams_are_read_through_the_server() -> None:
    with ThreadedServer(auto_advance=False) as server:
        batch = client(server)
        make_env(batch)
        make_job_definition(batch)
        server.mock.set_outcomes([{"logs": ["hello from the simulation"]}])
        job_id = submit_job(batch, jobName="j", jobQueue="q", jobDefinition="jd")
        server.mock.run_until_idle()
        stream = describe_job(batch, job_id)["container"]["logStreamName"]
        assert _events(client(server, "logs"), stream) == ["hello from the simulation"]
