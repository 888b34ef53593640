"""Job state change events with EventBridge rules (issue: job events performance), each a ratio
against a baseline of the same run.

Run: ``python benchmarks/bench_job_events.py`` (``--profile``: a cProfile of the 1,000-child
array with a match-all rule to an SQS queue, the 25 costliest functions).

- an array of 100 and of 1,000 children, submit to idle, with a match-all ``aws.batch`` rule to
  an SQS queue vs ``job_state_events=False``: the extra cost per status change;
- the same with a rule that matches nothing;
- moto's own ``SQSBackend.send_message`` (what a plain moto user calls) into a queue already
  holding 4,000 messages vs an empty one: moto reads every attribute of the queue on each send,
  counting its messages one by one, so a send costs time in proportion to the queue's length.
  batchmock's delivery to a plain queue does not (``job_events.EventBridgeSink``).
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import pstats
import sys
import time
from typing import Any

from _common import report
from bench_engine import _setup

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402

from batchmock import mock_batch  # noqa: E402

MATCH_ALL = {"source": ["aws.batch"]}
MATCH_NONE = {"source": ["not.batch"]}


def _rule(pattern: dict[str, Any]) -> str:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url: str = sqs.create_queue(QueueName="events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events", region_name="us-east-1")
    events.put_rule(Name="batch", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="batch", Targets=[{"Id": "q", "Arn": arn}])
    return url


def _array(
    size: int, pattern: dict[str, Any] | None, profile: cProfile.Profile | None = None
) -> tuple[float, int]:
    """Seconds to submit an array of ``size`` children and run it to idle, and the number of
    status changes (each child's four, the parent's two)."""
    with mock_batch(auto_advance=False, job_state_events=pattern is not None) as mock:
        url = _rule(pattern) if pattern is not None else None
        client = mock.client()
        _setup(client)
        gc.collect()
        if profile is not None:
            profile.enable()
        start = time.perf_counter()
        client.submit_job(
            jobName="arr", jobQueue="q", jobDefinition="jd", arrayProperties={"size": size}
        )
        mock.run_until_idle()
        elapsed = time.perf_counter() - start
        if profile is not None:
            profile.disable()
        changes = 4 * size + 2
        if url is not None and pattern is MATCH_ALL:
            attributes = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            assert int(attributes["ApproximateNumberOfMessages"]) == changes, attributes
    return elapsed, changes


def bench_arrays(rounds: int = 3) -> None:
    for size in (100, 1_000):
        off = min(_array(size, None)[0] for _ in range(rounds))
        for label, pattern in (
            ("match-all rule to SQS", MATCH_ALL),
            ("rule matching nothing", MATCH_NONE),
        ):
            results = [_array(size, pattern) for _ in range(rounds)]
            on, changes = min(r[0] for r in results), results[0][1]
            report(f"{size:,}-child array, {label} vs events off", on, off, None)
            print(f"{'':<58} {(on - off) / changes * 1e6:10.1f} us more per status change")


def _moto_send(backlog: int, sends: int = 200) -> float:
    """Seconds per moto ``send_message`` into a queue already holding ``backlog`` messages."""
    with mock_batch():
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="plain")
        from moto.sqs.models import Message, sqs_backends

        backend = sqs_backends["123456789012"]["us-east-1"]
        queue = backend.get_queue("plain")
        for i in range(backlog):  # filled without send_message, which would take minutes
            message = Message(str(i), f"backlog {i}")
            message.mark_sent()
            queue.add_message(message)
        start = time.perf_counter()
        for i in range(sends):
            backend.send_message("plain", f"m{i}")
        return (time.perf_counter() - start) / sends


def bench_moto_send() -> None:
    empty = min(_moto_send(0) for _ in range(3))
    full = min(_moto_send(4_000) for _ in range(3))
    report("moto SQS send_message, 4,000 queued vs empty queue", full, empty, None)


def profile() -> None:
    prof = cProfile.Profile()
    _array(1_000, MATCH_ALL, prof)
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    if sys.argv[1:] == ["--profile"]:
        profile()
        sys.exit(0)
    bench_arrays()
    bench_moto_send()
