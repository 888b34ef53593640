"""The wire protocol: routing, decoding, error shape, and absent members left out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from batchmock import BatchMock
from batchmock.protocol import wire
from tests.support import documented_number


def _dispatch_echo(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": {"op": operation, **{k: str(v) for k, v in params.items()}}}


def test_route_decodes_the_percent_encoded_arn_in_the_path() -> None:
    arn = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    status, _, body = wire.handle(
        "GET",
        "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq",
        "",
        b"",
        _dispatch_echo,
    )
    assert status == 200
    assert json.loads(body)["tags"] == {"op": "ListTagsForResource", "resourceArn": arn}


def test_repeated_tag_keys_query_parameter_becomes_a_list() -> None:
    seen: dict[str, Any] = {}

    def dispatch(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        seen.update(params, operation=operation)
        return {}

    status, _, body = wire.handle(
        "DELETE",
        "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A1%3Ajob%2Fx",
        "tagKeys=a&tagKeys=b",
        None,
        dispatch,
    )
    assert (status, body) == (200, b"{}")
    assert seen["operation"] == "UntagResource"
    assert seen["tagKeys"] == ["a", "b"]


def test_absent_members_are_left_out_never_null() -> None:
    status, _, body = wire.handle(
        "POST",
        "/v1/describejobs",
        "",
        b'{"jobs": ["a"]}',
        lambda op, p: {"jobs": [{"jobId": "a", "stoppedAt": None, "attempts": []}]},
    )
    assert status == 200
    assert json.loads(body) == {"jobs": [{"jobId": "a", "attempts": []}]}


@pytest.mark.parametrize(
    ("method", "path", "body", "fragment"),
    [
        (
            "POST",
            "/v1/nosuchoperation",
            b"{}",
            "No Batch operation answers POST /v1/nosuchoperation",
        ),
        ("GET", "/v1/submitjob", b"", "No Batch operation answers GET /v1/submitjob"),
        ("POST", "/v1/describejobs", b"{not json", "not valid JSON"),
        ("POST", "/v1/describejobs", b"[1, 2]", "must be a JSON object"),
    ],
)
def test_bad_requests_get_a_client_exception_in_aws_shape(
    method: str, path: str, body: bytes, fragment: str
) -> None:
    status, headers, raw = wire.handle(method, path, "", body, _dispatch_echo)
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "ClientException"
    assert headers["x-amzn-RequestId"]
    decoded = json.loads(raw)
    assert decoded["__type"] == "ClientException"
    assert fragment in decoded["message"]


def test_model_validation_runs_before_the_backend(mock: BatchMock) -> None:
    calls: list[str] = []
    status, _, raw = wire.handle(
        "POST",
        "/v1/submitjob",
        "",
        b'{"jobName": "j"}',
        lambda op, p: calls.append(op) or {},
    )
    assert status == 400
    assert calls == []
    assert "jobQueue" in json.loads(raw)["message"]


DESCRIBE_LIMIT = documented_number("DescribeJobs", "jobs")


def test_client_sees_client_exception_with_the_message(batch: Any) -> None:
    with pytest.raises(batch.exceptions.ClientException) as caught:
        batch.describe_jobs(jobs=[f"id-{i}" for i in range(DESCRIBE_LIMIT + 1)])
    assert caught.value.response["Error"]["Code"] == "ClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert str(DESCRIBE_LIMIT) in caught.value.response["Error"]["Message"]
