"""batchmock: an in-memory AWS Batch for test suites, as faithful as we can make it."""

from __future__ import annotations

from batchmock._version import __version__
from batchmock.executors.base import Outcome
from batchmock.interceptor import patch_client
from batchmock.mock import BatchMock, mock_batch
from batchmock.options import Delays, MockOptions

__all__ = [
    "BatchMock",
    "Delays",
    "MockOptions",
    "Outcome",
    "__version__",
    "mock_batch",
    "patch_client",
]

BatchMock.__module__ = "batchmock"
