"""Package roots: the files planned (and written) together, and their loading.

A root is a lock root: the folder of a lockfile (or pnpm-workspace.yaml)
with every package.json at or below it that has no lock of its own
(workspace members), the build files and vendored header copies of those
packages. A package without any lock above it is a root of its own. The
pin planner (plan.py) sees one root's bytes at a time; `load_root` is the
only place those bytes are read, through Sources.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from codemod.discover import ROOT_MARKERS, Discovered
from codemod.manifests import buildfiles, gyp
from codemod.manifests.installed import InstalledCopy, installed_copies
from codemod.manifests.packagejson import DEP_FIELDS
from codemod.manifests.spec import PACKAGE, is_alias
from codemod.sources.base import Sources, Unreadable

HEADER_NAMES = ("napi-inl.h", "napi.h")


@dataclass(frozen=True)
class PackageRoot:
    folder: str
    packages: tuple[str, ...] = ()  # package.json files
    manifests: tuple[str, ...] = ()  # lockfiles and pnpm-workspace.yaml of the root folder
    build_files: tuple[str, ...] = ()
    copies: tuple[str, ...] = ()  # vendored header copies the walk found in this root

    @property
    def files(self) -> tuple[str, ...]:
        return self.packages + self.manifests + self.build_files


@dataclass(frozen=True)
class RootFiles:
    """Everything the pin planner may look at for one root."""

    root: PackageRoot
    contents: dict[str, bytes] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # path -> reason
    copy_folders: frozenset[str] = frozenset()  # folders known to hold napi-inl.h
    installed: tuple[InstalledCopy, ...] = ()


class Unloadable(Exception):
    """A file the planner needs could not be read or parsed."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        super().__init__(reason)
        self.path = path
        self.reason = reason
        self.line = line


def nearest(folder: str, candidates) -> str | None:
    """The nearest folder among `candidates` at or above `folder` ("" is the
    top of a relative tree), else None."""
    current = folder
    while True:
        if current in candidates:
            return current
        parent = os.path.dirname(current)
        if parent == current or not current:
            return None
        current = parent


def package_roots(found: Discovered) -> list[PackageRoot]:
    package_files = set(found.package_files)
    lock_folders = {os.path.dirname(p) for p in found.package_files
                    if os.path.basename(p) in ROOT_MARKERS}
    package_folders = sorted({os.path.dirname(p) for p in found.package_files
                              if os.path.basename(p) == "package.json"})

    groups: dict[str, dict[str, list[str]]] = {}

    def group(folder: str) -> dict[str, list[str]]:
        return groups.setdefault(folder, {"packages": [], "manifests": [], "build": [], "copies": []})

    def root_of(folder: str) -> str:
        """The lock root above a package folder, else the folder itself ("" is a root: the tree's top)."""
        found_root = nearest(folder, lock_folders)
        return folder if found_root is None else found_root

    for folder in package_folders:
        group(root_of(folder))["packages"].append(os.path.join(folder, "package.json"))
    for folder in sorted(lock_folders):
        if os.path.join(folder, "package.json") in package_files:
            for name in ROOT_MARKERS:
                if os.path.join(folder, name) in package_files:
                    group(folder)["manifests"].append(os.path.join(folder, name))
    roots_of_packages = {folder: root_of(folder) for folder in package_folders}
    for path in found.build_files:
        home = nearest(os.path.dirname(path), roots_of_packages)
        group(roots_of_packages[home] if home is not None else os.path.dirname(path))["build"].append(path)
    for copy in found.napi_copies:
        home = nearest(os.path.dirname(copy), roots_of_packages)
        group(roots_of_packages[home] if home is not None else copy)["copies"].append(copy)
    return [
        PackageRoot(folder, tuple(g["packages"]), tuple(g["manifests"]), tuple(g["build"]), tuple(g["copies"]))
        for folder, g in sorted(groups.items())
    ]


def _aliases(package_json: bytes | None) -> frozenset[str]:
    """The names a package.json installs node-addon-api under (`"naa":
    "npm:node-addon-api@8.2.1"`); nothing when it cannot be read (the planner says why)."""
    try:
        pkg = json.loads(package_json or b"{}")
        return frozenset(name for field in DEP_FIELDS if isinstance(pkg.get(field), dict)
                         for name, spec in pkg[field].items()
                         if isinstance(spec, str) and is_alias(spec) and name != PACKAGE)
    except (ValueError, AttributeError, RecursionError):
        return frozenset()


def load_root(sources: Sources, root: PackageRoot, patch_vendored: bool) -> RootFiles:
    contents: dict[str, bytes] = {}
    unreadable: dict[str, str] = {}

    def read(path: str) -> None:
        if path in contents or path in unreadable:
            return
        try:
            contents[path] = sources.read(path)
        except Unreadable as exc:
            unreadable[path] = exc.reason

    for path in root.files:
        read(path)
    # The .gypi files a binding.gyp includes (transitively, each once): GYP
    # merges them into it, so the planner reads them as part of the build.
    pending = [p for p in root.build_files if os.path.basename(p) == "binding.gyp" and p in contents]
    followed = set(pending)
    while pending and len(followed) <= gyp.MAX_FILES:
        for include in gyp.included(pending[0], contents[pending.pop(0)]):
            if len(followed) > gyp.MAX_FILES:
                break
            if include not in followed:
                followed.add(include)
                read(include)
                if include in contents:
                    pending.append(include)
    folders = set(root.copies)
    for path in root.build_files:
        if path in contents:
            folders.update(buildfiles.copy_candidates(path, contents[path], contents.get))
    copy_folders = frozenset(f for f in folders if sources.is_file(os.path.join(f, "napi-inl.h")))
    for folder in sorted(copy_folders):
        for name in HEADER_NAMES if patch_vendored else HEADER_NAMES[:1]:
            read(os.path.join(folder, name))
        if sources.is_file(os.path.join(folder, "package.json")):
            read(os.path.join(folder, "package.json"))  # the copy's own version: a repoint never goes below it
    installed = tuple(copy for package in root.packages
                      for copy in installed_copies(sources, os.path.dirname(package), _aliases(contents.get(package))))
    return RootFiles(root, contents, unreadable, copy_folders, installed)
