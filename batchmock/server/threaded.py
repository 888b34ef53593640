"""ThreadedServer: the server app in a background thread, for tests and for other processes."""

from __future__ import annotations

import ipaddress
import threading
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer

from batchmock.server.app import make_app
from batchmock.server.handler import bound_port, close_connections, make_wsgi_server

if TYPE_CHECKING:
    from batchmock.mock import BatchMock
    from batchmock.options import MockOptions


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1``: addresses no other machine reaches."""
    if host.lower() == "localhost":
        return True
    try:
        return bool(ipaddress.ip_address(host.strip("[]")).is_loopback)
    except ValueError:
        return False


def runs_real_commands(options: MockOptions) -> bool:
    """True unless the executor only simulates jobs (a custom executor counts as real)."""
    executor: object = options.executor
    return not (isinstance(executor, str) and executor == "simulated")


def check_bind(host: str, options: MockOptions, allow_remote_exec: bool) -> None:
    """Refuse to expose a real executor beyond this machine without explicit consent."""
    if allow_remote_exec or is_loopback_host(host) or not runs_real_commands(options):
        return
    raise PermissionError(
        f"Refusing to listen on {host}: the {options.executor!r} executor runs whatever command "
        "a request names, so anyone who can reach this address could run commands on this "
        "machine. Listen on 127.0.0.1 (the default), use --executor simulated, or pass "
        "--allow-remote-exec if every client that can reach this address is trusted."
    )


class ThreadedServer:
    """The batchmock server in a background thread: a context manager for tests.

    ``ThreadedServer()`` starts a mock of its own (``start(intercept=False)``: the test process's
    boto3 calls are not intercepted, they go to the server) and stops it on exit; keyword
    arguments are the mock's options. ``ThreadedServer(mock)`` serves an already active mock, so
    another process sees the same state as the test::

        with ThreadedServer() as server:
            batch = boto3.client("batch", endpoint_url=server.endpoint_url)

    ``port=0`` (the default) picks a free port; read it from ``.port`` or ``.endpoint_url``.
    """

    def __init__(
        self,
        mock: BatchMock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote_exec: bool = False,
        **mock_options: Any,
    ) -> None:
        if mock is not None and mock_options:
            raise TypeError("Pass either an existing mock or mock options, not both.")
        if mock is None:
            from batchmock.mock import BatchMock

            mock = BatchMock(**mock_options)
            self._owns_mock = True
        else:
            self._owns_mock = False
        self.mock: BatchMock = mock
        self.host = host
        self._requested_port = port
        self._allow_remote_exec = allow_remote_exec
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> ThreadedServer:
        """Bind, start serving in a daemon thread and return once requests are accepted."""
        if self._server is not None:
            raise RuntimeError("This ThreadedServer is already running.")
        check_bind(self.host, self.mock.options, self._allow_remote_exec)
        if not self._owns_mock and not self.mock.active:
            raise RuntimeError("ThreadedServer(mock) needs an active mock: start it first.")
        if self._owns_mock:
            self.mock.start(intercept=False)
        try:
            server = make_wsgi_server(self.host, self._requested_port, make_app(self.mock))
        except BaseException:
            if self._owns_mock:
                self.mock.stop()
            raise
        self._server = server
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._serve, name=f"batchmock-server-{bound_port(server)}", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        return self

    def _serve(self) -> None:
        assert self._server is not None
        self._ready.set()
        self._server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        """Stop serving, close the socket and, if the mock is our own, stop it."""
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.shutdown()
            server.server_close()
            close_connections(server)
            if self._thread is not None:
                self._thread.join()
        finally:
            self._thread = None
            if self._owns_mock:
                self.mock.stop()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where it listens --------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The port the server listens on (the free one picked for ``port=0``)."""
        if self._server is None:
            raise RuntimeError("The server is not running: start it first.")
        return bound_port(self._server)

    @property
    def endpoint_url(self) -> str:
        """``http://host:port``: boto3's ``endpoint_url``, the AWS CLI's ``--endpoint-url``."""
        host = self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        if host in ("0.0.0.0", "[::]", ""):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}"

    @property
    def dashboard_url(self) -> str:
        """The dashboard page of this server (open it in a browser)."""
        from batchmock.server.dashboard import PATH

        return self.endpoint_url + PATH

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._server is not None
