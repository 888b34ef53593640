"""The bulk forms of the single-job verbs: CancelJobs, TerminateJobs, TerminateServiceJobs.

Each bulk operation applies its single-job form (CancelJob, TerminateJob, TerminateServiceJob)
to every ID of ``jobs`` and reports per ID, as the model's output shape says: ``successful``
holds the IDs whose request was accepted, ``errors`` one ``{job, code, message}`` per ID that
was not. What the model's documentation of these operations says, and how it is followed:

- "The response returns an HTTP status code of 200 even when some jobs encountered errors":
  a problem with one ID is an entry in ``errors``, never an error of the call.
- "Jobs that can't be found are treated as successfully processed": an unknown ID is listed in
  ``successful``, just as the single forms answer 200 ``{}`` for one (reference §21.2).
- "Jobs that progressed to the STARTING or RUNNING state aren't cancelled" (CancelJobs), and
  CancelJob "still succeeds, even if no job is cancelled": such a job is in ``successful``,
  since ``successful`` lists the IDs "whose cancellation request was accepted", and the
  single form accepts it.
- ``code`` is one of the documented values; ``ValidationException`` is for "a job identifier
  in the request [that] is malformed or isn't valid". [inferred] Since AWS accepts any string
  as a job ID in the single forms (aws/aws-cli#2551: TerminateJob "Whatever-string" answered
  200), only an empty ID is malformed. A ClientException the single form raises for one ID is
  reported under ``ClientException`` with its message.
- "up to 50" IDs: the limit is read from the documentation of ``jobs`` in the installed model;
  more is a ClientException for the whole request (nothing is changed), as DescribeJobs
  refuses more than its 100. Request members (``reason``) are checked once, before any job is
  touched: a bad reason is wrong for every ID alike.
- [inferred] An empty ``jobs`` list (the model sets no minimum) answers two empty lists, and an
  ID given twice is processed and reported once, in the order of its first appearance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from batchmock.errors import BatchError, invalid
from batchmock.service_model import documented_max

__all__ = ["MESSAGES", "apply_each", "id_limit"]

MESSAGES = {
    # [inferred] AWS's texts are not known
    "too_many": "must hold at most {limit} job IDs, got {count}",
    "empty_id": "A job ID must not be empty",
}


def id_limit(operation: str) -> int | None:
    """How many IDs one call of ``operation`` takes, as the model's documentation says."""
    return documented_max(operation, "jobs")


def apply_each(
    operation: str, params: Mapping[str, Any], one: Callable[[str], None]
) -> dict[str, Any]:
    """Apply ``one`` (the single-job form) to every ID of ``params["jobs"]``; the per-ID result.

    ``one(job_id)`` returns when the request for that ID is accepted (an unknown ID included)
    and raises :class:`~batchmock.errors.BatchError` when it is not.
    """
    ids: list[str] = list(params.get("jobs") or [])
    limit = id_limit(operation)
    if limit is not None and len(ids) > limit:
        raise invalid("jobs", MESSAGES["too_many"].format(limit=limit, count=len(ids)))
    successful: list[str] = []
    errors: list[dict[str, str]] = []
    for job_id in dict.fromkeys(ids):
        if not job_id:
            errors.append(
                {"job": job_id, "code": "ValidationException", "message": MESSAGES["empty_id"]}
            )
            continue
        try:
            one(job_id)
        except BatchError as exc:
            errors.append({"job": job_id, "code": exc.code, "message": exc.message})
        else:
            successful.append(job_id)
    return {"successful": successful, "errors": errors}
