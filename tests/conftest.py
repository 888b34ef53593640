"""Shared fixtures: every test runs without real AWS credentials or network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import botocore.handlers
import pytest
from botocore.validate import ParamValidator

from batchmock import BatchMock, mock_batch


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test pick up a developer's real credentials, profile or endpoint."""
    for name in list(os.environ):
        if name.startswith("AWS_") and name not in ("AWS_DEFAULT_REGION",):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def mock() -> Iterator[BatchMock]:
    """An active mock with default options."""
    with mock_batch() as active:
        yield active


@pytest.fixture
def batch(mock: BatchMock) -> Any:
    """A boto3 Batch client inside the active mock."""
    return mock.client()


# -- every Batch response any test receives is checked against the model's output shape ------
def _check_response(parsed: Any, model: Any, **_: Any) -> None:
    """Fail the call whose response does not match the service model's output shape."""
    if model is None or model.output_shape is None or "Error" in parsed:
        return
    body = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(body, model.output_shape)
    errors = [
        e
        for e in report._errors
        # G7: the model marks JobDetail.startedAt required; jobs that never ran have none.
        if not (e[0] == "missing required field" and e[2].get("required_name") == "startedAt")
    ]
    if errors:
        raise AssertionError(
            f"{model.name} response does not match the model's output shape: {errors[:5]}"
        )


_CHECK = ("after-call.batch", _check_response)
if _CHECK not in botocore.handlers.BUILTIN_HANDLERS:
    botocore.handlers.BUILTIN_HANDLERS.append(_CHECK)
