"""Compute environments through boto3: update, delete and settling statuses (§13.8, §13.9, G8)."""

from __future__ import annotations

from typing import Any

from batchmock import mock_batch
from tests.api.test_compute_environments import create, describe, ec2, error_of


# -- update (§13.9) -----------------------------------------------------------------------------
def test_update_state_and_merge_compute_resources(batch: Any) -> None:
    create(batch, computeResources=ec2())
    out = batch.update_compute_environment(
        computeEnvironment="ce", state="DISABLED", computeResources={"maxvCpus": 128}
    )
    assert out["computeEnvironmentName"] == "ce"
    detail = describe(batch)
    assert detail["state"] == "DISABLED"
    assert detail["status"] == "VALID"
    assert detail["computeResources"]["maxvCpus"] == 128
    # members not sent are kept
    assert detail["computeResources"]["instanceTypes"] == ["optimal"]
    assert detail["computeResources"]["subnets"] == ["subnet-1"]


def test_update_by_arn(batch: Any) -> None:
    arn = create(batch)["computeEnvironmentArn"]
    out = batch.update_compute_environment(computeEnvironment=arn, state="DISABLED")
    assert out["computeEnvironmentArn"] == arn
    assert describe(batch)["state"] == "DISABLED"


def test_update_unknown_environment(batch: Any) -> None:
    message = error_of(
        batch.update_compute_environment, computeEnvironment="nope", state="DISABLED"
    )
    assert message == "ComputeEnvironment nope not found."


def test_desired_vcpus_cannot_go_down(batch: Any) -> None:
    create(batch, computeResources=ec2(desiredvCpus=8))
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"desiredvCpus": 4},
    )
    assert message == (
        "computeResources.desiredvCpus cannot be lowered: the current value is 8, got 4"
    )
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"desiredvCpus": 16})
    assert describe(batch)["computeResources"]["desiredvCpus"] == 16


def test_infrastructure_update_refused_for_best_fit(batch: Any) -> None:
    create(batch, computeResources=ec2())
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"instanceTypes": ["c5"]},
    )
    assert message == (
        "computeResources.instanceTypes requires an infrastructure update, which compute "
        "environments with the BEST_FIT allocation strategy do not support"
    )


def test_infrastructure_update_with_progressive_strategy(batch: Any) -> None:
    create(batch, computeResources=ec2(allocationStrategy="BEST_FIT_PROGRESSIVE"))
    batch.update_compute_environment(
        computeEnvironment="ce",
        computeResources={"instanceTypes": ["c5"], "ec2KeyPair": "k", "imageId": "ami-1"},
        updatePolicy={"terminateJobsOnUpdate": True},
    )
    detail = describe(batch)
    assert detail["computeResources"]["instanceTypes"] == ["c5"]
    assert detail["computeResources"]["ec2KeyPair"] == "k"
    assert detail["updatePolicy"] == {
        "terminateJobsOnUpdate": True,
        "jobExecutionTimeoutMinutes": 30,
    }
    # an empty string removes the key pair (model text of ComputeResourceUpdate.ec2KeyPair)
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"ec2KeyPair": ""})
    assert "ec2KeyPair" not in describe(batch)["computeResources"]


def test_infrastructure_update_needs_the_service_linked_role(batch: Any) -> None:
    create(
        batch,
        computeResources=ec2(allocationStrategy="BEST_FIT_PROGRESSIVE"),
        serviceRole="arn:aws:iam::123456789012:role/custom",
    )
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"subnets": ["subnet-2"]},
    )
    assert message == (
        "computeResources.subnets requires an infrastructure update, which needs the "
        "AWSServiceRoleForBatch service-linked role as serviceRole"
    )


def test_service_role_kind_cannot_change(batch: Any) -> None:
    create(batch)
    message = error_of(
        batch.update_compute_environment, computeEnvironment="ce", serviceRole="custom"
    )
    assert message == (
        "serviceRole cannot change between the service-linked role and a regular IAM role"
    )


def test_fargate_update_limited_to_network_and_max(batch: Any) -> None:
    create(batch)
    batch.update_compute_environment(
        computeEnvironment="ce",
        computeResources={"maxvCpus": 4, "subnets": ["subnet-9"], "securityGroupIds": []},
    )
    resources = describe(batch)["computeResources"]
    assert resources["maxvCpus"] == 4
    assert resources["subnets"] == ["subnet-9"]
    assert resources["securityGroupIds"] == ["sg-1"]  # empty list: no change for Fargate
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"instanceRole": "r"},
    )
    assert message == (
        "computeResources.instanceRole cannot be updated on a Fargate compute environment; only "
        "maxvCpus, subnets and securityGroupIds can change"
    )


def test_type_cannot_move_between_ec2_and_fargate(batch: Any) -> None:
    create(batch, computeResources=ec2(allocationStrategy="BEST_FIT_PROGRESSIVE"))
    message = error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        computeResources={"type": "FARGATE"},
    )
    assert message == (
        "computeResources.type cannot change from EC2 to FARGATE: EC2/SPOT and "
        "FARGATE/FARGATE_SPOT cannot be exchanged"
    )


def test_unmanaged_update(batch: Any) -> None:
    create(batch, type="UNMANAGED")
    batch.update_compute_environment(computeEnvironment="ce", unmanagedvCpus=12)
    assert describe(batch)["unmanagedvCpus"] == 12
    message = error_of(
        batch.update_compute_environment, computeEnvironment="ce", computeResources={"maxvCpus": 4}
    )
    assert message == "computeResources is not allowed for UNMANAGED compute environments"


def test_rejected_update_changes_nothing(batch: Any) -> None:
    create(batch, computeResources=ec2())
    error_of(
        batch.update_compute_environment,
        computeEnvironment="ce",
        state="DISABLED",
        computeResources={"minvCpus": 100},
    )
    detail = describe(batch)
    assert detail["state"] == "ENABLED"
    assert detail["computeResources"]["minvCpus"] == 0


def test_update_keeps_desired_inside_new_bounds(batch: Any) -> None:
    create(batch, computeResources=ec2(desiredvCpus=32))
    batch.update_compute_environment(computeEnvironment="ce", computeResources={"maxvCpus": 16})
    assert describe(batch)["computeResources"]["desiredvCpus"] == 16


# -- delete (§13.8) -------------------------------------------------------------------------------
def test_delete_requires_disabled(batch: Any) -> None:
    create(batch)
    message = error_of(batch.delete_compute_environment, computeEnvironment="ce")
    assert message == "Cannot delete, compute environment is ENABLED"


def test_delete_refused_while_a_queue_lists_it(batch: Any) -> None:
    create(batch)
    batch.create_job_queue(
        jobQueueName="q",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "ce"}],
    )
    batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
    message = error_of(batch.delete_compute_environment, computeEnvironment="ce")
    assert message == "Cannot delete, found existing JobQueue relationship"


def test_delete_then_gone_and_name_reusable(batch: Any) -> None:
    arn = create(batch, tags={"k": "v"})["computeEnvironmentArn"]
    batch.update_compute_environment(computeEnvironment=arn, state="DISABLED")
    out = batch.delete_compute_environment(computeEnvironment=arn)
    assert set(out) == {"ResponseMetadata"}
    assert batch.describe_compute_environments()["computeEnvironments"] == []
    create(batch)
    assert describe(batch)["tags"] == {}  # the old tags went with the old CE


def test_delete_unknown(batch: Any) -> None:
    message = error_of(batch.delete_compute_environment, computeEnvironment="nope")
    assert message == "ComputeEnvironment nope not found."


def test_tags_given_at_creation(batch: Any) -> None:
    arn = create(batch, tags={"team": "a"})["computeEnvironmentArn"]
    assert describe(batch)["tags"] == {"team": "a"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}


def test_instance_tags_are_not_resource_tags(batch: Any) -> None:
    arn = create(batch, computeResources=ec2(tags={"Name": "box"}))["computeEnvironmentArn"]
    assert describe(batch)["computeResources"]["tags"] == {"Name": "box"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}


# -- eventually consistent statuses (G8) ----------------------------------------------------------
def test_status_settles_after_the_configured_delay() -> None:
    with mock_batch(delays={"resource_status": 30}) as slow:
        batch = slow.client()
        create(batch)
        detail = describe(batch)
        assert detail["status"] == "CREATING"
        assert "statusReason" not in detail
        # a queue can only take a VALID environment (§12.2)
        order = [{"order": 1, "computeEnvironment": "ce"}]
        message = error_of(
            batch.create_job_queue, jobQueueName="q", priority=1, computeEnvironmentOrder=order
        )
        assert "is not VALID (status CREATING)" in message
        slow.advance(30)
        detail = describe(batch)
        assert (detail["status"], detail["statusReason"]) == ("VALID", "ComputeEnvironment Healthy")

        batch.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=order)
        queue = batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]
        assert queue["status"] == "CREATING"
        batch.update_job_queue(jobQueue="q", state="DISABLED")
        message = error_of(batch.delete_job_queue, jobQueue="q")
        assert message == "Cannot delete, resource is being modified"
        slow.advance(30)
        assert batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]["status"] == "VALID"
        batch.delete_job_queue(jobQueue="q")
        assert batch.describe_job_queues(jobQueues=["q"])["jobQueues"][0]["status"] == "DELETING"
        slow.advance(30)
        assert batch.describe_job_queues()["jobQueues"] == []


def test_update_and_delete_go_through_updating_and_deleting() -> None:
    with mock_batch(delays={"resource_status": 10}) as slow:
        batch = slow.client()
        create(batch)
        slow.advance(10)
        batch.update_compute_environment(computeEnvironment="ce", state="DISABLED")
        assert describe(batch)["status"] == "UPDATING"
        assert error_of(batch.delete_compute_environment, computeEnvironment="ce") == (
            "Cannot delete, resource is being modified"
        )
        slow.advance(10)
        batch.delete_compute_environment(computeEnvironment="ce")
        assert describe(batch)["status"] == "DELETING"
        assert error_of(create, batch) == "Object already exists"
        assert (
            error_of(batch.update_compute_environment, computeEnvironment="ce", state="ENABLED")
            == "ComputeEnvironment ce is being deleted"
        )
        slow.advance(10)
        assert batch.describe_compute_environments()["computeEnvironments"] == []
        create(batch)
