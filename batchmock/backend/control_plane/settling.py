"""Eventually consistent statuses of control-plane resources (reference G8, §12.5, §13.6).

AWS moves a compute environment or job queue through CREATING/UPDATING to VALID, and through
DELETING to gone, over seconds to minutes. ``MockOptions.delays.resource_status`` sets how long
(virtual seconds on the virtual clock); the default 0 settles every change at once, inside the
request. A resource taking part carries ``status``, ``status_reason`` and ``timer`` attributes.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from batchmock.errors import ClientException

if TYPE_CHECKING:
    from batchmock.backend.core.backend import BatchBackend

SETTLING = ("CREATING", "UPDATING")

MESSAGES = {
    # [obs: astronomer-providers#413]
    "busy": "Cannot delete, resource is being modified",
    # [inferred] option ``update_deleting`` (default "refuse"): AWS documents nothing for a
    # change to a DELETING resource; the default follows its refusal to delete one that is being
    # modified (the text above). Only with a ``delays.resource_status`` delay does a resource
    # stay DELETING. Wording [inferred].
    "deleting": "{kind} {name} is being deleted",
}


def delay(backend: BatchBackend) -> float:
    """The configured settling time in seconds (0: immediate)."""
    return float(getattr(backend.options.delays, "resource_status", 0.0))


def begin(backend: BatchBackend, resource: Any, transient: str, healthy: str) -> None:
    """Put ``resource`` in ``transient`` (CREATING/UPDATING) until it settles VALID.

    With no delay it is VALID (statusReason ``healthy``) on return; otherwise a clock event
    settles it later and lets the engine look again.
    """
    _cancel(resource)
    wait = delay(backend)
    if wait <= 0:
        resource.status, resource.status_reason = "VALID", healthy
        return
    resource.status = transient
    resource.status_reason = None

    def settle() -> None:
        resource.timer = None
        resource.status, resource.status_reason = "VALID", healthy
        backend.engine.kick()

    resource.timer = backend.engine.later(wait, settle)


def check_deletable(resource: Any) -> None:
    """Refuse to delete a resource that is still CREATING or UPDATING (§2.6, §12.9)."""
    if resource.status in SETTLING:
        raise ClientException(MESSAGES["busy"])


def being_deleted(backend: BatchBackend, resource: Any, kind: str) -> bool:
    """Whether an update of ``resource`` must leave it alone because it is DELETING.

    Option ``update_deleting``: ``"refuse"`` raises the ClientException; ``"accept"`` answers
    True, and the caller returns its usual output without changing anything (the deletion
    goes on).
    """
    if resource.status != "DELETING":
        return False
    if backend.options.update_deleting == "refuse":
        raise ClientException(MESSAGES["deleting"].format(kind=kind, name=resource.name))
    return True


def remove(backend: BatchBackend, store: MutableMapping[str, Any], resource: Any) -> None:
    """Drop ``resource`` from ``store``: at once, or after DELETING with a settling delay."""
    _cancel(resource)
    name: str = resource.name
    wait = delay(backend)
    if wait <= 0:
        store.pop(name, None)
        return
    resource.status = "DELETING"
    resource.status_reason = None

    def gone() -> None:
        resource.timer = None
        if store.get(name) is resource:
            del store[name]

    resource.timer = backend.engine.later(wait, gone)


def _cancel(resource: Any) -> None:
    timer = getattr(resource, "timer", None)
    if timer is not None:
        timer.cancel()
        resource.timer = None
