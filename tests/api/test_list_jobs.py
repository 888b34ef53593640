"""ListJobs through boto3: sources, statuses, filters, order and pages (§5.12, §15, §17.9)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from batchmock import BatchMock
from tests.support import documented_number, make_job_definition, make_queue, modeled
from tests.support import submit_job as submit

JD_ARN = "arn:aws:batch:us-east-1:123456789012:job-definition/"


@pytest.fixture
def env(still_client: Any) -> Any:
    return still_client


def ids(batch: Any, **kwargs: Any) -> list[str]:
    return [s["jobId"] for s in batch.list_jobs(**kwargs)["jobSummaryList"]]


def by_name(batch: Any, value: str, name: str = "JOB_NAME", **kwargs: Any) -> list[str]:
    return ids(batch, jobQueue="q", filters=[{"name": name, "values": [value]}], **kwargs)


def rejected(batch: Any, match: str, **kwargs: Any) -> None:
    with pytest.raises(ClientError) as info:
        batch.list_jobs(**kwargs)
    assert info.value.response["Error"]["Code"] == "ClientException"
    assert match in info.value.response["Error"]["Message"]


# -- the source ----------------------------------------------------------------------------------
def test_exactly_one_source(env: Any) -> None:
    parent = submit(env, arrayProperties={"size": 2})
    rejected(env, "Exactly one of jobQueue, arrayJobId or multiNodeJobId")
    rejected(env, "Exactly one of", jobQueue="q", arrayJobId=parent)


def test_unknown_queue_and_jobs(env: Any) -> None:
    rejected(env, "JobQueue nope not found.", jobQueue="nope")
    # an ID that names no array (multi-node) job lists nothing: no source says AWS refuses it
    for kwargs in (
        {"arrayJobId": "no-such-job"},
        {"arrayJobId": submit(env)},
        {"multiNodeJobId": submit(env)},
    ):
        response = env.list_jobs(**kwargs)
        assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {
            "jobSummaryList": []
        }


# -- statuses ---------------------------------------------------------------------------------
def test_only_running_jobs_without_a_status(still: BatchMock, env: Any) -> None:
    still.set_outcomes([{"match": {"jobName": "long"}, "duration": 3600}])
    running = submit(env, jobName="long")
    still.advance(30)
    waiting = submit(env, jobName="new")
    assert ids(env, jobQueue="q") == [running]
    assert ids(env, jobQueue="q", jobStatus="RUNNING") == [running]
    assert ids(env, jobQueue="q", jobStatus="SUBMITTED") == [waiting]
    assert ids(env, jobQueue="q", jobStatus="SUCCEEDED") == []


def test_a_filter_lists_every_status(still: BatchMock, env: Any) -> None:
    done = submit(env, jobName="a")
    still.run_until_idle()
    fresh = submit(env, jobName="a")
    assert by_name(env, "a", jobStatus="RUNNING") == [fresh, done]


# -- order and pages -----------------------------------------------------------------------------
def test_newest_first_and_pages_never_repeat_or_lose(env: Any) -> None:
    submitted = [submit(env, jobName=f"n{i}") for i in range(25)]
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"jobQueue": "q", "jobStatus": "SUBMITTED", "maxResults": 10}
        if token:
            kwargs["nextToken"] = token
        page = env.list_jobs(**kwargs)
        seen += [s["jobId"] for s in page["jobSummaryList"]]
        pages += 1
        if pages == 1:
            submit(env, jobName="late")  # newer than the cursor: must not shift the pages
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 3
    assert seen == list(reversed(submitted))


def test_the_boto3_paginator(env: Any) -> None:
    submitted = [submit(env, jobName=f"p{i}") for i in range(7)]
    paginator = env.get_paginator("list_jobs")
    pages = list(
        paginator.paginate(jobQueue="q", jobStatus="SUBMITTED", PaginationConfig={"PageSize": 3})
    )
    assert [len(p["jobSummaryList"]) for p in pages] == [3, 3, 1]
    assert [s["jobId"] for p in pages for s in p["jobSummaryList"]] == submitted[::-1]


def test_a_foreign_token_is_rejected(env: Any) -> None:
    for i in range(3):
        submit(env, jobName=f"t{i}")
    token = env.list_jobs(jobQueue="q", jobStatus="SUBMITTED", maxResults=1)["nextToken"]
    rejected(env, "nextToken", jobQueue="q", jobStatus="FAILED", nextToken=token)
    rejected(env, "nextToken", jobQueue="q", jobStatus="SUBMITTED", nextToken="garbage")


# -- filters ---------------------------------------------------------------------------------------
def test_job_name_filter(env: Any) -> None:
    test10 = submit(env, jobName="Test10")
    test1 = submit(env, jobName="test1")
    submit(env, jobName="other")
    assert by_name(env, "TEST1") == [test1]
    assert by_name(env, "test1*") == [test1, test10]


def test_job_definition_filter(env: Any) -> None:
    make_job_definition(env)  # jd:2
    make_job_definition(env, name="jdX")
    first = submit(env, jobDefinition="jd:1")
    second = submit(env, jobDefinition="jd:2")
    other = submit(env, jobDefinition="jdX")
    assert by_name(env, "jd", "JOB_DEFINITION") == [second, first]
    assert by_name(env, "jd*", "JOB_DEFINITION") == [other, second, first]
    assert by_name(env, "JD", "JOB_DEFINITION") == []
    assert by_name(env, f"{JD_ARN}jd:1", "JOB_DEFINITION") == [first]
    rejected(
        env,
        "'*' is not supported",
        jobQueue="q",
        filters=[{"name": "JOB_DEFINITION", "values": [f"{JD_ARN}jd*"]}],
    )


def test_created_at_filters_are_strict(still: BatchMock, env: Any) -> None:
    early = submit(env, jobName="early")
    still.advance(5)
    late = submit(env, jobName="late")
    created = env.describe_jobs(jobs=[late])["jobs"][0]["createdAt"]
    assert by_name(env, str(created), "AFTER_CREATED_AT") == []
    assert by_name(env, str(created - 1), "AFTER_CREATED_AT") == [late]
    assert by_name(env, str(created), "BEFORE_CREATED_AT") == [early]
    assert by_name(env, str(created + 1), "BEFORE_CREATED_AT") == [late, early]
    rejected(
        env,
        "BEFORE_CREATED_AT",
        jobQueue="q",
        filters=[{"name": "BEFORE_CREATED_AT", "values": ["yesterday"]}],
    )


def test_share_identifier_filter_combines_with_status(env: Any) -> None:
    policy = env.create_scheduling_policy(name="fs", fairsharePolicy={})["arn"]
    make_queue(env, name="fair", schedulingPolicyArn=policy)
    mine = submit(env, jobQueue="fair", shareIdentifier="A")
    submit(env, jobQueue="fair", shareIdentifier="B")
    share = [{"name": "SHARE_IDENTIFIER", "values": ["A"]}]
    assert ids(env, jobQueue="fair", filters=share, jobStatus="SUBMITTED") == [mine]
    assert ids(env, jobQueue="fair", filters=share, jobStatus="FAILED") == []


def test_filter_rules(env: Any) -> None:
    two = [{"name": "JOB_NAME", "values": ["a"]}, {"name": "JOB_NAME", "values": ["b"]}]
    rejected(env, "filters", jobQueue="q", filters=two)
    rejected(env, "filters[0].name", jobQueue="q", filters=[{"name": "job_name", "values": ["a"]}])


# -- arrays and multi-node jobs ------------------------------------------------------------------
def test_queue_lists_parents_and_array_lists_children_by_index(still: BatchMock, env: Any) -> None:
    parent = submit(env, arrayProperties={"size": 7})
    assert by_name(env, "*") == [parent]
    still.run_until_idle()
    children = ids(env, arrayJobId=parent, jobStatus="SUCCEEDED")
    assert children == [f"{parent}:{i}" for i in range(7)]
    pages = list(
        env.get_paginator("list_jobs").paginate(
            arrayJobId=parent, jobStatus="SUCCEEDED", PaginationConfig={"PageSize": 3}
        )
    )
    assert [s["jobId"] for p in pages for s in p["jobSummaryList"]] == children
    summary = env.list_jobs(arrayJobId=parent, jobStatus="SUCCEEDED")["jobSummaryList"][4]
    assert summary["arrayProperties"] == {"index": 4}
    [top] = env.list_jobs(jobQueue="q", jobStatus="SUCCEEDED")["jobSummaryList"]
    statuses = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
    assert top == modeled(  # an older model has no statusSummary here: it is not answered
        "JobSummary",
        {
            "jobArn": f"arn:aws:batch:us-east-1:123456789012:job/{parent}",
            "jobId": parent,
            "jobName": "j",
            "createdAt": top["createdAt"],
            "status": "SUCCEEDED",
            "startedAt": top["startedAt"],
            "stoppedAt": top["stoppedAt"],
            "arrayProperties": {
                "size": 7,
                "statusSummary": {**dict.fromkeys(statuses, 0), "SUCCEEDED": 7},
                "statusSummaryLastUpdatedAt": top["stoppedAt"],
            },
        },
    )


def test_multinode_job_lists_its_nodes(still: BatchMock, env: Any) -> None:
    container = {
        "image": "busybox",
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
            "mainNode": 1,
            "nodeRangeProperties": [{"targetNodes": "0:", "container": container}],
        },
    )
    job_id = submit(env, jobDefinition="mnp")
    still.run_until_idle()
    nodes = env.list_jobs(multiNodeJobId=job_id, jobStatus="SUCCEEDED")["jobSummaryList"]
    assert [n["jobId"] for n in nodes] == [f"{job_id}#{i}" for i in range(3)]
    assert [n["nodeProperties"] for n in nodes] == [
        {"isMainNode": i == 1, "numNodes": 3, "nodeIndex": i} for i in range(3)
    ]


def test_many_children_in_pages_of_100(still: BatchMock, env: Any) -> None:
    parent = submit(env, arrayProperties={"size": 1500})
    still.run_until_idle()
    listed: list[str] = []
    for page in env.get_paginator("list_jobs").paginate(
        arrayJobId=parent, jobStatus="SUCCEEDED", PaginationConfig={"PageSize": 100}
    ):
        assert len(page["jobSummaryList"]) <= 100
        listed += [s["jobId"] for s in page["jobSummaryList"]]
    assert listed == [f"{parent}:{i}" for i in range(1500)]


# -- summary members ---------------------------------------------------------------------------
def test_summary_members(still: BatchMock, env: Any) -> None:
    still.set_outcomes([{"match": {"jobName": "bad"}, "exitCode": 2, "reason": "oops"}])
    job_id = submit(env, jobName="bad")
    still.run_until_idle()
    [summary] = env.list_jobs(jobQueue="q", jobStatus="FAILED")["jobSummaryList"]
    assert summary["jobId"] == job_id
    assert summary["jobName"] == "bad"
    assert summary["jobArn"].endswith(f":job/{job_id}")
    assert "jobDefinition" not in summary  # AWS leaves it out [aws/aws-sdk#588] (§21.1)
    assert summary["container"] == {"exitCode": 2, "reason": "oops"}
    assert summary["createdAt"] <= summary["startedAt"] <= summary["stoppedAt"]
    assert summary["statusReason"] == "Essential container in task exited"


def test_a_filtered_page_holds_at_most_what_the_model_says(env: Any) -> None:
    most = documented_number(
        "ListJobs", "maxResults", r"--filters is used, \w+ returns up to ([\d,]+)"
    )
    for i in range(most + 1):
        submit(env, jobName=f"job{i}")
    filters = [{"name": "JOB_NAME", "values": ["job*"]}]
    first = env.list_jobs(jobQueue="q", filters=filters, maxResults=most + 10)
    assert len(first["jobSummaryList"]) == most
    rest = env.list_jobs(jobQueue="q", filters=filters, nextToken=first["nextToken"])
    assert len(rest["jobSummaryList"]) == 1
    assert "nextToken" not in rest
