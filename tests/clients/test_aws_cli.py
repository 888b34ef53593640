"""The AWS CLI (``aws batch ... --endpoint-url``) against a running batchmock server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from batchmock.server import ThreadedServer

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI (`aws`) is not installed")

COMPUTE_RESOURCES = json.dumps(
    {
        "type": "EC2",
        "maxvCpus": 16,
        "minvCpus": 0,
        "subnets": ["subnet-1"],
        "securityGroupIds": ["sg-1"],
        "instanceRole": "ecsInstanceRole",
        "instanceTypes": ["optimal"],
    }
)
CONTAINER = json.dumps(
    {
        "image": "busybox",
        "command": ["echo", "hello"],
        "resourceRequirements": [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "512"},
        ],
    }
)


class Cli:
    """Runs ``aws`` against one endpoint with test credentials and no user configuration."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_PAGER="",
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        assert AWS is not None
        command = [AWS, "--endpoint-url", self.endpoint_url, "--output", "json", *args]
        return subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=120, check=False
        )

    def __call__(self, *args: str) -> Any:
        """The decoded JSON output of a command that must succeed."""
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    with ThreadedServer(auto_advance=False) as running:
        yield running


@pytest.fixture
def aws(server: ThreadedServer) -> Cli:
    return Cli(server.endpoint_url)


def _environment(aws: Cli) -> dict[str, str]:
    ce = aws(
        "batch", "create-compute-environment", "--compute-environment-name", "ce",
        "--type", "MANAGED", "--compute-resources", COMPUTE_RESOURCES,
    )  # fmt: skip
    queue = aws(
        "batch", "create-job-queue", "--job-queue-name", "q", "--priority", "1",
        "--compute-environment-order", "order=1,computeEnvironment=ce",
    )  # fmt: skip
    definition = aws(
        "batch", "register-job-definition", "--job-definition-name", "jd",
        "--type", "container", "--container-properties", CONTAINER,
    )  # fmt: skip
    return {
        "ce": ce["computeEnvironmentArn"],
        "queue": queue["jobQueueArn"],
        "definition": definition["jobDefinitionArn"],
    }


def test_jobs_submitted_listed_described_cancelled_and_terminated(
    aws: Cli, server: ThreadedServer
) -> None:
    arns = _environment(aws)
    assert arns["queue"] == "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    assert arns["definition"] == "arn:aws:batch:us-east-1:123456789012:job-definition/jd:1"
    server.mock.set_outcomes([{"match": {"jobName": "long"}, "duration": 3600}])
    ids = {
        name: aws("batch", "submit-job", "--job-name", name, "--job-queue", "q",
                  "--job-definition", "jd")["jobId"]
        for name in ("doomed", "long", "quick")
    }  # fmt: skip

    listed = aws("batch", "list-jobs", "--job-queue", "q", "--job-status", "SUBMITTED")
    assert sorted(job["jobName"] for job in listed["jobSummaryList"]) == ["doomed", "long", "quick"]

    aws("batch", "cancel-job", "--job-id", ids["doomed"], "--reason", "no longer needed")
    server.mock.advance(60)  # "long" is RUNNING now, for an hour
    running = aws("batch", "list-jobs", "--job-queue", "q", "--job-status", "RUNNING")
    assert [job["jobId"] for job in running["jobSummaryList"]] == [ids["long"]]
    aws("batch", "terminate-job", "--job-id", ids["long"], "--reason", "stopped by the test")
    server.mock.run_until_idle()

    described = aws("batch", "describe-jobs", "--jobs", *ids.values())["jobs"]
    by_name = {job["jobName"]: job for job in described}
    assert {name: job["status"] for name, job in by_name.items()} == {
        "doomed": "FAILED",
        "long": "FAILED",
        "quick": "SUCCEEDED",
    }
    assert by_name["doomed"]["statusReason"] == "no longer needed"
    assert by_name["long"]["statusReason"] == "stopped by the test"
    assert by_name["quick"]["container"]["exitCode"] == 0


def test_tags_are_set_listed_and_removed(aws: Cli) -> None:
    queue = _environment(aws)["queue"]

    aws("batch", "tag-resource", "--resource-arn", queue, "--tags", "team=a,env=test")
    assert aws("batch", "list-tags-for-resource", "--resource-arn", queue) == {
        "tags": {"team": "a", "env": "test"}
    }
    aws("batch", "untag-resource", "--resource-arn", queue, "--tag-keys", "env")

    assert aws("batch", "list-tags-for-resource", "--resource-arn", queue) == {
        "tags": {"team": "a"}
    }


def test_bad_input_is_a_client_exception_naming_the_problem(aws: Cli) -> None:
    done = aws.run(
        "batch", "create-job-queue", "--job-queue-name", "q", "--priority", "1",
        "--compute-environment-order", "order=1,computeEnvironment=missing",
    )  # fmt: skip
    assert done.returncode != 0
    assert "An error occurred (ClientException) when calling the CreateJobQueue" in done.stderr
    assert "missing" in done.stderr
    assert aws("batch", "describe-job-queues") == {"jobQueues": []}


def test_job_logs_are_read_with_aws_logs(aws: Cli, server: ThreadedServer) -> None:
    _environment(aws)
    server.mock.set_outcomes([{"match": {"jobName": "talker"}, "logs": ["hello", "world"]}])
    job_id = aws(
        "batch", "submit-job", "--job-name", "talker", "--job-queue", "q", "--job-definition", "jd"
    )["jobId"]
    server.mock.run_until_idle()
    (job,) = aws("batch", "describe-jobs", "--jobs", job_id)["jobs"]

    events = aws(
        "logs", "get-log-events", "--log-group-name", "/aws/batch/job",
        "--log-stream-name", job["container"]["logStreamName"],
    )["events"]  # fmt: skip

    assert [event["message"] for event in events] == ["hello", "world"]
