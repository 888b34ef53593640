"""ListJobs: which jobs, in which order, one page at a time (§5.12, §15.1-15.7, §17.9).

A queue lists its top-level jobs newest first (createdAt, then creation sequence, descending);
an array lists its children and a multi-node job its nodes, by index. Pages continue strictly
after the key of the last item returned (the shared pagination tokens), found by bisection or
by index, so listing N items in pages costs O(N) overall, never a rescan per page.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from batchmock.backend.core import arns, pagination
from batchmock.backend.jobs.job_views import STATUSES, is_array_parent, job_summary
from batchmock.errors import ClientException, invalid
from batchmock.pruned import Pruned
from batchmock.service_model import documented_max, documented_number

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend
    from batchmock.engine.job import Job

SOURCES = ("jobQueue", "arrayJobId", "multiNodeJobId")
FILTER_NAMES = (
    "JOB_NAME",
    "JOB_DEFINITION",
    "BEFORE_CREATED_AT",
    "AFTER_CREATED_AT",
    "SHARE_IDENTIFIER",
)
DEFAULT_STATUS = "RUNNING"

MESSAGES = {
    # Each rule's source is noted; AWS's texts were not found, so the wording is [inferred].
    # [model] §15.1: exactly one of the three may be given
    "sources": "Exactly one of jobQueue, arrayJobId or multiNodeJobId must be given, got {got}",
    # [obs: base2genomics/batchit#13] the text SubmitJob gives for the same unknown queue
    "queue": "JobQueue {ref} not found.",
    # [model] the JobStatus enum
    "status": "must be one of {valid}, got {value!r}",
    # [model] §15.3-15.4: one filter, its names (case-sensitive) and values
    "filters": "may hold at most one filter, got {count}",
    "filter_name": "must be one of {valid} (case-sensitive), got {value!r}",
    "filter_values": "must hold at least one string value",
    "one_value": "must hold exactly one value for {name}, got {count}",
    "epoch": "{name} must be a number of milliseconds since the epoch, got {value!r}",
    # [model] §15.5: maxResults is at least 1
    "max_results": "must be at least 1, got {value!r}",
    # [model] §15.4: "'*' is not allowed with an ARN"
    "arn_wildcard": "'*' is not supported with a job definition ARN, got {value!r}",
}


def list_jobs(
    backend: BatchBackend, params: Mapping[str, Any], before: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """ListJobs: one page of JobSummary objects and the token of the next page.

    ``before`` runs once the request is known to be valid, just before the jobs are read (the
    polling step: a rejected request must not move the simulation).
    """
    given = [name for name in SOURCES if params.get(name) is not None]
    if len(given) != 1:
        raise ClientException(MESSAGES["sources"].format(got=", ".join(given) or "none"))
    status = params.get("jobStatus")
    if status is not None and status not in STATUSES:
        raise invalid(
            "jobStatus", MESSAGES["status"].format(valid=", ".join(STATUSES), value=status)
        )
    flt = _parse_filter(params.get("filters"))
    if given[0] == "jobQueue":
        return _list_queue(backend, params, status, flt, before)
    return _list_children(backend, params, given[0], status, before)


# -- a queue: newest first ---------------------------------------------------------------------
def _list_queue(
    backend: BatchBackend,
    params: Mapping[str, Any],
    status: str | None,
    flt: tuple[str, Callable[[Job], bool], str] | None,
    before: Callable[[], None],
) -> dict[str, Any]:
    queue = backend.find_job_queue(params["jobQueue"])
    if queue is None:
        raise ClientException(MESSAGES["queue"].format(ref=params["jobQueue"]))
    if flt is not None and flt[0] != "SHARE_IDENTIFIER":
        statuses: frozenset[str] | None = None  # §15.3: a filter lists every status
    else:
        statuses = frozenset([status or DEFAULT_STATUS])
    scope = json.dumps(["ListJobs", queue.arn, sorted(statuses or ()), flt and flt[2]])
    size = _page_size(params, _filter_page_limit() if flt else _status_page_limit())
    after = _key(params["nextToken"], scope) if params.get("nextToken") is not None else None
    before()
    jobs: list[Job] = []
    for wanted in sorted(statuses) if statuses else [None]:
        jobs.extend(backend.engine.jobs_in_queue(queue.name, wanted))
    if flt is not None:
        predicate = flt[1]
        jobs = [job for job in jobs if predicate(job)]
    jobs.sort(key=_newest_first)
    keys = [_newest_first(job) for job in jobs]
    start = 0 if after is None else bisect.bisect_right(keys, after)
    chunk = jobs[start : start + size]
    token = None
    if start + size < len(jobs) and chunk:
        token = pagination.encode_token(scope, list(keys[start + len(chunk) - 1]))
    return _page([job_summary(job) for job in chunk], token)


def _page(summaries: list[dict[str, Any]], token: str | None) -> Pruned:
    """A ListJobs result; job_summary leaves None out, so it is marked as pruned already."""
    page = Pruned(jobSummaryList=summaries)
    if token is not None:
        page["nextToken"] = token
    return page


def _newest_first(job: Job) -> tuple[int, int]:
    """Ascending order of this key is newest first: later createdAt, then later creation."""
    return (-job.created_at, -job.seq)


def _key(token: Any, scope: str) -> tuple[int, int]:
    key = pagination.decode_token(token, scope)
    if (
        not isinstance(key, tuple)
        or len(key) != 2
        or not all(isinstance(part, int) for part in key)
    ):
        raise ClientException(pagination.MESSAGES["token"].format(token=token))
    return (int(key[0]), int(key[1]))


# -- children of an array, nodes of a multi-node job: by index ----------------------------------
def _list_children(
    backend: BatchBackend,
    params: Mapping[str, Any],
    source: str,
    status: str | None,
    before: Callable[[], None],
) -> dict[str, Any]:
    job_id = params[source]
    parent = backend.engine.get(job_id)
    if (
        parent is None
        or (source == "arrayJobId" and not is_array_parent(parent))
        or (source == "multiNodeJobId" and (parent.is_child or parent.spec.node_properties is None))
    ):
        # No source says AWS refuses an ID that names no array (or multi-node) job: like
        # DescribeJobs and CancelJob of an unknown ID (§21.2), it lists nothing.
        before()
        return _page([], None)
    # §15.3: filters do not apply to children and nodes; jobStatus does
    wanted = status or DEFAULT_STATUS
    scope = json.dumps(["ListJobs", source, parent.job_id, wanted])
    children: Sequence[Job] = parent.children
    size = _page_size(params, _status_page_limit())
    start = 0
    if params.get("nextToken") is not None:
        last = pagination.decode_token(params["nextToken"], scope)
        if isinstance(last, bool) or not isinstance(last, int):
            raise ClientException(pagination.MESSAGES["token"].format(token=params["nextToken"]))
        start = last + 1
    before()
    chunk: list[Job] = []
    position = start
    while position < len(children) and len(chunk) < size:
        if children[position].status == wanted:
            chunk.append(children[position])
        position += 1
    token = None
    if chunk and any(child.status == wanted for child in _rest(children, position)):
        token = pagination.encode_token(scope, position - 1)
    return _page([job_summary(job) for job in chunk], token)


def _rest(children: Sequence[Job], position: int) -> Iterable[Job]:
    for index in range(position, len(children)):
        yield children[index]


# -- filters (§15.3-15.4) -------------------------------------------------------------------------
def _status_page_limit() -> int:
    """§15.5: with jobStatus (or nothing) a page holds up to 1000 jobs (the model's text)."""
    found = documented_number(
        "ListJobs", "maxResults", r"--job-status is used, \w+ returns up to ([\d,]+)"
    )
    return found or documented_max("ListJobs", "maxResults") or pagination.DEFAULT_LIMIT


def _filter_page_limit() -> int:
    """§15.5: with filters a page holds up to 100 jobs (the model's text)."""
    found = documented_number(
        "ListJobs", "maxResults", r"--filters is used, \w+ returns up to ([\d,]+)"
    )
    return found or _status_page_limit()


def _page_size(params: Mapping[str, Any], limit: int) -> int:
    """maxResults (at least 1); a larger value gets at most ``limit`` jobs per page (§15.5)."""
    value = params.get("maxResults")
    if value is None:
        return limit
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid("maxResults", MESSAGES["max_results"].format(value=value))
    return min(value, limit)


def _parse_filter(filters: Any) -> tuple[str, Callable[[Job], bool], str] | None:
    """(name, predicate, canonical text) of the one filter, or None without filters."""
    if not filters:
        return None
    if len(filters) > 1:
        raise invalid("filters", MESSAGES["filters"].format(count=len(filters)))
    name, values = filters[0].get("name"), filters[0].get("values")
    if name not in FILTER_NAMES:
        raise invalid(
            "filters[0].name",
            MESSAGES["filter_name"].format(valid=", ".join(FILTER_NAMES), value=name),
        )
    if not values or not all(isinstance(v, str) for v in values):
        raise invalid("filters[0].values", MESSAGES["filter_values"])
    canonical = json.dumps([name, list(values)])
    if name == "JOB_NAME":
        return name, _any_of([_name_matcher(v) for v in values]), canonical
    if name == "JOB_DEFINITION":
        return name, _any_of([_definition_matcher(v) for v in values]), canonical
    if name == "SHARE_IDENTIFIER":
        wanted = set(values)
        return name, lambda job: job.spec.share_identifier in wanted, canonical
    if len(values) != 1:
        raise invalid(
            "filters[0].values", MESSAGES["one_value"].format(name=name, count=len(values))
        )
    text = values[0].strip()
    if not text.isdigit():
        raise invalid("filters[0].values", MESSAGES["epoch"].format(name=name, value=values[0]))
    moment = int(text)
    if name == "BEFORE_CREATED_AT":
        return name, lambda job: job.created_at < moment, canonical
    return name, lambda job: job.created_at > moment, canonical


def _any_of(matchers: list[Callable[[Job], bool]]) -> Callable[[Job], bool]:
    if len(matchers) == 1:
        return matchers[0]
    return lambda job: any(match(job) for match in matchers)


def _name_matcher(value: str) -> Callable[[Job], bool]:
    """JOB_NAME: case-insensitive; a trailing ``*`` matches by prefix."""
    wanted = value.lower()
    if wanted.endswith("*"):
        prefix = wanted[:-1]
        return lambda job: job.name.lower().startswith(prefix)
    return lambda job: job.name.lower() == wanted


def _definition_matcher(value: str) -> Callable[[Job], bool]:
    """JOB_DEFINITION: case-sensitive name (every revision), ``name*`` prefix, or one revision."""
    if arns.is_arn(value):
        if "*" in value:
            raise invalid("filters[0].values", MESSAGES["arn_wildcard"].format(value=value))
        kind, rest = arns.resource_of(value)
        name, _, revision = rest.rpartition(":")
        if kind == "job-definition" and name and revision.isdigit():
            return lambda job: job.spec.definition.arn == value
        bare = rest  # an ARN without a revision names every revision
        return lambda job: kind == "job-definition" and job.spec.definition.name == bare
    if value.endswith("*"):
        prefix = value[:-1]
        return lambda job: str(job.spec.definition.name).startswith(prefix)
    name, colon, revision = value.partition(":")
    if colon and revision.isdigit():
        number = int(revision)
        return lambda job: (
            job.spec.definition.name == name and job.spec.definition.revision == number
        )
    return lambda job: job.spec.definition.name == value
