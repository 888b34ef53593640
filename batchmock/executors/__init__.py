"""Executors run the attempts of jobs; ``make_executor`` turns ``MockOptions.executor`` into one.

``FACTORIES`` maps each executor name to ``factory(script, options, services) -> Executor``;
``services`` (an ``executors.base.Services``: the mock's server and CloudWatch log streams) is
None for a runtime made without a mock. The real executors' modules are imported only when chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from batchmock.executors.base import (
    AttemptContext,
    Execution,
    Executor,
    Outcome,
    Services,
    StartFailure,
)
from batchmock.executors.simulated import OutcomeScript, SimulatedExecutor

if TYPE_CHECKING:
    from batchmock.options import MockOptions

__all__ = [
    "FACTORIES",
    "AttemptContext",
    "Execution",
    "Executor",
    "Outcome",
    "OutcomeScript",
    "Services",
    "SimulatedExecutor",
    "StartFailure",
    "make_executor",
]

Factory = Callable[[OutcomeScript, "MockOptions", "Services | None"], Executor]


def _simulated(script: OutcomeScript, options: MockOptions, services: Services | None) -> Executor:
    return SimulatedExecutor(script, options.delays.running, services)


def _local(script: OutcomeScript, options: MockOptions, services: Services | None) -> Executor:
    from batchmock.executors.local import LocalExecutor

    return LocalExecutor(services, keep_workdirs=options.keep_workdirs)


def _docker(script: OutcomeScript, options: MockOptions, services: Services | None) -> Executor:
    from batchmock.executors.docker import DockerExecutor

    return DockerExecutor(services, pull=options.docker_pull)


FACTORIES: dict[str, Factory] = {"simulated": _simulated, "local": _local, "docker": _docker}
PLANNED: tuple[str, ...] = ()
"""Names accepted by the option but not implemented yet."""


def make_executor(
    choice: Any,
    script: OutcomeScript,
    options: MockOptions,
    services: Services | None = None,
) -> Executor:
    """The executor ``choice`` names, or ``choice`` itself when it is an Executor instance."""
    if isinstance(choice, str):
        factory = FACTORIES.get(choice)
        if factory is not None:
            return factory(script, options, services)
        names = sorted(set(FACTORIES) | set(PLANNED))
        if choice in PLANNED:
            raise ValueError(
                f"executor={choice!r} is not available yet; choose one of "
                f"{', '.join(repr(n) for n in sorted(FACTORIES))} or pass an Executor instance"
            )
        raise ValueError(
            f"executor={choice!r} is unknown; choose one of {', '.join(repr(n) for n in names)} "
            "or pass an Executor instance (with launch(ctx) and shutdown())"
        )
    if isinstance(choice, Executor):
        return choice
    raise ValueError(
        f"executor must be a name ({', '.join(repr(n) for n in sorted(FACTORIES))}) or an "
        f"object with launch(ctx) and shutdown(), got {choice!r}"
    )
