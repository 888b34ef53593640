"""BackendRegistry: the lazily filled map from (account, region) to a BatchBackend."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from batchmock.backend.core.backend import BatchBackend, ServiceJobEvents
from batchmock.backend.operations import OPERATIONS

if TYPE_CHECKING:
    from batchmock.engine.runtime import Runtime
    from batchmock.options import MockOptions


class BackendRegistry:
    """Every backend of one mock; a backend is made the first time its account/region is used."""

    def __init__(
        self,
        options: MockOptions,
        runtime: Runtime,
        service_job_events: Callable[[BatchBackend], ServiceJobEvents | None] | None = None,
    ) -> None:
        self.options = options
        self.runtime = runtime
        self._service_job_events = service_job_events
        """Makes the service-job status listener of each new backend (None: no listener)."""
        self._backends: dict[tuple[str, str], BatchBackend] = {}
        self._lock = threading.Lock()

    def get(self, account_id: str | None = None, region: str | None = None) -> BatchBackend:
        """The backend of ``account_id`` in ``region`` (the mock's defaults when omitted)."""
        key = (account_id or self.options.account_id, region or self.options.region)
        backend = self._backends.get(key)
        if backend is None:
            with self._lock:
                backend = self._backends.get(key)
                if backend is None:
                    backend = BatchBackend(
                        key[0],
                        key[1],
                        self.options,
                        self.runtime.engine_for,
                        OPERATIONS,
                        self._service_job_events,
                    )
                    self._backends[key] = backend
        return backend

    def __iter__(self) -> Iterator[BatchBackend]:
        return iter(list(self._backends.values()))
