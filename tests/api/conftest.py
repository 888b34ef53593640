"""Fixtures of the API tests: a mock whose clock moves only when the test says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from batchmock import BatchMock, mock_batch
from tests.support import make_env


@pytest.fixture
def still() -> Iterator[BatchMock]:
    """A mock with ``ce``, ``q`` and ``jd`` whose statuses stay where they are between calls."""
    with mock_batch(auto_advance=False) as active:
        make_env(active.client())
        yield active


@pytest.fixture
def still_client(still: BatchMock) -> Any:
    """A boto3 Batch client of the ``still`` mock."""
    return still.client()
