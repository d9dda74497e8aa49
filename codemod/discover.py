"""Paths (files or directories) -> the files napi-fix looks at.

Honours .gitignore files (those in the walked tree and those above it up to
the enclosing git checkout), skips .git/, node_modules/, build/ and
node-addon-api's own headers wherever they sit (a vendored copy included).
A file named explicitly is taken even when ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CPP_SUFFIXES = frozenset(
    (".h", ".hh", ".hpp", ".hxx", ".h++", ".c", ".cc", ".cpp", ".cxx", ".c++", ".ipp", ".inl", ".tpp")
)
SKIP_DIRS = frozenset((".git", "node_modules", "build"))
BUILD_FILES = frozenset(("binding.gyp", "CMakeLists.txt", "BUILD", "BUILD.bazel", "build.zig", "meson.build"))
PACKAGE_FILES = frozenset(
    ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "pnpm-workspace.yaml")
)
# node-addon-api's own headers: never ours to edit, wherever a copy sits.
NAPI_OWN_HEADERS = frozenset(("napi.h", "napi-inl.h", "napi-inl.deprecated.h"))
PROJECT_MARKERS = ("package.json", "binding.gyp", "CMakeLists.txt", ".git")


@dataclass(frozen=True)
class Discovered:
    cpp_files: tuple[str, ...] = ()
    build_files: tuple[str, ...] = ()
    package_files: tuple[str, ...] = ()
    napi_copies: tuple[str, ...] = ()  # folders holding a copy of node-addon-api's headers
    missing: tuple[str, ...] = ()  # PATH arguments that do not exist


def is_cpp(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in CPP_SUFFIXES


def is_napi_own_header(path: str) -> bool:
    name = os.path.basename(path)
    return name in NAPI_OWN_HEADERS and os.path.isfile(os.path.join(os.path.dirname(path), "napi-inl.h"))


def discover(paths: list[str]) -> Discovered:
    cpp: list[str] = []
    build: list[str] = []
    package: list[str] = []
    copies: list[str] = []
    missing: list[str] = []
    for raw in paths:
        path = os.path.normpath(raw)
        if os.path.isfile(path):
            if is_cpp(path) and not is_napi_own_header(path):
                cpp.append(path)
            elif os.path.basename(path) in BUILD_FILES:
                build.append(path)
            elif os.path.basename(path) in PACKAGE_FILES:
                package.append(path)
        elif os.path.isdir(path):
            for found in _walk(path):
                name = os.path.basename(found)
                if name in BUILD_FILES:
                    build.append(found)
                elif name in PACKAGE_FILES:
                    package.append(found)
                elif name == "napi-inl.h":
                    copies.append(os.path.dirname(found))
                elif is_cpp(found) and not is_napi_own_header(found):
                    cpp.append(found)
        else:
            missing.append(raw)
    return Discovered(
        cpp_files=tuple(dict.fromkeys(cpp)),
        build_files=tuple(dict.fromkeys(build)),
        package_files=tuple(dict.fromkeys(package)),
        napi_copies=tuple(dict.fromkeys(copies)),
        missing=tuple(missing),
    )


def _walk(top: str):
    specs = _ancestor_specs(top)
    stack = [(top, specs)]
    while stack:
        folder, specs = stack.pop()
        local = _load_spec(folder)
        if local is not None:
            specs = specs + ((folder, local),)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            if entry.is_symlink():
                continue  # never follow links out of the given tree
            if entry.is_dir():
                if entry.name in SKIP_DIRS or _ignored(entry.path, True, specs):
                    continue
                subdirs.append(entry.path)
            elif entry.is_file() and not _ignored(entry.path, False, specs):
                yield entry.path
        stack.extend((d, specs) for d in reversed(subdirs))


def _load_spec(folder: str):
    path = os.path.join(folder, ".gitignore")
    if not os.path.isfile(path):
        return None
    import pathspec  # only trees with a .gitignore pay for the import

    with open(path, encoding="utf-8", errors="replace") as f:
        return pathspec.GitIgnoreSpec.from_lines(f.read().splitlines())


def _ancestor_specs(top: str) -> tuple:
    """The .gitignore files above `top`, up to the enclosing checkout's root."""
    found = []
    folder = os.path.abspath(top)
    while True:
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")) or parent == folder:
            break
        folder = parent
        spec = _load_spec(folder)
        if spec is not None:
            found.append((folder, spec))
        if os.path.exists(os.path.join(folder, ".git")):
            break
    return tuple(reversed(found))


def _ignored(path: str, is_dir: bool, specs) -> bool:
    ignored = False
    for base, spec in specs:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base)).replace(os.sep, "/")
        if is_dir:
            rel += "/"
        result = spec.check_file(rel)
        if result.include is not None:
            ignored = result.include  # the deepest .gitignore that speaks wins
    return ignored


def project_root(path: str) -> str:
    """Nearest folder above `path` that is a package, a build or a checkout."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if any(os.path.exists(os.path.join(folder, m)) for m in PROJECT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.dirname(os.path.abspath(path))
        folder = parent
