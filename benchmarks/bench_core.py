"""Core benchmarks (issue: in-process mock): interceptor overhead, mock enter/exit, import cost.

Run: ``python benchmarks/bench_core.py``. Every figure is a ratio against a baseline measured in
the same run, never an absolute time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from _common import best_of, canned_client, median_of, report

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402

from batchmock import mock_batch  # noqa: E402


def bench_control_plane_call() -> None:
    """A submit-sized control-plane call through the interceptor vs botocore answered canned."""
    with mock_batch() as mock:
        client = mock.client()
        client.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
        client.create_job_queue(
            jobQueueName="q",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
        )
        kwargs = {
            "jobQueue": "q",
            "priority": 5,
            "state": "ENABLED",
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}],
        }
        body = json.dumps(client.update_job_queue(**kwargs)).encode()
        ours = best_of(lambda: client.update_job_queue(**kwargs), repeat=7, number=200)
    canned = canned_client(body)
    base = best_of(lambda: canned.update_job_queue(**kwargs), repeat=7, number=200)
    report("UpdateJobQueue through the interceptor vs canned", ours, base, 1.3, "us")


def bench_enter_exit() -> None:
    """Entering and leaving mock_batch with a new boto3 client created inside."""
    boto3.client("batch", region_name="us-east-1")  # warm boto3's loaders, as any suite does

    def ours() -> None:
        with mock_batch():
            boto3.client("batch", region_name="us-east-1")

    def bare() -> None:
        boto3.client("batch", region_name="us-east-1")

    def moto() -> None:
        from moto import mock_aws

        with mock_aws():
            boto3.client("batch", region_name="us-east-1")

    t_ours, t_bare = median_of(ours, 21), median_of(bare, 21)
    print(
        f"{'mock_batch enter+client+exit':<58} {t_ours * 1e3:10.3f} ms (target <= 10 ms)"
        f"{'  ok' if t_ours <= 0.010 else '  OVER TARGET'}"
    )
    report("  same, vs creating the client alone", t_ours, t_bare, None)
    report("  moto mock_aws enter+client+exit, vs mock_batch", median_of(moto, 7), t_ours, None)


def _run(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy())
    return time.perf_counter() - start


def bench_import() -> None:
    """``import batchmock`` plus the first mocked call, against ``import boto3``."""
    boto = "import boto3"
    ours = (
        "import boto3\nfrom batchmock import mock_batch\nwith mock_batch() as m:\n"
        "    m.client().describe_job_queues()"
    )
    moto = (
        "import boto3\nfrom moto import mock_aws\nwith mock_aws():\n"
        "    boto3.client('batch', region_name='us-east-1').describe_job_queues()"
    )
    t_boto = min(_run(boto) for _ in range(3))
    t_ours = min(_run(ours) for _ in range(3))
    t_moto = min(_run(moto) for _ in range(3))
    extra = t_ours - t_boto
    print(
        f"{'import batchmock + first mocked call, over import boto3':<58} "
        f"{extra * 1e3:10.1f} ms (target <= 400 ms){'  ok' if extra <= 0.4 else '  OVER TARGET'}"
    )
    print(
        f"{'  moto: import moto + first mocked call, over import boto3':<58} "
        f"{(t_moto - t_boto) * 1e3:10.1f} ms"
    )


if __name__ == "__main__":
    bench_control_plane_call()
    bench_enter_exit()
    bench_import()
