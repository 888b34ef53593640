"""Fixtures of the server tests: a running ThreadedServer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchmock.server import ThreadedServer


@pytest.fixture
def server() -> Iterator[ThreadedServer]:
    """A server with its own mock: virtual clock, jobs move only when the test says so."""
    with ThreadedServer(auto_advance=False) as running:
        yield running
