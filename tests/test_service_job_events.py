"""Service job state change events on moto's EventBridge: a rule on ``aws.batch`` receives a
"Batch Service Job State Change" event for each status change of a service job after its
submission, ``detail`` as DescribeServiceJob shows the job then, without ``tags`` and
``serviceRequestPayload`` (User Guide, "Service job state change events")."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

import batchmock
from batchmock import mock_batch
from tests.support import make_env, modeled, requires_operation, submit_job
from tests.test_job_state_events import EVENT_KEYS, START, iso, received, rule_to_queue

pytestmark = requires_operation("SubmitServiceJob", "TerminateServiceJob", "DescribeServiceJob")

SERVICE_EVENTS = {"source": ["aws.batch"], "detail-type": ["Batch Service Job State Change"]}
PAYLOAD = json.dumps(
    {"TrainingJobName": "t", "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 2}}
)


def sagemaker_queue(batch: Any, **queue: Any) -> None:
    batch.create_service_environment(
        serviceEnvironmentName="se",
        serviceEnvironmentType="SAGEMAKER_TRAINING",
        capacityLimits=[{"maxCapacity": 5, "capacityUnit": "NUM_INSTANCES"}],
    )
    batch.create_job_queue(
        jobQueueName="sq",
        priority=1,
        serviceEnvironmentOrder=[{"order": 1, "serviceEnvironment": "se"}],
        jobQueueType="SAGEMAKER_TRAINING",
        **queue,
    )


def submit(batch: Any, name: str, **kwargs: Any) -> str:
    job_id: str = batch.submit_service_job(
        jobName=name,
        jobQueue="sq",
        serviceJobType="SAGEMAKER_TRAINING",
        serviceRequestPayload=PAYLOAD,
        **kwargs,
    )["jobId"]
    return job_id


def described(batch: Any, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = batch.describe_service_job(jobId=job_id)
    found.pop("ResponseMetadata")
    return found


def assert_service_event(event: dict[str, Any], shown: dict[str, Any], time_ms: int) -> None:
    """``event`` is the Batch Service Job State Change of the service job DescribeServiceJob
    shows as ``shown``, made at ``time_ms``: every key of the User Guide's sample that moto's SQS
    target delivers, ``detail`` without ``tags`` and ``serviceRequestPayload``."""
    assert set(event) == EVENT_KEYS
    assert str(uuid.UUID(event["id"])) == event["id"]
    detail = {k: v for k, v in shown.items() if k not in ("tags", "serviceRequestPayload")}
    assert {k: v for k, v in event.items() if k != "id"} == {
        "version": "0",
        "detail-type": "Batch Service Job State Change",
        "source": "aws.batch",
        "time": iso(time_ms),
        "region": "us-east-1",
        "resources": [shown["jobArn"]],
        "detail": event["detail"],
    }
    # an older botocore's model has fewer members than the event (the service's) carries
    assert modeled("DescribeServiceJobResponse", event["detail"]) == detail


def test_each_change_after_submission_arrives_in_order_with_the_whole_shape() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(SERVICE_EVENTS)
        batch = mock.client()
        sagemaker_queue(batch)
        first = submit(batch, "first", tags={"team": "ml"}, schedulingPriority=5)
        second = submit(batch, "second")
        third = submit(batch, "third")
        mock.advance(30)
        assert received(url) == []  # the User Guide: no event for the submission itself
        batch.terminate_service_job(jobId=second, reason="not needed")
        mock.advance(2)
        batch.terminate_service_job(jobId=first, reason="budget cut")
        batch.terminate_service_job(jobId=first, reason="again")  # no change: no event
        events = received(url)
        assert [(e["detail"]["jobName"], e["detail"]["status"]) for e in events] == [
            ("second", "FAILED"),
            ("first", "FAILED"),
        ]
        shown = described(batch, first)
        assert shown["tags"] == {"team": "ml"}  # kept by the job, left out of its event
        assert shown["statusReason"] == "budget cut"
        assert_service_event(events[0], described(batch, second), (START + 30) * 1000)
        assert_service_event(events[1], shown, (START + 32) * 1000)
        assert described(batch, third)["status"] == "SUBMITTED"


@requires_operation("TerminateServiceJobs")
def test_terminate_service_jobs_sends_one_event_per_job_that_changed() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(SERVICE_EVENTS)
        batch = mock.client()
        sagemaker_queue(batch)
        done = submit(batch, "done")
        batch.terminate_service_job(jobId=done, reason="first")
        assert [e["detail"]["jobName"] for e in received(url)] == ["done"]
        jobs = [submit(batch, name) for name in ("a", "b")]
        batch.terminate_service_jobs(jobs=[*jobs, done, "no-such-job"], reason="all of them")
        events = received(url)
        assert [e["detail"]["jobName"] for e in events] == ["a", "b"]
        for job_id, event in zip(jobs, events):
            assert_service_event(event, described(batch, job_id), START * 1000)


@requires_operation("CreateQuotaShare", "DeleteQuotaShare")
def test_a_deleted_quota_share_fails_its_jobs_with_an_event_each() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(SERVICE_EVENTS)
        batch = mock.client()
        policy = batch.create_scheduling_policy(
            name="quota", quotaSharePolicy={"idleResourceAssignmentStrategy": "FIFO"}
        )["arn"]
        sagemaker_queue(batch, schedulingPolicyArn=policy)
        share = batch.create_quota_share(
            quotaShareName="share",
            jobQueue="sq",
            capacityLimits=[{"maxCapacity": 1, "capacityUnit": "ml.m5.large"}],
            resourceSharingConfiguration={"strategy": "RESERVE"},
            preemptionConfiguration={"inSharePreemption": "DISABLED"},
        )["quotaShareArn"]
        job_id = submit(batch, "shared", quotaShareName="share")
        batch.update_quota_share(quotaShareArn=share, state="DISABLED")
        assert received(url) == []
        batch.delete_quota_share(quotaShareArn=share)
        (event,) = received(url)
        shown = described(batch, job_id)
        assert shown["status"] == "FAILED"
        assert shown["statusReason"] == "Quota share share was deleted"
        assert_service_event(event, shown, START * 1000)


def test_job_events_and_service_job_events_are_told_apart_by_detail_type() -> None:
    with mock_batch(start_time=START) as mock:
        service_url = rule_to_queue(SERVICE_EVENTS, name="service")
        job_url = rule_to_queue(
            {"source": ["aws.batch"], "detail-type": ["Batch Job State Change"]}, name="jobs"
        )
        batch = mock.client()
        make_env(batch)
        sagemaker_queue(batch)
        service_job = submit(batch, "train")
        submit_job(batch)
        assert not mock.run_until_idle()
        batch.terminate_service_job(jobId=service_job, reason="stop")
        assert [e["detail"]["jobId"] for e in received(service_url)] == [service_job]
        job_events = received(job_url)
        assert [e["detail"]["status"] for e in job_events] == [
            "RUNNABLE",
            "STARTING",
            "RUNNING",
            "SUCCEEDED",
        ]


def test_the_event_names_its_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "111122223333")  # moto's account, for the rule
    with mock_batch(start_time=START, account_id="111122223333") as mock:
        url = rule_to_queue(
            SERVICE_EVENTS,
            name="fields",
            transformer={
                # moto 5.1.5's transformer needs "time" among the paths
                "InputPathsMap": {"account": "$.account", "time": "$.time", "job": "$.resources"},
                "InputTemplate": '{"account": "<account>", "time": "<time>", "job": <job>}',
            },
        )
        batch = mock.client()
        sagemaker_queue(batch)
        job_id = submit(batch, "train")
        batch.terminate_service_job(jobId=job_id, reason="stop")
        job_arn = described(batch, job_id)["jobArn"]
        assert job_arn.startswith("arn:aws:batch:us-east-1:111122223333:service-job/")
        stopped = described(batch, job_id)["stoppedAt"]
        assert received(url) == [
            {"account": "111122223333", "time": iso(stopped), "job": [job_arn]}
        ]


def test_events_off_put_no_service_job_events() -> None:
    with mock_batch(job_state_events=False) as mock:
        url = rule_to_queue(SERVICE_EVENTS)
        batch = mock.client()
        sagemaker_queue(batch)
        job_id = submit(batch, "train")
        batch.terminate_service_job(jobId=job_id, reason="stop")
        assert described(batch, job_id)["status"] == "FAILED"
        assert received(url) == []
        assert all(backend.service_job_events is None for backend in mock.backends())


def test_without_a_rule_no_eventbridge_backend_is_made() -> None:
    with mock_batch() as mock:
        boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="unrelated")
        batch = mock.client()
        sagemaker_queue(batch)
        job_id = submit(batch, "train")
        batch.terminate_service_job(jobId=job_id, reason="stop")
        from moto.events.models import events_backends

        assert dict.get(events_backends, "123456789012") is None


def test_a_target_moto_cannot_deliver_to_is_a_warning_not_a_failure() -> None:
    with mock_batch() as mock:
        url = rule_to_queue(SERVICE_EVENTS)
        boto3.client("sqs", region_name="us-east-1").delete_queue(QueueUrl=url)
        batch = mock.client()
        sagemaker_queue(batch)
        job_id = submit(batch, "train")
        warned = "Batch Service Job State Change event of service job " + job_id
        with pytest.warns(batchmock.JobEventWarning, match=warned):
            batch.terminate_service_job(jobId=job_id, reason="stop")
        shown = described(batch, job_id)
        assert (shown["status"], shown["statusReason"]) == ("FAILED", "stop")
