"""The rules a job definition must follow (reference §7, §8, §9.1, §10, §17), shared with SubmitJob.

Every check raises :class:`~batchmock.errors.ClientException` whose message names the member
(``containerProperties.environment[0].name``) and the rule it broke. The public ``check_*``
functions that take a ``member_path`` are also used for SubmitJob overrides, so that a
definition and an override are held to exactly the same rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from batchmock.errors import executing_request, invalid
from batchmock.service_model import (
    documented_max,
    documented_min,
    documented_number,
    member_shape,
)

IMAGE_RE = re.compile(r"[A-Za-z0-9_\-:./#@]+")
"""§10.3 allows letters, digits and ``-_:./#``; ``@`` is allowed as well because the model's own
text shows ``registry/repository@digest`` image names. The length is :func:`max_image`."""


def max_image() -> int | None:
    """How long an image name may be: "It can be 255 characters long" (the model)."""
    return documented_number(
        "RegisterJobDefinition", "containerProperties.image", r"can be ([\d,]+) characters long"
    )


REASON_PATTERN_RE = re.compile(r"[A-Za-z0-9.:\s]*\*?")
"""§7.6: onStatusReason / onReason patterns."""
EXIT_CODE_PATTERN_RE = re.compile(r"[0-9]*\*?")
"""§7.6: onExitCode patterns."""

RETRY_ACTIONS = ("RETRY", "EXIT")
RESOURCE_TYPES = ("GPU", "VCPU", "MEMORY")
ULIMIT_NAMES = frozenset(
    [
        "core",
        "cpu",
        "data",
        "fsize",
        "locks",
        "memlock",
        "msgqueue",
        "nice",
        "nofile",
        "nproc",
        "rss",
        "rtprio",
        "rttime",
        "sigpending",
        "stack",
    ]
)
FARGATE_LOG_DRIVERS = ("awslogs", "splunk")
MAX_NODES = 1000
MAX_NODE_GROUPS = 5
MAX_TASK_CONTAINERS = 10
RESERVED_ENV_PREFIX = "AWS_BATCH"


@functools.cache
def fargate_memory() -> dict[float, tuple[int, ...]]:
    """§10.6: the MEMORY values (MiB) Fargate allows for each VCPU value, read from the installed
    model's ResourceRequirement text ("value = 0.25 MEMORY = 512, 1024, or 2048 ..."; botocore
    1.44 lists 32 vCPUs, which §10.6 lacks). Empty when the model states no pairs: the pair
    rule is then not enforced."""
    shape = member_shape("RegisterJobDefinition", "containerProperties.resourceRequirements")
    member = getattr(shape, "member", None)
    value = getattr(member, "members", {}).get("value") if member is not None else None
    text = " ".join(re.sub(r"<[^>]+>", " ", getattr(value, "documentation", "") or "").split())
    _, found, vcpu_part = text.partition('type="VCPU"')
    pairs: dict[float, tuple[int, ...]] = {}
    if not found:
        return pairs
    for vcpu, memories in re.findall(r"value = ([\d.]+) MEMORY = ([\d, or]+)", vcpu_part):
        pairs[float(vcpu)] = tuple(int(m) for m in re.findall(r"\d+", memories))
    return pairs


MESSAGES = {
    # [obs: ASFHyP3/hyp3#586]
    "no_vcpu": "vCPU is not provided.",
    # [model] §10.3: memory is required on EC2; worded like the vCPU message [inferred]
    "no_memory": "Memory is not provided.",
    # [obs: Netflix/metaflow#749]
    "fargate_pair": "Fargate resource requirements ({vcpu:.2f} vCPU, {memory} MiB) not valid.",
    # [obs: insitro/redun#95]
    "fargate_vcpus": "vcpus is not applicable for Fargate. Use resource requirements instead.",
    # [model] memory "isn't supported for jobs running on Fargate resources"; the same wording
    # as for vcpus [inferred]
    "fargate_memory": "memory is not applicable for Fargate. Use resource requirements instead.",
    # [model] §7.1 attempts 1-10, §8.1 attemptDurationSeconds at least 60, read from the model;
    # texts [inferred] (§2.6 proposes them), the member path put in front of these shorter forms.
    "attempts": "must be between {low} and {high}",
    "timeout": "must be at least {low} seconds",
    # [model][docs: AWS Batch job environment variables] §9.1; text [inferred]
    "env": f"environment variable names may not start with {RESERVED_ENV_PREFIX}: that prefix "
    "is reserved for the variables Batch sets, got '{name}'",
}


# -- small helpers ------------------------------------------------------------------------------
def check_int(member: str, value: Any) -> int:
    """``value`` when it is an integer (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(member, f"must be an integer, got {value!r}")
    return value


def check_list(member: str, value: Any) -> list[Any]:
    """``value`` when it is a list; ``[]`` when absent."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(member, f"must be a list, got {type(value).__name__}")
    return value


def check_object(member: str, value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object; ``{}`` when absent."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(member, f"must be an object, got {type(value).__name__}")
    return value


def check_int_range(member: str, value: Any, low: int, high: int | None) -> int:
    """``value`` when it is an integer in ``low..high`` (no upper bound when ``high`` is None)."""
    number = check_int(member, value)
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(member, f"must be {bound}, got {number}")
    return number


# -- rules shared with SubmitJob -----------------------------------------------------------------
def check_environment(member_path: str, env_list: Sequence[Mapping[str, Any]] | None) -> None:
    """§9.1: no user variable may start with ``AWS_BATCH`` (definition, override, ECS, EKS)."""
    for index, entry in enumerate(check_list(member_path, env_list)):
        name = check_object(f"{member_path}[{index}]", entry).get("name")
        if isinstance(name, str) and name.startswith(RESERVED_ENV_PREFIX):
            raise invalid(f"{member_path}[{index}].name", MESSAGES["env"].format(name=name))


# The limits below are the model's documentation of RetryStrategy, JobTimeout and the
# scheduling priority ("You can specify between 1 and 10 attempts", "Array of up to 5 objects",
# "The pattern can contain up to 512 characters", "The minimum value for the timeout is 60
# seconds", "The minimum supported value is 0 and the maximum supported value is 9999"); the
# same shapes serve RegisterJobDefinition, SubmitJob and SubmitServiceJob.
_DEFINITION = "RegisterJobDefinition"


def _limits(path: str) -> tuple[int | None, int | None]:
    return documented_min(_DEFINITION, path), documented_max(_DEFINITION, path)


def check_retry_strategy(member_path: str, rs: Mapping[str, Any] | None) -> None:
    """§7.1-7.6: attempts 1-10; evaluateOnExit up to 5 entries, only with attempts."""
    strategy = check_object(member_path, rs)
    attempts = strategy.get("attempts")
    if attempts is not None:
        number = check_int(f"{member_path}.attempts", attempts)
        low, high = _limits("retryStrategy.attempts")
        if (low is not None and number < low) or (high is not None and number > high):
            rule = MESSAGES["attempts"].format(low=low, high=high)
            raise invalid(f"{member_path}.attempts", f"{rule}, got {number}")
    entries = strategy.get("evaluateOnExit")
    if entries is None:
        return
    path = f"{member_path}.evaluateOnExit"
    entries = check_list(path, entries)
    most = documented_max(_DEFINITION, "retryStrategy.evaluateOnExit")
    if most is not None and len(entries) > most:
        raise invalid(path, f"may hold at most {most} entries, got {len(entries)}")
    if entries and attempts is None:
        raise invalid(f"{member_path}.attempts", "must be set when evaluateOnExit is set")
    for index, raw in enumerate(entries):
        entry = check_object(f"{path}[{index}]", raw)
        action = entry.get("action")
        if not isinstance(action, str) or action.upper() not in RETRY_ACTIONS:
            # §7.3: the action is matched case-insensitively
            raise invalid(f"{path}[{index}].action", f"must be RETRY or EXIT, got {action!r}")
        for member, pattern, what in (
            ("onStatusReason", REASON_PATTERN_RE, "letters, numbers, '.', ':' and white space"),
            ("onReason", REASON_PATTERN_RE, "letters, numbers, '.', ':' and white space"),
            ("onExitCode", EXIT_CODE_PATTERN_RE, "digits"),
        ):
            longest = documented_max(_DEFINITION, f"retryStrategy.evaluateOnExit.member.{member}")
            _check_pattern(f"{path}[{index}].{member}", entry.get(member), pattern, what, longest)


def _check_pattern(
    member: str, value: Any, pattern: re.Pattern[str], what: str, longest: int | None
) -> None:
    if value is None:
        return
    if (
        not isinstance(value, str)
        or (longest is not None and len(value) > longest)
        or not pattern.fullmatch(value)
    ):
        size = f"up to {longest} characters" if longest is not None else "characters"
        raise invalid(
            member,
            f"must be {size} of {what}, optionally ending with one '*', got {value!r}",
        )


def check_timeout(member_path: str, t: Mapping[str, Any] | None) -> None:
    """§8.1: ``attemptDurationSeconds`` is at least 60 (no upper limit)."""
    timeout = check_object(member_path, t)
    seconds = timeout.get("attemptDurationSeconds")
    if seconds is None:
        return
    number = check_int(f"{member_path}.attemptDurationSeconds", seconds)
    low = documented_min(_DEFINITION, "timeout.attemptDurationSeconds")
    if low is not None and number < low:
        rule = MESSAGES["timeout"].format(low=low)
        raise invalid(f"{member_path}.attemptDurationSeconds", f"{rule}, got {number}")


def check_scheduling_priority(member_path: str, value: Any) -> None:
    """§10.12: schedulingPriority is 0-9999 (the model's documentation)."""
    if value is not None:
        low, high = _limits("schedulingPriority")
        check_int_range(member_path, value, 0 if low is None else low, high)


# -- resource requirements -------------------------------------------------------------------------
def parse_resource_requirements(
    member_path: str, requirements: Sequence[Mapping[str, Any]] | None
) -> dict[str, float]:
    """``{"VCPU": 0.25, "MEMORY": 512.0, "GPU": 1.0}`` from a resourceRequirements list.

    §10.4: the values are strings; each type appears at most once.
    """
    found: dict[str, float] = {}
    for index, raw in enumerate(check_list(member_path, requirements)):
        entry = check_object(f"{member_path}[{index}]", raw)
        kind = entry.get("type")
        if kind not in RESOURCE_TYPES:
            raise invalid(
                f"{member_path}[{index}].type", f"must be GPU, VCPU or MEMORY, got {kind!r}"
            )
        # a type given twice: the last one counts (no source says AWS refuses it)
        found[kind] = _requirement_value(f"{member_path}[{index}].value", kind, entry.get("value"))
    return found


def _requirement_value(member: str, kind: str, value: Any) -> float:
    if not isinstance(value, str):
        raise invalid(member, f'must be a string such as "1" or "0.25", got {value!r}')
    try:
        number = float(value)
    except ValueError:
        raise invalid(member, f"{kind} must be a number, got '{value}'") from None
    if kind == "VCPU":
        if not number > 0:
            raise invalid(member, f"VCPU must be greater than 0, got '{value}'")
    elif not number.is_integer() or number < 1:
        raise invalid(member, f"{kind} must be a positive whole number, got '{value}'")
    return number


def container_resources(container: Mapping[str, Any]) -> dict[str, float]:
    """The VCPU, MEMORY and GPU of a (valid) container, whichever way they were given."""
    found = parse_resource_requirements(
        "resourceRequirements", container.get("resourceRequirements")
    )
    if "VCPU" not in found and container.get("vcpus") is not None:
        found["VCPU"] = float(container["vcpus"])
    if "MEMORY" not in found and container.get("memory") is not None:
        found["MEMORY"] = float(container["memory"])
    return found


def check_fargate_pair(member_path: str, vcpu: float, memory: float) -> None:
    """§10.6: the VCPU/MEMORY pair must be one Fargate offers."""
    pairs = fargate_memory()
    if pairs and int(memory) not in pairs.get(vcpu, ()):
        raise invalid(member_path, MESSAGES["fargate_pair"].format(vcpu=vcpu, memory=int(memory)))


def check_ec2_resources(member_path: str, container: Mapping[str, Any]) -> dict[str, float]:
    """§10.3: vCPUs and memory given once each, as the deprecated key or as a requirement."""
    rr_path = f"{member_path}.resourceRequirements"
    found = parse_resource_requirements(rr_path, container.get("resourceRequirements"))
    for key, kind, low in (("vcpus", "VCPU", 1), ("memory", "MEMORY", 4)):
        value = container.get(key)
        if value is None:
            continue
        check_int_range(f"{member_path}.{key}", value, low, None)
        if kind in found:
            raise invalid(
                f"{member_path}.{key}",
                f"is deprecated and may not be given together with a {kind} resourceRequirement",
            )
        found[kind] = float(value)
    if "VCPU" in found and found["VCPU"] < 1:
        raise invalid(rr_path, f"VCPU must be at least 1 on EC2, got {found['VCPU']:g}")
    if "MEMORY" in found and found["MEMORY"] < 4:
        raise invalid(rr_path, f"MEMORY must be at least 4 MiB, got {found['MEMORY']:g}")
    return found


def require_ec2_resources(member_path: str, found: Mapping[str, float]) -> None:
    """The ``vCPU is not provided.`` / ``Memory is not provided.`` errors of §10.3."""
    if "VCPU" not in found:
        raise executing_request(MESSAGES["no_vcpu"])  # AWS's text as seen (§21.4)
    if "MEMORY" not in found:
        raise invalid(member_path, MESSAGES["no_memory"])


def check_fargate_resources(member_path: str, container: Mapping[str, Any]) -> dict[str, float]:
    """§10.5: VCPU and MEMORY only as requirements, no GPU, and an allowed pair."""
    for key in ("vcpus", "memory"):
        if container.get(key) is not None:
            raise invalid(f"{member_path}.{key}", MESSAGES[f"fargate_{key}"])
    rr_path = f"{member_path}.resourceRequirements"
    found = parse_resource_requirements(rr_path, container.get("resourceRequirements"))
    if "GPU" in found:
        raise invalid(rr_path, "GPU resources are not available on Fargate")
    require_ec2_resources(member_path, found)
    check_fargate_pair(rr_path, found["VCPU"], found["MEMORY"])
    return found
