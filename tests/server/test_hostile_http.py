"""Hostile HTTP against ``batchmock server`` (issue 14): every bad request gets AWS's JSON error
shape (never a 5xx, an HTML page or a silent hang-up), and the server keeps answering."""

from __future__ import annotations

import json
import re
import socket
from typing import Any

import pytest

from batchmock.server import ThreadedServer
from tests.fuzz.snapshot import snapshot
from tests.fuzz.test_fuzz_server import check_aws_error
from tests.server.helpers import call, client
from tests.support import make_env

CE_ARN = "arn:aws:batch:us-east-1:123456789012:compute-environment/ce"
QUOTED_CE_ARN = CE_ARN.replace(":", "%3A").replace("/", "%2F")
SCOPE = "AWS4-HMAC-SHA256 Credential=testing/{date}/us-east-1/{service}/aws4_request, " + (
    "SignedHeaders=host, Signature=0"
)


def exchange(server: ThreadedServer, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes on a new connection; the one answer (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            assert chunk, f"the server closed the connection without an answer: {received!r}"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection inside the answer"
            body += chunk
        return status, headers, body


def request(method: str, path: str, body: bytes = b"", *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    if body and not any(h.lower().startswith(("content-length", "transfer")) for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def refused(server: ThreadedServer, data: bytes, status: int = 400) -> str:
    """Send ``data``: the answer must be ``status`` in AWS's JSON error shape; its message."""
    got, headers, body = exchange(server, data)
    assert got == status, (got, body[:300])
    assert check_aws_error(got, headers, body) == "ClientException"
    message: str = json.loads(body)["message"]
    return message


DEEP_LIST = b"[" * 100_000
DEEP_OBJECT = b'{"a":' * 500 + b"1" + b"}" * 500

# Every malformed request of issue 14 with a words of the answer (all 400 ClientException).
MALFORMED: dict[str, tuple[bytes, str]] = {
    "1: 100,000 [ to DescribeJobs": (
        request("POST", "/v1/describejobs", DEEP_LIST),
        "more than 100 levels deep",
    ),
    "1: 100,000 [ to the control API's advance": (
        request("POST", "/_batchmock/advance", DEEP_LIST),
        "advance: The request body nests arrays and objects more than 100 levels deep",
    ),
    "1: 100,000 [ to the control API's outcomes": (
        request("POST", "/_batchmock/outcomes", DEEP_LIST),
        "outcomes: The request body nests arrays and objects more than 100 levels deep",
    ),
    "2: 500 nested objects": (
        request("POST", "/v1/describecomputeenvironments", DEEP_OBJECT),
        "more than 100 levels deep",
    ),
    "2: junk nested 500 deep in ecsPropertiesOverride": (
        request(
            "POST",
            "/v1/submitjob",
            b'{"jobName":"j","jobQueue":"q","jobDefinition":"jd","ecsPropertiesOverride":'
            + DEEP_OBJECT
            + b"}",
        ),
        "more than 100 levels deep",
    ),
    "4: a lone surrogate in SubmitJob": (
        request(
            "POST", "/v1/submitjob", b'{"jobName":"\\ud800","jobQueue":"q","jobDefinition":"jd"}'
        ),
        "Value '\\ud800' at 'jobName' failed to satisfy constraint: Member must be valid Unicode",
    ),
    "4: UTF-8 of a surrogate in SubmitJob": (
        request("POST", "/v1/submitjob", b'{"jobName":"\xed\xa0\x80"}'),
        "not valid UTF-8",
    ),
    "7: a truncated ARN": (request("POST", "/v1/tags/arn%3Aaws%3A", b"{}"), "tags"),
    "7: POST *": (request("POST", "*", b"{}"), "The request target '*' is not a path"),
    "8: a request line over 64 KiB": (
        request("GET", "/v1/" + "a" * 70_000),
        "The request line is longer than 65536 bytes.",
    ),
    "10: Content-Length -1": (
        request("POST", "/v1/describejobqueues", b"", "Content-Length: -1"),
        "Content-Length '-1' is not a non-negative decimal integer",
    ),
    "10: Content-Length abc": (
        request("POST", "/v1/describejobqueues", b"", "Content-Length: abc"),
        "Content-Length 'abc' is not a non-negative decimal integer",
    ),
    "10: two Content-Length values": (
        request("POST", "/v1/describejobqueues", b"{}", "Content-Length: 2", "Content-Length: 3"),
        "2 different Content-Length headers",
    ),
    "10: a bad chunk size": (
        request(
            "POST",
            "/v1/describejobqueues",
            b"zz\r\n{}\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked",
        ),
        "Invalid chunk header",
    ),
    "10: a header line without a colon": (
        request("POST", "/v1/describejobqueues", b"{}", "bogus header", "Content-Length: 2"),
        "A request header line has no colon: 'bogus header",
    ),
    "10: a bad HTTP version": (
        b"POST /v1/describejobqueues HTTP/9.9\r\nHost: x\r\n\r\n",
        "Invalid HTTP version",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_each_malformed_request_is_answered_in_aws_shape_and_the_server_stays_up(
    server: ThreadedServer, case: str
) -> None:
    make_env(client(server))
    before = snapshot(server.mock)
    data, words = MALFORMED[case]
    assert words in refused(server, data)
    assert snapshot(server.mock) == before
    # the next, normal request is answered (on a new connection, and through boto3)
    status, _, body = exchange(server, request("POST", "/v1/describejobqueues", b"{}"))
    assert (status, [q["jobQueueName"] for q in json.loads(body)["jobQueues"]]) == (200, ["q"])
    assert client(server).describe_compute_environments()["computeEnvironments"]


# -- item 6: a Batch path is a Batch request whatever its Authorization says ----------------------
@pytest.mark.parametrize(
    "authorization",
    [
        "garbage",
        "AWS4-HMAC-SHA256",
        "Bearer abc",
        SCOPE.format(date="2024-01-01", service="batch"),
        SCOPE.format(date="20240101", service="kafka"),
    ],
)
def test_a_batch_path_is_answered_by_batch_whatever_the_authorization(
    server: ThreadedServer, authorization: str
) -> None:
    make_env(client(server))
    auth = {"Authorization": authorization}
    status, _, body = call(server, "POST", f"/v1/tags/{QUOTED_CE_ARN}", {"tags": {"k": "v"}}, auth)
    assert (status, body) == (200, b"{}")
    status, _, body = call(server, "GET", f"/v1/tags/{QUOTED_CE_ARN}", None, auth)
    assert (status, json.loads(body)) == (200, {"tags": {"k": "v"}})
    status, _, body = call(server, "POST", "/v1/describejobqueues", {}, auth)
    assert status == 200
    assert json.loads(body)["jobQueues"][0]["jobQueueName"] == "q"


# -- item 9: numbers of the control API ------------------------------------------------------------
@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ([{"duration": 1e308}], "outcomes[0].duration must be a number of seconds from 0 to"),
        ([{"exitCode": 99999999999999999999}], "outcomes[0].exitCode must be an integer from 0"),
        ([{"exitCode": 256}], "from 0 to 255, got 256"),
    ],
)
def test_outcome_numbers_out_of_bounds_are_refused_over_http(
    server: ThreadedServer, rules: Any, words: str
) -> None:
    good = [{"match": {"jobName": "a"}, "exitCode": 3, "duration": 60}]
    assert call(server, "POST", "/_batchmock/outcomes", good)[0] == 200
    assert words in refused(
        server, request("POST", "/_batchmock/outcomes", json.dumps(rules).encode())
    )
    status, _, body = call(server, "GET", "/_batchmock/outcomes")
    assert (status, json.loads(body)) == (200, good)
    # the mock still runs jobs to the end
    batch = client(server)
    make_env(batch)
    job_id = batch.submit_job(jobName="a", jobQueue="q", jobDefinition="jd")["jobId"]
    assert call(server, "POST", "/_batchmock/run-until-idle", {})[0] == 200
    job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    assert (job["status"], job["container"]["exitCode"]) == ("FAILED", 3)
    assert job["stoppedAt"] - job["startedAt"] == 60_000


def test_an_advance_out_of_bounds_leaves_the_clock_where_it_was(server: ThreadedServer) -> None:
    before = json.loads(call(server, "GET", "/_batchmock/state")[2])
    now = server.mock.runtime.clock.now()
    for body in (b'{"seconds": 1e306}', b'{"seconds": ' + b"9" * 400 + b"}"):
        assert "seconds must be a number from 0 to" in refused(
            server, request("POST", "/_batchmock/advance", body)
        )
    assert server.mock.runtime.clock.now() == now
    assert json.loads(call(server, "GET", "/_batchmock/state")[2]) == before


# -- item 11: unknown members are dropped at every depth ------------------------------------------
def _post(server: ThreadedServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    status, _, answer = call(server, "POST", path, body)
    assert status == 200, answer
    result: dict[str, Any] = json.loads(answer)
    return result


def test_unknown_members_nested_in_structures_are_not_stored(server: ThreadedServer) -> None:
    _post(
        server,
        "/v1/createcomputeenvironment",
        {
            "computeEnvironmentName": "ce",
            "type": "MANAGED",
            "computeResources": {
                "type": "FARGATE",
                "maxvCpus": 4,
                "subnets": ["subnet-1"],
                "securityGroupIds": ["sg-1"],
                "zzUnknown": {"deep": [1]},
            },
            "zzTop": 1,
        },
    )
    _post(
        server,
        "/v1/registerjobdefinition",
        {
            "jobDefinitionName": "jd",
            "type": "container",
            "containerProperties": {
                "image": "busybox",
                "zzUnknown": "x",
                "resourceRequirements": [
                    {"type": "VCPU", "value": "1", "zzUnknown": 1},
                    {"type": "MEMORY", "value": "512"},
                ],
            },
            "retryStrategy": {"attempts": 2, "zzUnknown": True},
        },
    )
    _post(
        server,
        "/v1/createserviceenvironment",
        {
            "serviceEnvironmentName": "se",
            "serviceEnvironmentType": "SAGEMAKER_TRAINING",
            "capacityLimits": [
                {"maxCapacity": 5, "capacityUnit": "NUM_INSTANCES", "zzUnknown": [1, 2]}
            ],
        },
    )
    shown = json.dumps(
        [
            _post(server, "/v1/describecomputeenvironments", {}),
            _post(server, "/v1/describejobdefinitions", {}),
            _post(server, "/v1/describeserviceenvironments", {}),
        ]
    )
    assert "zz" not in shown
    found = re.findall(
        r'"(computeResources|containerProperties|retryStrategy|capacityLimits)"', shown
    )
    assert sorted(set(found)) == [
        "capacityLimits",
        "computeResources",
        "containerProperties",
        "retryStrategy",
    ]
