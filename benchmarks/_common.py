"""Helpers shared by the benchmark scripts: timing and a canned-response botocore client."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse, HeadersDict


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def canned_client(body: bytes, region: str = "us-east-1") -> Any:
    """A Batch client whose every request is answered by ``body`` before it leaves botocore.

    This is botocore's own cost for a call (serialize, sign, parse) with no service behind it:
    the floor every in-process mock is measured against.
    """
    import boto3

    client = boto3.client(
        "batch", region_name=region, aws_access_key_id="a", aws_secret_access_key="b"
    )

    def answer(request: Any, **_: Any) -> AWSResponse:
        headers = HeadersDict({"Content-Type": "application/json", "x-amzn-RequestId": "r"})
        return AWSResponse(request.url, 200, headers, _Raw(body))

    client.meta.events.register_first("before-send.batch", answer, unique_id="canned")
    return client


def best_of(fn: Callable[[], Any], repeat: int = 5, number: int = 1) -> float:
    """The best (lowest) seconds per call over ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def median_of(fn: Callable[[], Any], repeat: int = 7) -> float:
    """The median seconds of one call over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, ours: float, base: float, target: float | None, unit: str = "ms") -> None:
    """Print one line: our time, the baseline's, the ratio and the target."""
    scale = 1e3 if unit == "ms" else 1e6
    ratio = ours / base if base else float("inf")
    verdict = "" if target is None else ("  ok" if ratio <= target else "  OVER TARGET")
    goal = "" if target is None else f" (target <= {target:.2f}x)"
    print(
        f"{name:<58} {ours * scale:10.3f} {unit} vs {base * scale:10.3f} {unit}"
        f"  ratio {ratio:6.2f}x{goal}{verdict}"
    )
