"""The structure of a job definition: container, ECS, EKS and node properties (§10, §17).

``check_properties`` validates one RegisterJobDefinition request and returns the properties as
they are stored and described, with AWS's Fargate defaults filled in (§10.5).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from batchmock.backend.jobs import job_definition_rules as rules
from batchmock.errors import invalid

TARGET_NODES_RE = re.compile(r"(\d*):(\d*)")

PROPERTY_MEMBERS = ("containerProperties", "ecsProperties", "eksProperties")


def check_properties(
    params: Mapping[str, Any], fargate: bool, require_execution_role: bool
) -> dict[str, Any]:
    """Validate the properties of a registration; the stored (defaulted) copies by member."""
    kind = params["type"]
    present = [m for m in (*PROPERTY_MEMBERS, "nodeProperties") if params.get(m) is not None]
    if kind == "container":
        chosen = [m for m in present if m in PROPERTY_MEMBERS]
        if "nodeProperties" in present:
            # [model] §10.1
            raise invalid("nodeProperties", "may only be given for type multinode")
        if len(chosen) != 1:
            raise invalid(
                "type",
                "a container job definition needs exactly one of containerProperties, "
                f"ecsProperties or eksProperties, got {len(chosen)}",
            )
    else:
        if fargate:
            raise invalid("type", "multinode job definitions are not supported on Fargate")
        if params.get("nodeProperties") is None:
            # [model] §10.1
            raise invalid("nodeProperties", "is required for type multinode")
        extra = [m for m in present if m != "nodeProperties"]
        if extra:
            # [model] §10.1
            raise invalid(extra[0], "may not be given for type multinode; use nodeProperties")
    stored: dict[str, Any] = {}
    if params.get("containerProperties") is not None:
        stored["containerProperties"] = check_container(
            "containerProperties", params["containerProperties"], fargate, require_execution_role
        )
    if params.get("ecsProperties") is not None:
        stored["ecsProperties"] = check_ecs(
            "ecsProperties", params["ecsProperties"], fargate, require_execution_role
        )
    if params.get("eksProperties") is not None:
        stored["eksProperties"] = check_eks("eksProperties", params["eksProperties"])
    if params.get("nodeProperties") is not None:
        stored["nodeProperties"] = check_node_properties("nodeProperties", params["nodeProperties"])
    return stored


# -- containerProperties ----------------------------------------------------------------------
def check_container(
    path: str,
    container: Mapping[str, Any],
    fargate: bool,
    require_execution_role: bool,
    *,
    node_range: bool = False,
) -> dict[str, Any]:
    """One containerProperties (top level or of a node range); the stored copy."""
    rules.check_object(path, container)
    check_image(f"{path}.image", container.get("image"))
    rules.check_environment(f"{path}.environment", container.get("environment"))
    _check_linux_and_limits(path, container)
    if container.get("instanceType") is not None and not node_range:
        # [model] ContainerProperties.instanceType
        raise invalid(
            f"{path}.instanceType", "applies only to the node ranges of multinode job definitions"
        )
    _check_ephemeral_storage(f"{path}.ephemeralStorage", container.get("ephemeralStorage"))
    stored = copy.deepcopy(dict(container))
    if not fargate:
        found = rules.check_ec2_resources(path, container)
        if not node_range:
            # a node range may take its vCPUs and memory from another range (checked per node)
            rules.require_ec2_resources(path, found)
        return stored
    rules.check_fargate_resources(path, container)
    if require_execution_role and not container.get("executionRoleArn"):
        # [model] §10.5; option fargate_requires_execution_role
        raise invalid(f"{path}.executionRoleArn", "is required for jobs that run on Fargate")
    _check_fargate_forbidden(path, container)
    # §10.5: AWS fills these in and shows them in DescribeJobDefinitions
    platform = stored.setdefault("fargatePlatformConfiguration", {})
    platform.setdefault("platformVersion", "LATEST")
    network = stored.setdefault("networkConfiguration", {})
    network.setdefault("assignPublicIp", "DISABLED")
    return stored


def check_image(member: str, image: Any) -> None:
    """§10.3: the image is required, up to 255 (the model) letters, digits and ``-_:./#@``."""
    if not isinstance(image, str) or not image:
        # [model] §10.3: image is required
        raise invalid(member, "is required")
    longest = rules.max_image()
    if not rules.IMAGE_RE.fullmatch(image) or (longest is not None and len(image) > longest):
        raise invalid(
            member,
            f"must be up to {longest} characters of letters, numbers and '-_:./#@', "
            f"got '{image[:300]}'",
        )


def _check_linux_and_limits(path: str, container: Mapping[str, Any]) -> None:
    linux = rules.check_object(f"{path}.linuxParameters", container.get("linuxParameters"))
    if linux.get("swappiness") is not None:
        rules.check_int_range(f"{path}.linuxParameters.swappiness", linux["swappiness"], 0, 100)
    if linux.get("maxSwap") is not None:
        rules.check_int_range(f"{path}.linuxParameters.maxSwap", linux["maxSwap"], 0, None)
    for index, raw in enumerate(rules.check_list(f"{path}.ulimits", container.get("ulimits"))):
        name = rules.check_object(f"{path}.ulimits[{index}]", raw).get("name")
        if name not in rules.ULIMIT_NAMES:
            raise invalid(
                f"{path}.ulimits[{index}].name",
                f"must be one of {', '.join(sorted(rules.ULIMIT_NAMES))}, got {name!r}",
            )


def _check_ephemeral_storage(member: str, storage: Any) -> None:
    if storage is None:
        return
    size = rules.check_object(member, storage).get("sizeInGiB")
    rules.check_int_range(f"{member}.sizeInGiB", size, 21, 200)


def _check_fargate_forbidden(path: str, container: Mapping[str, Any]) -> None:
    """§10.5: members that do not exist on Fargate."""
    if container.get("privileged"):
        # [docs: AWS Fargate] §10.5
        raise invalid(f"{path}.privileged", "may not be true for jobs that run on Fargate")
    if container.get("ulimits"):
        # [model][docs: AWS Fargate] §10.5
        raise invalid(f"{path}.ulimits", "is not applicable to jobs that run on Fargate")
    if container.get("instanceType") is not None:
        # [model][docs: AWS Fargate] §10.5
        raise invalid(f"{path}.instanceType", "is not applicable to jobs that run on Fargate")
    linux = container.get("linuxParameters") or {}
    for member in ("devices", "maxSwap", "swappiness", "sharedMemorySize", "tmpfs"):
        if linux.get(member) is not None:
            raise invalid(
                f"{path}.linuxParameters.{member}", "is not applicable to jobs that run on Fargate"
            )
    log = container.get("logConfiguration") or {}
    driver = log.get("logDriver")
    if driver is not None and driver not in rules.FARGATE_LOG_DRIVERS:
        raise invalid(
            f"{path}.logConfiguration.logDriver",
            f"jobs that run on Fargate may only use awslogs or splunk, got '{driver}'",
        )


# -- ecsProperties ------------------------------------------------------------------------------
def check_ecs(
    path: str, ecs: Mapping[str, Any], fargate: bool, require_execution_role: bool
) -> dict[str, Any]:
    """§10.8: exactly one task of 1-10 containers, at least one of them essential."""
    tasks = rules.check_list(
        f"{path}.taskProperties", rules.check_object(path, ecs).get("taskProperties")
    )
    if len(tasks) != 1:
        # [model] §10.8
        raise invalid(f"{path}.taskProperties", f"must hold exactly one task, got {len(tasks)}")
    task_path = f"{path}.taskProperties[0]"
    task = rules.check_object(task_path, tasks[0])
    containers = rules.check_list(f"{task_path}.containers", task.get("containers"))
    if not 1 <= len(containers) <= rules.MAX_TASK_CONTAINERS:
        raise invalid(
            f"{task_path}.containers",
            f"must hold 1 to {rules.MAX_TASK_CONTAINERS} containers, got {len(containers)}",
        )
    names: list[str] = []
    totals: dict[str, float] = {}
    for index, raw in enumerate(containers):
        cpath = f"{task_path}.containers[{index}]"
        container = rules.check_object(cpath, raw)
        check_image(f"{cpath}.image", container.get("image"))
        rules.check_environment(f"{cpath}.environment", container.get("environment"))
        _check_linux_and_limits(cpath, container)
        name = container.get("name")  # [model] optional: it only targets dependsOn/overrides
        if name is not None:
            # [model] TaskContainerProperties.name: "can be used as a unique identifier to
            # target your dependsOn and Overrides objects"
            if name in names:
                raise invalid(f"{cpath}.name", f"'{name}' is used by two containers")
            names.append(name)
        found = rules.parse_resource_requirements(
            f"{cpath}.resourceRequirements", container.get("resourceRequirements")
        )
        for kind, value in found.items():
            totals[kind] = totals.get(kind, 0.0) + value
        if fargate:
            _check_fargate_forbidden(cpath, container)
    # [model] essential: "All jobs must have at least one essential container"
    if not any(c.get("essential", True) is not False for c in containers):
        raise invalid(f"{task_path}.containers", "at least one container must be essential")
    for index, container in enumerate(containers):
        for dep_index, dep in enumerate(container.get("dependsOn") or []):
            target = dep.get("containerName")
            if target not in names or target == container.get("name"):
                # [model] TaskContainerDependency
                raise invalid(
                    f"{task_path}.containers[{index}].dependsOn[{dep_index}].containerName",
                    f"must name another container of the task, got {target!r}",
                )
    _check_ephemeral_storage(f"{task_path}.ephemeralStorage", task.get("ephemeralStorage"))
    stored = copy.deepcopy(dict(ecs))
    if not fargate:
        rules.require_ec2_resources(task_path, totals)
        return stored
    if "GPU" in totals:
        raise invalid(task_path, "GPU resources are not available on Fargate")
    rules.require_ec2_resources(task_path, totals)
    rules.check_fargate_pair(task_path, totals["VCPU"], totals["MEMORY"])
    if require_execution_role and not task.get("executionRoleArn"):
        # [model] §10.5; option fargate_requires_execution_role
        raise invalid(f"{task_path}.executionRoleArn", "is required for jobs that run on Fargate")
    stored_task = stored["taskProperties"][0]
    stored_task.setdefault("platformVersion", "LATEST")
    stored_task.setdefault("networkConfiguration", {}).setdefault("assignPublicIp", "DISABLED")
    return stored


# -- eksProperties ------------------------------------------------------------------------------
def check_eks(path: str, eks: Mapping[str, Any]) -> dict[str, Any]:
    """§10.8: a pod of 1-10 containers and up to 10 init containers; no AWS_BATCH variables."""
    pod_path = f"{path}.podProperties"
    pod = rules.check_object(pod_path, rules.check_object(path, eks).get("podProperties"))
    if not pod:
        # [model] EksProperties: a pod to run
        raise invalid(pod_path, "is required")
    names: set[str] = set()
    for member, low in (("containers", 1), ("initContainers", 0)):
        items = rules.check_list(f"{pod_path}.{member}", pod.get(member))
        if not low <= len(items) <= rules.MAX_TASK_CONTAINERS:
            raise invalid(
                f"{pod_path}.{member}",
                f"must hold {low} to {rules.MAX_TASK_CONTAINERS} containers, got {len(items)}",
            )
        for index, raw in enumerate(items):
            cpath = f"{pod_path}.{member}[{index}]"
            container = rules.check_object(cpath, raw)
            check_image(f"{cpath}.image", container.get("image"))
            rules.check_environment(f"{cpath}.env", container.get("env"))
            name = container.get("name")
            if name is not None:
                # [model] EksContainer.name: "Each container in a pod must have a unique name"
                if name in names:
                    raise invalid(f"{cpath}.name", f"'{name}' is used by two containers")
                names.add(name)
    return copy.deepcopy(dict(eks))


# -- nodeProperties -----------------------------------------------------------------------------
def parse_target_nodes(member: str, text: Any, num_nodes: int) -> tuple[int, int]:
    """§17.2: the inclusive node range ``a:b`` (``:b`` from 0, ``a:`` to the last node)."""
    match = TARGET_NODES_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        # [model] §17.2 targetNodes
        raise invalid(member, f"must be a node range such as 0:3, :3 or 4:, got {text!r}")
    start = int(match.group(1)) if match.group(1) else 0
    end = int(match.group(2)) if match.group(2) else num_nodes - 1
    if start > end or end >= num_nodes:
        raise invalid(member, f"range {text} does not lie within the nodes 0 to {num_nodes - 1}")
    return start, end


def check_node_properties(path: str, nodes: Mapping[str, Any]) -> dict[str, Any]:
    """§17.1-17.4: numNodes, mainNode, and node ranges that cover every node."""
    rules.check_object(path, nodes)
    num_nodes = rules.check_int_range(f"{path}.numNodes", nodes.get("numNodes"), 1, rules.MAX_NODES)
    main = rules.check_int(f"{path}.mainNode", nodes.get("mainNode"))
    if not 0 <= main < num_nodes:
        # [model] §17.1 mainNode
        raise invalid(f"{path}.mainNode", f"must be between 0 and numNodes - 1 ({num_nodes - 1})")
    ranges = rules.check_list(f"{path}.nodeRangeProperties", nodes.get("nodeRangeProperties"))
    if not 1 <= len(ranges) <= rules.MAX_NODE_GROUPS:
        raise invalid(
            f"{path}.nodeRangeProperties",
            f"must hold 1 to {rules.MAX_NODE_GROUPS} node groups, got {len(ranges)}",
        )
    spans: list[tuple[int, int, dict[str, float] | None]] = []
    instance_types: set[str] = set()
    for index, raw in enumerate(ranges):
        rpath = f"{path}.nodeRangeProperties[{index}]"
        group = rules.check_object(rpath, raw)
        start, end = parse_target_nodes(f"{rpath}.targetNodes", group.get("targetNodes"), num_nodes)
        chosen = [m for m in ("container", "ecsProperties", "eksProperties") if group.get(m)]
        if len(chosen) != 1:
            # [model] §17.3
            raise invalid(rpath, "needs exactly one of container, ecsProperties or eksProperties")
        found: dict[str, float] | None = None
        if chosen[0] == "container":
            check_container(f"{rpath}.container", group["container"], False, False, node_range=True)
            found = rules.check_ec2_resources(f"{rpath}.container", group["container"])
            if group["container"].get("instanceType"):
                instance_types.add(group["container"]["instanceType"])
        elif chosen[0] == "ecsProperties":
            check_ecs(f"{rpath}.ecsProperties", group["ecsProperties"], False, False)
        else:
            check_eks(f"{rpath}.eksProperties", group["eksProperties"])
        listed = rules.check_list(f"{rpath}.instanceTypes", group.get("instanceTypes"))
        if len(listed) > 1:
            raise invalid(
                f"{rpath}.instanceTypes", f"may hold at most one entry, got {len(listed)}"
            )
        instance_types.update(listed)
        spans.append((start, end, found))
    if len(instance_types) > 1:
        raise invalid(
            f"{path}.nodeRangeProperties",
            "every node group must use the same instance type, got "
            + ", ".join(sorted(instance_types)),
        )
    _check_coverage(path, num_nodes, spans)
    return copy.deepcopy(dict(nodes))


def _check_coverage(
    path: str, num_nodes: int, spans: list[tuple[int, int, dict[str, float] | None]]
) -> None:
    """Every node is in a range, and gets vCPUs and memory from some range that covers it."""
    for node in range(num_nodes):
        covering = [found for start, end, found in spans if start <= node <= end]
        if not covering:
            raise invalid(
                f"{path}.nodeRangeProperties",
                f"the node ranges must cover every node from 0 to {num_nodes - 1}; "
                f"node {node} is in none",
            )
        containers = [found for found in covering if found is not None]
        if not containers:
            continue
        merged: dict[str, float] = {}
        for found in containers:
            merged.update(found)
        for kind, key in (("VCPU", "no_vcpu"), ("MEMORY", "no_memory")):
            if kind not in merged:
                raise invalid(f"{path}.nodeRangeProperties", f"{rules.MESSAGES[key]} (node {node})")
