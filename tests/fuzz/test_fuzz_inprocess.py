"""Property: no boto3 call, however hostile its input, gets anything but a ClientException (400)
or an answer, and a refused call changes nothing any Describe or List shows (issue 14).

Inputs come from the installed botocore model (``model_inputs``), sent through a boto3 client
with parameter validation off. pytest-randomly seeds hypothesis: a failure reproduces with the
seed it prints (``-p randomly -p "randomly_seed=N"``), and hypothesis prints the example.
"""

from __future__ import annotations

from typing import Any

import boto3
import botocore.config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchmock import BatchMock, mock_batch
from tests.fuzz.model_inputs import boto3_calls
from tests.fuzz.snapshot import fresh_env, snapshot

UNVALIDATED = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1})

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def method_name(operation: str) -> str:
    """boto3's method name of a Batch operation (``SubmitJob`` -> ``submit_job``)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


def check_call(
    mock: BatchMock, batch: Any, operation: str, params: dict[str, Any], before: dict[str, Any]
) -> bool:
    """Make one call (``before`` is the snapshot before it); True when it succeeded, False when
    it was refused as a ClientException without changing anything."""
    try:
        getattr(batch, method_name(operation))(**params)
    except ClientError as exc:
        error = exc.response["Error"]
        status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
        assert (error["Code"], status) == ("ClientException", 400), (operation, error)
        assert error["Message"], operation
        assert snapshot(mock) == before, f"a refused {operation} changed the state"
        return False
    return True


def test_no_boto3_call_gets_more_than_a_client_exception() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = boto3.client("batch", region_name="us-east-1", config=UNVALIDATED)

        @FUZZ
        @given(calls=st.lists(boto3_calls(), min_size=1, max_size=3))
        def calls_are_answered_or_refused(calls: list[tuple[str, dict[str, Any]]]) -> None:
            fresh_env(mock)
            before = snapshot(mock)
            for operation, params in calls:
                if check_call(mock, batch, operation, params, before):
                    before = snapshot(mock)

        calls_are_answered_or_refused()
