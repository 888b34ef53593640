"""The ``batchmock`` command: ``batchmock server`` serves AWS Batch (and moto) over HTTP."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from batchmock._version import __version__
from batchmock.options import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Delays

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7660
"""Clear of moto's server (5000) and LocalStack (4566), so all three can run side by side."""

log = logging.getLogger("batchmock.server")

EXECUTOR_NOTES = {
    "simulated": "runs no command, outcomes are scripted (POST /_batchmock/outcomes)",
    "local": "runs each attempt's command as a process on this machine",
    "docker": "runs each attempt's image as a container on the DOCKER_HOST engine",
}
"""What the start-up line says of each executor."""


class _Stop(BaseException):
    """Raised in the main thread by the SIGINT and SIGTERM handler to leave ``serve_forever``.

    A BaseException, as KeyboardInterrupt is: the signal may arrive while the main thread is
    handing a connection to its thread (``process_request``), where socketserver reports and
    swallows any ``Exception`` and goes on serving, so the stop was lost.
    """


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``batchmock`` command."""
    parser = argparse.ArgumentParser(
        prog="batchmock", description="batchmock: an in-memory AWS Batch for tests and tools."
    )
    parser.add_argument(
        "--version", action="version", version=f"batchmock {__version__}", help="print the version"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    server = commands.add_parser(
        "server",
        help="serve AWS Batch, and every other AWS service through moto, on one port",
        description="Serve AWS Batch (and every other AWS service through moto) over HTTP. "
        "Point any SDK at it with --endpoint-url or AWS_ENDPOINT_URL=http://HOST:PORT.",
    )
    server.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    server.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    server.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help="region of requests that name none (default %(default)s)",
    )
    server.add_argument(
        "--account-id",
        default=DEFAULT_ACCOUNT_ID,
        help="account of requests whose access key is not 12 digits (default %(default)s)",
    )
    server.add_argument(
        "--clock",
        choices=("real", "virtual"),
        default="real",
        help="real: jobs move on the wall clock (default); virtual: only "
        "POST /_batchmock/advance and polling move them",
    )
    server.add_argument(
        "--executor",
        choices=("simulated", "local", "docker"),
        default="simulated",
        help="how attempts run (default %(default)s)",
    )
    server.add_argument(
        "--keep-workdirs",
        action="store_true",
        help="--executor local: keep each attempt's directory (working directory, HOME, TMPDIR) "
        "instead of removing it when the attempt ends, to look at what a job left behind",
    )
    server.add_argument(
        "--no-job-state-events",
        dest="job_state_events",
        action="store_false",
        help='put no "Batch Job State Change", "Batch Service Job State Change" or "Batch Job '
        'Queue Blocked" events on EventBridge (job_state_events=False); by default each goes '
        "to the default bus, for its rules to match",
    )
    server.add_argument(
        "--allow-remote-exec",
        action="store_true",
        help="allow --executor local/docker on a non-loopback --host: anyone "
        "who reaches it can run commands on this machine",
    )
    defaults = Delays()
    for f in dataclasses.fields(Delays):
        server.add_argument(
            f"--delay-{f.name.replace('_', '-')}",
            type=_seconds,
            default=getattr(defaults, f.name),
            metavar="SECONDS",
            dest=f"delay_{f.name}",
            help=f"seconds of the {f.name!r} step (Delays.{f.name}; default %(default)s)",
        )
    server.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="DEBUG also logs every request (default %(default)s)",
    )
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def mock_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``mock_batch`` options the server's command line asks for."""
    delays = Delays(
        **{f.name: getattr(args, f"delay_{f.name}") for f in dataclasses.fields(Delays)}
    )
    return {
        "region": args.region,
        "account_id": args.account_id,
        "clock": args.clock,
        "executor": args.executor,
        "keep_workdirs": args.keep_workdirs,
        "job_state_events": args.job_state_events,
        "delays": delays,
    }


def serve(args: argparse.Namespace) -> int:
    """Run the server in this thread until SIGINT or SIGTERM; the mock always stops after."""
    from batchmock.mock import BatchMock
    from batchmock.server.app import make_app
    from batchmock.server.dashboard import PATH as DASHBOARD_PATH
    from batchmock.server.handler import bound_port, close_connections, make_wsgi_server
    from batchmock.server.threaded import check_bind

    mock = BatchMock(**mock_options(args))
    try:
        check_bind(args.host, mock.options, args.allow_remote_exec)
    except PermissionError as exc:
        _say(sys.stderr, f"batchmock: {exc}")
        return 2
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Both signals explicitly: Python installs no SIGINT handler when SIGINT is ignored at start,
    # as it is for a background job of a non-interactive shell (`batchmock server &`).
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    mock.start(intercept=False)
    try:
        try:
            server = make_wsgi_server(args.host, args.port, make_app(mock))
        except OSError as exc:
            _say(sys.stderr, f"batchmock: cannot listen on {args.host}:{args.port}: {exc}")
            return 1
        host = f"[{args.host}]" if ":" in args.host else args.host
        try:
            # inside the try: a parent may signal as soon as it reads the line
            _say(
                sys.stdout,
                f"batchmock server listening on http://{host}:{bound_port(server)} "
                f"(clock {args.clock}, executor {args.executor}: "
                f"{EXECUTOR_NOTES[args.executor]}); Ctrl-C stops it",
            )
            _say(sys.stdout, f"dashboard: http://{host}:{bound_port(server)}{DASHBOARD_PATH}")
            server.serve_forever(poll_interval=0.2)
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            _ignore_signals()  # a second signal must not cut the cleanup short
            server.server_close()
            close_connections(server)
        _say(sys.stdout, "batchmock server stopped")
        return 0
    finally:
        _ignore_signals()
        mock.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _say(stream: Any, line: str) -> None:
    # Flushed at once: a parent process waits for the "listening" line to know we are ready.
    stream.write(line + "\n")
    stream.flush()


def _raise_stop(signum: int, frame: Any) -> None:
    raise _Stop()


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``batchmock`` console script and ``python -m batchmock``."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    if args.command == "server":
        return serve(args)
    return 2  # argparse refuses unknown commands before this
