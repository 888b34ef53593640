"""The table of implemented Batch operations: each resource module's ``OPERATIONS`` joined."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from batchmock.backend import (
    compute_environments,
    consumable_resources,
    job_definitions,
    job_queues,
    jobs,
    quota_shares,
    scheduling_policies,
    service_environments,
    service_jobs,
    tags,
)
from batchmock.backend.backend import Handler

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
