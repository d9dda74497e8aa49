"""Installed copies: every node_modules/**/node-addon-api under a package,
pnpm's store (node_modules/.pnpm/...) included, with version and header
fingerprint. napi-fix never edits node_modules; it reports what a build
would compile today and when a copy's version and fingerprint disagree.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from codemod.manifests.fingerprint import expected, fingerprint


@dataclass(frozen=True)
class InstalledCopy:
    folder: str
    version: str
    fingerprint: str


def installed_copies(package_dir: str) -> list[InstalledCopy]:
    top = os.path.join(package_dir, "node_modules")
    found: list[InstalledCopy] = []
    for folder, subdirs, _ in os.walk(top):
        if os.path.basename(folder) == "node-addon-api":
            found.append(_judge(folder))
            subdirs[:] = []
            continue
        # Only folders that can lead to a node-addon-api copy.
        name = os.path.basename(folder)
        if not (name in ("node_modules", ".pnpm") or name.startswith("@")):
            subdirs[:] = [d for d in subdirs if d == "node_modules"]  # a package: only its own node_modules
        subdirs.sort()
    return found


def _judge(folder: str) -> InstalledCopy:
    try:
        with open(os.path.join(folder, "package.json"), "rb") as f:
            version = str(json.loads(f.read()).get("version", "?"))
    except (OSError, ValueError):
        version = "?"
    try:
        with open(os.path.join(folder, "napi-inl.h"), "rb") as f:
            print_ = fingerprint(f.read())
    except OSError:
        print_ = "no napi-inl.h"
    return InstalledCopy(folder, version, print_)


def disagrees(copy: InstalledCopy) -> bool:
    want = expected(copy.version)
    return want is not None and copy.fingerprint in ("leaky", "fixed", "pre-8.2") and want != copy.fingerprint
