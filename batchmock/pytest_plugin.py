"""The pytest plugin (entry point ``pytest11``): fixtures ``batch_mock``, ``batch_client`` and
``batch_server``, configured by the marker ``@pytest.mark.batch_mock(**options)``.

When a test that used a mock fails (the fixtures, or ``mock_batch`` as a decorator or ``with``
block inside the test), its report gets a ``batchmock timeline`` section: each job's status
history on the mock's clock, attempts, exit codes and statusReason. ``--no-batchmock-timeline``
or the ini option ``batchmock_timeline = false`` turns it off; ``batchmock_timeline_max_jobs``
bounds it (the first and last jobs are shown, the others counted).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from batchmock.observe import recorder

if TYPE_CHECKING:
    from batchmock.mock import BatchMock
    from batchmock.server.threaded import ThreadedServer

MARKER = "batch_mock"
TIMELINE_SECTION = "batchmock timeline"
_RECORDING = pytest.StashKey["recorder.Recording"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The timeline options: ini ``batchmock_timeline``, ``batchmock_timeline_max_jobs``, and
    the command line's ``--no-batchmock-timeline``."""
    parser.addini(
        "batchmock_timeline",
        "add each mock's job timeline to the report of a failing test (default true)",
        type="bool",
        default=True,
    )
    parser.addini(
        "batchmock_timeline_max_jobs",
        "jobs a failure report's timeline shows per mock; the first and last are kept (default 40)",
        default="40",
    )
    parser.getgroup("batchmock").addoption(
        "--no-batchmock-timeline",
        action="store_true",
        default=False,
        help="do not add the mock's job timeline to the report of a failing test",
    )


def _timeline_enabled(config: pytest.Config) -> bool:
    return bool(config.getini("batchmock_timeline")) and not config.getoption(
        "no_batchmock_timeline", False
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """Record the mocks that start while this test runs (setup, call and teardown)."""
    if not _timeline_enabled(item.config):
        yield
        return
    recording = recorder.open_recording()
    item.stash[_RECORDING] = recording
    try:
        yield
    finally:
        recorder.close_recording(recording)
        del item.stash[_RECORDING]  # the mocks' state goes with the test


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """A failing test's report gets the timeline of every mock it used."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    recording = item.stash.get(_RECORDING, None)
    if not report.failed or recording is None:
        return
    text = timeline_section(recording, _max_jobs(item.config))
    if text:
        report.sections.append((TIMELINE_SECTION, text))


def _max_jobs(config: pytest.Config) -> int:
    raw = config.getini("batchmock_timeline_max_jobs")
    try:
        return max(2, int(raw))
    except (TypeError, ValueError):
        raise pytest.UsageError(
            f"batchmock_timeline_max_jobs must be a whole number, got {raw!r}"
        ) from None


def timeline_section(recording: recorder.Recording, max_jobs: int) -> str:
    """The report section: one block per mock the test used (empty if it used none)."""
    from batchmock.observe.timeline import report

    sources = recording.sources()
    blocks = []
    for n, (backends, now_ms, clock) in enumerate(sources, 1):
        label = "mock" if len(sources) == 1 else f"mock {n} of {len(sources)}"
        blocks.append(report(backends, now_ms, clock, label=label, max_jobs=max_jobs))
    return "\n".join(blocks)


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
    recorder.note_started(shared.mock)  # started before this test: its jobs are this test's
    try:
        yield shared
    finally:
        shared.mock.reset()
