"""Server benchmarks (issue: standalone server): batchmock's server against moto's own server.

Run: ``python benchmarks/bench_server.py``. The same boto3 client code calls SubmitJob and
DescribeJobs (100 ids, all SUCCEEDED) on ``batchmock.server.ThreadedServer`` (real clock, as
``batchmock server`` runs) and on moto's ``ThreadedMotoServer`` (its Docker-less Batch, as tests
use it), from 1 and from 8 client threads, and prints each throughput ratio against the target
(batchmock >= 2x moto). Both servers run in this process on loopback, under the same conditions;
every loop is bounded.

End to end, the client's own cost counts: botocore parsing a DescribeJobs answer is a floor no
server goes below, and batchmock's JobDetails are fuller than moto's (larger answers). So the
script also prints, for one client thread, the time per call beyond botocore's own cost for that
very answer (measured in the same run by answering the same call canned): the server and the
HTTP hop, which is what a server can make faster.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
from _common import canned_client
from moto.server import ThreadedMotoServer

from batchmock.server import ThreadedServer

TARGET = 2.0
CREDENTIALS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
}
SUBMITS = {1: 300, 8: 400}
"""SubmitJob calls per measurement, by client threads."""
DESCRIBES = {1: 60, 8: 80}
"""DescribeJobs(100 ids) calls per measurement, by client threads."""
_roles = iter(range(1_000_000))
# moto routes a request by its signature; unsigned /v1/ paths are batchmock's only.
_SIGNED = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/batch/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
Results = dict[tuple[str, int], float]


def _client(url: str, service: str = "batch") -> Any:
    return boto3.client(service, endpoint_url=url, **CREDENTIALS)


def _prepare(url: str) -> list[str]:
    """A compute environment, queue and job definition; returns the ids of 100 jobs."""
    iam = _client(url, "iam")
    role = iam.create_role(
        RoleName=f"bench-batch-service-{next(_roles)}", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    batch = _client(url)
    batch.create_compute_environment(
        computeEnvironmentName="bench-ce", type="UNMANAGED", serviceRole=role
    )
    batch.create_job_queue(
        jobQueueName="bench-q",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "bench-ce"}],
    )
    batch.register_job_definition(
        jobDefinitionName="bench-jd",
        type="container",
        containerProperties={
            "image": "busybox",
            "command": ["echo", "hello"],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )
    return [_submit(batch, n) for n in range(100)]


def _submit(batch: Any, n: int) -> str:
    job_id: str = batch.submit_job(
        jobName=f"bench-{n}", jobQueue="bench-q", jobDefinition="bench-jd"
    )["jobId"]
    return job_id


def _throughput(url: str, threads: int, calls: int, call: Callable[[Any, int], Any]) -> float:
    """Calls per second of ``threads`` clients making ``calls`` calls in all."""
    clients = [_client(url) for _ in range(threads)]
    for c in clients:  # warm each client's connection and botocore's caches
        call(c, 0)
    per_thread = calls // threads
    start = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(c: Any) -> None:
        start.wait(timeout=60)
        try:
            for n in range(per_thread):
                call(c, n)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(c,), daemon=True) for c in clients]
    for worker in workers:
        worker.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    for worker in workers:
        worker.join(timeout=120)
    elapsed = time.perf_counter() - began
    if errors or any(worker.is_alive() for worker in workers):
        raise RuntimeError(f"benchmark calls failed: {errors[:1]}")
    return per_thread * threads / elapsed


def _finished(url: str, ids: list[str]) -> None:
    """Wait (bounded) until the jobs are SUCCEEDED: both servers then describe the same thing."""
    batch = _client(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(job["status"] == "SUCCEEDED" for job in batch.describe_jobs(jobs=ids)["jobs"]):
            return
        time.sleep(0.1)
    raise RuntimeError("the benchmark's jobs did not finish within 60 s")


def _answer(url: str, path: str, request: dict[str, Any]) -> bytes:
    """The raw body a server answers to one request (what botocore then parses)."""
    call = urllib.request.Request(
        url + path,
        data=json.dumps(request).encode(),
        headers={"Authorization": _SIGNED, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(call, timeout=30) as response:
        body: bytes = response.read()
    return body


def _client_cost(body: bytes, call: Callable[[Any, int], Any], repeat: int) -> float:
    """Seconds per call botocore spends on ``call`` answered canned with ``body``."""
    canned = canned_client(body)
    call(canned, 0)
    began = time.perf_counter()
    for n in range(repeat):
        call(canned, n)
    return (time.perf_counter() - began) / repeat


def _measure(url: str) -> tuple[Results, Results]:
    """Calls per second by (operation, threads), and botocore's own seconds per call."""
    ids = _prepare(url)
    _finished(url, ids)
    rates: Results = {}
    own: Results = {}

    def describe(c: Any, _n: int) -> Any:
        return c.describe_jobs(jobs=ids)

    for threads in (1, 8):
        rates[("DescribeJobs(100 ids)", threads)] = _throughput(
            url, threads, DESCRIBES[threads], describe
        )
    for threads in (1, 8):  # last: jobs submitted here keep the real clock busy
        rates[("SubmitJob", threads)] = _throughput(url, threads, SUBMITS[threads], _submit)
    described = _answer(url, "/v1/describejobs", {"jobs": ids})
    own["DescribeJobs(100 ids)", 1] = _client_cost(described, describe, DESCRIBES[1])
    submitted = _answer(
        url, "/v1/submitjob", {"jobName": "x", "jobQueue": "bench-q", "jobDefinition": "bench-jd"}
    )
    own["SubmitJob", 1] = _client_cost(submitted, _submit, SUBMITS[1])
    return rates, own


def _moto_without_docker(url: str) -> None:
    request = urllib.request.Request(
        f"{url}/moto-api/config",
        data=json.dumps({"batch": {"use_docker": False}}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def main() -> None:
    """Measure both servers and print one line per operation and thread count."""
    began = time.perf_counter()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
    with ThreadedServer(clock="real") as ours:  # as `batchmock server` runs by default
        mine, mine_own = _measure(ours.endpoint_url)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        url = f"http://{host}:{port}"
        _moto_without_docker(url)
        theirs, theirs_own = _measure(url)
    finally:
        moto.stop()
    print(f"{'end to end':<34} {'batchmock':>12} {'moto':>12}  ratio (target >= {TARGET:.1f}x)")
    for operation, threads in sorted(mine):
        rate, base = mine[(operation, threads)], theirs[(operation, threads)]
        label = f"{operation}, {threads} thread{'s' if threads > 1 else ''}"
        print(f"{label:<34} {rate:9.0f}/s {base:9.0f}/s  {_verdict(rate / base)}")
    print(f"{'beyond botocore (1 thread)':<34} {'batchmock':>12} {'moto':>12}")
    for operation, threads in sorted(mine_own):
        ours_ms = (1 / mine[(operation, threads)] - mine_own[(operation, threads)]) * 1e3
        moto_ms = (1 / theirs[(operation, threads)] - theirs_own[(operation, threads)]) * 1e3
        print(f"{operation:<34} {ours_ms:9.2f}ms {moto_ms:9.2f}ms  {_verdict(moto_ms / ours_ms)}")
        print(
            f"{'  (botocore parsing its answer)':<34} "
            f"{mine_own[(operation, threads)] * 1e3:9.2f}ms "
            f"{theirs_own[(operation, threads)] * 1e3:9.2f}ms"
        )
    print(f"(whole run: {time.perf_counter() - began:.1f} s)")


def _verdict(ratio: float) -> str:
    return f"{ratio:5.2f}x  " + ("ok" if ratio >= TARGET else "BELOW TARGET")


if __name__ == "__main__":
    main()
