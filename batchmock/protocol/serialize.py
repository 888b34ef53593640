"""Responses on the wire: JSON bodies with absent members left out, and AWS's error shape."""

from __future__ import annotations

import json
import uuid
from typing import Any

Response = tuple[int, dict[str, str], bytes]

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def prune(value: Any) -> Any:
    """A copy of ``value`` without ``None`` members (absent members are left out, never null)."""
    if isinstance(value, dict):
        return {k: prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune(v) for v in value if v is not None]
    return value


def success(result: dict[str, Any]) -> Response:
    """HTTP 200 with the operation's output members as JSON."""
    body = _dumps(prune(result)).encode("utf-8")
    return 200, _headers(), body


def error(code: str, status: int, message: str) -> Response:
    """An error the way every SDK parses it: header ``x-amzn-ErrorType`` and a JSON body."""
    headers = _headers()
    headers["x-amzn-ErrorType"] = code
    body = _dumps({"__type": code, "message": message}).encode("utf-8")
    return status, headers, body


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
