"""The dashboard's page, assets and JSON endpoints under /_batchmock/dashboard (over HTTP)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest

from batchmock.server import ThreadedServer
from tests.server.helpers import call, call_json, client
from tests.support import make_ce, make_env, make_job_definition, make_queue, modeled

DASH = "/_batchmock/dashboard"
STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def _api(server: ThreadedServer, endpoint: str, **query: Any) -> Any:
    path = f"{DASH}/api/{endpoint}"
    if query:
        path += "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
    status, body = call_json(server, "GET", path)
    assert status == 200, body
    return body


def _submit(batch: Any, name: str, **kwargs: Any) -> str:
    job_id: str = batch.submit_job(jobName=name, jobQueue="q", jobDefinition="jd", **kwargs)[
        "jobId"
    ]
    return job_id


def _counts(**given: int) -> dict[str, int]:
    return {status: given.get(status, 0) for status in STATUSES}


# -- the page and its assets --------------------------------------------------------------------
class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.refs += [value or "" for name, value in attrs if name in ("src", "href")]


def test_the_page_loads_its_own_assets_only(server: ThreadedServer) -> None:
    status, headers, body = call(server, "GET", DASH)

    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in headers["content-security-policy"]
    parser = _Refs()
    parser.feed(body.decode())
    assets = [ref for ref in parser.refs if not ref.startswith("#")]
    assert sorted(assets) == [
        f"{DASH}/assets/dashboard.css",
        f"{DASH}/assets/dashboard.js",
        f"{DASH}/assets/favicon.svg",
    ]
    types = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml"}
    for asset in assets:
        status, headers, content = call(server, "GET", asset)
        assert status == 200, asset
        assert headers["content-type"].startswith(types[asset.rsplit(".", 1)[1]])
        # nothing is fetched from elsewhere: no CDN, no font service (the SVG's namespace only)
        text = content.decode()
        assert re.findall(r"https?://[^\s\"')]+", text) in ([], ["http://www.w3.org/2000/svg"])
    script = call(server, "GET", f"{DASH}/assets/dashboard.js")[2].decode()
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "document.write" not in script


def test_a_trailing_slash_serves_the_page_too(server: ThreadedServer) -> None:
    assert call(server, "GET", DASH + "/")[2] == call(server, "GET", DASH)[2]


def test_unknown_paths_and_writes_are_json_errors(server: ThreadedServer) -> None:
    status, body = call_json(server, "GET", f"{DASH}/api/nothing")
    assert status == 404
    assert body["__type"] == "UnknownOperationException"
    assert "api/overview" in body["message"]
    status, headers, raw = call(server, "POST", f"{DASH}/api/overview", b"{}")
    assert (status, headers["allow"]) == (405, "GET, HEAD")
    assert "read-only" in json.loads(raw)["message"]
    assert call(server, "GET", f"{DASH}/assets/../../state")[0] == 404


# -- overview -----------------------------------------------------------------------------------
def test_overview_shows_environments_queues_and_their_counters(server: ThreadedServer) -> None:
    batch = client(server)
    make_ce(batch, max_vcpus=4)
    make_queue(batch, priority=7)
    make_job_definition(batch, vcpus=3)
    server.mock.set_outcomes([{"duration": 3600}])
    running = _submit(batch, "big")
    blocked = _submit(batch, "waits")
    server.mock.advance(30)  # big RUNNING on 3 of 4 vCPUs; waits RUNNABLE
    assert client(server).describe_jobs(jobs=[running])["jobs"][0]["status"] == "RUNNING"
    clock_before = server.mock.now_ms()

    view = _api(server, "overview")

    assert server.mock.now_ms() == clock_before  # reading never moves the clock
    account = "123456789012"
    assert view == {
        "version": view["version"],
        "clock": "virtual",
        "now": clock_before,
        "totals": _counts(RUNNABLE=1, RUNNING=1),
        "backends": [
            {
                "accountId": account,
                "region": "us-east-1",
                "computeEnvironments": [
                    {
                        "name": "ce",
                        "arn": f"arn:aws:batch:us-east-1:{account}:compute-environment/ce",
                        "type": "MANAGED",
                        "state": "ENABLED",
                        "status": "VALID",
                        "statusReason": "ComputeEnvironment Healthy",
                        "resourceType": "EC2",
                        "maxvCpus": 4,
                        "minvCpus": 0,
                        "usedvCpus": 3,
                    }
                ],
                "jobQueues": [
                    {
                        "name": "q",
                        "arn": f"arn:aws:batch:us-east-1:{account}:job-queue/q",
                        "state": "ENABLED",
                        "status": "VALID",
                        "statusReason": "JobQueue Healthy",
                        "priority": 7,
                        "schedulingPolicyArn": None,
                        "schedulingPolicy": "FIFO",
                        "computeEnvironments": ["ce"],
                        "counts": _counts(RUNNABLE=1, RUNNING=1),
                        "childCounts": _counts(),
                        "usedvCpus": 3,
                        "blockedReason": None,
                        "blockedJobId": None,
                    }
                ],
            }
        ],
    }
    assert blocked  # RUNNABLE behind the capacity in use: waiting, not blocked


def test_overview_names_the_blocked_head_and_its_reason(server: ThreadedServer) -> None:
    batch = client(server)
    make_ce(batch, max_vcpus=2)
    make_queue(batch)
    make_job_definition(batch, vcpus=8)  # more than the CE can ever give
    job_id = _submit(batch, "too-big")
    server.mock.advance(30)

    (queue,) = _api(server, "overview")["backends"][0]["jobQueues"]

    detail = client(server).describe_jobs(jobs=[job_id])["jobs"][0]
    assert detail["status"] == "RUNNABLE"
    assert (queue["blockedJobId"], queue["blockedReason"]) == (job_id, detail["statusReason"])
    assert queue["blockedReason"].startswith("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")


# -- jobs -----------------------------------------------------------------------------------------
def test_jobs_of_a_queue_newest_first_paged_and_filtered(server: ThreadedServer) -> None:
    batch = client(server)
    make_env(batch)
    server.mock.set_outcomes([{"match": {"jobName": "bad-*"}, "exitCode": 2}])
    ids = []
    for i in range(7):
        ids.append(_submit(batch, f"{'bad' if i % 3 == 0 else 'good'}-{i}"))
        server.mock.advance(1)
    server.mock.run_until_idle()
    queue_arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]

    first = _api(server, "jobs", queue=queue_arn, limit=3)
    second = _api(server, "jobs", queue=queue_arn, limit=3, offset=3)
    failed = _api(server, "jobs", queue=queue_arn, status="FAILED")
    named = _api(server, "jobs", queue=queue_arn, name="GOOD-")

    listed = batch.list_jobs(jobQueue=queue_arn, jobStatus="FAILED")["jobSummaryList"]
    by_id = {summary["jobId"]: summary for summary in listed}
    assert {k: first[k] for k in ("queue", "queueArn", "total", "offset", "limit")} == {
        "queue": "q",
        "queueArn": queue_arn,
        "total": 7,
        "offset": 0,
        "limit": 3,
    }
    assert [job["jobId"] for job in first["jobs"]] == ids[::-1][:3]
    assert [job["jobId"] for job in second["jobs"]] == ids[::-1][3:6]
    # rows are ListJobs' JobSummary (of the newest model: an older one answers fewer members)
    assert modeled("JobSummary", first["jobs"][0]) == by_id[ids[-1]]
    assert [job["jobName"] for job in failed["jobs"]] == ["bad-6", "bad-3", "bad-0"]
    assert failed["total"] == 3
    assert [job["jobName"] for job in named["jobs"]] == ["good-5", "good-4", "good-2", "good-1"]


def test_array_children_are_a_page_of_their_own(server: ThreadedServer) -> None:
    batch = client(server)
    make_env(batch)
    server.mock.set_outcomes([{"match": {"arrayIndex": 1}, "exitCode": 1}])
    parent = _submit(batch, "fan", arrayProperties={"size": 5})
    server.mock.run_until_idle()
    queue_arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]

    (row,) = _api(server, "jobs", queue=queue_arn)["jobs"]
    children = _api(server, "jobs", parent=parent, limit=2, offset=1)
    failed = _api(server, "jobs", parent=parent, status="FAILED")

    assert row["arrayProperties"]["statusSummary"] == _counts(SUCCEEDED=4, FAILED=1)
    assert children["total"] == 5
    assert [job["jobId"] for job in children["jobs"]] == [f"{parent}:1", f"{parent}:2"]
    assert [job["arrayProperties"] for job in children["jobs"]] == [{"index": 1}, {"index": 2}]
    assert [job["jobId"] for job in failed["jobs"]] == [f"{parent}:1"]


def test_bad_job_queries_are_client_exceptions(server: ThreadedServer) -> None:
    make_env(client(server))
    queue_arn = client(server).describe_job_queues()["jobQueues"][0]["jobQueueArn"]
    cases = {
        f"{DASH}/api/jobs": "exactly one of queue",
        f"{DASH}/api/jobs?queue={queue_arn}&parent=x": "exactly one of queue",
        f"{DASH}/api/jobs?queue={queue_arn}&status=DONE": "status must be one of SUBMITTED",
        f"{DASH}/api/jobs?queue={queue_arn}&offset=-1": "offset must be between 0",
        f"{DASH}/api/jobs?queue={queue_arn}&limit=abc": "limit must be a whole number",
        f"{DASH}/api/jobs?queue={queue_arn}&limit=1&limit=2": "given 2 times",
        f"{DASH}/api/jobs?queue=arn:aws:batch:us-east-1:123456789012:job-queue/none": "no job "
        "queue",
        f"{DASH}/api/job": "id (a job ID) is required",
        f"{DASH}/api/job?id=nope": "no job nope",
    }
    for path, message in cases.items():
        status, body = call_json(server, "GET", path)
        assert (status, body["__type"]) == (400, "ClientException"), path
        assert message in body["message"], (path, body)


# -- one job --------------------------------------------------------------------------------------
def test_a_job_as_describe_jobs_shows_it_with_history_and_logs(server: ThreadedServer) -> None:
    batch = client(server)
    make_env(batch)
    server.mock.set_outcomes(
        [{"exitCode": 3, "reason": "boom", "logs": ["first line", "<b>second</b> line"]}]
    )
    first = _submit(batch, "first")
    job_id = _submit(batch, "then", dependsOn=[{"jobId": first}])
    server.mock.run_until_idle()

    view = _api(server, "job", id=job_id)

    detail = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    assert json.loads(json.dumps(view["job"])) == json.loads(json.dumps(detail, default=str))
    assert view["job"]["dependsOn"] == [{"jobId": first}]
    assert view["parentId"] is None
    assert view["children"] == 0
    # the job's dependency failed: it never ran, so it has no attempt and no lines
    assert [status for status, _ in view["statusHistory"]] == ["SUBMITTED", "PENDING", "FAILED"]
    assert view["logs"] == {"events": [], "truncated": 0}

    ran = _api(server, "job", id=first)
    stream = ran["job"]["container"]["logStreamName"]
    assert [(e["message"], e["logStreamName"]) for e in ran["logs"]["events"]] == [
        ("first line", stream),
        ("<b>second</b> line", stream),
    ]
    logs = client(server, "logs").get_log_events(
        logGroupName="/aws/batch/job", logStreamName=stream
    )
    assert [e["message"] for e in logs["events"]] == ["first line", "<b>second</b> line"]
    assert [status for status, _ in ran["statusHistory"]] == [
        "SUBMITTED",
        "RUNNABLE",
        "STARTING",
        "RUNNING",
        "FAILED",
    ]
    assert ran["job"]["attempts"][0]["container"]["exitCode"] == 3
    assert ran["job"]["attempts"][0]["container"]["reason"] == "boom"


# -- timeline -------------------------------------------------------------------------------------
def test_timeline_rows_follow_each_jobs_history(server: ThreadedServer) -> None:
    batch = client(server)
    make_env(batch)
    ids = [_submit(batch, f"t{i}") for i in range(3)]
    server.mock.run_until_idle()

    view = _api(server, "timeline")

    assert view["total"] == 3
    assert view["bins"] is None
    assert [row["jobId"] for row in view["rows"]] == ids
    for row in view["rows"]:
        detail = batch.describe_jobs(jobs=[row["jobId"]])["jobs"][0]
        assert row["status"] == detail["status"] == "SUCCEEDED"
        assert row["history"][0] == ["SUBMITTED", detail["createdAt"]]
        assert row["history"][-1] == ["SUCCEEDED", detail["stoppedAt"]]
        assert row["attempts"][0]["exitCode"] == 0
    assert view["start"] == view["rows"][0]["history"][0][1]
    assert view["end"] == server.mock.now_ms()


def test_timeline_is_aggregated_past_its_row_limit(server: ThreadedServer) -> None:
    batch = client(server)
    make_env(batch, max_vcpus=2)
    for i in range(12):
        _submit(batch, f"many-{i}")
    server.mock.run_until_idle()

    view = _api(server, "timeline", limit=5)

    assert view["total"] == 12
    assert [row["jobName"] for row in view["rows"]] == [f"many-{i}" for i in range(7, 12)]
    counts = view["bins"]["counts"]
    assert sorted(counts) == sorted(STATUSES)
    columns = len(counts["SUBMITTED"])
    assert columns == 120
    # all were submitted at the start: each column counts every job once
    assert {sum(counts[s][i] for s in STATUSES) for i in range(columns)} == {12}
    assert counts["SUBMITTED"][0] == 12
    assert counts["SUCCEEDED"] == sorted(counts["SUCCEEDED"])  # jobs only ever finish
    assert counts["SUCCEEDED"][-1] == 10  # the last two end at the very end of the chart
    assert max(counts["RUNNING"]) == 2  # two vCPUs: never more than two at once


@pytest.mark.parametrize("limit", ["-1", "x", "100000"])
def test_timeline_refuses_a_bad_limit(server: ThreadedServer, limit: str) -> None:
    status, body = call_json(server, "GET", f"{DASH}/api/timeline?limit={limit}")
    assert (status, body["__type"]) == (400, "ClientException")
    assert body["message"].startswith("limit must be")


def test_dashboard_url_of_a_threaded_server(server: ThreadedServer) -> None:
    assert server.dashboard_url == server.endpoint_url + DASH


def test_multi_node_jobs_list_their_nodes(server: ThreadedServer) -> None:
    batch = client(server)
    make_env(batch)
    batch.register_job_definition(
        jobDefinitionName="mnp",
        type="multinode",
        nodeProperties={
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
        },
    )
    job_id = batch.submit_job(jobName="mpi", jobQueue="q", jobDefinition="mnp")["jobId"]
    server.mock.run_until_idle()
    queue_arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]

    (row,) = _api(server, "jobs", queue=queue_arn)["jobs"]
    nodes = _api(server, "jobs", parent=job_id)
    node = _api(server, "job", id=f"{job_id}#1")

    assert row["nodeProperties"] == {"numNodes": 3}
    listed = batch.list_jobs(multiNodeJobId=job_id, jobStatus="SUCCEEDED")["jobSummaryList"]
    assert [n["jobId"] for n in nodes["jobs"]] == [f"{job_id}#{i}" for i in range(3)]
    assert sorted(
        (modeled("JobSummary", n) for n in nodes["jobs"]), key=lambda n: n["jobId"]
    ) == sorted(listed, key=lambda n: n["jobId"])
    assert node["parentId"] == job_id
    assert node["job"] == batch.describe_jobs(jobs=[f"{job_id}#1"])["jobs"][0]
    assert node["job"]["nodeDetails"]["nodeIndex"] == 1
    assert _api(server, "job", id=job_id)["children"] == 3


def test_reading_the_dashboard_never_moves_jobs_even_with_auto_advance() -> None:
    with ThreadedServer(auto_advance=True) as server:
        batch = client(server)
        make_env(batch)
        job_id = _submit(batch, "still")
        queue_arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]
        before = server.mock.now_ms()

        for _ in range(5):
            _api(server, "overview")
            _api(server, "jobs", queue=queue_arn)
            _api(server, "job", id=job_id)
            _api(server, "timeline")
            call(server, "GET", DASH)

        assert server.mock.now_ms() == before
        job = server.mock.backend().engine.get(job_id)
        assert job is not None
        assert job.status == "SUBMITTED"
        # a DescribeJobs, by contrast, polls: auto_advance moves the job along
        batch.describe_jobs(jobs=[job_id])
        assert server.mock.now_ms() > before
