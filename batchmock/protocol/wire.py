"""One request in, one response out: ``handle()`` is shared by the interceptor and the server.

It finds the operation from the method and path, decodes the JSON body and the path and query
members, validates them against the model, calls ``dispatch(operation, params)`` and serializes
what comes back. It knows nothing of jobs or queues.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, unquote

from batchmock.errors import BatchError, ClientException
from batchmock.protocol import body as json_body
from batchmock.protocol import model, serialize
from batchmock.protocol.members import modeled
from batchmock.protocol.validation import validator_for

Dispatch = Callable[[str, dict[str, Any]], dict[str, Any]]


def handle(
    method: str,
    path: str,
    query: str,
    body: bytes | str | None,
    dispatch: Dispatch,
) -> serialize.Response:
    """Answer one Batch API request; modeled errors become AWS-shaped error responses.

    Anything that is not a :class:`~batchmock.errors.BatchError` is a bug in batchmock and is
    left to propagate, so that the caller sees the real traceback.
    """
    try:
        operation, params = parse(method.upper(), path, query, body)
        return serialize.success(dispatch(operation, params))
    except BatchError as exc:
        return serialize.error(
            exc.code, exc.status, exc.message, request_id_tail=exc.request_id_tail
        )


def parse(
    method: str, path: str, query: str, body: bytes | str | None
) -> tuple[str, dict[str, Any]]:
    """The operation name and its validated input members for one request."""
    found = model.route(method, path)
    if found is None:
        raise ClientException(
            f"No Batch operation answers {method} {path}. Batch operations are POST "
            "/v1/<operation name in lower case>, and GET, POST or DELETE /v1/tags/<resource ARN>."
        )
    route, segment = found
    op = route.operation
    params = _decode_body(body)
    if route.path_member is not None and segment is not None:
        params[route.path_member] = unquote(segment)
    if query:
        _merge_query(op, parse_qs(query, keep_blank_values=True), params)
    validator_for(op)(params)
    # Handlers see only what the model defines (unknown members are dropped at every depth, as
    # AWS drops them) and never None inputs (an explicit null means "absent" to AWS).
    return op.name, modeled(op.input_shape, params)


def _decode_body(body: bytes | str | None) -> dict[str, Any]:
    decoded = json_body.decode(body)
    if decoded is None and not body:
        return {}
    if not isinstance(decoded, dict):
        raise ClientException("The request body must be a JSON object.")
    return decoded


def _merge_query(op: Any, query: Mapping[str, list[str]], params: dict[str, Any]) -> None:
    shape = op.input_shape
    if shape is None:
        return
    for name, member in shape.members.items():
        if member.serialization.get("location") != "querystring":
            continue
        values = query.get(member.serialization.get("name", name))
        if values is not None:
            params[name] = values if member.type_name == "list" else values[0]
