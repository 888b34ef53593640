"""Small input checks shared by the control-plane modules (names, ranges, reference lists)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.core import arns
from batchmock.errors import ClientException
from batchmock.service_model import documented_max

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend

NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
"""G3: the characters of names of CEs, queues, job definitions, scheduling policies, ...; the
length limit is the one the model documents for each name member ("up to 128")."""

JOB_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

MESSAGES = {
    # [model] G3: names are letters, digits, hyphens and underscores, up to the length the
    # model documents for each name member (text [inferred])
    "name": "{member} must be 1-{limit} characters of letters, numbers, hyphens and underscores, "
    "got '{value}'",
    "name_unbounded": "{member} must be letters, numbers, hyphens and underscores, got '{value}'",
    # [model] the range each caller cites (text [inferred])
    "range": "{member} must be between {low} and {high}, got {value}",
    "at_least": "{member} must be at least {low}, got {value}",
    # [model] Describe* name lists hold at most 100 entries (§1) (text [inferred])
    "refs": "{member} may name at most {limit} resources, got {count}",
}


def check_name(member: str, value: Any, operation: str) -> str:
    """``value`` if it is a valid resource name (G3), else a ClientException naming ``member``.

    The longest name is what the model documents for ``operation``'s ``member``.
    """
    limit = documented_max(operation, member)
    if (
        not isinstance(value, str)
        or not NAME_RE.fullmatch(value)
        or (limit is not None and len(value) > limit)
    ):
        if limit is None:
            raise ClientException(MESSAGES["name_unbounded"].format(member=member, value=value))
        raise ClientException(MESSAGES["name"].format(member=member, limit=limit, value=value))
    return value


def job_name(value: Any, operation: str) -> str | None:
    """``value`` if it is a valid job name, else None. G3: a job name starts with a letter or
    digit, then letters, digits, ``-`` and ``_``, at most as long as the model documents for
    ``operation``'s ``jobName`` ("up to 128")."""
    if not isinstance(value, str) or not JOB_NAME_RE.fullmatch(value):
        return None
    limit = documented_max(operation, "jobName")
    return value if limit is None or len(value) <= limit else None


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


def ref_list(params: Mapping[str, Any], member: str, operation: str) -> list[str]:
    """The name/ARN list of a Describe* request, [] when absent; at most as many entries as
    the model documents for ``operation``'s ``member`` ("A list of up to 100 ...")."""
    refs = params.get(member) or []
    limit = documented_max(operation, member)
    if limit is not None and len(refs) > limit:
        raise ClientException(MESSAGES["refs"].format(member=member, limit=limit, count=len(refs)))
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
