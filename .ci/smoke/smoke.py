"""Smoke test of an installed batchmock (wheel or sdist), run by .ci/run from outside the checkout.

It uses the installed package the way a user does: a job run to SUCCEEDED under ``mock_batch``
through boto3, and the installed ``batchmock`` console script serving one boto3 call on a free
loopback port, then stopped with SIGTERM. Every wait is bounded. Exit status 0 means it all worked.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import boto3

import batchmock
from batchmock import mock_batch

READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def check_installed_copy() -> None:
    """batchmock must come from this environment's site-packages, not from a checkout."""
    where = Path(batchmock.__file__).resolve()
    if Path(sys.prefix).resolve() not in where.parents:
        raise SystemExit(f"batchmock was imported from {where}, not from the installed package")
    print(f"batchmock {batchmock.__version__} imported from the installed package")


def run_a_job_under_mock_batch() -> None:
    with mock_batch() as mock:
        batch = boto3.client("batch", region_name="us-east-1")
        batch.create_compute_environment(
            computeEnvironmentName="ce",
            type="MANAGED",
            computeResources={
                "type": "FARGATE",
                "maxvCpus": 4,
                "subnets": ["subnet-1"],
                "securityGroupIds": ["sg-1"],
            },
        )
        batch.create_job_queue(
            jobQueueName="q",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
        )
        batch.register_job_definition(
            jobDefinitionName="jd",
            type="container",
            platformCapabilities=["FARGATE"],
            containerProperties={
                "image": "busybox",
                "command": ["echo", "hello"],
                "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
                "resourceRequirements": [
                    {"type": "VCPU", "value": "0.25"},
                    {"type": "MEMORY", "value": "512"},
                ],
            },
        )
        job_id = batch.submit_job(jobName="smoke", jobQueue="q", jobDefinition="jd")["jobId"]
        mock.run_until_idle()
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        if job["status"] != "SUCCEEDED":
            raise SystemExit(f"the job ended {job['status']}: {job.get('statusReason')}")
    print(f"mock_batch: job {job_id} SUCCEEDED")


def _read_lines(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


def serve_one_call_with_the_console_script() -> None:
    script = Path(sys.executable).with_name("batchmock")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    server = subprocess.Popen(
        [str(script), "server", "--host", "127.0.0.1", "--port", "0", "--clock", "virtual"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(server.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        endpoint = None
        while endpoint is None:
            try:
                line = lines.get(timeout=READY_TIMEOUT)
            except queue.Empty:
                raise SystemExit(f"no 'listening' line within {READY_TIMEOUT} s") from None
            if line is None:
                raise SystemExit("the server exited before listening:\n" + "".join(output))
            output.append(line)
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            endpoint = found.group(1) if found else None
        batch = boto3.client(
            "batch",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        answer = batch.describe_job_queues()
        if answer["jobQueues"] != [] or answer["ResponseMetadata"]["HTTPStatusCode"] != 200:
            raise SystemExit(f"unexpected DescribeJobQueues answer: {answer}")
        print(f"batchmock server at {endpoint} answered DescribeJobQueues")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=STOP_TIMEOUT)
            raise SystemExit(
                f"the server did not stop within {STOP_TIMEOUT} s of SIGTERM"
            ) from None
    while True:
        try:
            line = lines.get(timeout=STOP_TIMEOUT)
        except queue.Empty:
            break
        if line is None:
            break
        output.append(line)
    if code != 0 or not any("batchmock server stopped" in line for line in output):
        raise SystemExit(f"the server exited {code} after SIGTERM:\n" + "".join(output))
    print("batchmock server stopped cleanly on SIGTERM")


if __name__ == "__main__":
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    check_installed_copy()
    run_a_job_under_mock_batch()
    serve_one_call_with_the_console_script()
    print("smoke test passed")
