"""Requests for moto whose ``Authorization`` no AWS service reads, through the server over
127.0.0.1: AWS's 4xx, never a 500 (``batchmock/server/signature.py``)."""

from __future__ import annotations

import json

import pytest

from batchmock.server import ThreadedServer
from tests.server.helpers import call, client

REQUIRES = (
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'Signature' parameter. "
    "Authorization header requires 'SignedHeaders' parameter."
)
DATE = " Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
DYNAMO = {
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Content-Type": "application/x-amz-json-1.0",
}


def _error(answer: tuple[int, dict[str, str], bytes]) -> tuple[int, str, str]:
    status, headers, body = answer
    assert headers["content-type"] == "application/json"
    decoded = json.loads(body)
    assert set(decoded) == {"__type", "message"}
    assert headers["x-amzn-errortype"] == decoded["__type"]
    return status, decoded["__type"], decoded["message"]


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("POST", "/", {}),
        ("GET", "/", {}),
        ("GET", "/some/path", {}),
        ("PUT", "/a-bucket", {}),
        ("POST", "/", DYNAMO),
        ("POST", "/", {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
@pytest.mark.parametrize("authorization", ["garbage", "Bearer abc.def", "Basic dXNlcjpwdw=="])
def test_an_authorization_no_service_reads_is_an_incomplete_signature(
    server: ThreadedServer, method: str, path: str, extra: dict[str, str], authorization: str
) -> None:
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="kept")
    before = s3.list_buckets()["Buckets"]
    headers = {"Authorization": authorization, **extra}
    body = b"Action=GetCallerIdentity&Version=2011-06-15" if "Content-Type" in extra else b"{}"
    assert _error(call(server, method, path, body, headers)) == (
        400,
        "IncompleteSignatureException",
        f"{REQUIRES}{DATE} Authorization={authorization}",
    )
    # nothing was created or changed by the refused request (PUT /a-bucket made no bucket)
    assert s3.list_buckets()["Buckets"] == before
    assert "kept" in [b["Name"] for b in before]


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (
            "AWS4-HMAC-SHA256 Credential=ABCDEF",
            "Authorization header requires 'Signature' parameter. Authorization header requires "
            "'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF",
        ),
        ("AWS4-HMAC-SHA256", f"{REQUIRES} Authorization=AWS4-HMAC-SHA256"),
        (
            "AWS4-HMAC-SHA256 Credential=AKID /20240101/us-east-1/sts/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "'/20240101/us-east-1/sts/aws4_request' not a valid key=value pair (missing "
            "equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKID "
            "/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=0",
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'garbage'",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws5, "
            "SignedHeaders=host, Signature=0",
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5'.",
        ),
        (
            "AWS4-HMAC-SHA256 Credential=AKID/20240101//sts/aws4_request, "
            "SignedHeaders=host, Signature=0",
            "Credential has an empty element: 'AKID/20240101//sts/aws4_request'.",
        ),
    ],
)
def test_a_sigv4_header_without_its_parts(
    server: ThreadedServer, authorization: str, message: str
) -> None:
    headers = {"Authorization": authorization, "X-Amz-Date": "20240101T000000Z"}
    answer = call(server, "POST", "/", b"Action=GetCallerIdentity", headers)
    assert _error(answer) == (400, "IncompleteSignatureException", message)


def test_an_unsigned_call_of_a_signed_only_api_is_refused(server: ThreadedServer) -> None:
    assert _error(call(server, "POST", "/", b"{}", DYNAMO)) == (
        403,
        "MissingAuthenticationToken",
        "The request must contain either a valid (registered) AWS access key ID or X.509 "
        "certificate.",
    )


def test_an_unsigned_call_moto_routes_by_its_target_still_reaches_moto(
    server: ThreadedServer,
) -> None:
    # Cognito Identity's unauthenticated operations are sent unsigned; moto knows their target
    headers = {
        "X-Amz-Target": "AWSCognitoIdentityService.ListIdentityPools",
        "Content-Type": "application/x-amz-json-1.1",
    }
    status, _, body = call(server, "POST", "/", b'{"MaxResults": 10}', headers)
    assert (status, json.loads(body)) == (200, {"IdentityPools": []})


def test_a_signature_for_a_service_nobody_emulates(server: ThreadedServer) -> None:
    auth = (
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/nosuchservice/aws4_request, "
        "SignedHeaders=host, Signature=0"
    )
    assert _error(call(server, "POST", "/", b"{}", {"Authorization": auth})) == (
        404,
        "UnknownOperationException",
        "No AWS operation answers POST / on this server: the service its signature names is "
        "not emulated.",
    )


def test_what_moto_reads_still_reaches_it(server: ThreadedServer) -> None:
    s3 = client(server, "s3")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"v")
    assert client(server, "sts").get_caller_identity()["Account"] == "123456789012"
    # S3's legacy signature, and anonymous S3 requests, are moto's to answer
    status, _, body = call(server, "GET", "/bkt/k", None, {"Authorization": "AWS AKID:c2ln"})
    assert (status, body) == (200, b"v")
    status, _, body = call(server, "GET", "/missing-bucket")
    assert status == 404
    assert b"<Code>NoSuchBucket</Code>" in body
