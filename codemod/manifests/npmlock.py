"""package-lock.json / npm-shrinkwrap.json (lockfileVersion 1, 2 and 3).

Every installed copy of node-addon-api is a lock entry: v2/v3 key it by
install path in `packages` (`node_modules/node-addon-api`,
`node_modules/foo/node_modules/node-addon-api`), v1 (and v2's legacy half)
nest it under `dependencies`. A copy that resolves 8.2.0 or 8.2.1 moves to
the smallest safe release that every package resolving to that copy admits
(npm's own lookup: nearest node_modules up the path). node-addon-api has no
dependencies, so an entry is rewritten offline from the safe-versions table:
version, integrity, and the version inside `resolved` when there is one.
The lock's copies of package.json specs (`packages[""]`, workspace entries)
follow the package.json edits, or `npm ci` would call them out of sync.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from codemod.edits import Edit
from codemod.manifests import spec as specs
from codemod.manifests.jsonspan import Obj, Str, insert_member, quoted
from codemod.manifests.packagejson import DEP_FIELDS
from codemod.results import MANUAL, PIN, Finding
from codemod.rules import NEEDS_PERSON, RESOLVES_BAD
from codemod.sources.base import within
from codemod.textpos import line_of

SUFFIX = "node_modules/" + specs.PACKAGE


@dataclass(frozen=True)
class LockChange:
    """One lock entry moved, or a reason it could not be."""

    key: str
    line: int
    new: str | None
    reason: str
    edits: tuple[Edit, ...] = ()
    span: tuple[int, int] | None = None  # the entry's version value
    # Parents whose own range admits no safe release: the lock entry can only
    # move with an npm override scoped to each of them.
    override_parents: tuple[str, ...] = ()


def lazy_entries(key_path: tuple) -> bool:
    """The lock entries napi-fix never edits unless they mention node-addon-api:
    every `packages` entry but the root's and the copies' own, and every
    top-level legacy entry but node-addon-api's (jsonspan.loads' `lazy`)."""
    if len(key_path) != 2:
        return False
    section, key = key_path
    if section == "packages":
        return key != "" and not key.endswith(SUFFIX)
    return section == "dependencies" and key != specs.PACKAGE


def plan_npm_lock(
    path: str, lock: Obj, data: bytes, spec_changes: dict[str, dict[str, str]], root_specs: dict[str, str], mode: str
) -> tuple[list[LockChange], list[Edit]]:
    """(moved copies, edits of spec mirrors). spec_changes: package dir
    relative to the lock -> {field: new spec}; root_specs: the root
    package.json's node-addon-api specs after the pin (v1 has no copy)."""
    packages = lock.get("packages") if isinstance(lock.get("packages"), Obj) else None
    legacy = lock.get("dependencies") if isinstance(lock.get("dependencies"), Obj) else None

    mirror_edits: list[Edit] = []
    installs: dict[str, list[Obj]] = {}  # install key -> entries describing it
    dependents: dict[str, list[str]] = {}  # package key -> node-addon-api specs it asks for

    if packages is not None:
        for key, entry in packages.items():
            if not isinstance(entry, Obj):
                continue
            if key == SUFFIX or key.endswith("/" + SUFFIX):
                installs.setdefault(key, []).append(entry)
            changes = spec_changes.get(key, {})
            for field in DEP_FIELDS:
                deps = entry.get(field)
                if isinstance(deps, Obj) and isinstance(deps.get(specs.PACKAGE), Str):
                    value = deps[specs.PACKAGE]
                    new = changes.get(field)
                    if new is not None and new != value.value:
                        mirror_edits.append(Edit(path, value.start, value.end, quoted(new)))
                    dependents.setdefault(key, []).append(new or value.value)
    if legacy is not None:
        for key, entry, requires in _legacy_entries(legacy, ()):
            if key.endswith(SUFFIX):
                installs.setdefault(key, []).append(entry)
            if requires is None:
                continue
            new = _workspace_spec(entry, spec_changes)
            if new is not None and new != requires.value:
                mirror_edits.append(Edit(path, requires.start, requires.end, quoted(new)))
            if packages is None:
                dependents.setdefault(key, []).append(new or requires.value)
        if packages is None:
            dependents.setdefault("", []).extend(root_specs.values())

    changes: list[LockChange] = []
    for key, entries in sorted(installs.items()):
        version = next((e["version"] for e in entries if isinstance(e.get("version"), Str)), None)
        if version is None or not specs.is_bad(version.value):
            continue
        wanted = [(dep, s) for dep, asked in dependents.items() for s in asked if _resolves_to(dep, installs) == key]
        ranges = {(dep, specs.split_alias(s)[1]) for dep, s in wanted}
        ranges = {(dep, r) for dep, r in ranges if specs.judge(r).status != specs.UNKNOWN}
        blocked = sorted(dep for dep, r in ranges if specs.choose_version([r], mode) is None)
        new = specs.choose_version([r for dep, r in ranges if dep not in blocked], mode)
        line = line_of(data, version.start)
        parents = tuple(_package_name(dep, packages) for dep in blocked)
        if new is None or "" in blocked or None in parents:
            changes.append(LockChange(key, line, None,
                                      f"{key} resolves {version.value}; no safe release satisfies "
                                      f"{sorted(r for _, r in ranges)}: add an npm override forcing 8.2.2 or later",
                                      span=(version.start, version.end)))
            continue
        edits = [edit for entry in entries for edit in _entry_edits(path, entry, new)]
        why = ", ".join(sorted({s for _, s in wanted})) or "no declared range"
        forced = f"; forced past {', '.join(parents)}'s range by an override" if parents else ""
        changes.append(LockChange(key, line, new,
                                  f"lock entry {key} resolves {version.value}; move to {new} (wanted: {why}){forced}",
                                  tuple(edits), (version.start, version.end), parents))
    return changes, mirror_edits


def _entry_edits(path: str, entry: Obj, new: str) -> list[Edit]:
    info = specs.safe_versions()[new]
    edits = [Edit(path, entry["version"].start, entry["version"].end, quoted(new))]
    integrity = entry.get("integrity")
    if isinstance(integrity, Str):
        edits.append(Edit(path, integrity.start, integrity.end, quoted(info.integrity)))
    resolved = entry.get("resolved")
    if isinstance(resolved, Str):
        edits.append(Edit(path, resolved.start, resolved.end, quoted(specs.tarball_url(resolved.value, new))))
    return edits


def _workspace_spec(entry: Obj, spec_changes: dict[str, dict[str, str]]) -> str | None:
    """The pinned spec a workspace member's legacy entry (`"version":
    "file:packages/a"`) must now require: `requires` mirrors the member's
    dependencies and optionalDependencies, not its devDependencies."""
    version = entry.get("version")
    if not (isinstance(version, Str) and version.value.startswith("file:")):
        return None
    changes = spec_changes.get(os.path.normpath(version.value[len("file:"):]).replace(os.sep, "/"), {})
    return changes.get("dependencies") or changes.get("optionalDependencies")


def _package_name(key: str, packages) -> str | None:
    """The npm name of the package at lock key `key` (`node_modules/@s/x` -> `@s/x`)."""
    entry = packages.get(key) if packages is not None else None
    if isinstance(entry, Obj) and isinstance(entry.get("name"), Str):
        return entry["name"].value
    if "node_modules/" in key:
        return key.rsplit("node_modules/", 1)[1] or None
    return None


def _legacy_entries(deps: Obj, chain: tuple[str, ...]):
    """(install key, entry, its `requires` spec of node-addon-api or None) over lockfile v1's nested tree."""
    for name, entry in deps.items():
        if not isinstance(entry, Obj):
            continue
        key = "/".join(f"node_modules/{n}" for n in chain + (name,))
        requires = entry.get("requires")
        spec = requires.get(specs.PACKAGE) if isinstance(requires, Obj) else None
        yield key, entry, spec if isinstance(spec, Str) else None
        nested = entry.get("dependencies")
        if isinstance(nested, Obj):
            yield from _legacy_entries(nested, chain + (name,))


def _resolves_to(package_key: str, installs: dict) -> str | None:
    """Node's lookup from a package folder: nearest node_modules upward."""
    parts = package_key.split("/") if package_key else []
    while True:
        candidate = "/".join(parts + [SUFFIX]) if parts else SUFFIX
        if candidate in installs:
            return candidate
        if not parts:
            return None
        parts = parts[:-1]
        if parts and parts[-1].startswith("@"):
            parts = parts[:-1]
        if parts and parts[-1] == "node_modules":
            parts = parts[:-1]


def plan_lock_file(path: str, data: bytes, lock: Obj, folder: str, spec_changes: dict[str, dict[str, str]],
                   mode: str) -> tuple[list[Finding], dict[str, str]]:
    """Findings for one npm lock, and the parents ({name: version}) whose own
    range admits only bad releases: package.json needs an override scoped to
    each (packagejson.plan_overrides)."""
    relative = {
        ("" if d == folder else os.path.relpath(d, folder or ".").replace(os.sep, "/")): changes
        for d, changes in spec_changes.items()
        if not folder or within(d, folder)
    }
    root_specs = dict(spec_changes.get(folder, {}))
    changes, mirrors = plan_npm_lock(path, lock, data, relative, root_specs, mode)
    findings = []
    if mirrors:
        findings.append(Finding(path, line_of(data, mirrors[0].start), 1, PIN, "package specs", "",
                                "the lock's copies of the package.json specs follow the pin", tuple(mirrors)))
    for c in changes:
        findings.append(Finding(path, c.line, 1, PIN if c.edits else MANUAL, c.key, "", c.reason, c.edits,
                                rule=RESOLVES_BAD.id if c.edits else NEEDS_PERSON.id, span=c.span))
    return findings, {parent: c.new for c in changes if c.new for parent in c.override_parents}


def declare_package(path: str, data: bytes, lock: Obj, spec: str, version: str) -> list[Edit] | None:
    """Edits adding node-addon-api to an npm lock's root and its packages; None
    when a copy already installed at the top level does not satisfy `spec`."""
    info = specs.safe_versions()[version]
    edits = []
    packages = lock.get("packages")
    if isinstance(packages, Obj):
        root = packages.get("")
        if isinstance(root, Obj):
            deps = root.get("dependencies")
            edits.append(insert_member(path, data, deps, specs.PACKAGE, spec) if isinstance(deps, Obj)
                         else insert_member(path, data, root, "dependencies", {specs.PACKAGE: spec}))
        key = SUFFIX
        existing = packages.get(key)
        if isinstance(existing, Obj):
            held = existing.get("version")
            if not (isinstance(held, Str) and (specs.is_bad(held.value) or specs.satisfies(held.value, spec))):
                return None
        else:
            entry = {"version": version, "integrity": info.integrity, "license": "MIT", "engines": {"node": info.engines}}
            after = sorted(k for k in packages if k > key)
            edits.append(insert_member(path, data, packages, key, entry, before=after[0] if after else None))
    legacy = lock.get("dependencies")
    if isinstance(legacy, Obj) and specs.PACKAGE not in legacy:
        after = sorted(k for k in legacy if k > specs.PACKAGE)
        edits.append(insert_member(path, data, legacy, specs.PACKAGE, {"version": version, "integrity": info.integrity},
                                   before=after[0] if after else None))
    return edits
