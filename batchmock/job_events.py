"""Batch's events on moto's EventBridge (source ``aws.batch``): each job status change ("Batch
Job State Change"), each service job status change ("Batch Service Job State Change") and each
blocked job queue found ("Batch Job Queue Blocked").

AWS Batch sends an event to the default event bus of the job's account and region each time a
job it has accepted changes status; none for the submission itself (User Guide, "Job state
change events"). The event carries the job as DescribeJobs shows it at that moment::

    {"version": "0", "id": "<uuid>", "detail-type": "Batch Job State Change",
     "source": "aws.batch", "account": "<account>", "time": "2022-01-11T23:36:40Z",
     "region": "<region>", "resources": ["<job ARN>"], "detail": {<JobDetail>}}

The engine tells :meth:`EventBridgeSink.changed` of each change (``Engine.job_events``, set by the
runtime for every engine when ``MockOptions.job_state_events`` is on). The sink renders the
job's JobDetail at once (``job_views.job_detail``, with AWS's empty defaults), builds the event
as moto's ``EventsBackend.put_events`` builds it, and hands it to each enabled rule of the bus
that moto's pattern matcher accepts, synchronously: the targets (an SQS queue, CloudWatch Logs,
another bus) receive the changes in the order they happened, stamped with the mock clock's
time in whole seconds.

Delivery: a rule whose targets are all standard SQS queues of the job's account and region,
without an input transformer, gets the message moto's own delivery would write (its default
input template, ``time`` in ISO-8601), stored with moto's ``Queue.add_message``. moto's own
delivery costs milliseconds per event and more as the queue fills (it builds a JSONPath parser
for each of its template's eight input paths, and ``SQSBackend.send_message`` counts the
queue's messages on each send). Every other rule is delivered by moto
(``Rule.send_to_targets``).

It costs nothing without a rule: moto's EventBridge is looked at without importing moto or
creating a backend (``sys.modules`` and plain ``dict`` lookups), and an event is rendered only
when the default bus of the job's account and region has a rule. A delivery moto refuses (a
target that no longer exists, a message over the queue's size limit, moto's EventBridge without
its ``jsonpath_ng`` dependency) is a :class:`JobEventWarning` naming the rule, never an error of
the job, and the other rules still get the event.

Array children and multi-node nodes change status as jobs of their own and so send their own
events; a child created PENDING with its array sends none for that first status [inferred, as
for a job's submission].

Service jobs (SubmitServiceJob) send "Batch Service Job State Change" events the same way (User
Guide, "Service job state change events"): none for the submission, one for each later change,
``resources`` the service job's ARN, ``detail`` the job as DescribeServiceJob shows it at that
moment without ``tags`` and ``serviceRequestPayload`` (the User Guide leaves both out). Service
jobs change status in the backend, not in the engine (``service_jobs._terminate``, told through
``BatchBackend.service_job_events``, which :func:`service_sink_factory` fills).

A job queue blocked by its head job sends "Batch Job Queue Blocked" (User Guide, "Job queue
blocked events": each time Batch finds a RUNNABLE job blocking its queue; the reason is the
job's statusReason): when the scheduler gives the head job a blocked-queue reason
(``Engine.set_blocked_reason``, told through ``Engine.queue_blocked``), ``resources`` the job's
and the queue's ARNs, ``detail`` the job as DescribeJobs shows it then. The same reason found
again sends nothing: only a new finding does [inferred: the User Guide does not say how often].
"""

from __future__ import annotations

import json
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from batchmock.backend.jobs.job_views import job_detail
from batchmock.errors import JobEventWarning

if TYPE_CHECKING:
    from batchmock.backend.core.backend import ServiceJobEvents
    from batchmock.engine.engine import JobEvents, QueueBlocked
    from batchmock.engine.job import Job
    from batchmock.engine.resources import Resources
    from batchmock.options import MockOptions

SOURCE = "aws.batch"
DETAIL_TYPE = "Batch Job State Change"
SERVICE_DETAIL_TYPE = "Batch Service Job State Change"
BLOCKED_DETAIL_TYPE = "Batch Job Queue Blocked"
SERVICE_LEFT_OUT = ("tags", "serviceRequestPayload")
"""DescribeServiceJob members a service job's event leaves out (User Guide)."""
DEFAULT_BUS = "default"
_MOTO_EVENTS = "moto.events.models"
_MOTO_SQS = "moto.sqs.models"
_MOTO_RANDOM = "moto.moto_api._internal"
_PLAIN_TARGET = frozenset({"Id", "Arn", "RoleArn", "DeadLetterConfig", "RetryPolicy"})
"""Target members that change nothing in what moto delivers to an SQS queue."""
_MAX_DELAY = 900
"""SQS's longest DelaySeconds: a queue whose default delay is longer is left to moto."""
_loaded = sys.modules.get


def sink_factory(options: MockOptions) -> Callable[[Resources], JobEvents | None] | None:
    """What ``Runtime`` calls for each new engine; None when the option turns events off."""
    if not options.job_state_events:
        return None
    return _make_sink


def _make_sink(backend: Resources) -> JobEvents:
    # a bound method: the engine calls it on every change, and that call is the whole cost
    # of events without a rule (a class's __call__ costs twice as much)
    return EventBridgeSink(backend.account_id, backend.region).changed


def service_sink_factory(
    options: MockOptions,
) -> Callable[[Resources], ServiceJobEvents | None] | None:
    """What ``BackendRegistry`` calls for each new backend: the listener of its service jobs'
    status changes; None when the option turns events off."""
    if not options.job_state_events:
        return None
    return _make_service_sink


def _make_service_sink(backend: Resources) -> ServiceJobEvents:
    return EventBridgeSink(backend.account_id, backend.region).service_job_changed


def blocked_sink_factory(options: MockOptions) -> Callable[[Resources], QueueBlocked | None] | None:
    """What ``Runtime`` calls for each new engine: the listener of its blocked queues; None when
    the option turns events off."""
    if not options.job_state_events:
        return None
    return _make_blocked_sink


def _make_blocked_sink(backend: Resources) -> QueueBlocked:
    return EventBridgeSink(backend.account_id, backend.region).queue_blocked


class EventBridgeSink:
    """Puts each status change of one account and region's jobs and service jobs on moto's
    default bus."""

    __slots__ = ("account_id", "region")

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def changed(self, job: Job) -> None:
        """``job`` has just changed status (the engine's lock is held)."""
        models = _loaded(_MOTO_EVENTS)
        if models is None:
            return  # nothing has used moto's EventBridge in this process: no rule exists
        events = self.listened(models)
        if events is not None:
            self.put(events, job)

    def service_job_changed(self, job: Any, changed_ms: int) -> None:
        """The service job ``job`` has just changed status, at ``changed_ms`` on the mock's
        clock (the backend's lock is held)."""
        models = _loaded(_MOTO_EVENTS)
        events = None if models is None else self.listened(models)
        if events is None:
            return
        subject = f"service job {job.job_id} ({job.status})"
        try:
            detail = {k: v for k, v in job.describe().items() if k not in SERVICE_LEFT_OUT}
        except Exception as exc:  # the change is made: a failure here must not undo it
            _warn(SERVICE_DETAIL_TYPE, subject, f"{type(exc).__name__}: {exc}")
            return
        self.deliver(events, SERVICE_DETAIL_TYPE, [job.arn], detail, changed_ms, subject)

    def queue_blocked(self, job: Job, found_ms: int) -> None:
        """``job``, RUNNABLE at the head of its queue, was found blocking it at ``found_ms`` (its
        statusReason, just set, says why; the engine's lock is held)."""
        models = _loaded(_MOTO_EVENTS)
        events = None if models is None else self.listened(models)
        if events is None:
            return
        subject = f"job {job.job_id} ({job.status})"
        try:
            detail = job_detail(job)
            resources = [job.arn, job.spec.queue.arn]
        except Exception as exc:  # the reason is set: a failure here must not undo it
            _warn(BLOCKED_DETAIL_TYPE, subject, f"{type(exc).__name__}: {exc}")
            return
        self.deliver(events, BLOCKED_DETAIL_TYPE, resources, detail, found_ms, subject)

    def listened(self, models: Any) -> Any:
        """moto's EventBridge of this account and region when its default bus has a rule."""
        events = self.events_backend(models)
        if events is None:
            return None
        buses = getattr(events, "event_buses", None)
        bus = buses.get(DEFAULT_BUS) if isinstance(buses, dict) else None
        if bus is None or not getattr(bus, "rules", None):
            return None
        return events

    def events_backend(self, models: Any) -> Any:
        """moto's EventBridge of this account and region if it exists, without creating it
        (indexing moto's backend dictionaries would)."""
        accounts = getattr(models, "events_backends", None)
        if not isinstance(accounts, dict):
            return None
        regions = dict.get(accounts, self.account_id)
        return None if regions is None else dict.get(regions, self.region)

    def put(self, events: Any, job: Job) -> None:
        """Render the event of the status ``job`` is in now and deliver it to each rule of the
        default bus that matches it."""
        subject = f"job {job.job_id} ({job.status})"
        try:
            detail = job_detail(job)
        except Exception as exc:  # the change is made: a failure here must not undo half of it
            _warn(DETAIL_TYPE, subject, f"{type(exc).__name__}: {exc}")
            return
        # the entry ``Engine.transition`` just added
        self.deliver(events, DETAIL_TYPE, [job.arn], detail, job.status_history[-1][1], subject)

    def deliver(
        self,
        events: Any,
        detail_type: str,
        resources: list[str],
        detail: dict[str, Any],
        changed_ms: int,
        subject: str,
    ) -> None:
        """Deliver the event of one change of the ARNs ``resources`` to each rule of the default
        bus that matches it; ``subject`` names the resource in warnings."""
        try:
            detail_json = json.dumps(detail)
            event = self.event(detail_type, resources, detail, changed_ms)  # matched as JSON
            rules = list(events.event_buses[DEFAULT_BUS].rules.values())
        except Exception as exc:
            _warn(detail_type, subject, f"{type(exc).__name__}: {exc}")
            return
        body: str | None = None
        for rule in rules:
            try:
                if getattr(rule, "state", "ENABLED") == "DISABLED":
                    continue  # AWS: a disabled rule matches nothing
                if not rule.event_pattern.matches_event(event):
                    continue
                if body is None:
                    body = _sqs_body(event, detail_json)
                sends = self.plain_sqs_sends(rule.targets, body)
                if sends is None:
                    # moto's own delivery, of a copy made of JSON as its put_events makes it
                    rule.send_to_targets(
                        {**event, "resources": list(resources), "detail": json.loads(detail_json)}
                    )
                else:
                    for queue, message in sends:
                        queue.add_message(message)
            except Exception as exc:  # one rule moto cannot deliver to spoils no other
                name = getattr(rule, "name", "?")
                _warn(detail_type, subject, f"rule {name}: {type(exc).__name__}: {exc}")

    def event(
        self, detail_type: str, resources: list[str], detail: dict[str, Any], changed_ms: int
    ) -> dict[str, Any]:
        """The event as moto's ``EventsBackend.put_events`` builds it for its rules: the User
        Guide's keys, ``time`` in epoch seconds (the change's, whole as in the sample) and
        moto's own ``ingestion-time``."""
        return {
            "version": "0",
            "id": _uuid(),
            "detail-type": detail_type,
            "source": SOURCE,
            "account": self.account_id,
            "time": changed_ms // 1000,
            "region": self.region,
            "resources": list(resources),
            "detail": detail,
            "ingestion-time": time.time(),
        }

    def plain_sqs_sends(self, targets: list[dict[str, Any]], body: str) -> list[Any] | None:
        """(queue, message) for each target of a rule when every one is a standard SQS queue
        of this account and region that takes the event as moto's default input template
        renders it, else None (moto then delivers the rule's event itself).

        moto's ``SQSBackend.send_message`` reads all of the queue's attributes, counting its
        messages one by one (``Queue.attributes``), so each send costs time in proportion to
        the queue's length; this hands the message to ``Queue.add_message``, which is the
        step of ``send_message`` that stores it, and leaves every case that needs more
        (FIFO queues, an input transformer, a message over the queue's size limit, a queue
        that does not exist) to moto."""
        models = _loaded(_MOTO_SQS)
        if models is None:
            return None
        sends = []
        for target in targets:
            if not _PLAIN_TARGET.issuperset(target):
                return None
            arn = str(target.get("Arn", "")).split(":", 5)
            if len(arn) != 6 or arn[2] != "sqs" or arn[3:5] != [self.region, self.account_id]:
                return None
            regions = dict.get(models.sqs_backends, self.account_id)
            backend = None if regions is None else dict.get(regions, self.region)
            queue = None if backend is None else backend.queues.get(arn[5])
            if queue is None or queue.fifo_queue or len(body) > int(queue.maximum_message_size):
                return None
            delay = int(queue.delay_seconds or 0)
            if delay > _MAX_DELAY:
                return None
            message = models.Message(_uuid(), body)
            message.mark_sent(delay_seconds=delay)
            sends.append((queue, message))
        return sends


def _sqs_body(event: dict[str, Any], detail_json: str) -> str:
    """What reaches an SQS target without an input transformer: moto's default input template
    (the event without ``account``), ``time`` in ISO-8601 whole seconds, JSON as ``json.dumps``
    writes it (``detail`` spliced in as already dumped)."""
    head = {
        "id": event["id"],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(event["time"])),
        "version": "0",
        "detail-type": event["detail-type"],
        "source": event["source"],
        "region": event["region"],
        "resources": event["resources"],
    }
    return f'{json.dumps(head)[:-1]}, "detail": {detail_json}}}'


def _uuid() -> str:
    """A UUID4 from moto's random source (which a test may seed through moto's API)."""
    moto_random = _loaded(_MOTO_RANDOM)
    source = getattr(moto_random, "mock_random", None)
    return str(source.uuid4() if source is not None else uuid.uuid4())


def _warn(detail_type: str, subject: str, problem: str) -> None:
    warnings.warn(
        f"batchmock could not put the {detail_type} event of {subject} on EventBridge: {problem}",
        JobEventWarning,
        stacklevel=2,
    )
