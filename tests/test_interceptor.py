"""The before-send handler: what it answers, what it lets through, and patch_client."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError

from batchmock import mock_batch, patch_client
from batchmock.interceptor import before_send

_CLOSED_PORT = "http://127.0.0.1:9"  # discard port: nothing listens on loopback here


def _client(**kwargs: object) -> object:
    return boto3.client(
        "batch",
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
        **kwargs,
    )


def test_without_an_active_mock_requests_are_not_intercepted() -> None:
    client = _client(endpoint_url=_CLOSED_PORT, aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(EndpointConnectionError):
        client.describe_job_queues()  # type: ignore[attr-defined]


def test_after_the_mock_ends_requests_are_not_intercepted() -> None:
    with mock_batch(endpoint_url=_CLOSED_PORT) as mock:
        client = _client(endpoint_url=_CLOSED_PORT)
        client.describe_job_queues()  # type: ignore[attr-defined]
        assert mock.active
    with pytest.raises(EndpointConnectionError):
        client.describe_job_queues()  # type: ignore[attr-defined]


def test_patch_client_routes_a_client_that_lacks_the_handler() -> None:
    client = _client(aws_access_key_id="a", aws_secret_access_key="b")
    client.meta.events.unregister("before-send", before_send)  # type: ignore[attr-defined]
    with mock_batch() as mock:
        patch_client(client)  # type: ignore[arg-type]
        client.create_compute_environment(  # type: ignore[attr-defined]
            computeEnvironmentName="patched", type="UNMANAGED"
        )
        assert list(mock.backend().compute_environments) == ["patched"]


def test_region_comes_from_the_endpoint_host() -> None:
    with mock_batch(region="us-east-1") as mock:
        boto3.client("batch", region_name="ap-south-1").create_compute_environment(
            computeEnvironmentName="ce", type="UNMANAGED"
        )
        assert list(mock.backend(region="ap-south-1").compute_environments) == ["ce"]
        assert not mock.backend(region="us-east-1").compute_environments
