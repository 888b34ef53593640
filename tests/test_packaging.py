"""What ``packages = find:`` puts in the wheel: every folder of batchmock/ must be a package.

A folder without ``__init__.py`` is left out of the wheel whole, though an editable install (and
so this suite) still imports it. CI's ``.ci/check_dist.py`` checks the built wheel and sdist too.
"""

from __future__ import annotations

from pathlib import Path

import batchmock

PACKAGE = Path(batchmock.__file__).resolve().parent


def test_every_folder_with_python_files_has_an_init() -> None:
    folders = {path.parent for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts}
    assert len(folders) > 1
    missing = sorted(
        str(f.relative_to(PACKAGE.parent)) for f in folders if not (f / "__init__.py").is_file()
    )
    assert missing == [], f"folders left out of the wheel (no __init__.py): {missing}"


def test_the_typed_marker_ships() -> None:
    assert (PACKAGE / "py.typed").is_file()
