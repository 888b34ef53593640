"""How job state change events reach their targets: a rule whose targets are plain standard SQS
queues gets the message moto's own delivery would write, without moto's per-send cost that grows
with the queue's length; every other rule is delivered by moto (issue: job events performance)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import batchmock
from batchmock import mock_batch
from tests.support import make_env, modeled, submit_job
from tests.test_job_state_events import ANY_BATCH, START, describe, rule_to_queue

REGION = "us-east-1"
STATUSES = ["RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]


def queue(name: str, **attributes: str) -> tuple[str, str]:
    """A new SQS queue's URL and ARN."""
    sqs = boto3.client("sqs", region_name=REGION)
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def rule(name: str, targets: list[dict[str, Any]], **kwargs: Any) -> None:
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name=name, EventPattern=json.dumps(ANY_BATCH), **kwargs)
    events.put_targets(Rule=name, Targets=targets)


def bodies(url: str) -> list[str]:
    """The raw bodies waiting in the queue, oldest first (the queue is left empty)."""
    sqs = boto3.client("sqs", region_name=REGION)
    found: list[str] = []
    for _ in range(1_000):  # bounded: no queue of this module holds that many
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        found += [m["Body"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
    raise AssertionError("the queue never emptied")


def run_one_job() -> tuple[Any, str]:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        mock.run_until_idle()
        return describe(batch, job_id), job_id


def test_a_plain_queue_gets_byte_for_byte_what_moto_delivers() -> None:
    """Rule ``plain`` has one plain queue (batchmock stores the message); rule ``moto`` also sends
    to a log group, so moto delivers its event. Both queues get the same bytes, event ids
    included (one event per change, whatever rules match it)."""
    with mock_batch(start_time=START, auto_advance=False) as mock:
        plain_url, plain_arn = queue("plain")
        moto_url, moto_arn = queue("by-moto")
        boto3.client("logs", region_name=REGION).create_log_group(logGroupName="batch-events")
        group = f"arn:aws:logs:{REGION}:123456789012:log-group:batch-events"
        rule("plain", [{"Id": "q", "Arn": plain_arn}])
        rule("moto", [{"Id": "q", "Arn": moto_arn}, {"Id": "logs", "Arn": group}])
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        mock.run_until_idle()
        ours, moto_s = bodies(plain_url), bodies(moto_url)
        assert ours == moto_s
        events = [json.loads(body) for body in ours]
        assert [e["detail"]["status"] for e in events] == STATUSES
        assert modeled("JobDetail", events[-1]["detail"]) == describe(batch, job_id)
        assert len({e["id"] for e in events}) == 4


def test_a_plain_queue_message_has_the_attributes_of_a_sent_one() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(ANY_BATCH)
        sqs = boto3.client("sqs", region_name=REGION)
        sqs.send_message(QueueUrl=url, MessageBody="sent by the test")
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        mock.run_until_idle()
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
        )["Messages"]
        assert len(messages) == 5
        sent, first = messages[0], messages[1]
        assert set(first) == set(sent)
        assert set(first["Attributes"]) == set(sent["Attributes"])
        assert first["MD5OfBody"] != sent["MD5OfBody"]
        assert first["Attributes"]["ApproximateReceiveCount"] == "1"
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert counts["ApproximateNumberOfMessagesNotVisible"] == "5"


def test_a_queues_delivery_delay_holds_the_events_back() -> None:
    with mock_batch(auto_advance=False) as mock:
        url, arn = queue("delayed", DelaySeconds="600")
        rule("delayed", [{"Id": "q", "Arn": arn}])
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        mock.run_until_idle()
        sqs = boto3.client("sqs", region_name=REGION)
        assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert counts["ApproximateNumberOfMessagesDelayed"] == "4"


def test_a_fifo_queue_is_delivered_by_moto_in_order() -> None:
    with mock_batch(auto_advance=False) as mock:
        url, arn = queue("events.fifo", FifoQueue="true", ContentBasedDeduplication="true")
        rule("fifo", [{"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "batch"}}])
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        mock.run_until_idle()
        statuses = [json.loads(body)["detail"]["status"] for body in bodies(url)]
        assert statuses == STATUSES


def test_an_input_transformer_is_applied_by_moto() -> None:
    with mock_batch(auto_advance=False) as mock:
        url, arn = queue("shaped")
        transformer = {
            "InputPathsMap": {"status": "$.detail.status", "time": "$.time"},
            "InputTemplate": '{"s": "<status>", "time": <time>}',
        }
        rule("shaped", [{"Id": "q", "Arn": arn, "InputTransformer": transformer}])
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        mock.run_until_idle()
        shaped = [json.loads(body) for body in bodies(url)]
        assert [event["s"] for event in shaped] == STATUSES
        assert all(set(event) == {"s", "time"} for event in shaped)  # moto 5.1 needs a time


def test_a_disabled_rule_receives_nothing() -> None:
    with mock_batch(auto_advance=False) as mock:
        off_url, off_arn = queue("off")
        on_url, on_arn = queue("on")
        rule("off", [{"Id": "q", "Arn": off_arn}], State="DISABLED")
        rule("on", [{"Id": "q", "Arn": on_arn}])
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        mock.run_until_idle()
        assert bodies(off_url) == []
        assert len(bodies(on_url)) == 4


def test_a_rule_moto_cannot_deliver_spoils_no_other_rule() -> None:
    with mock_batch(auto_advance=False) as mock:
        gone_url, gone_arn = queue("gone")
        kept_url, kept_arn = queue("kept")
        rule("a-gone", [{"Id": "q", "Arn": gone_arn}])
        rule("b-kept", [{"Id": "q", "Arn": kept_arn}])
        boto3.client("sqs", region_name=REGION).delete_queue(QueueUrl=gone_url)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        with pytest.warns(batchmock.JobEventWarning, match="rule a-gone"):
            mock.run_until_idle()
        statuses = [json.loads(body)["detail"]["status"] for body in bodies(kept_url)]
        assert statuses == STATUSES
        assert describe(batch, job_id)["status"] == "SUCCEEDED"


def test_an_oversized_event_is_left_to_moto_which_refuses_it() -> None:
    """A queue whose size limit is below an event's size: moto refuses that message, which is
    a warning; the smaller events arrive; the job is not affected."""
    with mock_batch(auto_advance=False) as mock:
        url, arn = queue("small", MaximumMessageSize="1024")
        rule("small", [{"Id": "q", "Arn": arn}])
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        with pytest.warns(batchmock.JobEventWarning, match="rule small"):
            mock.run_until_idle()
        delivered = bodies(url)
        assert len(delivered) < len(STATUSES)
        assert all(len(body) <= 1024 for body in delivered)
        assert describe(batch, job_id)["status"] == "SUCCEEDED"
