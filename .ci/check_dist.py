"""Check that a built wheel and sdist hold every module of the checkout's batchmock/ package.

Usage: python .ci/check_dist.py DIST_DIR   (run from the checkout's root)

Fails (exit 1) naming what is wrong when a folder of batchmock/ holding Python files has no
``__init__.py`` (``packages = find:`` would leave it out of the wheel), or when a file of the
checkout's batchmock/ (modules, ``py.typed``, the dashboard's assets, ...) is missing from the
wheel or from the sdist.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

PACKAGE = "batchmock"


def expected_files(root: Path) -> tuple[set[str], list[str]]:
    """The package's files (posix paths from the checkout root) and folders lacking __init__."""
    files = {
        path.relative_to(root).as_posix()
        for path in (root / PACKAGE).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    folders = {str(Path(name).parent) for name in files if name.endswith(".py")}
    without_init = sorted(f for f in folders if f"{f}/__init__.py" not in files)
    return files, without_init


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def sdist_files(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        # every member sits under one top folder, batchmock-<version>/
        return {name.partition("/")[2] for name in archive.getnames()}


def main(dist: Path) -> int:
    root = Path.cwd()
    expected, without_init = expected_files(root)
    problems = [f"{folder}/ has no __init__.py" for folder in without_init]
    wheels = sorted(dist.glob(f"{PACKAGE}-*.whl"))
    sdists = sorted(dist.glob(f"{PACKAGE}-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        problems.append(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
    for kind, archives, read in (("wheel", wheels, wheel_files), ("sdist", sdists, sdist_files)):
        for archive in archives:
            missing = sorted(expected - read(archive))
            problems += [f"{archive.name} ({kind}) lacks {name}" for name in missing]
    if not expected:
        problems.append(f"no Python files found under {root / PACKAGE}")
    for problem in problems:
        print(f"check_dist: {problem}")
    if problems:
        return 1
    print(f"check_dist: the wheel and the sdist hold all {len(expected)} files of {PACKAGE}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
