"""aiobotocore clients inside mock_batch(): Batch answered by batchmock, other services by moto.

aiobotocore pins botocore tightly, so it is in the ``test-async`` extra, not ``test``: without it
these tests skip, unless ``BATCHMOCK_REQUIRE_ASYNC=1`` (``.ci/run``'s async step) makes that a
failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import boto3
import pytest

from batchmock import NetworkRefusedError, mock_batch
from tests.clients.async_support import REGION, WAITERS, require
from tests.clients.async_support import setup_job as _setup

require("aiobotocore.session")

from aiobotocore.session import get_session  # noqa: E402
from aiobotocore.waiter import create_waiter_with_client  # noqa: E402


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


# Run in a fresh interpreter: aiobotocore is truly not imported yet when the mock starts.
LATE_IMPORT = """
import asyncio, json, sys
from batchmock import NetworkRefusedError, mock_batch

assert "aiobotocore" not in sys.modules
out = {}
with mock_batch(route_to_moto=False) as mock:
    from aiobotocore.session import get_session  # imported inside the active mock

    async def scenario():
        session = get_session()
        async with session.create_client("batch", region_name="us-east-1") as batch:
            await batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
            out["async"] = (await batch.describe_compute_environments())["computeEnvironments"]
        async with session.create_client("sqs", region_name="us-east-1") as sqs:
            try:
                await sqs.list_queues()
            except NetworkRefusedError as error:
                out["refused"] = str(error)

    asyncio.run(scenario())
    out["boto3"] = mock.client().describe_compute_environments()["computeEnvironments"]
from aiobotocore.endpoint import AioEndpoint
from aiobotocore.httpsession import AIOHTTPSession
# after the mock: the methods are aiobotocore's own again, and the import hook is gone
out["restored"] = [
    hasattr(AioEndpoint._do_get_response, "__wrapped__"),
    hasattr(AioEndpoint._send, "__wrapped__"),
    hasattr(AIOHTTPSession.send, "__wrapped__"),
    any(type(f).__module__ == "batchmock.interceptor" for f in sys.meta_path),
]
print(json.dumps(out))
"""


def test_aiobotocore_imported_inside_an_active_mock_is_answered_and_guarded() -> None:
    # a closed loopback port as proxy: a request that leaked would fail differently
    env = dict(os.environ, HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LATE_IMPORT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    [ce] = out["async"]
    assert out["boto3"] == [ce]  # the very same answer a boto3 client gets
    assert ce == {
        "computeEnvironmentName": "ce",
        "computeEnvironmentArn": f"arn:aws:batch:{REGION}:123456789012:compute-environment/ce",
        "ecsClusterArn": ce["ecsClusterArn"],
        "tags": {},
        "type": "UNMANAGED",
        "state": "ENABLED",
        "status": "VALID",
        "statusReason": "ComputeEnvironment Healthy",
        "serviceRole": "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/"
        "AWSServiceRoleForBatch",
        "containerOrchestrationType": "ECS",
        "uuid": ce["uuid"],
    }
    assert ce["ecsClusterArn"].startswith(
        f"arn:aws:ecs:{REGION}:123456789012:cluster/ce_Batch_{ce['uuid']}"
    )
    assert out["refused"].startswith("batchmock refused a request to https://sqs.")
    assert out["restored"] == [False, False, False, False]
