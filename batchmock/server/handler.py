"""The HTTP request handler: werkzeug's, with HTTP/1.1 keep-alive and quiet request logging.

werkzeug's development handler closes every connection (it cannot tell where a request body
ends). This one always reads the whole body before the app runs, so a connection can carry the
next request: SDK clients keep their connections, which saves a TCP handshake and a thread per
call. Responses are buffered (every answer of this server is small) and carry Content-Length.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
from typing import Any

from werkzeug.serving import (
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    make_server,
    select_address_family,
)

from batchmock.protocol import serialize
from batchmock.server._wsgi import JSON_500

log = logging.getLogger("batchmock.server")

IDLE_TIMEOUT = 30.0
"""Seconds an idle keep-alive connection is kept before the server closes it."""

_MAX_BODY = 64 * 1024 * 1024
SEND_BUFFER = 1024 * 1024


class RequestHandler(WSGIRequestHandler):
    """A WSGI request handler for ``werkzeug.serving.make_server`` that keeps connections open."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT

    # -- connection bookkeeping: stop() closes idle connections instead of waiting on them ----
    def setup(self) -> None:
        """Register the connection so that :func:`close_connections` can end it."""
        super().setup()
        # Headers and body are two writes: without this, Nagle's algorithm and the client's
        # delayed ACK hold the body back ~40 ms on a kept-alive connection.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # A DescribeJobs of 100 jobs is ~160 kB: with the default 16 kB send buffer the
            # handler waits on the client (and on the GIL) for every 16 kB it hands over.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        except OSError:
            pass  # not a TCP socket
        _connections(self.server).add(self.connection)

    def finish(self) -> None:
        """Forget the connection."""
        _connections(self.server).discard(self.connection)
        super().finish()

    # -- framing: what http.server refuses, and what it lets through but must not -----------
    def parse_request(self) -> bool:
        """Parse the request line and headers; refuse malformed framing with a JSON 400."""
        if not super().parse_request():
            return False
        problem = framing_problem(self.headers)
        if problem is not None:
            self.send_error(400, problem)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request http.server cannot read (a request line over 64 KiB, a malformed request
        line or header): 400 in AWS's JSON shape instead of an HTML page, and the connection
        closes, since where the next request would start is unknown."""
        text = _REFUSALS.get(code) or f"The request is malformed: {message or code}"[:500]
        self._refuse(text)

    def _refuse(self, message: str) -> None:
        self.close_connection = True
        status, headers, body = serialize.error("ClientException", 400, message)
        try:
            self._send(f"{status} Bad Request", list(headers.items()), body)
        except OSError:
            pass  # the client is gone already

    # -- one request -------------------------------------------------------------------------
    def run_wsgi(self) -> None:
        """Answer one request; the connection stays open when the client allows it."""
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        try:
            body = _read_body(environ)
        except (OSError, ValueError) as exc:
            # A bad chunk size, a body larger than the limit, or a client that hung up inside
            # the body (then nobody reads this answer).
            self._refuse(f"The request body cannot be read: {exc}")
            return
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input_terminated"] = False

        status = "500 Internal Server Error"
        headers: list[tuple[str, str]] = []

        def start_response(new_status: str, new_headers: Any, exc_info: Any = None) -> Any:
            nonlocal status, headers
            status, headers = new_status, list(new_headers)
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.server.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:
            log.exception("Unhandled error answering %s %s", self.command, self.path)
            status, headers, chunks = JSON_500
            self.close_connection = True
        self._send(status, headers, b"".join(chunks))

    def _send(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        # Status line, headers and body leave in one write: each socket call gives up the GIL,
        # and getting it back costs most when client threads share this process.
        code_text, _, reason = status.partition(" ")
        code = int(code_text)
        self.log_request(code)
        bodiless = self.command == "HEAD" or code in (204, 304) or code < 200
        lines = [
            f"{self.protocol_version} {code} {reason}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
        ]
        length = None
        for key, value in headers:
            lowered = key.lower()
            if lowered == "content-length":
                length = value
            elif lowered not in ("connection", "transfer-encoding", "server", "date"):
                lines.append(f"{key}: {value}")
        if not bodiless:
            lines.append(f"Content-Length: {len(body)}")
        elif length is not None:
            lines.append(f"Content-Length: {length}")  # HEAD: the length a GET would have
        lines.append("Connection: " + ("close" if self.close_connection else "keep-alive"))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if bodiless else head + body)
        self.wfile.flush()

    # -- logging -----------------------------------------------------------------------------
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per request, at DEBUG (werkzeug would print each one to stderr)."""
        if log.isEnabledFor(logging.DEBUG):
            log.debug('%s "%s" %s %s', self.address_string(), self.requestline, code, size)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        """Connection-level events (a client hanging up, an idle timeout), at DEBUG."""
        log.debug(format, *args)


_REFUSALS = {
    414: "The request line is longer than 65536 bytes.",
    431: "The request has too many header lines, or a header line longer than 65536 bytes.",
}


def framing_problem(headers: Any) -> str | None:
    """What makes a request's headers unreadable, or None: a header line without a colon (the
    headers after it would be read as the body), or a Content-Length that is not one
    non-negative decimal number."""
    if headers.defects:
        payload = headers.get_payload()
        line = payload.splitlines()[0] if isinstance(payload, str) and payload else ""
        return f"A request header line has no colon: {line[:200]!r}."
    lengths = headers.get_all("Content-Length") or []
    if len({value.strip() for value in lengths}) > 1:
        return f"The request has {len(lengths)} different Content-Length headers."
    if lengths:
        value = lengths[0].strip()
        if not (value.isascii() and value.isdigit()):
            return f"Content-Length {value[:50]!r} is not a non-negative decimal integer."
        if int(value) > _MAX_BODY:
            return f"Content-Length {value} is larger than the {_MAX_BODY} bytes accepted."
    return None


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        parts: list[bytes] = []  # chunked: the dechunking stream ends with the body
        size = 0
        while size <= _MAX_BODY:
            part = stream.read(65536)
            if not part:
                break
            parts.append(part)
            size += len(part)
        data = b"".join(parts)
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length < 0 or length > _MAX_BODY:
            raise ValueError(f"request body of {length} bytes")
        data = stream.read(length) if length else b""
        if len(data) < length:
            raise OSError("the client closed the connection inside the request body")
    if len(data) > _MAX_BODY:
        raise ValueError("request body too large")
    body: bytes = data
    return body


def make_wsgi_server(host: str, port: int, app: Any) -> BaseWSGIServer:
    """A threaded werkzeug server with :class:`RequestHandler`, bound to ``host:port``.

    We bind the socket ourselves: werkzeug reports a busy port by printing and calling
    ``sys.exit``, where a library must raise ``OSError``.
    """
    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(get_sockaddr(host, port, family))
        sock.listen(128)
        return make_server(
            host, port, app, threaded=True, request_handler=RequestHandler, fd=sock.fileno()
        )
    finally:
        sock.close()  # the server holds its own duplicate of the descriptor


def bound_port(server: BaseWSGIServer) -> int:
    """The port a server listens on (the one the system picked for port 0)."""
    return int(server.server_address[1])


_registry_lock = threading.Lock()


def _connections(server: Any) -> set[socket.socket]:
    found: set[socket.socket] | None = getattr(server, "batchmock_connections", None)
    if found is None:
        with _registry_lock:
            found = getattr(server, "batchmock_connections", None)
            if found is None:
                found = set()
                server.batchmock_connections = found
    return found


def close_connections(server: BaseWSGIServer) -> None:
    """End every open connection of a stopped server (idle keep-alive ones would linger)."""
    for conn in list(_connections(server)):
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the client
