"""Retry strategies (§7): how many attempts, and evaluateOnExit's first matching entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def pattern_matches(pattern: str, value: str | None) -> bool:
    """§7.6-7.7: exact match, or prefix match before a trailing ``*``; case-sensitive.

    An absent value (no exit code, no reason) matches only the bare ``*``.
    """
    if not value:
        return pattern == "*"
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def entry_matches(
    entry: Mapping[str, Any], exit_code: int | None, reason: str | None, status_reason: str | None
) -> bool:
    """§7.4: every condition the entry has must match (AND); no condition matches anything."""
    checks = (
        ("onExitCode", None if exit_code is None else str(exit_code)),
        ("onReason", reason),
        ("onStatusReason", status_reason),
    )
    for key, value in checks:
        pattern = entry.get(key)
        if pattern is not None and not pattern_matches(str(pattern), value):
            return False
    return True


def should_retry(
    strategy: Mapping[str, Any] | None,
    attempts_made: int,
    exit_code: int | None,
    reason: str | None,
    status_reason: str | None,
) -> bool:
    """True when a failed attempt goes back to RUNNABLE (§7.1, §7.4, §7.5)."""
    allowed = int((strategy or {}).get("attempts") or 1)
    if attempts_made >= allowed:
        return False
    for entry in (strategy or {}).get("evaluateOnExit") or []:
        # §7.4 [inferred]: list order, first match decides; §7.3: action in any case
        if entry_matches(entry, exit_code, reason, status_reason):
            return str(entry.get("action", "")).upper() == "RETRY"
    return True  # §7.5: nothing matched, attempts remain: retry
