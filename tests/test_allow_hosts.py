"""The ``allow_hosts`` option: listed hosts pass the network guard; by default nothing leaves.

Nothing here leaves the machine: the hosts are names under ``.test`` (reserved, never in DNS)
that this test's resolver maps to a server on 127.0.0.1, every other name fails to resolve, and
the environment's proxy is a dead one (clients of the allowed hosts bypass it explicitly).
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from batchmock import BatchMock, NetworkRefusedError, mock_batch
from batchmock.options import MockOptions
from batchmock.server import ThreadedServer
from tests.support import make_ce
from tests.test_isolation import dead_proxy  # noqa: F401  (a fixture)

DIRECT = Config(proxies={}, retries={"max_attempts": 1})
NAMES = ("svc.corp.test", "batch.corp.test")
"""Hostnames this test's resolver maps to 127.0.0.1."""
LIST_BUCKETS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Owner><ID>corp</ID><DisplayName>corp</DisplayName></Owner>"
    b"<Buckets><Bucket><Name>on-the-corp-service</Name>"
    b"<CreationDate>2026-01-05T10:00:00.000Z</CreationDate></Bucket></Buckets>"
    b"</ListAllMyBucketsResult>"
)


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve NAMES to 127.0.0.1 and loopback names as usual; refuse to resolve anything else."""
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in NAMES:
            return original("127.0.0.1", port, *args, **kwargs)
        if name in ("localhost", "::1") or name.startswith("127."):
            return original(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"this test resolves no {name!r}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]]

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        self.seen.append((self.command, self.path, self.headers.get("Host", "")))
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(LIST_BUCKETS)))
        self.end_headers()
        self.wfile.write(LIST_BUCKETS)

    def log_message(self, *_: Any) -> None:
        """Quiet."""


@pytest.fixture
def service(resolver: None, dead_proxy: str) -> Iterator[tuple[int, list[tuple[str, str, str]]]]:  # noqa: F811
    """An S3-compatible service of the user's (it answers ListBuckets) on 127.0.0.1: its port
    and the requests it received."""
    seen: list[tuple[str, str, str]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def _s3(host: str) -> Any:
    return boto3.client("s3", region_name="us-east-1", endpoint_url=f"http://{host}", config=DIRECT)


def _buckets(client: Any) -> list[tuple[str, str]]:
    answer = client.list_buckets()
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["Owner"] == {"ID": "corp", "DisplayName": "corp"}
    return [(b["Name"], b["CreationDate"].isoformat()) for b in answer["Buckets"]]


CORP_BUCKETS = [("on-the-corp-service", "2026-01-05T10:00:00+00:00")]


def test_by_default_a_users_own_service_is_refused_and_never_reached(
    service: tuple[int, list[Any]],
) -> None:
    port, seen = service
    with mock_batch(), pytest.raises(NetworkRefusedError, match="allow_hosts") as refused:
        _s3(f"svc.corp.test:{port}").list_buckets()
    assert f"http://svc.corp.test:{port}/" in str(refused.value)
    assert seen == []


@pytest.mark.parametrize(
    "entry",
    ["svc.corp.test", "SVC.Corp.Test", "svc.corp.test:{port}", "*.corp.test", "svc.*.test"],
)
def test_a_listed_host_is_reached_instead_of_moto(
    service: tuple[int, list[Any]], entry: str
) -> None:
    port, seen = service
    with mock_batch(allow_hosts=[entry.format(port=port)]):
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="in-moto")
        assert _buckets(_s3(f"svc.corp.test:{port}")) == CORP_BUCKETS
        # moto still answers AWS's own endpoints
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["in-moto"]
    assert seen == [("GET", "/", f"svc.corp.test:{port}")]


@pytest.mark.parametrize("entry", ["svc.corp.test:{other}", "*.other.test", "corp.test", "svc"])
def test_a_host_the_list_does_not_match_is_still_refused(
    service: tuple[int, list[Any]], entry: str
) -> None:
    port, seen = service
    other = 1 if port != 1 else 2
    with mock_batch(allow_hosts=[entry.format(other=other)]):
        with pytest.raises(NetworkRefusedError, match="svc.corp.test"):
            _s3(f"svc.corp.test:{port}").list_buckets()
        # loopback stays allowed whatever the list holds
        assert _buckets(_s3(f"127.0.0.1:{port}")) == CORP_BUCKETS
    assert seen == [("GET", "/", f"127.0.0.1:{port}")]


def test_a_batch_endpoint_on_a_listed_host_is_that_hosts_unless_the_mock_owns_it(
    resolver: None,
    dead_proxy: str,  # noqa: F811
) -> None:
    with ThreadedServer() as server:
        url = server.endpoint_url.replace("127.0.0.1", "batch.corp.test")
        with mock_batch(allow_hosts=["batch.corp.test"]) as mock:
            remote = boto3.client("batch", region_name="us-east-1", endpoint_url=url, config=DIRECT)
            make_ce(remote, "on-the-lan-service")
            assert sorted(server.mock.backend().compute_environments) == ["on-the-lan-service"]
            assert sorted(mock.backend().compute_environments) == []
        with mock_batch(allow_hosts=["batch.corp.test"], endpoint_url=url) as mock:
            owned = boto3.client("batch", region_name="us-east-1", endpoint_url=url, config=DIRECT)
            make_ce(owned, "in-process")
            assert sorted(mock.backend().compute_environments) == ["in-process"]
            assert sorted(server.mock.backend().compute_environments) == ["on-the-lan-service"]


def test_the_innermost_mock_decides(service: tuple[int, list[Any]]) -> None:
    port, seen = service
    with mock_batch(allow_hosts=["svc.corp.test"]):
        with mock_batch(), pytest.raises(NetworkRefusedError):
            _s3(f"svc.corp.test:{port}").list_buckets()
        assert _buckets(_s3(f"svc.corp.test:{port}")) == CORP_BUCKETS
    assert len(seen) == 1


def test_the_pytest_marker_takes_the_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.batch_mock(allow_hosts=["svc.corp.test:8080", "*.lan.test"])
        def test_marked(batch_mock):
            assert batch_mock.options.allow_hosts == ("svc.corp.test:8080", "*.lan.test")
            assert batch_mock.lets_through("http://svc.corp.test:8080/x")
            assert batch_mock.lets_through("https://a.lan.test/")
            assert not batch_mock.lets_through("http://svc.corp.test/")
            assert not batch_mock.lets_through("https://batch.us-east-1.amazonaws.com/")
        """
    )
    pytester.runpytest_subprocess("-p", "no:randomly", "-q").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://svc.corp.test/", True),
        ("https://svc.corp.test:443/", True),
        ("http://svc.corp.test/", False),  # port 80, the list says 443
        ("https://user@svc.corp.test/", True),
        ("http://[fd00::1]:9000/", True),
        ("http://[fd00::1]:9001/", False),
        ("http://10.0.0.5/", True),
        ("http://10.0.0.6/", False),
        ("https://evil.test/svc.corp.test", False),
        ("https://svc.corp.test.evil.test/", False),
    ],
)
def test_hosts_match_by_name_and_port(url: str, allowed: bool) -> None:
    mock = BatchMock(allow_hosts=["svc.corp.test:443", "[FD00::1]:9000", "10.0.0.5"])
    assert mock.lets_through(url) is allowed


@pytest.mark.parametrize(
    "entries",
    [
        "svc.corp.test",
        ["https://svc.corp.test"],
        ["svc.corp.test/path"],
        ["svc.corp.test:http"],
        ["svc.corp.test:70000"],
        [""],
        [8080],
        ["[fd00::1"],
    ],
)
def test_an_entry_that_is_not_a_host_is_refused_at_once(entries: Any) -> None:
    with pytest.raises(ValueError, match="allow_hosts"):
        mock_batch(allow_hosts=entries)


def test_the_default_lets_nothing_but_loopback_through() -> None:
    assert MockOptions().allow_hosts == ()
    mock = BatchMock()
    assert mock.lets_through("http://127.0.0.1:9/")
    assert mock.lets_through("http://localhost/")
    assert not mock.lets_through("https://s3.amazonaws.com/")
