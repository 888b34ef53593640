"""ThreadedServer: lifecycle, serving an existing mock, binding rules and concurrent clients."""

from __future__ import annotations

import http.client
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import pytest

from batchmock import mock_batch
from batchmock.options import MockOptions
from batchmock.server import ThreadedServer
from batchmock.server.threaded import check_bind, is_loopback_host
from tests.server.helpers import call_json, client
from tests.support import documented_number, make_ce, make_env


def _refuses_connections(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(5)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_context_manager_serves_then_releases_port_and_mock() -> None:
    with ThreadedServer() as server:
        assert server.running
        assert server.port > 0
        assert server.endpoint_url == f"http://127.0.0.1:{server.port}"
        assert server.mock.active
        make_ce(client(server))
        port, mock = server.port, server.mock
    assert not server.running
    assert not mock.active
    assert _refuses_connections(port)


def test_options_configure_the_server_own_mock() -> None:
    with ThreadedServer(region="eu-west-1", account_id="111122223333") as server:
        batch = client(server, config=_unsigned())
        arn = make_ce(batch)
    assert arn == "arn:aws:batch:eu-west-1:111122223333:compute-environment/ce"


def _unsigned() -> Any:
    from botocore import UNSIGNED
    from botocore.config import Config

    return Config(signature_version=UNSIGNED)


def test_serving_an_existing_mock_shares_its_state_both_ways() -> None:
    with mock_batch() as mock:
        in_process = mock.client()
        make_ce(in_process, name="made-in-process")
        with ThreadedServer(mock) as server:
            over_http = client(server)
            make_ce(over_http, name="made-over-http")
            seen_over_http = [
                ce["computeEnvironmentName"]
                for ce in over_http.describe_compute_environments()["computeEnvironments"]
            ]
            seen_in_process = [
                ce["computeEnvironmentName"]
                for ce in in_process.describe_compute_environments()["computeEnvironments"]
            ]
        assert mock.active  # the server does not stop a mock it was given
    assert seen_over_http == seen_in_process == ["made-in-process", "made-over-http"]


def test_an_existing_mock_must_be_active_and_takes_no_options() -> None:
    mock = mock_batch()
    with pytest.raises(RuntimeError, match="active mock"):
        ThreadedServer(mock).start()
    with pytest.raises(TypeError, match="not both"):
        ThreadedServer(mock, region="eu-west-1")


def test_starting_twice_is_refused() -> None:
    with ThreadedServer() as server, pytest.raises(RuntimeError, match="already running"):
        server.start()


def test_a_busy_port_fails_and_stops_the_mock_it_started() -> None:
    with ThreadedServer() as first:
        second = ThreadedServer(port=first.port)
        with pytest.raises(OSError):
            second.start()
        assert not second.mock.active
        assert not second.running


def test_stop_closes_idle_keep_alive_connections() -> None:
    server = ThreadedServer().start()
    parts = urlsplit(server.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("POST", "/v1/describejobqueues", body="{}")
        response = conn.getresponse()
        response.read()
        assert response.getheader("Connection") == "keep-alive"
        server.stop()
        assert conn.sock is not None
        assert conn.sock.recv(1) == b""  # the server ended the idle connection
    finally:
        conn.close()
        server.stop()


# -- binding rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize("executor", ["local", "docker"])
def test_a_real_executor_is_not_exposed_beyond_loopback(executor: str) -> None:
    server = ThreadedServer(host="0.0.0.0", executor=executor)
    with pytest.raises(PermissionError) as refused:
        server.start()
    message = str(refused.value)
    assert "0.0.0.0" in message
    assert "runs whatever command" in message
    assert "--allow-remote-exec" in message
    assert not server.mock.active
    assert not server.running


def test_binding_rules_allow_what_is_safe_or_consented() -> None:
    check_bind("0.0.0.0", MockOptions(), allow_remote_exec=False)  # simulated: nothing runs
    check_bind("127.0.0.1", MockOptions(executor="local"), allow_remote_exec=False)
    check_bind("0.0.0.0", MockOptions(executor="local"), allow_remote_exec=True)
    with pytest.raises(PermissionError):  # any Executor instance may run commands
        check_bind("0.0.0.0", MockOptions(executor=_CustomExecutor()), allow_remote_exec=False)


class _CustomExecutor:
    def launch(self, ctx: Any) -> Any:
        raise AssertionError("never launched by this test")

    def shutdown(self) -> None:
        pass


# -- concurrent clients -------------------------------------------------------------------------
def test_concurrent_clients_lose_and_duplicate_no_job() -> None:
    threads_count, per_thread = 8, 25
    with ThreadedServer(auto_advance=False) as server:
        make_env(client(server))
        clients = [client(server) for _ in range(threads_count)]
        results: list[list[tuple[str, str]]] = [[] for _ in range(threads_count)]
        errors: list[BaseException] = []
        start = threading.Barrier(threads_count)

        def submit(index: int) -> None:
            try:
                start.wait(timeout=60)
                for n in range(per_thread):
                    name = f"t{index}-{n}"
                    job_id = clients[index].submit_job(
                        jobName=name, jobQueue="q", jobDefinition="jd"
                    )["jobId"]
                    results[index].append((name, job_id))
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        workers = [threading.Thread(target=submit, args=(i,)) for i in range(threads_count)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert not any(worker.is_alive() for worker in workers)
        assert errors == []

        submitted = dict(pair for chunk in results for pair in chunk)
        ids = list(submitted.values())
        assert len(submitted) == threads_count * per_thread
        assert len(set(ids)) == len(ids)

        batch = client(server)
        described: dict[str, str] = {}
        chunk = documented_number("DescribeJobs", "jobs")
        for start_at in range(0, len(ids), chunk):
            for job in batch.describe_jobs(jobs=ids[start_at : start_at + chunk])["jobs"]:
                described[job["jobName"]] = job["jobId"]
        assert described == submitted

        _, state = call_json(server, "GET", "/_batchmock/state")
        stored = state["accounts"]["123456789012"]["us-east-1"]["jobs"]
        assert sorted(job["jobId"] for job in stored) == sorted(ids)
