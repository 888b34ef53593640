"""``python -m batchmock server`` in a subprocess: readiness, real clock, signals, refusals."""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import batchmock
from batchmock.cli import DEFAULT_PORT, build_parser, mock_options
from batchmock.options import Delays
from tests.server.helpers import CREDENTIALS
from tests.support import make_ce, make_env, make_job_definition, make_queue

REPO = Path(batchmock.__file__).resolve().parent.parent
READY = re.compile(r"listening on (http://\S+)")


class Server:
    """A ``batchmock server`` subprocess whose output lines are read by a thread."""

    def __init__(self, *args: str, ignore_sigint: bool = False) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "batchmock", "server", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            # a background job of a non-interactive shell starts with SIGINT ignored
            preexec_fn=_ignore_sigint if ignore_sigint else None,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.ready_line = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_ready(self, timeout: float = 60) -> str:
        """The endpoint URL, once the server says it listens."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            found = READY.search(line)
            if found:
                self.ready_line = line.rstrip("\n")
                return found.group(1)
        raise AssertionError(f"server not ready; stderr: {self.stop_and_read()[1]}")

    def stop_and_read(self, sig: int | None = signal.SIGTERM) -> tuple[int, str]:
        """Send ``sig`` (None: none, the server exits by itself), wait (bounded) and return the
        exit code and stderr."""
        if sig is not None and self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            raise AssertionError("the server did not stop within 30 s") from None
        self._reader.join(timeout=10)
        assert self.process.stderr is not None
        return code, self.process.stderr.read()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture
def spawn() -> Iterator[Any]:
    started: list[Server] = []

    def start(*args: str, ignore_sigint: bool = False) -> Server:
        server = Server(*args, ignore_sigint=ignore_sigint)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=30)
        for stream in (server.process.stdout, server.process.stderr):
            if stream is not None:
                stream.close()


def _client(url: str, service: str = "batch") -> Any:
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", **CREDENTIALS)


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _real_clock_env(batch: Any) -> None:
    """``make_env`` on the real clock: the queue waits for its compute environment to be VALID."""
    make_ce(batch)
    status = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and status != "VALID":
        status = batch.describe_compute_environments()["computeEnvironments"][0]["status"]
        time.sleep(0.02)
    assert status == "VALID"
    make_queue(batch)
    make_job_definition(batch)


# -- a real server process ----------------------------------------------------------------------
def test_server_runs_jobs_on_the_real_clock_and_stops_on_sigterm(spawn: Any) -> None:
    delays = [f"--delay-{f.name.replace('_', '-')}=0.01" for f in dataclasses.fields(Delays)]
    server = spawn("--port", "0", *delays)
    url = server.wait_ready()
    batch = _client(url)
    _real_clock_env(batch)
    job_id = batch.submit_job(jobName="real", jobQueue="q", jobDefinition="jd")["jobId"]

    status = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and status != "SUCCEEDED":
        status = batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"]
        time.sleep(0.02)
    assert status == "SUCCEEDED"
    assert _client(url, "s3").list_buckets()["Buckets"] == []  # moto on the same port

    code, stderr = server.stop_and_read(signal.SIGTERM)
    assert code == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("ignored_at_start", [False, True], ids=["interactive", "background"])
def test_sigint_stops_the_server_cleanly(spawn: Any, ignored_at_start: bool) -> None:
    """Also when SIGINT is ignored at start (``batchmock server &`` in a CI script), where Python
    installs no KeyboardInterrupt handler of its own."""
    server = spawn("--port", "0", "--clock", "virtual", ignore_sigint=ignored_at_start)
    url = server.wait_ready()
    pid = server.process.pid
    ignored = int(Path(f"/proc/{pid}/status").read_text().split("SigIgn:")[1].split()[0], 16)
    # the server's own handler replaced the inherited disposition
    assert not ignored & (1 << (signal.SIGINT - 1))
    make_env(_client(url))
    assert _descendants(pid) == set()

    code, stderr = server.stop_and_read(signal.SIGINT)

    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "batchmock server stopped\n" in list(server.lines.queue)


def test_no_job_process_outlives_the_server(spawn: Any) -> None:
    server = spawn("--port", "0", "--executor", "local")
    url = server.wait_ready()
    batch = _client(url)
    _real_clock_env(batch)
    batch.register_job_definition(
        jobDefinitionName="sleeper",
        type="container",
        containerProperties={
            "image": "busybox",
            "command": [sys.executable, "-c", "import time; time.sleep(300)"],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
        },
    )
    job_id = batch.submit_job(jobName="sleeper", jobQueue="q", jobDefinition="sleeper")["jobId"]
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not children:
        batch.describe_jobs(jobs=[job_id])
        children = _descendants(server.process.pid)
        time.sleep(0.05)
    assert children, "the job's process never started"

    code, stderr = server.stop_and_read(signal.SIGTERM)

    assert code == 0, stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children)


# -- refusals -----------------------------------------------------------------------------------
@pytest.mark.parametrize("executor", ["local", "docker"])
def test_refuses_a_public_address_with_a_real_executor(spawn: Any, executor: str) -> None:
    server = spawn("--host", "0.0.0.0", "--port", "0", "--executor", executor)
    code, stderr = server.stop_and_read(None)
    assert code == 2
    assert "Refusing to listen on 0.0.0.0" in stderr
    assert "runs whatever command" in stderr
    assert "--allow-remote-exec" in stderr


def test_a_busy_port_is_reported_not_traced(spawn: Any) -> None:
    first = spawn("--port", "0", "--clock", "virtual")
    port = first.wait_ready().rsplit(":", 1)[1]
    second = spawn("--port", port, "--clock", "virtual")
    code, stderr = second.stop_and_read(None)
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr
    assert first.stop_and_read()[0] == 0


# -- the command line itself --------------------------------------------------------------------
def test_defaults_are_loopback_real_clock_and_the_documented_port() -> None:
    args = build_parser().parse_args(["server"])
    assert (args.host, args.port, DEFAULT_PORT) == ("127.0.0.1", 7660, 7660)
    options = mock_options(args)
    assert options["clock"] == "real"
    assert options["executor"] == "simulated"
    assert options["delays"] == Delays()


def test_delay_flags_set_the_mock_delays() -> None:
    args = build_parser().parse_args(
        ["server", "--delay-submitted", "0.5", "--delay-running=2", "--clock", "virtual",
         "--delay-resource-status", "3"]
    )  # fmt: skip
    options = mock_options(args)
    assert options["delays"] == Delays(submitted=0.5, running=2.0, resource_status=3.0)
    assert options["clock"] == "virtual"


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan"])
def test_bad_delays_are_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["server", "--delay-running", value])
    assert exited.value.code == 2
    assert "--delay-running" in capsys.readouterr().err


def test_the_startup_lines_print_the_dashboard_which_answers(spawn: Any) -> None:
    server = spawn("--port", "0", "--clock", "virtual")
    url = server.wait_ready()
    line = server.lines.get(timeout=30)
    assert line == f"dashboard: {url}/_batchmock/dashboard\n"
    with urllib.request.urlopen(url + "/_batchmock/dashboard", timeout=30) as page:
        assert page.status == 200
        assert b"<title>batchmock dashboard</title>" in page.read()
    with urllib.request.urlopen(url + "/_batchmock/dashboard/api/overview", timeout=30) as api:
        assert json.loads(api.read())["clock"] == "virtual"
    assert server.stop_and_read()[0] == 0


def test_a_stop_signal_while_a_connection_is_handed_to_its_thread_still_stops() -> None:
    # Under load SIGTERM often lands while serve_forever hands a connection to its thread
    # (process_request); socketserver swallows any Exception raised there and serves on, so
    # the server never stopped. The handler's exception must get through, as Ctrl-C's does.
    from batchmock import cli
    from batchmock.server.handler import make_wsgi_server

    server = make_wsgi_server("127.0.0.1", 0, lambda environ, start: [])

    def process_request(request: Any, address: Any) -> None:
        server.shutdown_request(request)
        cli._raise_stop(signal.SIGTERM, None)  # what the handler does when the signal lands here

    server.process_request = process_request  # type: ignore[method-assign]
    outcome: list[BaseException] = []

    def serve() -> None:
        try:
            server.serve_forever(poll_interval=0.05)
        except BaseException as error:  # noqa: BLE001  (what ends it is the point)
            outcome.append(error)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with socket.create_connection(server.server_address[:2], timeout=10):
        thread.join(timeout=10)
    if thread.is_alive():  # the stop was swallowed: end the loop the way a test can
        server.shutdown()
        thread.join(timeout=10)
    server.server_close()
    assert [type(error).__name__ for error in outcome] == ["_Stop"]
