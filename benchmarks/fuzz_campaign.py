"""A long fuzz campaign (issue 14): the fuzz tests' generators, for tens of thousands of requests.

Run: ``python benchmarks/fuzz_campaign.py [--boto3 N] [--http N] [--seed S]``. It makes N
examples of each kind with the generators of ``tests/fuzz/model_inputs.py`` (built from the
installed botocore model, every operation):

- ``boto3``: 1 to 3 calls per example through a boto3 client with parameter validation off,
  in-process (``mock_batch``);
- ``http``: one raw HTTP request per example to ``batchmock server`` (a ThreadedServer on
  127.0.0.1), with broken bodies, odd Authorization headers and methods.

Each example starts from the same small state (a compute environment, a queue, a job definition
and a job). The same properties as the tests are checked, but every violation is counted (and
the first few printed) instead of stopping the run: a 5xx, an exception other than a
ClientException out of boto3, an error not in AWS's JSON shape, and a refused request that
changed a Describe or List answer. The script prints the counts and exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import logging
import os
import sys
import time
import traceback
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from batchmock import mock_batch  # noqa: E402
from batchmock.server import ThreadedServer  # noqa: E402
from tests.fuzz.model_inputs import boto3_calls, raw_requests  # noqa: E402
from tests.fuzz.snapshot import fresh_env, snapshot  # noqa: E402
from tests.fuzz.test_fuzz_inprocess import UNVALIDATED, method_name  # noqa: E402

SHOWN = 5  # violations printed in full per kind


class Tally:
    """Counts of answers and of violations, with the first few violations kept for display."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.examples: dict[str, list[str]] = collections.defaultdict(list)

    def violation(self, kind: str, detail: str) -> None:
        self.counts[f"VIOLATION {kind}"] += 1
        if len(self.examples[kind]) < SHOWN:
            self.examples[kind].append(detail[:2000])

    @property
    def violations(self) -> int:
        return sum(n for key, n in self.counts.items() if key.startswith("VIOLATION"))


def _settings(examples: int, run_seed: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # count every violation; no shrinking
        suppress_health_check=list(HealthCheck),
    )


def run_boto3(examples: int, run_seed: int, tally: Tally) -> None:
    with mock_batch(auto_advance=False) as mock:
        batch = boto3.client("batch", region_name="us-east-1", config=UNVALIDATED)

        @seed(run_seed)
        @_settings(examples, run_seed)
        @given(calls=st.lists(boto3_calls(), min_size=1, max_size=3))
        def campaign(calls: list[tuple[str, dict[str, Any]]]) -> None:
            fresh_env(mock)
            before = snapshot(mock)
            for operation, params in calls:
                tally.counts["boto3 requests"] += 1
                try:
                    getattr(batch, method_name(operation))(**params)
                except ClientError as exc:
                    code = exc.response["Error"]["Code"]
                    status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
                    tally.counts[f"boto3 {status} {code}"] += 1
                    if (code, status) != ("ClientException", 400):
                        tally.violation("boto3 error other than ClientException", repr(exc))
                    elif snapshot(mock) != before:
                        tally.violation("boto3 refused call changed state", operation)
                        before = snapshot(mock)
                except Exception as exc:  # noqa: BLE001 (counting is the point)
                    tally.violation(
                        "boto3 exception",
                        f"{operation} {params!r}: {traceback.format_exception_only(exc)}",
                    )
                else:
                    tally.counts["boto3 200"] += 1
                    before = snapshot(mock)

        campaign()


def run_http(examples: int, run_seed: int, tally: Tally) -> None:
    logging.getLogger("batchmock.server").setLevel(logging.CRITICAL)
    with ThreadedServer(auto_advance=False) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

        @seed(run_seed)
        @_settings(examples, run_seed)
        @given(request=raw_requests())
        def campaign(request: tuple[str, str, dict[str, str], bytes]) -> None:
            nonlocal conn
            method, path, headers, body = request
            fresh_env(server.mock)
            before = snapshot(server.mock)
            tally.counts["http requests"] += 1
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                tally.violation("http no answer", f"{method} {path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                return
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            status = response.status
            error_type = response.getheader("x-amzn-ErrorType", "")
            tally.counts[f"http {status} {error_type}".rstrip()] += 1
            if status >= 500:
                tally.violation("http 5xx", f"{method} {path} {body[:300]!r}: {answer[:300]!r}")
            if status >= 400:
                try:
                    error = json.loads(answer)
                    ok = set(error) == {"__type", "message"} and error["__type"] == error_type
                except ValueError:
                    ok = False
                if not ok or response.getheader("Content-Type") != "application/json":
                    tally.violation("http error not AWS JSON", f"{method} {path}: {answer[:300]!r}")
                if snapshot(server.mock) != before:
                    tally.violation("http refused request changed state", f"{method} {path}")

        try:
            campaign()
        finally:
            conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--boto3", type=int, default=10_000, help="boto3 examples (1-3 calls)")
    parser.add_argument("--http", type=int, default=10_000, help="raw HTTP examples")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    tally = Tally()
    started = time.perf_counter()
    if args.boto3:
        run_boto3(args.boto3, args.seed, tally)
    boto3_done = time.perf_counter()
    if args.http:
        run_http(args.http, args.seed, tally)
    done = time.perf_counter()
    print(f"fuzz campaign, seed {args.seed}")
    print(f"  boto3: {args.boto3} examples in {boto3_done - started:.0f} s")
    print(f"  http:  {args.http} examples in {done - boto3_done:.0f} s")
    for key, count in sorted(tally.counts.items()):
        print(f"  {key:<48} {count:>8}")
    for kind, shown in tally.examples.items():
        print(f"first {kind}:")
        for line in shown:
            print(f"    {line}")
    print(f"violations: {tally.violations}")
    return 1 if tally.violations else 0


if __name__ == "__main__":
    sys.exit(main())
