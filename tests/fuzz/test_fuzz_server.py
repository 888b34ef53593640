"""Property: whatever reaches a Batch path of ``batchmock server`` over raw HTTP (bodies and
paths generated from the installed botocore model, with wrong types, unknown members, deep junk,
broken JSON and UTF-8, odd Authorization headers and methods), the answer is never a 5xx, an
error is always AWS's JSON shape, and a refused request changes nothing a Describe shows.
"""

from __future__ import annotations

import http.client
import json

from hypothesis import HealthCheck, given, settings

from batchmock.server import ThreadedServer
from tests.fuzz.model_inputs import raw_requests
from tests.fuzz.snapshot import fresh_env, snapshot

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_aws_error(status: int, headers: dict[str, str], body: bytes) -> str:
    """The ``__type`` of an error answer, after checking it is AWS's JSON error shape."""
    assert headers.get("content-type", "").startswith("application/json"), (status, body[:300])
    error = json.loads(body)
    assert set(error) == {"__type", "message"}, error
    assert isinstance(error["message"], str), error
    assert error["message"], error
    assert headers.get("x-amzn-errortype") == error["__type"], (headers, error)
    code: str = error["__type"]
    return code


def test_no_raw_request_gets_a_5xx_or_a_non_json_error() -> None:
    with ThreadedServer(auto_advance=False) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

        @FUZZ
        @given(request=raw_requests())
        def answered_in_aws_shape(request: tuple[str, str, dict[str, str], bytes]) -> None:
            nonlocal conn
            method, path, headers, body = request
            fresh_env(server.mock)
            before = snapshot(server.mock)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            assert response.status < 500, (response.status, answer[:300])
            if response.status >= 400:
                check_aws_error(response.status, got, answer)
                assert snapshot(server.mock) == before, f"a refused {method} {path} changed state"
            else:
                json.loads(answer)

        try:
            answered_in_aws_shape()
        finally:
            conn.close()
