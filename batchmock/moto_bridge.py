"""Hands every non-Batch AWS request to moto, starting moto only when the first one arrives.

Tests that only use Batch never import moto. When the test already runs moto's ``mock_aws``,
its backends answer; otherwise a ``mock_aws`` of our own is started on first use and stopped
with the mock.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

# botocore calls *every* before-send handler and keeps the first answer, so moto's handler, when a
# client carries it, would execute again each request batchmock already answered (a Batch request
# against moto's own Batch backend; a non-Batch one a second time, with its body stream already
# read). Answered requests are marked, and moto's stubber is taught to pass over marked ones.
_ANSWERED = "_batchmock_answered"


def mark_answered(request: Any) -> None:
    """Record that batchmock answered ``request``, so moto's handler leaves it alone."""
    setattr(request, _ANSWERED, True)
    if "moto.core.models" in sys.modules:
        _guard_moto()


def _guard_moto() -> None:
    from moto.core.models import botocore_stubber

    original = botocore_stubber.process_request
    if getattr(original, "_batchmock_guard", False):
        return

    def process_request(request: Any) -> Any:
        if getattr(request, _ANSWERED, False):
            return None
        return original(request)

    process_request._batchmock_guard = True  # type: ignore[attr-defined]
    botocore_stubber.process_request = process_request  # type: ignore[method-assign]


class MotoBridge:
    """The lazily started moto side of one active :class:`batchmock.BatchMock`."""

    def __init__(self) -> None:
        self._own_mock: Any = None
        self._lock = threading.Lock()

    def handle(self, event_name: str, request: Any) -> Any:
        """moto's answer (a botocore ``AWSResponse``) to a non-Batch request, or None."""
        from moto.core.models import botocore_stubber

        self.ensure_started()
        return botocore_stubber(event_name=event_name, request=request)

    def ensure_started(self) -> None:
        """Start a moto mock of our own now unless one (ours or the test's) is active.

        Starting moto resets its state, so code that writes to moto's backends directly (the
        real executors' CloudWatch Logs, the server jobs call) calls this first.
        """
        from moto.core.models import botocore_stubber

        with self._lock:
            if not botocore_stubber.enabled and self._own_mock is None:
                from moto import mock_aws

                # Keep boto3's default session: re-creating it costs more than the whole mock.
                # The credentials in the environment are the mock's own (see fake_env.py).
                self._own_mock = mock_aws(
                    config={"core": {"reset_boto3_session": False, "mock_credentials": False}}
                )
                self._own_mock.start()

    @property
    def started(self) -> bool:
        """True when this bridge started a moto mock of its own."""
        return self._own_mock is not None

    def stop(self) -> None:
        """Stop the moto mock this bridge started, if any (its state is discarded)."""
        mock, self._own_mock = self._own_mock, None
        if mock is not None:
            mock.stop()
