"""TagResource, UntagResource and ListTagsForResource on every taggable resource (§18.1).

Every resource object carries ``tags: dict[str, str]``; this module finds the object an ARN names
and edits that dict in place, so Describe* output and ListTagsForResource always agree and
deleting the resource drops its tags with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.errors import ClientException
from batchmock.service_model import trait

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend, Handler

RESERVED_PREFIX = "aws:"

MESSAGES = {
    # AWS's texts for these cases were not found: the wording is [inferred]; each rule's source:
    # [model][docs: Tagging your AWS Batch resources] §18.1: the limits, read from the model's
    # TagrisTagsMap, TagKey and TagValue shapes (max_tags etc.); an empty map is accepted
    # (§21.2: Airflow and Snakemake send tags={}); the model's min 1 is not enforced.
    "count": "{member} must contain at most {limit} tags, got {count}",
    "total": "{member}: a resource can have at most {limit} tags; {arn} would have {count}",
    # [model] TagKey 1-128, TagValue up to 256 characters
    "key": "{member}: tag key '{key}' must be 1-{limit} characters",
    "value": "{member}: the value of tag '{key}' must be at most {limit} characters",
    # [docs: AWS Batch User Guide, "Tag restrictions": "Don't use aws:, AWS:, or any upper or
    # lowercase combination of such as a prefix ... reserved for AWS use"] (§18.1 calls it
    # [inferred]); enforced on keys, where the docs say AWS-made tags live
    "reserved": "{member}: tag keys starting with 'aws:' are reserved, got '{key}'",
    # [model] TagrisTagsMap: strings to strings
    "type": "{member}: tag keys and values must be strings",
    # [model] TagKeysList 1-50
    "keys_count": "tagKeys must contain between 1 and {limit} keys, got {count}",
    # [model] an ARN that names nothing is a ClientException
    "not_found": "Resource {arn} does not exist or is not a taggable AWS Batch resource.",
    # [model] §18.1: jobs are taggable as parents, not child or node ARNs
    "child": "Tags are not supported on array child jobs or multi-node parallel nodes: {arn}",
}


def max_tags() -> int | None:
    """How many tags a request (and a resource) may hold: the model's ``max`` of the tag map."""
    return trait("TagResource", "tags", "max")


def max_key() -> int | None:
    """The longest tag key, as the model's ``TagKey`` says."""
    return trait("TagResource", "tags.key", "max")


def max_value() -> int | None:
    """The longest tag value, as the model's ``TagValue`` says."""
    return trait("TagResource", "tags.value", "max")


def _over(count: int, limit: int | None) -> bool:
    return limit is not None and count > limit


def validate_tags(member: str, tags: Any) -> dict[str, str]:
    """A copy of ``tags`` after checking §18.1's limits; ClientException naming ``member``.

    Used by every Create* that accepts ``tags`` and by TagResource; ``{}`` is valid (§21.2).
    """
    limit = max_tags()
    if not isinstance(tags, Mapping) or _over(len(tags), limit):
        count = len(tags) if isinstance(tags, Mapping) else 0
        raise ClientException(MESSAGES["count"].format(member=member, limit=limit, count=count))
    value_limit = max_value()
    for key, value in tags.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ClientException(MESSAGES["type"].format(member=member))
        _check_key(member, key)
        if _over(len(value), value_limit):
            raise ClientException(
                MESSAGES["value"].format(member=member, key=key, limit=value_limit)
            )
    return dict(tags)


def optional_tags(params: Mapping[str, Any], member: str = "tags") -> dict[str, str]:
    """The validated ``tags`` of a Create* request, ``{}`` when absent."""
    tags = params.get(member)
    return {} if tags is None else validate_tags(member, tags)


def _check_key(member: str, key: str) -> None:
    limit = max_key()
    if not key or _over(len(key), limit):
        raise ClientException(MESSAGES["key"].format(member=member, key=key, limit=limit))
    # any case, as the Batch User Guide's "Tag restrictions" page says
    if key.lower().startswith(RESERVED_PREFIX):
        raise ClientException(MESSAGES["reserved"].format(member=member, key=key))


def resolve(backend: BatchBackend, arn: str) -> Any:
    """The resource object named by a Batch ARN of this account and region (§3.4, §18.1)."""
    parts = arn.split(":", 5)
    if (
        len(parts) < 6
        or parts[0] != "arn"
        or parts[2] != "batch"
        or parts[3] != backend.region
        or parts[4] != backend.account_id
    ):
        raise ClientException(MESSAGES["not_found"].format(arn=arn))
    kind, _, rest = parts[5].partition("/")
    found = _lookup(backend, kind, rest, arn)
    if found is None:
        raise ClientException(MESSAGES["not_found"].format(arn=arn))
    return found


def _lookup(backend: BatchBackend, kind: str, rest: str, arn: str) -> Any:
    if kind == "compute-environment":
        return backend.compute_environments.get(rest)
    if kind == "job-queue":
        if "/quota-share/" in rest:
            return backend.quota_shares.get(arn)
        return backend.job_queues.get(rest)
    if kind == "job-definition":
        name, _, revision = rest.rpartition(":")
        if not name or not revision.isdigit():
            return None  # tags belong to one revision: a bare name names nothing
        for candidate in backend.job_definitions.get(name, []):
            if candidate.revision == int(revision):
                return candidate
        return None
    if kind == "scheduling-policy":
        return backend.scheduling_policies.get(rest)
    if kind == "consumable-resource":
        return backend.consumable_resources.get(rest)
    if kind == "service-environment":
        return backend.service_environments.get(rest)
    if kind == "service-job":
        return backend.service_jobs.get(rest)
    if kind == "job":
        return _job(backend, rest, arn)
    return None


def _job(backend: BatchBackend, job_id: str, arn: str) -> Any:
    if ":" in job_id or "#" in job_id:
        raise ClientException(MESSAGES["child"].format(arn=arn))
    job = backend.engine.get(job_id)
    if job is not None and job.is_child:
        raise ClientException(MESSAGES["child"].format(arn=arn))
    return job


def tag_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """TagResource: add or overwrite keys, leave the others alone."""
    arn = params["resourceArn"]
    new = validate_tags("tags", params.get("tags"))
    resource = resolve(backend, arn)
    merged = {**resource.tags, **new}
    limit = max_tags()
    if _over(len(merged), limit):
        raise ClientException(
            MESSAGES["total"].format(member="tags", limit=limit, arn=arn, count=len(merged))
        )
    resource.tags.update(new)
    return {}


def untag_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """UntagResource: remove the given keys; keys the resource lacks are ignored."""
    keys = params.get("tagKeys") or []
    limit = trait("UntagResource", "tagKeys", "max")
    if not keys or _over(len(keys), limit):
        raise ClientException(MESSAGES["keys_count"].format(limit=limit, count=len(keys)))
    for key in keys:
        if not isinstance(key, str):
            raise ClientException(MESSAGES["type"].format(member="tagKeys"))
        _check_key("tagKeys", key)
    resource = resolve(backend, params["resourceArn"])
    for key in keys:
        resource.tags.pop(key, None)
    return {}


def list_tags_for_resource(backend: BatchBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListTagsForResource: the resource's tags (``{}`` when it has none)."""
    resource = resolve(backend, params["resourceArn"])
    return {"tags": dict(resource.tags)}


OPERATIONS: Mapping[str, Handler] = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
