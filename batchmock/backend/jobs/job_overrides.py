"""SubmitJob overrides applied to a job definition: the effective container of a job (§11, §17.5).

Each ``apply_*`` function checks an override completely, then returns a new, effective copy of
the definition's properties; the definition itself is never changed. ``Ref::`` parameters are
substituted into commands afterwards by :func:`substitute_commands` (§10.9).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from batchmock.backend.jobs import job_definition_rules as rules
from batchmock.errors import ClientException, invalid

MESSAGES = {
    # [docs: Troubleshooting AWS Batch] (UG-2023)
    "deprecated": "This value was submitted in a deprecated key and may conflict with the value "
    "provided by the job definition's resource requirements.",
    # Below: the rule's source; the wording is [inferred] (AWS's texts were not found).
    # [model] ContainerOverrides.command: "can't contain an empty string"
    "empty_command": "must not contain an empty string (element {index})",
    # [model] the command is a list of strings
    "not_string": "must be a list of strings",
    # [model] ContainerOverrides.instanceType: "isn't applicable to single-node container jobs or
    # jobs that run on Fargate resources"
    "instance_type": "applies only to multi-node parallel jobs",
    # [model] §11.7: each override is for its kind of job definition
    "wrong_kind": "can only be used with a job definition that has {what}",
    # [model] a container override targets a container of the definition by name
    "no_container": "names container '{name}', which the job definition does not have",
    "which_container": "must name one of the job definition's containers ({names})",
    # [model] ecsPropertiesOverride.taskProperties: "limited to one element"
    "task_count": "may hold at most one task, got {count}",
}


# -- containers (containerProperties, node ranges) ------------------------------------------------
def apply_container_overrides(
    member: str,
    base: Mapping[str, Any],
    overrides: Mapping[str, Any] | None,
    *,
    fargate: bool,
    multinode: bool,
) -> dict[str, Any]:
    """The effective container: ``base`` with ``overrides`` applied (§11.2).

    ``command`` replaces, ``environment`` merges by name, ``resourceRequirements`` replaces per
    type; the deprecated ``vcpus``/``memory`` are refused on Fargate and where the definition
    gave the same resource as a requirement. ``member`` is the override's path for messages.
    """
    # Shallow: definitions never change after registration, and every member an override or
    # the Ref:: substitution changes is replaced by a new object, never edited in place.
    effective = dict(base)
    if not overrides:
        return effective
    if not isinstance(overrides, Mapping):
        raise invalid(member, "must be an object")
    if "command" in overrides and overrides["command"] is not None:
        effective["command"] = check_command(f"{member}.command", overrides["command"])
    env = overrides.get("environment")
    if env is not None:
        effective["environment"] = merge_environment(
            f"{member}.environment", effective.get("environment"), env
        )
    new_rr = rules.parse_resource_requirements(
        f"{member}.resourceRequirements", overrides.get("resourceRequirements")
    )
    base_rr = rules.parse_resource_requirements(
        "resourceRequirements", base.get("resourceRequirements")
    )
    for key, kind in (("vcpus", "VCPU"), ("memory", "MEMORY")):
        value = overrides.get(key)
        if value is None:
            continue
        if fargate:
            raise invalid(f"{member}.{key}", rules.MESSAGES[f"fargate_{key}"])
        if kind in base_rr:
            raise invalid(f"{member}.{key}", MESSAGES["deprecated"])
        rules.check_int_range(f"{member}.{key}", value, 1 if key == "vcpus" else 4, None)
        effective[key] = value
    if overrides.get("resourceRequirements") is not None:
        effective["resourceRequirements"] = merge_requirements(
            effective.get("resourceRequirements"), overrides["resourceRequirements"]
        )
        for key, kind in (("vcpus", "VCPU"), ("memory", "MEMORY")):
            # the requirement now decides; a stale deprecated key would contradict it
            if kind in new_rr:
                effective.pop(key, None)
    instance_type = overrides.get("instanceType")
    if instance_type is not None:
        if not multinode or fargate:
            raise invalid(f"{member}.instanceType", MESSAGES["instance_type"])
        effective["instanceType"] = instance_type
    check_effective_resources(member, effective, fargate=fargate)
    return effective


def check_effective_resources(member: str, container: Mapping[str, Any], *, fargate: bool) -> None:
    """The overridden container must still satisfy the definition's resource rules (§10.3-10.6)."""
    if fargate:
        rules.check_fargate_resources(member, container)
    else:
        rules.check_ec2_resources(member, container)


def check_command(member: str, command: Any) -> list[str]:
    """A command override: a list of strings, none of them empty (§11.2)."""
    if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
        raise invalid(member, MESSAGES["not_string"])
    for index, part in enumerate(command):
        if part == "":
            raise invalid(member, MESSAGES["empty_command"].format(index=index))
    return list(command)


def merge_environment(
    member: str, base: Sequence[Mapping[str, Any]] | None, overrides: Any
) -> list[dict[str, Any]]:
    """``base`` with each override variable replacing the one of the same name or appended."""
    if not isinstance(overrides, list):
        raise invalid(member, "must be a list of {name, value} objects")
    rules.check_environment(member, overrides)
    merged: dict[str, dict[str, Any]] = {}
    for entry in base or []:
        merged[str(entry.get("name"))] = dict(entry)
    for index, entry in enumerate(overrides):
        name = entry.get("name")
        # [model] KeyValuePair.name is optional: a nameless entry replaces nothing
        merged[name if isinstance(name, str) else f"#{index}"] = dict(entry)
    return list(merged.values())


def merge_requirements(
    base: Sequence[Mapping[str, Any]] | None, overrides: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Resource requirements replaced per type, the definition's order kept (§11.2)."""
    merged: dict[str, dict[str, Any]] = {str(e.get("type")): dict(e) for e in base or []}
    for entry in overrides:
        merged[str(entry["type"])] = dict(entry)
    return list(merged.values())


# -- ECS (multi-container) and EKS --------------------------------------------------------------
def apply_ecs_overrides(
    member: str, base: Mapping[str, Any], overrides: Mapping[str, Any] | None
) -> dict[str, Any]:
    """ecsProperties with ``ecsPropertiesOverride.taskProperties[0].containers`` applied by name."""
    effective = copy.deepcopy(dict(base))
    if not overrides:
        return effective
    tasks = overrides.get("taskProperties") or []
    if len(tasks) > 1:
        raise invalid(f"{member}.taskProperties", MESSAGES["task_count"].format(count=len(tasks)))
    if not tasks:
        return effective
    containers = effective.get("taskProperties", [{}])[0].get("containers", [])
    for index, override in enumerate(tasks[0].get("containers") or []):
        path = f"{member}.taskProperties[0].containers[{index}]"
        target = _named_container(path, containers, override.get("name"))
        if override.get("command") is not None:
            target["command"] = check_command(f"{path}.command", override["command"])
        if override.get("environment") is not None:
            target["environment"] = merge_environment(
                f"{path}.environment", target.get("environment"), override["environment"]
            )
        if override.get("resourceRequirements") is not None:
            rules.parse_resource_requirements(
                f"{path}.resourceRequirements", override["resourceRequirements"]
            )
            target["resourceRequirements"] = merge_requirements(
                target.get("resourceRequirements"), override["resourceRequirements"]
            )
    return effective


def apply_eks_overrides(
    member: str, base: Mapping[str, Any], overrides: Mapping[str, Any] | None
) -> dict[str, Any]:
    """eksProperties with ``eksPropertiesOverride.podProperties`` applied by container name."""
    effective = copy.deepcopy(dict(base))
    pod_override = (overrides or {}).get("podProperties")
    if not pod_override:
        return effective
    pod = effective.setdefault("podProperties", {})
    for group in ("containers", "initContainers"):
        for index, override in enumerate(pod_override.get(group) or []):
            path = f"{member}.podProperties.{group}[{index}]"
            target = _named_container(path, pod.get(group) or [], override.get("name"))
            for key in ("image", "args"):
                if override.get(key) is not None:
                    target[key] = copy.deepcopy(override[key])
            if override.get("command") is not None:
                target["command"] = check_command(f"{path}.command", override["command"])
            if override.get("env") is not None:
                target["env"] = merge_environment(f"{path}.env", target.get("env"), override["env"])
            resources = override.get("resources")
            if resources:
                merged = target.setdefault("resources", {})
                for part in ("limits", "requests"):
                    if resources.get(part):
                        merged[part] = {**(merged.get(part) or {}), **resources[part]}
    metadata = pod_override.get("metadata")
    if metadata:
        current = pod.setdefault("metadata", {})
        for part in ("labels", "annotations"):
            if metadata.get(part):
                current[part] = {**(current.get(part) or {}), **metadata[part]}
        if metadata.get("namespace") is not None:
            current["namespace"] = metadata["namespace"]
    return effective


def _named_container(member: str, containers: list[dict[str, Any]], name: Any) -> dict[str, Any]:
    """The container an override names; a single container may be left unnamed."""
    if name is None:
        if len(containers) == 1:
            return containers[0]
        names = ", ".join(str(c.get("name")) for c in containers)
        raise invalid(f"{member}.name", MESSAGES["which_container"].format(names=names))
    for container in containers:
        if container.get("name") == name:
            return container
    raise invalid(f"{member}.name", MESSAGES["no_container"].format(name=name))


def check_kind(member: str, present: bool, what: str) -> None:
    """Refuse an override aimed at a kind of job definition the job does not use (§11.7)."""
    if not present:
        raise ClientException(f"{member} " + MESSAGES["wrong_kind"].format(what=what))


# -- resources ---------------------------------------------------------------------------------
def container_resources(container: Mapping[str, Any] | None) -> tuple[float, int, int]:
    """(vCPUs, MiB of memory, GPUs) of an effective container."""
    if not container:
        return 0.0, 0, 0
    found = rules.container_resources(container)
    return found.get("VCPU", 1.0), int(found.get("MEMORY", 0)), int(found.get("GPU", 0))


def ecs_resources(ecs: Mapping[str, Any] | None) -> tuple[float, int, int]:
    """Resources of an ECS task: the sum over its containers."""
    vcpus, memory, gpus = 0.0, 0, 0
    for task in (ecs or {}).get("taskProperties") or []:
        for container in task.get("containers") or []:
            c_vcpus, c_memory, c_gpus = container_resources(container)
            vcpus, memory, gpus = vcpus + c_vcpus, memory + c_memory, gpus + c_gpus
    return (vcpus or 1.0), memory, gpus


def eks_resources(eks: Mapping[str, Any] | None) -> tuple[float, int, int]:
    """Resources of an EKS pod: the sum of its containers' requests (limits when no request)."""
    vcpus, memory, gpus = 0.0, 0, 0
    for container in ((eks or {}).get("podProperties") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        wanted = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        vcpus += _kube_cpu(wanted.get("cpu"))
        memory += _kube_memory(wanted.get("memory"))
        gpus += int(_number(wanted.get("nvidia.com/gpu")))
    return (vcpus or 1.0), memory, gpus


_MEMORY_UNITS = {
    "Ki": 1 / 1024,
    "Mi": 1,
    "Gi": 1024,
    "Ti": 1024 * 1024,
    "K": 1000 / 1024 / 1024,
    "M": 1000 * 1000 / 1024 / 1024,
    "G": 1000**3 / 1024 / 1024,
}


def _number(value: Any) -> float:
    try:
        return float(value) if value is not None else 0.0
    except (TypeError, ValueError):
        return 0.0


def _kube_cpu(value: Any) -> float:
    text = str(value) if value is not None else ""
    if text.endswith("m"):
        return _number(text[:-1]) / 1000
    return _number(text)


def _kube_memory(value: Any) -> int:
    text = str(value) if value is not None else ""
    for unit in sorted(_MEMORY_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            return int(_number(text[: -len(unit)]) * _MEMORY_UNITS[unit])
    return int(_number(text) / 1024 / 1024)  # plain bytes


# -- Ref:: parameters ----------------------------------------------------------------------------
REF = "Ref::"


def substitute(command: Sequence[str], parameters: Mapping[str, str], mode: str) -> list[str]:
    """``command`` with ``Ref::name`` placeholders replaced by parameter values (§10.9).

    ``mode="element"`` replaces only elements that are exactly ``Ref::name``; ``"substring"``
    also replaces placeholders inside longer elements, choosing at each ``Ref::`` the longest
    parameter name that follows it. A placeholder without a parameter stays literal.
    """
    if mode == "element":
        return [
            parameters[part[len(REF) :]]
            if part.startswith(REF) and part[len(REF) :] in parameters
            else part
            for part in command
        ]
    names = sorted(parameters, key=len, reverse=True)
    return [_substitute_inside(part, parameters, names) for part in command]


def _substitute_inside(text: str, parameters: Mapping[str, str], names: list[str]) -> str:
    out: list[str] = []
    pos = 0
    while True:
        found = text.find(REF, pos)
        if found < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:found])
        rest = found + len(REF)
        name = next((n for n in names if n and text.startswith(n, rest)), None)
        if name is None:
            out.append(REF)
            pos = rest
        else:
            out.append(parameters[name])
            pos = rest + len(name)


def substitute_commands(
    spec_parts: Mapping[str, Any], parameters: Mapping[str, str], mode: str
) -> None:
    """Substitute parameters in place into every container command of ``spec_parts``.

    ``spec_parts`` maps ``container``/``node_properties``/``ecs_properties``/
    ``eks_properties`` to effective (already copied) properties or None.
    """
    containers: list[dict[str, Any]] = []
    if spec_parts.get("container"):
        containers.append(spec_parts["container"])
    for node_range in (spec_parts.get("node_properties") or {}).get("nodeRangeProperties") or []:
        if node_range.get("container"):
            containers.append(node_range["container"])
        containers.extend(_ecs_containers(node_range.get("ecsProperties")))
        containers.extend(_eks_containers(node_range.get("eksProperties")))
    containers.extend(_ecs_containers(spec_parts.get("ecs_properties")))
    containers.extend(_eks_containers(spec_parts.get("eks_properties")))
    for container in containers:
        if container.get("command"):
            container["command"] = substitute(container["command"], parameters, mode)


def _ecs_containers(ecs: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return [
        c for task in (ecs or {}).get("taskProperties") or [] for c in task.get("containers") or []
    ]


def _eks_containers(eks: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    pod = (eks or {}).get("podProperties") or {}
    return list(pod.get("containers") or []) + list(pod.get("initContainers") or [])
