"""The pre-commit hooks' input: staged files -> the package roots they belong to.

pre-commit passes only the files staged in a commit, but the pin is planned
per package root: a lockfile is moved together with its package.json even
when only one of the two is staged, and a workspace member is planned from
the workspace root that holds the lock (planned alone it is refused). So
`napi-fix --package-roots FILE...` (what .pre-commit-hooks.yaml runs) plans,
for each file, the nearest folder above it that holds a lockfile or
pnpm-workspace.yaml, else the nearest holding a package.json, else the file
itself (a C/C++ file outside any package). The search stops at the current
directory, the repository root pre-commit runs in: nothing above it is read.
"""

from __future__ import annotations

import os

from codemod.discover import ROOT_MARKERS


def package_roots_of(paths: tuple[str, ...], stop: str | None = None) -> tuple[str, ...]:
    """Each path's package root, in first-seen order, each once."""
    stop = os.path.abspath(stop or os.getcwd())
    roots: dict[str, None] = {}
    for path in paths:
        roots.setdefault(_root_of(path, stop), None)
    return tuple(roots)


def _root_of(path: str, stop: str) -> str:
    absolute = os.path.abspath(path)
    if os.path.commonpath((absolute, stop)) != stop:
        return path  # outside the repository: as given
    folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    nearest_package = None
    while True:
        if any(os.path.isfile(os.path.join(folder, name)) for name in ROOT_MARKERS):
            return _as_given(folder, stop)
        if nearest_package is None and os.path.isfile(os.path.join(folder, "package.json")):
            nearest_package = folder
        if folder == stop or os.path.dirname(folder) == folder:
            break
        folder = os.path.dirname(folder)
    return _as_given(nearest_package, stop) if nearest_package else path


def _as_given(folder: str, stop: str) -> str:
    """Relative to the repository root, as pre-commit spells paths (`.` for the root itself)."""
    return os.path.relpath(folder, stop)
