"""ARNs and identifiers exactly as reference §3 gives them."""

from __future__ import annotations

import uuid

PARTITION = "aws"


def batch_arn(region: str, account_id: str, resource: str) -> str:
    """``arn:aws:batch:<region>:<account>:<resource>``."""
    return f"arn:{PARTITION}:batch:{region}:{account_id}:{resource}"


def is_arn(ref: str) -> bool:
    """True when ``ref`` looks like an ARN rather than a bare name."""
    return ref.startswith("arn:")


def resource_of(arn: str) -> tuple[str, str]:
    """Split a Batch ARN into (resource type, rest): ``("job-queue", "q")``."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "batch":
        return "", ""
    kind, _, rest = parts[5].partition("/")
    return kind, rest


def name_from(
    ref: str, kind: str, region: str | None = None, account_id: str | None = None
) -> str | None:
    """The name in a name-or-ARN reference of resource type ``kind``.

    None for an ARN of another resource type, or (when ``region``/``account_id`` are given) of
    another region or account: such an ARN names nothing in this backend.
    """
    if not is_arn(ref):
        return ref
    found_kind, rest = resource_of(ref)
    if found_kind != kind:
        return None
    parts = ref.split(":", 5)
    if (region is not None and parts[3] != region) or (
        account_id is not None and parts[4] != account_id
    ):
        return None
    return rest


def new_uuid() -> str:
    """A lower-case UUID4 string, the format of job IDs (§3.1)."""
    return str(uuid.uuid4())
