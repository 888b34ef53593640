"""Hostile input through boto3 (issue 14): text UTF-8 cannot encode is refused naming the member
before anything is stored, error answers never crash, outcome numbers are bounded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import botocore.config
import pytest

from batchmock import BatchMock, mock_batch
from batchmock.executors.base import Outcome
from tests.fuzz.snapshot import snapshot
from tests.support import error_of, make_ce, submit_job

UNVALIDATED = botocore.config.Config(parameter_validation=False)
SURROGATE_RULE = "Member must be valid Unicode text; U+D800 is a lone surrogate"


@pytest.fixture
def loose(still: BatchMock) -> Any:
    """A client of the ``still`` mock that sends whatever it is given (validation off)."""
    return boto3.client("batch", region_name="us-east-1", config=UNVALIDATED)


# -- items 1 and 2: nesting, in-process -----------------------------------------------------------
def _nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize("levels", [101, 500, 900])
def test_a_body_nested_too_deep_is_refused_in_process(
    still: BatchMock, loose: Any, levels: int
) -> None:
    before = snapshot(still)
    message = error_of(loose.describe_jobs, jobs=_nested(levels))
    assert message == "The request body nests arrays and objects more than 100 levels deep."
    assert snapshot(still) == before


def test_nesting_up_to_the_limit_is_validated_as_usual(loose: Any) -> None:
    message = error_of(loose.describe_jobs, jobs=_nested(99))
    assert message.startswith("1 validation error detected: Value '[[[[")
    assert "at 'jobs.1.member' failed to satisfy constraint: Member must be of type string" in (
        message
    )


# -- item 3: a value echoed by an error message ---------------------------------------------------
def test_a_lone_surrogate_in_an_echoed_value_is_a_client_exception(loose: Any) -> None:
    message = error_of(loose.get_job_queue_snapshot, jobQueue="x\udfffy")
    assert message == (
        "1 validation error detected: Value 'x\\udfffy' at 'jobQueue' failed to satisfy "
        "constraint: Member must be valid Unicode text; U+DFFF is a lone surrogate, which UTF-8 "
        "cannot encode"
    )


# -- item 4: SubmitJob, any field -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("member", "extra"),
    [
        ("jobName", {"jobName": "a\ud800"}),
        ("parameters.p", {"parameters": {"p": "\ud800"}}),
        ("tags.\\ud800", {"tags": {"k": "v", "\ud800": "v"}}),
        (
            "containerOverrides.command.2.member",
            {"containerOverrides": {"command": ["a", "\ud800"]}},
        ),
        (
            "containerOverrides.environment.1.member.value",
            {"containerOverrides": {"environment": [{"name": "A", "value": "\ud800"}]}},
        ),
        ("shareIdentifier", {"shareIdentifier": "\ud800"}),
    ],
)
def test_submit_job_refuses_a_lone_surrogate_in_any_field(
    still: BatchMock, loose: Any, member: str, extra: dict[str, Any]
) -> None:
    before = snapshot(still)
    message = error_of(submit_job, loose, **extra)
    assert f"at '{member}'" in message or f"at '{member.rsplit('.', 1)[0]}'" in message
    assert "lone surrogate" in message
    assert snapshot(still) == before


# -- item 5: nothing that cannot be encoded is ever stored ----------------------------------------
def _scheduling_policy(batch: Any) -> Any:
    return batch.create_scheduling_policy(
        name="p", fairsharePolicy={"shareDistribution": [{"shareIdentifier": "\ud800"}]}
    )


def _cancel(batch: Any) -> Any:
    job_id = submit_job(batch)
    return batch.cancel_job(jobId=job_id, reason="\ud800")


STORES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "compute environment tag": (
        lambda b: make_ce(b, name="ce2", tags={"k": "\ud800"}),
        "tags.k",
    ),
    "job queue tag key": (
        lambda b: b.create_job_queue(
            jobQueueName="q2",
            priority=1,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
            tags={"\ud800": "v"},
        ),
        "tags",
    ),
    "job definition command": (
        lambda b: b.register_job_definition(
            jobDefinitionName="jd2",
            type="container",
            containerProperties={"image": "busybox", "command": ["\ud800"]},
        ),
        "containerProperties.command.1.member",
    ),
    "TagResource": (
        lambda b: b.tag_resource(
            resourceArn="arn:aws:batch:us-east-1:123456789012:job-queue/q", tags={"k": "\ud800"}
        ),
        "tags.k",
    ),
    "scheduling policy shareIdentifier": (
        _scheduling_policy,
        "fairsharePolicy.shareDistribution.1.member.shareIdentifier",
    ),
    "consumable resource tag": (
        lambda b: b.create_consumable_resource(
            consumableResourceName="lic", totalQuantity=1, tags={"k": "\ud800"}
        ),
        "tags.k",
    ),
    "CancelJob reason": (_cancel, "reason"),
}


@pytest.mark.parametrize("case", sorted(STORES))
def test_text_that_cannot_be_encoded_is_never_stored(
    still: BatchMock, loose: Any, case: str
) -> None:
    call, member = STORES[case]
    if case == "CancelJob reason":
        submit_job(loose)  # the job exists before the refused cancel
    before = snapshot(still)
    message = error_of(call, loose)
    assert f"at '{member}'" in message
    assert SURROGATE_RULE in message
    after = snapshot(still)
    if case == "CancelJob reason":
        # the job the helper submitted is the only change; no state moved, no reason stored
        jobs = after["jobs"]["accounts"]["123456789012"]["us-east-1"]["jobs"]
        assert [job["status"] for job in jobs] == ["SUBMITTED", "SUBMITTED"]
        assert all("statusReason" not in job for job in jobs)
    else:
        assert after == before
    # every read still answers
    for read in (
        loose.describe_compute_environments,
        loose.describe_job_queues,
        loose.describe_job_definitions,
        loose.list_scheduling_policies,
        loose.list_consumable_resources,
    ):
        assert read()["ResponseMetadata"]["HTTPStatusCode"] == 200


# -- item 9 (Python API): outcome numbers are bounded ---------------------------------------------
@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"exitCode": 99999999999999999999}], r"outcomes\[0\]\.exitCode must be .* 0 to 255"),
        ([{"exitCode": -1}], r"outcomes\[0\]\.exitCode must be .* 0 to 255"),
        ([{"duration": 1e308}], r"outcomes\[0\]\.duration must be .* from 0 to 3153600000"),
        ([{"duration": float("nan")}], r"outcomes\[0\]\.duration must be .* from 0 to"),
    ],
)
def test_outcome_rules_out_of_bounds_are_refused(rules: Any, message: str) -> None:
    with mock_batch() as mock:
        with pytest.raises(ValueError, match=message):
            mock.set_outcomes(rules)
        assert mock.get_outcomes() == []


def test_a_handler_outcome_out_of_bounds_fails_the_attempt_like_a_crash() -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = mock.client()

        @mock.on_job(job_name="huge")
        def huge(ctx: Any) -> Outcome:
            return Outcome(exit_code=0, duration=1e308)

        from tests.support import describe_job, make_env

        make_env(batch)
        job_id = submit_job(batch, jobName="huge")
        mock.run_until_idle()
        job = describe_job(batch, job_id)
        assert job["status"] == "FAILED"
        assert job["container"]["exitCode"] == 1
        assert job["container"]["reason"].startswith(
            "ValueError: on_job handler 'huge' returned an outcome whose duration must be"
        )
