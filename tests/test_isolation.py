"""Nothing leaves the process while a mock is active, whatever the import order.

Every test here runs behind a dead proxy: ``HTTPS_PROXY``/``HTTP_PROXY`` name a port on
127.0.0.1 that refuses connections and ``NO_PROXY`` is cleared, so a request that tries to reach
AWS fails the test. Each test also checks that the answer came from the mock (or moto), not
merely that nothing failed.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.endpoint
import botocore.httpsession
import pytest
from botocore.config import Config
from botocore.exceptions import ProxyConnectionError

from batchmock import MockNotActiveError, NetworkRefusedError, mock_batch, patch_client
from batchmock.server import ThreadedServer
from tests.server.helpers import CREDENTIALS
from tests.server.test_cli import Server
from tests.support import make_ce, make_job_definition, make_queue

REAL = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "developer-session-token",
    "AWS_SECURITY_TOKEN": "developer-security-token",
}
"""What a developer's shell may hold (AWS's documented example keys)."""
FAKE = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": None,
    "AWS_SECURITY_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_DEFAULT_PROFILE": None,
}
DIRECT = Config(proxies={})
"""For clients of a server on 127.0.0.1: the dead proxy would swallow them too."""


def _credentials() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in FAKE}


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A proxy that refuses every connection, in the environment of this test (and its
    subprocesses); boto3 gives up at the first refusal."""
    trap = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    trap.bind(("127.0.0.1", 0))  # bound, never listening: every connection is refused
    url = f"http://127.0.0.1:{trap.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    try:
        yield url
    finally:
        trap.close()


@pytest.fixture
def real_credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A developer's credentials in the environment before the test starts any mock."""
    for name, value in REAL.items():
        monkeypatch.setenv(name, value)
    return REAL


def _ce_names(mock: Any) -> list[str]:
    return sorted(mock.backend().compute_environments)


# -- the trap itself -------------------------------------------------------------------------------
def test_the_dead_proxy_catches_a_request_that_leaves(dead_proxy: str) -> None:
    client = boto3.client(
        "batch", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with pytest.raises(ProxyConnectionError):
        client.describe_job_queues()


# -- interception does not depend on import order ---------------------------------------------
_BEFORE_IMPORT = """
import os

import boto3
import botocore.endpoint
import botocore.handlers
import botocore.httpsession

# boto3's default session and two clients, made before batchmock is imported, with the
# developer's credentials (as a conftest or the code under test would at import time)
early_batch = boto3.client("batch", region_name="us-east-1")
early_s3 = boto3.client("s3", region_name="us-east-1")
default_session = boto3.DEFAULT_SESSION
originals = (botocore.endpoint.Endpoint._do_get_response, botocore.httpsession.URLLib3Session.send)
handlers = list(botocore.handlers.BUILTIN_HANDLERS)

import batchmock
from batchmock import mock_batch

def botocore_as_found():
    return (
        botocore.endpoint.Endpoint._do_get_response,
        botocore.httpsession.URLLib3Session.send,
    ) == originals and not any(
        "batchmock" in getattr(h[1], "__module__", "") for h in botocore.handlers.BUILTIN_HANDLERS
    )

assert botocore_as_found() and botocore.handlers.BUILTIN_HANDLERS == handlers, (
    "importing batchmock changed botocore"
)

with mock_batch() as mock:
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    inside = boto3.client("batch", region_name="us-east-1")
    assert boto3.DEFAULT_SESSION is default_session
    assert inside._request_signer._credentials.access_key == "testing"
    assert early_batch._request_signer._credentials.access_key == "AKIAIOSFODNN7EXAMPLE"
    inside.create_compute_environment(computeEnvironmentName="inside", type="UNMANAGED")
    early_batch.create_compute_environment(computeEnvironmentName="early", type="UNMANAGED")
    seen = early_batch.describe_compute_environments()["computeEnvironments"]
    assert sorted(c["computeEnvironmentName"] for c in seen) == ["early", "inside"], seen
    assert sorted(mock.backend().compute_environments) == ["early", "inside"]
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="made-inside")
    early_s3.put_object(Bucket="made-inside", Key="k", Body=b"from an early client")
    assert [b["Name"] for b in early_s3.list_buckets()["Buckets"]] == ["made-inside"]

assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAIOSFODNN7EXAMPLE"
after = boto3.client("batch", region_name="us-east-1")
assert after._request_signer._credentials.access_key == "AKIAIOSFODNN7EXAMPLE"
assert botocore_as_found(), "the guards outlived the mock"
print("isolated")
"""


def test_default_session_and_clients_made_before_import_are_answered_by_the_mock(
    dead_proxy: str, real_credentials: dict[str, str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_BEFORE_IMPORT)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "isolated"


def test_session_and_clients_made_before_the_mock_are_answered_by_it(
    dead_proxy: str, real_credentials: dict[str, str]
) -> None:
    session = boto3.Session(region_name="us-east-1")  # credentials not resolved yet
    early = boto3.client("batch", region_name="us-east-1")  # signs with the developer's keys
    early_s3 = boto3.client("s3", region_name="us-east-1")
    with mock_batch() as mock:
        from_session = session.client("batch")
        assert from_session._request_signer._credentials.access_key == "testing"
        from_session.create_compute_environment(computeEnvironmentName="session", type="UNMANAGED")
        early.create_compute_environment(computeEnvironmentName="early", type="UNMANAGED")
        assert _ce_names(mock) == ["early", "session"]
        session.client("s3").create_bucket(Bucket="bkt")
        early_s3.put_object(Bucket="bkt", Key="k", Body=b"x")
        body = boto3.client("s3", region_name="us-east-1").get_object(Bucket="bkt", Key="k")
        assert body["Body"].read() == b"x"


def test_clients_inside_the_mock_reach_batch_and_moto_only(dead_proxy: str) -> None:
    with mock_batch(region="eu-west-1") as mock:
        batch = mock.client()
        make_ce(batch)
        make_queue(batch)
        logs = boto3.client("logs", region_name="eu-west-1")
        logs.create_log_group(logGroupName="g")
        iam = boto3.client("iam", region_name="eu-west-1")
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")
        assert [q["jobQueueName"] for q in batch.describe_job_queues()["jobQueues"]] == ["q"]
        assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["g"]
        assert iam.get_role(RoleName="r")["Role"]["RoleName"] == "r"


def test_a_nested_mock_answers_old_clients_and_the_outer_one_takes_them_back(
    dead_proxy: str, real_credentials: dict[str, str]
) -> None:
    early = boto3.client("batch", region_name="us-east-1")
    with mock_batch() as outer:
        early.create_compute_environment(computeEnvironmentName="outer", type="UNMANAGED")
        with mock_batch(account_id="111122223333") as inner:
            arn = early.create_compute_environment(
                computeEnvironmentName="inner", type="UNMANAGED"
            )["computeEnvironmentArn"]
            assert arn == "arn:aws:batch:us-east-1:111122223333:compute-environment/inner"
            assert _ce_names(inner) == ["inner"]
        early.create_compute_environment(computeEnvironmentName="outer-2", type="UNMANAGED")
        assert _ce_names(outer) == ["outer", "outer-2"]


def test_a_shared_client_armed_from_many_threads_at_once_answers_each_request_once(
    dead_proxy: str, real_credentials: dict[str, str]
) -> None:
    shared = boto3.client("batch", region_name="us-east-1")
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()
        make_ce(batch)
        make_queue(batch)
        make_job_definition(batch)
        start = threading.Barrier(8)

        def submit(i: int) -> None:
            start.wait(timeout=30)
            shared.submit_job(jobName=f"j{i}", jobQueue="q", jobDefinition="jd")

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        patch_client(shared)  # arming again changes nothing
        shared.submit_job(jobName="last", jobQueue="q", jobDefinition="jd")
        names = [
            j["jobName"]
            for j in batch.list_jobs(jobQueue="q", jobStatus="SUBMITTED")["jobSummaryList"]
        ]
        assert sorted(names) == sorted([f"j{i}" for i in range(8)] + ["last"])


# -- the network guard ------------------------------------------------------------------------
def test_a_request_nothing_answers_is_refused_not_sent(dead_proxy: str) -> None:
    with mock_batch(route_to_moto=False):
        s3 = boto3.client("s3", region_name="us-east-1")
        with pytest.raises(NetworkRefusedError, match=r"refused a request to https://.*s3"):
            s3.list_buckets()
    with mock_batch():
        custom = boto3.client("s3", region_name="us-east-1", endpoint_url="https://s3.example.com")
        with pytest.raises(NetworkRefusedError, match="s3.example.com"):
            custom.list_buckets()


def test_the_guards_are_on_only_while_a_mock_is(dead_proxy: str) -> None:
    plain = (botocore.endpoint.Endpoint._do_get_response, botocore.httpsession.URLLib3Session.send)
    with mock_batch():
        assert botocore.endpoint.Endpoint._do_get_response is not plain[0]
        assert botocore.httpsession.URLLib3Session.send is not plain[1]
        with mock_batch():
            pass
        assert botocore.httpsession.URLLib3Session.send is not plain[1]
    assert (
        botocore.endpoint.Endpoint._do_get_response,
        botocore.httpsession.URLLib3Session.send,
    ) == plain


def test_loopback_servers_the_mock_does_not_own_still_answer(dead_proxy: str) -> None:
    with mock_batch() as mock, ThreadedServer() as server:
        remote = boto3.client(
            "batch", region_name="us-east-1", endpoint_url=server.endpoint_url, config=DIRECT
        )
        make_ce(remote, "on-the-server")
        assert sorted(server.mock.backend().compute_environments) == ["on-the-server"]
        assert _ce_names(mock) == []


# -- the server's in-process work -------------------------------------------------------------
_JOB = (
    "import boto3; "
    "boto3.client('s3').put_object(Bucket='out', Key='k', Body=b'from the job'); "
    "print('job wrote k')"
)


def _run_local_job(batch: Any) -> str:
    make_ce(batch)
    make_queue(batch)
    batch.register_job_definition(
        jobDefinitionName="writer",
        type="container",
        containerProperties={
            "image": "python:3.11",
            "command": [sys.executable, "-c", _JOB],
            "resourceRequirements": [
                {"type": "VCPU", "value": "1"},
                {"type": "MEMORY", "value": "256"},
            ],
        },
    )
    job_id: str = batch.submit_job(jobName="w", jobQueue="q", jobDefinition="writer")["jobId"]
    return job_id


def _log_lines(logs: Any, job: dict[str, Any]) -> list[str]:
    events = logs.get_log_events(
        logGroupName="/aws/batch/job", logStreamName=job["container"]["logStreamName"]
    )["events"]
    return [e["message"] for e in events]


def test_real_jobs_of_an_intercepting_mock_stay_on_this_machine(dead_proxy: str) -> None:
    with mock_batch(executor="local") as mock:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="out")
        batch = mock.client()
        job_id = _run_local_job(batch)
        assert mock.run_until_idle() == []
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        assert job["status"] == "SUCCEEDED", job.get("statusReason")
        assert s3.get_object(Bucket="out", Key="k")["Body"].read() == b"from the job"
        assert _log_lines(boto3.client("logs", region_name="us-east-1"), job) == ["job wrote k"]


def test_a_threaded_server_and_its_jobs_stay_on_this_machine(dead_proxy: str) -> None:
    with ThreadedServer(executor="local") as server:

        def client(service: str) -> Any:
            return boto3.client(
                service, region_name="us-east-1", endpoint_url=server.endpoint_url, config=DIRECT
            )

        client("s3").create_bucket(Bucket="out")
        batch = client("batch")
        job_id = _run_local_job(batch)
        assert server.mock.run_until_idle() == []
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        assert job["status"] == "SUCCEEDED", job.get("statusReason")
        assert client("s3").get_object(Bucket="out", Key="k")["Body"].read() == b"from the job"
        assert _log_lines(client("logs"), job) == ["job wrote k"]


def test_the_batchmock_server_and_its_jobs_stay_on_this_machine(dead_proxy: str) -> None:
    server = Server("--port", "0", "--clock", "virtual", "--executor", "local")
    try:
        url = server.wait_ready()

        def client(service: str) -> Any:
            return boto3.client(
                service, region_name="us-east-1", endpoint_url=url, config=DIRECT, **CREDENTIALS
            )

        client("s3").create_bucket(Bucket="out")
        batch = client("batch")
        job_id = _run_local_job(batch)
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        conn.request("POST", "/_batchmock/run-until-idle")
        assert conn.getresponse().status == 200
        conn.close()
        job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
        assert job["status"] == "SUCCEEDED", job.get("statusReason")
        assert client("s3").get_object(Bucket="out", Key="k")["Body"].read() == b"from the job"
        assert _log_lines(client("logs"), job) == ["job wrote k"]
    finally:
        code, stderr = server.stop_and_read()
    assert code == 0, stderr


# -- credentials ------------------------------------------------------------------------------
def test_credentials_are_fake_inside_and_the_developers_come_back(
    real_credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "developer")  # names no profile: botocore would refuse it
    before = _credentials()
    with mock_batch():
        assert _credentials() == FAKE
        signer = boto3.client("batch", region_name="us-east-1")._request_signer
        assert (signer._credentials.access_key, signer._credentials.token) == ("testing", None)
        boto3.client("s3", region_name="us-east-1").list_buckets()  # moto starts: keys stay ours
        assert _credentials() == FAKE
    assert _credentials() == before


def test_credentials_come_back_when_the_test_fails(real_credentials: dict[str, str]) -> None:
    before = _credentials()

    @mock_batch
    def failing_test() -> None:
        assert _credentials() == FAKE
        raise KeyError("the test failed")

    with pytest.raises(KeyError):
        failing_test()
    assert _credentials() == before


def test_nested_mocks_restore_in_turn(real_credentials: dict[str, str]) -> None:
    before = _credentials()
    with mock_batch():
        os.environ["AWS_ACCESS_KEY_ID"] = "changed-by-the-test"
        with mock_batch():
            assert _credentials() == FAKE
        assert os.environ["AWS_ACCESS_KEY_ID"] == "changed-by-the-test"
    assert _credentials() == before


def test_the_account_id_option_and_12_digit_keys_still_name_accounts(
    real_credentials: dict[str, str],
) -> None:
    with mock_batch(account_id="111122223333"):
        default = boto3.client("batch", region_name="us-east-1")
        named = boto3.client(
            "batch",
            region_name="us-east-1",
            aws_access_key_id="444455556666",
            aws_secret_access_key="x",
        )
        for client, account in ((default, "111122223333"), (named, "444455556666")):
            arn = client.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")[
                "computeEnvironmentArn"
            ]
            assert arn == f"arn:aws:batch:us-east-1:{account}:compute-environment/ce"


def test_a_server_only_mock_fills_in_missing_credentials_and_keeps_existing_ones(
    real_credentials: dict[str, str],
) -> None:
    with ThreadedServer():
        assert os.environ["AWS_ACCESS_KEY_ID"] == REAL["AWS_ACCESS_KEY_ID"]
    for name in REAL:
        os.environ.pop(name)
    with ThreadedServer():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert "AWS_ACCESS_KEY_ID" not in os.environ


# -- the controller outside the mock ----------------------------------------------------------
CONTROLLER_CALLS: dict[str, Any] = {
    "client()": lambda m: m.client(),
    "advance()": lambda m: m.advance(1),
    "run_until_idle()": lambda m: m.run_until_idle(),
    "on_job()": lambda m: m.on_job(job_name="x"),
    "set_outcomes()": lambda m: m.set_outcomes([]),
    "get_outcomes()": lambda m: m.get_outcomes(),
    "logs()": lambda m: m.logs("some-job"),
    "reset()": lambda m: m.reset(),
    "backend()": lambda m: m.backend(),
    "backends()": lambda m: m.backends(),
    "runtime": lambda m: m.runtime,
}


@pytest.mark.parametrize("name", sorted(CONTROLLER_CALLS))
def test_the_controller_refuses_outside_an_active_mock(name: str) -> None:
    mock = mock_batch()
    expected = (
        re.escape(f"mock.{name} needs an active mock")
        + ".*"
        + re.escape("`with mock_batch() as mock:`")
    )
    with pytest.raises(MockNotActiveError, match=expected):
        CONTROLLER_CALLS[name](mock)
    with mock:
        if name == "logs()":
            with pytest.raises(ValueError, match="no job 'some-job'"):
                CONTROLLER_CALLS[name](mock)
        else:
            CONTROLLER_CALLS[name](mock)
    with pytest.raises(MockNotActiveError, match=expected):
        CONTROLLER_CALLS[name](mock)
