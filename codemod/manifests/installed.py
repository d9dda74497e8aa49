"""Installed copies: every node_modules/**/node-addon-api under a package,
pnpm's store (node_modules/.pnpm/...) included, and the folders of its
aliases (`node_modules/naa` installed from `npm:node-addon-api@8.2.1`), with version and header
fingerprint. napi-fix never edits node_modules; it reports what a build
would compile today and when a copy's version and fingerprint disagree.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from codemod.manifests.fingerprint import FIXED, LEAKY, PRE, expected, fingerprint
from codemod.manifests.spec import PACKAGE
from codemod.sources.base import Sources, Unreadable


@dataclass(frozen=True)
class InstalledCopy:
    folder: str
    version: str
    fingerprint: str
    problem: str | None = None  # why its files could not be read, if so


def installed_copies(sources: Sources, package_dir: str, aliases: frozenset[str] = frozenset()) -> list[InstalledCopy]:
    """`aliases`: the names package.json installs node-addon-api under
    (`"naa": "npm:node-addon-api@8.2.1"`); such a folder is a copy when its
    package.json says it is node-addon-api."""
    top = os.path.join(package_dir, "node_modules")
    if not sources.is_dir(top):
        return []
    found: list[InstalledCopy] = []

    def prune(entry) -> bool:
        # Only folders that can lead to a node-addon-api copy: node_modules
        # and scope folders, pnpm's store, and each package's own node_modules.
        parent = os.path.basename(os.path.dirname(entry.path))
        if entry.name == PACKAGE:
            found.append(_judge(sources, entry.path))
            return True
        name = f"{parent}/{entry.name}" if parent.startswith("@") else entry.name
        if name in aliases and _names_itself(sources, entry.path):
            found.append(_judge(sources, entry.path))
            return True
        if parent in ("node_modules", ".pnpm") or parent.startswith("@"):
            return False
        return entry.name != "node_modules"

    for _ in sources.walk(top, prune, on_error=lambda exc: None):
        pass
    return sorted(found, key=lambda c: c.folder.split(os.sep))  # the walk's own (depth-first) order


def _names_itself(sources: Sources, folder: str) -> bool:
    try:
        return json.loads(sources.read(os.path.join(folder, "package.json"))).get("name") == PACKAGE
    except (Unreadable, ValueError, AttributeError):
        return False


def _judge(sources: Sources, folder: str) -> InstalledCopy:
    problem = None
    try:
        version = str(json.loads(sources.read(os.path.join(folder, "package.json"))).get("version", "?"))
    except Unreadable as exc:
        version, problem = "?", f"{exc.path}: {exc.reason}"
    except (ValueError, AttributeError):  # invalid JSON, or JSON that is not an object
        version = "?"
    try:
        print_ = fingerprint(sources.read(os.path.join(folder, "napi-inl.h")))
    except Unreadable as exc:
        print_ = "no napi-inl.h"
        if sources.exists(os.path.join(folder, "napi-inl.h")):
            problem = problem or f"{exc.path}: {exc.reason}"
    return InstalledCopy(folder, version, print_, problem)


def disagrees(copy: InstalledCopy) -> bool:
    want = expected(copy.version)
    return want is not None and copy.fingerprint in (LEAKY, FIXED, PRE) and want != copy.fingerprint


def is_leaky(copy: InstalledCopy) -> bool:
    return copy.fingerprint == LEAKY
