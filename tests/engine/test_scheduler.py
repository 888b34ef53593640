"""Scheduling through boto3 (§12.1, §12.4, §12.7, §13.5, §13.10, §14.1-14.3, §14.9)."""

from __future__ import annotations

from typing import Any

from batchmock import mock_batch
from batchmock.options import Delays
from tests.engine.helpers import START, describe, setup, status, statuses, submit
from tests.support import has_member, make_ce, make_job_definition, make_queue

MAX_RESOURCE = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"


def _running(batch: Any, *job_ids: str) -> list[str]:
    return [j for j, s in zip(job_ids, statuses(batch, *job_ids)) if s in ("STARTING", "RUNNING")]


def test_capacity_caps_the_vcpus_of_starting_and_running_jobs() -> None:
    rules = [{"match": {}, "duration": 100}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=4, vcpus=2)
        jobs = [submit(batch, name=f"j{i}") for i in range(5)]
        mock.advance(10)
        assert len(_running(batch, *jobs)) == 2  # 2 x 2 vCPUs = maxvCpus 4
        assert statuses(batch, *jobs)[2:] == ["RUNNABLE"] * 3
        queue = batch.get_job_queue_snapshot(jobQueue="q")
        if has_member("GetJobQueueSnapshotResponse", "queueUtilization"):
            assert queue["queueUtilization"]["totalCapacityUsage"] == [
                {"capacityUnit": "VCPU", "quantity": 4.0}
            ]
        mock.run_until_idle()
        assert statuses(batch, *jobs) == ["SUCCEEDED"] * 5


def test_fifo_order_within_a_queue() -> None:
    with mock_batch(auto_advance=False, start_time=START) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        jobs = [submit(batch, name=f"j{i}") for i in range(4)]
        mock.run_until_idle()
        started = [describe(batch, j)["startedAt"] for j in jobs]
        assert started == sorted(started)
        assert len(set(started)) == 4  # one at a time


def test_snapshot_front_is_in_dispatch_order() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=1)
        batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
        jobs = [submit(batch, name=f"j{i}") for i in range(3)]
        mock.run_until_idle()
        front = batch.get_job_queue_snapshot(jobQueue="q")["frontOfQueue"]["jobs"]
        assert [f["jobArn"].rsplit("/", 1)[1] for f in front] == jobs


def test_big_head_blocks_the_queue_with_the_misconfiguration_reason() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=2)
        make_job_definition(batch, name="big", vcpus=4)
        big = submit(batch, name="big", definition="big")
        small = submit(batch, name="small")
        mock.run_until_idle()
        assert statuses(batch, big, small) == ["RUNNABLE", "RUNNABLE"]
        assert describe(batch, big)["statusReason"].startswith(MAX_RESOURCE + " - ")
        assert "statusReason" not in describe(batch, small)  # §4.11: only the head
        # raising maxvCpus unblocks the queue and clears the reason
        batch.update_compute_environment(computeEnvironment="ce", computeResources={"maxvCpus": 8})
        mock.run_until_idle()
        assert statuses(batch, big, small) == ["SUCCEEDED", "SUCCEEDED"]
        assert describe(batch, big)["statusReason"] == "Essential container in task exited"


def test_backfill_option_lets_smaller_jobs_pass_a_blocked_head() -> None:
    with mock_batch(auto_advance=False, backfill=True) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=2)
        make_job_definition(batch, name="big", vcpus=4)
        big = submit(batch, name="big", definition="big")
        small = [submit(batch, name=f"small{i}") for i in range(3)]
        mock.run_until_idle()
        assert statuses(batch, big, *small) == ["RUNNABLE"] + ["SUCCEEDED"] * 3
        assert describe(batch, big)["statusReason"].startswith(MAX_RESOURCE)


def test_head_waiting_for_capacity_blocks_later_jobs_without_backfill() -> None:
    rules = [{"match": {"jobName": "long"}, "duration": 1000}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch, max_vcpus=3)
        make_job_definition(batch, name="two", vcpus=2)
        submit(batch, name="long", definition="two")  # holds 2 of 3 vCPUs
        waiting = submit(batch, name="waiting", definition="two")
        small = submit(batch, name="small")
        mock.advance(100)
        # FIFO: the 1-vCPU job fits but stays behind the 2-vCPU head
        assert statuses(batch, waiting, small) == ["RUNNABLE", "RUNNABLE"]
        assert "statusReason" not in describe(batch, waiting)
        mock.run_until_idle()
        assert statuses(batch, waiting, small) == ["SUCCEEDED", "SUCCEEDED"]


def test_higher_priority_queue_is_served_first_on_a_shared_ce() -> None:
    with mock_batch(auto_advance=False, start_time=START) as mock:
        batch = mock.client()
        make_ce(batch, max_vcpus=1)
        make_queue(batch, name="low", priority=1)
        make_queue(batch, name="high", priority=10)
        make_job_definition(batch)
        low = [submit(batch, name=f"low{i}", queue="low") for i in range(2)]
        high = [submit(batch, name=f"high{i}", queue="high") for i in range(2)]
        mock.run_until_idle()
        start = {j: describe(batch, j)["startedAt"] for j in low + high}
        assert max(start[j] for j in high) < min(start[j] for j in low)


def test_compute_environment_order_fills_the_first_then_the_next() -> None:
    rules = [{"match": {}, "duration": 100}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        make_ce(batch, name="first", max_vcpus=2)
        make_ce(batch, name="second", max_vcpus=2)
        batch.create_job_queue(
            jobQueueName="q",
            priority=1,
            computeEnvironmentOrder=[
                {"order": 2, "computeEnvironment": "second"},
                {"order": 1, "computeEnvironment": "first"},
            ],
        )
        make_job_definition(batch)
        jobs = [submit(batch, name=f"j{i}") for i in range(5)]
        mock.advance(5)
        engine = mock.backend().engine
        placed = [engine.get(j).compute_environment for j in jobs]  # type: ignore[union-attr]
        assert placed == ["first", "first", "second", "second", None]
        ce_env: dict[str, str] = {}

        @mock.on_job()
        def record(attempt: Any) -> int:
            ce_env[attempt.job_id] = attempt.env["AWS_BATCH_CE_NAME"]
            return 0

        late = submit(batch, name="late")
        mock.run_until_idle()
        # the four running jobs end together; the two waiting ones fill "first" again
        assert ce_env == {jobs[4]: "first", late: "first"}
        placed = [engine.get(j).compute_environment for j in [*jobs, late]]  # type: ignore[union-attr]
        assert placed == ["first", "first", "second", "second", "first", "first"]


def test_disabled_ce_gets_no_new_jobs_but_running_ones_finish() -> None:
    rules = [{"match": {"jobName": "running"}, "duration": 50}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        running = submit(batch, name="running")
        mock.advance(5)
        assert status(batch, running) == "RUNNING"
        batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
        queued = submit(batch, name="queued")
        mock.run_until_idle()
        assert statuses(batch, running, queued) == ["SUCCEEDED", "RUNNABLE"]
        batch.update_compute_environment(computeEnvironment="ce", state="ENABLED")
        mock.run_until_idle()
        assert status(batch, queued) == "SUCCEEDED"


def test_disabled_queue_keeps_running_its_jobs() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        job_id = submit(batch)
        batch.update_job_queue(jobQueue="q", state="DISABLED")
        mock.run_until_idle()
        assert status(batch, job_id) == "SUCCEEDED"


def test_job_state_time_limit_action_cancels_a_blocked_head() -> None:
    delays = Delays()
    with mock_batch(auto_advance=False, delays=delays, start_time=START) as mock:
        batch = mock.client()
        make_ce(batch, max_vcpus=2)
        make_queue(
            batch,
            jobStateTimeLimitActions=[
                {
                    "reason": "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
                    "state": "RUNNABLE",
                    "maxTimeSeconds": 600,
                    "action": "CANCEL",
                }
            ],
        )
        make_job_definition(batch, name="big", vcpus=4)
        make_job_definition(batch)
        big = submit(batch, name="big", definition="big")
        behind = submit(batch, name="behind")
        mock.advance(500)
        assert status(batch, big) == "RUNNABLE"
        mock.run_until_idle()
        job = describe(batch, big)
        assert job["status"] == "FAILED"
        assert job["statusReason"] == (
            "Canceled by JobStateTimeLimit action due to reason: "
            "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
        )
        assert job["isCancelled"] is True
        # the queue moves again once the head is gone
        assert status(batch, behind) == "SUCCEEDED"


def test_deleted_queue_jobs_are_terminated() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
        job_id = submit(batch)
        mock.advance(5)
        batch.update_job_queue(jobQueue="q", state="DISABLED")
        batch.delete_job_queue(jobQueue="q")
        mock.run_until_idle()
        job = describe(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["isTerminated"] is True


def test_unmanaged_ce_has_no_vcpu_limit() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
        make_queue(batch)
        make_job_definition(batch, vcpus=64)
        jobs = [submit(batch, name=f"j{i}") for i in range(3)]
        mock.advance(2)
        assert statuses(batch, *jobs) == ["STARTING"] * 3


def test_consumable_resources_are_held_while_jobs_run() -> None:
    rules = [{"match": {}, "duration": 10}]
    with mock_batch(auto_advance=False, outcomes=rules) as mock:
        batch = mock.client()
        setup(batch)
        batch.create_consumable_resource(consumableResourceName="lic", totalQuantity=1)
        needs = {"consumableResourceList": [{"consumableResource": "lic", "quantity": 1}]}
        first = submit(batch, name="first", consumableResourcePropertiesOverride=needs)
        second = submit(batch, name="second", consumableResourcePropertiesOverride=needs)
        mock.advance(5)
        assert statuses(batch, first, second) == ["RUNNING", "RUNNABLE"]
        held = batch.describe_consumable_resource(consumableResource="lic")
        assert (held["inUseQuantity"], held["availableQuantity"]) == (1, 0)
        mock.run_until_idle()
        assert statuses(batch, first, second) == ["SUCCEEDED", "SUCCEEDED"]
        assert describe(batch, second)["startedAt"] >= describe(batch, first)["stoppedAt"]
        assert batch.describe_consumable_resource(consumableResource="lic")["inUseQuantity"] == 0


def test_submission_that_fails_after_submit_goes_failed_with_its_reason() -> None:
    import dataclasses

    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        setup(batch)
        engine = mock.backend().engine
        template = engine.get(submit(batch))
        assert template is not None
        job = engine.submit(dataclasses.replace(template.spec, fail_reason="too many tags"))
        mock.advance(1)  # §2.7: it leaves SUBMITTED as FAILED
        detail = describe(batch, job.job_id)
        assert (detail["status"], detail["statusReason"]) == ("FAILED", "too many tags")
