"""Trees a malicious or merely odd repository can hold, for every front-end.

Each builder writes one shape under a folder and returns what napi-fix must
make of it: the file that is bad (or None), a word its message contains,
and the package whose findings must survive beside it. The CLI tests
(test_hostile.py) run each through `napi-fix`; the batch and editor tests
can run the same list through their front-ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from helpers import write_tree

SPEC = '{"name": "%s", "dependencies": {"node-addon-api": "^8.2.0"}}\n'
SIZE = 400 * 1024  # what took 87 s (CMake) and 31 s (pnpm anchors) before the readers were linear


@dataclass(frozen=True)
class Hostile:
    bad: str | None  # the file napi-fix must name as an error (None: not an error)
    says: str  # a word of the message about it, or of the finding
    survivor: str = "ok/package.json"  # a package beside it whose pin must still be planned
    seconds: float = 10.0  # a generous bound: linear readers take well under one


def _survivor(root: Path) -> None:
    write_tree(root, {"ok/package.json": SPEC % "ok"})


def unclosed_cmake(root: Path) -> Hostile:
    """A CMakeLists.txt of unclosed `include_directories(` (once a rescan to the end for every `(`)."""
    _survivor(root)
    write_tree(root, {"addon/CMakeLists.txt": "include_directories(\n" * (SIZE // 21)})
    return Hostile(None, "")


def deep_package_json(root: Path) -> Hostile:
    """A package.json nested deeper than any parser's recursion."""
    _survivor(root)
    write_tree(root, {"deep/package.json": '{"name": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n"})
    return Hostile("deep/package.json", "nested too deeply")


def deep_workspace_root(root: Path) -> Hostile:
    """A workspace root above the given folder whose package.json is nested too
    deeply: read while deciding whether the member may be pinned alone."""
    _survivor(root)
    write_tree(root, {"ws/package.json": '{"workspaces": ["m"], "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
                      "ws/m/package.json": SPEC % "m"})
    return Hostile("ws/package.json", "nested too deeply")


def deep_pnpm_workspace(root: Path) -> Hostile:
    """A pnpm-workspace.yaml nested too deeply, above a member."""
    _survivor(root)
    write_tree(root, {"ws/pnpm-workspace.yaml": "packages: " + "[" * 100_000 + "]" * 100_000 + "\n",
                      "ws/m/package.json": SPEC % "m"})
    return Hostile("ws/pnpm-workspace.yaml", "nested too deeply")


ESCAPE_TARGET = "a\\nforged line\x1b[31mRED\x1b]0;title\x07"


def escape_sequences_in_a_gyp_target(root: Path) -> Hostile:
    """A gyp target name with a newline and terminal escape sequences, reaching
    a reason (a leaky copy the target compiles; no package.json: reported only)."""
    _survivor(root)
    from napi_headers import headers

    write_tree(root, {"gyp/binding.gyp": "{'targets': [{'target_name': '%s', 'include_dirs': ['napi']}]}\n"
                                         % ESCAPE_TARGET})
    for name in ("napi.h", "napi-inl.h"):
        write_tree(root, {f"gyp/napi/{name}": (headers("8.2.1") / name).read_bytes()})
    return Hostile(None, "target a\\nforged line\\033[31mRED\\033]0;title\\a")


def deep_binding_gyp(root: Path) -> Hostile:
    """A binding.gyp of lists nested far deeper than any recursion."""
    _survivor(root)
    write_tree(root, {"gyp/binding.gyp": "{'targets': " + "[" * 100_000 + "]" * 100_000 + "}\n"})
    return Hostile(None, "")


def gypi_fan_out(root: Path) -> Hostile:
    """A binding.gyp including 20,000 .gypi files, each including itself and the next."""
    _survivor(root)
    names = [f"i{n}.gypi" for n in range(20_000)]
    write_tree(root, {"gyp/binding.gyp": "{'includes': %r, 'targets': [{'target_name': 'a'}]}\n" % names,
                      **{f"gyp/{name}": "{'includes': ['%s', '%s']}\n" % (name, names[(n + 1) % len(names)])
                         for n, name in enumerate(names[:200])}})
    return Hostile(None, "")


def escape_sequences_in_a_note(root: Path) -> Hostile:
    """node-addon-api's own package.json in a folder whose name holds a
    newline and an escape sequence: the note naming it stays one line."""
    _survivor(root)
    write_tree(root, {"we\nird\x1b[31m/package.json": '{"name": "node-addon-api", "version": "8.2.1"}\n'})
    return Hostile(None, "")


# Which paths a run is given: the whole tree, except where the shape is a
# folder above the paths given (the member and the survivor are named).
PATHS: dict[Callable, tuple[str, ...]] = {
    deep_workspace_root: ("ws/m", "ok"),
    deep_pnpm_workspace: ("ws/m", "ok"),
}
TREES: tuple[Callable[[Path], Hostile], ...] = (
    unclosed_cmake, deep_package_json, deep_workspace_root, deep_pnpm_workspace, escape_sequences_in_a_gyp_target,
    deep_binding_gyp, gypi_fan_out, escape_sequences_in_a_note)
