"""Responses on the wire: JSON bodies with absent members left out, and AWS's error shape."""

from __future__ import annotations

import json
import uuid
from typing import Any

from batchmock.pruned import prune

Response = tuple[int, dict[str, str], bytes]

# check_circular off: results are trees built per request (a cycle would still fail, as a
# RecursionError), and the check costs a tenth of the encoding of 100 JobDetails.
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False).encode
_dumps_ascii = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=True, check_circular=False
).encode


def encode(value: Any) -> bytes:
    """``value`` as UTF-8 JSON; never fails on text UTF-8 cannot encode.

    Requests cannot store such text (``protocol.body`` refuses it), but a Python caller can
    (an outcome's reason, a log line): a lone surrogate then goes out as its JSON escape
    ``\\udXXX``, which every JSON parser reads back as the same string.
    """
    text = _dumps(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _dumps_ascii(value).encode("ascii")


def success(result: dict[str, Any]) -> Response:
    """HTTP 200 with the operation's output members as JSON."""
    body = encode(prune(result))
    return 200, _headers(), body


def error(code: str, status: int, message: str, *, request_id_tail: bool = False) -> Response:
    """An error the way every SDK parses it: header ``x-amzn-ErrorType`` and a JSON body.

    ``request_id_tail`` ends the message with ``, RequestId: <id>``, the response's own
    ``x-amzn-RequestId`` (AWS's ``Error executing request`` family, reference §2.5).
    """
    headers = _headers()
    headers["x-amzn-ErrorType"] = code
    if request_id_tail:
        message = f"{message}, RequestId: {headers['x-amzn-RequestId']}"
    body = encode({"__type": code, "message": message})
    return status, headers, body


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
