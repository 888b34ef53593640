"""Multi-node parallel jobs at submit time: nodeOverrides applied to nodeProperties (§17)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from batchmock.backend.control_plane.consumable_resources import (
    check_consumable_resource_properties,
)
from batchmock.backend.jobs import job_definition_rules as rules
from batchmock.backend.jobs import job_overrides as overrides
from batchmock.errors import ClientException, invalid

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend

MESSAGES = {
    # [obs: aws-parallelcluster#964]
    "node_targets": "NodeOverride targets should match job definition. Non matching targets - "
    "{targets}",
    # [model] §17.5 NodeOverrides.numNodes: an open-ended range whose lower bound is below the
    # new count, and mainNode below it; NodePropertyOverride.instanceTypes holds one entry
    # (texts [inferred])
    "num_nodes_open": "can be overridden only when the job definition has a node range with an "
    "open upper bound (n: or :)",
    "num_nodes_low": "must be greater than the lower bound {low} of the open node range '{range}'",
    "num_nodes_main": "must be greater than the main node index {main}",
    "instance_types": "may hold at most one instance type, got {count}",
}


def parse_range(text: str) -> tuple[int, int | None]:
    """``"a:b"`` as (a, b), ``b`` None for an open upper bound (§17.2); ValueError if malformed."""
    start, _, end = str(text).partition(":")
    low = int(start) if start.strip() else 0
    high = int(end) if end.strip() else None
    return low, high


def apply_node_overrides(
    backend: BatchBackend, base: Mapping[str, Any], node_o: Mapping[str, Any] | None
) -> dict[str, Any]:
    """§17.5: numNodes and per-range overrides applied to the definition's nodeProperties."""
    effective = copy.deepcopy(dict(base))
    if not node_o:
        return effective
    ranges = effective.get("nodeRangeProperties") or []
    parsed = [parse_range(r.get("targetNodes", "")) for r in ranges]
    num_nodes = node_o.get("numNodes")
    if num_nodes is not None:
        rules.check_int_range("nodeOverrides.numNodes", num_nodes, 1, rules.MAX_NODES)
        open_ranges = [
            (low, r["targetNodes"]) for (low, high), r in zip(parsed, ranges) if high is None
        ]
        if not open_ranges:
            raise invalid("nodeOverrides.numNodes", MESSAGES["num_nodes_open"])
        low, text = min(open_ranges)
        if low >= num_nodes:
            raise invalid(
                "nodeOverrides.numNodes", MESSAGES["num_nodes_low"].format(low=low, range=text)
            )
        if effective["mainNode"] >= num_nodes:
            raise invalid(
                "nodeOverrides.numNodes",
                MESSAGES["num_nodes_main"].format(main=effective["mainNode"]),
            )
        effective["numNodes"] = num_nodes
    items = node_o.get("nodePropertyOverrides") or []
    unmatched = []
    for item in items:
        target = item.get("targetNodes")
        try:
            key = parse_range(str(target))
        except ValueError:
            key = None
        if key not in parsed:
            unmatched.append(str(target))
    if unmatched:
        raise ClientException(MESSAGES["node_targets"].format(targets=", ".join(unmatched)))
    for index, item in enumerate(items):
        path = f"nodeOverrides.nodePropertyOverrides[{index}]"
        node_range = ranges[parsed.index(parse_range(item["targetNodes"]))]
        _apply_one(backend, path, node_range, item)
    return effective


def _apply_one(
    backend: BatchBackend, path: str, node_range: dict[str, Any], item: Mapping[str, Any]
) -> None:
    if item.get("containerOverrides") is not None:
        overrides.check_kind(
            f"{path}.containerOverrides",
            bool(node_range.get("container")),
            "a container in this node range",
        )
        node_range["container"] = overrides.apply_container_overrides(
            f"{path}.containerOverrides",
            node_range["container"],
            item["containerOverrides"],
            fargate=False,
            multinode=True,
        )
    if item.get("ecsPropertiesOverride") is not None:
        overrides.check_kind(
            f"{path}.ecsPropertiesOverride", bool(node_range.get("ecsProperties")), "ecsProperties"
        )
        node_range["ecsProperties"] = overrides.apply_ecs_overrides(
            f"{path}.ecsPropertiesOverride",
            node_range["ecsProperties"],
            item["ecsPropertiesOverride"],
        )
    if item.get("eksPropertiesOverride") is not None:
        overrides.check_kind(
            f"{path}.eksPropertiesOverride", bool(node_range.get("eksProperties")), "eksProperties"
        )
        node_range["eksProperties"] = overrides.apply_eks_overrides(
            f"{path}.eksPropertiesOverride",
            node_range["eksProperties"],
            item["eksPropertiesOverride"],
        )
    instance_types = item.get("instanceTypes")
    if instance_types is not None:
        if len(instance_types) > 1:
            raise invalid(
                f"{path}.instanceTypes",
                MESSAGES["instance_types"].format(count=len(instance_types)),
            )
        node_range["instanceTypes"] = list(instance_types)
    if item.get("consumableResourcePropertiesOverride") is not None:
        check_consumable_resource_properties(
            backend,
            f"{path}.consumableResourcePropertiesOverride",
            item["consumableResourcePropertiesOverride"],
        )
        node_range["consumableResourceProperties"] = copy.deepcopy(
            dict(item["consumableResourcePropertiesOverride"])
        )


def node_range_for(node_properties: Mapping[str, Any], index: int) -> dict[str, Any] | None:
    """The node range that applies to node ``index``: the narrowest one containing it (§17.2)."""
    last = int(node_properties["numNodes"]) - 1
    best: tuple[int, dict[str, Any]] | None = None
    for node_range in node_properties.get("nodeRangeProperties") or []:
        low, high = parse_range(node_range.get("targetNodes", ""))
        high = last if high is None else high
        if low <= index <= high and (best is None or high - low < best[0]):
            best = (high - low, node_range)
    return None if best is None else best[1]
