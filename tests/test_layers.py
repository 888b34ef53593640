"""The layers contract of docs/architecture.md, checked by import-linter on every test run.

``pyproject.toml``'s ``[tool.importlinter]`` holds the contracts; ``.ci/run`` runs ``lint-imports``
too. Besides checking the package as it is, each case below adds one back-edge to a copy of the
package and checks that the contract it breaks reports it: a contract that cannot fail proves
nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "batchmock"
CONFIG = REPO / "pyproject.toml"
LAYERS = "Layers point down"
ROOMS = "The backend's rooms point down"
PROTOCOL = "The protocol imports no engine, backend or executors"
ENGINE = "The engine imports no werkzeug, botocore, interceptor, server or backend"
EXECUTORS = "Executors import nothing above them"


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the ``batchmock`` found first from ``cwd``, with the repo's contracts."""
    script = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(script), "--config", str(CONFIG), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "1000"},  # one line per contract in the report
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _verdicts(output: str) -> dict[str, str]:
    """Contract name -> KEPT or BROKEN, from the report's summary lines."""
    found = {}
    for line in output.splitlines():
        name, _, verdict = line.rpartition(" ")
        if verdict in ("KEPT", "BROKEN") and name:
            found[name] = verdict
    return found


def test_the_package_keeps_every_contract() -> None:
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = _verdicts(result.stdout)
    assert len(verdicts) == 5, result.stdout
    assert set(verdicts.values()) == {"KEPT"}, result.stdout


@pytest.mark.parametrize(
    ("module", "back_edge", "contracts"),
    [
        (
            "engine/engine.py",
            "from batchmock.backend.core import arns",
            [LAYERS, ENGINE],
        ),
        (
            "engine/scheduler.py",
            "import werkzeug",
            [ENGINE],
        ),
        (
            "executors/live.py",
            "from batchmock.mock import BatchMock",
            [LAYERS, EXECUTORS],
        ),
        (
            "protocol/serialize.py",
            "from batchmock.engine import job",
            [PROTOCOL],
        ),
        (
            "backend/core/checks.py",
            "from batchmock.protocol import serialize",
            [LAYERS],
        ),
        (
            "backend/control_plane/tags.py",
            "from batchmock.backend.jobs import jobs",
            [ROOMS],
        ),
    ],
)
def test_a_back_edge_breaks_the_contract(
    tmp_path: Path, module: str, back_edge: str, contracts: list[str]
) -> None:
    copy = tmp_path / "batchmock"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / module).open("a") as source:
        source.write(f"\n{back_edge}  # a back-edge\n")

    result = _lint(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    verdicts = _verdicts(result.stdout)
    assert len(verdicts) == 5, result.stdout
    broken = [name for name, verdict in verdicts.items() if verdict == "BROKEN"]
    for expected in contracts:  # others may break too, through indirect imports
        assert any(name.startswith(expected) for name in broken), result.stdout
    importer = "batchmock." + module[: -len(".py")].replace("/", ".")
    assert f"- {importer} -> " in " ".join(result.stdout.split()), result.stdout
