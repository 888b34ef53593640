"""The names a user is told to use are importable from ``batchmock``; ``--version`` works."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import batchmock
import batchmock.server

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
DOTTED = re.compile(r"\bbatchmock((?:\.[A-Za-z_]\w*)+)")
FROM_IMPORT = re.compile(r"^\s*from (batchmock(?:\.\w+)*) import ([\w, ]+)$", re.MULTILINE)
BACKTICKED = re.compile(r"`([A-Z][A-Za-z]+)[`(.]")
AWS_ERROR_CODES = {"ClientException", "ServerException"}
"""Error codes of the Batch API the README names; users meet them through botocore."""

PROMISED = [
    "mock_batch",
    "BatchMock",
    "MockOptions",
    "Delays",
    "Outcome",
    "Executor",
    "Execution",
    "StartFailure",
    "AttemptContext",
    "UnfinishedJob",
    "MockNotActiveError",
    "NetworkRefusedError",
    "JobEventWarning",
    "__version__",
]


def _modules() -> list[ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(batchmock.__path__, "batchmock.")]
    return [batchmock, *(importlib.import_module(n) for n in names if "_wsgi" not in n)]


def _resolve(dotted: str) -> tuple[ModuleType, str | None]:
    """``.server.ThreadedServer`` -> (batchmock.server, "ThreadedServer"); a module -> None."""
    module: ModuleType = batchmock
    parts = dotted.strip(".").split(".")
    while parts and isinstance(getattr(module, parts[0], None), ModuleType):
        module = getattr(module, parts.pop(0))
    return module, parts[0] if parts else None


def test_every_promised_name_is_exported_and_importable() -> None:
    assert sorted(batchmock.__all__) == sorted(PROMISED + ["patch_client"])
    for name in batchmock.__all__:
        value = getattr(batchmock, name)
        assert value is not None
        if inspect.isclass(value):
            assert value.__module__ == "batchmock", name  # shown as batchmock.<name>


def test_every_name_the_readme_tells_users_to_use_is_exported() -> None:
    for dotted in DOTTED.findall(README):
        module, name = _resolve(dotted)
        if name is not None:
            assert name in module.__all__, f"README names batchmock{dotted}"
    for module_name, names in FROM_IMPORT.findall(README):
        module = importlib.import_module(module_name)
        for name in (n.strip() for n in names.split(",")):
            assert name in getattr(module, "__all__", ()), (
                f"README: from {module_name} import {name}"
            )
    defined = {
        name
        for module in _modules()
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__.startswith("batchmock")
    }
    mentioned = set(BACKTICKED.findall(README)) & defined
    assert mentioned, "the README names no class at all?"
    exported = set(batchmock.__all__) | set(batchmock.server.__all__)
    assert mentioned - AWS_ERROR_CODES <= exported


def test_every_name_a_docstring_or_message_tells_users_to_use_is_exported() -> None:
    for path in sorted((REPO / "batchmock").rglob("*.py")):
        for dotted in DOTTED.findall(path.read_text(encoding="utf-8")):
            module, name = _resolve(dotted)
            if name is None or module not in (batchmock, batchmock.server):
                continue  # a module, or a path inside one, in a developer's note
            if not name[0].isupper():
                continue  # not a class: a label or a file name such as batchmock.executor
            assert name in getattr(module, "__all__", ()), f"{path.name} names batchmock{dotted}"


def _console_script() -> str:
    script = Path(sys.executable).with_name("batchmock")
    if not script.exists():
        pytest.skip("the batchmock console script is not installed next to this interpreter")
    return str(script)


@pytest.mark.parametrize("how", ["console script", "python -m batchmock"])
def test_version_is_printed(how: str) -> None:
    argv = [_console_script()] if how == "console script" else [sys.executable, "-m", "batchmock"]
    done = subprocess.run(
        [*argv, "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"batchmock {batchmock.__version__}\n",
        "",
    )
    assert batchmock.__version__ == importlib.metadata.version("batchmock")
