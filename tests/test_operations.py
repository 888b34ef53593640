"""Every operation of botocore's Batch model answers: implemented, or a clear ClientException."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from batchmock import BatchMock
from batchmock.backend.operations import OPERATIONS

_MODEL = botocore.session.get_session().get_service_model("batch")


def _minimal(shape: Any) -> Any:
    """The smallest value botocore accepts for ``shape``: required members only."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [_minimal(shape.member)] * max(shape.metadata.get("min", 1), 1)
    if kind == "map":
        return {"k": _minimal(shape.value)}
    if kind == "string":
        if shape.enum:
            return shape.enum[0]
        return "x" * max(shape.metadata.get("min", 1), 1)
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("double", "float"):
        return 1.0
    if kind == "boolean":
        return True
    raise AssertionError(f"unexpected shape type {kind}")


@pytest.mark.parametrize("operation", _MODEL.operation_names)
def test_every_operation_answers_without_a_server_error(mock: BatchMock, operation: str) -> None:
    client = mock.client()
    op = _MODEL.operation_model(operation)
    params = _minimal(op.input_shape) if op.input_shape is not None else {}
    method = getattr(client, botocore.xform_name(operation))
    try:
        method(**params)
    except ClientError as exc:  # noqa: PT017 (either outcome is valid; both are checked)
        error = exc.response["Error"]
        assert error["Code"] == "ClientException", error
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["Message"]
        if operation not in OPERATIONS:
            assert "not implemented by batchmock" in error["Message"]
    else:
        assert operation in OPERATIONS


def test_core_operations_are_all_implemented() -> None:
    core = {
        "CreateComputeEnvironment",
        "DescribeComputeEnvironments",
        "UpdateComputeEnvironment",
        "DeleteComputeEnvironment",
        "CreateJobQueue",
        "DescribeJobQueues",
        "UpdateJobQueue",
        "DeleteJobQueue",
        "RegisterJobDefinition",
        "DescribeJobDefinitions",
        "DeregisterJobDefinition",
        "SubmitJob",
        "DescribeJobs",
        "ListJobs",
        "CancelJob",
        "TerminateJob",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
        "CreateSchedulingPolicy",
        "DescribeSchedulingPolicies",
        "ListSchedulingPolicies",
        "UpdateSchedulingPolicy",
        "DeleteSchedulingPolicy",
    }
    assert core <= set(OPERATIONS)
    assert set(OPERATIONS) <= set(_MODEL.operation_names)
