"""Every snippet of README.md runs as written.

Python blocks run as they stand: a block that defines ``test_*`` functions is a test file and runs
under pytest in a subprocess (the installed plugin supplies its fixtures); any other block runs
in this process. Shell blocks that start ``batchmock server`` run against that server, started on
a free loopback port (``--port 0``; the README's ``7660`` is replaced by the port it took), with
the rest of the block run by bash. The other shell blocks are install and development commands:
CI runs the development ones; they must be the ones listed here, so a new shell snippet cannot
go unchecked.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, NamedTuple

import pytest

from tests.clients.async_support import require

README = Path(__file__).resolve().parent.parent / "README.md"
NOT_RUN_HERE = {
    "pip install batchmock": "needs the published package; CI installs the built wheel instead",
    "python -m pip install -e": "the development commands, which CI runs as written",
}
"""First command of each shell block this test does not run, and who checks it instead."""
READY_TIMEOUT = 60.0
BLOCK_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0


class Block(NamedTuple):
    language: str
    line: int
    """1-based line of the block's first line of code in README.md."""
    code: str


def readme_blocks() -> list[Block]:
    """Every fenced code block of the README, in order."""
    blocks: list[Block] = []
    language, start, body = None, 0, []
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        fence = re.match(r"^```(\S*)\s*$", line)
        if fence and language is None:
            language, start, body = fence.group(1), number + 1, []
        elif fence:
            blocks.append(Block(language, start, "\n".join(body) + "\n"))
            language = None
        elif language is not None:
            body.append(line)
    assert language is None, f"README.md: the code block at line {start} is never closed"
    return blocks


BLOCKS = readme_blocks()
PYTHON = [b for b in BLOCKS if b.language == "python"]
SHELL = [b for b in BLOCKS if b.language in ("bash", "sh", "shell", "console")]
SERVER = [b for b in SHELL if re.search(r"^batchmock server", b.code, re.MULTILINE)]


def test_the_readme_has_the_snippets_this_file_runs() -> None:
    # a block without a language (or "text") shows output and is not run
    languages = {b.language for b in BLOCKS}
    assert languages <= {"python", "bash", "", "text"}, f"a language not run here: {languages}"
    assert len(PYTHON) >= 6
    assert len(SERVER) >= 2
    for block in SHELL:
        if block not in SERVER:
            first = block.code.strip().splitlines()[0]
            assert any(first.startswith(known) for known in NOT_RUN_HERE), (
                f"README.md:{block.line}: shell block {first!r} is neither a server block nor a "
                "known install or development command: make this test run it"
            )


def _tests_in(block: Block) -> list[str]:
    return re.findall(r"^(?:async )?def (test_\w+)", block.code, re.MULTILINE)


def _check_no_placeholder(block: Block) -> None:
    placeholder = re.search(r"^\s*\.\.\.", block.code, re.MULTILINE)
    assert placeholder is None, "a snippet with a `...` placeholder does not run as written"


SCRIPTS = [b for b in PYTHON if not _tests_in(b)]
TEST_FILES = [b for b in PYTHON if _tests_in(b)]


@pytest.mark.parametrize("block", SCRIPTS, ids=[f"line{b.line}" for b in SCRIPTS])
def test_python_snippet_runs(block: Block) -> None:
    # Run in this process, without the pytester fixture: pytester drops at teardown every module
    # imported during the test (Flask, first imported here, would be dropped under moto's feet).
    _check_no_placeholder(block)
    for library in ("aioboto3", "aiobotocore"):  # optional extras: skipped without them
        if re.search(rf"^(from|import) {library}\b", block.code, re.MULTILINE):
            require(library)
    code = compile(block.code, f"README.md:{block.line}", "exec")
    exec(code, {"__name__": "readme_snippet"})


@pytest.mark.parametrize("block", TEST_FILES, ids=[f"line{b.line}" for b in TEST_FILES])
def test_python_test_file_snippet_passes(block: Block, pytester: pytest.Pytester) -> None:
    _check_no_placeholder(block)
    pytester.makepyfile(test_readme_snippet=block.code)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-q", timeout=BLOCK_TIMEOUT)
    result.assert_outcomes(passed=len(_tests_in(block)))


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _wait_for_port(lines: queue.Queue[str | None], seen: list[str]) -> int:
    while True:
        try:
            line = lines.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"no 'listening' line within {READY_TIMEOUT} s") from None
        if line is None:
            raise AssertionError("the server exited before listening:\n" + "".join(seen))
        seen.append(line)
        found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if found:
            return int(found.group(1))


@pytest.mark.parametrize("block", SERVER, ids=[f"line{b.line}" for b in SERVER])
def test_server_snippet_runs(block: Block, tmp_path: Path) -> None:
    lines = block.code.splitlines()
    [start] = [i for i, line in enumerate(lines) if line.startswith("batchmock server")]
    server_command = lines[start].split("#")[0].strip().rstrip("&").strip()
    script = "\n".join(lines[:start] + lines[start + 1 :])
    for tool in ("aws", "curl"):
        if re.search(rf"^\s*{tool} ", script, re.MULTILINE) and shutil.which(tool) is None:
            pytest.skip(f"README.md:{block.line} needs `{tool}`, which is not installed")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONUNBUFFERED"] = "1"
    server = subprocess.Popen(
        ["bash", "-c", f"exec {server_command} --port 0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert server.stdout is not None
    output: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(server.stdout, output), daemon=True).start()
    seen: list[str] = []
    try:
        port = _wait_for_port(output, seen)
        ran = subprocess.run(
            ["bash", "-e", "-u", "-o", "pipefail", "-c", script.replace("7660", str(port))],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            timeout=BLOCK_TIMEOUT,
        )
        assert ran.returncode == 0, (
            f"README.md:{block.line} failed ({ran.returncode}):\n{ran.stdout}\n{ran.stderr}"
        )
        assert ran.stdout.strip(), f"README.md:{block.line} printed nothing"
    finally:
        code = _stop(server)  # never raises: a failure of the block above stays the one reported
    assert code == 0, f"the server did not stop cleanly on SIGTERM ({code}):\n" + "".join(seen)


def _stop(server: subprocess.Popen[str]) -> int | None:
    """SIGTERM, then the exit code; None when it had to be killed after STOP_TIMEOUT."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=STOP_TIMEOUT)
        return None


def test_only_a_line_that_is_a_placeholder_counts_as_one() -> None:
    # `...` inside a comment or string is prose: an earlier substring check failed the
    # "Driving jobs" snippet on its comment `attempt.command, .env (AWS_BATCH_*), .attempt ...`
    # (README line 80 then), which looked like a flaky test but failed every time
    [driving] = [b for b in SCRIPTS if "def run(attempt):" in b.code]
    assert ".attempt ..." in driving.code
    _check_no_placeholder(driving)
    for placeholder in ("...\n", "x = 1\n    ...\n", "def f():\n    ...  # fill in\n"):
        with pytest.raises(AssertionError, match="placeholder"):
            _check_no_placeholder(Block("python", 1, placeholder))
