"""Dashboard benchmark (issue 13): its page and JSON with 10,000 jobs in the mock.

Run: ``python benchmarks/bench_dashboard.py``. A ``ThreadedServer`` (virtual clock) holds 10,000
jobs in one queue (half SUCCEEDED, some FAILED, the rest RUNNABLE behind a full compute
environment, plus an array job of 1,000 children). Each dashboard request the page makes while it
polls is timed over HTTP on one kept-alive connection, and compared with the baseline measured in
the same run on the same connection: a DescribeJobs of 100 ids (the API call a test or a console
makes most). Targets: what the page polls every second (overview, a page of jobs, one job) costs
at most as much as that DescribeJobs (ratio <= 1.0x): it renders one page of jobs, never all
10,000. A name filter and the timeline read every job of the queue (a scan, asked for by the
user, not a page read): their target is 10x.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import quote

from _common import median_of

from batchmock.server import ThreadedServer

JOBS = 10_000
TARGET = 1.0
SCAN_TARGET = 10.0
SCANS = ("jobs, name contains '99'", "timeline (10,000 jobs: 300 rows + aggregate)")
DASH = "/_batchmock/dashboard"
_SIGNED = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/batch/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _fill(server: ThreadedServer) -> tuple[str, list[str], str]:
    """The resources and 10,000 jobs, made in-process; returns (queue ARN, 100 ids, a job ID)."""
    mock = server.mock
    backend = mock.backend()
    backend.dispatch(
        "CreateComputeEnvironment",
        {
            "computeEnvironmentName": "ce",
            "type": "MANAGED",
            "computeResources": {
                "type": "EC2",
                "maxvCpus": 64,
                "minvCpus": 0,
                "subnets": ["s"],
                "securityGroupIds": ["g"],
                "instanceRole": "r",
                "instanceTypes": ["optimal"],
            },
        },
    )
    queue = backend.dispatch(
        "CreateJobQueue",
        {
            "jobQueueName": "q",
            "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}],
        },
    )["jobQueueArn"]
    backend.dispatch(
        "RegisterJobDefinition",
        {
            "jobDefinitionName": "jd",
            "type": "container",
            "containerProperties": {
                "image": "busybox",
                "command": ["echo", "hi"],
                "resourceRequirements": [
                    {"type": "VCPU", "value": "1"},
                    {"type": "MEMORY", "value": "512"},
                ],
            },
        },
    )
    mock.set_outcomes([{"match": {"jobName": "job-*7"}, "exitCode": 1}])
    ids = []
    for i in range(JOBS // 2):
        ids.append(_submit(backend, f"job-{i}"))
    mock.run_until_idle()
    mock.set_outcomes([{"duration": 86_400}])
    _submit(backend, "fan", arrayProperties={"size": 1000})
    for i in range(JOBS // 2, JOBS - 1):
        ids.append(_submit(backend, f"job-{i}"))
    mock.advance(30)  # 64 jobs RUNNING, the rest RUNNABLE
    return queue, ids[:100], ids[7]


def _submit(backend: Any, name: str, **extra: Any) -> str:
    params = {"jobName": name, "jobQueue": "q", "jobDefinition": "jd", **extra}
    job_id: str = backend.dispatch("SubmitJob", params)["jobId"]
    return job_id


def _get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (path, body[:300])
    return body


def _describe(conn: http.client.HTTPConnection, ids: list[str]) -> bytes:
    body = json.dumps({"jobs": ids}).encode()
    headers = {"Content-Type": "application/json", "Authorization": _SIGNED}
    conn.request("POST", "/v1/describejobs", body=body, headers=headers)
    response = conn.getresponse()
    answer = response.read()
    assert response.status == 200, answer[:300]
    return answer


def main() -> None:
    """Fill the mock, then time each request against DescribeJobs(100)."""
    began = time.perf_counter()
    with ThreadedServer(clock="virtual", auto_advance=False) as server:
        queue, hundred, one = _fill(server)
        filled = time.perf_counter() - began
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        q = quote(queue, safe="")
        requests = {
            "page (static HTML)": DASH,
            "script (static)": f"{DASH}/assets/dashboard.js",
            "overview (counters of every queue)": f"{DASH}/api/overview",
            "jobs of the queue, newest 50": f"{DASH}/api/jobs?queue={q}",
            "jobs, status RUNNABLE, page 40": f"{DASH}/api/jobs?queue={q}&status=RUNNABLE"
            "&offset=2000",
            "jobs, name contains '99'": f"{DASH}/api/jobs?queue={q}&name=99",
            "array children (1,000), first 50": f"{DASH}/api/jobs?parent=" + _array_id(conn, q),
            "one job (details, history, logs)": f"{DASH}/api/job?id={one}",
            "timeline (10,000 jobs: 300 rows + aggregate)": f"{DASH}/api/timeline",
        }
        for path in requests.values():  # warm up every path once
            _get(conn, path)
        baseline = median_of(lambda: _describe(conn, hundred), repeat=15)
        size = len(_describe(conn, hundred))
        print(f"{JOBS} jobs in the mock (filled in {filled:.1f} s)")
        print(
            f"{'baseline: DescribeJobs, 100 ids':<48} {baseline * 1e3:8.2f} ms "
            f"{size / 1024:8.0f} kB"
        )
        for name, path in requests.items():
            took = median_of(lambda p=path: _get(conn, p), repeat=15)  # type: ignore[misc]
            kb = len(_get(conn, path)) / 1024
            ratio = took / baseline
            target = SCAN_TARGET if name in SCANS else TARGET
            verdict = "ok" if ratio <= target else "OVER TARGET"
            print(
                f"{name:<48} {took * 1e3:8.2f} ms {kb:8.0f} kB  ratio {ratio:5.2f}x "
                f"(target <= {target:.1f}x) {verdict}"
            )
        conn.close()
    print(f"(whole run: {time.perf_counter() - began:.1f} s)")


def _array_id(conn: http.client.HTTPConnection, queue: str) -> str:
    page = json.loads(_get(conn, f"{DASH}/api/jobs?queue={queue}&name=fan"))
    job_id: str = page["jobs"][0]["jobId"]
    return job_id


if __name__ == "__main__":
    main()
