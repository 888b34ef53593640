"""The dashboard's queue counts are ListJobs' on the queue, status by status; array children and
multi-node nodes are counted apart, as ListJobs lists them under their parent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batchmock.server import ThreadedServer
from tests.server.helpers import call_json, client
from tests.support import make_env

STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
NODES = {
    "numNodes": 3,
    "mainNode": 0,
    "nodeRangeProperties": [
        {
            "targetNodes": "0:",
            "container": {
                "image": "busybox",
                "command": ["work"],
                "resourceRequirements": [
                    {"type": "VCPU", "value": "1"},
                    {"type": "MEMORY", "value": "256"},
                ],
            },
        }
    ],
}


@pytest.fixture
def still() -> Iterator[ThreadedServer]:
    """A server whose clock moves only when the test says: ListJobs reads without moving it."""
    with ThreadedServer(auto_advance=False) as server:
        yield server


def _listed(batch: Any, status: str, **source: str) -> list[str]:
    ids: list[str] = []
    kwargs: dict[str, Any] = {"jobStatus": status, **source}
    while True:
        page = batch.list_jobs(**kwargs)
        ids += [summary["jobId"] for summary in page["jobSummaryList"]]
        if not page.get("nextToken"):
            return ids
        kwargs["nextToken"] = page["nextToken"]


def _queue_view(server: ThreadedServer) -> dict[str, Any]:
    status, view = call_json(server, "GET", "/_batchmock/dashboard/api/overview")
    assert status == 200
    [backend] = view["backends"]
    [queue] = backend["jobQueues"]
    return dict(queue)


def test_queue_counts_are_list_jobs_per_status_and_children_come_apart(
    still: ThreadedServer,
) -> None:
    batch = client(still)
    make_env(batch, max_vcpus=6)
    batch.register_job_definition(jobDefinitionName="mnp", type="multinode", nodeProperties=NODES)
    still.mock.set_outcomes(
        [
            {"match": {"jobName": "fan", "arrayIndex": 1}, "exitCode": 2},
            {"match": {"jobName": "fan", "arrayIndex": 4}, "duration": 600},
            {"match": {"jobName": "mpi"}, "duration": 300},
            {"match": {"jobName": "fan"}, "duration": 5},
        ]
    )
    fan = batch.submit_job(
        jobName="fan", jobQueue="q", jobDefinition="jd", arrayProperties={"size": 6}
    )["jobId"]
    mpi = batch.submit_job(jobName="mpi", jobQueue="q", jobDefinition="mnp")["jobId"]
    plain = batch.submit_job(jobName="plain", jobQueue="q", jobDefinition="jd")["jobId"]

    seen_children = set()
    for step in (0.5, 1, 1, 1, 1, 5, 30, 400, 400):
        still.mock.advance(step)
        queue = _queue_view(still)
        counts = {s: len(_listed(batch, s, jobQueue="q")) for s in STATUSES}
        children = {
            s: len(_listed(batch, s, arrayJobId=fan)) + len(_listed(batch, s, multiNodeJobId=mpi))
            for s in STATUSES
        }
        assert queue["counts"] == counts, still.mock.now_ms()
        assert queue["childCounts"] == children, still.mock.now_ms()
        assert sum(counts.values()) == 3  # the queue's own jobs: parents and the plain job
        assert sum(children.values()) in (0, 3, 9)  # the nodes come first, then the 6 children
        seen_children |= {s for s, n in children.items() if n}
    # the walk saw children waiting, running and ending, and the parents' own statuses
    assert {"RUNNABLE", "RUNNING", "SUCCEEDED", "FAILED"} <= seen_children
    final = _queue_view(still)
    assert final["counts"] == dict.fromkeys(STATUSES, 0) | {"SUCCEEDED": 2, "FAILED": 1}
    assert final["childCounts"] == dict.fromkeys(STATUSES, 0) | {"SUCCEEDED": 8, "FAILED": 1}
    assert plain in _listed(batch, "SUCCEEDED", jobQueue="q")
    assert fan in _listed(batch, "FAILED", jobQueue="q")
