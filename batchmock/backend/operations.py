"""The table of implemented Batch operations: each resource module's ``OPERATIONS`` joined."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from batchmock.backend.control_plane import (
    compute_environments,
    consumable_resources,
    job_queues,
    scheduling_policies,
    tags,
)
from batchmock.backend.core.backend import Handler
from batchmock.backend.jobs import job_definitions, jobs
from batchmock.backend.service_jobs import quota_shares, service_environments, service_jobs

_MODULES = (
    compute_environments,
    job_queues,
    job_definitions,
    scheduling_policies,
    tags,
    jobs,
    consumable_resources,
    service_environments,
    service_jobs,
    quota_shares,
)


def _collect() -> Mapping[str, Handler]:
    table: dict[str, Handler] = {}
    for module in _MODULES:
        overlap = set(table) & set(module.OPERATIONS)
        if overlap:
            raise RuntimeError(f"{module.__name__} implements {overlap} a second time")
        table.update(module.OPERATIONS)
    return MappingProxyType(table)


OPERATIONS: Mapping[str, Handler] = _collect()
