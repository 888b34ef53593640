"""The table of implemented Batch operations: each resource module's ``OPERATIONS`` joined."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

from batchmock.backend.backend import Handler

# The modules that implement operations, one resource each.
_MODULES = (
    "compute_environments",
    "job_queues",
    "job_definitions",
    "scheduling_policies",
    "tags",
    "jobs",
    "consumable_resources",
    "service_environments",
    "service_jobs",
    "quota_shares",
)


def _collect() -> Mapping[str, Handler]:
    table: dict[str, Handler] = {}
    for name in _MODULES:
        try:
            module = importlib.import_module(f"batchmock.backend.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"batchmock.backend.{name}":
                raise
            continue
        table.update(module.OPERATIONS)
    return MappingProxyType(table)


OPERATIONS: Mapping[str, Handler] = _collect()
