"""Hands every non-Batch AWS request to moto, starting moto only when the first one arrives.

Tests that only use Batch never import moto. When the test already runs moto's ``mock_aws``,
its backends answer; otherwise a ``mock_aws`` of our own is started on first use and stopped
with the mock.
"""

from __future__ import annotations

from typing import Any


class MotoBridge:
    """The lazily started moto side of one active :class:`batchmock.BatchMock`."""

    def __init__(self) -> None:
        self._own_mock: Any = None

    def handle(self, event_name: str, request: Any) -> Any:
        """moto's answer (a botocore ``AWSResponse``) to a non-Batch request, or None."""
        from moto.core.models import botocore_stubber

        if not botocore_stubber.enabled and self._own_mock is None:
            from moto import mock_aws

            # Keep boto3's default session: re-creating it costs more than the whole mock.
            self._own_mock = mock_aws(config={"core": {"reset_boto3_session": False}})
            self._own_mock.start()
        return botocore_stubber(event_name=event_name, request=request)

    @property
    def started(self) -> bool:
        """True when this bridge started a moto mock of its own."""
        return self._own_mock is not None

    def stop(self) -> None:
        """Stop the moto mock this bridge started, if any (its state is discarded)."""
        mock, self._own_mock = self._own_mock, None
        if mock is not None:
            mock.stop()
