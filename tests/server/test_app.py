"""The server app through boto3 and raw HTTP: Batch signed and unsigned, errors, moto alongside."""

from __future__ import annotations

import http.client
import json
import logging
import time
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from botocore import UNSIGNED
from botocore.config import Config

from batchmock.server import ThreadedServer
from batchmock.server.app import is_batch_request
from tests.server.helpers import call, call_json, client
from tests.support import make_ce, make_job_definition, make_queue

SIGNED_BATCH = (
    "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/batch/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _assert_json_error(status: int, headers: dict[str, str], body: bytes, code: str) -> Any:
    assert headers["content-type"] == "application/json"
    assert headers["x-amzn-errortype"] == code
    assert b"<html" not in body.lower()
    decoded = json.loads(body)
    assert decoded["__type"] == code
    return decoded


# -- Batch through boto3 ------------------------------------------------------------------------
def test_boto3_signed_client_runs_a_job_through_the_server(server: ThreadedServer) -> None:
    batch = client(server)
    make_ce(batch)
    make_queue(batch)
    make_job_definition(batch)
    job_id = batch.submit_job(jobName="hello", jobQueue="q", jobDefinition="jd")["jobId"]

    server.mock.run_until_idle()

    (job,) = batch.describe_jobs(jobs=[job_id])["jobs"]
    assert (job["jobName"], job["status"]) == ("hello", "SUCCEEDED")
    queue_arn = batch.describe_job_queues()["jobQueues"][0]["jobQueueArn"]
    assert queue_arn == "arn:aws:batch:us-east-1:123456789012:job-queue/q"


def test_region_comes_from_the_signature_and_account_from_a_numeric_key(
    server: ThreadedServer,
) -> None:
    make_ce(client(server, region_name="eu-west-1"), name="in-eu")
    make_ce(client(server, aws_access_key_id="111122223333"), name="in-other-account")

    where = {(b.account_id, b.region): list(b.compute_environments) for b in server.mock.backends()}
    assert where == {
        ("123456789012", "eu-west-1"): ["in-eu"],
        ("111122223333", "us-east-1"): ["in-other-account"],
    }
    assert client(server).describe_compute_environments()["computeEnvironments"] == []


def test_unsigned_boto3_client_is_served_in_the_default_region(server: ThreadedServer) -> None:
    anonymous = client(server, config=Config(signature_version=UNSIGNED))
    arn = make_ce(anonymous, name="anon")
    assert arn == "arn:aws:batch:us-east-1:123456789012:compute-environment/anon"
    names = [
        ce["computeEnvironmentName"]
        for ce in client(server).describe_compute_environments()["computeEnvironments"]
    ]
    assert names == ["anon"]


def test_boto3_gets_a_typed_client_exception_for_bad_input(server: ThreadedServer) -> None:
    batch = client(server)
    with pytest.raises(batch.exceptions.ClientException) as raised:
        batch.create_job_queue(
            jobQueueName="q",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "missing"}],
        )
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "missing" in raised.value.response["Error"]["Message"]
    assert batch.describe_job_queues()["jobQueues"] == []


def test_tag_operations_carry_the_arn_in_the_path(server: ThreadedServer) -> None:
    batch = client(server)
    arn = make_ce(batch)
    batch.tag_resource(resourceArn=arn, tags={"team": "a", "env": "test"})
    batch.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}


# -- Batch through raw HTTP ---------------------------------------------------------------------
def test_raw_unsigned_request_is_answered_with_json(server: ThreadedServer) -> None:
    make_ce(client(server), name="raw")
    status, body = call_json(server, "POST", "/v1/describecomputeenvironments", {})
    assert status == 200
    assert [ce["computeEnvironmentName"] for ce in body["computeEnvironments"]] == ["raw"]


def test_raw_tags_request_with_an_encoded_arn(server: ThreadedServer) -> None:
    batch = client(server)
    arn = make_ce(batch)
    batch.tag_resource(resourceArn=arn, tags={"k": "v"})
    status, body = call_json(server, "GET", "/v1/tags/" + quote(arn, safe=""))
    assert (status, body) == (200, {"tags": {"k": "v"}})


def test_unknown_batch_path_is_a_json_404(server: ThreadedServer) -> None:
    status, headers, body = call(server, "POST", "/v1/describeeverything", {})
    assert status == 404
    message = _assert_json_error(status, headers, body, "UnknownOperationException")["message"]
    assert "/v1/describeeverything" in message


def test_signed_batch_request_to_an_unknown_path_is_a_json_404(server: ThreadedServer) -> None:
    status, headers, body = call(server, "GET", "/nowhere", headers={"Authorization": SIGNED_BATCH})
    assert status == 404
    _assert_json_error(status, headers, body, "UnknownOperationException")


def test_wrong_method_is_a_json_405_with_allow(server: ThreadedServer) -> None:
    status, headers, body = call(server, "GET", "/v1/describejobqueues")
    assert status == 405
    assert headers["allow"] == "POST"
    message = _assert_json_error(status, headers, body, "MethodNotAllowedException")["message"]
    assert "GET" in message


def test_bad_json_body_is_a_client_exception(server: ThreadedServer) -> None:
    status, headers, body = call(server, "POST", "/v1/createcomputeenvironment", b"{not json")
    assert status == 400
    assert (
        "not valid JSON" in _assert_json_error(status, headers, body, "ClientException")["message"]
    )
    assert server.mock.backend().compute_environments == {}


def test_an_exception_inside_batchmock_is_a_json_500_without_traceback(
    server: ThreadedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(server.mock, "handle", broken)
    with caplog.at_level(logging.ERROR, logger="batchmock.server"):
        status, headers, body = call(server, "POST", "/v1/describejobqueues", {})
    assert status == 500
    _assert_json_error(status, headers, body, "ServerException")
    assert b"secret internal detail" not in body
    assert b"Traceback" not in body
    assert "secret internal detail" in caplog.text


def test_chunked_request_body_is_read_whole(server: ThreadedServer) -> None:
    parts = urlsplit(server.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    body = json.dumps({"computeEnvironmentName": "chunked", "type": "UNMANAGED"}).encode()
    conn.request(
        "POST",
        "/v1/createcomputeenvironment",
        body=iter([body[:10], body[10:]]),
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert response.status == 200, response.read()
    assert json.loads(response.read())["computeEnvironmentName"] == "chunked"
    conn.close()


def test_a_connection_carries_several_requests(server: ThreadedServer) -> None:
    parts = urlsplit(server.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        for name in ("first", "second", "third"):
            payload = json.dumps({"computeEnvironmentName": name, "type": "UNMANAGED"})
            conn.request("POST", "/v1/createcomputeenvironment", body=payload)
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("Connection") == "keep-alive"
            response.read()
        conn.request("POST", "/v1/describejobqueues", body="{}", headers={"Connection": "close"})
        response = conn.getresponse()
        assert response.getheader("Connection") == "close"
        response.read()
    finally:
        conn.close()
    assert list(server.mock.backend().compute_environments) == ["first", "second", "third"]


# -- which requests are Batch's -----------------------------------------------------------------
def _environ(path: str, host: str = "127.0.0.1:7660", auth: str | None = None) -> dict[str, Any]:
    environ = {"REQUEST_METHOD": "GET", "HTTP_HOST": host, "QUERY_STRING": ""}
    if auth:
        environ["HTTP_AUTHORIZATION"] = auth
    return environ


@pytest.mark.parametrize(
    ("path", "host", "auth", "expected"),
    [
        ("/v1/describejobs", "127.0.0.1:7660", SIGNED_BATCH, True),
        (
            "/v1/tags/arn%3Aaws%3Akafka%3Aus-east-1%3A1%3Acluster%2Fc",
            "127.0.0.1:1",
            SIGNED_BATCH.replace("/batch/", "/kafka/"),
            False,
        ),
        ("/", "127.0.0.1:1", SIGNED_BATCH.replace("/batch/", "/logs/"), False),
        ("/anything", "batch.eu-west-1.amazonaws.com", None, True),
        ("/v1/describejobs", "127.0.0.1:1", None, True),
        ("/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A1%3Ajob%2Fx", "127.0.0.1:1", None, True),
        # unsigned, moto could only take it for S3: Batch answers (a JSON ClientException)
        ("/v1/tags/arn%3Aaws%3Akafka%3Aus-east-1%3A1%3Acluster%2Fc", "127.0.0.1:1", None, True),
        ("/v1/tags/arn%3Aaws%3A", "127.0.0.1:1", None, True),
        ("/my-bucket/key", "127.0.0.1:1", None, False),
        # a Batch path is Batch's whatever its Authorization says (issue 14, item 6)
        ("/v1/describejobs", "127.0.0.1:1", "garbage", True),
        ("/v1/describejobs", "127.0.0.1:1", "AWS4-HMAC-SHA256", True),
        ("/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A1%3Ajob%2Fx", "127.0.0.1:1", "Bearer abc", True),
        (
            "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A1%3Ajob%2Fx",
            "127.0.0.1:1",
            SIGNED_BATCH.replace("/20240101/", "/2024-01-01/"),
            True,
        ),
        ("/v1/describejobs", "127.0.0.1:1", SIGNED_BATCH.replace("/batch/", "/kafka/"), True),
    ],
)
def test_which_requests_are_batch_requests(
    path: str, host: str, auth: str | None, expected: bool
) -> None:
    assert is_batch_request(_environ(path, host, auth), path) is expected


# -- every other service from moto, on the same port --------------------------------------------
def test_s3_is_answered_by_moto_on_the_same_port(server: ThreadedServer) -> None:
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="results-bucket")
    s3.put_object(Bucket="results-bucket", Key="out.txt", Body=b"done")
    assert s3.get_object(Bucket="results-bucket", Key="out.txt")["Body"].read() == b"done"
    assert s3.head_object(Bucket="results-bucket", Key="out.txt")["ContentLength"] == 4
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="results-bucket", Key="missing.txt")


def test_cloudwatch_logs_is_answered_by_moto_on_the_same_port(server: ThreadedServer) -> None:
    logs = client(server, "logs")
    logs.create_log_group(logGroupName="/server-test/group")
    logs.create_log_stream(logGroupName="/server-test/group", logStreamName="s")
    logs.put_log_events(
        logGroupName="/server-test/group",
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": "line one"}],
    )
    events = logs.get_log_events(logGroupName="/server-test/group", logStreamName="s")["events"]
    assert [e["message"] for e in events] == ["line one"]
    logs.delete_log_group(logGroupName="/server-test/group")


def test_another_service_with_a_v1_tags_path_is_not_taken_for_batch(
    server: ThreadedServer,
) -> None:
    kafka = client(server, "kafka")
    arn = "arn:aws:kafka:us-east-1:123456789012:cluster/c/11111111-2222-3333-4444-555555555555-1"
    assert kafka.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}


def test_moto_html_errors_become_json(server: ThreadedServer) -> None:
    auth = SIGNED_BATCH.replace("/batch/", "/logs/")
    status, headers, body = call(server, "GET", "/no/such/path", headers={"Authorization": auth})
    assert status == 404
    _assert_json_error(status, headers, body, "UnknownOperationException")


def test_job_logs_are_read_through_cloudwatch_logs_on_the_same_port(
    server: ThreadedServer,
) -> None:
    server.mock.set_outcomes([{"match": {"jobName": "talker"}, "logs": ["hello", "world"]}])
    batch = client(server)
    make_ce(batch)
    make_queue(batch)
    make_job_definition(batch)
    job_id = batch.submit_job(jobName="talker", jobQueue="q", jobDefinition="jd")["jobId"]
    server.mock.run_until_idle()
    (job,) = batch.describe_jobs(jobs=[job_id])["jobs"]

    events = client(server, "logs").get_log_events(
        logGroupName="/aws/batch/job", logStreamName=job["container"]["logStreamName"]
    )["events"]

    assert [event["message"] for event in events] == ["hello", "world"]
