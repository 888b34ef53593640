"""Job state change events: each job status change on moto's EventBridge ("Batch Job State
Change", source ``aws.batch``).

AWS Batch sends an event to the default event bus of the job's account and region each time a
job it has accepted changes status; none for the submission itself (User Guide, "Job state
change events"). The event carries the job as DescribeJobs shows it at that moment::

    {"version": "0", "id": "<uuid>", "detail-type": "Batch Job State Change",
     "source": "aws.batch", "account": "<account>", "time": "2022-01-11T23:36:40Z",
     "region": "<region>", "resources": ["<job ARN>"], "detail": {<JobDetail>}}

The engine tells :meth:`EventBridgeSink.changed` of each change (``Engine.job_events``, set by the
runtime for every engine when ``MockOptions.job_state_events`` is on). The sink renders the
job's JobDetail at once (``job_views.job_detail``, with AWS's empty defaults) and hands it to
moto's ``EventsBackend.put_events``, which matches the rules of the bus and delivers to their
targets (an SQS queue, CloudWatch Logs, another bus) synchronously: the targets receive the
changes in the order they happened, stamped with the mock clock's time in whole seconds.

It costs nothing without a rule: moto's EventBridge is looked at without importing moto or
creating a backend (``sys.modules`` and plain ``dict`` lookups), and an event is rendered only
when the default bus of the job's account and region has a rule. moto then decides which rules
match. A delivery moto refuses (a target that no longer exists, moto's EventBridge without its
``jsonpath_ng`` dependency) is a :class:`JobEventWarning`, never an error of the job.

Array children and multi-node nodes change status as jobs of their own and so send their own
events; a child created PENDING with its array sends none for that first status [inferred, as
for a job's submission].
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from batchmock.backend.jobs.job_views import job_detail
from batchmock.errors import JobEventWarning

if TYPE_CHECKING:
    from batchmock.engine.engine import JobEvents
    from batchmock.engine.job import Job
    from batchmock.engine.resources import Resources
    from batchmock.options import MockOptions

SOURCE = "aws.batch"
DETAIL_TYPE = "Batch Job State Change"
DEFAULT_BUS = "default"
_MOTO_EVENTS = "moto.events.models"
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


class EventBridgeSink:
    """Puts each status change of one account and region's jobs on moto's default bus."""

    __slots__ = ("account_id", "region")

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region

    def changed(self, job: Job) -> None:
        """``job`` has just changed status (the engine's lock is held)."""
        models = _loaded(_MOTO_EVENTS)
        if models is None:
            return  # nothing has used moto's EventBridge in this process: no rule exists
        events = self.events_backend(models)
        if events is None:
            return
        buses = getattr(events, "event_buses", None)
        bus = buses.get(DEFAULT_BUS) if isinstance(buses, dict) else None
        if bus is None or not getattr(bus, "rules", None):
            return
        self.put(events, job)

    def events_backend(self, models: Any) -> Any:
        """moto's EventBridge of this account and region if it exists, without creating it
        (indexing moto's backend dictionaries would)."""
        accounts = getattr(models, "events_backends", None)
        if not isinstance(accounts, dict):
            return None
        regions = dict.get(accounts, self.account_id)
        return None if regions is None else dict.get(regions, self.region)

    def put(self, events: Any, job: Job) -> None:
        """Render the event of the status ``job`` is in now and hand it to moto."""
        changed_ms = job.status_history[-1][1]  # the entry ``Engine.transition`` just added
        try:
            entry = {
                "Source": SOURCE,
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(job_detail(job)),
                "Resources": [job.arn],
                "Time": changed_ms // 1000,  # moto's time: epoch seconds, whole as in the sample
            }
            answers = events.put_events([entry])
        except Exception as exc:  # the change is made: a failure here must not undo half of it
            _warn(job, f"{type(exc).__name__}: {exc}")
            return
        for answer in answers or ():
            if isinstance(answer, dict) and answer.get("ErrorCode"):
                _warn(job, f"{answer.get('ErrorCode')}: {answer.get('ErrorMessage')}")


def _warn(job: Job, problem: str) -> None:
    warnings.warn(
        f"batchmock could not put the {DETAIL_TYPE} event of job {job.job_id} "
        f"({job.status}) on EventBridge: {problem}",
        JobEventWarning,
        stacklevel=2,
    )
