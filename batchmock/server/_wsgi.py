"""Small WSGI helpers shared by the server app and the control API."""

from __future__ import annotations

import json
from typing import Any, Callable
from urllib.parse import quote, urlsplit

from werkzeug.http import HTTP_STATUS_CODES

from batchmock.protocol import serialize

TAGS_PREFIX = "/v1/tags/"

INTERNAL_ERROR = "An internal error occurred in batchmock; the server log has the details."
JSON_500: tuple[str, list[tuple[str, str]], list[bytes]] = (
    "500 Internal Server Error",
    [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ServerException")],
    [json.dumps({"__type": "ServerException", "message": INTERNAL_ERROR}).encode("utf-8")],
)
"""The answer when the app itself fails (AWS's error shape, never a traceback)."""


def raw_path(environ: dict[str, Any]) -> str:
    """The request path as sent (still percent-encoded: an ARN's ``/`` stays ``%2F``)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        if not raw.startswith("/"):
            raw = urlsplit(raw).path or "/"  # absolute-form request target
        path: str = raw.split("?", 1)[0]
        return path
    path = environ.get("PATH_INFO", "") or "/"
    if path.startswith(TAGS_PREFIX):
        # Without the raw URI the ARN's slashes are decoded: it is the whole rest of the path.
        return TAGS_PREFIX + quote(path[len(TAGS_PREFIX) :], safe=":")
    return quote(path, safe="/:")


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body (read once; later calls get what the first one read)."""
    cached = environ.get("batchmock.body")
    if cached is not None:
        body: bytes = cached
        return body
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH")
    body = b""
    if stream is not None and length:
        try:
            size = int(length)
        except ValueError:
            size = 0
        if size > 0:
            body = stream.read(size)
    elif stream is not None and environ.get("wsgi.input_terminated"):
        body = stream.read()  # chunked request: the server ends the stream for us
    environ["batchmock.body"] = body
    return body


def respond(
    start_response: Callable[..., Any], status: int, headers: dict[str, str], body: bytes
) -> list[bytes]:
    """Send a complete response with its Content-Length."""
    reason = HTTP_STATUS_CODES.get(status, "Unknown")
    header_list = [(k, v) for k, v in headers.items() if k.lower() != "content-length"]
    header_list.append(("Content-Length", str(len(body))))
    start_response(f"{status} {reason}", header_list)
    return [body]


def json_response(status: int, value: Any) -> serialize.Response:
    """``value`` as a JSON body, with the headers of every answer of this server."""
    _, headers, _ = serialize.success({})
    return status, headers, json.dumps(value, separators=(",", ":")).encode("utf-8")
