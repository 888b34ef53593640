"""aioboto3 sessions inside mock_batch() and with the pytest fixtures: their Batch client answered
by batchmock, their clients and resources of other services (S3, SQS) by moto.

aioboto3 pins an aiobotocore (and so a botocore) of its own, older than the one the ``test-async``
extra brings: it is in the ``test-aioboto3`` extra, in a virtual environment of its own. Without
it these tests skip, unless ``BATCHMOCK_REQUIRE_AIOBOTO3=1`` (``.ci/run``'s aioboto3 step).
"""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import pytest
from botocore.exceptions import WaiterError

from batchmock import NetworkRefusedError, mock_batch
from tests.clients.async_support import REGION, WAITERS, require, setup_job

require("aioboto3")

import aioboto3  # noqa: E402
from aiobotocore.waiter import create_waiter_with_client  # noqa: E402


def test_a_session_client_polls_with_asyncio_sleep_until_the_job_succeeds() -> None:
    async def scenario() -> tuple[str, dict[str, Any], list[str]]:
        async with aioboto3.Session().client("batch", region_name=REGION) as batch:
            job_id = await setup_job(batch)
            seen: list[str] = []
            for _ in range(50):
                job = (await batch.describe_jobs(jobs=[job_id]))["jobs"][0]
                if not seen or seen[-1] != job["status"]:
                    seen.append(job["status"])
                if job["status"] in ("SUCCEEDED", "FAILED"):
                    break
                await asyncio.sleep(0.001)  # the real loop's sleep (the mock's clock runs ahead)
            return job_id, job, seen

    with mock_batch() as mock:
        job_id, job, seen = asyncio.run(scenario())
        # the whole answer is the one a boto3 client gets for the same job
        assert job == mock.client().describe_jobs(jobs=[job_id])["jobs"][0]
    # the loop saw the job move (each poll steps the mock's clock), in lifecycle order
    order = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]
    assert len(seen) > 1
    assert seen == sorted(seen, key=order.index)
    assert seen[-1] == "SUCCEEDED"
    assert (job["jobId"], job["jobName"], job["status"]) == (job_id, "j", "SUCCEEDED")
    assert job["jobQueue"] == f"arn:aws:batch:{REGION}:123456789012:job-queue/q"
    assert job["jobDefinition"] == f"arn:aws:batch:{REGION}:123456789012:job-definition/jd:1"
    assert job["container"]["exitCode"] == 0
    assert job["container"]["command"] == ["echo", "hi"]


def test_a_waiter_succeeds_and_one_on_a_failing_job_fails() -> None:
    async def scenario() -> tuple[str, str]:
        async with aioboto3.Session().client("batch", region_name=REGION) as batch:
            good = await setup_job(batch)
            waiter = create_waiter_with_client("JobComplete", WAITERS, batch)
            await waiter.wait(jobs=[good], WaiterConfig={"Delay": 0})
            bad = (await batch.submit_job(jobName="bad", jobQueue="q", jobDefinition="jd"))["jobId"]
            with pytest.raises(WaiterError, match="JobComplete failed") as failure:
                await waiter.wait(jobs=[bad], WaiterConfig={"Delay": 0})
            last = failure.value.last_response["jobs"][0]
            return (await batch.describe_jobs(jobs=[good]))["jobs"][0]["status"], last["status"]

    with mock_batch(outcomes=[{"match": {"jobName": "bad"}, "exitCode": 3}]):
        assert asyncio.run(scenario()) == ("SUCCEEDED", "FAILED")


def test_resources_and_a_moto_waiter_reach_s3_and_sqs_through_moto() -> None:
    async def scenario() -> dict[str, Any]:
        session = aioboto3.Session(region_name=REGION)
        async with session.resource("s3") as s3:
            bucket = await s3.Bucket("bucket-a")
            await bucket.create()
            await bucket.wait_until_exists()  # S3's own waiter, answered by moto
            await (await s3.Object("bucket-a", "k")).put(Body=b"hello")
            got = await (await s3.Object("bucket-a", "k")).get()
            async with got["Body"] as body:
                data = await body.read()
            keys = [o.key async for o in bucket.objects.all()]
        async with session.resource("sqs") as sqs:
            queue = await sqs.create_queue(QueueName="done")
            await queue.send_message(MessageBody="job finished")
            bodies = [await m.body for m in await queue.receive_messages()]
        return {"data": data, "keys": keys, "queue": queue.url, "bodies": bodies}

    with mock_batch():
        assert asyncio.run(scenario()) == {
            "data": b"hello",
            "keys": ["k"],
            "queue": f"https://sqs.{REGION}.amazonaws.com/123456789012/done",
            "bodies": ["job finished"],
        }
        # the same moto state a boto3 client sees
        s3 = boto3.client("s3", region_name=REGION)
        assert s3.get_object(Bucket="bucket-a", Key="k")["Body"].read() == b"hello"


def test_nothing_leaves_when_moto_is_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    # a closed loopback port as proxy: a request that leaked would fail differently
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")

    async def refused() -> None:
        async with aioboto3.Session().client("sqs", region_name=REGION) as sqs:
            await sqs.list_queues()

    with mock_batch(route_to_moto=False), pytest.raises(NetworkRefusedError, match="sqs"):
        asyncio.run(refused())


def test_the_fixtures_with_an_aioboto3_session(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio

        import aioboto3
        import pytest

        @pytest.mark.batch_mock(region="eu-west-1")
        def test_async(batch_mock, batch_client):
            async def go():
                session = aioboto3.Session(region_name="eu-west-1")
                async with session.client("batch") as batch:
                    await batch.create_compute_environment(
                        computeEnvironmentName="ce", type="UNMANAGED"
                    )
                    while True:  # polled until it settles, as against AWS
                        [ce] = (await batch.describe_compute_environments())[
                            "computeEnvironments"
                        ]
                        if ce["status"] == "VALID":
                            return ce
                        await asyncio.sleep(0.001)

            ce = asyncio.run(go())
            assert batch_client.describe_compute_environments()["computeEnvironments"] == [ce]
            assert ce == {
                "computeEnvironmentName": "ce",
                "computeEnvironmentArn":
                    "arn:aws:batch:eu-west-1:123456789012:compute-environment/ce",
                "ecsClusterArn": ce["ecsClusterArn"],
                "tags": {},
                "type": "UNMANAGED",
                "state": "ENABLED",
                "status": "VALID",
                "statusReason": "ComputeEnvironment Healthy",
                "serviceRole": "arn:aws:iam::123456789012:role/aws-service-role/"
                    "batch.amazonaws.com/AWSServiceRoleForBatch",
                "containerOrchestrationType": "ECS",
                "uuid": ce["uuid"],
            }
        """
    )
    from tests.test_pytest_plugin import _run

    _run(pytester).assert_outcomes(passed=1)
