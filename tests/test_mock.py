"""mock_batch as decorator, context manager, async, on classes; reset and isolation."""

from __future__ import annotations

import asyncio
import unittest
from typing import Any

import boto3
import pytest

from batchmock import BatchMock, mock_batch
from batchmock.interceptor import current


def _queue_names(client: Any) -> list[str]:
    return [q["jobQueueName"] for q in client.describe_job_queues()["jobQueues"]]


def _create_ce(client: Any, name: str = "ce") -> None:
    client.create_compute_environment(computeEnvironmentName=name, type="UNMANAGED")


def _ce_names() -> list[str]:
    client = boto3.client("batch", region_name="us-east-1")
    envs = client.describe_compute_environments()["computeEnvironments"]
    return [c["computeEnvironmentName"] for c in envs]


@mock_batch
def test_bare_decorator_answers_batch_requests() -> None:
    _create_ce(boto3.client("batch", region_name="us-east-1"))
    assert _ce_names() == ["ce"]


@mock_batch(region="eu-west-1", account_id="111122223333")
def test_decorator_with_options_sets_region_and_account() -> None:
    client = boto3.client("batch", region_name="eu-west-1")
    arn = client.create_compute_environment(computeEnvironmentName="ce", type="UNMANAGED")[
        "computeEnvironmentArn"
    ]
    assert arn == "arn:aws:batch:eu-west-1:111122223333:compute-environment/ce"


def test_context_manager_yields_the_controller() -> None:
    with mock_batch() as mock:
        assert isinstance(mock, BatchMock)
        assert current() is mock
        _create_ce(mock.client())
        assert list(mock.backend().compute_environments) == ["ce"]
    assert current() is None


def test_state_is_dropped_on_exit() -> None:
    with mock_batch():
        _create_ce(boto3.client("batch", region_name="us-east-1"))
    with mock_batch():
        assert _ce_names() == []


def test_state_is_dropped_when_the_test_fails() -> None:
    mock = mock_batch()

    def failing_test() -> None:
        with mock:
            _create_ce(boto3.client("batch", region_name="us-east-1"))
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        failing_test()
    assert not mock.active
    assert current() is None
    with mock_batch():
        assert _ce_names() == []


def test_regions_and_accounts_are_separate_backends() -> None:
    with mock_batch() as mock:
        _create_ce(boto3.client("batch", region_name="us-east-1"), "east")
        _create_ce(boto3.client("batch", region_name="us-west-2"), "west")
        other = boto3.client(
            "batch",
            region_name="us-east-1",
            aws_access_key_id="999988887777",
            aws_secret_access_key="x",
        )
        _create_ce(other, "other-account")
        assert list(mock.backend(region="us-east-1").compute_environments) == ["east"]
        assert list(mock.backend(region="us-west-2").compute_environments) == ["west"]
        assert list(mock.backend("999988887777", "us-east-1").compute_environments) == [
            "other-account"
        ]


def test_client_created_before_the_mock_is_intercepted() -> None:
    client = boto3.client("batch", region_name="us-east-1")
    with mock_batch():
        _create_ce(client)
        assert _ce_names() == ["ce"]


def test_nested_mocks_innermost_answers() -> None:
    with mock_batch() as outer:
        _create_ce(outer.client(), "outer")
        with mock_batch() as inner:
            assert _ce_names() == []
            _create_ce(inner.client(), "inner")
        assert _ce_names() == ["outer"]


def test_reentering_the_same_mock_keeps_state() -> None:
    mock = mock_batch()
    with mock:
        _create_ce(mock.client())
        with mock:
            assert _ce_names() == ["ce"]
        assert _ce_names() == ["ce"]
    assert not mock.active


def test_async_context_manager() -> None:
    async def scenario() -> list[str]:
        async with mock_batch() as mock:
            _create_ce(mock.client())
            return _ce_names()

    assert asyncio.run(scenario()) == ["ce"]


def test_async_function_decorator_keeps_the_mock_while_awaiting() -> None:
    @mock_batch
    async def scenario() -> list[str]:
        await asyncio.sleep(0)
        _create_ce(boto3.client("batch", region_name="us-east-1"))
        await asyncio.sleep(0)
        return _ce_names()

    assert asyncio.run(scenario()) == ["ce"]
    assert current() is None


@mock_batch
class TestPlainClass:
    def test_first_creates(self) -> None:
        _create_ce(boto3.client("batch", region_name="us-east-1"))
        assert _ce_names() == ["ce"]

    def test_second_starts_empty(self) -> None:
        assert _ce_names() == []
        _create_ce(boto3.client("batch", region_name="us-east-1"))


@mock_batch
class TestUnittestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.client = boto3.client("batch", region_name="us-east-1")
        _create_ce(self.client, "from-setup")

    def test_setup_ran_inside_the_mock(self) -> None:
        assert _ce_names() == ["from-setup"]

    def test_every_test_gets_a_fresh_backend(self) -> None:
        _create_ce(self.client, "extra")
        assert sorted(_ce_names()) == ["extra", "from-setup"]


def test_unknown_option_is_a_type_error_naming_the_options() -> None:
    with pytest.raises(TypeError, match="regoin.*Options are:.*region"):
        mock_batch(regoin="us-east-1")


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"clock": "fast"}, "clock='fast' is unknown; choose one of 'virtual', 'real'"),
        ({"executor": "k8s"}, "executor='k8s' is unknown"),
        ({"cancel_runnable": "later"}, "cancel_runnable='later' is unknown"),
        ({"ref_substitution": "all"}, "ref_substitution='all' is unknown"),
        ({"real_timeout_scale": 0}, "real_timeout_scale must be a number > 0"),
        ({"account_id": "123"}, "account_id must be 12 digits"),
    ],
)
def test_bad_option_values_are_refused_when_the_mock_is_made(
    options: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        mock_batch(**options)
