"""Small input checks shared by the control-plane modules (names, ranges, reference lists)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.core import arns
from batchmock.errors import ClientException

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend

NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")
"""G3: names of CEs, queues, job definitions, scheduling policies, ..."""

MAX_REFS = 100
"""Describe* name lists hold at most 100 entries (§1)."""

MESSAGES = {
    "name": "{member} must be 1-128 characters of letters, numbers, hyphens and underscores, "
    "got '{value}'",
    "range": "{member} must be between {low} and {high}, got {value}",
    "at_least": "{member} must be at least {low}, got {value}",
    "refs": "{member} may name at most {limit} resources, got {count}",
}


def check_name(member: str, value: Any) -> str:
    """``value`` if it is a valid resource name (G3), else a ClientException naming ``member``."""
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise ClientException(MESSAGES["name"].format(member=member, value=value))
    return value


def check_range(member: str, value: Any, low: float, high: float) -> None:
    """Refuse a number outside ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ClientException(
            MESSAGES["range"].format(member=member, low=low, high=high, value=value)
        )


def check_at_least(member: str, value: Any, low: float) -> None:
    """Refuse a number below ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        raise ClientException(MESSAGES["at_least"].format(member=member, low=low, value=value))


def ref_list(params: Mapping[str, Any], member: str) -> list[str]:
    """The name/ARN list of a Describe* request (at most 100 entries), [] when absent."""
    refs = params.get(member) or []
    if len(refs) > MAX_REFS:
        raise ClientException(
            MESSAGES["refs"].format(member=member, limit=MAX_REFS, count=len(refs))
        )
    return list(refs)


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``values`` without the members that are None."""
    return {k: v for k, v in values.items() if v is not None}


def is_local(backend: BatchBackend, ref: str) -> bool:
    """False for an ARN of another region or account: it names nothing in this backend."""
    if not arns.is_arn(ref):
        return True
    parts = ref.split(":", 5)
    return len(parts) == 6 and parts[3] == backend.region and parts[4] == backend.account_id


def find_ce(backend: BatchBackend, ref: str) -> Any | None:
    """``backend.find_compute_environment`` restricted to this region and account."""
    return backend.find_compute_environment(ref) if is_local(backend, ref) else None


def find_queue(backend: BatchBackend, ref: str) -> Any | None:
    """``backend.find_job_queue`` restricted to this region and account."""
    return backend.find_job_queue(ref) if is_local(backend, ref) else None


def find_policy(backend: BatchBackend, ref: str) -> Any | None:
    """``backend.find_scheduling_policy`` restricted to this region and account."""
    return backend.find_scheduling_policy(ref) if is_local(backend, ref) else None
