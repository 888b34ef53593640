"""Model-driven input validation: every rule, driven by the real Batch operation models."""

from __future__ import annotations

from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.model import ServiceModel, Shape

from batchmock import mock_batch
from batchmock.errors import ClientException
from batchmock.protocol.validation import MAX_LISTED_ERRORS, validate, validator_for
from tests.support import model_shape, model_trait

MODEL = botocore.session.get_session().get_service_model("batch")


def check(operation: str, params: dict[str, Any]) -> None:
    validator_for(MODEL.operation_model(operation))(params)


def error_of(operation: str, params: Any) -> str:
    with pytest.raises(ClientException) as caught:
        validator_for(MODEL.operation_model(operation))(params)
    return caught.value.message


def enum_rule(operation: str, path: str) -> str:
    """The enum rule of a member, with the values the installed model lists."""
    return f"Member must satisfy enum value set: [{', '.join(model_shape(operation, path).enum)}]"


RETRY_ACTIONS = enum_rule("RegisterJobDefinition", "retryStrategy.evaluateOnExit.member.action")


def one_error(value: str, path: str, rule: str) -> str:
    detail = f"Value {value} at '{path}' failed to satisfy constraint: {rule}"
    return f"1 validation error detected: {detail}"


CONTAINER_OVERRIDES: dict[str, Any] = {
    "vcpus": 2,
    "memory": 2048,
    "command": ["echo", "hello"],
    "instanceType": "m5.large",
    "environment": [{"name": "MODE", "value": "fast"}],
    "resourceRequirements": [{"value": "1", "type": "GPU"}],
}
ECS_OVERRIDE: dict[str, Any] = {
    "taskProperties": [
        {
            "containers": [
                {
                    "command": ["run"],
                    "environment": [{"name": "A", "value": "b"}],
                    "name": "main",
                    "resourceRequirements": [{"value": "512", "type": "MEMORY"}],
                }
            ]
        }
    ]
}
EKS_CONTAINER: dict[str, Any] = {
    "name": "main",
    "image": "busybox",
    "command": ["sh"],
    "args": ["-c", "true"],
    "env": [{"name": "A", "value": "b"}],
    "resources": {"limits": {"cpu": "1"}, "requests": {"memory": "1Gi"}},
}
EKS_OVERRIDE: dict[str, Any] = {
    "podProperties": {
        "containers": [EKS_CONTAINER],
        "initContainers": [EKS_CONTAINER],
        "metadata": {"labels": {"app": "x"}, "annotations": {"a": "b"}, "namespace": "default"},
    }
}
CONSUMABLES: dict[str, Any] = {
    "consumableResourceList": [{"consumableResource": "licences", "quantity": 3}]
}
FULL_SUBMIT: dict[str, Any] = {
    "jobName": "job-1",
    "jobQueue": "queue",
    "shareIdentifier": "share",
    "schedulingPriorityOverride": 5,
    "arrayProperties": {"size": 4},
    "dependsOn": [{"jobId": "876da822-4198-45f2-a252-6cea32512ea8", "type": "N_TO_N"}],
    "jobDefinition": "def:3",
    "parameters": {"input": "s3://bucket/key"},
    "containerOverrides": CONTAINER_OVERRIDES,
    "nodeOverrides": {
        "numNodes": 2,
        "nodePropertyOverrides": [
            {
                "targetNodes": "0:1",
                "containerOverrides": CONTAINER_OVERRIDES,
                "ecsPropertiesOverride": ECS_OVERRIDE,
                "instanceTypes": ["m5.large"],
                "eksPropertiesOverride": EKS_OVERRIDE,
                "consumableResourcePropertiesOverride": CONSUMABLES,
            }
        ],
    },
    "retryStrategy": {
        "attempts": 3,
        "evaluateOnExit": [
            {"onStatusReason": "Host*", "onReason": "*", "onExitCode": "1", "action": "RETRY"}
        ],
    },
    "propagateTags": True,
    "timeout": {"attemptDurationSeconds": 60},
    "tags": {"team": "data"},
    "eksPropertiesOverride": EKS_OVERRIDE,
    "ecsPropertiesOverride": ECS_OVERRIDE,
    "consumableResourcePropertiesOverride": CONSUMABLES,
}


def missing_members(shape: Shape, value: Any, path: str = "") -> list[str]:
    """Members of every structure reached in ``value`` that ``value`` leaves out."""
    if shape.type_name == "structure":
        gaps = [f"{path}{name}" for name in shape.members if name not in value]
        for name, item in value.items():
            gaps += missing_members(shape.members[name], item, f"{path}{name}.")
        return gaps
    if shape.type_name == "list":
        return [g for item in value for g in missing_members(shape.member, item, path)]
    if shape.type_name == "map":
        return [g for item in value.values() for g in missing_members(shape.value, item, path)]
    return []


def test_a_full_submit_job_request_with_every_member_passes() -> None:
    shape = MODEL.operation_model("SubmitJob").input_shape
    assert missing_members(shape, FULL_SUBMIT) == []
    check("SubmitJob", FULL_SUBMIT)


# --- required members ---


def test_a_missing_required_member_is_named() -> None:
    params = {"jobQueue": "q", "jobDefinition": "d"}
    assert error_of("SubmitJob", params) == one_error("null", "jobName", "Member must not be null")


def test_an_explicit_null_counts_as_missing_and_null_optional_members_pass() -> None:
    params = {"jobName": None, "jobQueue": "q", "jobDefinition": "d"}
    assert "Value null at 'jobName'" in error_of("SubmitJob", params)
    check("SubmitJob", {"jobName": "j", "jobQueue": "q", "jobDefinition": "d", "tags": None})


def test_a_nested_required_member_gets_its_full_path() -> None:
    params = {
        "jobDefinitionName": "d",
        "type": "container",
        "retryStrategy": {"attempts": 2, "evaluateOnExit": [{"action": "EXIT"}, {"onReason": "x"}]},
    }
    assert error_of("RegisterJobDefinition", params) == one_error(
        "null", "retryStrategy.evaluateOnExit.2.member.action", "Member must not be null"
    )


def test_a_null_list_element_is_reported_at_its_index() -> None:
    params = {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"}
    params["containerOverrides"] = {"command": ["a", None]}
    assert error_of("SubmitJob", params) == one_error(
        "null", "containerOverrides.command.2.member", "Member must not be null"
    )


# --- types ---


@pytest.mark.parametrize(
    ("member", "value", "path", "rule"),
    [
        ("jobName", 5, "jobName", "Member must be of type string"),
        ("propagateTags", "true", "propagateTags", "Member must be of type boolean"),
        ("schedulingPriorityOverride", True, "schedulingPriorityOverride", "integer"),
        ("schedulingPriorityOverride", 1.5, "schedulingPriorityOverride", "integer"),
        ("schedulingPriorityOverride", 2**31, "schedulingPriorityOverride", "integer"),
        ("containerOverrides", "x", "containerOverrides", "Member must be of type structure"),
        ("dependsOn", {"jobId": "a"}, "dependsOn", "Member must be of type list"),
        ("parameters", ["a"], "parameters", "Member must be of type map"),
        ("parameters", {"a": 5}, "parameters.a", "Member must be of type string"),
        ("timeout", {"attemptDurationSeconds": "60"}, "timeout.attemptDurationSeconds", "integer"),
    ],
)
def test_a_value_of_the_wrong_type_is_rejected(
    member: str, value: Any, path: str, rule: str
) -> None:
    params = {"jobName": "j", "jobQueue": "q", "jobDefinition": "d", member: value}
    message = error_of("SubmitJob", params)
    assert message.startswith("1 validation error detected: ")
    assert f" at '{path}' failed to satisfy constraint: Member must be of type " in message
    assert message.endswith(rule)


def test_the_largest_int32_passes_and_floats_take_ints_and_floats_not_strings() -> None:
    check(
        "SubmitJob",
        {
            "jobName": "j",
            "jobQueue": "q",
            "jobDefinition": "d",
            "schedulingPriorityOverride": 2**31 - 1,
        },
    )
    policy = {
        "name": "p",
        "fairsharePolicy": {
            "shareDistribution": [
                {"shareIdentifier": "a", "weightFactor": 1},
                {"shareIdentifier": "b", "weightFactor": 0.5},
            ]
        },
    }
    check("CreateSchedulingPolicy", policy)
    policy["fairsharePolicy"]["shareDistribution"][1]["weightFactor"] = "0.5"
    assert error_of("CreateSchedulingPolicy", policy) == one_error(
        "'0.5'",
        "fairsharePolicy.shareDistribution.2.member.weightFactor",
        "Member must be of type float",
    )


def test_a_long_takes_values_beyond_int32() -> None:
    check("CreateConsumableResource", {"consumableResourceName": "c", "totalQuantity": 2**40})
    message = error_of(
        "CreateConsumableResource", {"consumableResourceName": "c", "totalQuantity": 2**63}
    )
    assert "at 'totalQuantity' failed to satisfy constraint: Member must be of type long" in message


def test_unknown_members_are_ignored_at_every_level() -> None:
    params = {
        "jobName": "j",
        "jobQueue": "q",
        "jobDefinition": "d",
        "bogus": {"x": 1},
        "retryStrategy": {"attempts": 1, "notAMember": [1, 2]},
    }
    check("SubmitJob", params)


def test_a_body_that_is_not_an_object_is_rejected() -> None:
    assert "JSON object" in error_of("SubmitJob", ["jobName"])


# --- enums ---


def test_a_bad_enum_value_in_a_list_element_names_the_aws_path() -> None:
    params = {
        "jobDefinitionName": "d",
        "type": "container",
        "retryStrategy": {"attempts": 1, "evaluateOnExit": [{"action": "bogus"}]},
    }
    assert error_of("RegisterJobDefinition", params) == (
        "1 validation error detected: Value 'bogus' at "
        "'retryStrategy.evaluateOnExit.1.member.action' failed to satisfy constraint: "
        f"{RETRY_ACTIONS}"
    )


def test_enum_values_are_case_sensitive_except_where_the_model_says_otherwise() -> None:
    params = {
        "jobDefinitionName": "d",
        "type": "container",
        "retryStrategy": {"evaluateOnExit": [{"action": "retry"}, {"action": "Exit"}]},
    }
    check("RegisterJobDefinition", params)
    assert error_of("RegisterJobDefinition", {"jobDefinitionName": "d", "type": "CONTAINER"}) == (
        one_error("'CONTAINER'", "type", enum_rule("RegisterJobDefinition", "type"))
    )
    bad = {
        "jobName": "j",
        "jobQueue": "q",
        "jobDefinition": "d",
        "containerOverrides": {"resourceRequirements": [{"value": "1", "type": "vcpu"}]},
    }
    assert "'containerOverrides.resourceRequirements.1.member.type'" in error_of("SubmitJob", bad)


# --- string length, numeric range, list and map sizes ---


def test_string_length_bounds() -> None:
    base = {"consumableResource": "c", "operation": "SET", "quantity": 1}
    low = model_trait("UpdateConsumableResource", "clientToken", "min")
    high = model_trait("UpdateConsumableResource", "clientToken", "max")
    check("UpdateConsumableResource", {**base, "clientToken": "t" * high})
    check("UpdateConsumableResource", {**base, "clientToken": "t" * low})
    too_long = "t" * (high + 1)
    assert error_of("UpdateConsumableResource", {**base, "clientToken": too_long}) == one_error(
        f"'{too_long}'", "clientToken", f"Member must have length less than or equal to {high}"
    )
    too_short = "t" * (low - 1)
    assert error_of("UpdateConsumableResource", {**base, "clientToken": too_short}) == one_error(
        f"'{too_short}'", "clientToken", f"Member must have length greater than or equal to {low}"
    )


def test_a_nested_string_length_names_the_list_element() -> None:
    high = model_trait(
        "CreateComputeEnvironment",
        "computeResources.ec2Configuration.member.imageIdOverride",
        "max",
    )
    params = {
        "computeEnvironmentName": "ce",
        "type": "MANAGED",
        "computeResources": {
            "type": "EC2",
            "maxvCpus": 4,
            "subnets": ["s"],
            "ec2Configuration": [
                {"imageType": "ECS_AL2"},
                {"imageType": "ECS_AL2", "imageIdOverride": "a" * (high + 1)},
            ],
        },
    }
    message = error_of("CreateComputeEnvironment", params)
    assert "at 'computeResources.ec2Configuration.2.member.imageIdOverride'" in message
    assert message.endswith(f"Member must have length less than or equal to {high}")


TIMEOUT_MINUTES = "updatePolicy.jobExecutionTimeoutMinutes"
TIMEOUT_MAX = model_trait("UpdateComputeEnvironment", TIMEOUT_MINUTES, "max")


def test_numeric_range_bounds() -> None:
    # botocore 1.44 raised the max from 360 to 7200: the bounds are the installed model's
    low = model_trait("UpdateComputeEnvironment", TIMEOUT_MINUTES, "min")
    high = TIMEOUT_MAX

    def update(minutes: int) -> dict[str, Any]:
        return {"computeEnvironment": "ce", "updatePolicy": {"jobExecutionTimeoutMinutes": minutes}}

    check("UpdateComputeEnvironment", update(low))
    check("UpdateComputeEnvironment", update(high))
    assert error_of("UpdateComputeEnvironment", update(high + 1)) == one_error(
        f"'{high + 1}'", TIMEOUT_MINUTES, f"Member must have value less than or equal to {high}"
    )
    assert error_of("UpdateComputeEnvironment", update(low - 1)) == one_error(
        f"'{low - 1}'", TIMEOUT_MINUTES, f"Member must have value greater than or equal to {low}"
    )


def test_list_size_bounds() -> None:
    arn = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    low = model_trait("UntagResource", "tagKeys", "min")
    high = model_trait("UntagResource", "tagKeys", "max")
    check("UntagResource", {"resourceArn": arn, "tagKeys": [f"k{i}" for i in range(high)]})
    message = error_of(
        "UntagResource", {"resourceArn": arn, "tagKeys": [f"k{i}" for i in range(high + 1)]}
    )
    assert message.startswith("1 validation error detected: Value '[k0, k1, k2")
    assert message.endswith(
        "at 'tagKeys' failed to satisfy constraint: "
        f"Member must have length less than or equal to {high}"
    )
    assert low == 1  # the one list below the minimum is the empty one
    assert error_of("UntagResource", {"resourceArn": arn, "tagKeys": []}) == one_error(
        "'[]'", "tagKeys", f"Member must have length greater than or equal to {low}"
    )


def test_map_size_and_map_key_and_value_constraints() -> None:
    arn = "arn:aws:batch:us-east-1:123456789012:job-queue/q"
    count = model_trait("TagResource", "tags", "max")
    key_max = model_trait("TagResource", "tags.key", "max")
    value_max = model_trait("TagResource", "tags.value", "max")
    check("TagResource", {"resourceArn": arn, "tags": {f"k{i}": "v" for i in range(count)}})
    check("TagResource", {"resourceArn": arn, "tags": {"k" * key_max: "v" * value_max}})
    too_many = error_of(
        "TagResource", {"resourceArn": arn, "tags": {f"k{i}": "v" for i in range(count + 1)}}
    )
    assert too_many.endswith(
        "at 'tags' failed to satisfy constraint: "
        f"Member must have length less than or equal to {count}"
    )
    assert "Value '{k0=v, k1=v" in too_many
    # §21.2: the model's min 1 on tag maps is not enforced (AWS accepts tags={})
    check("TagResource", {"resourceArn": arn, "tags": {}})
    long_key = "k" * (key_max + 1)
    assert error_of("TagResource", {"resourceArn": arn, "tags": {long_key: "v"}}) == one_error(
        f"'{long_key}'",
        "tags",
        "Map keys must satisfy constraint: "
        f"[Member must have length less than or equal to {key_max}]",
    )
    message = error_of("TagResource", {"resourceArn": arn, "tags": {"team": "v" * (value_max + 1)}})
    assert message.startswith("1 validation error detected: Value 'vvv")
    assert message.endswith(
        "at 'tags.team' failed to satisfy constraint: "
        f"Member must have length less than or equal to {value_max}"
    )


# --- several errors ---


def test_every_error_is_reported_required_members_first() -> None:
    params = {"jobQueue": 7, "retryStrategy": {"evaluateOnExit": [{"action": "nope"}]}}
    assert error_of("SubmitJob", params) == (
        "4 validation errors detected: "
        "Value null at 'jobName' failed to satisfy constraint: Member must not be null; "
        "Value null at 'jobDefinition' failed to satisfy constraint: Member must not be null; "
        "Value '7' at 'jobQueue' failed to satisfy constraint: Member must be of type string; "
        "Value 'nope' at 'retryStrategy.evaluateOnExit.1.member.action' failed to satisfy "
        f"constraint: {RETRY_ACTIONS}"
    )


def test_many_errors_are_counted_but_only_the_first_ones_listed() -> None:
    params = {
        "jobName": "j",
        "jobQueue": "q",
        "jobDefinition": "d",
        "dependsOn": [{"type": "bad"} for _ in range(12)],
    }
    message = error_of("SubmitJob", params)
    assert message.startswith("12 validation errors detected: ")
    assert message.count("failed to satisfy constraint") == MAX_LISTED_ERRORS
    assert "'dependsOn.10.member.type'" in message
    assert "'dependsOn.11.member.type'" not in message


# --- caching, validate(), and traits Batch does not use (synthetic model) ---


def test_validators_are_cached_per_operation_across_loaded_models() -> None:
    first = validator_for(MODEL.operation_model("SubmitJob"))
    again = botocore.session.get_session().get_service_model("batch")
    assert validator_for(again.operation_model("SubmitJob")) is first
    assert validator_for(MODEL.operation_model("CancelJob")) is not first


def test_validate_checks_a_single_shape_with_relative_paths() -> None:
    validate(MODEL.shape_for("RetryStrategy"), {"attempts": 2})
    with pytest.raises(ClientException) as caught:
        validate(MODEL.shape_for("RetryStrategy"), {"evaluateOnExit": [{}]})
    assert caught.value.message == one_error(
        "null", "evaluateOnExit.1.member.action", "Member must not be null"
    )
    with pytest.raises(ClientException, match="Member must not be null"):
        validate(MODEL.shape_for("RetryStrategy"), None)


SYNTHETIC = ServiceModel(
    {
        "metadata": {
            "protocol": "rest-json",
            "apiVersion": "2000-01-01",
            "serviceId": "Synth",
            "endpointPrefix": "synth",
            "signatureVersion": "v4",
        },
        "operations": {
            "Put": {
                "name": "Put",
                "http": {"method": "POST", "requestUri": "/put"},
                "input": {"shape": "PutRequest"},
            }
        },
        "shapes": {
            "PutRequest": {
                "type": "structure",
                "members": {
                    "code": {"shape": "Code"},
                    "javaOnly": {"shape": "JavaOnly"},
                    "when": {"shape": "When"},
                    "data": {"shape": "Data"},
                    "tree": {"shape": "Node"},
                    "doc": {"shape": "Doc"},
                },
            },
            "Code": {"type": "string", "pattern": "^[a-z]{2}-[0-9]+$"},
            "JavaOnly": {"type": "string", "pattern": "^\\p{L}+\\z"},
            "When": {"type": "timestamp"},
            "Data": {"type": "blob"},
            "Node": {
                "type": "structure",
                "required": ["label"],
                "members": {"label": {"shape": "Code"}, "children": {"shape": "Nodes"}},
            },
            "Nodes": {"type": "list", "member": {"shape": "Node"}},
            "Doc": {"type": "structure", "members": {}, "document": True},
        },
    },
    service_name="synth",
)


def synthetic_error(params: dict[str, Any]) -> str:
    with pytest.raises(ClientException) as caught:
        validator_for(SYNTHETIC.operation_model("Put"))(params)
    return caught.value.message


def test_patterns_are_compiled_and_java_only_patterns_are_skipped() -> None:
    put = validator_for(SYNTHETIC.operation_model("Put"))
    put({"code": "ab-12", "javaOnly": "anything at all 123"})
    assert synthetic_error({"code": "AB-12"}) == one_error(
        "'AB-12'", "code", "Member must satisfy regular expression pattern: ^[a-z]{2}-[0-9]+$"
    )


def test_timestamps_blobs_documents_and_recursive_shapes() -> None:
    put = validator_for(SYNTHETIC.operation_model("Put"))
    put({"when": 1700000000, "data": "aGk=", "doc": {"any": [1, {"thing": None}]}})
    put({"when": "2024-01-01T00:00:00Z"})
    assert "'when' failed to satisfy constraint: Member must be of type timestamp" in (
        synthetic_error({"when": True})
    )
    assert "Member must be of type blob" in synthetic_error({"data": 5})
    tree = {"label": "ab-1", "children": [{"label": "ab-2", "children": [{"label": "X"}, {}]}]}
    assert synthetic_error({"tree": tree}) == (
        "2 validation errors detected: "
        "Value 'X' at 'tree.children.1.member.children.1.member.label' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "^[a-z]{2}-[0-9]+$; Value null at 'tree.children.1.member.children.2.member.label' failed "
        "to satisfy constraint: Member must not be null"
    )


# --- through boto3: constraints botocore does not check client-side reach the mock ---


def client_error(call: Any, **kwargs: Any) -> Any:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ClientException"
    return caught.value


def test_boto3_a_bad_enum_in_a_retry_strategy_is_rejected_and_nothing_registered() -> None:
    with mock_batch():
        batch = boto3.client("batch", region_name="us-east-1")
        error = client_error(
            batch.register_job_definition,
            jobDefinitionName="jd",
            type="container",
            containerProperties={"image": "busybox", "vcpus": 1, "memory": 128},
            retryStrategy={"attempts": 1, "evaluateOnExit": [{"action": "bogus"}]},
        )
        assert isinstance(error, batch.exceptions.ClientException)
        assert error.response["Error"]["Message"] == (
            "1 validation error detected: Value 'bogus' at "
            "'retryStrategy.evaluateOnExit.1.member.action' failed to satisfy constraint: "
            f"{RETRY_ACTIONS}"
        )
        assert batch.describe_job_definitions()["jobDefinitions"] == []


TAG_COUNT_MAX = model_trait("TagResource", "tags", "max")
TAG_VALUE_MAX = model_trait("SubmitJob", "tags.value", "max")


def test_boto3_more_tags_than_the_model_allows_are_rejected_and_the_tags_kept() -> None:
    with mock_batch():
        batch = boto3.client("batch", region_name="us-east-1")
        arn = batch.create_compute_environment(
            computeEnvironmentName="ce", type="UNMANAGED", tags={"keep": "me"}
        )["computeEnvironmentArn"]
        error = client_error(
            batch.tag_resource,
            resourceArn=arn,
            tags={f"k{i}": "v" for i in range(TAG_COUNT_MAX + 1)},
        )
        assert isinstance(error, batch.exceptions.ClientException)
        assert error.response["Error"]["Message"].endswith(
            "at 'tags' failed to satisfy constraint: "
            f"Member must have length less than or equal to {TAG_COUNT_MAX}"
        )
        assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"keep": "me"}


@pytest.mark.parametrize(
    ("call", "kwargs", "fragment"),
    [
        (
            "create_compute_environment",
            {"computeEnvironmentName": "ce", "type": "SOMETIMES"},
            "Value 'SOMETIMES' at 'type' failed to satisfy constraint: "
            + enum_rule("CreateComputeEnvironment", "type"),
        ),
        (
            "submit_job",
            {
                "jobName": "j",
                "jobQueue": "q",
                "jobDefinition": "d",
                "tags": {"team": "v" * (TAG_VALUE_MAX + 1)},
            },
            "at 'tags.team' failed to satisfy constraint: "
            f"Member must have length less than or equal to {TAG_VALUE_MAX}",
        ),
        (
            "update_compute_environment",
            {
                "computeEnvironment": "ce",
                "updatePolicy": {"jobExecutionTimeoutMinutes": TIMEOUT_MAX + 1},
            },
            f"Value '{TIMEOUT_MAX + 1}' at 'updatePolicy.jobExecutionTimeoutMinutes' failed to "
            f"satisfy constraint: Member must have value less than or equal to {TIMEOUT_MAX}",
        ),
        (
            "untag_resource",
            {
                "resourceArn": "arn:aws:batch:us-east-1:123456789012:job-queue/q",
                "tagKeys": [f"k{i}" for i in range(TAG_COUNT_MAX + 1)],
            },
            "at 'tagKeys' failed to satisfy constraint: "
            f"Member must have length less than or equal to {TAG_COUNT_MAX}",
        ),
    ],
)
def test_boto3_constraints_botocore_lets_through_are_named(
    call: str, kwargs: dict[str, Any], fragment: str
) -> None:
    with mock_batch():
        batch = boto3.client("batch", region_name="us-east-1")
        error = client_error(getattr(batch, call), **kwargs)
        message = error.response["Error"]["Message"]
        assert message.startswith("1 validation error detected: ")
        assert fragment in message
