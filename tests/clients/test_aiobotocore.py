"""aiobotocore clients inside mock_batch(): Batch answered by batchmock, other services by moto.

aiobotocore pins botocore tightly, so it is in the ``test-async`` extra, not ``test``: without it
these tests skip, unless ``BATCHMOCK_REQUIRE_ASYNC=1`` (``.ci/run``'s async step) makes that a
failure.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import boto3
import pytest

from batchmock import NetworkRefusedError, mock_batch

if os.environ.get("BATCHMOCK_REQUIRE_ASYNC") == "1":
    import aiobotocore.session  # noqa: F401  (an ImportError here fails the run)
else:
    pytest.importorskip(
        "aiobotocore.session", reason="aiobotocore (the 'test-async' extra) is not installed"
    )

from aiobotocore.session import get_session  # noqa: E402
from aiobotocore.waiter import create_waiter_with_client  # noqa: E402
from botocore.waiter import WaiterModel  # noqa: E402

REGION = "us-east-1"
# Batch has no built-in waiter: one as a user defines it with botocore's waiter model.
WAITERS = WaiterModel(
    {
        "version": 2,
        "waiters": {
            "JobComplete": {
                "operation": "DescribeJobs",
                "delay": 1,
                "maxAttempts": 50,
                "acceptors": [
                    {
                        "matcher": "path",
                        "argument": "jobs[0].status",
                        "expected": "SUCCEEDED",
                        "state": "success",
                    },
                    {
                        "matcher": "path",
                        "argument": "jobs[0].status",
                        "expected": "FAILED",
                        "state": "failure",
                    },
                ],
            }
        },
    }
)


async def _setup(batch: Any) -> str:
    await batch.create_compute_environment(
        computeEnvironmentName="ce",
        type="MANAGED",
        computeResources={
            "type": "FARGATE",
            "maxvCpus": 4,
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
        },
    )
    await batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    await batch.register_job_definition(
        jobDefinitionName="jd",
        type="container",
        platformCapabilities=["FARGATE"],
        containerProperties={
            "image": "busybox",
            "command": ["echo", "hi"],
            "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "2048"},
            ],
        },
    )
    submitted = await batch.submit_job(jobName="j", jobQueue="q", jobDefinition="jd")
    return str(submitted["jobId"])


def test_submit_and_poll_until_succeeded_like_boto3() -> None:
    async def scenario() -> tuple[str, dict[str, Any], list[str]]:
        async with get_session().create_client("batch", region_name=REGION) as batch:
            job_id = await _setup(batch)
            seen: list[str] = []
            for _ in range(50):
                job = (await batch.describe_jobs(jobs=[job_id]))["jobs"][0]
                seen.append(job["status"])
                if job["status"] in ("SUCCEEDED", "FAILED"):
                    break
                await asyncio.sleep(0)
            return job_id, job, seen

    with mock_batch() as mock:
        job_id, job, seen = asyncio.run(scenario())
        # a boto3 client sees the very same job: the async client's answer is whole and identical
        assert job == mock.client().describe_jobs(jobs=[job_id])["jobs"][0]
    assert seen[-1] == "SUCCEEDED"
    assert job["status"] == "SUCCEEDED"
    assert job["jobId"] == job_id
    assert job["jobQueue"] == f"arn:aws:batch:{REGION}:123456789012:job-queue/q"
    assert job["container"]["exitCode"] == 0


def test_a_waiter_waits_until_the_job_succeeds() -> None:
    async def scenario() -> str:
        async with get_session().create_client("batch", region_name=REGION) as batch:
            job_id = await _setup(batch)
            waiter = create_waiter_with_client("JobComplete", WAITERS, batch)
            await waiter.wait(jobs=[job_id], WaiterConfig={"Delay": 0})
            job = (await batch.describe_jobs(jobs=[job_id]))["jobs"][0]
            return str(job["status"])

    with mock_batch():
        assert asyncio.run(scenario()) == "SUCCEEDED"


def test_s3_put_and_get_through_moto() -> None:
    async def scenario() -> tuple[bytes, list[str]]:
        async with get_session().create_client("s3", region_name=REGION) as s3:
            await s3.create_bucket(Bucket="bucket-a")
            await s3.put_object(Bucket="bucket-a", Key="k", Body=b"hello")
            got = await s3.get_object(Bucket="bucket-a", Key="k")
            async with got["Body"] as body:
                data = await body.read()
            listed = await s3.list_objects_v2(Bucket="bucket-a")
            return data, [o["Key"] for o in listed["Contents"]]

    with mock_batch():
        assert asyncio.run(scenario()) == (b"hello", ["k"])
        # the same moto state a boto3 client sees
        assert (
            boto3.client("s3", region_name=REGION)
            .get_object(Bucket="bucket-a", Key="k")["Body"]
            .read()
            == b"hello"
        )


def test_nothing_leaves_through_a_dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # a closed loopback port as proxy: any request that tried to leave would fail differently
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")

    async def answered() -> str:
        async with get_session().create_client("batch", region_name=REGION) as batch:
            return await _setup(batch)

    async def refused() -> None:
        async with get_session().create_client("sqs", region_name=REGION) as sqs:
            await sqs.list_queues()

    with mock_batch():
        assert asyncio.run(answered())
    with mock_batch(route_to_moto=False), pytest.raises(NetworkRefusedError, match="sqs"):
        asyncio.run(refused())


def test_the_batch_mock_fixture_with_an_async_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import asyncio
        from aiobotocore.session import get_session

        def test_async(batch_mock):
            async def go():
                async with get_session().create_client("batch", region_name="us-east-1") as b:
                    await b.create_compute_environment(
                        computeEnvironmentName="ce", type="UNMANAGED"
                    )
                    return (await b.describe_compute_environments())["computeEnvironments"]
            [ce] = asyncio.run(go())
            assert ce["computeEnvironmentName"] == "ce"
            boto3_view = batch_mock.client().describe_compute_environments()
            assert boto3_view["computeEnvironments"] == [ce]
        """
    )
    from tests.test_pytest_plugin import _run

    _run(pytester).assert_outcomes(passed=1)


class _ReachedSend(Exception):
    """Raised by the stand-in of aiohttp's send: the guard let the request through."""


def test_allow_hosts_lets_listed_hosts_through_the_async_guard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import aiobotocore.httpsession

    sent: list[str] = []

    async def send(self: Any, request: Any) -> Any:  # what the guard wraps: nothing is sent
        sent.append(request.url)
        raise _ReachedSend(request.url)

    monkeypatch.setattr(aiobotocore.httpsession.AIOHTTPSession, "send", send)

    async def list_queues(endpoint: str) -> None:
        async with get_session().create_client(
            "sqs", region_name=REGION, endpoint_url=endpoint
        ) as sqs:
            await sqs.list_queues()

    with mock_batch(allow_hosts=["svc.corp.test:9324"]):
        with pytest.raises(_ReachedSend):
            asyncio.run(list_queues("http://svc.corp.test:9324"))
        with pytest.raises(NetworkRefusedError, match="svc.corp.test:9325"):
            asyncio.run(list_queues("http://svc.corp.test:9325"))
    assert [url.split("/")[2] for url in sent] == ["svc.corp.test:9324"]
