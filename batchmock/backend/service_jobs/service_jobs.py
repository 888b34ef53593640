"""Service jobs (§18.5): SageMaker Training jobs queued through Batch.

batchmock keeps their life cycle simple on purpose: a submitted job stays SUBMITTED (nothing
schedules it onto SageMaker), it can be described, listed, re-prioritised and terminated, and
termination makes it FAILED with the caller's reason.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane import job_queues as queues
from batchmock.backend.control_plane.consumable_resources import name_matches, now_ms, parse_filters
from batchmock.backend.control_plane.tags import optional_tags
from batchmock.backend.core import arns, bulk, checks, pagination
from batchmock.backend.jobs.job_definition_rules import check_int_range, check_scheduling_priority
from batchmock.backend.service_jobs import quota_shares as shares
from batchmock.errors import ClientException, executing_request, invalid, not_found
from batchmock.service_model import documented_max, documented_min

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

SAGEMAKER = "SAGEMAKER_TRAINING"
TERMINAL = ("SUCCEEDED", "FAILED")
STATUSES = (
    "SUBMITTED",
    "PENDING",
    "RUNNABLE",
    "SCHEDULED",
    "STARTING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
)
MAX_PAYLOAD = 10 * 1024
MAX_REQUEST = 30 * 1024
FILTERS = (
    "JOB_NAME",
    "BEFORE_CREATED_AT",
    "AFTER_CREATED_AT",
    "SHARE_IDENTIFIER",
    "QUOTA_SHARE_NAME",
)
WITH_STATUS = ("SHARE_IDENTIFIER", "QUOTA_SHARE_NAME")
"""The filters that combine with jobStatus; the others list every status (model)."""

MESSAGES = {
    # [obs: fluidattacks/makes#697]
    "job_name": "Job name should match valid pattern",
    # Below: the rule's source; the wording is [inferred] (AWS's texts were not found).
    # [model] JobQueueType: SAGEMAKER_TRAINING queues are the ones for service jobs (§18.5)
    "queue_type": "job queue {queue} has type {type}; service jobs need a SAGEMAKER_TRAINING "
    "job queue",
    # [model] a DISABLED queue accepts no new jobs (§12.4); worded as SubmitJob's
    "queue_state": "JobQueue {queue} is not in ENABLED state",
    # [docs: quotas] SubmitServiceJob payload at most 10 KiB (§19)
    "payload_size": "must be at most 10 KiB, got {size} bytes",
    # [model] serviceRequestPayload is "The request, in JSON, for the service" (an object)
    "payload_json": "must be a JSON object (the request for the service): {detail}",
    # [docs: quotas] SubmitServiceJob request at most 30 KiB (§19)
    "request_size": "Service job request size must be less than 30 KiB, got {size} KiB",
    # [model] SubmitServiceJob.shareIdentifier / quotaShareName: "If the job queue has a
    # fair-share (quota share) scheduling policy, then this parameter must be specified"
    "share_required": "is required because job queue {queue} has a {kind} scheduling policy",
    # [model] the same members: "Don't specify this parameter if the job queue doesn't have" one
    "share_forbidden": "must not be given because job queue {queue} has no {kind} scheduling "
    "policy",
    # [model] quotaShareName names a quota share of the job queue (§18.6)
    "quota_share_missing": "job queue {queue} has no quota share named '{name}'",
    # [model] QuotaShare state: "If the quota share is DISABLED, new jobs won't be accepted"
    "quota_share_disabled": "quota share '{name}' is DISABLED and accepts no new jobs",
    # [model] clientToken: a second request with identical payload and token "is rejected"
    "token": "A service job with clientToken '{token}' and an identical request was already "
    "submitted",
    # [model] ServiceJobEvaluateOnExit.action: "Valid values are RETRY and EXIT" (any case, as
    # AWS accepts for jobs, §21.2 [TF])
    "action": "must be RETRY or EXIT, got {value!r}",
    # [model] onStatusReason: "up to 512 characters ... all printable characters" (read from
    # the model)
    "on_status_reason": "must be up to {limit} printable characters, optionally ending with '*'",
    # [model] ListServiceJobs.filters: "Only one filter can be used at a time"
    "one_filter": "only one filter can be used at a time, got {count}",
    # [model] BEFORE_CREATED_AT / AFTER_CREATED_AT: "a timestamp in milliseconds"
    "created_at": "must be a time in epoch milliseconds",
    # not a check: the reason a deleted quota share gives its unfinished jobs (§18.6 [model])
    "share_deleted": "Quota share {name} was deleted",
}


@dataclass
class ServiceJob:
    """One service job (times in epoch milliseconds of the mock's clock)."""

    job_id: str
    arn: str
    name: str
    job_queue_arn: str
    service_job_type: str
    service_request_payload: str
    created_at: int
    seq: int
    status: str = "SUBMITTED"
    status_reason: str | None = None
    scheduling_priority: int | None = None
    share_identifier: str | None = None
    quota_share_name: str | None = None
    retry_strategy: dict[str, Any] | None = None
    preemption_configuration: dict[str, Any] | None = None
    timeout_config: dict[str, Any] | None = None
    capacity_usage: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    started_at: int | None = None
    stopped_at: int | None = None
    is_terminated: bool = False
    client_token: str | None = None
    fingerprint: str = ""

    def summary(self) -> dict[str, Any]:
        """The ``ServiceJobSummary`` output shape."""
        return checks.drop_none(
            {
                "capacityUsage": copy.deepcopy(self.capacity_usage) or None,
                "createdAt": self.created_at,
                "jobArn": self.arn,
                "jobId": self.job_id,
                "jobName": self.name,
                "serviceJobType": self.service_job_type,
                "shareIdentifier": self.share_identifier,
                "quotaShareName": self.quota_share_name,
                "status": self.status,
                "statusReason": self.status_reason,
                "startedAt": self.started_at,
                "stoppedAt": self.stopped_at,
            }
        )

    def describe(self) -> dict[str, Any]:
        """The DescribeServiceJob output; ``startedAt`` is left out until the job starts (G7)."""
        return checks.drop_none(
            {
                "attempts": [],
                "capacityUsage": copy.deepcopy(self.capacity_usage) or None,
                "createdAt": self.created_at,
                "isTerminated": self.is_terminated,
                "jobArn": self.arn,
                "jobId": self.job_id,
                "jobName": self.name,
                "jobQueue": self.job_queue_arn,
                "retryStrategy": copy.deepcopy(self.retry_strategy),
                "schedulingPriority": self.scheduling_priority,
                "serviceRequestPayload": self.service_request_payload,
                "serviceJobType": self.service_job_type,
                "shareIdentifier": self.share_identifier,
                "quotaShareName": self.quota_share_name,
                "preemptionConfiguration": copy.deepcopy(self.preemption_configuration),
                "startedAt": self.started_at,
                "status": self.status,
                "statusReason": self.status_reason,
                "stoppedAt": self.stopped_at,
                "tags": dict(self.tags) or None,
                "timeoutConfig": copy.deepcopy(self.timeout_config),
            }
        )

    def terminate(self, reason: str, now: int) -> None:
        """FAILED with ``reason`` (a terminal job is left as it is)."""
        if self.status in TERMINAL:
            return
        self.status = "FAILED"
        self.status_reason = reason
        self.is_terminated = True
        self.stopped_at = now


def _get(backend: BatchBackend, job_id: Any) -> ServiceJob:
    found: ServiceJob | None = backend.service_jobs.get(job_id) if isinstance(job_id, str) else None
    if found is None:
        raise not_found("ServiceJob", str(job_id))
    return found


# -- SubmitServiceJob ---------------------------------------------------------------------------
def _check_retry(value: Any) -> dict[str, Any] | None:
    """§7.12: attempts 1-10 (required); the model states no count of evaluateOnExit entries for
    service jobs, so none is enforced (the issue 10 audit removed the jobs' 5)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise invalid("retryStrategy", "must be an object")
    # the model: "You can specify between 1 and 10 attempts."
    low = documented_min("SubmitServiceJob", "retryStrategy.attempts")
    high = documented_max("SubmitServiceJob", "retryStrategy.attempts")
    # [model] "between 1 and 10 attempts" (read from the model; check_int_range's wording)
    check_int_range("retryStrategy.attempts", value.get("attempts"), low or 1, high)
    entries = value.get("evaluateOnExit") or []
    if not isinstance(entries, list):
        raise invalid("retryStrategy.evaluateOnExit", "must be a list")
    longest = documented_max(
        "SubmitServiceJob", "retryStrategy.evaluateOnExit.member.onStatusReason"
    )
    for index, entry in enumerate(entries):
        path = f"retryStrategy.evaluateOnExit[{index}]"
        action = entry.get("action") if isinstance(entry, Mapping) else None
        if not isinstance(action, str) or action.upper() not in ("RETRY", "EXIT"):
            raise invalid(f"{path}.action", MESSAGES["action"].format(value=action))
        reason = entry.get("onStatusReason")
        if reason is not None and (
            not isinstance(reason, str)
            or (longest is not None and len(reason) > longest)
            or not reason.isprintable()
        ):
            raise invalid(
                f"{path}.onStatusReason", MESSAGES["on_status_reason"].format(limit=longest)
            )
    return copy.deepcopy(dict(value))


def _capacity_usage(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The model: usage is the payload's ResourceConfig instance type and count."""
    config = payload.get("ResourceConfig")
    if not isinstance(config, Mapping):
        return []
    unit, count = config.get("InstanceType"), config.get("InstanceCount")
    if not isinstance(unit, str) or isinstance(count, bool) or not isinstance(count, (int, float)):
        return []
    return [{"capacityUnit": unit, "quantity": float(count)}]


def _check_shares(backend: BatchBackend, queue: Any, params: Mapping[str, Any]) -> None:
    """shareIdentifier exactly on fair-share queues, quotaShareName exactly on quota-share ones."""
    arn = queue.scheduling_policy_arn
    policy = backend.find_scheduling_policy(arn) if arn else None
    for member, kind, has in (
        (
            "shareIdentifier",
            "fair-share",
            policy is not None and policy.fairshare_policy is not None,
        ),
        ("quotaShareName", "quota share", shares.is_quota_share_queue(backend, queue)),
    ):
        given = params.get(member) is not None
        if has and not given:
            raise invalid(member, MESSAGES["share_required"].format(queue=queue.name, kind=kind))
        if given and not has:
            raise invalid(member, MESSAGES["share_forbidden"].format(queue=queue.name, kind=kind))
    name = params.get("quotaShareName")
    if name is not None:
        share = shares.find_in_queue(backend, queue, name)
        if share is None:
            raise invalid(
                "quotaShareName",
                MESSAGES["quota_share_missing"].format(queue=queue.name, name=name),
            )
        if share.state != "ENABLED":
            raise invalid("quotaShareName", MESSAGES["quota_share_disabled"].format(name=name))


def _check_payload(value: Any) -> dict[str, Any]:
    if not isinstance(value, str):
        raise invalid("serviceRequestPayload", "must be a JSON string")
    size = len(value.encode())
    if size > MAX_PAYLOAD:
        raise invalid("serviceRequestPayload", MESSAGES["payload_size"].format(size=size))
    try:
        payload = json.loads(value)
    except ValueError as exc:
        raise invalid(
            "serviceRequestPayload", MESSAGES["payload_json"].format(detail=exc)
        ) from None
    if not isinstance(payload, dict):
        detail = f"got a JSON {type(payload).__name__}"
        raise invalid("serviceRequestPayload", MESSAGES["payload_json"].format(detail=detail))
    return payload


def _check_optional_int(member: str, parent: Any, key: str) -> dict[str, Any] | None:
    """An object whose ``key`` is an integer when given; the model states no bound for
    ``preemptionRetriesBeforeTermination`` or ``attemptDurationSeconds``, so none is enforced
    (the issue 10 audit removed the [inferred] ones)."""
    if parent is None:
        return None
    if not isinstance(parent, Mapping):
        raise invalid(member, "must be an object")
    number = parent.get(key)
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        raise invalid(f"{member}.{key}", f"must be an integer, got {number!r}")
    return copy.deepcopy(dict(parent))


def submit_service_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """SubmitServiceJob: validate everything, then a SUBMITTED service job."""
    name = checks.job_name(params.get("jobName"), "SubmitServiceJob")
    if name is None:
        raise executing_request(MESSAGES["job_name"])
    request = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    if len(request.encode()) > MAX_REQUEST:
        raise ClientException(
            MESSAGES["request_size"].format(size=-(-len(request.encode()) // 1024))
        )
    queue = queues.find(backend, params["jobQueue"])
    if queue.job_queue_type != SAGEMAKER:
        raise invalid(
            "jobQueue", MESSAGES["queue_type"].format(queue=queue.name, type=queue.job_queue_type)
        )
    if queue.state != "ENABLED":
        raise ClientException(MESSAGES["queue_state"].format(queue=queue.name))
    kind = params.get("serviceJobType")
    if kind != SAGEMAKER:
        raise invalid("serviceJobType", f"must be SAGEMAKER_TRAINING, got {kind!r}")
    payload = _check_payload(params.get("serviceRequestPayload"))
    check_scheduling_priority("schedulingPriority", params.get("schedulingPriority"))
    _check_shares(backend, queue, params)
    retry = _check_retry(params.get("retryStrategy"))
    preemption = _check_optional_int(
        "preemptionConfiguration",
        params.get("preemptionConfiguration"),
        "preemptionRetriesBeforeTermination",
    )
    timeout = _check_optional_int(
        "timeoutConfig", params.get("timeoutConfig"), "attemptDurationSeconds"
    )
    tags = optional_tags(params)
    token = params.get("clientToken")
    fingerprint = json.dumps(
        {k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True, default=str
    )
    if token is not None and any(
        j.client_token == token and j.fingerprint == fingerprint
        for j in backend.service_jobs.values()
    ):
        # the model: a repeat with the same token and payload is rejected, not deduplicated
        raise ClientException(MESSAGES["token"].format(token=token))
    job_id = arns.new_uuid()
    job = ServiceJob(
        job_id=job_id,
        arn=backend.arn(f"service-job/{job_id}"),
        name=name,
        job_queue_arn=queue.arn,
        service_job_type=SAGEMAKER,
        service_request_payload=params["serviceRequestPayload"],
        created_at=now_ms(backend),
        seq=backend.next_seq(),
        scheduling_priority=params.get("schedulingPriority"),
        share_identifier=params.get("shareIdentifier"),
        quota_share_name=params.get("quotaShareName"),
        retry_strategy=retry,
        preemption_configuration=preemption,
        timeout_config=timeout,
        capacity_usage=_capacity_usage(payload),
        tags=tags,
        client_token=token,
        fingerprint=fingerprint,
    )
    backend.service_jobs[job_id] = job
    return {"jobArn": job.arn, "jobName": name, "jobId": job_id}


# -- the other operations -----------------------------------------------------------------------
def describe_service_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """DescribeServiceJob: the full record of one service job."""
    return _get(backend, params.get("jobId")).describe()


def terminate_service_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """TerminateServiceJob: FAILED with the reason; a finished job is left alone. An unknown ID
    answers 200 ``{}`` unless the option ``unknown_service_job`` is ``"refuse"``."""
    reason = _reason(params)
    job_id = params.get("jobId")
    found = backend.service_jobs.get(job_id) if isinstance(job_id, str) else None
    if found is None:
        if backend.options.unknown_service_job == "refuse":
            raise not_found("ServiceJob", str(job_id))
        return {}
    _terminate(backend, found, reason, now_ms(backend))
    return {}


def terminate_service_jobs(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """TerminateServiceJobs: TerminateServiceJob for each ID, reported per ID (``bulk.py``);
    an unknown ID counts as processed, as the model documents."""
    reason = _reason(params)
    now = now_ms(backend)

    def one(job_id: str) -> None:
        job = backend.service_jobs.get(job_id)
        if job is not None:
            _terminate(backend, job, reason, now)

    return bulk.apply_each("TerminateServiceJobs", params, one)


def _reason(params: Mapping[str, Any]) -> str:
    # the model documents no length limit for a service job's reason
    reason = params.get("reason")
    if not isinstance(reason, str):
        raise invalid("reason", "is required")
    return reason


def update_service_job(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UpdateServiceJob: only schedulingPriority changes (0-9999)."""
    job = _get(backend, params.get("jobId"))
    priority = params.get("schedulingPriority")
    if priority is None:
        raise invalid("schedulingPriority", "is required")
    check_scheduling_priority("schedulingPriority", priority)
    # a finished job's priority is stored too: no source says AWS refuses it (issue 10 audit)
    job.scheduling_priority = priority
    return {"jobArn": job.arn, "jobName": job.name, "jobId": job.job_id}


def _created_bound(member: str, values: list[str]) -> int:
    try:
        return int(values[0])
    except (IndexError, ValueError):
        raise invalid(member, MESSAGES["created_at"]) from None


def list_service_jobs(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListServiceJobs: RUNNING jobs unless told otherwise; newest first (model)."""
    candidates = list(backend.service_jobs.values())
    if params.get("jobQueue") is not None:
        queue = queues.find(backend, params["jobQueue"])
        candidates = [j for j in candidates if j.job_queue_arn == queue.arn]
    raw_filters = params.get("filters") or []
    if len(raw_filters) > 1:
        raise invalid("filters", MESSAGES["one_filter"].format(count=len(raw_filters)))
    filters = parse_filters(params, FILTERS)
    status = params.get("jobStatus")
    if status is not None and status not in STATUSES:
        raise invalid("jobStatus", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    if not filters or set(filters) <= set(WITH_STATUS):
        wanted = status or "RUNNING"
        candidates = [j for j in candidates if j.status == wanted]
    for name, values in filters.items():
        if name == "JOB_NAME":
            candidates = [j for j in candidates if name_matches(j.name, values)]
        elif name == "SHARE_IDENTIFIER":
            candidates = [j for j in candidates if j.share_identifier in values]
        elif name == "QUOTA_SHARE_NAME":
            candidates = [j for j in candidates if j.quota_share_name in values]
        elif name == "BEFORE_CREATED_AT":
            bound = _created_bound("filters.BEFORE_CREATED_AT", values)
            candidates = [j for j in candidates if j.created_at < bound]
        else:
            bound = _created_bound("filters.AFTER_CREATED_AT", values)
            candidates = [j for j in candidates if j.created_at > bound]
    candidates.sort(key=_order, reverse=True)
    scope = "ListServiceJobs/" + json.dumps(
        [params.get("jobQueue"), status, filters], sort_keys=True
    )
    items, token = pagination.page(candidates, _order, params, scope=scope, reverse=True)
    return {"jobSummaryList": [j.summary() for j in items], "nextToken": token}


def _order(job: ServiceJob) -> tuple[int, int]:
    return job.created_at, job.seq


def terminate_in_share(backend: BatchBackend, share: Any) -> None:
    """A deleted quota share takes its unfinished service jobs with it (§18.6)."""
    now = now_ms(backend)
    for job in backend.service_jobs.values():
        if job.job_queue_arn == share.job_queue_arn and job.quota_share_name == share.name:
            _terminate(backend, job, MESSAGES["share_deleted"].format(name=share.name), now)


def _terminate(backend: BatchBackend, job: ServiceJob, reason: str, now: int) -> None:
    """The one place a service job changes status: FAILED, then the backend's listener is told
    (the mock's "Batch Service Job State Change" event); a finished job is left alone."""
    if job.status in TERMINAL:
        return
    job.terminate(reason, now)
    events = backend.service_job_events
    if events is not None:
        events(job, now)


OPERATIONS: Mapping[str, Handler] = {
    "SubmitServiceJob": submit_service_job,
    "DescribeServiceJob": describe_service_job,
    "ListServiceJobs": list_service_jobs,
    "TerminateServiceJob": terminate_service_job,
    "TerminateServiceJobs": terminate_service_jobs,
    "UpdateServiceJob": update_service_job,
}
