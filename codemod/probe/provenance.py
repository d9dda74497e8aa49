"""Where a loaded addon came from, and so what fixes it.

node-addon-api is header-only: the leak is compiled into each `.node`. An
addon built from source here (`build/` beside a binding.gyp) compiled against
the node-addon-api its package resolves; the headers found now are
fingerprinted (codemod/manifests/fingerprint.py) and, when they changed since
the build, said so. Any other `.node` (prebuilds/, lib/binding/, a platform
package) is prebuilt: no lockfile pin changes it, only a rebuild from source
or a release built with 8.2.2+.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from codemod.manifests.fingerprint import fingerprint

SOURCE, PREBUILT = "source", "prebuilt"
BUILD_FILES = ("binding.gyp", "CMakeLists.txt")


@dataclass(frozen=True)
class Build:
    kind: str  # SOURCE or PREBUILT
    package: str | None = None  # the addon's package folder
    name: str | None = None  # its package.json name
    node_addon_api: str | None = None  # the version its package resolves (source builds)
    headers: str | None = None  # that copy's fingerprint: leaky, fixed, pre-8.2, ...
    stale: bool = False  # those headers changed after the addon was built


def provenance(addon: str) -> Build:
    package = _package_root(addon)
    if package is None:
        return Build(PREBUILT)
    name = _read_json(os.path.join(package, "package.json")).get("name")
    name = name if isinstance(name, str) else None
    relative = os.path.relpath(addon, package).split(os.sep)
    from_source = relative[0] == "build" and any(os.path.isfile(os.path.join(package, f)) for f in BUILD_FILES)
    if not from_source:
        return Build(PREBUILT, package, name)
    copy = _resolve(package, "node-addon-api")
    if copy is None:
        return Build(SOURCE, package, name)
    version = _read_json(os.path.join(copy, "package.json")).get("version")
    headers, stale = None, False
    try:
        with open(os.path.join(copy, "napi-inl.h"), "rb") as f:
            headers = fingerprint(f.read())
        stale = os.path.getmtime(os.path.join(copy, "napi-inl.h")) > os.path.getmtime(addon)
    except OSError:
        pass
    return Build(SOURCE, package, name, version if isinstance(version, str) else None, headers, stale)


def advice(build: Build, leaking: bool) -> str:
    if build.kind == PREBUILT:
        if not leaking:
            return "prebuilt: a lockfile pin does not change it"
        rebuild = f" (npm rebuild --build-from-source {build.name})" if build.name else ""
        upgrade = f"upgrade {build.name}" if build.name else "upgrade it"
        return (f"prebuilt: no lockfile pin changes it. Rebuild it from source against node-addon-api 8.2.2+"
                f"{rebuild}, or {upgrade} to a release built with node-addon-api 8.2.2 or later")
    if not leaking:
        return ""
    return (f"built from source: pin node-addon-api (napi-fix {build.package or '.'}), reinstall and rebuild "
            f"(npm ci); prove it with napi-fix probe --compare")


def _package_root(path: str) -> str | None:
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(folder, "package.json")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _resolve(package: str, name: str) -> str | None:
    """`name`'s folder as Node's require would find it from `package`."""
    folder = package
    while True:
        candidate = os.path.join(folder, "node_modules", name)
        if os.path.isfile(os.path.join(candidate, "package.json")):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
