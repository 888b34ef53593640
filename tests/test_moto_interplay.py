"""Batch goes to batchmock, everything else to moto, in either nesting order."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from batchmock import BatchMock, mock_batch


def _moto_batch_is_empty() -> bool:
    from moto.batch.models import batch_backends

    backend = batch_backends["123456789012"]["us-east-1"]
    return not backend._compute_environments and not backend._job_queues


def _use_both() -> None:
    batch = boto3.client("batch", region_name="us-east-1")
    batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
    assert [
        c["computeEnvironmentName"]
        for c in batch.describe_compute_environments()["computeEnvironments"]
    ] == ["ce"]
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="results")
    s3.put_object(Bucket="results", Key="k", Body=b"v")
    assert s3.get_object(Bucket="results", Key="k")["Body"].read() == b"v"


def test_other_services_go_to_moto_without_mock_aws() -> None:
    with mock_batch() as mock:
        _use_both()
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName="/g")
        assert logs.describe_log_groups()["logGroups"][0]["logGroupName"] == "/g"
        assert mock._moto.started


def test_batch_only_tests_do_not_start_moto() -> None:
    with mock_batch() as mock:
        mock.client().describe_job_queues()
        assert not mock._moto.started


def test_moto_state_is_dropped_with_the_mock() -> None:
    with mock_batch():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="gone")
    with mock_batch():
        assert boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"] == []


def test_mock_aws_outside_mock_batch_inside() -> None:
    with mock_aws(), mock_batch():
        _use_both()
        assert _moto_batch_is_empty()


def test_mock_batch_outside_mock_aws_inside() -> None:
    with mock_batch(), mock_aws():
        _use_both()
        assert _moto_batch_is_empty()


def test_routing_to_moto_can_be_turned_off() -> None:
    with mock_batch(route_to_moto=False) as mock:
        request: Any = type(
            "R",
            (),
            {"url": "https://s3.amazonaws.com/b", "method": "GET", "headers": {}, "body": b""},
        )()
        assert mock.intercept("before-send.s3.ListObjects", request) is None
        assert not mock._moto.started


@pytest.mark.parametrize("host", ["127.0.0.1:7000", "localhost:7000"])
def test_batch_requests_to_unowned_loopback_endpoints_pass_through(host: str) -> None:
    request: Any = type(
        "R",
        (),
        {
            "url": f"http://{host}/v1/describejobqueues",
            "method": "POST",
            "headers": {},
            "body": b"{}",
        },
    )()
    with mock_batch() as mock:
        assert mock.intercept("before-send.batch.DescribeJobQueues", request) is None
    with mock_batch(endpoint_url=f"http://{host}") as owner:
        response = owner.intercept("before-send.batch.DescribeJobQueues", request)
        assert response is not None
        assert response.status_code == 200


def test_owned_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BATCH", "http://127.0.0.1:7001")
    with mock_batch(own_env_endpoint=True) as mock:
        batch = boto3.client("batch", region_name="us-east-1")
        assert batch.meta.endpoint_url == "http://127.0.0.1:7001"
        batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
        assert list(mock.backend().compute_environments) == ["ce"]


def test_batch_on_a_non_loopback_custom_endpoint_never_reaches_the_network(
    mock: BatchMock,
) -> None:
    batch = boto3.client(
        "batch", region_name="us-east-1", endpoint_url="https://batch.example.test"
    )
    batch.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")
    assert list(mock.backend().compute_environments) == ["ce"]
