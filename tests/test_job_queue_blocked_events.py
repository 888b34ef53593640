"""Job queue blocked events on moto's EventBridge: when the engine finds a RUNNABLE job at the head
of its queue that blocks it (the reason is the job's statusReason), a rule on ``aws.batch``
receives a "Batch Job Queue Blocked" event, ``resources`` the job's and the queue's ARNs and
``detail`` the job as DescribeJobs shows it (User Guide, "Job queue blocked events")."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

import batchmock
from batchmock import mock_batch
from tests.support import make_ce, make_job_definition, make_queue, modeled, submit_job
from tests.test_job_state_events import EVENT_KEYS, START, describe, iso, received, rule_to_queue

BLOCKED = {"source": ["aws.batch"], "detail-type": ["Batch Job Queue Blocked"]}
STUCK = (
    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) "
    "is higher than that can be met by the CE(s) attached to the job queue."
)
TOO_BIG = [{"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "1024"}]
"""More vCPUs than an m5.large (2) has."""


def small_instances(batch: Any) -> str:
    """A queue ``q`` whose only compute environment offers m5.large instances."""
    make_ce(batch, max_vcpus=256, computeResources={"instanceTypes": ["m5.large"]})
    return make_queue(batch)


def assert_blocked_event(event: dict[str, Any], detail: dict[str, Any], time_ms: int) -> None:
    assert set(event) == EVENT_KEYS
    assert str(uuid.UUID(event["id"])) == event["id"]
    assert {k: v for k, v in event.items() if k not in ("id", "detail")} == {
        "version": "0",
        "detail-type": "Batch Job Queue Blocked",
        "source": "aws.batch",
        "time": iso(time_ms),
        "region": "us-east-1",
        "resources": [detail["jobArn"], detail["jobQueue"]],
    }
    assert modeled("JobDetail", event["detail"]) == detail


def test_a_job_no_instance_type_holds_blocks_its_queue_with_an_event() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(BLOCKED)
        batch = mock.client()
        queue_arn = small_instances(batch)
        make_job_definition(batch, containerProperties={"resourceRequirements": TOO_BIG})
        job_id = submit_job(batch)
        mock.advance(30)
        mock.advance(30)  # still blocked: the detection is told once
        detail = describe(batch, job_id)
        assert (detail["status"], detail["statusReason"]) == ("RUNNABLE", STUCK)
        (event,) = received(url)
        assert event["resources"] == [detail["jobArn"], queue_arn]
        # RUNNABLE one second in, found blocked by the scheduling pass one second (the default
        # scheduling delay) after that
        assert_blocked_event(event, detail, (START + 2) * 1000)


def test_the_head_job_blocks_the_queue_and_the_jobs_behind_it_do_not_send() -> None:
    with mock_batch(start_time=START, auto_advance=False, backfill=False) as mock:
        url = rule_to_queue(BLOCKED)
        batch = mock.client()
        small_instances(batch)
        make_job_definition(batch, containerProperties={"resourceRequirements": TOO_BIG})
        make_job_definition(batch, name="fits")
        head = submit_job(batch, jobName="head")
        submit_job(batch, jobName="behind", jobDefinition="fits")
        mock.advance(60)
        assert [e["detail"]["jobId"] for e in received(url)] == [head]


def test_a_job_over_the_environments_max_vcpus_blocks_it_too() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(BLOCKED)
        batch = mock.client()
        make_ce(batch, max_vcpus=2)
        make_queue(batch)
        make_job_definition(batch, vcpus=4)
        job_id = submit_job(batch)
        mock.advance(30)
        detail = describe(batch, job_id)
        assert detail["statusReason"].startswith(
            "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
        )
        (event,) = received(url)
        assert_blocked_event(event, detail, (START + 2) * 1000)


def test_a_job_that_fits_sends_no_blocked_event() -> None:
    with mock_batch(start_time=START) as mock:
        url = rule_to_queue(BLOCKED)
        batch = mock.client()
        small_instances(batch)
        make_job_definition(batch)
        job_id = submit_job(batch)
        assert not mock.run_until_idle()
        assert describe(batch, job_id)["status"] == "SUCCEEDED"
        assert received(url) == []


def test_events_off_put_no_blocked_events() -> None:
    with mock_batch(start_time=START, auto_advance=False, job_state_events=False) as mock:
        url = rule_to_queue(BLOCKED)
        batch = mock.client()
        small_instances(batch)
        make_job_definition(batch, containerProperties={"resourceRequirements": TOO_BIG})
        job_id = submit_job(batch)
        mock.advance(30)
        assert describe(batch, job_id)["statusReason"] == STUCK
        assert received(url) == []
        assert all(engine.queue_blocked is None for engine in mock.runtime.engines)


def test_a_target_moto_cannot_deliver_to_is_a_warning_and_the_job_stays_blocked() -> None:
    with mock_batch(start_time=START, auto_advance=False) as mock:
        url = rule_to_queue(BLOCKED)
        boto3.client("sqs", region_name="us-east-1").delete_queue(QueueUrl=url)
        batch = mock.client()
        small_instances(batch)
        make_job_definition(batch, containerProperties={"resourceRequirements": TOO_BIG})
        job_id = submit_job(batch)
        with pytest.warns(batchmock.JobEventWarning, match="Batch Job Queue Blocked event of job"):
            mock.advance(30)
        detail = describe(batch, job_id)
        assert (detail["status"], detail["statusReason"]) == ("RUNNABLE", STUCK)
