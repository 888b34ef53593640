"""aiobotocore clients on its httpx session (``AioConfig(http_session_cls=HttpxSession)``) inside
mock_batch(): answered like the default session's, and behind the same network guard.

httpx comes with the ``test-async`` extra (aiobotocore's own ``httpx`` extra); without aiobotocore
or httpx these tests skip, unless ``BATCHMOCK_REQUIRE_ASYNC=1`` (``.ci/run``'s async step) makes
that a failure. Nothing here leaves the machine: the environment's proxy is a dead loopback port,
the resolver knows only loopback and two ``.test`` names it maps to a server on 127.0.0.1, and a
request the guard lets through to anything else fails there.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest

from batchmock import NetworkRefusedError, mock_batch
from batchmock.interceptor import refusal
from tests.clients.async_support import REGION, require
from tests.clients.async_support import setup_job as _setup
from tests.test_allow_hosts import CORP_BUCKETS, resolver, service  # noqa: F401  (fixtures)
from tests.test_isolation import dead_proxy  # noqa: F401  (a fixture)

require("aiobotocore.httpxsession")
require("httpx")

from aiobotocore.config import AioConfig  # noqa: E402
from aiobotocore.httpxsession import HttpxSession  # noqa: E402
from aiobotocore.session import get_session  # noqa: E402

# aiobotocore 3.x prefers httpx2 and warns (once per process) when it falls back to httpx
pytestmark = pytest.mark.filterwarnings(
    "ignore:aiobotocore's httpx backend now prefers httpx2:DeprecationWarning"
)


def _config(**kwargs: Any) -> AioConfig:
    return AioConfig(http_session_cls=HttpxSession, retries={"max_attempts": 1}, **kwargs)


def _client(service_name: str, **kwargs: Any) -> Any:
    config = kwargs.pop("config", None) or _config()
    return get_session().create_client(service_name, region_name=REGION, config=config, **kwargs)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs that reached HttpxSession.send past the guard (it still sends them on)."""
    sent: list[str] = []
    original = HttpxSession.send

    async def send(self: Any, request: Any) -> Any:
        sent.append(request.url)
        return await original(self, request)

    monkeypatch.setattr(HttpxSession, "send", send)  # before the mock: the guard wraps this
    return sent


def test_a_batch_call_through_the_httpx_session_is_answered_whole() -> None:
    async def scenario() -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        async with _client("batch") as batch:
            assert isinstance(batch._endpoint.http_session, HttpxSession)
            job_id = await _setup(batch)
            ces = (await batch.describe_compute_environments())["computeEnvironments"]
            for _ in range(50):
                job = (await batch.describe_jobs(jobs=[job_id]))["jobs"][0]
                if job["status"] in ("SUCCEEDED", "FAILED"):
                    break
            return job_id, ces, job

    with mock_batch() as mock:
        job_id, ces, job = asyncio.run(scenario())
        # the very same answers a boto3 client gets: the httpx client's are whole and identical
        boto3_batch = mock.client()
        assert ces == boto3_batch.describe_compute_environments()["computeEnvironments"]
        assert job == boto3_batch.describe_jobs(jobs=[job_id])["jobs"][0]
    [ce] = ces
    assert ce == {
        "computeEnvironmentName": "ce",
        "computeEnvironmentArn": f"arn:aws:batch:{REGION}:123456789012:compute-environment/ce",
        "ecsClusterArn": ce["ecsClusterArn"],
        "tags": {},
        "type": "MANAGED",
        "state": "ENABLED",
        "status": "VALID",
        "statusReason": "ComputeEnvironment Healthy",
        "computeResources": {
            "type": "FARGATE",
            "maxvCpus": 4,
            "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"],
        },
        "serviceRole": "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/"
        "AWSServiceRoleForBatch",
        "containerOrchestrationType": "ECS",
        "uuid": ce["uuid"],
    }
    assert job["jobId"] == job_id
    assert job["jobQueue"] == f"arn:aws:batch:{REGION}:123456789012:job-queue/q"
    assert job["status"] == "SUCCEEDED"
    assert job["container"]["exitCode"] == 0


def test_a_request_nothing_answers_is_refused_and_never_sent(
    resolver: None,  # noqa: F811
    dead_proxy: str,  # noqa: F811
    recorded: list[str],
) -> None:
    async def list_queues() -> None:
        async with _client("sqs") as sqs:
            await sqs.list_queues()

    async def metadata_token() -> None:
        # what aiobotocore's credential and metadata fetchers do: the session without a client
        request = AWSRequest(method="PUT", url="http://imds.corp.test/latest/api/token").prepare()
        async with HttpxSession(proxies={"http": dead_proxy, "https": dead_proxy}) as session:
            await session.send(request)

    with mock_batch(route_to_moto=False):
        with pytest.raises(NetworkRefusedError) as refused:
            asyncio.run(list_queues())
        assert str(refused.value) == refusal(f"https://sqs.{REGION}.amazonaws.com/")
        with pytest.raises(NetworkRefusedError) as refused:
            asyncio.run(metadata_token())
        assert str(refused.value) == refusal("http://imds.corp.test/latest/api/token")
    assert recorded == []


class _ReachedSend(Exception):
    """Raised by a session class of the user's: the guard let the request through."""


def test_a_session_class_of_the_users_own_is_guarded_too(resolver: None) -> None:  # noqa: F811
    sent: list[str] = []

    class OwnSession:  # no aiobotocore session's subclass: only the endpoint guard sees it
        def __init__(self, **_: Any) -> None:
            pass

        async def __aenter__(self) -> OwnSession:
            return self

        async def __aexit__(self, *_: object) -> None:
            pass

        async def close(self) -> None:
            pass

        async def send(self, request: Any) -> Any:
            sent.append(request.url)
            raise _ReachedSend(request.url)

    async def list_queues(endpoint: str) -> None:
        config = AioConfig(http_session_cls=OwnSession, retries={"max_attempts": 1})
        async with _client("sqs", endpoint_url=endpoint, config=config) as sqs:
            await sqs.list_queues()

    with mock_batch(route_to_moto=False, allow_hosts=["svc.corp.test:9324"]):
        with pytest.raises(NetworkRefusedError, match="svc.corp.test:9325"):
            asyncio.run(list_queues("http://svc.corp.test:9325"))
        with pytest.raises(_ReachedSend):
            asyncio.run(list_queues("http://svc.corp.test:9324"))
    assert [url.split("/")[2] for url in sent] == ["svc.corp.test:9324"]


def test_allow_hosts_lets_a_listed_host_through_the_httpx_session(
    service: tuple[int, list[Any]],  # noqa: F811
) -> None:
    port, seen = service
    direct = _config(proxies={})  # the listed host is reached directly, not via the dead proxy

    async def buckets(host: str) -> list[tuple[str, str]]:
        async with _client("s3", endpoint_url=f"http://{host}", config=direct) as s3:
            answer = await s3.list_buckets()
        assert answer["Owner"] == {"ID": "corp", "DisplayName": "corp"}
        return [(b["Name"], b["CreationDate"].isoformat()) for b in answer["Buckets"]]

    with mock_batch(allow_hosts=[f"svc.corp.test:{port}"]):
        assert asyncio.run(buckets(f"svc.corp.test:{port}")) == CORP_BUCKETS
        # the other name resolves to the same server: refused, it never gets there
        with pytest.raises(NetworkRefusedError, match=f"batch.corp.test:{port}"):
            asyncio.run(buckets(f"batch.corp.test:{port}"))
    # aiobotocore's httpx session sends the absolute URL as the request target
    assert [(method, host) for method, _, host in seen] == [("GET", f"svc.corp.test:{port}")]
    assert seen[0][1] in ("/", f"http://svc.corp.test:{port}/")


# Run in a fresh interpreter: aiobotocore is truly not imported yet when the mock starts.
LATE_IMPORT = """
import asyncio, json, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)  # aiobotocore 3.x on httpx (not httpx2)
from batchmock import NetworkRefusedError, mock_batch

assert "aiobotocore" not in sys.modules
out = {}
with mock_batch(route_to_moto=False) as mock:
    from aiobotocore.config import AioConfig  # imported inside the active mock
    from aiobotocore.httpxsession import HttpxSession
    from aiobotocore.session import get_session

    async def scenario():
        session = get_session()
        config = AioConfig(http_session_cls=HttpxSession, retries={"max_attempts": 1})
        async with session.create_client("batch", region_name="us-east-1", config=config) as b:
            await b.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
            out["async"] = (await b.describe_compute_environments())["computeEnvironments"]
        async with session.create_client("sqs", region_name="us-east-1", config=config) as sqs:
            try:
                await sqs.list_queues()
            except NetworkRefusedError as error:
                out["refused"] = str(error)

    asyncio.run(scenario())
    out["wrapped"] = [hasattr(HttpxSession.send, "__wrapped__")]
    out["boto3"] = mock.client().describe_compute_environments()["computeEnvironments"]
from aiobotocore.endpoint import AioEndpoint
# after the mock: the methods are aiobotocore's own again, and the import hook is gone
out["restored"] = [
    hasattr(HttpxSession.send, "__wrapped__"),
    hasattr(AioEndpoint._send, "__wrapped__"),
    any(type(f).__module__ == "batchmock.interceptor" for f in sys.meta_path),
]
print(json.dumps(out))
"""


def test_the_httpx_session_imported_inside_an_active_mock_is_answered_and_guarded(
    dead_proxy: str,  # noqa: F811  (in the child's environment: a leaked request fails there)
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LATE_IMPORT)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    [ce] = out["async"]
    assert out["boto3"] == [ce]  # the very same answer a boto3 client gets
    assert (ce["computeEnvironmentName"], ce["type"], ce["status"]) == ("ce", "UNMANAGED", "VALID")
    assert out["refused"] == refusal(f"https://sqs.{REGION}.amazonaws.com/")
    assert out["wrapped"] == [True]
    assert out["restored"] == [False, False, False]
