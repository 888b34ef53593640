"""batchmock.service_model: the limits the library reads from the installed model.

Each limit the library enforces is checked against an independent reading of the model (botocore
alone, in tests/support), so a model whose wording changes fails here instead of silently
dropping a limit.
"""

from __future__ import annotations

import pytest

from batchmock.service_model import (
    documented_max,
    documented_min,
    documented_range,
    has_operation,
    member_shape,
    service_model,
    trait,
)
from tests.support import documented_number, model, model_trait

# (operation, member path, the pattern the test reads the same number with)
DOCUMENTED_MAXIMA = [
    ("DescribeJobs", "jobs", r"up to (\d+) job IDs"),
    ("CancelJob", "reason", r"limit of (\d+) characters"),
    ("TerminateJob", "reason", r"limit of (\d+) characters"),
    ("SubmitJob", "dependsOn", r"maximum of (\d+) jobs"),
    ("SubmitJob", "jobName", r"up to (\d+) letters"),
    ("SubmitServiceJob", "jobName", r"up to (\d+) characters"),
    ("CreateComputeEnvironment", "computeEnvironmentName", r"up to (\d+)"),
    ("CreateJobQueue", "jobQueueName", r"up to (\d+)"),
    ("RegisterJobDefinition", "jobDefinitionName", r"up to (\d+)"),
    ("CreateSchedulingPolicy", "name", r"up to (\d+)"),
    ("CreateServiceEnvironment", "serviceEnvironmentName", r"up to (\d+)"),
    ("CreateQuotaShare", "quotaShareName", r"up to (\d+)"),
    ("DescribeComputeEnvironments", "computeEnvironments", r"up to (\d+)"),
    ("DescribeJobQueues", "jobQueues", r"up to (\d+)"),
    ("DescribeJobDefinitions", "jobDefinitions", r"up to (\d+)"),
    ("DescribeSchedulingPolicies", "arns", r"up to (\d+)"),
    ("RegisterJobDefinition", "retryStrategy.attempts", r"between \d+ and (\d+) attempts"),
    ("RegisterJobDefinition", "retryStrategy.evaluateOnExit", r"up to (\d+) objects"),
    (
        "RegisterJobDefinition",
        "retryStrategy.evaluateOnExit.member.onStatusReason",
        r"up to (\d+) characters",
    ),
    ("RegisterJobDefinition", "schedulingPriority", r"maximum supported value is (\d+)"),
    ("SubmitServiceJob", "retryStrategy.attempts", r"between \d+ and (\d+) attempts"),
]
DOCUMENTED_MINIMA = [
    ("RegisterJobDefinition", "retryStrategy.attempts", r"between (\d+) and"),
    ("RegisterJobDefinition", "timeout.attemptDurationSeconds", r"timeout is (\d+) seconds"),
    ("RegisterJobDefinition", "schedulingPriority", r"minimum supported value is (\d+)"),
    ("SubmitServiceJob", "retryStrategy.attempts", r"between (\d+) and"),
]
NEWEST_MAXIMA = [
    ("CancelJobs", "jobs", r"up to (\d+) Batch job IDs"),
    ("TerminateJobs", "jobs", r"up to (\d+) Batch job IDs"),
    ("TerminateServiceJobs", "jobs", r"up to (\d+) service job IDs"),
    ("CancelJobs", "reason", r"limit of (\d+) characters"),
    ("TerminateJobs", "reason", r"limit of (\d+) characters"),
]


def _cases(cases: list[tuple[str, str, str]]) -> list[object]:
    return [
        pytest.param(
            *case,
            id=f"{case[0]}.{case[1]}",
            marks=pytest.mark.skipif(
                case[0] not in model().operation_names,
                reason=f"the installed botocore's Batch model has no {case[0]} operation",
            ),
        )
        for case in cases
    ]


@pytest.mark.parametrize(
    ("operation", "path", "pattern"), _cases(DOCUMENTED_MAXIMA + NEWEST_MAXIMA)
)
def test_every_documented_limit_the_library_uses_is_found(
    operation: str, path: str, pattern: str
) -> None:
    assert documented_max(operation, path) == documented_number(operation, path, pattern)


@pytest.mark.parametrize(("operation", "path", "pattern"), _cases(DOCUMENTED_MINIMA))
def test_every_documented_minimum_the_library_uses_is_found(
    operation: str, path: str, pattern: str
) -> None:
    assert documented_min(operation, path) == documented_number(operation, path, pattern)


def test_the_array_size_range() -> None:
    low = documented_number("SubmitJob", "arrayProperties", r"between (\d[\d,]*) and")
    high = documented_number("SubmitJob", "arrayProperties", r"and (\d[\d,]*)\.")
    assert documented_range("SubmitJob", "arrayProperties") == (low, high)
    assert high > 1000  # "10,000": the thousands separator is read


@pytest.mark.parametrize(
    ("operation", "path", "name"),
    [
        ("TagResource", "tags", "max"),
        ("TagResource", "tags", "min"),
        ("TagResource", "tags.key", "max"),
        ("TagResource", "tags.value", "max"),
        ("UntagResource", "tagKeys", "max"),
        ("UpdateComputeEnvironment", "updatePolicy.jobExecutionTimeoutMinutes", "max"),
        ("CreateComputeEnvironment", "computeResources.ec2Configuration.member.imageType", "max"),
    ],
)
def test_traits_are_read_from_the_member_shapes(operation: str, path: str, name: str) -> None:
    assert trait(operation, path, name) == model_trait(operation, path, name)


def test_what_the_model_lacks_is_none_never_an_error() -> None:
    assert has_operation("SubmitJob")
    assert not has_operation("LaunchRockets")
    assert member_shape("LaunchRockets", "jobs") is None
    assert documented_max("LaunchRockets", "jobs") is None
    assert documented_range("LaunchRockets", "jobs") is None
    assert trait("LaunchRockets", "tags", "max") is None
    assert member_shape("SubmitJob", "noSuchMember") is None
    assert member_shape("SubmitJob", "tags.member") is None  # a map has key/value, no member
    assert trait("SubmitJob", "jobName", "max") is None  # no trait on a plain String
    assert documented_max("SubmitJob", "jobQueue") is None  # its documentation states none
    assert documented_range("SubmitJob", "jobName") is None
    assert documented_min("SubmitJob", "jobName") is None
    assert documented_min("LaunchRockets", "jobs") is None


def test_the_protocol_and_the_limits_read_one_model() -> None:
    from batchmock.protocol import model as protocol_model

    assert protocol_model.service_model() is service_model()
    assert sorted(service_model().operation_names) == sorted(model().operation_names)


def test_the_page_limits_of_list_jobs_and_of_every_paginated_operation() -> None:
    from batchmock.backend.core import pagination
    from batchmock.backend.jobs import job_listing

    status = documented_number(
        "ListJobs", "maxResults", r"--job-status is used, \w+ returns up to (\d+)"
    )
    filtered = documented_number(
        "ListJobs", "maxResults", r"--filters is used, \w+ returns up to (\d+)"
    )
    assert (job_listing._status_page_limit(), job_listing._filter_page_limit()) == (
        status,
        filtered,
    )
    for name in model().operation_names:
        shape = model().operation_model(name).input_shape
        if name != "ListJobs" and shape is not None and "maxResults" in shape.members:
            most = documented_number(name, "maxResults", r"between 1 and (\d+)")
            assert pagination.page_limit(f"{name}/anything") == most, name
