"""The EC2 instance types AWS Batch offers: vCPUs, memory and GPUs of each (reference §21.3).

Used to refuse an instance type that does not exist (AWS's text, [obs: Netflix/metaflow#70]),
to pick the default AMI type of a GPU compute environment (§21.1), and to keep RUNNABLE a job
that no instance type of its queue's compute environments can hold
(``MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT``, [docs: Jobs stuck in RUNNABLE due to
misconfiguration]).

Figures are AWS's published instance specifications ([docs: Amazon EC2 instance types]). A family
name (``m5``) and the aliases ``optimal``, ``default_x86_64`` and ``default_arm64`` stand for all
sizes of their families, so what they can hold is what the family's largest size holds
(§21.3 [inferred]). ``optimal`` is C4, M4 and R4 [docs: Compute environment parameters];
``default_x86_64`` M6i, C6i, R6i and C7i; ``default_arm64`` M6g, C6g, R6g and C7g [docs].
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import NamedTuple


class InstanceType(NamedTuple):
    """What one instance type holds."""

    vcpus: int
    memory_mib: int
    gpus: int = 0


_SIZE_VCPUS = {
    "medium": 1,
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "3xlarge": 12,
    "4xlarge": 16,
    "6xlarge": 24,
    "8xlarge": 32,
    "9xlarge": 36,
    "12xlarge": 48,
    "16xlarge": 64,
    "18xlarge": 72,
    "24xlarge": 96,
    "32xlarge": 128,
    "48xlarge": 192,
}

# Families whose sizes follow the common ladder: (GiB per vCPU, sizes offered). ``metal`` is
# added to the families that offer it with the largest size's figures.
_LADDER: dict[str, tuple[float, tuple[str, ...], bool]] = {}


def _ladder(families: str, gib_per_vcpu: float, sizes: str, metal: bool = True) -> None:
    for family in families.split():
        _LADDER[family] = (gib_per_vcpu, tuple(sizes.split()), metal)


_NITRO5 = "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge"
_NITRO6 = _NITRO5 + " 32xlarge"
_GRAVITON = "medium large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"
_NITRO7 = "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge"
_ladder("c5 c5d", 2, "large xlarge 2xlarge 4xlarge 9xlarge 12xlarge 18xlarge 24xlarge")
_ladder("c5n", 2.625, "large xlarge 2xlarge 4xlarge 9xlarge 18xlarge")
_ladder("c5a c5ad", 2, "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge", False)
_ladder("m5 m5d m5a m5ad m5n m5dn", 4, _NITRO5)
_ladder("r5 r5d r5a r5ad r5n r5dn r5b", 8, _NITRO5)
_ladder("c6i c6id c6in", 2, _NITRO6)
_ladder("m6i m6id m6in m6idn", 4, _NITRO6)
_ladder("r6i r6id r6in r6idn", 8, _NITRO6)
_ladder("c6a", 2, _NITRO6 + " 48xlarge")
_ladder("m6a", 4, _NITRO6 + " 48xlarge")
_ladder("r6a", 8, _NITRO6 + " 48xlarge")
_ladder("c6g c6gd c6gn c7g c7gd c7gn", 2, _GRAVITON)
_ladder("m6g m6gd m7g m7gd", 4, _GRAVITON)
_ladder("r6g r6gd r7g r7gd", 8, _GRAVITON)
_ladder("c7i c7a", 2, _NITRO7)
_ladder("m7i m7a", 4, _NITRO7)
_ladder("r7i r7a", 8, _NITRO7)
_ladder("a1", 2, "medium large xlarge 2xlarge 4xlarge")
_ladder("i3", 7.625, "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge")
_ladder("i3en", 8, "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge 24xlarge")
_ladder("i4i", 8, "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge 32xlarge")
_ladder("z1d", 8, "large xlarge 2xlarge 3xlarge 6xlarge 12xlarge")
_ladder("x2idn x2iedn", 16, "16xlarge 24xlarge 32xlarge")

# Families whose sizes do not follow a ratio: name -> (vCPUs, GiB, GPUs).
_EXPLICIT: dict[str, tuple[float, float, int]] = {
    "c4.large": (2, 3.75, 0),
    "c4.xlarge": (4, 7.5, 0),
    "c4.2xlarge": (8, 15, 0),
    "c4.4xlarge": (16, 30, 0),
    "c4.8xlarge": (36, 60, 0),
    "m4.large": (2, 8, 0),
    "m4.xlarge": (4, 16, 0),
    "m4.2xlarge": (8, 32, 0),
    "m4.4xlarge": (16, 64, 0),
    "m4.10xlarge": (40, 160, 0),
    "m4.16xlarge": (64, 256, 0),
    "r4.large": (2, 15.25, 0),
    "r4.xlarge": (4, 30.5, 0),
    "r4.2xlarge": (8, 61, 0),
    "r4.4xlarge": (16, 122, 0),
    "r4.8xlarge": (32, 244, 0),
    "r4.16xlarge": (64, 488, 0),
    "x1.16xlarge": (64, 976, 0),
    "x1.32xlarge": (128, 1952, 0),
    "x1e.xlarge": (4, 122, 0),
    "x1e.32xlarge": (128, 3904, 0),
    # GPU families
    "p2.xlarge": (4, 61, 1),
    "p2.8xlarge": (32, 488, 8),
    "p2.16xlarge": (64, 732, 16),
    "p3.2xlarge": (8, 61, 1),
    "p3.8xlarge": (32, 244, 4),
    "p3.16xlarge": (64, 488, 8),
    "p3dn.24xlarge": (96, 768, 8),
    "p4d.24xlarge": (96, 1152, 8),
    "p4de.24xlarge": (96, 1152, 8),
    "p5.48xlarge": (192, 2048, 8),
    "g3s.xlarge": (4, 30.5, 1),
    "g3.4xlarge": (16, 122, 1),
    "g3.8xlarge": (32, 244, 2),
    "g3.16xlarge": (64, 488, 4),
    "g4dn.xlarge": (4, 16, 1),
    "g4dn.2xlarge": (8, 32, 1),
    "g4dn.4xlarge": (16, 64, 1),
    "g4dn.8xlarge": (32, 128, 1),
    "g4dn.12xlarge": (48, 192, 4),
    "g4dn.16xlarge": (64, 256, 1),
    "g4dn.metal": (96, 384, 8),
    "g5.xlarge": (4, 16, 1),
    "g5.2xlarge": (8, 32, 1),
    "g5.4xlarge": (16, 64, 1),
    "g5.8xlarge": (32, 128, 1),
    "g5.12xlarge": (48, 192, 4),
    "g5.16xlarge": (64, 256, 1),
    "g5.24xlarge": (96, 384, 4),
    "g5.48xlarge": (192, 768, 8),
    "g6.xlarge": (4, 16, 1),
    "g6.2xlarge": (8, 32, 1),
    "g6.4xlarge": (16, 64, 1),
    "g6.8xlarge": (32, 128, 1),
    "g6.12xlarge": (48, 192, 4),
    "g6.16xlarge": (64, 256, 1),
    "g6.24xlarge": (96, 384, 4),
    "g6.48xlarge": (192, 768, 8),
    "g5g.xlarge": (4, 8, 1),
    "g5g.2xlarge": (8, 16, 1),
    "g5g.4xlarge": (16, 32, 1),
    "g5g.8xlarge": (32, 64, 1),
    "g5g.16xlarge": (64, 128, 2),
    "trn1.2xlarge": (8, 32, 0),
    "trn1.32xlarge": (128, 512, 0),
    "inf1.xlarge": (4, 8, 0),
    "inf1.2xlarge": (8, 16, 0),
    "inf1.6xlarge": (24, 48, 0),
    "inf1.24xlarge": (96, 192, 0),
}


def _build() -> dict[str, InstanceType]:
    table: dict[str, InstanceType] = {}
    for family, (ratio, sizes, metal) in _LADDER.items():
        for size in sizes:
            count = _SIZE_VCPUS[size]
            table[f"{family}.{size}"] = InstanceType(count, int(count * ratio * 1024))
        if metal:
            table[f"{family}.metal"] = table[f"{family}.{sizes[-1]}"]
    for name, (cpus, gib, gpus) in _EXPLICIT.items():
        table[name] = InstanceType(int(cpus), int(gib * 1024), gpus)
    return table


CATALOGUE: Mapping[str, InstanceType] = _build()
"""Every instance type by name (``m5.large``)."""

_BY_FAMILY: dict[str, list[InstanceType]] = {}
for _name, _kind in CATALOGUE.items():
    _BY_FAMILY.setdefault(_name.partition(".")[0], []).append(_kind)

FAMILIES = frozenset(_BY_FAMILY)
"""Every family name (``m5``): all sizes of that family."""

ALIASES: Mapping[str, tuple[str, ...]] = {
    "optimal": ("c4", "m4", "r4"),
    "default_x86_64": ("m6i", "c6i", "r6i", "c7i"),
    "default_arm64": ("m6g", "c6g", "r6g", "c7g"),
}
"""The names Batch accepts for groups of families."""

VALID_NAMES: tuple[str, ...] = tuple(sorted({*CATALOGUE, *FAMILIES, *ALIASES}))
"""Every value ``instanceTypes`` may hold, as AWS's refusal lists them."""


def is_known(name: str) -> bool:
    """True when ``name`` is an instance type, a family or an alias Batch offers."""
    return name in CATALOGUE or name in FAMILIES or name in ALIASES


def members(name: str) -> list[InstanceType]:
    """The instance types a name stands for (one for ``m5.large``, a family's sizes for ``m5``)."""
    if name in CATALOGUE:
        return [CATALOGUE[name]]
    return [kind for family in ALIASES.get(name, (name,)) for kind in _BY_FAMILY.get(family, [])]


def has_gpu(names: Iterable[str]) -> bool:
    """True when any of ``names`` is (or stands for) an instance type with GPUs."""
    return any(kind.gpus for name in names for kind in members(name))


@functools.lru_cache(maxsize=4096)
def can_hold(names: tuple[str, ...], vcpus: float, memory_mib: float, gpus: float) -> bool:
    """True when one instance type that ``names`` stand for holds the whole request.

    Cached: the scheduler asks for every placement, with few distinct requests.
    """
    return any(
        kind.vcpus >= vcpus and kind.memory_mib >= memory_mib and kind.gpus >= gpus
        for name in names
        for kind in members(name)
    )
