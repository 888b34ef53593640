"""The dashboard under ``/_batchmock/dashboard``: a page, its assets, and the JSON it polls.

``GET /_batchmock/dashboard`` is a static page (``dashboard_assets/``, shipped in the package:
nothing is fetched from elsewhere) whose script polls the JSON endpoints below and builds the
DOM with ``textContent`` only, so what requests wrote (names, reasons, log lines) shows as text.
The endpoints read through ``batchmock.observe`` (the read paths of ``GET /_batchmock/state``)
and render one page of jobs at a time; the buttons post to the control API.

- ``api/overview``: clock, totals, compute environments and job queues with their counters;
- ``api/jobs?queue=ARN|parent=ID&status=&name=&offset=&limit=``: a page of jobs;
- ``api/job?id=ID``: one job as DescribeJobs shows it, its status history and log lines;
- ``api/timeline?queue=ARN&limit=N``: the Gantt chart's rows (aggregated past ``limit``).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs

from batchmock._version import __version__
from batchmock.engine.states import STATUSES
from batchmock.errors import ClientException
from batchmock.observe import timeline, views
from batchmock.protocol import serialize

if TYPE_CHECKING:
    from batchmock.mock import BatchMock

PATH = "/_batchmock/dashboard"
"""Where the page is served (the server's startup line prints it)."""

_ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
_SECURITY = {
    # The page runs only its own script: even a value that slipped into the markup could not run.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_MAX_TIMELINE = 2000

Query = dict[str, list[str]]


def owns(path: str) -> bool:
    """True for the dashboard's paths."""
    return path == PATH or path.startswith(PATH + "/")


def handle(mock: BatchMock, method: str, path: str, query_string: str) -> serialize.Response:
    """Answer one dashboard request (``owns(path)`` is true)."""
    rest = path[len(PATH) :].strip("/")
    if method.upper() not in ("GET", "HEAD"):
        status, headers, body = serialize.error(
            "MethodNotAllowedException",
            405,
            f"{method.upper()} is not allowed on {path}; the dashboard is read-only (GET); "
            "its buttons post to the control API under /_batchmock/.",
        )
        headers["Allow"] = "GET, HEAD"
        return status, headers, body
    if rest == "":
        return _asset("index.html", "text/html; charset=utf-8")
    if rest.startswith("assets/") and rest[len("assets/") :] in _ASSETS:
        name = rest[len("assets/") :]
        return _asset(name, _ASSETS[name])
    endpoint = _API.get(rest)
    if endpoint is None:
        return serialize.error(
            "UnknownOperationException",
            404,
            f"No dashboard page {path}. The page is {PATH}; its data is under {PATH}/api/ "
            f"({', '.join(sorted(_API))}).",
        )
    if not mock.active:
        return serialize.error(
            "ServerException", 500, "The mock behind this server is no longer active."
        )
    try:
        return _json(200, endpoint(mock, parse_qs(query_string, keep_blank_values=True)))
    except ClientException as exc:
        return serialize.error(exc.code, exc.status, exc.message)


# -- the API -------------------------------------------------------------------------------------
def _overview(mock: BatchMock, query: Query) -> Any:
    backends = mock.backends()
    return {
        "version": __version__,
        "clock": mock.clock_name,
        "now": mock.now_ms(),
        "totals": views.totals(backends),
        "backends": views.overview(backends),
    }


def _jobs(mock: BatchMock, query: Query) -> Any:
    queue = _one(query, "queue")
    parent = _one(query, "parent")
    if (queue is None) == (parent is None):
        raise ClientException("jobs: give exactly one of queue (a job queue ARN) or parent")
    status = _status(query)
    page = views.job_page(
        mock.backends(),
        queue_arn=queue,
        parent_id=parent,
        status=status,
        name=_one(query, "name"),
        offset=_int(query, "offset", 0, 0, 10**9),
        limit=_int(query, "limit", 50, 1, views.MAX_PAGE),
    )
    if page is None:
        what = f"job queue {queue}" if queue is not None else f"job {parent}"
        raise ClientException(f"jobs: no {what} in this mock")
    return page


def _job(mock: BatchMock, query: Query) -> Any:
    job_id = _one(query, "id")
    if not job_id:
        raise ClientException("job: the query member id (a job ID) is required")
    # Simulated attempts' lines wait until something reads CloudWatch Logs: this page does.
    mock.flush_logs()
    found = views.job(mock.backends(), job_id)
    if found is None:
        raise ClientException(f"job: no job {job_id} in this mock")
    return found


def _timeline(mock: BatchMock, query: Query) -> Any:
    limit = _int(query, "limit", timeline.ROW_LIMIT, 0, _MAX_TIMELINE)
    with mock.runtime.lock:
        return timeline.timeline(
            mock.backends(), mock.now_ms(), queue_arn=_one(query, "queue") or None, limit=limit
        )


_API: dict[str, Callable[[BatchMock, Query], Any]] = {
    "api/overview": _overview,
    "api/jobs": _jobs,
    "api/job": _job,
    "api/timeline": _timeline,
}


# -- query members -------------------------------------------------------------------------------
def _one(query: Query, name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ClientException(f"the query member {name} is given {len(values)} times; once only")
    return values[0]


def _status(query: Query) -> str | None:
    status = _one(query, "status")
    if not status:
        return None
    if status not in STATUSES:
        raise ClientException(
            f"status must be one of {', '.join(STATUSES)}, got {json.dumps(status)}"
        )
    return status


def _int(query: Query, name: str, default: int, low: int, high: int) -> int:
    raw = _one(query, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ClientException(f"{name} must be a whole number, got {json.dumps(raw)}") from None
    if not low <= value <= high:
        raise ClientException(f"{name} must be between {low} and {high}, got {value}")
    return value


# -- responses -----------------------------------------------------------------------------------
def _json(status: int, value: Any) -> serialize.Response:
    body = json.dumps(value, separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store", **_SECURITY}
    return status, headers, body


def _asset(name: str, content_type: str) -> serialize.Response:
    body = (
        resources.files("batchmock.server").joinpath("dashboard_assets").joinpath(name).read_bytes()
    )
    return 200, {"Content-Type": content_type, "Cache-Control": "no-cache", **_SECURITY}, body
