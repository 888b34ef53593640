"""Job state change events on moto's EventBridge: a rule with an SQS target receives every status
change after SUBMITTED, in order, in the User Guide's shape (issue 12, part 2)."""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import Any

import boto3
import pytest

import batchmock
from batchmock import BatchMock, mock_batch
from batchmock.options import Delays
from tests.support import make_env, modeled, submit_job

START = 1_700_000_000  # 2023-11-14T22:13:20Z
ANY_BATCH = {"source": ["aws.batch"]}
EVENT_KEYS = {"version", "id", "detail-type", "source", "time", "region", "resources", "detail"}
"""The User Guide sample's keys that moto's SQS target delivers: moto's default input template
leaves ``account`` out of what reaches SQS (see ``test_the_event_names_its_account``)."""


def rule_to_queue(
    pattern: dict[str, Any],
    region: str = "us-east-1",
    name: str = "batch-events",
    transformer: dict[str, Any] | None = None,
    **keys: str,
) -> str:
    """An SQS queue and an EventBridge rule on the default bus sending ``pattern`` to it (through
    ``transformer``, an ``InputTransformer``, when given). ``keys`` go to ``boto3.client``."""
    sqs = boto3.client("sqs", region_name=region, **keys)
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    target: dict[str, Any] = {"Id": "queue", "Arn": arn}
    if transformer is not None:
        target["InputTransformer"] = transformer
    events = boto3.client("events", region_name=region, **keys)
    events.put_rule(Name=name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, Targets=[target])
    return url


def received(url: str, region: str = "us-east-1", **keys: str) -> list[dict[str, Any]]:
    """Every event waiting in the queue, oldest first (the queue is left empty)."""
    sqs = boto3.client("sqs", region_name=region, **keys)
    events: list[dict[str, Any]] = []
    for _ in range(10_000):  # bounded: a queue of this test never holds that many
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return events
        events += [json.loads(m["Body"]) for m in messages]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
    raise AssertionError("the queue never emptied")


def iso(epoch_ms: int) -> str:
    """Whole-second ISO-8601 UTC, as the User Guide's sample: ``2022-01-11T23:36:40Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_ms // 1000))


def assert_event(event: dict[str, Any], detail: dict[str, Any], region: str = "us-east-1") -> None:
    """``event`` is the Batch Job State Change of the job whose DescribeJobs answer is
    ``detail`` (tests/conftest.py checks every DescribeJobs answer against the model's output
    shape), taken when it reached its current status."""
    assert set(event) == EVENT_KEYS
    assert event["version"] == "0"
    assert str(uuid.UUID(event["id"])) == event["id"]
    assert event["detail-type"] == "Batch Job State Change"
    assert event["source"] == "aws.batch"
    assert event["region"] == region
    assert event["resources"] == [detail["jobArn"]]
    # DescribeJobs answers are checked against the model; an older botocore's model defines fewer
    # members (no statusSummaryLastUpdatedAt in 1.40), which the event (the service's) still has
    assert modeled("JobDetail", event["detail"]) == detail


def describe(batch: Any, job_id: str) -> dict[str, Any]:
    job: dict[str, Any] = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    return job


# -- a job's life, change by change ---------------------------------------------------------------
def test_a_rule_on_aws_batch_receives_each_change_after_submission_in_order() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch, tags={"team": "etl"})
        mock.advance(0.5)
        assert received(url) == []  # the User Guide: no event for the submission itself
        seen: list[str] = []
        for second in range(1, 5):
            mock.advance(1)  # one step a second: RUNNABLE, STARTING, RUNNING, SUCCEEDED
            detail = describe(batch, job_id)
            events = received(url)
            assert len(events) == 1, (second, [e["detail"]["status"] for e in events])
            assert_event(events[0], detail)  # the job as DescribeJobs shows it at that moment
            assert events[0]["time"] == iso((START + second) * 1000)
            seen.append(detail["status"])
        assert seen == ["RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]


def test_the_events_of_one_run_arrive_in_the_order_of_the_changes() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        first = submit_job(batch, jobName="first")
        second = submit_job(batch, jobName="second", dependsOn=[{"jobId": first}])
        assert not mock.run_until_idle()
        events = received(url)
        moves = [(e["detail"]["jobName"], e["detail"]["status"]) for e in events]
        assert moves == [
            ("first", "RUNNABLE"),
            ("second", "PENDING"),  # waits for first
            ("first", "STARTING"),
            ("first", "RUNNING"),
            ("first", "SUCCEEDED"),
            ("second", "RUNNABLE"),
            ("second", "STARTING"),
            ("second", "RUNNING"),
            ("second", "SUCCEEDED"),
        ]
        times = [e["time"] for e in events]
        assert times == sorted(times)
        assert events[-1]["detail"] == describe(batch, second)
        assert events[4]["detail"] == describe(batch, first)


def test_a_failing_job_ends_with_failed_and_its_status_reason() -> None:
    rules = [{"match": {"jobName": "bad"}, "exitCode": 3, "reason": "boom"}]
    with mock_batch(start_time=START, outcomes=rules) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch, jobName="bad")
        mock.run_until_idle()
        events = received(url)
        assert [e["detail"]["status"] for e in events] == [
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "FAILED",
        ]
        failed = describe(batch, job_id)
        assert_event(events[-1], failed)
        assert events[-1]["detail"]["statusReason"] == "Essential container in task exited"
        assert events[-1]["detail"]["container"]["exitCode"] == 3
        assert events[-1]["detail"]["container"]["reason"] == "boom"
        assert events[-1]["time"] == iso(failed["stoppedAt"])


def test_a_cancelled_job_fails_with_the_callers_reason() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        blocker = submit_job(batch, jobName="blocker")
        waiting = submit_job(batch, jobName="waiting", dependsOn=[{"jobId": blocker}])
        mock.advance(1)
        batch.cancel_job(jobId=waiting, reason="not needed any more")
        mock.run_until_idle()
        events = [e for e in received(url) if e["detail"]["jobId"] == waiting]
        assert [e["detail"]["status"] for e in events] == ["PENDING", "FAILED"]
        assert events[-1]["detail"]["statusReason"] == "not needed any more"
        assert events[-1]["detail"]["isCancelled"] is True
        assert_event(events[-1], describe(batch, waiting))


def test_a_retried_job_goes_back_to_runnable_with_its_failed_attempt() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch, retryStrategy={"attempts": 2})

        @mock.on_job()
        def once(attempt: batchmock.AttemptContext) -> int:
            return 1 if attempt.attempt == 1 else 0

        mock.run_until_idle()
        events = received(url)
        statuses = [e["detail"]["status"] for e in events]
        assert statuses == ["RUNNABLE", "STARTING", "RUNNING"] * 2 + ["SUCCEEDED"]
        retry = events[3]["detail"]
        assert [a["container"]["exitCode"] for a in retry["attempts"]] == [1]
        assert retry["retryStrategy"] == {"attempts": 2, "evaluateOnExit": []}
        assert_event(events[-1], describe(batch, job_id))


# -- which events a rule gets ---------------------------------------------------------------------
def test_a_detail_filter_receives_only_the_matching_changes() -> None:
    rules = [{"match": {"jobName": "bad"}, "exitCode": 1}]
    with mock_batch(start_time=START, outcomes=rules) as mock:
        url = rule_to_queue(
            {
                "source": ["aws.batch"],
                "detail-type": ["Batch Job State Change"],
                "detail": {"status": ["FAILED"]},
            }
        )
        everything = rule_to_queue(ANY_BATCH, name="everything")
        batch = mock.client()
        make_env(batch)
        good = submit_job(batch, jobName="good")
        bad = submit_job(batch, jobName="bad")
        mock.run_until_idle()
        failed = received(url)
        assert [(e["detail"]["jobId"], e["detail"]["status"]) for e in failed] == [(bad, "FAILED")]
        assert_event(failed[0], describe(batch, bad))
        assert len(received(everything)) == 8
        assert describe(batch, good)["status"] == "SUCCEEDED"


def test_the_event_names_its_account(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's SQS target leaves ``account`` out of the event unless an input transformer asks for
    it: the transformer shows the account, time and id every event carries."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")  # moto's account, for the rule
    with mock_batch(start_time=START, account_id="111122223333") as mock:
        paths = {
            "account": "$.account",
            "time": "$.time",
            "region": "$.region",
            "source": "$.source",
            "type": "$.detail-type",
            "id": "$.id",
            "status": "$.detail.status",
        }
        template = ", ".join(f'"{name}": "<{name}>"' for name in paths)
        url = rule_to_queue(
            ANY_BATCH,
            name="fields",
            transformer={
                "InputPathsMap": {**paths, "job": "$.resources"},
                "InputTemplate": "{" + template + ', "job": <job>}',
            },
        )
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        mock.run_until_idle()
        shown = received(url)
        arn = describe(batch, job_id)["jobArn"]
        assert arn.startswith("arn:aws:batch:us-east-1:111122223333:job/")
    assert [e.pop("status") for e in shown] == ["RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]
    for second, event in enumerate(shown, start=1):
        assert len(event.pop("id")) == 36
        assert event == {
            "account": "111122223333",
            "time": iso((START + second) * 1000),
            "region": "us-east-1",
            "source": "aws.batch",
            "type": "Batch Job State Change",
            "job": [arn],
        }


# -- arrays ---------------------------------------------------------------------------------------
def test_array_children_send_their_own_events_and_the_parent_its_own() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch, max_vcpus=1)  # one child at a time: a fixed order
        parent = submit_job(batch, arrayProperties={"size": 2})
        mock.run_until_idle()
        events = received(url)
        moves = [(e["detail"]["jobId"], e["detail"]["status"]) for e in events]
        child = [f"{parent}:0", f"{parent}:1"]
        assert moves == [
            (parent, "PENDING"),
            (child[0], "RUNNABLE"),
            (child[1], "RUNNABLE"),
            (child[0], "STARTING"),
            (child[0], "RUNNING"),
            (child[0], "SUCCEEDED"),
            (child[1], "STARTING"),
            (child[1], "RUNNING"),
            (child[1], "SUCCEEDED"),
            (parent, "SUCCEEDED"),  # after its last child
        ]
        pending = events[0]["detail"]
        assert pending["arrayProperties"]["size"] == 2
        assert pending["arrayProperties"]["statusSummary"] == {
            "STARTING": 0,
            "FAILED": 0,
            "RUNNING": 0,
            "SUCCEEDED": 0,
            "RUNNABLE": 0,
            "SUBMITTED": 0,
            "PENDING": 2,
        }
        assert events[1]["detail"]["arrayProperties"] == {"index": 0}
        assert events[1]["resources"] == [f"{events[0]['resources'][0]}:0"]
        assert_event(events[-2], describe(batch, child[1]))
        assert_event(events[-1], describe(batch, parent))


def test_multi_node_nodes_send_their_own_events_and_the_job_its_own() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        batch.register_job_definition(
            jobDefinitionName="mnp",
            type="multinode",
            nodeProperties={
                "numNodes": 2,
                "mainNode": 0,
                "nodeRangeProperties": [
                    {
                        "targetNodes": "0:",
                        "container": {
                            "image": "busybox",
                            "resourceRequirements": [
                                {"type": "VCPU", "value": "1"},
                                {"type": "MEMORY", "value": "256"},
                            ],
                        },
                    }
                ],
            },
        )
        job_id = submit_job(batch, jobDefinition="mnp")
        assert not mock.run_until_idle()
        events = received(url)
        for each in (job_id, f"{job_id}#0", f"{job_id}#1"):
            own = [e for e in events if e["detail"]["jobId"] == each]
            job = mock.runtime.find_job(each)
            assert job is not None
            # one event per change after the job's first status, in order
            assert [e["detail"]["status"] for e in own] == [s for s, _ in job.status_history[1:]]
            assert own[-1]["detail"]["status"] == "SUCCEEDED"
            assert_event(own[-1], describe(batch, each))
        assert events[-1]["detail"]["jobId"] == job_id  # the job ends with its nodes


# -- turned off, no rule, and where the events go ------------------------------------------------
def test_job_state_events_off_puts_nothing() -> None:
    with mock_batch(job_state_events=False) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        assert not mock.run_until_idle()
        assert received(url) == []
        assert all(engine.job_events is None for engine in mock.runtime.engines)
        # the rule itself works: an event put by the test arrives
        boto3.client("events", region_name="us-east-1").put_events(
            Entries=[{"Source": "aws.batch", "DetailType": "x", "Detail": "{}"}]
        )
        assert len(received(url)) == 1


def test_without_a_rule_no_eventbridge_backend_is_made() -> None:
    with mock_batch() as mock:
        sqs = boto3.client("sqs", region_name="us-east-1")
        sqs.create_queue(QueueName="unrelated")  # moto runs, but nobody uses EventBridge
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        assert not mock.run_until_idle()
        from moto.events.models import events_backends

        assert dict.get(events_backends, "123456789012") is None


def test_events_go_to_the_jobs_region_only() -> None:
    with mock_batch(start_time=START) as mock:
        east = rule_to_queue(ANY_BATCH, region="us-east-1")
        west = rule_to_queue(ANY_BATCH, region="eu-west-1")
        batch = mock.client(region_name="eu-west-1")
        make_env(batch)
        job_id = submit_job(batch)
        mock.run_until_idle()
        assert received(east) == []
        events = received(west, region="eu-west-1")
        assert [e["detail"]["status"] for e in events][-1] == "SUCCEEDED"
        assert_event(events[-1], describe(batch, job_id), region="eu-west-1")


def test_events_go_to_the_default_bus_only() -> None:
    with mock_batch() as mock:
        default = rule_to_queue(ANY_BATCH)
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="custom")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events = boto3.client("events", region_name="us-east-1")
        events.create_event_bus(Name="custom")
        events.put_rule(Name="custom", EventBusName="custom", EventPattern=json.dumps(ANY_BATCH))
        events.put_targets(Rule="custom", EventBusName="custom", Targets=[{"Id": "q", "Arn": arn}])
        batch = mock.client()
        make_env(batch)
        submit_job(batch)
        assert not mock.run_until_idle()
        assert len(received(default)) == 4
        assert received(url) == []


def test_events_go_to_the_jobs_account_only(monkeypatch: pytest.MonkeyPatch) -> None:
    other = {"aws_access_key_id": "444455556666", "aws_secret_access_key": "x"}
    with mock_batch(start_time=START) as mock:
        ours = rule_to_queue(ANY_BATCH)  # moto's default account, the mock's too
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
        theirs = rule_to_queue(ANY_BATCH)
        monkeypatch.delenv("MOTO_ACCOUNT_ID")
        batch = mock.client(**other)  # a 12-digit key names the Batch account
        make_env(batch)
        job_id = submit_job(batch)
        mock.run_until_idle()
        assert received(ours) == []
        monkeypatch.setenv("MOTO_ACCOUNT_ID", "444455556666")
        events = received(theirs)
        assert len(events) == 4
        assert_event(events[-1], describe(batch, job_id))
        assert events[-1]["resources"][0].startswith("arn:aws:batch:us-east-1:444455556666:job/")


# -- clocks, fixtures, failures ---------------------------------------------------------------
def test_the_real_clock_sends_the_same_events() -> None:
    fast = Delays(submitted=0.01, scheduling=0.01, starting=0.01, running=0.01)
    with mock_batch(clock="real", delays=fast) as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        assert not mock.run_until_idle()  # waits for the wall clock's thread
        events = received(url)
        assert [e["detail"]["status"] for e in events] == [
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]
        done = describe(batch, job_id)
        assert_event(events[-1], done)
        assert events[-1]["time"] == iso(done["stoppedAt"])


def test_a_real_process_sends_the_same_events() -> None:
    with mock_batch(executor="local") as mock:
        url = rule_to_queue(ANY_BATCH)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(
            batch,
            containerOverrides={"command": [sys.executable, "-c", "raise SystemExit(4)"]},
        )
        assert not mock.run_until_idle()  # waits for the process
        events = received(url)
        assert [e["detail"]["status"] for e in events] == [
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "FAILED",
        ]
        assert events[-1]["detail"]["container"]["exitCode"] == 4
        assert_event(events[-1], describe(batch, job_id))


@pytest.mark.batch_mock(start_time=START)
def test_the_fixtures_send_events(batch_mock: BatchMock, batch_client: Any) -> None:
    url = rule_to_queue(ANY_BATCH)
    make_env(batch_client)
    job_id = submit_job(batch_client)
    batch_mock.run_until_idle()
    events = received(url)
    assert [e["detail"]["status"] for e in events][-1] == "SUCCEEDED"
    assert_event(events[-1], describe(batch_client, job_id))


def test_a_target_moto_cannot_deliver_to_is_a_warning_not_a_job_failure() -> None:
    with mock_batch() as mock:
        url = rule_to_queue(ANY_BATCH)
        boto3.client("sqs", region_name="us-east-1").delete_queue(QueueUrl=url)
        batch = mock.client()
        make_env(batch)
        job_id = submit_job(batch)
        with pytest.warns(batchmock.JobEventWarning, match="Batch Job State Change event of job"):
            mock.run_until_idle()
        assert describe(batch, job_id)["status"] == "SUCCEEDED"
