"""The control API under ``/_batchmock/``: what a test does to an in-process mock, over HTTP.

``POST reset``, ``POST advance`` ``{"seconds": n}``, ``POST run-until-idle`` (answers the jobs
left, as ``run_until_idle()`` returns them), ``POST outcomes``
(a JSON list of rules, replacing the current ones), ``GET outcomes`` and ``GET state``. Bad input
is a 400 ``ClientException`` naming the member and the rule; nothing changes when it is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable

from batchmock.errors import BatchError, ClientException
from batchmock.protocol import body as json_body
from batchmock.protocol import serialize
from batchmock.pruned import prune
from batchmock.server._wsgi import json_response

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend
    from batchmock.mock import BatchMock

PREFIX = "/_batchmock/"

Endpoint = Callable[["BatchMock", bytes], serialize.Response]


def handle(mock: BatchMock, method: str, path: str, body: bytes) -> serialize.Response:
    """Answer one control request (``path`` starts with ``/_batchmock``)."""
    name = path[len(PREFIX) :].strip("/") if path.startswith(PREFIX) else ""
    methods = _ENDPOINTS.get(name)
    if methods is None:
        listing = ", ".join(f"{m} {PREFIX}{n}" for n, table in _ENDPOINTS.items() for m in table)
        return serialize.error(
            "UnknownOperationException",
            404,
            f"No control endpoint {path}. Control endpoints: {listing}.",
        )
    endpoint = methods.get(method.upper())
    if endpoint is None:
        status, headers, payload = serialize.error(
            "MethodNotAllowedException",
            405,
            f"{method.upper()} is not allowed on {path}; allowed: {', '.join(methods)}.",
        )
        headers["Allow"] = ", ".join(methods)
        return status, headers, payload
    if not mock.active:
        return serialize.error(
            "ServerException", 500, "The mock behind this server is no longer active."
        )
    try:
        return endpoint(mock, body)
    except BatchError as exc:
        return serialize.error(exc.code, exc.status, exc.message)
    except (ValueError, TypeError) as exc:
        # The controller refuses what it cannot do (e.g. advancing a real clock).
        return serialize.error("ClientException", 400, str(exc))


# -- endpoints -----------------------------------------------------------------------------------
def _reset(mock: BatchMock, body: bytes) -> serialize.Response:
    mock.reset()
    return json_response(200, {"reset": True})


def _advance(mock: BatchMock, body: bytes) -> serialize.Response:
    request = _json_object(body, "advance")
    if "seconds" not in request:
        raise ClientException('advance: member "seconds" is required, e.g. {"seconds": 30}')
    unknown = sorted(set(request) - {"seconds"})
    if unknown:
        raise ClientException(f"advance: unknown member(s) {', '.join(unknown)}; only seconds")
    seconds = request["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ClientException(f"advance: seconds must be a number, got {json.dumps(seconds)}")
    if mock.options.clock != "virtual":
        # On the real clock advancing means waiting: a request that sleeps is never wanted.
        raise ClientException(
            f"advance: this server runs on the {mock.options.clock} clock, which only the wall "
            "clock moves; start it with --clock virtual to drive time with advance"
        )
    try:
        mock.advance(seconds)  # the clock refuses what it cannot reach, before moving at all
    except ValueError as exc:
        raise ClientException(f"advance: {exc}") from None
    return json_response(200, {"advanced": seconds})


def _run_until_idle(mock: BatchMock, body: bytes) -> serialize.Response:
    try:
        unfinished = mock.run_until_idle()
    except RuntimeError as exc:  # a job that never ends: the client's script, not a fault
        raise ClientException(f"run-until-idle: {exc}") from None
    return json_response(200, {"idle": True, "unfinishedJobs": [j.to_json() for j in unfinished]})


def _set_outcomes(mock: BatchMock, body: bytes) -> serialize.Response:
    rules = _json(body, "outcomes")
    if not isinstance(rules, list):
        raise ClientException(
            f"outcomes: the body must be a JSON list of outcome rules, got {_kind(rules)}"
        )
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise ClientException(f"outcomes[{i}] must be a JSON object, got {_kind(rule)}")
    mock.set_outcomes(rules)
    return json_response(200, mock.get_outcomes())


def _get_outcomes(mock: BatchMock, body: bytes) -> serialize.Response:
    return json_response(200, mock.get_outcomes())


def _state(mock: BatchMock, body: bytes) -> serialize.Response:
    return json_response(200, state(mock))


_ENDPOINTS: Mapping[str, Mapping[str, Endpoint]] = {
    "reset": {"POST": _reset},
    "advance": {"POST": _advance},
    "run-until-idle": {"POST": _run_until_idle},
    "outcomes": {"GET": _get_outcomes, "POST": _set_outcomes},
    "state": {"GET": _state},
}


# -- state -----------------------------------------------------------------------------------
def state(mock: BatchMock) -> dict[str, Any]:
    """Every account's and region's compute environments, job queues and jobs, as JSON values.

    Jobs are the ones ListJobs shows (array children and multi-node nodes are inside their
    parent's summary), rendered as DescribeJobs renders them; reading the state never moves
    the clock.
    """
    accounts: dict[str, dict[str, Any]] = {}
    for backend in mock.backends():
        with backend.lock:
            accounts.setdefault(backend.account_id, {})[backend.region] = _backend_state(backend)
    return {"accounts": accounts}


def _backend_state(backend: BatchBackend) -> dict[str, Any]:
    return {
        "computeEnvironments": [
            prune(ce.describe()) for ce in backend.compute_environments.values()
        ],
        "jobQueues": [prune(q.describe()) for q in backend.job_queues.values()],
        "jobs": [prune(detail) for detail in _job_details(backend)],
    }


def _job_details(backend: BatchBackend) -> list[dict[str, Any]]:
    from batchmock.backend.jobs.job_views import job_detail

    return [job_detail(job) for job in backend.engine.jobs() if not job.is_child]


# -- request bodies --------------------------------------------------------------------------
def _json(body: bytes, endpoint: str) -> Any:
    if not body.strip():
        raise ClientException(f"{endpoint}: the request body is empty; it must be JSON")
    try:
        return json_body.decode(body)  # the Batch API's decoder: same depth and text rules
    except ClientException as exc:
        raise ClientException(f"{endpoint}: {exc.message}") from None


def _json_object(body: bytes, endpoint: str) -> dict[str, Any]:
    value = _json(body, endpoint)
    if not isinstance(value, dict):
        raise ClientException(f"{endpoint}: the body must be a JSON object, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
