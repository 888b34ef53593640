"""DescribeJobs through boto3: ID rules and the JobDetail of every kind of job (§4.12, §15.8)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import BatchMock, mock_batch
from tests.support import describe_job as describe
from tests.support import documented_number, has_member, make_env, make_job_definition
from tests.support import submit_job as submit

LIMIT = documented_number(
    "DescribeJobs", "jobs", r"up to (\d[\d,]*)"
)  # "A list of up to 100 job IDs."
STATUSES = {"SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"}


@pytest.fixture
def env(batch: Any) -> Any:
    """A client with compute environment ``ce``, queue ``q`` and job definition ``jd``."""
    make_env(batch)
    return batch


# -- the ID list ---------------------------------------------------------------------------------
def test_more_ids_than_the_model_allows_are_rejected(env: Any) -> None:
    with pytest.raises(ClientError) as info:
        env.describe_jobs(jobs=[f"id-{i}" for i in range(LIMIT + 1)])
    assert info.value.response["Error"]["Code"] == "ClientException"
    # §21.4 [obs: pegasus-isi/pegasus#2086]: two spaces, and the response's own request id
    request_id = info.value.response["ResponseMetadata"]["RequestId"]
    assert info.value.response["Error"]["Message"] == (
        f"Error executing request, Exception : Maximum number of jobs supported is  {LIMIT} ., "
        f"RequestId: {request_id}"
    )


def test_the_most_ids_in_request_order_unknown_ones_dropped(env: Any) -> None:
    ids = [submit(env, jobName=f"j{i}") for i in range(5)]
    asked = [ids[3], "unknown-1", ids[0], ids[4]] + [f"missing-{i}" for i in range(LIMIT - 4)]
    assert len(asked) == LIMIT
    found = env.describe_jobs(jobs=asked)["jobs"]
    assert [job["jobId"] for job in found] == [ids[3], ids[0], ids[4]]
    assert [job["jobName"] for job in found] == ["j3", "j0", "j4"]


# -- a plain job before and after it ran ---------------------------------------------------------
def test_a_new_job_has_no_start_or_stop_time(env: Any) -> None:
    job_id = submit(env)
    job = describe(env, job_id)
    assert job["createdAt"] > 0
    assert job["status"] in ("SUBMITTED", "PENDING", "RUNNABLE")  # DescribeJobs polls a step
    arn = "arn:aws:batch:us-east-1:123456789012"
    # the whole shape (§21.1): AWS's empty defaults present; no startedAt/stoppedAt (G7), no
    # invented platformCapabilities, no propagateTags/isCancelled/isTerminated until set
    assert job == {
        "jobArn": f"{arn}:job/{job_id}",
        "jobName": "j",
        "jobId": job_id,
        "jobQueue": f"{arn}:job-queue/q",
        "status": job["status"],
        "attempts": [],
        "createdAt": job["createdAt"],
        "dependsOn": [],
        "jobDefinition": f"{arn}:job-definition/jd:1",
        "parameters": {},
        "container": {
            "image": "busybox",
            "command": ["echo", "hello"],
            "environment": [],
            "mountPoints": [],
            "networkInterfaces": [],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "512"},
            ],
            "secrets": [],
            "ulimits": [],
            "volumes": [],
        },
        "tags": {},
        "eksAttempts": [],
    }


def test_a_finished_job_shows_its_attempt(mock: BatchMock, env: Any) -> None:
    mock.set_outcomes([{"match": {"jobName": "fails"}, "exitCode": 3, "reason": "boom"}])
    ok = submit(env, jobName="works")
    bad = submit(env, jobName="fails")
    mock.run_until_idle()
    done = describe(env, ok)
    assert done["status"] == "SUCCEEDED"
    assert done["startedAt"] <= done["stoppedAt"]
    assert done["createdAt"] <= done["startedAt"]
    assert done["container"]["exitCode"] == 0
    assert done["container"]["taskArn"].startswith("arn:aws:ecs:us-east-1:123456789012:task/")
    assert done["container"]["logStreamName"].startswith("jd/default/")
    [attempt] = done["attempts"]
    assert attempt["container"]["exitCode"] == 0
    assert attempt["container"]["taskArn"] == done["container"]["taskArn"]
    assert attempt["container"]["logStreamName"] == done["container"]["logStreamName"]
    assert attempt["startedAt"] == done["startedAt"]
    assert attempt["stoppedAt"] == done["stoppedAt"]
    failed = describe(env, bad)
    assert failed["status"] == "FAILED"
    assert failed["container"]["exitCode"] == 3
    assert failed["container"]["reason"] == "boom"
    assert failed["statusReason"] == "Essential container in task exited"


def test_effective_container_and_user_environment_only(mock: BatchMock, env: Any) -> None:
    seen: dict[str, str] = {}

    @mock.on_job(job_name="envjob")
    def record(attempt: Any) -> int:
        seen.update(attempt.env)
        return 0

    make_job_definition(
        env, name="envs", containerProperties={"environment": [{"name": "A", "value": "1"}]}
    )
    job_id = submit(
        env,
        jobName="envjob",
        jobDefinition="envs",
        containerOverrides={"command": ["run"], "environment": [{"name": "B", "value": "2"}]},
    )
    mock.run_until_idle()
    job = describe(env, job_id)
    assert (seen["AWS_BATCH_JOB_ID"], seen["A"], seen["B"]) == (job_id, "1", "2")
    assert job["container"]["environment"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "2"},
    ]
    assert job["container"]["command"] == ["run"]
    assert job["container"]["image"] == "busybox"


# -- arrays ----------------------------------------------------------------------------------------
def test_array_parent_and_child_details(mock: BatchMock, env: Any) -> None:
    parent = submit(env, arrayProperties={"size": 3})
    job = describe(env, parent)
    assert job["arrayProperties"]["size"] == 3
    assert set(job["arrayProperties"]["statusSummary"]) == STATUSES
    mock.run_until_idle()
    job = describe(env, parent)
    assert job["status"] == "SUCCEEDED"
    assert job["arrayProperties"]["statusSummary"]["SUCCEEDED"] == 3
    assert sum(job["arrayProperties"]["statusSummary"].values()) == 3
    if has_member("ArrayPropertiesDetail", "statusSummaryLastUpdatedAt"):
        assert job["arrayProperties"]["statusSummaryLastUpdatedAt"] >= job["createdAt"]
    else:  # an older model: the member is not answered
        assert set(job["arrayProperties"]) == {"size", "statusSummary"}
    child = describe(env, f"{parent}:2")
    assert child["jobId"] == f"{parent}:2"
    assert child["jobArn"].endswith(f"job/{parent}:2")
    assert child["arrayProperties"] == {"index": 2}
    assert child["status"] == "SUCCEEDED"
    assert child["container"]["exitCode"] == 0


# -- multi-node ------------------------------------------------------------------------------------
def test_multinode_parent_and_node_details(mock: BatchMock, env: Any) -> None:
    container = {
        "image": "busybox",
        "command": ["main"],
        "resourceRequirements": [
            {"type": "VCPU", "value": "1"},
            {"type": "MEMORY", "value": "512"},
        ],
    }
    env.register_job_definition(
        jobDefinitionName="mnp",
        type="multinode",
        nodeProperties={
            "numNodes": 3,
            "mainNode": 0,
            "nodeRangeProperties": [
                {"targetNodes": "0:", "container": container},
                {"targetNodes": "1:2", "container": {**container, "command": ["worker"]}},
            ],
        },
    )
    job_id = submit(env, jobDefinition="mnp")
    parent = describe(env, job_id)
    assert parent["nodeProperties"]["numNodes"] == 3
    assert "container" not in parent
    mock.run_until_idle()
    main, other = env.describe_jobs(jobs=[f"{job_id}#0", f"{job_id}#2"])["jobs"]
    assert main["nodeDetails"] == {"nodeIndex": 0, "isMainNode": True}
    assert main["container"]["command"] == ["main"]
    assert other["nodeDetails"] == {"nodeIndex": 2, "isMainNode": False}
    assert other["container"]["command"] == ["worker"]
    assert "nodeProperties" not in main


# -- cancel / terminate flags ----------------------------------------------------------------------
def test_is_cancelled_and_status_reason(env: Any) -> None:
    job_id = submit(env)
    env.cancel_job(jobId=job_id, reason="no longer needed")
    job = describe(env, job_id)
    assert job["status"] == "FAILED"
    assert job["isCancelled"] is True
    assert job["statusReason"] == "no longer needed"


# -- polling (issue item 10) -------------------------------------------------------------------
def test_polling_describe_jobs_lets_a_job_finish(env: Any) -> None:
    job_id = submit(env)
    seen = [describe(env, job_id)["status"] for _ in range(10)]
    assert seen[-1] == "SUCCEEDED"
    assert {"RUNNABLE", "STARTING", "RUNNING"} <= set(seen)
    order = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)


def test_a_rejected_describe_does_not_move_the_clock(mock: BatchMock, env: Any) -> None:
    submit(env)
    before = mock.runtime.clock.now()
    for _ in range(3):
        with pytest.raises(ClientError):
            env.describe_jobs(jobs=[f"id-{i}" for i in range(LIMIT + 1)])
        with pytest.raises(ClientError):
            env.list_jobs(jobQueue="nope")
    assert mock.runtime.clock.now() == before
    env.describe_jobs(jobs=["anything"])
    assert mock.runtime.clock.now() > before


def test_no_polling_step_without_auto_advance() -> None:
    with mock_batch(auto_advance=False) as still:
        batch = still.client()
        make_env(batch)
        job_id = submit(batch)
        assert {describe(batch, job_id)["status"] for _ in range(10)} == {"SUBMITTED"}
