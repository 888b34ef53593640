"""The server's WSGI app: Batch requests to a BatchMock, ``/_batchmock/`` to the control API,
every other AWS request to moto's own server app, all on one port.

Errors are always JSON in AWS's shape (``x-amzn-ErrorType`` and ``{"__type", "message"}``),
never HTML: unknown Batch paths are 404, a known path with the wrong method is 405, and an
exception inside batchmock is a 500 ``ServerException`` whose traceback goes to the log only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote

from werkzeug.wrappers import Response

from batchmock import routing
from batchmock.executors import ecs
from batchmock.protocol import model, serialize
from batchmock.server import control, dashboard, signature
from batchmock.server._wsgi import INTERNAL_ERROR, TAGS_PREFIX, raw_path, read_body, respond

if TYPE_CHECKING:
    from batchmock.mock import BatchMock

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

log = logging.getLogger("batchmock.server")

_SCOPE_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[a-z0-9-]+/([a-z0-9-]+)/")
_QUERY_SCOPE_SERVICE = re.compile(
    r"X-Amz-Credential=[^&]*?(?:/|%2F)([a-z0-9-]+)(?:/|%2F)aws4_request"
)
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
CONTROL_PREFIX = "/_batchmock/"


def make_app(mock: BatchMock) -> BatchMockApp:
    """The WSGI app serving ``mock`` (which must be active while the app answers)."""
    return BatchMockApp(mock)


class BatchMockApp:
    """A WSGI callable: Batch from ``mock``, the control API, and moto for everything else."""

    def __init__(self, mock: BatchMock) -> None:
        self.mock = mock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            path = raw_path(environ)
            if not path.startswith("/"):
                # ``POST *`` and other request targets that are no path: nobody's operation.
                status, headers, body = serialize.error(
                    "ClientException",
                    400,
                    f"The request target {path[:200]!r} is not a path; AWS operations are "
                    "requested at a path such as /v1/describejobs.",
                )
            elif dashboard.owns(path):
                status, headers, body = dashboard.handle(
                    self.mock, environ["REQUEST_METHOD"], path, environ.get("QUERY_STRING", "")
                )
            elif path.startswith(ecs.PREFIX):
                status, headers, body = self._ecs(environ, path)
            elif path.startswith(CONTROL_PREFIX) or path == CONTROL_PREFIX.rstrip("/"):
                status, headers, body = control.handle(
                    self.mock, environ["REQUEST_METHOD"], path, read_body(environ)
                )
            elif is_batch_request(environ, path):
                status, headers, body = self._batch(environ, path)
            else:
                return self._to_moto(environ, start_response)
        except Exception:
            # A bug in batchmock or moto: the client gets AWS's 500 shape, the log the traceback.
            log.exception(
                "Unhandled error answering %s %s",
                environ.get("REQUEST_METHOD"),
                environ.get("PATH_INFO"),
            )
            status, headers, body = serialize.error(
                "ServerException",
                500,
                INTERNAL_ERROR,
            )
        return respond(start_response, status, headers, body)

    # -- Batch -------------------------------------------------------------------------------
    def _batch(self, environ: dict[str, Any], path: str) -> serialize.Response:
        method = environ["REQUEST_METHOD"].upper()
        body = read_body(environ)  # read before any answer so the connection stays in sync
        missing = route_error(method, path)
        if missing is not None:
            return missing
        if not self.mock.active:
            return serialize.error(
                "ServerException", 500, "The mock behind this server is no longer active."
            )
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        return self.mock.handle(
            method,
            path,
            environ.get("QUERY_STRING", ""),
            headers,
            body,
            environ.get("HTTP_HOST", ""),
        )

    # -- the ECS endpoints of running jobs --------------------------------------------------
    def _ecs(self, environ: dict[str, Any], path: str) -> serialize.Response:
        body = read_body(environ)
        if not self.mock.active:
            return serialize.error(
                "ServerException", 500, "The mock behind this server is no longer active."
            )
        tasks = self.mock.ecs_tasks or ecs.NO_TASKS
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        return tasks.answer(environ["REQUEST_METHOD"], path, headers, body)

    # -- moto --------------------------------------------------------------------------------
    def _to_moto(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        refused = signature.malformed(environ)
        if refused is not None:  # no AWS service reads this Authorization header
            return respond(start_response, *refused)
        self.mock.flush_logs()  # simulated attempts' streams, kept back until moto is used
        app = moto_app()
        if app is None:
            status, headers, body = serialize.error(
                "ServerException",
                501,
                "Only AWS Batch is served: answering other services "
                "needs moto's server extra (pip install 'moto[server]').",
            )
            return respond(start_response, status, headers, body)
        if signature.is_unsigned(environ) and _unsigned_target_for_s3(app, environ):
            # an unsigned JSON-protocol call moto would hand to S3 (older moto answers it as
            # ListBuckets, newer moto raises): AWS refuses it unsigned
            return respond(start_response, *signature.missing_token())
        try:
            response = Response.from_app(app, environ, buffered=True)
        except Exception:
            if signature.is_unsigned(environ):
                # moto falls back to S3 for a request without a signature; one S3 cannot read
                # either (an unsigned JSON or query call) is what AWS refuses unsigned
                log.debug("moto could not answer an unsigned request", exc_info=True)
                return respond(start_response, *signature.missing_token())
            if _moto_serves(app, environ):
                raise  # a signed request moto failed on: its bug, a 500 with the traceback logged
            status, headers, body = serialize.error(
                "UnknownOperationException",
                404,
                f"No AWS operation answers {environ.get('REQUEST_METHOD')} "
                f"{environ.get('PATH_INFO')} on this server: the service its signature names "
                "is not emulated.",
            )
            return respond(start_response, status, headers, body)
        if response.status_code >= 400 and response.mimetype == "text/html":
            # moto's Flask answers unknown routes with an HTML page: give the client AWS's shape.
            status, headers, body = serialize.error(
                _code_for(response.status_code),
                response.status_code,
                f"No AWS operation answers {environ.get('REQUEST_METHOD')} "
                f"{environ.get('PATH_INFO')} on this server.",
            )
            return respond(start_response, status, headers, body)
        return response(environ, start_response)


_moto: list[WSGIApp] = []
_moto_lock = threading.Lock()


def moto_app() -> WSGIApp | None:
    """moto's server app, shared by every server of the process (moto's state is global anyway,
    and building its per-service apps is the slow part); None without moto's server extra."""
    with _moto_lock:
        if not _moto:
            try:
                from moto.moto_server.werkzeug_app import (
                    DomainDispatcherApplication,
                    create_backend_app,
                )
            except ImportError:
                return None
            _moto.append(DomainDispatcherApplication(create_backend_app))
        return _moto[0]


def _unsigned_target_for_s3(app: Any, environ: dict[str, Any]) -> bool:
    """True for a request with an ``X-Amz-Target`` (a JSON-protocol call) moto would give to S3.

    moto routes unsigned calls by their target where it knows one (Cognito's unauthenticated
    operations, say) and falls back to S3 otherwise; S3 never reads ``X-Amz-Target``.
    """
    if not environ.get("HTTP_X_AMZ_TARGET"):
        return False
    try:
        host = app.infer_service_region_host(dict(environ), str(environ.get("PATH_INFO") or ""))
    except Exception:  # moto's routing changed or failed: let moto answer as before
        return False
    return host is None  # no service known for it: moto's default, S3


def _moto_serves(app: Any, environ: dict[str, Any]) -> bool:
    """False when moto finds no backend for the service a request's signature names."""
    try:
        app.get_application(dict(environ))
    except Exception:
        return False
    return True


def is_batch_request(environ: dict[str, Any], path: str) -> bool:
    """True for a request AWS Batch would receive.

    A ``/v1/`` path (the Batch API's only prefix) is Batch's whatever its ``Authorization``
    header says (garbage, a bearer token, a scope with a malformed date): only a readable SigV4
    scope naming another service hands it to moto, and then only when it is not a path of the
    Batch model nor ``/v1/tags/<Batch ARN>``. Other paths are Batch's when their scope or their
    ``batch.`` host says so. moto can only tell services apart by signature or host, so an
    unsigned ``/v1/`` request could only ever reach moto's S3.
    """
    service = _signed_service(environ)
    if path == "/v1" or path.startswith("/v1/"):
        if service is None or service == "batch":
            return True
        if path.startswith(TAGS_PREFIX):
            return _arn_service(unquote(path[len(TAGS_PREFIX) :])) in ("batch", "")
        return any(model.route(method, path) for method in _METHODS)
    if service is not None:
        return service == "batch"
    return routing.region_of_host(environ.get("HTTP_HOST", "")) is not None


def _signed_service(environ: dict[str, Any]) -> str | None:
    """The service a readable SigV4 scope (header or presigned query) names, else None."""
    found = _SCOPE_SERVICE.search(environ.get("HTTP_AUTHORIZATION") or "")
    if found is None:
        query = environ.get("QUERY_STRING", "")
        found = _QUERY_SCOPE_SERVICE.search(query) if "X-Amz-Credential=" in query else None
    return found.group(1) if found else None


def _arn_service(arn: str) -> str:
    """The service part of an ARN (``arn:aws:batch:...`` gives ``batch``), "" when unreadable."""
    parts = arn.split(":", 3)
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


def route_error(method: str, path: str) -> serialize.Response | None:
    """404 for a path no Batch operation has, 405 for a known path with another method."""
    if model.route(method, path) is not None:
        return None
    allowed = [m for m in _METHODS if model.route(m, path) is not None]
    if allowed:
        status, headers, body = serialize.error(
            "MethodNotAllowedException",
            405,
            f"{method} is not allowed on {path}; allowed: {', '.join(allowed)}.",
        )
        headers["Allow"] = ", ".join(allowed)
        return status, headers, body
    return serialize.error(
        "UnknownOperationException",
        404,
        f"No Batch operation answers {method} {path}. Batch operations are POST "
        "/v1/<operation name in lower case>, and GET, POST or DELETE /v1/tags/<resource ARN>.",
    )


def _code_for(status: int) -> str:
    return {404: "UnknownOperationException", 405: "MethodNotAllowedException"}.get(
        status, "ClientException" if status < 500 else "ServerException"
    )
