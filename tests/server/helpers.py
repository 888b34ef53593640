"""Helpers of the server and client tests: boto3 clients and raw HTTP against a server."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import boto3

from batchmock.server import ThreadedServer

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def client(server: ThreadedServer, service: str = "batch", **kwargs: Any) -> Any:
    """A boto3 client of ``service`` that talks to ``server`` over HTTP."""
    kwargs.setdefault("region_name", "us-east-1")
    for key, value in CREDENTIALS.items():
        kwargs.setdefault(key, value)
    return boto3.client(service, endpoint_url=server.endpoint_url, **kwargs)


def call(
    server: ThreadedServer,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request (bytes sent as they are, anything else as JSON)."""
    parts = urlsplit(server.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def call_json(server: ThreadedServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """A raw request whose answer must be JSON: status and decoded body."""
    status, headers, raw = call(server, method, path, body)
    assert headers["content-type"].startswith("application/json"), (headers, raw[:200])
    return status, json.loads(raw)
