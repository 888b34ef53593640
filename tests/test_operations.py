"""Every operation of the installed botocore's Batch model is implemented and answers.

The operations are enumerated from the installed model, so a newer botocore that adds one fails
here on the machine that has it, instead of answering "not implemented" to users.
"""

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
def test_every_operation_of_the_installed_model_is_implemented(operation: str) -> None:
    assert operation in OPERATIONS, (
        f"botocore {botocore.__version__} has the Batch operation {operation}, "
        "which batchmock does not implement"
    )


@pytest.mark.parametrize("operation", _MODEL.operation_names)
def test_every_operation_answers_without_a_server_error(mock: BatchMock, operation: str) -> None:
    """The smallest request botocore sends is answered: a success (whose shape the conftest
    hook checks against the model) or a ClientException of the operation itself."""
    client = mock.client()
    op = _MODEL.operation_model(operation)
    params = _minimal(op.input_shape) if op.input_shape is not None else {}
    method = getattr(client, botocore.xform_name(operation))
    error = _call(method, params)
    if error is None:
        return
    assert error.response["Error"]["Code"] == "ClientException", error.response
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.response["Error"]["Message"]
    assert "not implemented" not in error.response["Error"]["Message"]


def _call(method: Any, params: dict[str, Any]) -> ClientError | None:
    try:
        method(**params)
    except ClientError as exc:
        return exc
    return None


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
