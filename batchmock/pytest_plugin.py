"""The pytest plugin (entry point ``pytest11``): fixtures ``batch_mock``, ``batch_client`` and
``batch_server``, configured by the marker ``@pytest.mark.batch_mock(**options)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from batchmock.mock import BatchMock
    from batchmock.server.threaded import ThreadedServer

MARKER = "batch_mock"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so ``--strict-markers`` suites accept it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the batch_mock and batch_server fixtures "
        "(fields of batchmock.MockOptions); markers on the module, class and test are merged, "
        "the closest one winning",
    )


def marker_options(node: pytest.Item) -> dict[str, Any]:
    """The options of every ``batch_mock`` marker on ``node``, outermost first, merged."""
    options: dict[str, Any] = {}
    for mark in reversed(list(node.iter_markers(MARKER))):
        if mark.args:
            raise TypeError(f"@pytest.mark.{MARKER} takes keyword options only, got {mark.args!r}")
        options.update(mark.kwargs)
    return options


@pytest.fixture
def batch_mock(request: pytest.FixtureRequest) -> Iterator[BatchMock]:
    """An active ``mock_batch`` (its controller), fresh for each test."""
    from batchmock.mock import mock_batch

    with mock_batch(**marker_options(request.node)) as mock:
        yield mock


@pytest.fixture
def batch_client(batch_mock: BatchMock) -> Any:
    """A boto3 Batch client in the mock's region, answered by ``batch_mock``."""
    return batch_mock.client()


@pytest.fixture(scope="session")
def _batchmock_shared_server() -> Iterator[ThreadedServer]:
    from batchmock.server.threaded import ThreadedServer

    with ThreadedServer() as server:
        yield server


@pytest.fixture
def batch_server(request: pytest.FixtureRequest) -> Iterator[ThreadedServer]:
    """A running batchmock server (``.endpoint_url``, ``.mock``), empty at the start of each test.

    With default options one server serves the whole session and is reset after every test. A
    test that also uses ``batch_mock`` gets a server over that very mock (what the test sees and
    what the server's clients see is one state); a test with ``batch_mock`` marker options gets
    a server of its own.
    """
    from batchmock.server.threaded import ThreadedServer

    if "batch_mock" in request.fixturenames:
        with ThreadedServer(request.getfixturevalue("batch_mock")) as own:
            yield own
        return
    options = marker_options(request.node)
    if options:
        with ThreadedServer(**options) as own:
            yield own
        return
    shared: ThreadedServer = request.getfixturevalue("_batchmock_shared_server")
    try:
        yield shared
    finally:
        shared.mock.reset()
