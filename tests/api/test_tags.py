"""TagResource / UntagResource / ListTagsForResource on every taggable resource (§18.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from batchmock.backend.control_plane import tags as tagmod
from batchmock.errors import ClientException
from tests.support import error_of, make_ce, make_env, make_job_definition, make_queue, model_trait

TAGS_MAX = model_trait("TagResource", "tags", "max")
KEY_MAX = model_trait("TagResource", "tags.key", "max")
VALUE_MAX = model_trait("TagResource", "tags.value", "max")
KEYS_MAX = model_trait("UntagResource", "tagKeys", "max")

PREFIX = "arn:aws:batch:us-east-1:123456789012"


def _ce(batch: Any) -> str:
    return make_ce(batch)


def _queue(batch: Any) -> str:
    make_ce(batch)
    return make_queue(batch)


def _job_definition(batch: Any) -> str:
    make_job_definition(batch)
    return make_job_definition(batch)  # revision 2: tags are per revision


def _policy(batch: Any) -> str:
    arn: str = batch.create_scheduling_policy(name="p", fairsharePolicy={})["arn"]
    return arn


def _job(batch: Any) -> str:
    make_env(batch)
    arn: str = batch.submit_job(jobName="j", jobQueue="q", jobDefinition="jd")["jobArn"]
    return arn


def _consumable(batch: Any) -> str:
    arn: str = batch.create_consumable_resource(consumableResourceName="lic", totalQuantity=3)[
        "consumableResourceArn"
    ]
    return arn


MAKERS: dict[str, Callable[[Any], str]] = {
    "compute-environment": _ce,
    "job-queue": _queue,
    "job-definition": _job_definition,
    "scheduling-policy": _policy,
    "job": _job,
    "consumable-resource": _consumable,
}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_tag_list_untag_round_trip(batch: Any, kind: str) -> None:
    arn = MAKERS[kind](batch)
    assert f":{kind}/" in arn
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}
    out = batch.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2", "empty": ""})
    assert set(out) == {"ResponseMetadata"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {
        "a": "1",
        "b": "2",
        "empty": "",
    }
    # adds or overwrites, leaves the rest alone
    batch.tag_resource(resourceArn=arn, tags={"a": "new", "c": "3"})
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {
        "a": "new",
        "b": "2",
        "c": "3",
        "empty": "",
    }
    out = batch.untag_resource(resourceArn=arn, tagKeys=["b", "empty", "not-there"])
    assert set(out) == {"ResponseMetadata"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "new", "c": "3"}


def test_tags_show_in_describe(batch: Any) -> None:
    arn = make_ce(batch)
    batch.tag_resource(resourceArn=arn, tags={"team": "x"})
    detail = batch.describe_compute_environments()["computeEnvironments"][0]
    assert detail["tags"] == {"team": "x"}
    batch.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert batch.describe_compute_environments()["computeEnvironments"][0]["tags"] == {}


def test_job_definition_tags_belong_to_one_revision(batch: Any) -> None:
    first = make_job_definition(batch)
    second = make_job_definition(batch)
    batch.tag_resource(resourceArn=second, tags={"rev": "2"})
    assert batch.list_tags_for_resource(resourceArn=first)["tags"] == {}
    bare = second.rsplit(":", 1)[0]
    assert error_of(batch.list_tags_for_resource, resourceArn=bare) == (
        f"Resource {bare} does not exist or is not a taggable AWS Batch resource."
    )


def test_empty_tag_map_accepted_and_changes_nothing(batch: Any) -> None:
    # §21.2: AWS does not enforce the model's min 1 on tag maps (Airflow and Snakemake send {})
    arn = make_ce(batch, tags={"keep": "me"})
    assert set(batch.tag_resource(resourceArn=arn, tags={})) == {"ResponseMetadata"}
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"keep": "me"}


def test_more_tags_than_the_model_allows_rejected(batch: Any) -> None:
    arn = make_ce(batch)
    tags = {f"k{i}": "v" for i in range(TAGS_MAX + 1)}
    message = error_of(batch.tag_resource, resourceArn=arn, tags=tags)
    assert "at 'tags'" in message
    assert message.endswith(f"Member must have length less than or equal to {TAGS_MAX}")


def test_the_model_limit_applies_to_the_total(batch: Any) -> None:
    arn = make_ce(batch)
    first = TAGS_MAX - 10
    batch.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(first)})
    message = error_of(batch.tag_resource, resourceArn=arn, tags={f"n{i}": "v" for i in range(11)})
    assert message == (
        f"tags: a resource can have at most {TAGS_MAX} tags; {arn} would have {TAGS_MAX + 1}"
    )
    assert len(batch.list_tags_for_resource(resourceArn=arn)["tags"]) == first


def test_key_and_value_lengths(batch: Any) -> None:
    arn = make_ce(batch)
    message = error_of(batch.tag_resource, resourceArn=arn, tags={"k" * (KEY_MAX + 1): "v"})
    assert "at 'tags'" in message
    assert message.endswith(f"Member must have length less than or equal to {KEY_MAX}]")
    message = error_of(batch.tag_resource, resourceArn=arn, tags={"k": "v" * (VALUE_MAX + 1)})
    assert "at 'tags.k'" in message
    assert message.endswith(f"Member must have length less than or equal to {VALUE_MAX}")
    batch.tag_resource(resourceArn=arn, tags={"k" * KEY_MAX: "v" * VALUE_MAX})


@pytest.mark.parametrize("key", ["aws:owner", "AWS:owner"])
def test_reserved_prefix_rejected(batch: Any, key: str) -> None:
    arn = make_ce(batch)
    message = error_of(batch.tag_resource, resourceArn=arn, tags={key: "x", "ok": "y"})
    assert message == f"tags: tag keys starting with 'aws:' are reserved, got '{key}'"
    # nothing was stored: the request failed as a whole
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_reserved_prefix_rejected_at_creation(batch: Any) -> None:
    message = error_of(
        batch.create_scheduling_policy, name="p", fairsharePolicy={}, tags={"aws:x": "y"}
    )
    assert message == "tags: tag keys starting with 'aws:' are reserved, got 'aws:x'"
    assert batch.list_scheduling_policies()["schedulingPolicies"] == []


@pytest.mark.parametrize(
    "arn",
    [
        f"{PREFIX}:compute-environment/ghost",
        f"{PREFIX}:job-queue/ghost",
        f"{PREFIX}:job-definition/ghost:1",
        f"{PREFIX}:scheduling-policy/ghost",
        f"{PREFIX}:job/00000000-0000-0000-0000-000000000000",
        f"{PREFIX}:unknown-kind/x",
        "arn:aws:s3:::bucket",
        "not-an-arn",
    ],
)
def test_unknown_resource_named_in_error(batch: Any, arn: str) -> None:
    expected = f"Resource {arn} does not exist or is not a taggable AWS Batch resource."
    assert error_of(batch.list_tags_for_resource, resourceArn=arn) == expected
    assert error_of(batch.tag_resource, resourceArn=arn, tags={"a": "b"}) == expected
    assert error_of(batch.untag_resource, resourceArn=arn, tagKeys=["a"]) == expected


def test_resource_of_another_region_or_account_is_unknown(batch: Any) -> None:
    make_ce(batch)
    for arn in (
        "arn:aws:batch:eu-west-1:123456789012:compute-environment/ce",
        "arn:aws:batch:us-east-1:999999999999:compute-environment/ce",
    ):
        assert error_of(batch.list_tags_for_resource, resourceArn=arn) == (
            f"Resource {arn} does not exist or is not a taggable AWS Batch resource."
        )


@pytest.mark.parametrize("suffix", [":0", "#1"])
def test_child_and_node_job_arns_rejected(batch: Any, suffix: str) -> None:
    arn = f"{PREFIX}:job/00000000-0000-0000-0000-000000000000{suffix}"
    assert error_of(batch.tag_resource, resourceArn=arn, tags={"a": "b"}) == (
        f"Tags are not supported on array child jobs or multi-node parallel nodes: {arn}"
    )


def test_array_child_of_a_real_job_rejected(batch: Any) -> None:
    make_env(batch)
    job = batch.submit_job(
        jobName="j", jobQueue="q", jobDefinition="jd", arrayProperties={"size": 2}
    )
    child = f"{job['jobArn']}:1"
    assert error_of(batch.list_tags_for_resource, resourceArn=child) == (
        f"Tags are not supported on array child jobs or multi-node parallel nodes: {child}"
    )
    batch.tag_resource(resourceArn=job["jobArn"], tags={"parent": "yes"})
    assert batch.list_tags_for_resource(resourceArn=job["jobArn"])["tags"] == {"parent": "yes"}


def test_validate_tags_helper_used_by_creates() -> None:
    """The backend's own checks, for callers that bypass the wire layer (e.g. Create*)."""
    assert tagmod.validate_tags("tags", {}) == {}
    with pytest.raises(ClientException, match=f"at most {TAGS_MAX} tags, got {TAGS_MAX + 1}"):
        tagmod.validate_tags("tags", {f"k{i}": "v" for i in range(TAGS_MAX + 1)})
    with pytest.raises(ClientException, match=f"1-{KEY_MAX} characters"):
        tagmod.validate_tags("tags", {"k" * (KEY_MAX + 1): "v"})
    with pytest.raises(ClientException, match=f"at most {VALUE_MAX}"):
        tagmod.validate_tags("tags", {"k": "v" * (VALUE_MAX + 1)})
    assert tagmod.validate_tags("tags", {"k": ""}) == {"k": ""}


def test_untag_key_limits(batch: Any) -> None:
    arn = make_ce(batch)
    keys = [f"k{i}" for i in range(KEYS_MAX + 1)]
    message = error_of(batch.untag_resource, resourceArn=arn, tagKeys=keys)
    assert "at 'tagKeys'" in message
    assert message.endswith(f"Member must have length less than or equal to {KEYS_MAX}")
    message = error_of(batch.untag_resource, resourceArn=arn, tagKeys=["aws:x"])
    assert message == "tagKeys: tag keys starting with 'aws:' are reserved, got 'aws:x'"


def test_deleting_a_resource_deletes_its_tags(batch: Any) -> None:
    arn = _policy(batch)
    batch.tag_resource(resourceArn=arn, tags={"a": "b"})
    batch.delete_scheduling_policy(arn=arn)
    assert error_of(batch.list_tags_for_resource, resourceArn=arn) == (
        f"Resource {arn} does not exist or is not a taggable AWS Batch resource."
    )
    assert _policy(batch) == arn
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_names_with_special_characters_survive_the_path(batch: Any) -> None:
    arn = make_ce(batch, name="a_b-C")
    batch.tag_resource(resourceArn=arn, tags={"k/with:odd chars": "v=1&2"})
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {"k/with:odd chars": "v=1&2"}
    batch.untag_resource(resourceArn=arn, tagKeys=["k/with:odd chars"])
    assert batch.list_tags_for_resource(resourceArn=arn)["tags"] == {}
